//! Segment files: opening a partition directory, recovering its tail, reading frames.
//!
//! Everything here does blocking file I/O and runs on blocking threads.

use std::cell::RefCell;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::format::{
    self, BODY_HEADER, FRAME_HEADER, FrameHeader, INDEX_INTERVAL, IndexEntry, IndexFile,
};
use super::io_error;
use crate::{LogError, Result, StoredRecord};

/// One segment file of a partition and what is known about its contents.
#[derive(Debug)]
pub(super) struct Segment {
    /// Offset of the segment's first record (also in its file name).
    pub base_offset: i64,
    /// Offset after its last record.
    pub end_offset: i64,
    /// Bytes of complete frames in the file.
    pub size: u64,
    /// Largest record timestamp, -1 when no record has one.
    pub max_timestamp: i64,
    /// When the segment was last written, in ms since the epoch (its file's mtime on open).
    pub last_write_ms: i64,
    /// Sparse index: an entry at least every `INDEX_INTERVAL` bytes.
    pub index: Vec<IndexEntry>,
    /// Bytes written since the last index entry.
    pub bytes_since_index: u64,
    /// The open file, shared with readers.
    pub file: Arc<File>,
    /// The file's path.
    pub path: PathBuf,
}

impl Segment {
    /// Records that a frame was written at `position`.
    pub fn note_frame(&mut self, header: &FrameHeader, position: u64) {
        index_frame(
            &mut self.index,
            &mut self.bytes_since_index,
            header,
            position,
        );
        self.size = position + header.frame_len();
        self.end_offset = header.end_offset();
        self.max_timestamp = self.max_timestamp.max(header.max_timestamp);
    }

    /// The byte position from which to scan for `offset`.
    pub fn position_for(&self, offset: i64) -> u64 {
        match self.index.partition_point(|e| e.offset <= offset) {
            0 => 0,
            i => self.index[i - 1].position,
        }
    }

    /// The timestamp retention compares with: the largest record timestamp, or the time of the
    /// last write when no record carried one.
    pub fn retention_timestamp(&self) -> i64 {
        if self.max_timestamp >= 0 {
            self.max_timestamp
        } else {
            self.last_write_ms
        }
    }

    /// The index file describing this segment once it is closed.
    pub fn index_file(&self) -> IndexFile {
        IndexFile {
            log_size: self.size,
            base_offset: self.base_offset,
            end_offset: self.end_offset,
            max_timestamp: self.max_timestamp,
            entries: self.index.clone(),
        }
    }
}

/// Adds an index entry for a frame when the last one is `INDEX_INTERVAL` bytes back.
fn index_frame(
    index: &mut Vec<IndexEntry>,
    bytes_since_index: &mut u64,
    header: &FrameHeader,
    position: u64,
) {
    if index.is_empty() || *bytes_since_index >= INDEX_INTERVAL {
        index.push(IndexEntry {
            offset: header.base_offset,
            position,
        });
        *bytes_since_index = 0;
    }
    *bytes_since_index += header.frame_len();
}

/// The path of a segment file: the base offset in 20 digits, as Kafka names them.
pub(super) fn log_path(dir: &Path, base_offset: i64) -> PathBuf {
    dir.join(format!("{base_offset:020}.log"))
}

/// The path of a closed segment's index file.
pub(super) fn index_path(dir: &Path, base_offset: i64) -> PathBuf {
    dir.join(format!("{base_offset:020}.index"))
}

fn parse_base(name: &str, ext: &str) -> Option<i64> {
    let stem = name.strip_suffix(ext)?;
    if stem.len() != 20 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

pub(super) fn now_ms() -> i64 {
    system_time_ms(SystemTime::now())
}

fn system_time_ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Syncs a directory so that entries created or removed in it survive a power loss.
pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(format!("syncing directory {}", dir.display())))
}

fn open_rw(path: &Path, create: bool) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .open(path)
        .map_err(io_error(format!("opening segment {}", path.display())))
}

/// Creates an empty segment file.
pub(super) fn create_segment(dir: &Path, base_offset: i64) -> Result<Segment> {
    let path = log_path(dir, base_offset);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .map_err(io_error(format!("creating segment {}", path.display())))?;
    Ok(Segment {
        base_offset,
        end_offset: base_offset,
        size: 0,
        max_timestamp: -1,
        last_write_ms: now_ms(),
        index: Vec::new(),
        bytes_since_index: 0,
        file: Arc::new(file),
        path,
    })
}

/// What opening a partition directory found.
#[derive(Debug)]
pub(super) struct Opened {
    /// The segments, oldest first; never empty.
    pub segments: Vec<Segment>,
    /// Bytes dropped by recovery: torn or corrupt tails, and segments after a corrupt frame.
    pub recovered_bytes: u64,
}

