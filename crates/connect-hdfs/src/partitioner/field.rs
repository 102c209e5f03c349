//! `FieldPartitioner`: directories named after fields of the record value,
//! `<f1>=<v1>/<f2>=<v2>`.

use connect_api::data::{Schema, Struct, Type, Value};
use connect_api::error::ConfigError;
use connect_api::record::SinkRecord;

use super::{PartitionError, Partitioner, TimestampExtractor};

/// The key listing the partition fields.
pub const PARTITION_FIELD_NAME_CONFIG: &str = "partition.field.name";

/// Partitions by the values of one or more fields of a Struct value, in the configured order.
///
/// As storage-common 12 does: a dotted name (`address.country`) reaches into nested Structs, a
/// null value (or a null Struct on the way) is written `name=null`, and integer (`INT8` to
/// `INT64`), `STRING` and `BOOLEAN` fields are accepted. Any other type, a field missing from the
/// schema, or a value that is not a Struct fails with `Error encoding partition.`.
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder, Struct};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_hdfs::partitioner::{FieldPartitioner, Partitioner};
///
/// let schema = SchemaBuilder::struct_()
///     .field("country", Schema::string())
///     .field("year", Schema::int32())
///     .build()?;
/// let value = Struct::new(schema.clone())?.with("country", "fr")?.with("year", 2024)?;
/// let record = SinkRecord::new(
///     ConnectRecord::new("sales", Some(schema), value.into()),
///     0,
///     0,
///     TimestampType::NoTimestampType,
/// );
/// let partitioner = FieldPartitioner::new(vec!["country".into(), "year".into()], "/")?;
/// assert_eq!(partitioner.encode_partition(&record, 0)?, "country=fr/year=2024");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPartitioner {
    fields: Vec<String>,
    delim: String,
}

impl FieldPartitioner {
    /// A partitioner on `fields` (dotted for nested fields), joined with `delim`.
    ///
    /// # Errors
    ///
    /// No fields, or an empty field name: Confluent's "Partition field name cannot be null or
    /// empty when using FieldPartitioner."
    pub fn new(fields: Vec<String>, delim: &str) -> Result<Self, ConfigError> {
        if fields.is_empty() || fields.iter().any(|f| f.trim().is_empty()) {
            return Err(ConfigError::invalid(
                PARTITION_FIELD_NAME_CONFIG,
                format!("[{}]", fields.join(", ")),
                "Partition field name cannot be null or empty when using FieldPartitioner.",
            ));
        }
        Ok(Self {
            fields,
            delim: delim.to_owned(),
        })
    }

    /// The partition fields, in order.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The encoded `name=value` of one field.
    fn encode_field(&self, value: &Struct, name: &str) -> Result<String, PartitionError> {
        check_schema_path(value.schema(), name)?;
        let Some(field_value) = nested_value(value, name) else {
            return Ok(format!("{name}=null"));
        };
        let text = match field_value {
            Value::Null => "null".to_owned(),
            Value::Int8(v) => v.to_string(),
            Value::Int16(v) => v.to_string(),
            Value::Int32(v) => v.to_string(),
            Value::Int64(v) => v.to_string(),
            Value::String(s) => s.clone(),
            Value::Boolean(b) => b.to_string(),
            other => {
                return Err(encoding_error(format!(
                    "Type {} of field '{name}' is not supported as a partition key.",
                    other.kind()
                )));
            }
        };
        Ok(format!("{name}={text}"))
    }
}

/// `Error encoding partition.` followed by why.
fn encoding_error(reason: impl std::fmt::Display) -> PartitionError {
    PartitionError(format!("Error encoding partition. {reason}"))
}

/// Checks that every step of the dotted `name` is a field of a struct schema.
fn check_schema_path(schema: &Schema, name: &str) -> Result<(), PartitionError> {
    let mut current = schema;
    for part in name.split('.') {
        let field = (current.type_() == Type::Struct)
            .then(|| current.field(part))
            .flatten()
            .ok_or_else(|| {
                encoding_error(format!("Field '{name}' is not present in the schema."))
            })?;
        current = field.schema();
    }
    Ok(())
}

/// The value at the dotted `name`, with defaults applied; `None` when a Struct on the way is
/// null.
fn nested_value<'a>(value: &'a Struct, name: &str) -> Option<&'a Value> {
    let mut parts = name.split('.').peekable();
    let mut current = value;
    while let Some(part) = parts.next() {
        let field_value = current.get(part).ok()?;
        if parts.peek().is_none() {
            return Some(field_value);
        }
        current = field_value.as_struct()?;
    }
    None
}

