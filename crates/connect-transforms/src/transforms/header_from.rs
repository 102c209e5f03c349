//! `HeaderFrom$Key` / `HeaderFrom$Value`: moves or copies fields of the key or value into
//! headers.

use std::fmt;

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance, ValidString};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::header::Header;
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{NonEmptyList, copy_schema_basics};
use crate::common::{Part, SchemaCache, data_error, get_field, require_map, require_struct};

const FIELDS_FIELD: &str = "fields";
const HEADERS_FIELD: &str = "headers";
const OPERATION_FIELD: &str = "operation";
const MOVE_OPERATION: &str = "move";
const COPY_OPERATION: &str = "copy";
const REPLACE_NULL_WITH_DEFAULT_FIELD: &str = "replace.null.with.default";

/// Moves or copies fields in the key or value of a record into that record's headers (Kafka's
/// `HeaderFrom$Key` and `HeaderFrom$Value`).
///
/// The n-th field of `fields` goes to a header named by the n-th item of `headers`; the header
/// is appended, so existing headers are kept. With `operation=copy` the key or value is left as
/// it is; with `operation=move` the fields are removed from it (with a schema, the value is
/// rebuilt with a schema without them, made once per input schema and cached).
///
/// With a schema the key or value must be a struct and each header gets the field's schema;
/// `replace.null.with.default` (default `true`) decides whether a null field reads as its
/// default. Without a schema it must be a map and the headers have no schema; a missing entry
/// gives a null header. As in Kafka, a null key or value is an error.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::header_from::HeaderFrom;
///
/// let mut header_from = HeaderFrom::value();
/// let props = ConfigMap::from([
///     ("fields".to_owned(), "trace_id".to_owned()),
///     ("headers".to_owned(), "trace".to_owned()),
///     ("operation".to_owned(), "move".to_owned()),
/// ]);
/// Transform::<SinkRecord>::configure(&mut header_from, &props)?;
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("trace_id", Schema::string())
///     .build()?;
/// let value = Struct::new(schema.clone())?.with("id", 7i64)?.with("trace_id", "abc")?;
/// let record = ConnectRecord::new("orders", Some(schema), value.into());
/// let record = SinkRecord::new(record, 0, 42, TimestampType::CreateTime);
///
/// let out = header_from.apply(record)?.expect("HeaderFrom never drops a record");
/// let trace = out.headers.last_with_name("trace").expect("added");
/// assert_eq!((trace.schema(), trace.value()), (Some(&Schema::string()), &Value::from("abc")));
/// let value = out.value.as_struct().expect("a struct");
/// assert_eq!(value.schema().fields().len(), 1);
/// assert_eq!(value.get("id")?, &Value::Int64(7));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug)]
pub struct HeaderFrom {
    part: Part,
    /// `None` until configured.
    config: Option<HeaderFromConfig>,
    /// The schemas without the moved fields.
    move_schemas: SchemaCache,
}

/// What is done with the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Move,
    Copy,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Move => MOVE_OPERATION,
            Operation::Copy => COPY_OPERATION,
        })
    }
}

#[derive(Debug, Clone)]
struct HeaderFromConfig {
    fields: Vec<String>,
    headers: Vec<String>,
    operation: Operation,
    replace_null_with_default: bool,
    /// `header move` or `header copy`, for error messages.
    purpose: String,
}

impl HeaderFrom {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.HeaderFrom$Key";

    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.HeaderFrom$Value";

    /// Kafka's description of the transform.
    pub const OVERVIEW_DOC: &str = "Moves or copies fields in the key/value of a record into that record's headers. \
         Corresponding elements of <code>fields</code> and <code>headers</code> together identify a field and the header it should be \
         moved or copied to. Use the concrete transformation type designed for the record \
         key (<code>org.apache.kafka.connect.transforms.HeaderFrom$Key</code>) or value (<code>org.apache.kafka.connect.transforms.HeaderFrom$Value</code>).";

    /// `HeaderFrom$Key`: takes the fields from the record key.
    pub fn key() -> Self {
        Self::on(Part::Key)
    }

    /// `HeaderFrom$Value`: takes the fields from the record value.
    pub fn value() -> Self {
        Self::on(Part::Value)
    }