/// Opens (creating it if needed) a partition directory: loads the index of each closed segment,
/// or rebuilds it by scanning when it is missing or stale, and scans the last segment, truncating
/// it at the first incomplete or corrupt frame.
pub(super) fn open_partition(dir: &Path, sync: bool) -> Result<Opened> {
    fs::create_dir_all(dir).map_err(io_error(format!("creating directory {}", dir.display())))?;
    let mut bases = Vec::new();
    let entries =
        fs::read_dir(dir).map_err(io_error(format!("listing directory {}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(io_error(format!("listing directory {}", dir.display())))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(base) = parse_base(name, ".log") {
            bases.push(base);
        } else if name.ends_with(".tmp") {
            let path = entry.path();
            fs::remove_file(&path).map_err(io_error(format!("removing {}", path.display())))?;
        }
    }
    bases.sort_unstable();

    let mut segments: Vec<Segment> = Vec::with_capacity(bases.len().max(1));
    let mut recovered_bytes = 0;
    let mut iter = bases.iter().copied().peekable();
    while let Some(base) = iter.next() {
        let last = iter.peek().is_none();
        if let Some(prev) = segments.last()
            && base < prev.end_offset
        {
            return Err(LogError::Other(format!(
                "segment {} starts at offset {base}, before the end ({}) of the previous segment",
                log_path(dir, base).display(),
                prev.end_offset
            )));
        }
        let path = log_path(dir, base);
        let file = open_rw(&path, false)?;
        let meta = file
            .metadata()
            .map_err(io_error(format!("reading {}", path.display())))?;
        let file_len = meta.len();
        let last_write_ms = meta.modified().map_or_else(|_| now_ms(), system_time_ms);
        let loaded = if last {
            None
        } else {
            load_index(dir, base, file_len)
        };
        let (scan, truncated) = match loaded {
            Some(index) => (
                Scan {
                    valid_len: index.log_size,
                    end_offset: index.end_offset,
                    max_timestamp: index.max_timestamp,
                    bytes_since_index: index
                        .entries
                        .last()
                        .map_or(0, |e| index.log_size - e.position),
                    index: index.entries,
                },
                false,
            ),
            None => {
                let scan = scan_segment(&file, &path, base, file_len)?;
                let truncated = scan.valid_len < file_len;
                (scan, truncated)
            }
        };
        if truncated {
            recovered_bytes += file_len - scan.valid_len;
            file.set_len(scan.valid_len)
                .map_err(io_error(format!("truncating {}", path.display())))?;
            if sync {
                file.sync_all()
                    .map_err(io_error(format!("syncing {}", path.display())))?;
            }
        }
        segments.push(Segment {
            base_offset: base,
            end_offset: scan.end_offset,
            size: scan.valid_len,
            max_timestamp: scan.max_timestamp,
            last_write_ms,
            index: scan.index,
            bytes_since_index: scan.bytes_since_index,
            file: Arc::new(file),
            path,
        });
        if truncated && !last {
            // The log continues after the corrupt frame: later segments would leave a hole in
            // the offsets, so they go, as Kafka's recovery does.
            for later in iter.by_ref() {
                for path in [log_path(dir, later), index_path(dir, later)] {
                    match fs::metadata(&path) {
                        Ok(m) => {
                            if path.extension().is_some_and(|e| e == "log") {
                                recovered_bytes += m.len();
                            }
                            fs::remove_file(&path)
                                .map_err(io_error(format!("removing {}", path.display())))?;
                        }
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(LogError::Io {
                                context: format!("reading {}", path.display()),
                                source: e,
                            });
                        }
                    }
                }
            }
            // The truncated segment is now the active one; its index file is stale.
            remove_if_exists(&index_path(dir, base))?;
        }
    }
    if segments.is_empty() {
        segments.push(create_segment(dir, 0)?);
        if sync {
            sync_dir(dir)?;
        }
    }
    Ok(Opened {
        segments,
        recovered_bytes,
    })
}

pub(super) fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(LogError::Io {
            context: format!("removing {}", path.display()),
            source: e,
        }),
        _ => Ok(()),
    }
}

fn load_index(dir: &Path, base: i64, file_len: u64) -> Option<IndexFile> {
    let bytes = fs::read(index_path(dir, base)).ok()?;
    let index = IndexFile::decode(&bytes)?;
    (index.log_size == file_len && index.base_offset == base && index.end_offset >= base)
        .then_some(index)
}

#[derive(Debug)]
struct Scan {
    valid_len: u64,
    end_offset: i64,
    max_timestamp: i64,
    index: Vec<IndexEntry>,
    bytes_since_index: u64,
}

