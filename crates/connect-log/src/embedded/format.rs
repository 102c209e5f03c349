//! The bytes on disk: batch frames in segment files, and the sparse index of a closed segment.
//!
//! Every integer is little-endian. A segment file is a sequence of frames, one per appended batch:
//!
//! ```text
//! frame    = length:u32  crc:u32  body            length = bytes of body, crc = CRC-32 of body
//! body     = magic:u8(=1)  base_offset:i64  record_count:u32  max_timestamp:i64  record*
//! record   = size:u32  timestamp:i64  key:bytes  value:bytes  header_count:u32  header*
//! header   = name_len:u32  name:utf8  value:bytes
//! bytes    = len:i32 (-1 = null)  data
//! ```
//!
//! `size` counts the bytes of the record after the size field. The records of a frame have the
//! offsets `base_offset`, `base_offset + 1`, … in order.

use bytes::{Buf, Bytes};

use crate::{LogRecord, StoredRecord};

/// Bytes before the body: length and CRC.
pub(super) const FRAME_HEADER: usize = 8;
/// Bytes of the body's fixed header: magic, base offset, record count, max timestamp.
pub(super) const BODY_HEADER: usize = 21;
/// The only body format so far.
pub(super) const MAGIC: u8 = 1;
/// The largest body a frame may have; larger lengths are taken as corruption.
pub(super) const MAX_BODY: usize = 1 << 30;
/// A sparse index entry is added at least every this many bytes of a segment.
pub(super) const INDEX_INTERVAL: u64 = 4096;

/// Appends the frame of a batch to `buf` (which is cleared first).
///
/// Returns the batch's largest timestamp, or an error message when a field is too large.
pub(super) fn encode_batch(
    buf: &mut Vec<u8>,
    base_offset: i64,
    records: &[LogRecord],
) -> Result<i64, String> {
    buf.clear();
    let count = u32::try_from(records.len()).map_err(|_| "too many records in one batch")?;
    let size: usize = records.iter().map(|r| 4 + record_size(r)).sum();
    let body_len = BODY_HEADER + size;
    if body_len > MAX_BODY {
        return Err(format!(
            "a batch of {body_len} bytes exceeds the embedded log's limit of {MAX_BODY} bytes"
        ));
    }
    buf.reserve(FRAME_HEADER + body_len);
    buf.extend_from_slice(&[0; FRAME_HEADER]);
    let max_timestamp = records.iter().map(|r| r.timestamp).max().unwrap_or(-1);
    buf.push(MAGIC);
    buf.extend_from_slice(&base_offset.to_le_bytes());
    buf.extend_from_slice(&count.to_le_bytes());
    buf.extend_from_slice(&max_timestamp.to_le_bytes());
    for record in records {
        let size = record_size(record);
        // Fits: the whole body is below MAX_BODY.
        buf.extend_from_slice(&(size as u32).to_le_bytes());
        buf.extend_from_slice(&record.timestamp.to_le_bytes());
        put_bytes(buf, record.key.as_deref());
        put_bytes(buf, record.value.as_deref());
        buf.extend_from_slice(&(record.headers.len() as u32).to_le_bytes());
        for (name, value) in &record.headers {
            buf.extend_from_slice(&(name.len() as u32).to_le_bytes());
            buf.extend_from_slice(name.as_bytes());
            put_bytes(buf, value.as_deref());
        }
    }
    debug_assert_eq!(buf.len(), FRAME_HEADER + body_len);
    let crc = crc32fast::hash(&buf[FRAME_HEADER..]);
    buf[0..4].copy_from_slice(&(body_len as u32).to_le_bytes());
    buf[4..8].copy_from_slice(&crc.to_le_bytes());
    Ok(max_timestamp)
}

/// The encoded size of a record after its size field.
pub(super) fn record_size(record: &LogRecord) -> usize {
    let bytes = |b: &Option<Bytes>| 4 + b.as_ref().map_or(0, Bytes::len);
    8 + bytes(&record.key)
        + bytes(&record.value)
        + 4
        + record
            .headers
            .iter()
            .map(|(name, value)| 4 + name.len() + bytes(value))
            .sum::<usize>()
}

