//! Confluent's `io.confluent.connect.hdfs.parquet.ParquetFormat`: columnar files written with
//! parquet's [`ArrowWriter`].
//!
//! Record values must be Structs with a struct schema. The Connect schema becomes an Arrow
//! schema (see [`arrow_schema()`]):
//!
//! | Connect | Arrow |
//! |---|---|
//! | `int8`, `int16`, `int32`, `int64` | `Int8`, `Int16`, `Int32`, `Int64` |
//! | `float32`, `float64`, `boolean` | `Float32`, `Float64`, `Boolean` |
//! | `string`, `bytes` | `Utf8`, `Binary` |
//! | `struct` | `Struct` |
//! | `array` | `List` (element field `element`) |
//! | `map` | `Map` (entries `key_value`, fields `key`, `value`; keys of a primitive type) |
//! | Decimal | `Decimal128(p, s)`: `p` from the `connect.decimal.precision` parameter (default 38), `s` from `scale` |
//! | Date, Time, Timestamp | `Date32`, `Time32(Millisecond)`, `Timestamp(Millisecond, "UTC")` |
//!
//! Optional schemas become nullable fields. A null value of a field with a default is written as
//! the default, as Kafka's `Struct.get` reads it. Map keys are never null in Parquet, so an
//! optional key schema still needs non-null keys. Maps are written entry by entry as given
//! (repeated keys are kept).
//!
//! Values go straight into per-column Arrow buffers; every [`BATCH_ROWS`] rows (or sooner, when
//! the buffered values pass a byte budget) they become a `RecordBatch` for the `ArrowWriter`,
//! which encodes and compresses them into the in-progress row group. The row group is flushed
//! when its size passes [`ParquetOptions::row_group_bytes`], which bounds the memory held per
//! open file. Its bytes then sit in the writer's in-memory sink until
//! [`RecordWriter::take_output`] moves them; that is safe because the Parquet writer counts the
//! bytes it has written itself and never reads its sink back.
//!
//! The file's key-value metadata holds the value schema twice:
//! - the Connect schema as Kafka's JSON schema text (key [`CONNECT_SCHEMA_KEY`]), so
//!   [`Format::read_schema`] gives back the exact schema (names, versions, docs, parameters and
//!   defaults included);
//! - the Avro schema `AvroData.fromConnectSchema` makes of it (key [`AVRO_SCHEMA_KEY`]), which
//!   is what Confluent's writer stores, since it goes through parquet-avro.
//!
//! [`Format::read_schema`] reads the first of these it finds usable: `connect.schema`, then
//! `parquet.avro.schema` (through `AvroData.toConnectSchema`, as for files Confluent's connector
//! wrote), and for files with neither (written by other tools) the Arrow schema of the footer
//! with the inverse mapping, [`connect_schema`]: types, field names and optionality survive,
//! but names, versions, docs and defaults do not, the top-level struct comes back required, and
//! Decimal gets its `scale` and `connect.decimal.precision` parameters from the Arrow type.
//!
//! The columns are laid out by parquet's Arrow writer, not by parquet-avro: readers that go by
//! the Parquet or Arrow schema (Spark, Hive, pyarrow) see the table above; the Avro schema is
//! metadata for readers that ask for it. Where the two layouts differ, a Java reader that reads
//! through parquet-avro with the stored Avro schema may not match the columns: a Decimal is
//! Avro `bytes` there, but the Arrow writer stores a precision of up to 9 as `INT32` and up to
//! 18 as `INT64` (only larger ones as a fixed-length byte array), and a Decimal without
//! `connect.decimal.precision` has precision 64 in the Avro schema and 38 in the column.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Time32MillisecondType, TimestampMillisecondType,
};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, ListArray, MapArray, PrimitiveArray, RecordBatch,
    StringArray, StructArray,
};
use arrow_buffer::{ArrowNativeType, BooleanBufferBuilder, NullBufferBuilder, OffsetBuffer};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Fields, TimeUnit};
use bigdecimal::BigDecimal;
use connect_api::data::logical::{self, LogicalType};
use connect_api::data::{Schema, SchemaBuilder, Type, Value};
use connect_api::error::ConfigError;
use connect_api::storage::json::JsonConverter;
use connect_avro::{AvroData, AvroSchema};
use parquet::arrow::{ArrowWriter, parquet_to_arrow_schema};
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::FOOTER_SIZE;
use parquet::file::metadata::{FooterTail, KeyValue, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::WriterProperties;

use super::{Format, FormatError, RecordWriter};
use crate::storage::ReadRange;

/// The configuration key naming the compression codec.
pub const PARQUET_CODEC_CONFIG: &str = "parquet.codec";

/// The Decimal schema parameter holding the precision (Confluent's `AvroData` name).
pub const DECIMAL_PRECISION_PARAMETER: &str = "connect.decimal.precision";

/// The precision of a Decimal schema without [`DECIMAL_PRECISION_PARAMETER`], and the largest
/// one supported (`Decimal128`).
pub const DEFAULT_DECIMAL_PRECISION: u8 = 38;

/// The file metadata key holding the Connect schema, as Kafka's JSON schema text.
pub const CONNECT_SCHEMA_KEY: &str = "connect.schema";

/// The file metadata key holding the Avro schema of the records (parquet-avro's
/// `AvroWriteSupport.AVRO_SCHEMA`, which Confluent's ParquetFormat writes).
pub const AVRO_SCHEMA_KEY: &str = "parquet.avro.schema";

/// Confluent's row group size: 256 MiB.
pub const DEFAULT_ROW_GROUP_BYTES: usize = 256 * 1024 * 1024;

/// The most rows buffered before they are handed to the Parquet writer as one batch.
pub const BATCH_ROWS: usize = 8192;

/// The most value bytes buffered before they are handed to the Parquet writer, whatever the
/// row count.
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// The time zone of Timestamp columns.
const UTC: &str = "UTC";

/// Names of the list element and map entry fields, as the Parquet format specification has them.
const LIST_ELEMENT: &str = "element";
const MAP_ENTRIES: &str = "key_value";
const MAP_KEY: &str = "key";
const MAP_VALUE: &str = "value";

/// The compression codec of the column chunks (`parquet.codec`).
///
/// ```
/// use connect_hdfs::format::parquet::ParquetCodec;
/// assert_eq!(ParquetCodec::parse("ZSTD")?, ParquetCodec::Zstd);
/// assert_eq!(ParquetCodec::default(), ParquetCodec::Snappy);
/// assert!(ParquetCodec::parse("lzo").unwrap_err().to_string().contains("parquet.codec"));
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParquetCodec {
    /// No compression: `none` or `uncompressed`.
    Uncompressed,
    /// Snappy, the default and what Confluent always uses: `snappy`.
    #[default]
    Snappy,
    /// Gzip at level 6: `gzip`.
    Gzip,
    /// Zstandard at parquet's default level: `zstd`.
    Zstd,
    /// LZ4 with Hadoop framing, as parquet-java's `LZ4` codec: `lz4`.
    Lz4,
}

impl ParquetCodec {
    /// The accepted values of `parquet.codec`.
    pub const NAMES: [&'static str; 6] = ["none", "uncompressed", "snappy", "gzip", "zstd", "lz4"];

    /// Parses a `parquet.codec` value, ignoring case and surrounding blanks.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" | "uncompressed" => Ok(Self::Uncompressed),
            "snappy" => Ok(Self::Snappy),
            "gzip" => Ok(Self::Gzip),
            "zstd" => Ok(Self::Zstd),
            "lz4" => Ok(Self::Lz4),
            _ => Err(ConfigError::invalid(
                PARQUET_CODEC_CONFIG,
                value,
                format!("String must be one of: {}", Self::NAMES.join(", ")),
            )),
        }
    }

    /// The codec's `parquet.codec` name (`none` for no compression).
    pub fn name(self) -> &'static str {
        match self {
            Self::Uncompressed => "none",
            Self::Snappy => "snappy",
            Self::Gzip => "gzip",
            Self::Zstd => "zstd",
            Self::Lz4 => "lz4",
        }
    }

    fn compression(self) -> Compression {
        match self {
            Self::Uncompressed => Compression::UNCOMPRESSED,
            Self::Snappy => Compression::SNAPPY,
            Self::Gzip => Compression::GZIP(GzipLevel::default()),
            Self::Zstd => Compression::ZSTD(ZstdLevel::default()),
            Self::Lz4 => Compression::LZ4,
        }
    }
}

impl FromStr for ParquetCodec {
    type Err = ConfigError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for ParquetCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Settings of [`ParquetFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParquetOptions {
    /// The compression codec.
    pub codec: ParquetCodec,
    /// The row group size: the in-progress row group is flushed once the writer's estimate of
    /// its encoded size, or of the memory it holds, reaches this many bytes.
    pub row_group_bytes: usize,
}

impl Default for ParquetOptions {
    /// Snappy and 256 MiB row groups, as Confluent writes.
    fn default() -> Self {
        Self {
            codec: ParquetCodec::default(),
            row_group_bytes: DEFAULT_ROW_GROUP_BYTES,
        }
    }
}

/// The Parquet format (`.parquet`).
///
/// ```
/// use std::sync::Arc;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_avro::AvroData;
/// use connect_hdfs::format::Format;
/// use connect_hdfs::format::parquet::{ParquetCodec, ParquetFormat, ParquetOptions};
///
/// let schema = SchemaBuilder::struct_()
///     .name("com.example.User")
///     .field("id", Schema::int64())
///     .field("name", Schema::optional_string())
///     .build()?;
/// let format = ParquetFormat::new(
///     ParquetOptions {
///         codec: ParquetCodec::parse("snappy")?,
///         ..ParquetOptions::default()
///     },
///     Arc::new(AvroData::default()),
/// );
/// let mut writer = format.new_writer(Some(&schema))?;
/// for id in 0..3i64 {
///     writer.write(&Value::Struct(Struct::new(schema.clone())?.with("id", id)?))?;
/// }
/// let mut file = Vec::new();
/// writer.take_output(&mut file);
/// writer.finish(&mut file)?;
/// assert_eq!(&file[..4], b"PAR1");
/// assert_eq!(format.read_schema(&file)?, Some(schema));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ParquetFormat {
    options: ParquetOptions,
    /// Writes the Connect schema into the file metadata and reads it back.
    json: Arc<JsonConverter>,
    /// Makes the Avro schema stored next to it (and reads it back when it is all a file has).
    avro_data: Arc<AvroData>,
}

impl ParquetFormat {
    /// The Parquet format with `options`, making Avro schemas with `avro_data` (shared, so its
    /// schema cache serves every file of the connector).
    pub fn new(options: ParquetOptions, avro_data: Arc<AvroData>) -> Self {
        Self {
            options,
            json: Arc::new(JsonConverter::new()),
            avro_data,
        }
    }

