//! The standalone offset file's format: a Java-serialized `java.util.HashMap<byte[], byte[]>`,
//! exactly as Kafka's `FileOffsetBackingStore` writes it, so that files move both ways between
//! Apache Kafka Connect and this runtime.
//!
//! Only the shape that `ObjectOutputStream.writeObject(HashMap<byte[], byte[]>)` produces is read:
//! one `HashMap` object whose entries are byte arrays or nulls.

use std::fmt;

const MAGIC: [u8; 4] = [0xAC, 0xED, 0x00, 0x05];
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_ARRAY: u8 = 0x75;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const BASE_HANDLE: u32 = 0x7E_0000;
const HASHMAP_UID: i64 = 362_498_820_763_181_265;
const BYTE_ARRAY_UID: i64 = -5_984_413_125_824_719_648;

/// One entry: a key and its value, either possibly null.
pub type Entry = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a Java-serialized HashMap<byte[], byte[]>: {}",
            self.0
        )
    }
}

impl std::error::Error for FormatError {}

/// Serializes entries as `ObjectOutputStream.writeObject(new HashMap<byte[], byte[]>(...))`.
pub fn write(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        64 + entries
            .iter()
            .map(|(k, v)| entry_len(k) + entry_len(v))
            .sum::<usize>(),
    );
    out.extend_from_slice(&MAGIC);
    out.push(TC_OBJECT);
    out.push(TC_CLASSDESC);
    put_utf(&mut out, "java.util.HashMap");
    out.extend_from_slice(&HASHMAP_UID.to_be_bytes());
    out.push(0x03); // SC_WRITE_METHOD | SC_SERIALIZABLE
    out.extend_from_slice(&2u16.to_be_bytes());
    out.push(b'F');
    put_utf(&mut out, "loadFactor");
    out.push(b'I');
    put_utf(&mut out, "threshold");
    out.push(TC_ENDBLOCKDATA);
    out.push(TC_NULL);
    // Handles: 0 is the HashMap class, 1 the map, 2 the byte[] class once written.
    let capacity = table_capacity(entries.len());
    out.extend_from_slice(&0.75f32.to_be_bytes());
    out.extend_from_slice(&(capacity / 4 * 3).to_be_bytes());
    out.push(TC_BLOCKDATA);
    out.push(8);
    out.extend_from_slice(&capacity.to_be_bytes());
    out.extend_from_slice(
        &u32::try_from(entries.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    let mut array_class_written = false;
    for (key, value) in entries {
        for bytes in [key, value] {
            match bytes {
                None => out.push(TC_NULL),
                Some(bytes) => {
                    out.push(TC_ARRAY);
                    if array_class_written {
                        out.push(TC_REFERENCE);
                        out.extend_from_slice(&(BASE_HANDLE + 2).to_be_bytes());
                    } else {
                        out.push(TC_CLASSDESC);
                        put_utf(&mut out, "[B");
                        out.extend_from_slice(&BYTE_ARRAY_UID.to_be_bytes());
                        out.push(0x02); // SC_SERIALIZABLE
                        out.extend_from_slice(&0u16.to_be_bytes());
                        out.push(TC_ENDBLOCKDATA);
                        out.push(TC_NULL);
                        array_class_written = true;
                    }
                    out.extend_from_slice(
                        &u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes(),
                    );
                    out.extend_from_slice(bytes);
                }
            }
        }
    }
    out.push(TC_ENDBLOCKDATA);
    out
}

fn entry_len(bytes: &Option<Vec<u8>>) -> usize {
    bytes.as_ref().map_or(1, |b| b.len() + 6)
}

/// HashMap's table size for `size` entries at load factor 0.75 (at least 16, a power of two).
fn table_capacity(size: usize) -> u32 {
    let needed = u32::try_from(size.saturating_mul(4) / 3 + 1).unwrap_or(u32::MAX);
    needed
        .max(16)
        .checked_next_power_of_two()
        .unwrap_or(1 << 30)
}

fn put_utf(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&u16::try_from(text.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// Reads the entries of a serialized `HashMap<byte[], byte[]>`.
///
/// # Errors
///
/// A [`FormatError`] saying what was expected where.
pub fn read(data: &[u8]) -> Result<Vec<Entry>, FormatError> {
    let mut reader = Reader {
        data,
        pos: 0,
        handles: Vec::new(),
    };
    if reader.take(4)? != MAGIC {
        return Err(FormatError("bad stream header".into()));
    }
    reader.expect(TC_OBJECT, "an object")?;
    let class = reader.class_desc()?;
    if class.name != "java.util.HashMap" {
        return Err(FormatError(format!(
            "expected java.util.HashMap but found {}",
            class.name
        )));
    }
    reader.handles.push(Handle::Object);
    // The serializable fields (loadFactor, threshold), then the block with capacity and size.
    for field in &class.fields {
        let width = match field {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'F' | b'I' => 4,
            b'D' | b'J' => 8,
            _ => return Err(FormatError("unexpected object field in HashMap".into())),
        };
        reader.take(width)?;
    }
    reader.expect(TC_BLOCKDATA, "block data")?;
    let block = reader.byte()?;
    if block != 8 {
        return Err(FormatError(format!(
            "expected 8 bytes of block data, found {block}"
        )));
    }
    reader.take(4)?;
    let size = reader.u32()? as usize;
    let mut entries = Vec::with_capacity(size.min(1 << 16));
    for _ in 0..size {
        let key = reader.byte_array()?;
        let value = reader.byte_array()?;
        entries.push((key, value));
    }
    reader.expect(TC_ENDBLOCKDATA, "the end of the map")?;
    Ok(entries)
}

#[derive(Clone)]
enum Handle {
    Class(ClassDesc),
    Object,
    Array(Vec<u8>),
    String,
}

#[derive(Clone)]
struct ClassDesc {
    name: String,
    fields: Vec<u8>,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    handles: Vec<Handle>,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.data.len());
        let end = end.ok_or_else(|| FormatError(format!("truncated at byte {}", self.pos)))?;
        let slice = &self.data[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, FormatError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, FormatError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn expect(&mut self, tag: u8, what: &str) -> Result<(), FormatError> {
        let at = self.pos;
        let found = self.byte()?;
        if found == tag {
            Ok(())
        } else {
            Err(FormatError(format!(
                "expected {what} at byte {at}, found 0x{found:02x}"
            )))
        }
    }

    fn utf(&mut self) -> Result<String, FormatError> {
        let len = usize::from(self.u16()?);
        Ok(String::from_utf8_lossy(self.take(len)?).into_owned())
    }

    fn handle(&mut self) -> Result<Handle, FormatError> {
        let handle = self.u32()?;
        handle
            .checked_sub(BASE_HANDLE)
            .and_then(|index| self.handles.get(index as usize))
            .cloned()
            .ok_or_else(|| FormatError(format!("unknown handle 0x{handle:x}")))
    }

    /// A class descriptor, new or referenced; its superclass must be null.
    fn class_desc(&mut self) -> Result<ClassDesc, FormatError> {
        match self.byte()? {
            TC_CLASSDESC => {
                let name = self.utf()?;
                self.take(8)?; // serialVersionUID
                self.byte()?; // flags
                let slot = self.handles.len();
                self.handles.push(Handle::Class(ClassDesc {
                    name: name.clone(),
                    fields: Vec::new(),
                }));
                let count = self.u16()?;
                let mut fields = Vec::with_capacity(usize::from(count));
                for _ in 0..count {
                    let code = self.byte()?;
                    self.utf()?;
                    if code == b'L' || code == b'[' {
                        match self.byte()? {
                            TC_STRING => {
                                self.utf()?;
                                self.handles.push(Handle::String);
                            }
                            TC_REFERENCE => {
                                self.handle()?;
                            }
                            other => {
                                return Err(FormatError(format!(
                                    "bad field type tag 0x{other:02x}"
                                )));
                            }
                        }
                    }
                    fields.push(code);
                }
                self.expect(TC_ENDBLOCKDATA, "the end of class annotations")?;
                self.expect(TC_NULL, "no superclass")?;
                let desc = ClassDesc { name, fields };
                self.handles[slot] = Handle::Class(desc.clone());
                Ok(desc)
            }
            TC_REFERENCE => match self.handle()? {
                Handle::Class(desc) => Ok(desc),
                _ => Err(FormatError(
                    "reference to a non-class where a class was expected".into(),
                )),
            },
            other => Err(FormatError(format!(
                "expected a class descriptor, found 0x{other:02x}"
            ))),
        }
    }

    fn byte_array(&mut self) -> Result<Option<Vec<u8>>, FormatError> {
        match self.byte()? {
            TC_NULL => Ok(None),
            TC_ARRAY => {
                let class = self.class_desc()?;
                if class.name != "[B" {
                    return Err(FormatError(format!(
                        "expected byte[] but found {}",
                        class.name
                    )));
                }
                let len = self.u32()? as usize;
                let bytes = self.take(len)?.to_vec();
                self.handles.push(Handle::Array(bytes.clone()));
                Ok(Some(bytes))
            }
            TC_REFERENCE => match self.handle()? {
                Handle::Array(bytes) => Ok(Some(bytes)),
                _ => Err(FormatError(
                    "reference to a non-array where byte[] was expected".into(),
                )),
            },
            other => Err(FormatError(format!(
                "expected byte[] or null, found 0x{other:02x}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_is_byte_for_byte_what_java_writes() {
        let bytes = write(&[(Some(b"k".to_vec()), Some(b"v".to_vec()))]);
        let mut expected = vec![0xAC, 0xED, 0x00, 0x05, 0x73, 0x72, 0x00, 0x11];
        expected.extend_from_slice(b"java.util.HashMap");
        expected.extend_from_slice(&[
            0x05, 0x07, 0xDA, 0xC1, 0xC3, 0x16, 0x60, 0xD1, 0x03, 0x00, 0x02,
        ]);
        expected.extend_from_slice(b"F\x00\x0aloadFactorI\x00\x09threshold\x78\x70");
        expected.extend_from_slice(&[0x3F, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C]);
        expected.extend_from_slice(&[0x77, 0x08, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01]);
        expected.extend_from_slice(&[0x75, 0x72, 0x00, 0x02, b'[', b'B']);
        expected.extend_from_slice(&[
            0xAC, 0xF3, 0x17, 0xF8, 0x06, 0x08, 0x54, 0xE0, 0x02, 0x00, 0x00, 0x78, 0x70,
        ]);
        expected.extend_from_slice(&[0x00, 0x00, 0x00, 0x01, b'k']);
        expected.extend_from_slice(&[
            0x75, 0x71, 0x00, 0x7E, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, b'v', 0x78,
        ]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn round_trips_entries_and_nulls() {
        let entries: Vec<Entry> = vec![
            (
                Some(br#"["c",{"filename":"a"}]"#.to_vec()),
                Some(br#"{"position":48}"#.to_vec()),
            ),
            (Some(br#"["c",{"filename":"b"}]"#.to_vec()), None),
            (None, Some(b"x".to_vec())),
        ];
        assert_eq!(read(&write(&entries)).unwrap(), entries);
        assert_eq!(read(&write(&[])).unwrap(), Vec::<Entry>::new());
        let many: Vec<Entry> = (0..100)
            .map(|i| (Some(vec![i]), Some(vec![i, i])))
            .collect();
        assert_eq!(read(&write(&many)).unwrap(), many);
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        let bytes = write(&[(Some(b"key".to_vec()), Some(b"value".to_vec()))]);
        for cut in 0..bytes.len() {
            assert!(read(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(
            read(b"not java")
                .unwrap_err()
                .to_string()
                .contains("bad stream header")
        );
    }
}
