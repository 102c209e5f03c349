//! Which source offsets may be committed: a record's offset only once it and every earlier
//! record of the same source partition have been written (Kafka's `SubmittedRecords`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use connect_api::record::OffsetMap;

/// A submitted record, to acknowledge later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmittedId {
    partition: usize,
    sequence: u64,
}

struct PartitionQueue {
    partition: Arc<OffsetMap>,
    /// Sequence, offset, acknowledged: from the oldest record not yet acknowledged on.
    records: VecDeque<(u64, Option<OffsetMap>, bool)>,
    first_sequence: u64,
    /// The offset of the newest record of the acknowledged run already taken off `records`, not
    /// yet taken by [`SubmittedRecords::committable`]. Runs are folded in as acknowledgements
    /// arrive, so memory follows the records in flight, not those since the last commit.
    committable: Option<OffsetMap>,
}

impl PartitionQueue {
    /// Takes the acknowledged records off the front, keeping the newest offset among them.
    fn fold_acknowledged(&mut self) {
        while self.records.front().is_some_and(|(_, _, acked)| *acked) {
            if let Some((_, offset, _)) = self.records.pop_front() {
                self.first_sequence += 1;
                if offset.is_some() {
                    self.committable = offset;
                }
            }
        }
    }
}

/// Tracks records from submission to acknowledgement, per source partition, in order.
///
/// ```
/// use std::sync::Arc;
/// use connect_runtime::offsets::SubmittedRecords;
/// use serde_json::json;
///
/// let partition = Arc::new(json!({"filename": "a"}).as_object().cloned().unwrap_or_default());
/// let offset = |n: i64| json!({"position": n}).as_object().cloned().unwrap_or_default();
/// let mut submitted = SubmittedRecords::default();
/// let first = submitted.submit(&partition);
/// let second = submitted.submit(&partition);
/// submitted.ack(second, Some(offset(8)));
/// assert!(submitted.committable().is_empty()); // the first is not written yet
/// submitted.ack(first, Some(offset(4)));
/// assert_eq!(submitted.committable(), vec![(partition.clone(), offset(8))]);
/// assert_eq!(submitted.pending(), 0);
/// ```
#[derive(Default)]
pub struct SubmittedRecords {
    queues: Vec<PartitionQueue>,
    index: HashMap<String, usize>,
    last: Option<(Arc<OffsetMap>, usize)>,
    pending: usize,
}

impl SubmittedRecords {
    /// Records a submitted record of `partition`; it is pending until acknowledged.
    pub fn submit(&mut self, partition: &Arc<OffsetMap>) -> SubmittedId {
        let index = self.queue_index(partition);
        let queue = &mut self.queues[index];
        let sequence = queue.first_sequence + queue.records.len() as u64;
        queue.records.push_back((sequence, None, false));
        self.pending += 1;
        SubmittedId {
            partition: index,
            sequence,
        }
    }

    fn queue_index(&mut self, partition: &Arc<OffsetMap>) -> usize {
        if let Some((last, index)) = &self.last
            && (Arc::ptr_eq(last, partition) || **last == **partition)
        {
            return *index;
        }
        let key = serde_json::to_string(&**partition).unwrap_or_default();
        let next = self.queues.len();
        let index = *self.index.entry(key).or_insert(next);
        if index == next {
            self.queues.push(PartitionQueue {
                partition: partition.clone(),
                records: VecDeque::new(),
                first_sequence: 0,
                committable: None,
            });
        }
        self.last = Some((partition.clone(), index));
        index
    }

    /// Marks a record written (or dropped, or skipped as an error), with its offset (`None` for
    /// records without one). The offset is handed over at this point so that it is never copied.
    pub fn ack(&mut self, id: SubmittedId, offset: Option<OffsetMap>) {
        let Some(queue) = self.queues.get_mut(id.partition) else {
            return;
        };
        let Some(position) = id.sequence.checked_sub(queue.first_sequence) else {
            return;
        };
        if let Some(entry) = usize::try_from(position)
            .ok()
            .and_then(|p| queue.records.get_mut(p))
            && !entry.2
        {
            entry.1 = offset;
            entry.2 = true;
            self.pending -= 1;
            if position == 0 {
                queue.fold_acknowledged();
            }
        }
    }

    /// Takes the committable offset of each partition: the offset of its last record of an
    /// unbroken acknowledged run from the oldest one.
    pub fn committable(&mut self) -> Vec<(Arc<OffsetMap>, OffsetMap)> {
        let mut out = Vec::new();
        for queue in &mut self.queues {
            queue.fold_acknowledged();
            if let Some(offset) = queue.committable.take() {
                out.push((queue.partition.clone(), offset));
            }
        }
        out
    }

    /// Records submitted and not yet acknowledged.
    pub fn pending(&self) -> usize {
        self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: serde_json::Value) -> OffsetMap {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn partitions_commit_independently_and_in_order() {
        let a = Arc::new(map(json!({"f": "a"})));
        let b = Arc::new(map(json!({"f": "b"})));
        let mut submitted = SubmittedRecords::default();
        let a1 = submitted.submit(&a);
        let b1 = submitted.submit(&b);
        let a2 = submitted.submit(&Arc::new(map(json!({"f": "a"}))));
        let a3 = submitted.submit(&a);
        submitted.ack(b1, Some(map(json!({"p": 1}))));
        submitted.ack(a2, Some(map(json!({"p": 2}))));
        assert_eq!(
            submitted.committable(),
            vec![(b.clone(), map(json!({"p": 1})))]
        );
        submitted.ack(a1, Some(map(json!({"p": 1}))));
        assert_eq!(
            submitted.committable(),
            vec![(a.clone(), map(json!({"p": 2})))]
        );
        assert_eq!(submitted.pending(), 1);
        submitted.ack(a3, None);
        submitted.ack(a3, Some(map(json!({"p": 9}))));
        assert!(submitted.committable().is_empty());
        assert_eq!(submitted.pending(), 0);
    }

    #[test]
    fn acknowledged_runs_are_folded_in_as_they_arrive() {
        // A source acknowledged in order keeps one offset per partition between commits, not
        // one per record.
        let a = Arc::new(map(json!({"f": "a"})));
        let mut submitted = SubmittedRecords::default();
        let late = submitted.submit(&a);
        let ids: Vec<_> = (0..1000).map(|_| submitted.submit(&a)).collect();
        for (n, id) in ids.into_iter().enumerate() {
            submitted.ack(id, Some(map(json!({"p": n}))));
        }
        assert_eq!(submitted.queues[0].records.len(), 1001, "held by the first");
        submitted.ack(late, None);
        assert!(submitted.queues[0].records.is_empty());
        let next = submitted.submit(&a);
        submitted.ack(next, None);
        assert!(submitted.queues[0].records.is_empty());
        assert_eq!(
            submitted.committable(),
            vec![(a.clone(), map(json!({"p": 999})))]
        );
        assert!(submitted.committable().is_empty());
    }
}