    /// The settings in use.
    pub fn options(&self) -> ParquetOptions {
        self.options
    }
}

impl Default for ParquetFormat {
    /// The default options, with an `AvroData` of the default configuration.
    fn default() -> Self {
        Self::new(ParquetOptions::default(), Arc::new(AvroData::default()))
    }
}

impl Format for ParquetFormat {
    fn extension(&self) -> &'static str {
        ".parquet"
    }

    fn new_writer(&self, schema: Option<&Schema>) -> Result<Box<dyn RecordWriter>, FormatError> {
        let schema = schema.ok_or_else(|| {
            FormatError::Unsupported(
                "ParquetFormat needs a value schema: schemaless records cannot be written to \
                 Parquet"
                    .to_owned(),
            )
        })?;
        Ok(Box::new(ParquetRecordWriter::try_new(
            schema,
            self.options,
            &self.json,
            &self.avro_data,
        )?))
    }

    /// The footer, which holds the schema (a larger one is read whole).
    fn schema_range(&self) -> Option<ReadRange> {
        Some(ReadRange::Tail(1024 * 1024))
    }

    fn read_schema(&self, file: &[u8]) -> Result<Option<Schema>, FormatError> {
        let metadata = read_footer(file)?;
        let file_metadata = metadata.file_metadata();
        let stored = |key: &str| {
            file_metadata
                .key_value_metadata()
                .and_then(|kvs| kvs.iter().find(|kv| kv.key == key))
                .and_then(|kv| kv.value.as_deref())
        };
        if let Some(json) = stored(CONNECT_SCHEMA_KEY) {
            match self.json.as_connect_schema(json) {
                Ok(Some(schema)) if schema.type_() == Type::Struct => return Ok(Some(schema)),
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(
                        "Ignoring the unreadable Connect schema in a Parquet file ({err}); \
                         using its Avro or Arrow schema instead"
                    );
                }
            }
        }
        if let Some(text) = stored(AVRO_SCHEMA_KEY) {
            let schema = AvroSchema::parse_str(text)
                .and_then(|avro| self.avro_data.to_connect_schema(&avro));
            match schema {
                Ok(schema) if schema.type_() == Type::Struct => return Ok(Some(schema)),
                Ok(schema) => {
                    tracing::warn!(
                        "Ignoring the Avro schema of a Parquet file: it is a {}, not a record; \
                         using its Arrow schema instead",
                        schema.type_()
                    );
                }
                Err(err) => {
                    tracing::warn!(
                        "Ignoring the unreadable Avro schema in a Parquet file ({err}); using \
                         its Arrow schema instead"
                    );
                }
            }
        }
        let arrow = parquet_to_arrow_schema(
            file_metadata.schema_descr(),
            file_metadata.key_value_metadata(),
        )
        .map_err(|e| FormatError::Read(format!("Cannot read the Parquet schema: {e}")))?;
        connect_schema(&arrow).map(Some)
    }
}

/// The Arrow schema of the Parquet files written for the Connect struct schema `schema`.
///
/// ```
/// use arrow_schema::DataType;
/// use connect_api::data::{Schema, SchemaBuilder};
/// use connect_hdfs::format::parquet::arrow_schema;
///
/// let schema = SchemaBuilder::struct_().field("n", Schema::optional_int32()).build()?;
/// let arrow = arrow_schema(&schema)?;
/// assert_eq!(arrow.field(0).data_type(), &DataType::Int32);
/// assert!(arrow.field(0).is_nullable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn arrow_schema(schema: &Schema) -> Result<arrow_schema::Schema, FormatError> {
    let (fields, _) = struct_columns(schema)?;
    Ok(arrow_schema::Schema::new(fields))
}

/// The Connect struct schema of an Arrow schema: the inverse of [`arrow_schema()`] for types,
/// field names and optionality. Schema names, versions, docs and defaults are not in the Arrow
/// schema, so none are set (Decimal, Date, Time and Timestamp get their logical names); the
/// struct itself is required.
///
/// Other Arrow types map to the nearest Connect type: large and view strings and binaries,
/// fixed-size binaries, large and fixed-size lists, dictionaries (their value type), unsigned
/// integers (the next wider signed type), other time units (the physical `int32`/`int64`).
/// Types with no Connect equivalent are a [`FormatError::Read`].
pub fn connect_schema(arrow: &arrow_schema::Schema) -> Result<Schema, FormatError> {
    let mut builder = SchemaBuilder::struct_();
    for field in arrow.fields() {
        builder = builder.field(field.name(), connect_field(field, field.name())?);
    }
    builder
        .build()
        .map_err(|e| FormatError::Read(e.to_string()))
}

fn connect_field(field: &Field, path: &str) -> Result<Schema, FormatError> {
    let builder = connect_builder(field.data_type(), path)?;
    let builder = if field.is_nullable() {
        builder.optional()
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| FormatError::Read(format!("column {path}: {e}")))
}