/// Reads every frame of a segment, checking lengths, CRCs and offsets, and stops at the first
/// frame that is incomplete or corrupt.
fn scan_segment(file: &File, path: &Path, base: i64, file_len: u64) -> Result<Scan> {
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut scan = Scan {
        valid_len: 0,
        end_offset: base,
        max_timestamp: -1,
        index: Vec::new(),
        bytes_since_index: 0,
    };
    let mut head = [0u8; FRAME_HEADER + BODY_HEADER];
    let mut body = Vec::new();
    let mut position = 0u64;
    loop {
        if file_len - position < head.len() as u64 {
            break;
        }
        if let Err(e) = reader.read_exact(&mut head) {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                break;
            }
            return Err(LogError::Io {
                context: format!("reading {}", path.display()),
                source: e,
            });
        }
        let Some(header) = format::parse_header(&head) else {
            break;
        };
        if header.base_offset != scan.end_offset || position + header.frame_len() > file_len {
            break;
        }
        body.clear();
        body.extend_from_slice(&head[FRAME_HEADER..]);
        body.resize(header.body_len, 0);
        if let Err(e) = reader.read_exact(&mut body[BODY_HEADER..]) {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                break;
            }
            return Err(LogError::Io {
                context: format!("reading {}", path.display()),
                source: e,
            });
        }
        if crc32fast::hash(&body) != header.crc {
            break;
        }
        index_frame(
            &mut scan.index,
            &mut scan.bytes_since_index,
            &header,
            position,
        );
        scan.end_offset = header.end_offset();
        scan.max_timestamp = scan.max_timestamp.max(header.max_timestamp);
        position += header.frame_len();
        scan.valid_len = position;
    }
    Ok(scan)
}

/// A range of a segment file to read records from.
pub(super) struct ReadRange {
    pub file: Arc<File>,
    pub path: PathBuf,
    /// Where to start scanning frames.
    pub start: u64,
    /// End of the complete frames when the read began.
    pub end: u64,
}

/// Reads records at or after `from` from the ranges, in order, until `max_bytes` (at least one
/// record when there is one).
pub(super) fn read_records(
    ranges: &[ReadRange],
    from: i64,
    max_bytes: usize,
) -> Result<Vec<StoredRecord>> {
    // Blocking threads are reused: keeping the buffer per thread saves allocating (and
    // page-faulting) a fresh one for every fetch.
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let mut buf = BUFFER.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let result = read_into(ranges, from, max_bytes, &mut buf);
    if buf.capacity() <= KEPT_BUFFER {
        BUFFER.with(|b| *b.borrow_mut() = buf);
    }
    result
}

/// The largest read buffer kept per thread between fetches.
const KEPT_BUFFER: usize = 4 << 20;

fn read_into(
    ranges: &[ReadRange],
    from: i64,
    max_bytes: usize,
    buf: &mut Vec<u8>,
) -> Result<Vec<StoredRecord>> {
    let chunk = max_bytes.clamp(64 << 10, KEPT_BUFFER);
    let mut out = Vec::new();
    let mut bytes = 0usize;
    for range in ranges {
        let mut reader = ChunkReader {
            range,
            buf: &mut *buf,
            buf_start: 0,
            buf_len: 0,
            chunk,
        };
        let mut position = range.start;
        while position < range.end {
            let corrupt = |what: &str| {
                LogError::Other(format!(
                    "corrupt segment {} at byte {position}: {what}",
                    range.path.display()
                ))
            };
            let head = reader.get(position, FRAME_HEADER + BODY_HEADER)?;
            let header = format::parse_header(head).ok_or_else(|| corrupt("bad frame header"))?;
            let frame_end = position + header.frame_len();
            if frame_end > range.end {
                return Err(corrupt("frame runs past the end of the segment"));
            }
            if header.end_offset() <= from {
                position = frame_end;
                continue;
            }
            let body = reader.get(position + FRAME_HEADER as u64, header.body_len)?;
            if crc32fast::hash(body) != header.crc {
                return Err(corrupt("CRC mismatch"));
            }
            let full = format::decode_records(body, &header, from, max_bytes, &mut bytes, &mut out)
                .map_err(|e| corrupt(&e))?;
            if full {
                return Ok(out);
            }
            position = frame_end;
        }
    }
    Ok(out)
}

/// Reads a segment range in chunks of at least `chunk` bytes into a reused buffer.
struct ChunkReader<'a> {
    range: &'a ReadRange,
    buf: &'a mut Vec<u8>,
    /// File position of `buf[0]`.
    buf_start: u64,
    /// Bytes of `buf` read from the file.
    buf_len: usize,
    chunk: usize,
}

impl ChunkReader<'_> {
    /// `len` bytes at `position`, from the buffer when it holds them, else read with `pread`.
    fn get(&mut self, position: u64, len: usize) -> Result<&[u8]> {
        let buf_end = self.buf_start + self.buf_len as u64;
        if position < self.buf_start || position + len as u64 > buf_end {
            let available = self.range.end.saturating_sub(position);
            let want = (len.max(self.chunk) as u64).min(available) as usize;
            if want < len {
                return Err(LogError::Other(format!(
                    "corrupt segment {} at byte {position}: frame runs past the end of the segment",
                    self.range.path.display()
                )));
            }
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            self.range
                .file
                .read_exact_at(&mut self.buf[..want], position)
                .map_err(io_error(format!("reading {}", self.range.path.display())))?;
            self.buf_start = position;
            self.buf_len = want;
        }
        let from = (position - self.buf_start) as usize;
        Ok(&self.buf[from..from + len])
    }
}