impl Partitioner for FieldPartitioner {
    fn encode_partition(
        &self,
        record: &SinkRecord,
        _now_ms: i64,
    ) -> Result<String, PartitionError> {
        let Value::Struct(value) = &record.value else {
            return Err(encoding_error(format!(
                "The record value is a {}, not a Struct.",
                record.value.kind()
            )));
        };
        let parts = self
            .fields
            .iter()
            .map(|name| self.encode_field(value, name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(parts.join(&self.delim))
    }

    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String {
        format!("{topic}{}{encoded_partition}", self.delim)
    }

    fn partition_fields(&self) -> Vec<String> {
        self.fields.clone()
    }

    fn timestamp_extractor(&self) -> Option<&dyn TimestampExtractor> {
        None
    }
}

#[cfg(test)]
mod tests {
    use connect_api::data::{SchemaBuilder, logical};
    use connect_api::record::{ConnectRecord, TimestampType};

    use super::*;

    fn address_schema() -> Schema {
        SchemaBuilder::struct_()
            .optional()
            .field("country", Schema::string())
            .field("zip", Schema::optional_int32())
            .build()
            .unwrap()
    }

    fn schema() -> Schema {
        SchemaBuilder::struct_()
            .field("i8", Schema::int8())
            .field("i16", Schema::int16())
            .field("i32", Schema::int32())
            .field("i64", Schema::int64())
            .field("s", Schema::string())
            .field("b", Schema::boolean())
            .field("f", Schema::float32())
            .field("d", Schema::float64())
            .field("opt", Schema::optional_string())
            .field("optnum", Schema::optional_int64())
            .field("optbool", Schema::optional_boolean())
            .field(
                "defaulted",
                SchemaBuilder::string()
                    .optional()
                    .default_value("dflt")
                    .build()
                    .unwrap(),
            )
            .field("day", logical::date_schema())
            .field("address", address_schema())
            .field("missing_address", address_schema())
            .build()
            .unwrap()
    }

    fn record() -> SinkRecord {
        let schema = schema();
        let address = Struct::new(address_schema())
            .unwrap()
            .with("country", "fr")
            .unwrap()
            .with("zip", 75_001i32)
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("i8", 1i8)
            .unwrap()
            .with("i16", -2i16)
            .unwrap()
            .with("i32", 3i32)
            .unwrap()
            .with("i64", 4i64)
            .unwrap()
            .with("s", "text")
            .unwrap()
            .with("b", true)
            .unwrap()
            .with("f", 1.5f32)
            .unwrap()
            .with("d", 2.5f64)
            .unwrap()
            .with("day", Value::Date(3))
            .unwrap()
            .with("address", address)
            .unwrap();
        SinkRecord::new(
            ConnectRecord::new("t", Some(schema), value.into()),
            0,
            0,
            TimestampType::NoTimestampType,
        )
    }

    fn encode(fields: &[&str]) -> Result<String, PartitionError> {
        let fields = fields.iter().map(|f| (*f).to_owned()).collect();
        FieldPartitioner::new(fields, "/")
            .unwrap()
            .encode_partition(&record(), 0)
    }

    #[test]
    fn supported_types_in_config_order() {
        assert_eq!(
            encode(&["s", "i8", "i16", "i32", "i64", "b"]).unwrap(),
            "s=text/i8=1/i16=-2/i32=3/i64=4/b=true"
        );
        assert_eq!(encode(&["i64", "s"]).unwrap(), "i64=4/s=text");
    }

    #[test]
    fn nested_fields() {
        assert_eq!(
            encode(&["address.country", "address.zip"]).unwrap(),
            "address.country=fr/address.zip=75001"
        );
    }

    #[test]
    fn nulls_render_as_null() {
        assert_eq!(
            encode(&["opt", "optnum", "optbool"]).unwrap(),
            "opt=null/optnum=null/optbool=null"
        );
        // A null struct on the way.
        assert_eq!(
            encode(&["missing_address.country"]).unwrap(),
            "missing_address.country=null"
        );
        // Defaults apply, as Struct.get applies them.
        assert_eq!(encode(&["defaulted"]).unwrap(), "defaulted=dflt");
    }

    #[test]
    fn unsupported_types() {
        for (field, kind) in [
            ("f", "float32"),
            ("d", "float64"),
            ("day", "date"),
            ("address", "struct"),
        ] {
            let err = encode(&[field]).unwrap_err();
            assert_eq!(
                err.0,
                format!(
                    "Error encoding partition. Type {kind} of field '{field}' is not supported as a partition key."
                )
            );
        }
    }

    #[test]
    fn missing_fields() {
        for field in ["nope", "address.nope", "s.deeper"] {
            let err = encode(&[field]).unwrap_err();
            assert_eq!(
                err.0,
                format!("Error encoding partition. Field '{field}' is not present in the schema.")
            );
        }
    }

    #[test]
    fn values_that_are_not_structs() {
        let partitioner = FieldPartitioner::new(vec!["s".into()], "/").unwrap();
        let record = SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into()),
            0,
            0,
            TimestampType::NoTimestampType,
        );
        let err = partitioner.encode_partition(&record, 0).unwrap_err();
        assert_eq!(
            err.0,
            "Error encoding partition. The record value is a string, not a Struct."
        );
        let map = SinkRecord::new(
            ConnectRecord::new("t", None, Value::Map(vec![("s".into(), "v".into())])),
            0,
            0,
            TimestampType::NoTimestampType,
        );
        assert!(partitioner.encode_partition(&map, 0).is_err());
    }

    #[test]
    fn fields_and_paths() {
        let partitioner = FieldPartitioner::new(vec!["a".into(), "b.c".into()], "#").unwrap();
        assert_eq!(partitioner.partition_fields(), ["a", "b.c"]);
        assert_eq!(
            partitioner.partitioned_path("t", "a=1#b.c=2"),
            "t#a=1#b.c=2"
        );
        assert!(partitioner.timestamp_extractor().is_none());
        let fields: Vec<String> = vec!["i32".into(), "s".into()];
        let encoded = FieldPartitioner::new(fields, "#")
            .unwrap()
            .encode_partition(&record(), 0)
            .unwrap();
        assert_eq!(encoded, "i32=3#s=text");
    }

    #[test]
    fn no_fields() {
        let err = FieldPartitioner::new(Vec::new(), "/").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value [] for configuration partition.field.name: \
             Partition field name cannot be null or empty when using FieldPartitioner."
        );
        assert!(FieldPartitioner::new(vec!["a".into(), String::new()], "/").is_err());
    }
}
