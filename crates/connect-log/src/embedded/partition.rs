//! One partition: its segments, appends, reads and retention.
//!
//! Appends to a partition are serialised by its writer lock, which is held across the `write`;
//! readers only take the state lock, briefly, to find the bytes to read, and read outside it.
//! Everything here does blocking file I/O and runs on blocking threads.

use std::fs;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::format::{self, FrameHeader};
use super::meta::TopicSettings;
use super::segment::{self, ReadRange, Segment};
use super::{FsyncPolicy, io_error, lock};
use crate::{LogError, LogRecord, Partition, Result, StoredRecord};

/// A partition of the embedded log.
#[derive(Debug)]
pub(super) struct PartitionLog {
    id: Partition,
    dir: PathBuf,
    settings: TopicSettings,
    fsync: FsyncPolicy,
    /// Serialises appends; holds the encoding buffer.
    writer: Mutex<Vec<u8>>,
    /// What readers see: the segments, oldest first, never empty; the last one is active.
    state: Mutex<Vec<Segment>>,
    /// The high watermark, for long-polling fetches.
    high_watermark: watch::Sender<i64>,
    /// Whether the active segment has writes not yet synced (`FsyncPolicy::Interval`).
    dirty: AtomicBool,
    /// Set when a write or sync failed in a way that leaves the file's state unknown: appends
    /// fail until the log is reopened (and recovered).
    failed: Mutex<Option<String>>,
}

impl PartitionLog {
    /// Opens (creating if needed) the partition's directory. Returns the bytes recovery dropped.
    pub fn open(
        id: Partition,
        dir: PathBuf,
        settings: TopicSettings,
        fsync: FsyncPolicy,
    ) -> Result<(PartitionLog, u64)> {
        let opened = segment::open_partition(&dir, fsync != FsyncPolicy::Never)?;
        let end = opened.segments.last().map_or(0, |s| s.end_offset);
        let log = PartitionLog {
            id,
            dir,
            settings,
            fsync,
            writer: Mutex::new(Vec::new()),
            state: Mutex::new(opened.segments),
            high_watermark: watch::channel(end).0,
            dirty: AtomicBool::new(false),
            failed: Mutex::new(None),
        };
        Ok((log, opened.recovered_bytes))
    }

    /// The first offset still stored and the high watermark.
    pub fn bounds(&self) -> (i64, i64) {
        let segments = lock(&self.state);
        let earliest = segments.first().map_or(0, |s| s.base_offset);
        let latest = segments.last().map_or(0, |s| s.end_offset);
        (earliest, latest)
    }