    fn on(part: Part) -> Self {
        Self {
            part,
            config: None,
            move_schemas: SchemaCache::default(),
        }
    }

    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::list(FIELDS_FIELD)
                    .validator(NonEmptyList)
                    .importance(Importance::High)
                    .documentation(
                        "Field names in the record whose values are to be copied or moved to headers.",
                    ),
            )
            .define(
                ConfigKey::list(HEADERS_FIELD)
                    .validator(NonEmptyList)
                    .importance(Importance::High)
                    .documentation(
                        "Header names, in the same order as the field names listed in the fields configuration property.",
                    ),
            )
            .define(
                ConfigKey::string(OPERATION_FIELD)
                    .validator(ValidString::in_([MOVE_OPERATION, COPY_OPERATION]))
                    .importance(Importance::High)
                    .documentation(
                        "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), \
                         or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).",
                    ),
            )
            .define(
                ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_FIELD)
                    .default_value(true)
                    .importance(Importance::Medium)
                    .documentation(
                        "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
                    ),
            )
    }
}

impl<R: Record> Transform<R> for HeaderFrom {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let fields = parsed.get_list(FIELDS_FIELD)?.to_vec();
        let headers = parsed.get_list(HEADERS_FIELD)?.to_vec();
        if headers.len() != fields.len() {
            return Err(ConnectError::Config(ConfigError::other(format!(
                "'{FIELDS_FIELD}' config must have the same number of elements as '{HEADERS_FIELD}' config."
            ))));
        }
        let operation = match parsed.get_string(OPERATION_FIELD)? {
            MOVE_OPERATION => Operation::Move,
            _ => Operation::Copy,
        };
        self.config = Some(HeaderFromConfig {
            fields,
            headers,
            operation,
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_FIELD)?,
            purpose: format!("header {operation}"),
        });
        self.move_schemas = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Some(config) = &self.config else {
            return Err(ConnectError::Config(ConfigError::missing(FIELDS_FIELD)));
        };
        let part = self.part;
        let (updated_schema, updated_value, headers) = match part.schema(&record) {
            None => {
                let (_, value) = part.take(&mut record);
                let (value, headers) = schemaless(config, value)?;
                (None, value, headers)
            }
            Some(schema) => {
                let schema = schema.clone();
                match config.operation {
                    Operation::Copy => {
                        // The value stays as it is: read the headers from it in place.
                        let value = require_struct(part.value(&record), &config.purpose)?;
                        let headers = headers_from_struct(config, &schema, value)?;
                        for header in headers {
                            record.headers.add_header(header);
                        }
                        return Ok(Some(record));
                    }
                    Operation::Move => {
                        let (_, value) = part.take(&mut record);
                        let value = match value {
                            Value::Struct(value) => value,
                            other => {
                                return Err(not_a(require_struct(&other, &config.purpose).err()));
                            }
                        };
                        let moved_schema = self
                            .move_schemas
                            .get_or_derive(&schema, |schema| move_schema(schema, &config.fields))?
                            .clone();
                        let headers = headers_from_struct(config, &schema, &value)?;
                        let updated = moved_struct(config, &moved_schema, value)?;
                        (Some(moved_schema), Value::Struct(updated), headers)
                    }
                }
            }
        };
        for header in headers {
            record.headers.add_header(header);
        }
        part.set(&mut record, updated_schema, updated_value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

/// Schemaless: the map (without the fields when moving) and the headers, without schemas.
fn schemaless(config: &HeaderFromConfig, value: Value) -> Result<(Value, Vec<Header>)> {
    let mut entries = match value {
        Value::Map(entries) => entries,
        other => return Err(not_a(require_map(&other, &config.purpose).err())),
    };
    let mut headers = Vec::with_capacity(config.fields.len());
    for (field, header) in config.fields.iter().zip(&config.headers) {
        let field_value = entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(field.as_str()))
            .map_or(Value::Null, |(_, v)| v.clone());
        headers.push(Header::new(header.clone(), None, field_value)?);
    }
    if config.operation == Operation::Move {
        entries.retain(|(k, _)| {
            !k.as_str()
                .is_some_and(|k| config.fields.iter().any(|f| f == k))
        });
    }
    Ok((Value::Map(entries), headers))
}

