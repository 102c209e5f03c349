//! File formats: how record values become the bytes of a data file, and the schema a committed
//! file was written with.
//!
//! Only record values are written, as Confluent's formats do. A writer encodes into memory;
//! the caller moves the encoded bytes to storage with [`RecordWriter::take_output`] whenever it
//! likes, so a writer holds at most what its format must buffer (a Parquet row group).

use std::fmt;
use std::sync::Arc;

use connect_api::error::ConfigError;
use connect_avro::{AvroData, AvroDataConfig};

use crate::config::HdfsSinkConfig;
use crate::storage::ReadRange;

pub mod avro;
pub mod json;
pub mod parquet;
pub mod string;

use connect_api::data::{Schema, Value};

/// A value that a format cannot write, or a file whose schema cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The format cannot write this kind of value (for example a schemaless record into Avro).
    #[error("{0}")]
    Unsupported(String),
    /// Encoding failed.
    #[error("{0}")]
    Encode(String),
    /// A committed file could not be read back.
    #[error("{0}")]
    Read(String),
    /// Records the writer had accepted were lost on the way into the file: the file can no
    /// longer be completed and must be written again.
    #[error("{0}")]
    FileLost(String),
}

/// A file format (Confluent's `io.confluent.connect.hdfs.*Format` classes).
pub trait Format: Send + Sync + fmt::Debug {
    /// The file name extension, with its dot: `.avro`, `.parquet`, `.json`, `.txt`.
    fn extension(&self) -> &'static str;

    /// A writer for a new file whose records all have the value schema `schema` (`None` for
    /// schemaless records).
    fn new_writer(&self, schema: Option<&Schema>) -> Result<Box<dyn RecordWriter>, FormatError>;

    /// The value schema a committed file was written with; `None` for formats that keep none
    /// (JSON, String). `file` is the file, or the part [`schema_range`](Self::schema_range)
    /// names.
    fn read_schema(&self, file: &[u8]) -> Result<Option<Schema>, FormatError>;

    /// Where files keep their schema, so that reading it needs only that part of a file; `None`
    /// for formats that keep none.
    fn schema_range(&self) -> Option<ReadRange> {
        None
    }
}

/// Writes the records of one file.
pub trait RecordWriter: Send {
    /// Encodes one record value (already projected to the file's schema).
    fn write(&mut self, value: &Value) -> Result<(), FormatError>;

    /// Moves the bytes encoded so far that are final into `out` (appending).
    fn take_output(&mut self, out: &mut Vec<u8>);

    /// Ends the file: appends everything still held (and any footer) to `out`.
    fn finish(self: Box<Self>, out: &mut Vec<u8>) -> Result<(), FormatError>;

    /// The bytes the writer holds in memory, encoded or not, that `take_output` has not moved.
    fn buffered_bytes(&self) -> usize;

    /// The encoded bytes [`take_output`](Self::take_output) would move now; callers move them
    /// out once there are enough to be worth a write. By default all buffered bytes.
    fn output_bytes(&self) -> usize {
        self.buffered_bytes()
    }
}

/// Moves the bytes of `from` to the end of `out`, leaving `from` empty: by swapping the buffers
/// when `out` is empty (the common case: a writer's whole output), without copying them.
pub(crate) fn move_bytes(from: &mut Vec<u8>, out: &mut Vec<u8>) {
    if out.is_empty() {
        std::mem::swap(from, out);
    } else {
        out.append(from);
    }
}

/// The format `format.class` names: Confluent's class names
/// (`io.confluent.connect.hdfs.parquet.ParquetFormat`, ...), their simple names
/// (`ParquetFormat`) or short names (`parquet`), case-insensitively.
///
/// ```
/// use connect_api::config::{ConfigMap, ConnectConfig};
/// use connect_hdfs::HdfsSinkConfig;
///
/// let props = ConfigMap::from([
///     ("hdfs.url".to_owned(), "file:///tmp/hdfs".to_owned()),
///     ("flush.size".to_owned(), "3".to_owned()),
///     ("format.class".to_owned(), "io.confluent.connect.hdfs.parquet.ParquetFormat".to_owned()),
/// ]);
/// let format = connect_hdfs::format::from_config(&HdfsSinkConfig::from_props(&props)?)?;
/// assert_eq!(format.extension(), ".parquet");
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
pub fn from_config(config: &HdfsSinkConfig) -> Result<Arc<dyn Format>, ConfigError> {
    let class = config.format_class.trim();
    let simple = class
        .rsplit('.')
        .next()
        .unwrap_or(class)
        .to_ascii_lowercase();
    let name = simple.strip_suffix("format").unwrap_or(&simple);
    // The one converter of the connector's AvroData settings (`connect.meta.data`,
    // `enhanced.avro.schema.support`, `schemas.cache.config`), whichever format makes Avro
    // schemas with it: the Avro format's file schemas, the Parquet format's
    // `parquet.avro.schema`.
    let avro_data = Arc::new(AvroData::new(AvroDataConfig {
        connect_meta_data: config.connect_meta_data,
        enhanced_avro_schema_support: config.enhanced_avro_schema_support,
        schemas_cache_size: usize::try_from(config.schemas_cache_config).unwrap_or(1),
        ..AvroDataConfig::default()
    }));
    Ok(match name {
        "avro" => {
            let codec = config
                .avro_codec
                .parse::<avro::AvroCodec>()
                .map_err(|error| {
                    ConfigError::invalid("avro.codec", &config.avro_codec, error.to_string())
                })?;
            Arc::new(avro::AvroFormat::new(codec, avro_data))
        }
        "parquet" => Arc::new(parquet::ParquetFormat::new(
            parquet::ParquetOptions {
                codec: parquet::ParquetCodec::parse(&config.parquet_codec)?,
                row_group_bytes: usize::try_from(config.parquet_row_group_size_bytes)
                    .unwrap_or(usize::MAX),
            },
            avro_data,
        )),
        "json" => Arc::new(json::JsonFormat::new()),
        "string" => Arc::new(string::StringFormat::new()),
        _ => {
            return Err(ConfigError::invalid(
                "format.class",
                class,
                "unknown format; use one of io.confluent.connect.hdfs.avro.AvroFormat, io.confluent.connect.hdfs.parquet.ParquetFormat, io.confluent.connect.hdfs.json.JsonFormat, io.confluent.connect.hdfs.string.StringFormat (ORC is not supported)",
            ));
        }
    })
}