fn connect_builder(data_type: &DataType, path: &str) -> Result<SchemaBuilder, FormatError> {
    Ok(match data_type {
        DataType::Int8 => SchemaBuilder::int8(),
        DataType::Int16 | DataType::UInt8 => SchemaBuilder::int16(),
        DataType::Int32 | DataType::UInt16 => SchemaBuilder::int32(),
        DataType::Int64 | DataType::UInt32 => SchemaBuilder::int64(),
        DataType::Float16 | DataType::Float32 => SchemaBuilder::float32(),
        DataType::Float64 => SchemaBuilder::float64(),
        DataType::Boolean => SchemaBuilder::boolean(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => SchemaBuilder::string(),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => SchemaBuilder::bytes(),
        DataType::Decimal32(precision, scale)
        | DataType::Decimal64(precision, scale)
        | DataType::Decimal128(precision, scale)
        | DataType::Decimal256(precision, scale) => logical::decimal_builder(i32::from(*scale))
            .parameter(DECIMAL_PRECISION_PARAMETER, precision.to_string()),
        DataType::Date32 => logical::date_builder(),
        DataType::Time32(TimeUnit::Millisecond) => logical::time_builder(),
        DataType::Timestamp(TimeUnit::Millisecond, _) => logical::timestamp_builder(),
        DataType::Time32(_) => SchemaBuilder::int32(),
        DataType::Date64 | DataType::Time64(_) | DataType::Timestamp(_, _) => {
            SchemaBuilder::int64()
        }
        DataType::Struct(fields) => {
            let mut builder = SchemaBuilder::struct_();
            for field in fields {
                let child = connect_field(field, &format!("{path}.{}", field.name()))?;
                builder = builder.field(field.name(), child);
            }
            builder
        }
        DataType::List(element)
        | DataType::LargeList(element)
        | DataType::ListView(element)
        | DataType::LargeListView(element)
        | DataType::FixedSizeList(element, _) => {
            SchemaBuilder::array(connect_field(element, &format!("{path}[]"))?)
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => SchemaBuilder::map(
                connect_field(&kv[0], &format!("{path}.{}", kv[0].name()))?,
                connect_field(&kv[1], &format!("{path}.{}", kv[1].name()))?,
            ),
            other => {
                return Err(FormatError::Read(format!(
                    "column {path}: map entries of type {other} are not a key/value struct"
                )));
            }
        },
        DataType::Dictionary(_, values) => connect_builder(values, path)?,
        other => {
            return Err(FormatError::Read(format!(
                "column {path}: Arrow type {other} has no Connect equivalent"
            )));
        }
    })
}

/// Decodes the footer of a whole Parquet file.
fn read_footer(file: &[u8]) -> Result<ParquetMetaData, FormatError> {
    let not_parquet = |why: &str| FormatError::Read(format!("Not a Parquet file: {why}"));
    let tail_start = file
        .len()
        .checked_sub(FOOTER_SIZE)
        .ok_or_else(|| not_parquet("shorter than its footer"))?;
    let tail: &[u8; FOOTER_SIZE] = file
        .get(tail_start..)
        .and_then(|tail| tail.try_into().ok())
        .ok_or_else(|| not_parquet("shorter than its footer"))?;
    let tail = FooterTail::try_new(tail).map_err(|e| not_parquet(&e.to_string()))?;
    if tail.is_encrypted_footer() {
        return Err(FormatError::Read(
            "Encrypted Parquet footers are not supported".to_owned(),
        ));
    }
    let metadata = tail_start
        .checked_sub(tail.metadata_length())
        .and_then(|start| file.get(start..tail_start))
        .ok_or_else(|| not_parquet("its metadata length exceeds the file"))?;
    ParquetMetaDataReader::decode_metadata(metadata)
        .map_err(|e| FormatError::Read(format!("Cannot decode the Parquet footer: {e}")))
}

/// Writes the records of one Parquet file.
struct ParquetRecordWriter {
    schema: arrow_schema::SchemaRef,
    columns: Vec<Column>,
    /// Rows in `columns`, not yet handed to `writer`.
    rows: usize,
    /// An estimate of the bytes of the values in `columns`.
    pending_bytes: usize,
    batch_bytes: usize,
    row_group_bytes: usize,
    writer: ArrowWriter<Vec<u8>>,
}

impl ParquetRecordWriter {
    fn try_new(
        schema: &Schema,
        options: ParquetOptions,
        json: &JsonConverter,
        avro_data: &AvroData,
    ) -> Result<Self, FormatError> {
        let (fields, columns) = struct_columns(schema)?;
        let arrow = Arc::new(arrow_schema::Schema::new(fields));
        // Without the stored schemas the file is still readable; read_schema then maps the
        // Arrow schema back.
        let mut stored = Vec::with_capacity(2);
        match json.as_json_schema(schema) {
            Ok(text) => stored.push(KeyValue::new(CONNECT_SCHEMA_KEY.to_owned(), text)),
            Err(err) => {
                tracing::warn!("Not storing the Connect schema in the Parquet file: {err}");
            }
        }
        match avro_data.from_connect_schema(schema) {
            Ok(avro) => stored.push(KeyValue::new(
                AVRO_SCHEMA_KEY.to_owned(),
                avro.text().to_owned(),
            )),
            Err(err) => {
                tracing::warn!("Not storing the Avro schema in the Parquet file: {err}");
            }
        }
        let stored = (!stored.is_empty()).then_some(stored);
        let row_group_bytes = options.row_group_bytes.max(1);
        let properties = WriterProperties::builder()
            .set_compression(options.codec.compression())
            .set_max_row_group_row_count(None)
            .set_max_row_group_bytes(Some(row_group_bytes))
            .set_key_value_metadata(stored)
            .build();
        let writer = ArrowWriter::try_new(Vec::new(), Arc::clone(&arrow), Some(properties))
            .map_err(|e| {
                FormatError::Unsupported(format!("Cannot write {schema} as Parquet: {e}"))
            })?;
        Ok(Self {
            schema: arrow,
            columns,
            rows: 0,
            pending_bytes: 0,
            batch_bytes: BATCH_BYTES.min(row_group_bytes),
            row_group_bytes,
            writer,
        })
    }

    /// Appends one row to the columns; on failure nothing of it stays.
    fn append_row(&mut self, values: &[Value]) -> Result<(), FormatError> {
        if values.len() != self.columns.len() {
            return Err(FormatError::Encode(format!(
                "The record has {} fields but the file schema has {}",
                values.len(),
                self.columns.len()
            )));
        }
        let before = self.pending_bytes;
        let mut failure = None;
        for (index, (column, value)) in self.columns.iter_mut().zip(values).enumerate() {
            if let Err(err) = column.append(value, &mut self.pending_bytes) {
                failure = Some((index, err));
                break;
            }
        }
        let Some((index, err)) = failure else {
            return Ok(());
        };
        for column in &mut self.columns {
            column.truncate(self.rows);
        }
        self.pending_bytes = before;
        let name = self
            .schema
            .fields()
            .get(index)
            .map(|f| f.name().as_str())
            .unwrap_or_default();
        Err(FormatError::Encode(err.at(Seg::Field(name)).to_string()))
    }

    /// Hands the buffered rows to the Parquet writer, and flushes the row group when it is full.
    fn write_batch(&mut self) -> Result<(), FormatError> {
        // The batch's rows are taken from the columns first: a failure loses them.
        let encode = |e: &dyn fmt::Display| {
            FormatError::FileLost(format!("Cannot encode a Parquet record batch: {e}"))
        };
        let arrays: Result<Vec<ArrayRef>, ArrowError> =
            self.columns.iter_mut().map(Column::finish).collect();
        self.rows = 0;
        self.pending_bytes = 0;
        let arrays = match arrays {
            Ok(arrays) => arrays,
            Err(err) => {
                // A column that failed may be left part-built: start the batch afresh.
                for column in &mut self.columns {
                    column.truncate(0);
                }
                return Err(encode(&err));
            }
        };
        let batch =
            RecordBatch::try_new(Arc::clone(&self.schema), arrays).map_err(|e| encode(&e))?;
        self.writer.write(&batch).map_err(|e| encode(&e))?;
        if self.writer.in_progress_size() >= self.row_group_bytes
            || self.writer.memory_size() >= self.row_group_bytes
        {
            self.writer.flush().map_err(|e| encode(&e))?;
        }
        Ok(())
    }
}

impl RecordWriter for ParquetRecordWriter {
    fn write(&mut self, value: &Value) -> Result<(), FormatError> {
        let Value::Struct(record) = value else {
            return Err(FormatError::Unsupported(format!(
                "ParquetFormat writes only Struct values, but the record value is {}",
                match value {
                    Value::Null => "null".to_owned(),
                    other => format!("a value of type {}", other.kind()),
                }
            )));
        };
        self.append_row(record.values())?;
        self.rows += 1;
        if self.rows >= BATCH_ROWS || self.pending_bytes >= self.batch_bytes {
            self.write_batch()?;
        }
        Ok(())
    }

    fn take_output(&mut self, out: &mut Vec<u8>) {
        // Moves what the writer's internal write buffer holds into its sink. Writing to a Vec
        // cannot fail.
        if self.writer.sync().is_ok() {
            super::move_bytes(self.writer.inner_mut(), out);
        }
    }

    fn finish(mut self: Box<Self>, out: &mut Vec<u8>) -> Result<(), FormatError> {
        if self.rows > 0 {
            self.write_batch()?;
        }
        let mut file = self
            .writer
            .into_inner()
            .map_err(|e| FormatError::FileLost(format!("Cannot finish the Parquet file: {e}")))?;
        super::move_bytes(&mut file, out);
        Ok(())
    }

    fn buffered_bytes(&self) -> usize {
        self.pending_bytes + self.writer.memory_size() + self.writer.inner().len()
    }

    /// Only completed row groups are output; the row group being built stays until it is full.
    fn output_bytes(&self) -> usize {
        self.writer.inner().len()
    }
}

/// The Arrow fields and column buffers of the fields of a struct schema.
fn struct_columns(schema: &Schema) -> Result<(Fields, Vec<Column>), FormatError> {
    if schema.type_() != Type::Struct {
        return Err(FormatError::Unsupported(format!(
            "ParquetFormat writes only Struct values, but the value schema is {schema}"
        )));
    }
    struct_children(schema, "")
}

fn struct_children(schema: &Schema, path: &str) -> Result<(Fields, Vec<Column>), FormatError> {
    if schema.fields().is_empty() {
        return Err(FormatError::Unsupported(format!(
            "Parquet cannot hold a struct without fields ({})",
            if path.is_empty() {
                "the value schema"
            } else {
                path
            }
        )));
    }
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut columns = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let child_path = if path.is_empty() {
            field.name().to_owned()
        } else {
            format!("{path}.{}", field.name())
        };
        let (arrow, column) = column_of(field.name(), field.schema(), &child_path, false)?;
        fields.push(arrow);
        columns.push(column);
    }
    Ok((Fields::from(fields), columns))
}

/// The Arrow field and column buffer of a Connect schema; `required` forces a non-nullable
/// field (map keys).
fn column_of(
    name: &str,
    schema: &Schema,
    path: &str,
    required: bool,
) -> Result<(FieldRef, Column), FormatError> {
    let unsupported = |why: String| FormatError::Unsupported(format!("Field {path}: {why}"));
    let (data_type, data) = match LogicalType::of(schema) {
        Some(LogicalType::Decimal) => {
            let scale = logical::decimal_scale(schema).map_err(|e| unsupported(e.to_string()))?;
            let precision = match schema.parameter(DECIMAL_PRECISION_PARAMETER) {
                None => DEFAULT_DECIMAL_PRECISION,
                Some(text) => text
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|p| (1..=DEFAULT_DECIMAL_PRECISION).contains(p))
                    .ok_or_else(|| {
                        unsupported(format!(
                            "Decimal precision {text} is not between 1 and \
                             {DEFAULT_DECIMAL_PRECISION}"
                        ))
                    })?,
            };
            let scale = i8::try_from(scale)
                .ok()
                .filter(|s| *s >= 0 && s.unsigned_abs() <= precision)
                .ok_or_else(|| {
                    unsupported(format!(
                        "Decimal scale {scale} is not between 0 and the precision {precision}"
                    ))
                })?;
            (
                DataType::Decimal128(precision, scale),
                Data::Decimal(DecimalColumn {
                    values: Vec::new(),
                    precision,
                    scale,
                    bound: 10u128.pow(u32::from(precision)),
                }),
            )
        }
        Some(LogicalType::Date) => (DataType::Date32, Data::Date(Vec::new())),
        Some(LogicalType::Time) => (
            DataType::Time32(TimeUnit::Millisecond),
            Data::Time(Vec::new()),
        ),
        Some(LogicalType::Timestamp) => (
            DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into())),
            Data::Timestamp(Vec::new()),
        ),
        None => match schema.type_() {
            Type::Int8 => (DataType::Int8, Data::Int8(Vec::new())),
            Type::Int16 => (DataType::Int16, Data::Int16(Vec::new())),
            Type::Int32 => (DataType::Int32, Data::Int32(Vec::new())),
            Type::Int64 => (DataType::Int64, Data::Int64(Vec::new())),
            Type::Float32 => (DataType::Float32, Data::Float32(Vec::new())),
            Type::Float64 => (DataType::Float64, Data::Float64(Vec::new())),
            Type::Boolean => (
                DataType::Boolean,
                Data::Boolean(BooleanBufferBuilder::new(0)),
            ),
            Type::String => (DataType::Utf8, Data::Utf8(BytesColumn::default())),
            Type::Bytes => (DataType::Binary, Data::Binary(BytesColumn::default())),
            Type::Struct => {
                let (fields, columns) = struct_children(schema, path)?;
                (
                    DataType::Struct(fields.clone()),
                    Data::Struct(fields, columns),
                )
            }
            Type::Array => {
                let element = schema
                    .value_schema()
                    .ok_or_else(|| unsupported("an array schema without an element".to_owned()))?;
                let (field, column) =
                    column_of(LIST_ELEMENT, element, &format!("{path}[]"), false)?;
                (
                    DataType::List(Arc::clone(&field)),
                    Data::List(ListColumn {
                        field,
                        offsets: vec![0],
                        items: Box::new(column),
                    }),
                )
            }
            Type::Map => {
                let (Some(key), Some(value)) = (schema.key_schema(), schema.value_schema()) else {
                    return Err(unsupported("a map schema without key or value".to_owned()));
                };
                if matches!(key.type_(), Type::Struct | Type::Array | Type::Map) {
                    return Err(unsupported(format!(
                        "map keys must be of a primitive type, not {}",
                        key.type_()
                    )));
                }
                let (key_field, keys) = column_of(MAP_KEY, key, &format!("{path}.key"), true)?;
                let (value_field, values) =
                    column_of(MAP_VALUE, value, &format!("{path}.value"), false)?;
                let entry_fields = Fields::from(vec![key_field, value_field]);
                let entries = Arc::new(Field::new(
                    MAP_ENTRIES,
                    DataType::Struct(entry_fields.clone()),
                    false,
                ));
                (
                    DataType::Map(Arc::clone(&entries), false),
                    Data::Map(MapColumn {
                        entries,
                        entry_fields,
                        offsets: vec![0],
                        keys: Box::new(keys),
                        values: Box::new(values),
                    }),
                )
            }
        },
    };
    let nullable = schema.is_optional() && !required;
    let column = Column {
        nullable,
        default: schema.default_value().filter(|v| !v.is_null()).cloned(),
        nulls: NullBufferBuilder::new(0),
        data,
    };
    Ok((Arc::new(Field::new(name, data_type, nullable)), column))
}

