//! Confluent's `io.confluent.connect.hdfs.avro.AvroFormat`: Avro object container files
//! (`.avro`).
//!
//! The file schema is `AvroData.fromConnectSchema` of the records' value schema, with its
//! `connect.*` properties, so Confluent's readers (and Hive) see the same schema they would for a
//! file written by the Java connector. Any value schema is accepted, primitives too: an INT32
//! topic gives a file of Avro `int`. Schemaless records cannot be written.
//!
//! The container is written here rather than through `apache_avro::Writer`, because that writer
//! serialises apache-avro's parsed schema into the header, which has lost the properties of
//! primitive and logical types (`connect.type`, `connect.name`, ...). Blocks are compressed with
//! the codec of `avro.codec`, and the header carries `avro.schema` and `avro.codec` as Java's
//! `DataFileWriter` writes them.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use apache_avro::{Codec, DeflateSettings};
use connect_api::data::{Schema, Value};
use connect_avro::{AvroData, AvroEncoder, AvroSchema};

use super::{Format, FormatError, RecordWriter};
use crate::storage::ReadRange;

/// The configuration key that selects the codec.
pub const AVRO_CODEC_CONFIG: &str = "avro.codec";

/// The magic bytes that open every Avro object container file.
const MAGIC: &[u8; 4] = b"Obj\x01";
/// Records per block before a block is ended (Java's `DataFileWriter` ends blocks by size only;
/// a record count bound keeps small records from piling up).
const DEFAULT_BLOCK_RECORDS: usize = 10_000;
/// Encoded bytes per block before it is ended: Java's default sync interval, 64000 bytes.
const DEFAULT_BLOCK_BYTES: usize = 64_000;

/// The block compression of `avro.codec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AvroCodec {
    /// `null`: no compression (the default).
    #[default]
    Null,
    /// `deflate`: raw deflate (RFC 1951) at the default level.
    Deflate,
    /// `snappy`: Snappy, each block followed by the CRC32 of its uncompressed bytes.
    Snappy,
    /// `bzip2`: bzip2.
    Bzip2,
}

impl AvroCodec {
    /// The name written to the `avro.codec` header entry, as in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            AvroCodec::Null => "null",
            AvroCodec::Deflate => "deflate",
            AvroCodec::Snappy => "snappy",
            AvroCodec::Bzip2 => "bzip2",
        }
    }

    fn apache(self) -> Codec {
        match self {
            AvroCodec::Null => Codec::Null,
            AvroCodec::Deflate => Codec::Deflate(DeflateSettings::default()),
            AvroCodec::Snappy => Codec::Snappy,
            AvroCodec::Bzip2 => Codec::Bzip2(apache_avro::Bzip2Settings::default()),
        }
    }
}

impl fmt::Display for AvroCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses the value of `avro.codec` (case-insensitive; blank means `null`).
///
/// ```
/// use connect_hdfs::format::avro::AvroCodec;
/// assert_eq!("snappy".parse::<AvroCodec>()?, AvroCodec::Snappy);
/// let err = "lz4".parse::<AvroCodec>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "Invalid value lz4 for configuration avro.codec: must be one of null, deflate, snappy, bzip2"
/// );
/// # Ok::<(), connect_hdfs::format::FormatError>(())
/// ```
impl FromStr for AvroCodec {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "null" => Ok(AvroCodec::Null),
            "deflate" => Ok(AvroCodec::Deflate),
            "snappy" => Ok(AvroCodec::Snappy),
            "bzip2" => Ok(AvroCodec::Bzip2),
            _ => Err(FormatError::Unsupported(format!(
                "Invalid value {s} for configuration {AVRO_CODEC_CONFIG}: must be one of null, deflate, snappy, bzip2"
            ))),
        }
    }
}