fn put_bytes(buf: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => buf.extend_from_slice(&(-1i32).to_le_bytes()),
        Some(b) => {
            buf.extend_from_slice(&(b.len() as i32).to_le_bytes());
            buf.extend_from_slice(b);
        }
    }
}

/// The fixed part of a frame, read from its first `FRAME_HEADER + BODY_HEADER` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FrameHeader {
    /// Bytes of the body.
    pub body_len: usize,
    /// CRC-32 of the body.
    pub crc: u32,
    /// Offset of the first record.
    pub base_offset: i64,
    /// Number of records.
    pub count: u32,
    /// Largest record timestamp.
    pub max_timestamp: i64,
}

impl FrameHeader {
    /// Bytes of the whole frame.
    pub fn frame_len(&self) -> u64 {
        (FRAME_HEADER + self.body_len) as u64
    }

    /// The offset after the frame's last record.
    pub fn end_offset(&self) -> i64 {
        self.base_offset + i64::from(self.count)
    }
}

/// Parses a frame header; `None` when the bytes cannot be the start of a valid frame.
pub(super) fn parse_header(b: &[u8]) -> Option<FrameHeader> {
    if b.len() < FRAME_HEADER + BODY_HEADER {
        return None;
    }
    let mut b = b;
    let body_len = b.get_u32_le() as usize;
    let crc = b.get_u32_le();
    let magic = b.get_u8();
    let base_offset = b.get_i64_le();
    let count = b.get_u32_le();
    let max_timestamp = b.get_i64_le();
    if magic != MAGIC || !(BODY_HEADER..=MAX_BODY).contains(&body_len) || count == 0 {
        return None;
    }
    if base_offset < 0 || base_offset.checked_add(i64::from(count)).is_none() {
        return None;
    }
    Some(FrameHeader {
        body_len,
        crc,
        base_offset,
        count,
        max_timestamp,
    })
}

/// Decodes the records of a frame body (CRC already checked), pushing those at or after
/// `from` to `out` until `max_bytes` is reached (at least one record when `out` is empty).
///
/// Keys, values and header values are copied out of `body`, so records do not keep the read
/// buffer alive. `bytes` is the running total of returned record sizes. Returns `Ok(true)` when
/// `max_bytes` stopped decoding, and an error message when the body is malformed.
pub(super) fn decode_records(
    body: &[u8],
    header: &FrameHeader,
    from: i64,
    max_bytes: usize,
    bytes: &mut usize,
    out: &mut Vec<StoredRecord>,
) -> Result<bool, String> {
    let mut rest = body.get(BODY_HEADER..).unwrap_or_default();
    for i in 0..header.count {
        let offset = header.base_offset + i64::from(i);
        if rest.remaining() < 4 {
            return Err(format!("record at offset {offset} is truncated"));
        }
        let size = rest.get_u32_le() as usize;
        let Some((mut record, after)) = rest.split_at_checked(size) else {
            return Err(format!("record at offset {offset} is truncated"));
        };
        rest = after;
        if offset < from {
            continue;
        }
        if !out.is_empty() && *bytes + size > max_bytes {
            return Ok(true);
        }
        let parsed = parse_record(&mut record)
            .ok_or_else(|| format!("record at offset {offset} is malformed"))?;
        if record.has_remaining() {
            return Err(format!("record at offset {offset} has trailing bytes"));
        }
        *bytes += size;
        out.push(StoredRecord {
            offset,
            record: parsed,
        });
    }
    if rest.has_remaining() {
        return Err(format!(
            "batch at offset {} has trailing bytes",
            header.base_offset
        ));
    }
    Ok(*bytes >= max_bytes)
}