/// The values of one Arrow column (at any depth) being gathered for the next batch.
struct Column {
    nullable: bool,
    /// The schema default, written in place of a null.
    default: Option<Value>,
    /// Validity; its length is the column's length.
    nulls: NullBufferBuilder,
    data: Data,
}

enum Data {
    Int8(Vec<i8>),
    Int16(Vec<i16>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Float32(Vec<f32>),
    Float64(Vec<f64>),
    Boolean(BooleanBufferBuilder),
    Utf8(BytesColumn),
    Binary(BytesColumn),
    Decimal(DecimalColumn),
    Date(Vec<i32>),
    Time(Vec<i32>),
    Timestamp(Vec<i64>),
    Struct(Fields, Vec<Column>),
    List(ListColumn),
    Map(MapColumn),
}

/// Variable-length values: their concatenated bytes and the end offset of each.
struct BytesColumn {
    offsets: Vec<i32>,
    data: Vec<u8>,
}

impl Default for BytesColumn {
    fn default() -> Self {
        Self {
            offsets: vec![0],
            data: Vec::new(),
        }
    }
}

struct DecimalColumn {
    values: Vec<i128>,
    precision: u8,
    scale: i8,
    /// `10^precision`: unscaled values must be smaller in magnitude.
    bound: u128,
}

struct ListColumn {
    field: FieldRef,
    offsets: Vec<i32>,
    items: Box<Column>,
}

struct MapColumn {
    entries: FieldRef,
    entry_fields: Fields,
    offsets: Vec<i32>,
    keys: Box<Column>,
    values: Box<Column>,
}

impl Column {
    /// Appends `value`, adding an estimate of its size to `bytes`. On failure the column may hold
    /// part of the value; [`Column::truncate`] removes it.
    fn append(&mut self, value: &Value, bytes: &mut usize) -> Result<(), ValueError> {
        let Column {
            nullable,
            default,
            nulls,
            data,
        } = self;
        let value = match value {
            Value::Null => match default {
                Some(default) => default,
                None if *nullable => {
                    data.push_placeholder();
                    nulls.append_null();
                    return Ok(());
                }
                None => {
                    return Err(ValueError::new(
                        "null value for a required field".to_owned(),
                    ));
                }
            },
            value => value,
        };
        match (data, value) {
            (Data::Int8(v), Value::Int8(x)) => push(v, *x, bytes),
            (Data::Int16(v), Value::Int16(x)) => push(v, *x, bytes),
            (Data::Int32(v), Value::Int32(x)) => push(v, *x, bytes),
            (Data::Int64(v), Value::Int64(x)) => push(v, *x, bytes),
            (Data::Float32(v), Value::Float32(x)) => push(v, *x, bytes),
            (Data::Float64(v), Value::Float64(x)) => push(v, *x, bytes),
            (Data::Boolean(v), Value::Boolean(x)) => {
                v.append(*x);
                *bytes += 1;
            }
            (Data::Utf8(v), Value::String(x)) => v.push(x.as_bytes(), bytes)?,
            (Data::Binary(v), Value::Bytes(x)) => v.push(x, bytes)?,
            (Data::Decimal(v), Value::Decimal(x)) => v.push(x, bytes)?,
            (Data::Date(v), Value::Date(x) | Value::Int32(x)) => push(v, *x, bytes),
            (Data::Time(v), Value::Time(x) | Value::Int32(x)) => push(v, *x, bytes),
            (Data::Timestamp(v), Value::Timestamp(x) | Value::Int64(x)) => push(v, *x, bytes),
            (Data::Struct(fields, columns), Value::Struct(record)) => {
                let values = record.values();
                if values.len() != columns.len() {
                    return Err(ValueError::new(format!(
                        "the struct has {} fields but its schema has {}",
                        values.len(),
                        columns.len()
                    )));
                }
                for ((column, value), field) in columns.iter_mut().zip(values).zip(fields.iter()) {
                    column
                        .append(value, bytes)
                        .map_err(|e| e.at(Seg::Field(field.name())))?;
                }
            }
            (Data::List(list), Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    list.items
                        .append(item, bytes)
                        .map_err(|e| e.at(Seg::Index(index)))?;
                }
                list.offsets.push(offset(list.items.len())?);
            }
            (Data::Map(map), Value::Map(entries)) => {
                for (index, (key, value)) in entries.iter().enumerate() {
                    map.keys
                        .append(key, bytes)
                        .map_err(|e| e.at(Seg::Key(index)))?;
                    map.values
                        .append(value, bytes)
                        .map_err(|e| e.at(Seg::Value(index)))?;
                }
                map.offsets.push(offset(map.keys.len())?);
            }
            (data, value) => {
                return Err(ValueError::new(format!(
                    "expected a {} value but got a {} value",
                    data.kind(),
                    value.kind()
                )));
            }
        }
        nulls.append_non_null();
        Ok(())
    }

    /// The number of values.
    fn len(&self) -> usize {
        self.nulls.len()
    }

    /// Keeps the first `len` values, dropping anything after them (also in nested columns).
    fn truncate(&mut self, len: usize) {
        self.nulls.truncate(len);
        match &mut self.data {
            Data::Int8(v) => v.truncate(len),
            Data::Int16(v) => v.truncate(len),
            Data::Int32(v) | Data::Date(v) | Data::Time(v) => v.truncate(len),
            Data::Int64(v) | Data::Timestamp(v) => v.truncate(len),
            Data::Float32(v) => v.truncate(len),
            Data::Float64(v) => v.truncate(len),
            Data::Boolean(v) => {
                if v.len() > len {
                    v.truncate(len);
                }
            }
            Data::Utf8(v) | Data::Binary(v) => {
                v.offsets.truncate(len + 1);
                let end = last_offset(&v.offsets);
                v.data.truncate(end);
            }
            Data::Decimal(v) => v.values.truncate(len),
            Data::Struct(_, columns) => {
                for column in columns {
                    column.truncate(len);
                }
            }
            Data::List(list) => {
                list.offsets.truncate(len + 1);
                list.items.truncate(last_offset(&list.offsets));
            }
            Data::Map(map) => {
                map.offsets.truncate(len + 1);
                let end = last_offset(&map.offsets);
                map.keys.truncate(end);
                map.values.truncate(end);
            }
        }
    }

    /// The gathered values as an Arrow array; the column starts empty again.
    fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let nulls = self.nulls.finish();
        Ok(match &mut self.data {
            Data::Int8(v) => Arc::new(PrimitiveArray::<Int8Type>::try_new(take(v).into(), nulls)?),
            Data::Int16(v) => {
                Arc::new(PrimitiveArray::<Int16Type>::try_new(take(v).into(), nulls)?)
            }
            Data::Int32(v) => {
                Arc::new(PrimitiveArray::<Int32Type>::try_new(take(v).into(), nulls)?)
            }
            Data::Int64(v) => {
                Arc::new(PrimitiveArray::<Int64Type>::try_new(take(v).into(), nulls)?)
            }
            Data::Float32(v) => Arc::new(PrimitiveArray::<Float32Type>::try_new(
                take(v).into(),
                nulls,
            )?),
            Data::Float64(v) => Arc::new(PrimitiveArray::<Float64Type>::try_new(
                take(v).into(),
                nulls,
            )?),
            Data::Boolean(v) => Arc::new(BooleanArray::new(v.finish(), nulls)),
            Data::Utf8(v) => {
                let (offsets, data) = v.take();
                Arc::new(StringArray::try_new(offsets, data.into(), nulls)?)
            }
            Data::Binary(v) => {
                let (offsets, data) = v.take();
                Arc::new(BinaryArray::try_new(offsets, data.into(), nulls)?)
            }
            Data::Decimal(v) => Arc::new(
                PrimitiveArray::<Decimal128Type>::try_new(take(&mut v.values).into(), nulls)?
                    .with_precision_and_scale(v.precision, v.scale)?,
            ),
            Data::Date(v) => Arc::new(PrimitiveArray::<Date32Type>::try_new(
                take(v).into(),
                nulls,
            )?),
            Data::Time(v) => Arc::new(PrimitiveArray::<Time32MillisecondType>::try_new(
                take(v).into(),
                nulls,
            )?),
            Data::Timestamp(v) => Arc::new(
                PrimitiveArray::<TimestampMillisecondType>::try_new(take(v).into(), nulls)?
                    .with_timezone(UTC),
            ),
            Data::Struct(fields, columns) => {
                let arrays = columns
                    .iter_mut()
                    .map(Column::finish)
                    .collect::<Result<Vec<_>, _>>()?;
                Arc::new(StructArray::try_new(fields.clone(), arrays, nulls)?)
            }
            Data::List(list) => {
                let offsets = OffsetBuffer::new(take_offsets(&mut list.offsets).into());
                let items = list.items.finish()?;
                Arc::new(ListArray::try_new(
                    Arc::clone(&list.field),
                    offsets,
                    items,
                    nulls,
                )?)
            }
            Data::Map(map) => {
                let offsets = OffsetBuffer::new(take_offsets(&mut map.offsets).into());
                let keys = map.keys.finish()?;
                let values = map.values.finish()?;
                let entries =
                    StructArray::try_new(map.entry_fields.clone(), vec![keys, values], None)?;
                Arc::new(MapArray::try_new(
                    Arc::clone(&map.entries),
                    offsets,
                    entries,
                    nulls,
                    false,
                )?)
            }
        })
    }
}

