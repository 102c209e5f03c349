//! Confluent's `io.confluent.connect.hdfs.json.JsonFormat`: one JSON document per record.
//!
//! Each record value becomes one JSON document followed by `\n`:
//! - a Struct goes through Kafka's `JsonConverter` with `schemas.enable=false`, so the payload
//!   alone is written, exactly as the converter encodes it (bytes and decimals as base64 strings,
//!   since `decimal.format` keeps its default `BASE64`; Date, Time and Timestamp as numbers; maps
//!   with string keys as objects, other maps as arrays of `[key, value]` pairs);
//! - null becomes `null`;
//! - any other value is written as Confluent's Jackson mapper writes the Java object: a string
//!   as a quoted JSON string, numbers and booleans as themselves, bytes as base64, arrays as
//!   arrays, maps with string keys as objects. A top-level Decimal is a JSON number (Java's
//!   `BigDecimal.toString()`), and a top-level Date, Time or Timestamp is the milliseconds since
//!   the epoch of its `java.util.Date`.
//!
//! Values other than Structs are encoded with the converter's schemaless rules, which match
//! Jackson's output except in corners Jackson handles by reflection: a map whose keys are not all
//! strings is written as `[key, value]` pairs (Jackson would write an object keyed by
//! `toString()`), and a Struct or logical value nested inside a schemaless array or map is refused.
//! The file keeps no schema.

use std::io::Write as _;
use std::sync::Arc;

use connect_api::data::logical;
use connect_api::data::{Schema, Value};
use connect_api::storage::json::{DecimalFormat, JsonConverter, JsonConverterConfig};

use super::{Format, FormatError, RecordWriter};

/// Milliseconds in a day, for Date values written as `java.util.Date`.
const MILLIS_PER_DAY: i64 = 86_400_000;

/// The JSON format (`.json`): newline-delimited JSON documents, one per record value.
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_hdfs::format::json::JsonFormat;
/// use connect_hdfs::format::Format;
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("name", Schema::optional_string())
///     .build()?;
/// let record = Struct::new(schema.clone())?.with("id", 7i64)?.with("name", "ada")?;
///
/// let format = JsonFormat::new();
/// assert_eq!(format.extension(), ".json");
/// let mut writer = format.new_writer(Some(&schema))?;
/// writer.write(&Value::Struct(record))?;
/// writer.write(&Value::from("text"))?;
/// writer.write(&Value::Null)?;
/// let mut file = Vec::new();
/// writer.finish(&mut file)?;
/// assert_eq!(String::from_utf8(file)?, "{\"id\":7,\"name\":\"ada\"}\n\"text\"\nnull\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JsonFormat {
    converters: Arc<Converters>,
}

/// The converters shared by every writer of a format, as Confluent shares one per format.
#[derive(Debug)]
struct Converters {
    /// `schemas.enable=false`, otherwise Kafka's defaults: the payload of Struct values.
    payload: JsonConverter,
    /// Also `decimal.format=NUMERIC`: a top-level Decimal as the JSON number Jackson writes.
    numeric: JsonConverter,
}

impl JsonFormat {
    /// The JSON format, with Confluent's converter settings.
    pub fn new() -> Self {
        let payload = JsonConverterConfig {
            schemas_enable: false,
            ..JsonConverterConfig::default()
        };
        let numeric = JsonConverterConfig {
            decimal_format: DecimalFormat::Numeric,
            ..payload.clone()
        };
        Self {
            converters: Arc::new(Converters {
                payload: JsonConverter::with_config(payload),
                numeric: JsonConverter::with_config(numeric),
            }),
        }
    }
}

impl Default for JsonFormat {
    fn default() -> Self {
        Self::new()
    }
}

impl Format for JsonFormat {
    fn extension(&self) -> &'static str {
        ".json"
    }

    fn new_writer(&self, _schema: Option<&Schema>) -> Result<Box<dyn RecordWriter>, FormatError> {
        Ok(Box::new(JsonRecordWriter {
            converters: Arc::clone(&self.converters),
            buf: Vec::new(),
        }))
    }

    fn read_schema(&self, _file: &[u8]) -> Result<Option<Schema>, FormatError> {
        Ok(None)
    }
}

/// Writes one JSON document per line.
#[derive(Debug)]
struct JsonRecordWriter {
    converters: Arc<Converters>,
    buf: Vec<u8>,
}

impl JsonRecordWriter {
    /// Appends the JSON of `value`, without the line separator.
    fn encode(&mut self, value: &Value) -> Result<(), FormatError> {
        let converters = &*self.converters;
        let encoded = match value {
            Value::Null => {
                self.buf.extend_from_slice(b"null");
                return Ok(());
            }
            Value::Struct(record) => converters.payload.encode(Some(record.schema()), value),
            Value::Decimal(decimal) => {
                let (_, scale) = decimal.as_bigint_and_scale();
                let scale = i32::try_from(scale).map_err(|_| {
                    FormatError::Encode(format!("Decimal scale {scale} does not fit in 32 bits"))
                })?;
                converters
                    .numeric
                    .encode(Some(&logical::decimal_schema(scale)), value)
            }
            Value::Date(days) => return self.write_millis(i64::from(*days) * MILLIS_PER_DAY),
            Value::Time(millis) => return self.write_millis(i64::from(*millis)),
            Value::Timestamp(millis) => return self.write_millis(*millis),
            other => converters.payload.encode(None, other),
        };
        let bytes = encoded.map_err(|e| FormatError::Encode(e.to_string()))?;
        match bytes {
            Some(bytes) => self.buf.extend_from_slice(&bytes),
            // Only a null without a schema is a tombstone, and null is handled above.
            None => self.buf.extend_from_slice(b"null"),
        }
        Ok(())
    }