/// One header per configured field of `value`, with the field's schema in `schema` (the
/// record's schema for the part).
fn headers_from_struct(
    config: &HeaderFromConfig,
    schema: &Schema,
    value: &Struct,
) -> Result<Vec<Header>> {
    let mut headers = Vec::with_capacity(config.fields.len());
    for (field, header) in config.fields.iter().zip(&config.headers) {
        let field_value = if value.schema().field(field).is_some() {
            get_field(value, field, config.replace_null_with_default)?.clone()
        } else {
            Value::Null
        };
        // Kafka fails with a NullPointerException for a field the schema does not have.
        let field_schema = schema
            .field(field)
            .ok_or_else(|| data_error(format!("{field} is not a valid field name")))?
            .schema()
            .clone();
        headers.push(header_with_schema(header, field_schema, field_value)?);
    }
    Ok(headers)
}

/// A header checked against its schema, with Kafka's message for a null in a required schema
/// (`ConnectHeaders.checkSchemaMatches`).
fn header_with_schema(key: &str, schema: Schema, value: Value) -> Result<Header> {
    if value.is_null() && !schema.is_optional() {
        return Err(data_error(format!(
            "A null value requires an optional schema but was {schema}"
        )));
    }
    Ok(Header::new(key, Some(schema), value)?)
}

/// The struct of `moved_schema` with the remaining fields of `value`, moved out of it.
fn moved_struct(config: &HeaderFromConfig, moved_schema: &Schema, value: Struct) -> Result<Struct> {
    let source_schema = value.schema().clone();
    let mut values = value.into_values();
    let mut updated = Struct::new(moved_schema.clone())?;
    for field in moved_schema.fields() {
        let source_field = source_schema
            .field(field.name())
            .ok_or_else(|| data_error(format!("{} is not a valid field name", field.name())))?;
        let field_value = values
            .get_mut(source_field.index())
            .map(std::mem::take)
            .unwrap_or_default();
        let field_value = match field_value {
            Value::Null if config.replace_null_with_default => source_field
                .schema()
                .default_value()
                .cloned()
                .unwrap_or_default(),
            field_value => field_value,
        };
        updated.put(field.name(), field_value)?;
    }
    Ok(updated)
}

/// `schema` without the moved fields (Kafka's `moveSchema`).
fn move_schema(schema: &Schema, moved: &[String]) -> Result<Schema> {
    let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
    for field in schema.fields() {
        if !moved.iter().any(|m| m == field.name()) {
            builder = builder.field(field.name(), field.schema().clone());
        }
    }
    Ok(builder.build()?)
}