impl Data {
    /// Fills the slot of a null: a zero value, or an empty list or map. Nested struct fields get
    /// null slots too (hidden by the struct's own null), whatever their optionality.
    fn push_placeholder(&mut self) {
        match self {
            Data::Int8(v) => v.push(0),
            Data::Int16(v) => v.push(0),
            Data::Int32(v) | Data::Date(v) | Data::Time(v) => v.push(0),
            Data::Int64(v) | Data::Timestamp(v) => v.push(0),
            Data::Float32(v) => v.push(0.0),
            Data::Float64(v) => v.push(0.0),
            Data::Boolean(v) => v.append(false),
            Data::Utf8(v) | Data::Binary(v) => v.offsets.push(last_offset_i32(&v.offsets)),
            Data::Decimal(v) => v.values.push(0),
            Data::Struct(_, columns) => {
                for column in columns {
                    column.data.push_placeholder();
                    column.nulls.append_null();
                }
            }
            Data::List(list) => list.offsets.push(last_offset_i32(&list.offsets)),
            Data::Map(map) => map.offsets.push(last_offset_i32(&map.offsets)),
        }
    }

    /// The Connect name of the values this column takes, for errors.
    fn kind(&self) -> &'static str {
        match self {
            Data::Int8(_) => "int8",
            Data::Int16(_) => "int16",
            Data::Int32(_) => "int32",
            Data::Int64(_) => "int64",
            Data::Float32(_) => "float32",
            Data::Float64(_) => "float64",
            Data::Boolean(_) => "boolean",
            Data::Utf8(_) => "string",
            Data::Binary(_) => "bytes",
            Data::Decimal(_) => "decimal",
            Data::Date(_) => "date",
            Data::Time(_) => "time",
            Data::Timestamp(_) => "timestamp",
            Data::Struct(..) => "struct",
            Data::List(_) => "array",
            Data::Map(_) => "map",
        }
    }
}

impl BytesColumn {
    fn push(&mut self, value: &[u8], bytes: &mut usize) -> Result<(), ValueError> {
        let end = offset(self.data.len() + value.len())?;
        self.data.extend_from_slice(value);
        self.offsets.push(end);
        *bytes += value.len() + 4;
        Ok(())
    }

    fn take(&mut self) -> (OffsetBuffer<i32>, Vec<u8>) {
        let offsets = OffsetBuffer::new(take_offsets(&mut self.offsets).into());
        (offsets, take(&mut self.data))
    }
}

impl DecimalColumn {
    fn push(&mut self, value: &BigDecimal, bytes: &mut usize) -> Result<(), ValueError> {
        let (unscaled, scale) = value.as_bigint_and_scale();
        let too_large = || {
            ValueError::new(format!(
                "decimal {value} has more digits than the precision {}",
                self.precision
            ))
        };
        let mut unscaled = i128::try_from(unscaled.as_ref()).map_err(|_| too_large())?;
        let target = i64::from(self.scale);
        if scale < target {
            // Rescaling up is exact.
            let factor = u32::try_from(target - scale)
                .ok()
                .and_then(|diff| 10i128.checked_pow(diff))
                .ok_or_else(too_large)?;
            unscaled = unscaled.checked_mul(factor).ok_or_else(too_large)?;
        } else if scale > target {
            return Err(ValueError::new(format!(
                "decimal {value} has scale {scale}, more than the schema's scale {target}"
            )));
        }
        if unscaled.unsigned_abs() >= self.bound {
            return Err(too_large());
        }
        self.values.push(unscaled);
        *bytes += 16;
        Ok(())
    }
}

fn push<T: Copy>(values: &mut Vec<T>, value: T, bytes: &mut usize) {
    values.push(value);
    *bytes += size_of::<T>();
}

/// Takes the values out of `v`, leaving it empty with the same capacity for the next batch.
fn take<T: ArrowNativeType>(v: &mut Vec<T>) -> Vec<T> {
    let capacity = v.capacity();
    std::mem::replace(v, Vec::with_capacity(capacity))
}

/// Takes the offsets out of `v`, leaving the single offset of an empty column.
fn take_offsets(v: &mut Vec<i32>) -> Vec<i32> {
    let mut fresh = Vec::with_capacity(v.capacity());
    fresh.push(0);
    std::mem::replace(v, fresh)
}

fn offset(len: usize) -> Result<i32, ValueError> {
    i32::try_from(len)
        .map_err(|_| ValueError::new("more than 2 GiB of values in one column batch".to_owned()))
}

fn last_offset_i32(offsets: &[i32]) -> i32 {
    offsets.last().copied().unwrap_or(0)
}

fn last_offset(offsets: &[i32]) -> usize {
    usize::try_from(last_offset_i32(offsets)).unwrap_or(0)
}

/// One step of the path to a value that could not be written.
enum Seg<'a> {
    Field(&'a str),
    Index(usize),
    Key(usize),
    Value(usize),
}

/// Why a value could not be written, and where it is in the record.
#[derive(Debug)]
struct ValueError {
    /// From the innermost step out.
    path: Vec<String>,
    message: String,
}

impl ValueError {
    fn new(message: String) -> Self {
        Self {
            path: Vec::new(),
            message,
        }
    }

