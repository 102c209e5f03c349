//! Reading a partition of one of Kafka Connect's internal topics (offsets, configs, statuses)
//! from where a store left off up to its end.

use std::time::Duration;

use connect_log::{Log, LogError, Partition, StoredRecord};

/// How much one fetch asks for.
const FETCH_BYTES: usize = 1 << 20;

/// A read fetches only what the partition already holds: it never waits for more.
const FETCH_WAIT: Duration = Duration::ZERO;

/// Where reading a partition failed.
#[derive(Debug)]
pub(crate) struct ReadFailure {
    /// The offset being fetched.
    pub(crate) offset: i64,
    /// Why.
    pub(crate) source: LogError,
}

/// Reads `partition` from `next` to its end, handing each record to `apply` in offset order, and
/// returns the offset to read from next time.
///
/// The end is the high watermark each fetch reports rather than a separate ListOffsets request
/// (one round trip fewer, and the test broker's `Latest` is known to be wrong on `memory://`). Records removed before they were read (retention,
/// or compaction of the head) are skipped: reading goes on from the earliest offset still
/// stored, as Kafka Connect's store consumers do with `auto.offset.reset=earliest`. A fetch that
/// yields nothing before the end (only transaction markers left on Kafka) ends the read; the
/// next one goes on from there.
pub(crate) async fn read_to_end(
    log: &dyn Log,
    partition: &Partition,
    mut next: i64,
    mut apply: impl FnMut(&StoredRecord),
) -> Result<i64, ReadFailure> {
    loop {
        let fetched = match log.fetch(partition, next, FETCH_BYTES, FETCH_WAIT).await {
            Ok(fetched) => fetched,
            Err(LogError::OffsetOutOfRange { earliest, .. }) if next < earliest => {
                tracing::warn!(
                    %partition,
                    offset = next,
                    earliest,
                    "records were removed before they were read; reading on from the earliest offset"
                );
                next = earliest;
                continue;
            }
            Err(source) => {
                return Err(ReadFailure {
                    offset: next,
                    source,
                });
            }
        };
        let before = next;
        for stored in &fetched.records {
            if stored.offset >= next {
                apply(stored);
                next = stored.offset + 1;
            }
        }
        if next == before || next >= fetched.high_watermark {
            return Ok(next);
        }
    }
}