    fn write_millis(&mut self, millis: i64) -> Result<(), FormatError> {
        write!(self.buf, "{millis}").map_err(|e| FormatError::Encode(e.to_string()))
    }
}

impl RecordWriter for JsonRecordWriter {
    fn write(&mut self, value: &Value) -> Result<(), FormatError> {
        let start = self.buf.len();
        match self.encode(value) {
            Ok(()) => {
                self.buf.push(b'\n');
                Ok(())
            }
            Err(err) => {
                self.buf.truncate(start);
                Err(err)
            }
        }
    }

    fn take_output(&mut self, out: &mut Vec<u8>) {
        super::move_bytes(&mut self.buf, out);
    }

    fn finish(mut self: Box<Self>, out: &mut Vec<u8>) -> Result<(), FormatError> {
        super::move_bytes(&mut self.buf, out);
        Ok(())
    }

    fn buffered_bytes(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use bigdecimal::BigDecimal;
    use bytes::Bytes;
    use connect_api::data::{SchemaBuilder, Struct};

    use super::*;

    fn lines(values: &[Value]) -> String {
        let mut writer = JsonFormat::new().new_writer(None).unwrap();
        for value in values {
            writer.write(value).unwrap();
        }
        let mut out = Vec::new();
        writer.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn struct_payload_as_the_converter_writes_it() {
        let inner = SchemaBuilder::struct_()
            .field("flag", Schema::boolean())
            .optional()
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("i", Schema::int32())
            .field("f", Schema::float64())
            .field("s", Schema::optional_string())
            .field("b", Schema::bytes())
            .field("d", logical::decimal_schema(2))
            .field("day", logical::date_schema())
            .field("ts", logical::timestamp_schema())
            .field(
                "tags",
                SchemaBuilder::array(Schema::string()).build().unwrap(),
            )
            .field(
                "m",
                SchemaBuilder::map(Schema::string(), Schema::int64())
                    .build()
                    .unwrap(),
            )
            .field("inner", inner.clone())
            .build()
            .unwrap();
        let record = Struct::new(schema.clone())
            .unwrap()
            .with("i", 1i32)
            .unwrap()
            .with("f", 1.5f64)
            .unwrap()
            .with("b", Value::Bytes(Bytes::from_static(b"hi")))
            .unwrap()
            .with("d", Value::Decimal(BigDecimal::from_str("-1.56").unwrap()))
            .unwrap()
            .with("day", Value::Date(1))
            .unwrap()
            .with("ts", Value::Timestamp(1_000))
            .unwrap()
            .with("tags", Value::Array(vec!["x".into(), "y".into()]))
            .unwrap()
            .with("m", Value::Map(vec![("k".into(), Value::Int64(2))]))
            .unwrap();
        let text = lines(&[Value::Struct(record.clone())]);
        assert_eq!(
            text,
            concat!(
                r#"{"i":1,"f":1.5,"s":null,"b":"aGk=","d":"/2Q=","day":1,"ts":1000,"#,
                r#""tags":["x","y"],"m":{"k":2},"inner":null}"#,
                "\n"
            )
        );
        // The same bytes as the converter itself, with schemas disabled.
        let converter = JsonConverter::with_config(JsonConverterConfig {
            schemas_enable: false,
            ..JsonConverterConfig::default()
        });
        let direct = converter
            .encode(Some(&schema), &Value::Struct(record))
            .unwrap()
            .unwrap();
        assert_eq!(text.trim_end().as_bytes(), &direct[..]);
    }

    #[test]
    fn other_values_as_jackson_writes_them() {
        let text = lines(&[
            Value::from("quoted \"text\""),
            Value::Null,
            Value::Int64(-3),
            Value::Boolean(true),
            Value::Float64(1.0e10),
            Value::Bytes(Bytes::from_static(b"hi")),
            Value::Map(vec![
                ("a".into(), Value::Int32(1)),
                ("b".into(), Value::Array(vec![Value::Null])),
            ]),
            Value::Decimal(BigDecimal::from_str("12.50").unwrap()),
            Value::Date(2),
            Value::Time(1_500),
            Value::Timestamp(-5),
        ]);
        assert_eq!(
            text,
            concat!(
                "\"quoted \\\"text\\\"\"\n",
                "null\n",
                "-3\n",
                "true\n",
                "1.0E10\n",
                "\"aGk=\"\n",
                "{\"a\":1,\"b\":[null]}\n",
                "12.50\n",
                "172800000\n",
                "1500\n",
                "-5\n",
            )
        );
    }

    #[test]
    fn a_failed_record_leaves_nothing_behind() {
        let mut writer = JsonFormat::new().new_writer(None).unwrap();
        writer.write(&Value::from("ok")).unwrap();
        let nested_struct = Value::Array(vec![Value::Struct(
            Struct::new(
                SchemaBuilder::struct_()
                    .field("x", Schema::int32())
                    .build()
                    .unwrap(),
            )
            .unwrap()
            .with("x", 1i32)
            .unwrap(),
        )]);
        let err = writer.write(&nested_struct).unwrap_err();
        assert!(matches!(err, FormatError::Encode(_)), "{err}");
        let mut out = Vec::new();
        writer.take_output(&mut out);
        assert_eq!(out, b"\"ok\"\n");
        assert_eq!(writer.buffered_bytes(), 0);
        writer.finish(&mut out).unwrap();
        assert_eq!(out, b"\"ok\"\n");
    }

    #[test]
    fn keeps_no_schema() {
        assert!(JsonFormat::new().read_schema(b"{}\n").unwrap().is_none());
    }
}