fn parse_record(b: &mut &[u8]) -> Option<LogRecord> {
    if b.remaining() < 8 {
        return None;
    }
    let timestamp = b.get_i64_le();
    let key = get_bytes(b)?;
    let value = get_bytes(b)?;
    if b.remaining() < 4 {
        return None;
    }
    let count = b.get_u32_le() as usize;
    // Each header takes at least 8 bytes: do not trust a count the bytes cannot hold.
    let mut headers = Vec::with_capacity(count.min(b.remaining() / 8));
    for _ in 0..count {
        if b.remaining() < 4 {
            return None;
        }
        let len = b.get_u32_le() as usize;
        let (name, after) = b.split_at_checked(len)?;
        *b = after;
        let name = std::str::from_utf8(name).ok()?.to_owned();
        headers.push((name, get_bytes(b)?));
    }
    Some(LogRecord {
        key,
        value,
        headers,
        timestamp,
    })
}

/// `Some(None)` for a null, `None` when malformed.
fn get_bytes(b: &mut &[u8]) -> Option<Option<Bytes>> {
    if b.remaining() < 4 {
        return None;
    }
    let len = b.get_i32_le();
    if len == -1 {
        return Some(None);
    }
    let (data, after) = b.split_at_checked(usize::try_from(len).ok()?)?;
    *b = after;
    Some(Some(Bytes::copy_from_slice(data)))
}

/// One entry of a sparse index: the frame starting at `position` has base offset `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct IndexEntry {
    /// Base offset of the frame.
    pub offset: i64,
    /// Byte position of the frame in the segment file.
    pub position: u64,
}

/// What the index file of a closed segment holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IndexFile {
    /// Size of the segment file the index describes.
    pub log_size: u64,
    /// Base offset of the segment.
    pub base_offset: i64,
    /// Offset after the segment's last record.
    pub end_offset: i64,
    /// Largest record timestamp in the segment (-1 when none).
    pub max_timestamp: i64,
    /// The sparse index.
    pub entries: Vec<IndexEntry>,
}

const INDEX_MAGIC: &[u8; 4] = b"KCLX";
const INDEX_VERSION: u32 = 1;

impl IndexFile {
    /// `magic version log_size base_offset end_offset max_timestamp count (offset position)* crc`
    pub fn encode(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(44 + 16 * self.entries.len());
        buf.extend_from_slice(INDEX_MAGIC);
        buf.extend_from_slice(&INDEX_VERSION.to_le_bytes());
        buf.extend_from_slice(&self.log_size.to_le_bytes());
        buf.extend_from_slice(&self.base_offset.to_le_bytes());
        buf.extend_from_slice(&self.end_offset.to_le_bytes());
        buf.extend_from_slice(&self.max_timestamp.to_le_bytes());
        buf.extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        for e in &self.entries {
            buf.extend_from_slice(&e.offset.to_le_bytes());
            buf.extend_from_slice(&e.position.to_le_bytes());
        }
        let crc = crc32fast::hash(&buf);
        buf.extend_from_slice(&crc.to_le_bytes());
        buf
    }