    fn at(mut self, seg: Seg<'_>) -> Self {
        self.path.push(match seg {
            Seg::Field(name) => format!(".{name}"),
            Seg::Index(index) => format!("[{index}]"),
            Seg::Key(index) => format!("[{index}].key"),
            Seg::Value(index) => format!("[{index}].value"),
        });
        self
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: String = self.path.iter().rev().map(String::as_str).collect();
        let path = path.strip_prefix('.').unwrap_or(&path);
        write!(
            f,
            "Cannot write field {path} of the record to Parquet: {}",
            self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use bigdecimal::num_bigint::BigInt;
    use bytes::Bytes;
    use connect_api::data::Struct;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    fn sch(builder: SchemaBuilder) -> Schema {
        builder.build().unwrap()
    }

    fn inner_schema() -> Schema {
        sch(SchemaBuilder::struct_()
            .name("com.example.Inner")
            .field("flag", Schema::boolean())
            .field("label", Schema::optional_string())
            .optional())
    }

    fn all_types_schema() -> Schema {
        let decimal = sch(logical::decimal_builder(2).parameter(DECIMAL_PRECISION_PARAMETER, "10"));
        let optional_decimal = sch(logical::decimal_builder(3).optional());
        sch(SchemaBuilder::struct_()
            .name("com.example.Everything")
            .version(3)
            .doc("every type")
            .field("i8", Schema::int8())
            .field("i16", Schema::int16())
            .field("i32", Schema::int32())
            .field("i64", Schema::optional_int64())
            .field("f32", Schema::float32())
            .field("f64", Schema::optional_float64())
            .field("bool", Schema::boolean())
            .field("text", Schema::optional_string())
            .field("raw", Schema::bytes())
            .field("dec", decimal)
            .field("big_dec", optional_decimal)
            .field("day", logical::date_schema())
            .field("tod", sch(logical::time_builder().optional()))
            .field("ts", logical::timestamp_schema())
            .field("inner", inner_schema())
            .field("tags", sch(SchemaBuilder::array(Schema::optional_string())))
            .field(
                "scores",
                sch(SchemaBuilder::map(Schema::string(), Schema::optional_int32()).optional()),
            )
            .field(
                "items",
                sch(SchemaBuilder::array(inner_schema()).optional()),
            )
            .field(
                "nested",
                sch(SchemaBuilder::map(
                    Schema::int64(),
                    sch(SchemaBuilder::array(Schema::float64())),
                )),
            ))
    }

    fn inner(flag: bool, label: Option<&str>) -> Value {
        let mut s = Struct::new(inner_schema()).unwrap();
        s.put("flag", flag).unwrap();
        if let Some(label) = label {
            s.put("label", label).unwrap();
        }
        Value::Struct(s)
    }

    fn dec(text: &str) -> Value {
        Value::Decimal(BigDecimal::from_str(text).unwrap())
    }

    fn all_types_records(schema: &Schema) -> Vec<Value> {
        let full = Struct::from_values(
            schema.clone(),
            vec![
                Value::Int8(-8),
                Value::Int16(-16),
                Value::Int32(32),
                Value::Int64(i64::MAX),
                Value::Float32(1.5),
                Value::Float64(-2.25),
                Value::Boolean(true),
                Value::String("héllo".into()),
                Value::Bytes(Bytes::from_static(&[0, 1, 255])),
                dec("12345678.90"),
                dec("-0.001"),
                Value::Date(19_000),
                Value::Time(45_296_789),
                Value::Timestamp(1_700_000_000_123),
                inner(true, Some("in")),
                Value::Array(vec!["a".into(), Value::Null, "".into()]),
                Value::Map(vec![
                    ("x".into(), Value::Int32(1)),
                    ("y".into(), Value::Null),
                ]),
                Value::Array(vec![
                    inner(false, None),
                    Value::Null,
                    inner(true, Some("b")),
                ]),
                Value::Map(vec![
                    (Value::Int64(7), Value::Array(vec![Value::Float64(0.5)])),
                    (Value::Int64(-1), Value::Array(vec![])),
                ]),
            ],
        )
        .unwrap();
        let sparse = Struct::from_values(
            schema.clone(),
            vec![
                Value::Int8(0),
                Value::Int16(0),
                Value::Int32(0),
                Value::Null,
                Value::Float32(0.0),
                Value::Null,
                Value::Boolean(false),
                Value::Null,
                Value::Bytes(Bytes::new()),
                dec("-99999999.99"),
                Value::Null,
                Value::Date(-1),
                Value::Null,
                Value::Timestamp(-1),
                Value::Null,
                Value::Array(vec![]),
                Value::Null,
                Value::Null,
                Value::Map(vec![]),
            ],
        )
        .unwrap();
        let third = Struct::from_values(
            schema.clone(),
            vec![
                Value::Int8(i8::MIN),
                Value::Int16(i16::MAX),
                Value::Int32(i32::MIN),
                Value::Int64(0),
                Value::Float32(f32::MAX),
                Value::Float64(f64::MIN_POSITIVE),
                Value::Boolean(true),
                Value::String("x".repeat(1000)),
                Value::Bytes(Bytes::from(vec![7u8; 300])),
                dec("0.00"),
                dec("123.456"),
                Value::Date(0),
                Value::Time(0),
                Value::Timestamp(0),
                inner(false, None),
                Value::Array(vec![Value::Null]),
                Value::Map(vec![]),
                Value::Array(vec![]),
                Value::Map(vec![(
                    Value::Int64(1),
                    Value::Array(vec![Value::Float64(1.0); 3]),
                )]),
            ],
        )
        .unwrap();
        vec![
            Value::Struct(full),
            Value::Struct(sparse),
            Value::Struct(third),
        ]
    }

    fn write_file(format: &ParquetFormat, schema: &Schema, records: &[Value]) -> Vec<u8> {
        let mut writer = format.new_writer(Some(schema)).unwrap();
        for record in records {
            writer.write(record).unwrap();
        }
        let mut file = Vec::new();
        writer.finish(&mut file).unwrap();
        file
    }

    /// Reads a file back with parquet's Arrow reader, as Connect values of `schema`.
    fn read_back(file: &[u8], schema: &Schema) -> Vec<Value> {
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(file))
            .unwrap()
            .build()
            .unwrap();
        let mut out = Vec::new();
        for batch in reader {
            let batch = batch.unwrap();
            let array: ArrayRef = Arc::new(StructArray::from(batch));
            for row in 0..array.len() {
                out.push(value_at(array.as_ref(), row, schema));
            }
        }
        out
    }

    fn value_at(array: &dyn Array, row: usize, schema: &Schema) -> Value {
        if array.is_null(row) {
            return Value::Null;
        }
        match LogicalType::of(schema) {
            Some(LogicalType::Decimal) => {
                let scale = logical::decimal_scale(schema).unwrap();
                let unscaled = array.as_primitive::<Decimal128Type>().value(row);
                return Value::Decimal(BigDecimal::new(BigInt::from(unscaled), scale));
            }
            Some(LogicalType::Date) => {
                return Value::Date(array.as_primitive::<Date32Type>().value(row));
            }
            Some(LogicalType::Time) => {
                return Value::Time(array.as_primitive::<Time32MillisecondType>().value(row));
            }
            Some(LogicalType::Timestamp) => {
                return Value::Timestamp(
                    array.as_primitive::<TimestampMillisecondType>().value(row),
                );
            }
            None => {}
        }
        match schema.type_() {
            Type::Int8 => Value::Int8(array.as_primitive::<Int8Type>().value(row)),
            Type::Int16 => Value::Int16(array.as_primitive::<Int16Type>().value(row)),
            Type::Int32 => Value::Int32(array.as_primitive::<Int32Type>().value(row)),
            Type::Int64 => Value::Int64(array.as_primitive::<Int64Type>().value(row)),
            Type::Float32 => Value::Float32(array.as_primitive::<Float32Type>().value(row)),
            Type::Float64 => Value::Float64(array.as_primitive::<Float64Type>().value(row)),
            Type::Boolean => Value::Boolean(array.as_boolean().value(row)),
            Type::String => Value::String(array.as_string::<i32>().value(row).to_owned()),
            Type::Bytes => {
                Value::Bytes(Bytes::copy_from_slice(array.as_binary::<i32>().value(row)))
            }
            Type::Struct => {
                let array = array.as_struct();
                let values = schema
                    .fields()
                    .iter()
                    .zip(array.columns())
                    .map(|(field, column)| value_at(column.as_ref(), row, field.schema()))
                    .collect();
                Value::Struct(Struct::from_values(schema.clone(), values).unwrap())
            }
            Type::Array => {
                let items = array.as_list::<i32>().value(row);
                let element = schema.value_schema().unwrap();
                Value::Array(
                    (0..items.len())
                        .map(|i| value_at(items.as_ref(), i, element))
                        .collect(),
                )
            }
            Type::Map => {
                let entries = array.as_map().value(row);
                let (keys, values) = (entries.column(0), entries.column(1));
                let (key_schema, value_schema) =
                    (schema.key_schema().unwrap(), schema.value_schema().unwrap());
                Value::Map(
                    (0..entries.len())
                        .map(|i| {
                            (
                                value_at(keys.as_ref(), i, key_schema),
                                value_at(values.as_ref(), i, value_schema),
                            )
                        })
                        .collect(),
                )
            }
        }
    }

    /// The same type, fields and optionality, recursively.
    fn assert_same_shape(actual: &Schema, expected: &Schema, path: &str) {
        assert_eq!(actual.type_(), expected.type_(), "type of {path}");
        assert_eq!(
            actual.is_optional(),
            expected.is_optional(),
            "optionality of {path}"
        );
        assert_eq!(
            LogicalType::of(actual),
            LogicalType::of(expected),
            "logical type of {path}"
        );
        assert_eq!(
            actual.fields().len(),
            expected.fields().len(),
            "fields of {path}"
        );
        for (a, e) in actual.fields().iter().zip(expected.fields()) {
            assert_eq!(a.name(), e.name(), "field name in {path}");
            assert_same_shape(a.schema(), e.schema(), &format!("{path}.{}", e.name()));
        }
        if let (Some(a), Some(e)) = (actual.key_schema(), expected.key_schema()) {
            assert_same_shape(a, e, &format!("{path}.key"));
        }
        assert_eq!(
            actual.value_schema().is_some(),
            expected.value_schema().is_some()
        );
        if let (Some(a), Some(e)) = (actual.value_schema(), expected.value_schema()) {
            assert_same_shape(a, e, &format!("{path}.value"));
        }
    }

    #[test]
    fn every_type_round_trips_through_the_arrow_reader() {
        let schema = all_types_schema();
        let records = all_types_records(&schema);
        for codec in ["none", "snappy", "gzip", "zstd", "lz4"] {
            let format = ParquetFormat::new(
                ParquetOptions {
                    codec: ParquetCodec::parse(codec).unwrap(),
                    ..ParquetOptions::default()
                },
                Arc::new(AvroData::default()),
            );
            let file = write_file(&format, &schema, &records);
            assert_eq!(read_back(&file, &schema), records, "codec {codec}");
        }
    }

    #[test]
    fn the_file_carries_the_mapped_arrow_schema() {
        let schema = all_types_schema();
        let file = write_file(
            &ParquetFormat::default(),
            &schema,
            &all_types_records(&schema),
        );
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(&file)).unwrap();
        let arrow = builder.schema();
        let field = |name: &str| arrow.field_with_name(name).unwrap().clone();
        assert_eq!(field("i8").data_type(), &DataType::Int8);
        assert!(!field("i8").is_nullable());
        assert!(field("i64").is_nullable());
        assert_eq!(field("dec").data_type(), &DataType::Decimal128(10, 2));
        assert_eq!(field("big_dec").data_type(), &DataType::Decimal128(38, 3));
        assert_eq!(field("day").data_type(), &DataType::Date32);
        assert_eq!(
            field("tod").data_type(),
            &DataType::Time32(TimeUnit::Millisecond)
        );
        assert_eq!(
            field("ts").data_type(),
            &DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into()))
        );
        assert_eq!(field("text").data_type(), &DataType::Utf8);
        assert_eq!(field("raw").data_type(), &DataType::Binary);
        assert!(matches!(field("inner").data_type(), DataType::Struct(f) if f.len() == 2));
        assert!(matches!(field("tags").data_type(), DataType::List(f) if f.name() == "element"));
        let DataType::Map(entries, false) = field("scores").data_type().clone() else {
            panic!("scores is not a map");
        };
        let DataType::Struct(kv) = entries.data_type() else {
            panic!("map entries are not a struct");
        };
        assert_eq!((kv[0].name().as_str(), kv[0].is_nullable()), ("key", false));
        assert_eq!(
            (kv[1].name().as_str(), kv[1].is_nullable()),
            ("value", true)
        );
    }

    #[test]
    fn read_schema_gives_back_the_written_schema() {
        let schema = all_types_schema();
        let format = ParquetFormat::default();
        let file = write_file(&format, &schema, &all_types_records(&schema));
        assert_eq!(format.read_schema(&file).unwrap(), Some(schema.clone()));

        // Names, versions, docs, parameters and defaults come back too.
        let detailed = sch(SchemaBuilder::struct_()
            .name("com.example.V")
            .version(7)
            .doc("doc")
            .parameter("k", "v")
            .field(
                "n",
                sch(SchemaBuilder::int32().default_value(5).doc("n doc")),
            )
            .optional());
        let empty = write_file(&format, &detailed, &[]);
        assert_eq!(format.read_schema(&empty).unwrap(), Some(detailed));
    }

    /// The key-value metadata of a file, as a map.
    fn key_values(file: &[u8]) -> std::collections::BTreeMap<String, String> {
        read_footer(file)
            .unwrap()
            .file_metadata()
            .key_value_metadata()
            .into_iter()
            .flatten()
            .filter_map(|kv| Some((kv.key.clone(), kv.value.clone()?)))
            .collect()
    }

    /// A file of `schema`'s columns whose metadata is exactly `metadata`, as other writers make.
    fn file_with_metadata(schema: &Schema, metadata: &[(&str, &str)]) -> Vec<u8> {
        let properties = WriterProperties::builder()
            .set_key_value_metadata(Some(
                metadata
                    .iter()
                    .map(|(k, v)| KeyValue::new((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ))
            .build();
        let arrow = Arc::new(arrow_schema(schema).unwrap());
        let mut writer = ArrowWriter::try_new(Vec::new(), arrow, Some(properties)).unwrap();
        writer.flush().unwrap();
        writer.into_inner().unwrap()
    }

    #[test]
    fn the_avro_schema_is_stored_next_to_the_connect_schema() {
        let schema = all_types_schema();
        let avro_data = Arc::new(AvroData::default());
        let format = ParquetFormat::new(ParquetOptions::default(), avro_data.clone());
        let file = write_file(&format, &schema, &all_types_records(&schema));
        let metadata = key_values(&file);
        let expected = avro_data.from_connect_schema(&schema).unwrap();
        assert_eq!(
            metadata.get(AVRO_SCHEMA_KEY).map(String::as_str),
            Some(expected.text())
        );
        assert_eq!(
            metadata.get(CONNECT_SCHEMA_KEY).map(String::as_str),
            Some(
                JsonConverter::new()
                    .as_json_schema(&schema)
                    .unwrap()
                    .as_str()
            )
        );
        // Confluent's names and connect.* properties, as AvroData makes them.
        let avro: serde_json::Value = serde_json::from_str(&metadata[AVRO_SCHEMA_KEY]).unwrap();
        assert_eq!(avro["type"], "record");
        assert_eq!(avro["name"], "Everything");
        assert_eq!(avro["namespace"], "com.example");
        assert_eq!(avro["connect.name"], "com.example.Everything");
        assert_eq!(avro["connect.version"], 3);
        assert_eq!(avro["connect.doc"], "every type");
        let fields = avro["fields"].as_array().unwrap();
        let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
        let columns: Vec<&str> = schema.fields().iter().map(|f| f.name()).collect();
        assert_eq!(names, columns);
        assert_eq!(
            fields[0]["type"],
            serde_json::json!({"type": "int", "connect.type": "int8"})
        );
        assert_eq!(fields[3]["type"], serde_json::json!(["null", "long"]));
        assert_eq!(fields[3]["default"], serde_json::Value::Null);

        // connect.meta.data=false leaves the connect.* properties out, as Confluent's does.
        let plain = ParquetFormat::new(
            ParquetOptions::default(),
            Arc::new(AvroData::new(connect_avro::AvroDataConfig {
                connect_meta_data: false,
                ..connect_avro::AvroDataConfig::default()
            })),
        );
        let file = write_file(&plain, &schema, &[]);
        let avro: serde_json::Value =
            serde_json::from_str(&key_values(&file)[AVRO_SCHEMA_KEY]).unwrap();
        assert_eq!(avro["name"], "Everything");
        assert!(avro.get("connect.name").is_none(), "{avro}");
    }

    #[test]
    fn read_schema_falls_back_to_the_avro_schema() {
        let schema = sch(SchemaBuilder::struct_()
            .name("com.example.User")
            .version(2)
            .field("id", Schema::int64())
            .field("email", Schema::optional_string())
            .field("born", logical::date_schema())
            .field("inner", inner_schema()));
        let avro_data = AvroData::default();
        let avro = avro_data.from_connect_schema(&schema).unwrap();
        let format = ParquetFormat::default();

        // Only parquet.avro.schema, as Confluent's connector writes: the Connect schema comes
        // from it, names and versions included.
        let file = file_with_metadata(&schema, &[(AVRO_SCHEMA_KEY, avro.text())]);
        assert_eq!(format.read_schema(&file).unwrap(), Some(schema.clone()));

        // A schema text written by hand, as parquet-avro stores it.
        let text = r#"{"type":"record","name":"Order","namespace":"shop","fields":[
            {"name":"id","type":"long"},
            {"name":"note","type":["null","string"],"default":null}]}"#;
        let order = sch(SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .field("note", Schema::optional_string()));
        let file = file_with_metadata(&order, &[(AVRO_SCHEMA_KEY, text)]);
        let read = format.read_schema(&file).unwrap().unwrap();
        assert_eq!(read.name(), Some("shop.Order"));
        assert_same_shape(&read, &order, "value");

        // connect.schema wins when both are there; an unreadable one gives way to the Avro one.
        let other = sch(SchemaBuilder::struct_()
            .name("com.example.Other")
            .field("id", Schema::int64()));
        let connect = JsonConverter::new().as_json_schema(&other).unwrap();
        let file = file_with_metadata(
            &schema,
            &[
                (CONNECT_SCHEMA_KEY, &connect),
                (AVRO_SCHEMA_KEY, avro.text()),
            ],
        );
        assert_eq!(format.read_schema(&file).unwrap(), Some(other));
        let file = file_with_metadata(
            &schema,
            &[
                (CONNECT_SCHEMA_KEY, "{not json"),
                (AVRO_SCHEMA_KEY, avro.text()),
            ],
        );
        assert_eq!(format.read_schema(&file).unwrap(), Some(schema.clone()));

        // An unreadable or non-record Avro schema gives way to the Arrow schema.
        for bad in ["{not json", r#""long""#] {
            let file = file_with_metadata(&schema, &[(AVRO_SCHEMA_KEY, bad)]);
            let read = format.read_schema(&file).unwrap().unwrap();
            assert_eq!(read.name(), None, "{bad}");
            assert_same_shape(&read, &schema, "value");
        }
    }

    #[test]
    fn the_inverse_mapping_keeps_types_fields_and_optionality() {
        let schema = all_types_schema();
        let arrow = arrow_schema(&schema).unwrap();
        let back = connect_schema(&arrow).unwrap();
        assert_same_shape(&back, &schema, "value");
        // A file without the stored Connect schema (as other tools write) is read the same way.
        let mut plain = ArrowWriter::try_new(Vec::new(), Arc::new(arrow), None).unwrap();
        plain.flush().unwrap();
        let file = plain.into_inner().unwrap();
        let read = ParquetFormat::default()
            .read_schema(&file)
            .unwrap()
            .unwrap();
        assert_same_shape(&read, &schema, "value");
        let dec = read.field("dec").unwrap().schema();
        assert_eq!(dec.parameter("scale"), Some("2"));
        assert_eq!(dec.parameter(DECIMAL_PRECISION_PARAMETER), Some("10"));
        assert_eq!(
            read.field("ts").unwrap().schema().name(),
            Some(logical::TIMESTAMP_NAME)
        );
    }

    #[test]
    fn read_schema_rejects_what_is_not_parquet() {
        let format = ParquetFormat::default();
        for bytes in [
            &b""[..],
            b"PAR1",
            b"not a parquet file at all",
            b"PAR1\xff\xff\xff\x7fPAR1",
        ] {
            assert!(matches!(
                format.read_schema(bytes),
                Err(FormatError::Read(_))
            ));
        }
    }

    #[test]
    fn row_groups_are_flushed_by_size_and_output_streams() {
        let schema = sch(SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .field("text", Schema::string()));
        let format = ParquetFormat::new(
            ParquetOptions {
                codec: ParquetCodec::Uncompressed,
                row_group_bytes: 256 * 1024,
            },
            Arc::new(AvroData::default()),
        );
        let mut writer = format.new_writer(Some(&schema)).unwrap();
        let mut file = Vec::new();
        let mut max_buffered = 0;
        let rows = 40_000i64;
        for id in 0..rows {
            // Distinct text, so that dictionary encoding does not shrink it away.
            let text = format!("{id:0>8}-{}", "abcdefghij".repeat(10));
            let record = Struct::new(schema.clone())
                .unwrap()
                .with("id", id)
                .unwrap()
                .with("text", text)
                .unwrap();
            writer.write(&Value::Struct(record)).unwrap();
            max_buffered = max_buffered.max(writer.buffered_bytes());
            if id % 1000 == 999 {
                writer.take_output(&mut file);
                assert!(writer.buffered_bytes() > 0);
            }
        }
        // About 4.5 MB of values: row groups must have been completed and moved out already.
        assert!(
            file.len() > 2 * 1024 * 1024,
            "only {} bytes streamed",
            file.len()
        );
        assert!(max_buffered < 4 * 256 * 1024, "{max_buffered} bytes held");
        writer.finish(&mut file).unwrap();

        let metadata = read_footer(&file).unwrap();
        assert!(
            metadata.num_row_groups() >= 10,
            "{} row groups",
            metadata.num_row_groups()
        );
        for group in metadata.row_groups() {
            assert!(group.total_byte_size() < 2 * 256 * 1024);
        }
        let values = read_back(&file, &schema);
        assert_eq!(values.len(), rows as usize);
        let last = values.last().unwrap().as_struct().unwrap();
        assert_eq!(last.get("id").unwrap(), &Value::Int64(rows - 1));
    }

    #[test]
    fn a_small_file_is_one_row_group_written_at_finish() {
        let schema = all_types_schema();
        let mut writer = ParquetFormat::default().new_writer(Some(&schema)).unwrap();
        for record in all_types_records(&schema) {
            writer.write(&record).unwrap();
        }
        let mut streamed = Vec::new();
        writer.take_output(&mut streamed);
        assert_eq!(streamed, b"PAR1");
        writer.finish(&mut streamed).unwrap();
        assert_eq!(read_footer(&streamed).unwrap().num_row_groups(), 1);
    }

    #[test]
    fn refuses_what_parquet_cannot_hold() {
        let format = ParquetFormat::default();
        let err = format.new_writer(None).err().unwrap();
        assert!(matches!(err, FormatError::Unsupported(_)), "{err}");
        let err = format.new_writer(Some(&Schema::string())).err().unwrap();
        assert!(matches!(err, FormatError::Unsupported(_)), "{err}");
        assert!(err.to_string().contains("Struct"), "{err}");
        let empty = sch(SchemaBuilder::struct_());
        assert!(matches!(
            format.new_writer(Some(&empty)),
            Err(FormatError::Unsupported(_))
        ));
        let struct_key = sch(SchemaBuilder::struct_().field(
            "m",
            sch(SchemaBuilder::map(inner_schema(), Schema::int32())),
        ));
        let err = format.new_writer(Some(&struct_key)).err().unwrap();
        assert!(err.to_string().contains("m:"), "{err}");
        let wide = sch(SchemaBuilder::struct_().field(
            "d",
            sch(logical::decimal_builder(2).parameter(DECIMAL_PRECISION_PARAMETER, "39")),
        ));
        let err = format.new_writer(Some(&wide)).err().unwrap();
        assert!(err.to_string().contains("precision 39"), "{err}");

        let schema = sch(SchemaBuilder::struct_().field("n", Schema::int32()));
        let mut writer = format.new_writer(Some(&schema)).unwrap();
        let err = writer.write(&Value::from("text")).unwrap_err();
        assert!(matches!(err, FormatError::Unsupported(_)), "{err}");
        assert!(err.to_string().contains("string"), "{err}");
        assert!(
            writer
                .write(&Value::Null)
                .unwrap_err()
                .to_string()
                .contains("null")
        );
    }

    #[test]
    fn a_bad_record_leaves_nothing_behind() {
        let schema = all_types_schema();
        let records = all_types_records(&schema);
        let mut writer = ParquetFormat::default().new_writer(Some(&schema)).unwrap();
        writer.write(&records[0]).unwrap();

        // Fails at the last column, after every other column took its value: a struct built
        // field by field leaves the required `nested` null.
        let mut values = records[1].as_struct().unwrap().values().to_vec();
        let mut bad = Struct::new(schema.clone()).unwrap();
        for (field, value) in schema.fields().iter().zip(&values).take(18) {
            bad.put(field.name(), value.clone()).unwrap();
        }
        let err = writer.write(&Value::Struct(bad)).unwrap_err();
        assert!(matches!(err, FormatError::Encode(_)), "{err}");
        assert!(
            err.to_string()
                .contains("field nested of the record to Parquet: null value for a required field"),
            "{err}"
        );

        values[9] = dec("123456789.00");
        let bad = Value::Struct(Struct::from_values(schema.clone(), values.clone()).unwrap());
        let err = writer.write(&bad).unwrap_err();
        assert!(err.to_string().contains("precision 10"), "{err}");

        values[9] = dec("1.234");
        let bad = Value::Struct(Struct::from_values(schema.clone(), values.clone()).unwrap());
        let err = writer.write(&bad).unwrap_err();
        assert!(err.to_string().contains("scale"), "{err}");

        writer.write(&records[2]).unwrap();
        let mut file = Vec::new();
        writer.finish(&mut file).unwrap();
        assert_eq!(
            read_back(&file, &schema),
            vec![records[0].clone(), records[2].clone()]
        );
    }

    #[test]
    fn a_column_reports_the_path_and_rolls_back() {
        let schema = sch(SchemaBuilder::map(
            Schema::int64(),
            sch(SchemaBuilder::array(Schema::float64())),
        ));
        let (_, mut column) = column_of("nested", &schema, "nested", false).unwrap();
        let mut bytes = 0;
        let good = Value::Map(vec![(
            Value::Int64(1),
            Value::Array(vec![Value::Float64(2.0)]),
        )]);
        column.append(&good, &mut bytes).unwrap();
        let bad = Value::Map(vec![
            (Value::Int64(2), Value::Array(vec![Value::Float64(3.0)])),
            (
                Value::Int64(3),
                Value::Array(vec![Value::Float64(4.0), Value::Null]),
            ),
        ]);
        let err = column
            .append(&bad, &mut bytes)
            .err()
            .unwrap()
            .at(Seg::Field("nested"));
        assert_eq!(
            err.to_string(),
            "Cannot write field nested[1].value[1] of the record to Parquet: null value for a \
             required field"
        );
        let err = column
            .append(
                &Value::Map(vec![(Value::from("k"), Value::Null)]),
                &mut bytes,
            )
            .err()
            .unwrap();
        assert!(err.to_string().contains("[0].key"), "{err}");
        assert!(
            err.to_string()
                .contains("expected a int64 value but got a string value"),
            "{err}"
        );
        column.truncate(1);
        column.append(&good, &mut bytes).unwrap();
        let array = column.finish().unwrap();
        let map = array.as_map();
        assert_eq!(map.len(), 2);
        assert_eq!(map.keys().len(), 2);
        assert_eq!(map.values().as_list::<i32>().values().len(), 2);
    }

    #[test]
    fn decimals_are_rescaled_exactly_and_defaults_fill_nulls() {
        let schema = sch(SchemaBuilder::struct_()
            .field("d", logical::decimal_schema(3))
            .field("n", sch(SchemaBuilder::int32().default_value(42))));
        let record = Struct::from_values(schema.clone(), vec![dec("1.5"), Value::Null]);
        // `from_values` may validate; build the null by hand if it refuses.
        let record = match record {
            Ok(record) => record,
            Err(_) => Struct::new(schema.clone())
                .unwrap()
                .with("d", dec("1.5"))
                .unwrap(),
        };
        let file = write_file(&ParquetFormat::default(), &schema, &[Value::Struct(record)]);
        let back = read_back(&file, &schema);
        let back = back[0].as_struct().unwrap();
        assert_eq!(back.get("d").unwrap(), &dec("1.500"));
        assert_eq!(back.get("n").unwrap(), &Value::Int32(42));
    }

    #[test]
    fn codecs_parse_with_a_clear_error() {
        assert_eq!(
            ParquetCodec::parse("none").unwrap(),
            ParquetCodec::Uncompressed
        );
        assert_eq!(
            ParquetCodec::parse("Uncompressed").unwrap(),
            ParquetCodec::Uncompressed
        );
        assert_eq!(
            " Snappy ".parse::<ParquetCodec>().unwrap(),
            ParquetCodec::Snappy
        );
        assert_eq!(ParquetCodec::parse("gzip").unwrap(), ParquetCodec::Gzip);
        assert_eq!(ParquetCodec::parse("lz4").unwrap(), ParquetCodec::Lz4);
        let err = ParquetCodec::parse("brotli").unwrap_err().to_string();
        assert!(
            err.contains("parquet.codec") && err.contains("brotli"),
            "{err}"
        );
        for name in ParquetCodec::NAMES {
            let codec = ParquetCodec::parse(name).unwrap();
            assert_eq!(ParquetCodec::parse(codec.name()).unwrap(), codec);
        }
        assert_eq!(ParquetFormat::default().extension(), ".parquet");
    }

    /// Compares the format's writer with parquet's `ArrowWriter` writing the same rows, both
    /// from Arrow builders filled from the same values and from batches built beforehand.
    /// `cargo test --release -p connect-hdfs --lib format::parquet::tests::throughput -- --ignored --nocapture`
    #[test]
    #[ignore = "benchmark: run in release with --ignored --nocapture"]
    fn throughput() {
        use arrow_array::builder::{
            BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
            TimestampMillisecondBuilder,
        };
        use std::time::Instant;

        let schema = sch(SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .field("user", Schema::string())
            .field("amount", Schema::float64())
            .field("count", Schema::int32())
            .field("flag", Schema::boolean())
            .field("ts", logical::timestamp_schema())
            .field("note", Schema::optional_string())
            .field("category", Schema::string())
            .field("tags", sch(SchemaBuilder::array(Schema::string()))));
        let rows = 500_000usize;
        let records: Vec<Value> = (0..rows)
            .map(|i| {
                let n = i as i64;
                Value::Struct(
                    Struct::from_values(
                        schema.clone(),
                        vec![
                            Value::Int64(n),
                            Value::String(format!("user-{:06}", (n * 7919) % 100_000)),
                            Value::Float64(n as f64 * 0.25),
                            Value::Int32((n % 1000) as i32),
                            Value::Boolean(n % 3 == 0),
                            Value::Timestamp(1_700_000_000_000 + n * 17),
                            if n % 2 == 0 {
                                Value::String(format!("note {n} lorem ipsum dolor sit amet"))
                            } else {
                                Value::Null
                            },
                            Value::String(["red", "green", "blue", "cyan"][i % 4].to_owned()),
                            Value::Array(vec![
                                Value::String("a".to_owned()),
                                Value::String(format!("t{}", n % 50)),
                            ]),
                        ],
                    )
                    .unwrap(),
                )
            })
            .collect();
        let props = || {
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(None)
                .set_max_row_group_bytes(Some(DEFAULT_ROW_GROUP_BYTES))
                .build()
        };
        let arrow = Arc::new(arrow_schema(&schema).unwrap());

        // Arrow builders filled from the values, one batch per BATCH_ROWS rows.
        let build_batches = |records: &[Value]| -> Vec<RecordBatch> {
            let mut batches = Vec::new();
            for chunk in records.chunks(BATCH_ROWS) {
                let mut id = Int64Builder::new();
                let mut user = StringBuilder::new();
                let mut amount = Float64Builder::new();
                let mut count = Int32Builder::new();
                let mut flag = BooleanBuilder::new();
                let mut ts = TimestampMillisecondBuilder::new().with_timezone(UTC);
                let mut note = StringBuilder::new();
                let mut category = StringBuilder::new();
                let element = match arrow.field(8).data_type() {
                    DataType::List(f) => Arc::clone(f),
                    _ => unreachable!(),
                };
                let mut tags = ListBuilder::new(StringBuilder::new()).with_field(element);
                for record in chunk {
                    let v = record.as_struct().unwrap().values();
                    let Value::Int64(x) = &v[0] else {
                        unreachable!()
                    };
                    id.append_value(*x);
                    user.append_value(v[1].as_str().unwrap());
                    let Value::Float64(x) = &v[2] else {
                        unreachable!()
                    };
                    amount.append_value(*x);
                    let Value::Int32(x) = &v[3] else {
                        unreachable!()
                    };
                    count.append_value(*x);
                    let Value::Boolean(x) = &v[4] else {
                        unreachable!()
                    };
                    flag.append_value(*x);
                    let Value::Timestamp(x) = &v[5] else {
                        unreachable!()
                    };
                    ts.append_value(*x);
                    note.append_option(v[6].as_str());
                    category.append_value(v[7].as_str().unwrap());
                    for t in v[8].as_array().unwrap() {
                        tags.values().append_value(t.as_str().unwrap());
                    }
                    tags.append(true);
                }
                let columns: Vec<ArrayRef> = vec![
                    Arc::new(id.finish()),
                    Arc::new(user.finish()),
                    Arc::new(amount.finish()),
                    Arc::new(count.finish()),
                    Arc::new(flag.finish()),
                    Arc::new(ts.finish()),
                    Arc::new(note.finish()),
                    Arc::new(category.finish()),
                    Arc::new(tags.finish()),
                ];
                batches.push(RecordBatch::try_new(Arc::clone(&arrow), columns).unwrap());
            }
            batches
        };

        let format = ParquetFormat::default();
        for round in 0..3 {
            let start = Instant::now();
            let mut writer = format.new_writer(Some(&schema)).unwrap();
            for record in &records {
                writer.write(record).unwrap();
            }
            let mut file = Vec::new();
            writer.finish(&mut file).unwrap();
            let sink = start.elapsed();

            let start = Instant::now();
            let batches = build_batches(&records);
            let mut direct =
                ArrowWriter::try_new(Vec::new(), Arc::clone(&arrow), Some(props())).unwrap();
            for batch in &batches {
                direct.write(batch).unwrap();
            }
            let direct_file = direct.into_inner().unwrap();
            let builders = start.elapsed();

            let start = Instant::now();
            let mut encode =
                ArrowWriter::try_new(Vec::new(), Arc::clone(&arrow), Some(props())).unwrap();
            for batch in &batches {
                encode.write(batch).unwrap();
            }
            let encode_file = encode.into_inner().unwrap();
            let encode_only = start.elapsed();

            println!(
                "round {round}: {rows} rows; format {sink:?} ({} bytes); arrow builders + \
                 ArrowWriter {builders:?} ({} bytes), ratio {:.2}; ArrowWriter on ready \
                 batches {encode_only:?} ({} bytes), ratio {:.2}",
                file.len(),
                direct_file.len(),
                builders.as_secs_f64() / sink.as_secs_f64(),
                encode_file.len(),
                encode_only.as_secs_f64() / sink.as_secs_f64(),
            );
        }
    }
}