    /// A receiver of high-watermark changes.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.high_watermark.subscribe()
    }

    /// The error for an offset outside `earliest..=latest`.
    pub fn out_of_range(&self, offset: i64, earliest: i64, latest: i64) -> LogError {
        LogError::OffsetOutOfRange {
            partition: self.id.clone(),
            offset,
            earliest,
            latest,
        }
    }

    /// Appends a batch as one frame with one `write`, and returns its base offset.
    pub fn append(&self, records: &[LogRecord]) -> Result<i64> {
        let mut buf = lock(&self.writer);
        if records.is_empty() {
            return Ok(self.bounds().1);
        }
        if let Some(reason) = lock(&self.failed).as_ref() {
            return Err(LogError::Other(format!(
                "partition {} is unavailable until the log is reopened: {reason}",
                self.id
            )));
        }
        let (mut file, mut path, mut position, base_offset) = {
            let segments = lock(&self.state);
            let active = segments.last().ok_or_else(|| self.no_segment())?;
            (
                active.file.clone(),
                active.path.clone(),
                active.size,
                active.end_offset,
            )
        };
        let max_timestamp = format::encode_batch(&mut buf, base_offset, records)
            .map_err(|e| LogError::Invalid(format!("cannot append to {}: {e}", self.id)))?;
        let header = FrameHeader {
            body_len: buf.len() - format::FRAME_HEADER,
            crc: 0,
            base_offset,
            count: records.len() as u32,
            max_timestamp,
        };
        let mut rolled = false;
        if position > 0 && position + header.frame_len() > self.settings.segment_bytes {
            let active = self.roll(base_offset)?;
            (file, path, position) = (active.0, active.1, 0);
            rolled = true;
        }
        if let Err(e) = file.write_all_at(&buf, position) {
            // Take back whatever part of the frame reached the file, so the next append does not
            // land after garbage.
            if let Err(e2) = file.set_len(position) {
                *lock(&self.failed) = Some(format!(
                    "a failed write could not be undone ({e}; truncating: {e2})"
                ));
            }
            return Err(LogError::Io {
                context: format!("appending to {}", path.display()),
                source: e,
            });
        }
        match self.fsync {
            FsyncPolicy::Always => {
                if let Err(e) = file.sync_data() {
                    *lock(&self.failed) = Some(format!("fsync failed: {e}"));
                    return Err(LogError::Io {
                        context: format!("syncing {}", path.display()),
                        source: e,
                    });
                }
            }
            FsyncPolicy::Interval(_) => self.dirty.store(true, Ordering::Release),
            FsyncPolicy::Never => {}
        }
        let end = header.end_offset();
        {
            let mut segments = lock(&self.state);
            let active = segments.last_mut().ok_or_else(|| self.no_segment())?;
            active.note_frame(&header, position);
            active.last_write_ms = segment::now_ms();
        }
        self.high_watermark.send_replace(end);
        drop(buf);
        if rolled {
            // Best effort: the periodic check retries what fails here.
            let _ = self.enforce_retention(segment::now_ms());
        }
        Ok(base_offset)
    }

    fn no_segment(&self) -> LogError {
        LogError::Other(format!("partition {} has no segment", self.id))
    }

    /// Closes the active segment (syncing it unless the policy is `Never`, and writing its index
    /// file) and starts a new one at `base_offset`. Called with the writer lock held.
    fn roll(&self, base_offset: i64) -> Result<(Arc<fs::File>, PathBuf)> {
        let sync = self.fsync != FsyncPolicy::Never;
        let (old_file, old_path, index) = {
            let segments = lock(&self.state);
            let active = segments.last().ok_or_else(|| self.no_segment())?;
            (
                active.file.clone(),
                active.path.clone(),
                active.index_file(),
            )
        };
        if sync {
            old_file
                .sync_data()
                .map_err(io_error(format!("syncing {}", old_path.display())))?;
            self.dirty.store(false, Ordering::Release);
        }
        let index_path = segment::index_path(&self.dir, index.base_offset);
        fs::write(&index_path, index.encode())
            .map_err(io_error(format!("writing {}", index_path.display())))?;
        let new = segment::create_segment(&self.dir, base_offset)?;
        if sync {
            segment::sync_dir(&self.dir)?;
        }
        let active = (new.file.clone(), new.path.clone());
        lock(&self.state).push(new);
        Ok(active)
    }

    /// Reads records from `offset` up to `max_bytes`; returns them with the high watermark at
    /// the time of the read.
    pub fn read(&self, offset: i64, max_bytes: usize) -> Result<(Vec<StoredRecord>, i64)> {
        let (ranges, latest): (Vec<ReadRange>, i64) = {
            let segments = lock(&self.state);
            let earliest = segments.first().map_or(0, |s| s.base_offset);
            let latest = segments.last().map_or(0, |s| s.end_offset);
            if offset < earliest || offset > latest {
                return Err(self.out_of_range(offset, earliest, latest));
            }
            let first = segments
                .partition_point(|s| s.base_offset <= offset)
                .saturating_sub(1);
            let ranges = segments[first..]
                .iter()
                .take(4)
                .enumerate()
                .map(|(i, s)| ReadRange {
                    file: s.file.clone(),
                    path: s.path.clone(),
                    start: if i == 0 { s.position_for(offset) } else { 0 },
                    end: s.size,
                })
                .collect();
            (ranges, latest)
        };
        Ok((segment::read_records(&ranges, offset, max_bytes)?, latest))
    }

    /// Deletes the oldest closed segments past the retention time (by their largest timestamp)
    /// or while the partition is larger than the retention size. Returns how many went.
    pub fn enforce_retention(&self, now_ms: i64) -> Result<usize> {
        let s = &self.settings;
        if !s.delete || (s.retention_ms.is_none() && s.retention_bytes.is_none()) {
            return Ok(0);
        }
        let removed: Vec<Segment> = {
            let mut segments = lock(&self.state);
            let mut total: u64 = segments.iter().map(|s| s.size).sum();
            let mut count = 0;
            // Never the active (last) segment.
            while count + 1 < segments.len() {
                let segment = &segments[count];
                let expired = s
                    .retention_ms
                    .is_some_and(|ms| now_ms.saturating_sub(segment.retention_timestamp()) > ms);
                let oversize = s
                    .retention_bytes
                    .is_some_and(|max| total - segment.size >= max);
                if !(expired || oversize) {
                    break;
                }
                total -= segment.size;
                count += 1;
            }
            segments.drain(..count).collect()
        };
        for segment in &removed {
            // Oldest first, so a crash in between leaves a log without a hole.
            segment::remove_if_exists(&segment.path)?;
            segment::remove_if_exists(&segment::index_path(&self.dir, segment.base_offset))?;
        }
        if !removed.is_empty() && self.fsync != FsyncPolicy::Never {
            segment::sync_dir(&self.dir)?;
        }
        Ok(removed.len())
    }

    /// Syncs the active segment if it has unsynced writes (or always, with `force`).
    pub fn sync(&self, force: bool) -> Result<()> {
        if !self.dirty.swap(false, Ordering::AcqRel) && !force {
            return Ok(());
        }
        let (file, path) = {
            let segments = lock(&self.state);
            let active = segments.last().ok_or_else(|| self.no_segment())?;
            (active.file.clone(), active.path.clone())
        };
        file.sync_data().map_err(|e| {
            *lock(&self.failed) = Some(format!("fsync failed: {e}"));
            LogError::Io {
                context: format!("syncing {}", path.display()),
                source: e,
            }
        })
    }
}