/// The Avro format (`.avro`): object container files with the codec of `avro.codec`.
///
/// ```
/// use std::sync::Arc;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_avro::AvroData;
/// use connect_hdfs::format::avro::{AvroCodec, AvroFormat};
/// use connect_hdfs::format::Format;
///
/// let schema = SchemaBuilder::struct_()
///     .name("com.example.Order")
///     .field("id", Schema::int64())
///     .build()?;
/// let format = AvroFormat::new(AvroCodec::Snappy, Arc::new(AvroData::default()));
/// let mut writer = format.new_writer(Some(&schema))?;
/// writer.write(&Value::Struct(Struct::new(schema.clone())?.with("id", 1i64)?))?;
/// let mut file = Vec::new();
/// writer.finish(&mut file)?;
/// assert_eq!(format.read_schema(&file)?, Some(schema));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AvroFormat {
    codec: AvroCodec,
    avro_data: Arc<AvroData>,
    block_records: usize,
    block_bytes: usize,
}

impl AvroFormat {
    /// A format writing blocks with `codec`, converting schemas and values with `avro_data`
    /// (shared, so its schema cache serves every file of the connector).
    pub fn new(codec: AvroCodec, avro_data: Arc<AvroData>) -> Self {
        Self {
            codec,
            avro_data,
            block_records: DEFAULT_BLOCK_RECORDS,
            block_bytes: DEFAULT_BLOCK_BYTES,
        }
    }

    /// Ends a block after `records` records or once it holds `bytes` encoded bytes, whichever
    /// comes first; this bounds what a writer holds before [`RecordWriter::take_output`] can
    /// move it out.
    pub fn with_block_size(mut self, records: usize, bytes: usize) -> Self {
        self.block_records = records.max(1);
        self.block_bytes = bytes.max(1);
        self
    }

    /// The codec blocks are compressed with.
    pub fn codec(&self) -> AvroCodec {
        self.codec
    }
}

impl Format for AvroFormat {
    fn extension(&self) -> &'static str {
        ".avro"
    }

    fn new_writer(&self, schema: Option<&Schema>) -> Result<Box<dyn RecordWriter>, FormatError> {
        let Some(schema) = schema else {
            return Err(FormatError::Unsupported(
                "The Avro format needs a value schema, but the record is schemaless (null value \
                 schema); use a converter that provides schemas, or the JSON format"
                    .to_string(),
            ));
        };
        let avro = self
            .avro_data
            .from_connect_schema(schema)
            .map_err(|e| FormatError::Unsupported(e.to_string()))?;
        let encoder = avro
            .encoder(schema)
            .map_err(|e| FormatError::Unsupported(e.to_string()))?;
        let marker = *uuid::Uuid::new_v4().as_bytes();
        let mut out = Vec::new();
        write_header(&mut out, &avro, self.codec, &marker);
        Ok(Box::new(AvroRecordWriter {
            encoder,
            codec: self.codec,
            marker,
            block_records: self.block_records,
            block_bytes: self.block_bytes,
            out,
            block: Vec::new(),
            block_count: 0,
        }))
    }

    /// The header, which holds the schema (a larger one is read whole).
    fn schema_range(&self) -> Option<ReadRange> {
        Some(ReadRange::Head(64 * 1024))
    }

    fn read_schema(&self, file: &[u8]) -> Result<Option<Schema>, FormatError> {
        let header = read_header(file)?;
        let text = header
            .metadata
            .iter()
            .find(|(k, _)| k == "avro.schema")
            .map(|(_, v)| v)
            .ok_or_else(|| FormatError::Read("Avro file header has no avro.schema".to_string()))?;
        let text = std::str::from_utf8(text)
            .map_err(|e| FormatError::Read(format!("avro.schema is not UTF-8: {e}")))?;
        let avro = AvroSchema::parse_str(text).map_err(|e| FormatError::Read(e.to_string()))?;
        let schema = self
            .avro_data
            .to_connect_schema(&avro)
            .map_err(|e| FormatError::Read(e.to_string()))?;
        Ok(Some(schema))
    }
}