    /// `None` when the bytes are not a valid index file.
    pub fn decode(bytes: &[u8]) -> Option<IndexFile> {
        let (data, crc) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
        if crc32fast::hash(data).to_le_bytes() != crc {
            return None;
        }
        let mut b = data;
        if b.len() < 48 || &b[..4] != INDEX_MAGIC {
            return None;
        }
        b.advance(4);
        if b.get_u32_le() != INDEX_VERSION {
            return None;
        }
        let log_size = b.get_u64_le();
        let base_offset = b.get_i64_le();
        let end_offset = b.get_i64_le();
        let max_timestamp = b.get_i64_le();
        let count = usize::try_from(b.get_u64_le()).ok()?;
        if b.remaining() != count.checked_mul(16)? {
            return None;
        }
        let entries = (0..count)
            .map(|_| IndexEntry {
                offset: b.get_i64_le(),
                position: b.get_u64_le(),
            })
            .collect();
        Some(IndexFile {
            log_size,
            base_offset,
            end_offset,
            max_timestamp,
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        key: Option<&str>,
        value: Option<&str>,
        headers: &[(&str, Option<&str>)],
    ) -> LogRecord {
        LogRecord {
            key: key.map(|k| Bytes::copy_from_slice(k.as_bytes())),
            value: value.map(|v| Bytes::copy_from_slice(v.as_bytes())),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        v.map(|v| Bytes::copy_from_slice(v.as_bytes())),
                    )
                })
                .collect(),
            timestamp: 1_700_000_000_000,
        }
    }

    fn decode_all(frame: &[u8], from: i64, max_bytes: usize) -> (Vec<StoredRecord>, bool) {
        let header = parse_header(frame).unwrap();
        assert_eq!(header.frame_len() as usize, frame.len());
        let body = &frame[FRAME_HEADER..];
        assert_eq!(crc32fast::hash(body), header.crc);
        let mut out = Vec::new();
        let mut bytes = 0;
        let full = decode_records(body, &header, from, max_bytes, &mut bytes, &mut out).unwrap();
        (out, full)
    }

    #[test]
    fn batch_round_trips_nulls_empties_and_headers() {
        let records = vec![
            record(None, None, &[]),
            record(
                Some(""),
                Some(""),
                &[("a", None), ("a", Some("")), ("b", Some("x"))],
            ),
            record(Some("k"), Some("v"), &[("é", Some("ü"))]),
        ];
        let mut buf = Vec::new();
        let max = encode_batch(&mut buf, 42, &records).unwrap();
        assert_eq!(max, 1_700_000_000_000);
        let header = parse_header(&buf).unwrap();
        assert_eq!(header.base_offset, 42);
        assert_eq!(header.count, 3);
        assert_eq!(header.end_offset(), 45);
        let (out, full) = decode_all(&buf, 0, usize::MAX);
        assert!(!full);
        assert_eq!(
            out.iter().map(|r| r.offset).collect::<Vec<_>>(),
            vec![42, 43, 44]
        );
        assert_eq!(
            out.into_iter().map(|r| r.record).collect::<Vec<_>>(),
            records
        );
    }

    #[test]
    fn decode_starts_at_offset_and_stops_at_max_bytes() {
        let records: Vec<_> = (0..10)
            .map(|i| record(None, Some(&format!("{i:010}")), &[]))
            .collect();
        let mut buf = Vec::new();
        encode_batch(&mut buf, 100, &records).unwrap();
        let size = 4 + record_size(&records[0]);
        let (out, _) = decode_all(&buf, 105, usize::MAX);
        assert_eq!(out.first().map(|r| r.offset), Some(105));
        assert_eq!(out.len(), 5);
        // max_bytes smaller than one record still returns one.
        let (out, full) = decode_all(&buf, 103, 1);
        assert_eq!(out.len(), 1);
        assert!(full);
        let (out, _) = decode_all(&buf, 100, 3 * (size - 4));
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn corrupt_headers_are_rejected() {
        let mut buf = Vec::new();
        encode_batch(&mut buf, 0, &[record(None, Some("v"), &[])]).unwrap();
        assert!(parse_header(&buf[..10]).is_none());
        let mut bad = buf.clone();
        bad[8] = 7; // magic
        assert!(parse_header(&bad).is_none());
        let mut bad = buf.clone();
        bad[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_header(&bad).is_none());
        let mut bad = buf;
        bad[17..21].copy_from_slice(&0u32.to_le_bytes()); // zero records
        assert!(parse_header(&bad).is_none());
    }

    #[test]
    fn index_file_round_trips_and_detects_corruption() {
        let index = IndexFile {
            log_size: 8192,
            base_offset: 10,
            end_offset: 99,
            max_timestamp: 5,
            entries: vec![
                IndexEntry {
                    offset: 10,
                    position: 0,
                },
                IndexEntry {
                    offset: 50,
                    position: 4100,
                },
            ],
        };
        let bytes = index.encode();
        assert_eq!(IndexFile::decode(&bytes), Some(index));
        let mut bad = bytes.clone();
        bad[20] ^= 1;
        assert_eq!(IndexFile::decode(&bad), None);
        assert_eq!(IndexFile::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(IndexFile::decode(&[]), None);
    }
}