/// The error of a failed `require_*` check (which always fails for the values it is given).
fn not_a(error: Option<ConnectError>) -> ConnectError {
    error.unwrap_or_else(|| ConnectError::other("unexpected value type"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::header::Headers;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn props(fields: &str, headers: &str, operation: &str, replace: bool) -> ConfigMap {
        ConfigMap::from([
            ("fields".to_owned(), fields.to_owned()),
            ("headers".to_owned(), headers.to_owned()),
            ("operation".to_owned(), operation.to_owned()),
            ("replace.null.with.default".to_owned(), replace.to_string()),
        ])
    }

    fn configured(
        key: bool,
        fields: &str,
        headers: &str,
        operation: &str,
        replace: bool,
    ) -> HeaderFrom {
        let mut t = if key {
            HeaderFrom::key()
        } else {
            HeaderFrom::value()
        };
        Transform::<SourceRecord>::configure(&mut t, &props(fields, headers, operation, replace))
            .unwrap();
        t
    }

    fn config_error(pairs: &[(&str, &str)]) -> String {
        let props: ConfigMap = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut t = HeaderFrom::value();
        Transform::<SinkRecord>::configure(&mut t, &props)
            .unwrap_err()
            .to_string()
    }

    /// Kafka's HeaderFromTest.RecordBuilder: fields of a struct or map, and headers.
    #[derive(Clone, Default)]
    struct Builder {
        fields: Vec<(String, Schema, Value)>,
        headers: Vec<(String, Schema, Value)>,
    }

    impl Builder {
        fn field(mut self, name: &str, schema: Schema, value: impl Into<Value>) -> Self {
            self.fields.push((name.to_owned(), schema, value.into()));
            self
        }

        fn header(mut self, name: &str, schema: Schema, value: impl Into<Value>) -> Self {
            self.headers.push((name.to_owned(), schema, value.into()));
            self
        }

        fn schema(&self) -> Schema {
            self.fields
                .iter()
                .fold(SchemaBuilder::struct_(), |b, (name, schema, _)| {
                    b.field(name, schema.clone())
                })
                .build()
                .unwrap()
        }

        fn with_schema(&self, key: bool) -> SourceRecord {
            let schema = self.schema();
            let mut value = Struct::new(schema.clone()).unwrap();
            for (name, _, v) in &self.fields {
                value.put(name, v.clone()).unwrap();
            }
            let mut headers = Headers::new();
            for (name, schema, v) in &self.headers {
                headers.add_header(Header::new(name, Some(schema.clone()), v.clone()).unwrap());
            }
            record(key, Some(schema), value.into(), headers)
        }

        fn schemaless(&self, key: bool) -> SourceRecord {
            let map = self
                .fields
                .iter()
                .map(|(name, _, v)| (Value::from(name.as_str()), v.clone()))
                .collect();
            // Schemaless headers have no schema.
            let mut headers = Headers::new();
            for (name, _, v) in &self.headers {
                headers.add_header(Header::new(name, None, v.clone()).unwrap());
            }
            record(key, None, Value::Map(map), headers)
        }
    }

    fn record(key: bool, schema: Option<Schema>, value: Value, headers: Headers) -> SourceRecord {
        let mut record = ConnectRecord::new("topic", None, "value".into())
            .with_key(None, "key".into())
            .with_partition(0)
            .with_timestamp(0)
            .with_headers(headers);
        if key {
            record = record.with_key(schema, value);
        } else {
            record.value_schema = schema;
            record.value = value;
        }
        let partition: OffsetMap = [("foo".to_owned(), "bar".into())].into_iter().collect();
        let offset: OffsetMap = [("baz".to_owned(), "quxx".into())].into_iter().collect();
        SourceRecord::from_record(partition, offset, record)
    }

    fn optional_string_with_default() -> Schema {
        SchemaBuilder::string()
            .default_value("default")
            .optional()
            .build()
            .unwrap()
    }

    struct Case {
        name: &'static str,
        input: Builder,
        fields: &'static str,
        headers: &'static str,
        operation: &'static str,
        replace: bool,
        expected: Builder,
    }

    /// The cases of Kafka's HeaderFromTest.
    fn cases() -> Vec<Case> {
        let s = Schema::string;
        let base = || {
            Builder::default()
                .field("field1", s(), "field1-value")
                .field("field2", s(), "field2-value")
        };
        let nested = SchemaBuilder::struct_().field("foo", s()).build().unwrap();
        let nested_value = Struct::new(nested.clone())
            .unwrap()
            .with("foo", "foo-value")
            .unwrap();
        let with_default = optional_string_with_default;
        vec![
            Case {
                name: "basic copy",
                input: base().header("header1", s(), "existing-value"),
                fields: "field1",
                headers: "inserted1",
                operation: "copy",
                replace: true,
                expected: base().header("header1", s(), "existing-value").header(
                    "inserted1",
                    s(),
                    "field1-value",
                ),
            },
            Case {
                name: "basic move",
                input: base().header("header1", s(), "existing-value"),
                fields: "field1",
                headers: "inserted1",
                operation: "move",
                replace: true,
                expected: Builder::default()
                    .field("field2", s(), "field2-value")
                    .header("header1", s(), "existing-value")
                    .header("inserted1", s(), "field1-value"),
            },
            Case {
                name: "copy with preexisting header",
                input: base().header("inserted1", s(), "existing-value"),
                fields: "field1",
                headers: "inserted1",
                operation: "copy",
                replace: true,
                expected: base().header("inserted1", s(), "existing-value").header(
                    "inserted1",
                    s(),
                    "field1-value",
                ),
            },
            Case {
                name: "move with preexisting header",
                input: base().header("inserted1", s(), "existing-value"),
                fields: "field1",
                headers: "inserted1",
                operation: "move",
                replace: true,
                expected: Builder::default()
                    .field("field2", s(), "field2-value")
                    .header("inserted1", s(), "existing-value")
                    .header("inserted1", s(), "field1-value"),
            },
            Case {
                name: "copy with struct value",
                input: Builder::default()
                    .field("field1", nested.clone(), nested_value.clone())
                    .field("field2", s(), "field2-value")
                    .header("header1", s(), "existing-value"),
                fields: "field1",
                headers: "inserted1",
                operation: "copy",
                replace: true,
                expected: Builder::default()
                    .field("field1", nested.clone(), nested_value.clone())
                    .field("field2", s(), "field2-value")
                    .header("header1", s(), "existing-value")
                    .header("inserted1", nested.clone(), nested_value.clone()),
            },
            Case {
                name: "move with struct value",
                input: Builder::default()
                    .field("field1", nested.clone(), nested_value.clone())
                    .field("field2", s(), "field2-value")
                    .header("header1", s(), "existing-value"),
                fields: "field1",
                headers: "inserted1",
                operation: "move",
                replace: true,
                expected: Builder::default()
                    .field("field2", s(), "field2-value")
                    .header("header1", s(), "existing-value")
                    .header("inserted1", nested.clone(), nested_value.clone()),
            },
            Case {
                name: "two headers from same field",
                input: base().header("header1", s(), "existing-value"),
                fields: "field1,field1",
                headers: "inserted1,inserted2",
                operation: "move",
                replace: true,
                expected: Builder::default()
                    .field("field2", s(), "field2-value")
                    .header("header1", s(), "existing-value")
                    .header("inserted1", s(), "field1-value")
                    .header("inserted2", s(), "field1-value"),
            },
            Case {
                name: "two fields to same header",
                input: base().header("header1", s(), "existing-value"),
                fields: "field1,field2",
                headers: "inserted1,inserted1",
                operation: "move",
                replace: true,
                expected: Builder::default()
                    .header("header1", s(), "existing-value")
                    .header("inserted1", s(), "field1-value")
                    .header("inserted1", s(), "field2-value"),
            },
            Case {
                name: "copy null field without default",
                input: Builder::default()
                    .field("field1", with_default(), "field1-value")
                    .field("field2", with_default(), Value::Null)
                    .header("header1", s(), "existing-value"),
                fields: "field1,field2",
                headers: "inserted1,inserted2",
                operation: "copy",
                replace: false,
                expected: Builder::default()
                    .field("field1", with_default(), "field1-value")
                    .field("field2", with_default(), Value::Null)
                    .header("header1", s(), "existing-value")
                    .header("inserted1", with_default(), "field1-value")
                    .header("inserted2", with_default(), Value::Null),
            },
            Case {
                name: "move null field without default",
                input: Builder::default()
                    .field("field1", with_default(), "field1-value")
                    .field("field2", with_default(), Value::Null)
                    .header("header1", s(), "existing-value"),
                fields: "field1,field2",
                headers: "inserted1,inserted2",
                operation: "move",
                replace: false,
                expected: Builder::default()
                    .header("header1", s(), "existing-value")
                    .header("inserted1", with_default(), "field1-value")
                    .header("inserted2", with_default(), Value::Null),
            },
        ]
    }

    #[test]
    fn kafka_cases_with_schema() {
        for key in [true, false] {
            for case in cases() {
                let mut t =
                    configured(key, case.fields, case.headers, case.operation, case.replace);
                let out = t.apply(case.input.with_schema(key)).unwrap().unwrap();
                assert_eq!(
                    out,
                    case.expected.with_schema(key),
                    "{} (key: {key})",
                    case.name
                );
            }
        }
    }

    #[test]
    fn kafka_cases_schemaless() {
        for key in [true, false] {
            for case in cases() {
                let mut t =
                    configured(key, case.fields, case.headers, case.operation, case.replace);
                let out = t.apply(case.input.schemaless(key)).unwrap().unwrap();
                assert_eq!(
                    out,
                    case.expected.schemaless(key),
                    "{} (key: {key})",
                    case.name
                );
            }
        }
    }

    #[test]
    fn replace_null_with_default_reads_the_default() {
        let input = Builder::default()
            .field("a", optional_string_with_default(), Value::Null)
            .field("b", Schema::int32(), 1);
        for operation in ["copy", "move"] {
            let mut t = configured(false, "a", "h", operation, true);
            let out = t.apply(input.with_schema(false)).unwrap().unwrap();
            let header = out.headers.last_with_name("h").unwrap();
            assert_eq!(header.value(), &Value::from("default"), "{operation}");
            assert_eq!(header.schema(), Some(&optional_string_with_default()));
        }
        // A field that stays in a moved struct is copied with its default too.
        let mut t = configured(false, "b", "h", "move", true);
        let out = t.apply(input.with_schema(false)).unwrap().unwrap();
        let value = out.value.as_struct().unwrap();
        assert_eq!(
            value.get_without_default("a").unwrap(),
            &Value::from("default")
        );
        let mut t = configured(false, "b", "h", "move", false);
        let out = t.apply(input.with_schema(false)).unwrap().unwrap();
        let value = out.value.as_struct().unwrap();
        assert_eq!(value.get_without_default("a").unwrap(), &Value::Null);
    }

    #[test]
    fn moved_schema_keeps_the_basics_and_is_cached() {
        let schema = SchemaBuilder::struct_()
            .name("com.example.V")
            .version(3)
            .doc("d")
            .field("a", Schema::string())
            .field("b", Schema::int32())
            .optional()
            .build()
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("a", "x")
            .unwrap()
            .with("b", 1)
            .unwrap();
        let mut t = configured(false, "a", "h", "move", true);
        let run = |t: &mut HeaderFrom| {
            let record = SinkRecord::new(
                ConnectRecord::new("t", Some(schema.clone()), value.clone().into()),
                0,
                0,
                TimestampType::CreateTime,
            );
            t.apply(record).unwrap().unwrap()
        };
        let first = run(&mut t);
        let moved = first.value_schema.clone().unwrap();
        assert_eq!(moved.name(), Some("com.example.V"));
        assert_eq!(moved.version(), Some(3));
        assert_eq!(moved.doc(), Some("d"));
        // As Kafka's copySchemaBasics, optionality is not copied.
        assert!(!moved.is_optional());
        assert_eq!(moved.fields().len(), 1);
        assert_eq!(
            first.value.as_struct().unwrap().get("b").unwrap(),
            &Value::Int32(1)
        );
        let second = run(&mut t);
        assert!(second.value_schema.clone().unwrap().ptr_eq(&moved));
    }

    #[test]
    fn schemaless_missing_field_gives_a_null_header() {
        let mut t = configured(false, "missing", "h", "move", true);
        let input = Builder::default().field("a", Schema::string(), "x");
        let out = t.apply(input.schemaless(false)).unwrap().unwrap();
        let header = out.headers.last_with_name("h").unwrap();
        assert_eq!((header.schema(), header.value()), (None, &Value::Null));
        assert_eq!(out.value, Value::Map(vec![("a".into(), "x".into())]));
    }

    #[test]
    fn field_missing_from_the_schema_is_a_data_error() {
        for operation in ["copy", "move"] {
            let mut t = configured(false, "missing", "h", operation, true);
            let input = Builder::default().field("a", Schema::string(), "x");
            let err = t.apply(input.with_schema(false)).unwrap_err();
            assert!(matches!(err, ConnectError::Data(_)), "{err:?}");
            assert_eq!(err.to_string(), "missing is not a valid field name");
        }
    }

    #[test]
    fn null_in_a_required_field_without_replacement_fails_like_kafka() {
        // A required field with a default, left null: without replace.null.with.default the
        // header cannot take the null.
        let schema = SchemaBuilder::struct_()
            .field(
                "a",
                SchemaBuilder::int32().default_value(5).build().unwrap(),
            )
            .build()
            .unwrap();
        let record = || {
            SinkRecord::new(
                ConnectRecord::new(
                    "t",
                    Some(schema.clone()),
                    Struct::new(schema.clone()).unwrap().into(),
                ),
                0,
                0,
                TimestampType::CreateTime,
            )
        };
        let mut t = configured(false, "a", "h", "copy", false);
        let err = t.apply(record()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "A null value requires an optional schema but was Schema{INT32}"
        );
        let mut t = configured(false, "a", "h", "copy", true);
        let out = t.apply(record()).unwrap().unwrap();
        assert_eq!(
            out.headers.last_with_name("h").unwrap().value(),
            &Value::Int32(5)
        );
    }

    #[test]
    fn wrong_types_and_nulls_are_data_errors() {
        let sink = |schema: Option<Schema>, value: Value| {
            SinkRecord::new(
                ConnectRecord::new("t", schema, value),
                0,
                0,
                TimestampType::CreateTime,
            )
        };
        let mut copy = configured(false, "a", "h", "copy", true);
        let mut move_ = configured(false, "a", "h", "move", true);
        let err = copy.apply(sink(None, "text".into())).unwrap_err();
        assert!(matches!(err, ConnectError::Data(_)));
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [header copy], found: java.lang.String"
        );
        // As in Kafka, a tombstone is not passed through.
        assert_eq!(
            move_
                .apply(sink(None, Value::Null))
                .unwrap_err()
                .to_string(),
            "Only Map objects supported in absence of schema for [header move], found: null"
        );
        assert_eq!(
            copy.apply(sink(Some(Schema::string()), "x".into()))
                .unwrap_err()
                .to_string(),
            "Only Struct objects supported for [header copy], found: java.lang.String"
        );
        let optional = SchemaBuilder::struct_()
            .field("a", Schema::string())
            .optional()
            .build()
            .unwrap();
        assert_eq!(
            move_
                .apply(sink(Some(optional), Value::Null))
                .unwrap_err()
                .to_string(),
            "Only Struct objects supported for [header move], found: null"
        );
    }

    #[test]
    fn works_on_sink_records_and_keeps_the_rest() {
        let mut t = configured(true, "id", "key-id", "copy", true);
        let schema = SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .build()
            .unwrap();
        let key = Struct::new(schema.clone())
            .unwrap()
            .with("id", 9i64)
            .unwrap();
        let record = SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into())
                .with_key(Some(schema), key.into())
                .with_timestamp(3),
            1,
            2,
            TimestampType::CreateTime,
        );
        let out = t.apply(record.clone()).unwrap().unwrap();
        let header = out.headers.last_with_name("key-id").unwrap();
        assert_eq!(
            (header.schema(), header.value()),
            (Some(&Schema::int64()), &Value::Int64(9))
        );
        assert_eq!(out.record().key, record.key);
        assert_eq!(out.record().value, record.value);
        assert_eq!(
            (out.timestamp, out.kafka_partition(), out.kafka_offset),
            (Some(3), 1, 2)
        );
    }

    #[test]
    fn config_errors() {
        assert_eq!(
            config_error(&[
                ("fields", "foo,bar"),
                ("headers", "foo"),
                ("operation", "copy")
            ]),
            "'fields' config must have the same number of elements as 'headers' config."
        );
        assert_eq!(
            config_error(&[
                ("fields", "foo"),
                ("headers", "foo,bar"),
                ("operation", "copy")
            ]),
            "'fields' config must have the same number of elements as 'headers' config."
        );
        assert_eq!(
            config_error(&[("fields", ""), ("headers", ""), ("operation", "copy")]),
            "Invalid value [] for configuration fields: Empty list; \
             Invalid value [] for configuration headers: Empty list"
        );
        assert_eq!(
            config_error(&[("fields", "a"), ("headers", "b"), ("operation", "cut")]),
            "Invalid value cut for configuration operation: String must be one of: move, copy"
        );
        assert_eq!(
            config_error(&[("fields", "a"), ("headers", "b")]),
            "Missing required configuration \"operation\" which has no default value."
        );
        assert_eq!(
            config_error(&[]),
            "Missing required configuration \"fields\" which has no default value.; \
             Missing required configuration \"headers\" which has no default value.; \
             Missing required configuration \"operation\" which has no default value."
        );
        let err = HeaderFrom::value()
            .apply(SinkRecord::new(
                ConnectRecord::new("t", None, Value::Null),
                0,
                0,
                TimestampType::CreateTime,
            ))
            .unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&HeaderFrom::key());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            [
                "fields",
                "headers",
                "operation",
                "replace.null.with.default"
            ]
        );
        assert_eq!(
            def.key("fields").unwrap().validator().unwrap().to_string(),
            "non-empty list"
        );
        assert_eq!(
            def.key("operation")
                .unwrap()
                .validator()
                .unwrap()
                .to_string(),
            "[move, copy]"
        );
        assert!(def.key("operation").unwrap().is_required());
        assert_eq!(
            def.key("replace.null.with.default")
                .unwrap()
                .default_value(),
            Some(&connect_api::config::ConfigValue::Boolean(true))
        );
        assert_eq!(
            HeaderFrom::KEY_CLASS,
            "org.apache.kafka.connect.transforms.HeaderFrom$Key"
        );
        assert_eq!(
            HeaderFrom::VALUE_CLASS,
            "org.apache.kafka.connect.transforms.HeaderFrom$Value"
        );
    }
}