/// Writes one container file: the header at creation, then a block whenever enough records
/// have been encoded.
struct AvroRecordWriter {
    /// Encodes record values straight into the open block.
    encoder: Arc<AvroEncoder>,
    codec: AvroCodec,
    marker: [u8; 16],
    block_records: usize,
    block_bytes: usize,
    /// Header and finished blocks, ready for `take_output`.
    out: Vec<u8>,
    /// Encoded records of the open block.
    block: Vec<u8>,
    block_count: usize,
}

impl AvroRecordWriter {
    fn end_block(&mut self) -> Result<(), FormatError> {
        if self.block_count == 0 {
            return Ok(());
        }
        let mut data = std::mem::take(&mut self.block);
        self.codec
            .apache()
            .compress(&mut data)
            .map_err(|e| FormatError::FileLost(format!("Cannot compress Avro block: {e}")))?;
        write_long(&mut self.out, self.block_count as i64);
        write_long(&mut self.out, data.len() as i64);
        self.out.extend_from_slice(&data);
        self.out.extend_from_slice(&self.marker);
        data.clear();
        self.block = data;
        self.block_count = 0;
        Ok(())
    }
}

impl RecordWriter for AvroRecordWriter {
    fn write(&mut self, value: &Value) -> Result<(), FormatError> {
        // A failed encoding leaves the block as it was, so the block stays readable.
        self.encoder
            .encode(value, &mut self.block)
            .map_err(|e| FormatError::Encode(e.to_string()))?;
        self.block_count += 1;
        if self.block_count >= self.block_records || self.block.len() >= self.block_bytes {
            self.end_block()?;
        }
        Ok(())
    }

    fn take_output(&mut self, out: &mut Vec<u8>) {
        super::move_bytes(&mut self.out, out);
    }

    fn finish(mut self: Box<Self>, out: &mut Vec<u8>) -> Result<(), FormatError> {
        self.end_block()?;
        super::move_bytes(&mut self.out, out);
        Ok(())
    }

    fn buffered_bytes(&self) -> usize {
        self.out.len() + self.block.len()
    }
}

/// Avro's `long` encoding: zig-zag, then variable-length groups of seven bits.
fn write_long(out: &mut Vec<u8>, value: i64) {
    let mut n = ((value << 1) ^ (value >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_long(out, bytes.len() as i64);
    out.extend_from_slice(bytes);
}

/// The container header: magic, the metadata map (`avro.schema`, `avro.codec`), sync marker.
fn write_header(out: &mut Vec<u8>, avro: &AvroSchema, codec: AvroCodec, marker: &[u8; 16]) {
    out.extend_from_slice(MAGIC);
    write_long(out, 2);
    write_bytes(out, b"avro.schema");
    write_bytes(out, avro.text().as_bytes());
    write_bytes(out, b"avro.codec");
    write_bytes(out, codec.name().as_bytes());
    write_long(out, 0);
    out.extend_from_slice(marker);
}

/// What a container header holds.
struct Header {
    metadata: Vec<(String, Vec<u8>)>,
}

fn read_header(file: &[u8]) -> Result<Header, FormatError> {
    let bad = |what: &str| FormatError::Read(format!("Not an Avro object container file: {what}"));
    let mut input = file
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| bad("wrong magic bytes"))?;
    let mut metadata = Vec::new();
    loop {
        let count = read_long(&mut input).ok_or_else(|| bad("truncated metadata"))?;
        if count == 0 {
            break;
        }
        if count < 0 {
            // A negative count is followed by the block's size in bytes.
            read_long(&mut input).ok_or_else(|| bad("truncated metadata"))?;
        }
        for _ in 0..count.unsigned_abs() {
            let key = read_bytes(&mut input).ok_or_else(|| bad("truncated metadata key"))?;
            let value = read_bytes(&mut input).ok_or_else(|| bad("truncated metadata value"))?;
            metadata.push((String::from_utf8_lossy(key).into_owned(), value.to_vec()));
        }
    }
    if input.len() < 16 {
        return Err(bad("no sync marker"));
    }
    Ok(Header { metadata })
}

fn read_long(input: &mut &[u8]) -> Option<i64> {
    let mut n: u64 = 0;
    let mut shift = 0;
    loop {
        let (&byte, rest) = input.split_first()?;
        *input = rest;
        if shift >= 64 {
            return None;
        }
        n |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    Some((n >> 1) as i64 ^ -((n & 1) as i64))
}

fn read_bytes<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = usize::try_from(read_long(input)?).ok()?;
    if input.len() < len {
        return None;
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use apache_avro::types::Value as AvroValue;
    use connect_api::data::{SchemaBuilder, Struct, logical};

    fn format(codec: AvroCodec) -> AvroFormat {
        AvroFormat::new(codec, Arc::new(AvroData::default()))
    }

    fn order_schema() -> Schema {
        SchemaBuilder::struct_()
            .name("com.example.Order")
            .version(1)
            .field("id", Schema::int64())
            .field("qty", Schema::int8())
            .field("note", Schema::optional_string())
            .field("placed", logical::timestamp_schema())
            .build()
            .unwrap()
    }

    fn order(id: i64) -> Value {
        let mut s = Struct::new(order_schema()).unwrap();
        s.put("id", id).unwrap();
        s.put("qty", (id % 100) as i8).unwrap();
        if id % 2 == 0 {
            s.put("note", format!("order {id}")).unwrap();
        }
        s.put("placed", Value::Timestamp(1_700_000_000_000 + id))
            .unwrap();
        Value::Struct(s)
    }

    fn write_file(format: &AvroFormat, schema: &Schema, values: &[Value]) -> Vec<u8> {
        let mut writer = format.new_writer(Some(schema)).unwrap();
        for v in values {
            writer.write(v).unwrap();
        }
        let mut file = Vec::new();
        writer.finish(&mut file).unwrap();
        file
    }

    fn codec_of(file: &[u8]) -> String {
        let header = read_header(file).unwrap();
        let (_, v) = header
            .metadata
            .iter()
            .find(|(k, _)| k == "avro.codec")
            .unwrap();
        String::from_utf8(v.clone()).unwrap()
    }

    #[test]
    fn files_read_back_with_apache_avro_for_every_codec() {
        let values: Vec<Value> = (0..25).map(order).collect();
        for codec in [
            AvroCodec::Null,
            AvroCodec::Deflate,
            AvroCodec::Snappy,
            AvroCodec::Bzip2,
        ] {
            let format = format(codec).with_block_size(10, 1 << 20);
            let file = write_file(&format, &order_schema(), &values);
            assert_eq!(codec_of(&file), codec.name());

            let reader = apache_avro::Reader::new(&file[..]).unwrap();
            match reader.writer_schema() {
                apache_avro::Schema::Record(r) => {
                    assert_eq!(r.name.fullname(None), "com.example.Order")
                }
                other => panic!("{other:?}"),
            }
            let avro_data = AvroData::default();
            let read: Vec<Value> = reader
                .map(|v| {
                    avro_data
                        .to_connect_data(&order_schema(), v.unwrap())
                        .unwrap()
                })
                .collect();
            assert_eq!(read, values, "{codec}");
            assert_eq!(format.read_schema(&file).unwrap(), Some(order_schema()));
        }
    }

    #[test]
    fn header_keeps_connect_properties() {
        let file = write_file(&format(AvroCodec::Null), &order_schema(), &[order(1)]);
        let header = read_header(&file).unwrap();
        let (_, text) = header
            .metadata
            .iter()
            .find(|(k, _)| k == "avro.schema")
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(text).unwrap();
        assert_eq!(json["connect.name"], "com.example.Order");
        assert_eq!(json["connect.version"], 1);
        assert_eq!(
            json["fields"][1]["type"],
            serde_json::json!({"type": "int", "connect.type": "int8"})
        );
    }

    #[test]
    fn primitive_schemas_give_files_of_primitives() {
        let format = format(AvroCodec::Deflate);
        let values = [Value::Int32(1), Value::Int32(-2), Value::Int32(3)];
        let file = write_file(&format, &Schema::int32(), &values);
        let reader = apache_avro::Reader::new(&file[..]).unwrap();
        assert_eq!(reader.writer_schema(), &apache_avro::Schema::Int);
        let read: Vec<AvroValue> = reader.map(Result::unwrap).collect();
        assert_eq!(
            read,
            vec![AvroValue::Int(1), AvroValue::Int(-2), AvroValue::Int(3)]
        );
        assert_eq!(format.read_schema(&file).unwrap(), Some(Schema::int32()));

        let optional = write_file(
            &format,
            &Schema::optional_string(),
            &[Value::Null, "x".into()],
        );
        assert_eq!(
            format.read_schema(&optional).unwrap(),
            Some(Schema::optional_string())
        );
    }

    #[test]
    fn schemaless_records_are_refused() {
        let err = format(AvroCodec::Null).new_writer(None).err().unwrap();
        assert!(matches!(err, FormatError::Unsupported(_)));
        assert!(err.to_string().contains("needs a value schema"), "{err}");
    }

    #[test]
    fn blocks_are_handed_out_as_they_are_completed() {
        let format = format(AvroCodec::Snappy).with_block_size(2, 1 << 20);
        let mut writer = format.new_writer(Some(&order_schema())).unwrap();
        let mut file = Vec::new();
        writer.take_output(&mut file);
        let header_len = file.len();
        assert!(header_len > 16);
        assert_eq!(writer.buffered_bytes(), 0);

        writer.write(&order(1)).unwrap();
        writer.take_output(&mut file);
        assert_eq!(file.len(), header_len, "an open block is not handed out");
        assert!(writer.buffered_bytes() > 0);

        writer.write(&order(2)).unwrap();
        assert!(writer.buffered_bytes() > 0);
        writer.take_output(&mut file);
        assert!(file.len() > header_len, "the full block is handed out");
        assert_eq!(writer.buffered_bytes(), 0);

        writer.write(&order(3)).unwrap();
        writer.finish(&mut file).unwrap();
        let read = apache_avro::Reader::new(&file[..]).unwrap().count();
        assert_eq!(read, 3);
    }

    #[test]
    fn invalid_values_fail_without_corrupting_the_file() {
        let format = format(AvroCodec::Null);
        let mut writer = format.new_writer(Some(&Schema::int64())).unwrap();
        let err = writer.write(&Value::from("not a number")).unwrap_err();
        assert!(matches!(err, FormatError::Encode(_)));
        assert!(err.to_string().contains("INT64"), "{err}");
        writer.write(&Value::Int64(5)).unwrap();
        let mut file = Vec::new();
        writer.finish(&mut file).unwrap();
        let read: Vec<AvroValue> = apache_avro::Reader::new(&file[..])
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(read, vec![AvroValue::Long(5)]);
    }

    #[test]
    fn codecs_parse_from_the_configuration() {
        assert_eq!("".parse::<AvroCodec>().unwrap(), AvroCodec::Null);
        assert_eq!("Deflate".parse::<AvroCodec>().unwrap(), AvroCodec::Deflate);
        assert_eq!("bzip2".parse::<AvroCodec>().unwrap(), AvroCodec::Bzip2);
        let err = "xz".parse::<AvroCodec>().unwrap_err();
        assert!(err.to_string().contains("avro.codec"), "{err}");
    }

    #[test]
    fn garbage_is_not_a_schema() {
        let format = format(AvroCodec::Null);
        assert!(matches!(
            format.read_schema(b"PAR1...."),
            Err(FormatError::Read(_))
        ));
        assert!(matches!(
            format.read_schema(b"Obj\x01\x02"),
            Err(FormatError::Read(_))
        ));
    }

    #[test]
    fn longs_round_trip() {
        for v in [0i64, 1, -1, 63, -64, 64, 1 << 40, i64::MIN, i64::MAX] {
            let mut buf = Vec::new();
            write_long(&mut buf, v);
            assert_eq!(read_long(&mut &buf[..]), Some(v));
        }
    }
}
