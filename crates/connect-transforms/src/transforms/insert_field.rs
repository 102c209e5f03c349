//! `InsertField$Key` / `InsertField$Value`: adds fields from the record's metadata or a static
//! value to a struct or map key or value.

use crate::common::copy_schema_basics;
use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{Part, SchemaCache, require_map, require_sink_record, require_struct};

const TOPIC_FIELD: &str = "topic.field";
const PARTITION_FIELD: &str = "partition.field";
const OFFSET_FIELD: &str = "offset.field";
const TIMESTAMP_FIELD: &str = "timestamp.field";
const STATIC_FIELD: &str = "static.field";
const STATIC_VALUE: &str = "static.value";
const REPLACE_NULL_WITH_DEFAULT: &str = "replace.null.with.default";

const OPTIONALITY_DOC: &str = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

const PURPOSE: &str = "field insertion";

/// Inserts fields using attributes from the record metadata or a configured static value
/// (Kafka's `InsertField$Key` and `InsertField$Value`).
///
/// Each of `topic.field` (the topic, `STRING`), `partition.field` (the partition, `INT32`),
/// `offset.field` (the Kafka offset, `INT64`, sink records only), `timestamp.field` (the record
/// timestamp: a `Timestamp` with a schema, an `INT64` of milliseconds without) and
/// `static.field` (`static.value`, `STRING`) names a field to add. A name ending in `!` makes the
/// field required in the new schema; ending in `?`, or with no suffix, optional. A null partition
/// or timestamp leaves its field unset.
///
/// With a schema the value must be a struct: it is copied into a struct of an extended schema
/// (made once per input schema and cached), with `replace.null.with.default` (default `true`)
/// deciding whether null fields are copied as their default. Without a schema the value must be
/// a map, which gets the new entries. A null value (a tombstone) is left as it is.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::insert_field::InsertField;
///
/// let mut insert = InsertField::value();
/// let props = ConfigMap::from([
///     ("topic.field".to_owned(), "source_topic!".to_owned()),
///     ("offset.field".to_owned(), "source_offset".to_owned()),
/// ]);
/// Transform::<SinkRecord>::configure(&mut insert, &props)?;
///
/// let schema = SchemaBuilder::struct_().field("id", Schema::int64()).build()?;
/// let value = Struct::new(schema.clone())?.with("id", 7i64)?;
/// let record = ConnectRecord::new("orders", Some(schema), value.into());
/// let record = SinkRecord::new(record, 0, 42, TimestampType::CreateTime);
///
/// let out = insert.apply(record)?.expect("InsertField never drops a record");
/// let value = out.value.as_struct().expect("a struct");
/// assert_eq!(value.get("source_topic")?, &Value::from("orders"));
/// assert_eq!(value.get("source_offset")?, &Value::Int64(42));
/// let schema = out.value_schema.as_ref().expect("a schema");
/// assert_eq!(schema.field("source_topic").map(|f| f.schema().clone()), Some(Schema::string()));
/// assert_eq!(schema.field("source_offset").map(|f| f.schema().clone()), Some(Schema::optional_int64()));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug)]
pub struct InsertField {
    part: Part,
    /// `None` until configured.
    insertions: Option<Insertions>,
    schemas: SchemaCache,
}

/// A field to insert: its name and whether it is optional (`name?` or `name`) or required
/// (`name!`), Kafka's `InsertionSpec`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InsertionSpec {
    name: String,
    optional: bool,
}

impl InsertionSpec {
    fn parse(spec: Option<&str>) -> Option<Self> {
        let spec = spec?;
        let (name, optional) = if let Some(name) = spec.strip_suffix('?') {
            (name, true)
        } else if let Some(name) = spec.strip_suffix('!') {
            (name, false)
        } else {
            (spec, true)
        };
        Some(Self {
            name: name.to_owned(),
            optional,
        })
    }

    /// `schema` made optional when the field is optional.
    fn schema(&self, required: Schema, optional: Schema) -> Schema {
        if self.optional { optional } else { required }
    }
}

/// The configured insertions.
#[derive(Debug, Clone)]
struct Insertions {
    /// The fields to add, in the order Kafka adds them; only those configured.
    fields: Vec<(Insertion, InsertionSpec)>,
    static_value: Option<String>,
    replace_null_with_default: bool,
}

/// The kinds of field InsertField adds, in the order they are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Insertion {
    Topic,
    Partition,
    Offset,
    Timestamp,
    Static,
}

impl Insertions {
    fn has(&self, kind: Insertion) -> bool {
        self.fields.iter().any(|(k, _)| *k == kind)
    }

    /// The values to insert into `record`, in schema order, with `None` for a field left unset
    /// (a null partition or timestamp). `timestamp` wraps the record timestamp. Made as they are
    /// taken, so that a record's values are moved into place without a list in between.
    fn values<'a, R: Record>(
        &'a self,
        record: &'a R,
        timestamp: fn(i64) -> Value,
    ) -> Result<impl Iterator<Item = (&'a str, Option<Value>)> + 'a> {
        let offset = if self.has(Insertion::Offset) {
            Some(require_sink_record(record, PURPOSE)?.kafka_offset)
        } else {
            None
        };
        Ok(self.fields.iter().map(move |(insertion, spec)| {
            let value = match insertion {
                Insertion::Topic => Some(Value::String(record.topic.to_string())),
                Insertion::Partition => record.kafka_partition.map(Value::Int32),
                Insertion::Offset => offset.map(Value::Int64),
                Insertion::Timestamp => record.timestamp.map(timestamp),
                Insertion::Static => self.static_value.clone().map(Value::String),
            };
            (spec.name.as_str(), value)
        }))
    }

    /// `schema` extended with the inserted fields (Kafka's `makeUpdatedSchema`).
    fn updated_schema(&self, schema: &Schema) -> Result<Schema> {
        let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        for field in schema.fields() {
            builder = builder.field(field.name(), field.schema().clone());
        }
        for (insertion, spec) in &self.fields {
            let field_schema = match insertion {
                Insertion::Topic | Insertion::Static => {
                    spec.schema(Schema::string(), Schema::optional_string())
                }
                Insertion::Partition => spec.schema(Schema::int32(), Schema::optional_int32()),
                Insertion::Offset => spec.schema(Schema::int64(), Schema::optional_int64()),
                Insertion::Timestamp if spec.optional => {
                    logical::timestamp_builder().optional().build()?
                }
                Insertion::Timestamp => logical::timestamp_schema(),
            };
            builder = builder.field(&spec.name, field_schema);
        }
        Ok(builder.build()?)
    }
}

impl InsertField {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.InsertField$Key";

    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.InsertField$Value";

    /// Kafka's description of the transform.
    pub const OVERVIEW_DOC: &str = "Insert field(s) using attributes from the record metadata or a configured static value.\
         <p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.InsertField$Key</code>) \
         or value (<code>org.apache.kafka.connect.transforms.InsertField$Value</code>).";

    /// `InsertField$Key`: inserts into the record key.
    pub fn key() -> Self {
        Self::on(Part::Key)
    }

    /// `InsertField$Value`: inserts into the record value.
    pub fn value() -> Self {
        Self::on(Part::Value)
    }

    fn on(part: Part) -> Self {
        Self {
            part,
            insertions: None,
            schemas: SchemaCache::default(),
        }
    }

    fn config_def() -> ConfigDef {
        let field = |name: &str, doc: String| {
            ConfigKey::string(name)
                .default_null()
                .importance(Importance::Medium)
                .documentation(doc)
        };
        ConfigDef::new()
            .define(field(
                TOPIC_FIELD,
                format!("Field name for Kafka topic. {OPTIONALITY_DOC}"),
            ))
            .define(field(
                PARTITION_FIELD,
                format!("Field name for Kafka partition. {OPTIONALITY_DOC}"),
            ))
            .define(field(
                OFFSET_FIELD,
                format!(
                    "Field name for Kafka offset - only applicable to sink connectors.<br/>{OPTIONALITY_DOC}"
                ),
            ))
            .define(field(
                TIMESTAMP_FIELD,
                format!("Field name for record timestamp. {OPTIONALITY_DOC}"),
            ))
            .define(field(
                STATIC_FIELD,
                format!("Field name for static data field. {OPTIONALITY_DOC}"),
            ))
            .define(field(
                STATIC_VALUE,
                "Static field value, if field name configured.".to_owned(),
            ))
            .define(
                ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT)
                    .default_value(true)
                    .importance(Importance::Medium)
                    .documentation(
                        "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
                    ),
            )
    }

    fn not_configured() -> ConnectError {
        ConnectError::Config(ConfigError::other("No field insertion configured"))
    }
}

impl<R: Record> Transform<R> for InsertField {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let spec = |name: &str| -> Result<Option<InsertionSpec>> {
            Ok(InsertionSpec::parse(parsed.get_opt_string(name)?))
        };
        let mut fields = Vec::new();
        for (kind, key) in [
            (Insertion::Topic, TOPIC_FIELD),
            (Insertion::Partition, PARTITION_FIELD),
            (Insertion::Offset, OFFSET_FIELD),
            (Insertion::Timestamp, TIMESTAMP_FIELD),
            (Insertion::Static, STATIC_FIELD),
        ] {
            if let Some(spec) = spec(key)? {
                fields.push((kind, spec));
            }
        }
        let insertions = Insertions {
            fields,
            static_value: parsed.get_opt_string(STATIC_VALUE)?.map(str::to_owned),
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT)?,
        };
        if insertions.fields.is_empty() {
            return Err(Self::not_configured());
        }
        if let Some((_, static_field)) = insertions
            .fields
            .iter()
            .find(|(kind, _)| *kind == Insertion::Static)
            && insertions.static_value.is_none()
        {
            // Kafka prints the InsertionSpec object here (`...InsertField$InsertionSpec@1b2c3d`);
            // the field name says more.
            return Err(ConnectError::Config(ConfigError::invalid(
                STATIC_VALUE,
                "null",
                format!("No value specified for static field: {}", static_field.name),
            )));
        }
        self.insertions = Some(insertions);
        self.schemas = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Some(insertions) = &self.insertions else {
            return Err(Self::not_configured());
        };
        let part = self.part;
        if part.value(&record).is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = part.take(&mut record);
        if schema.is_none() {
            let mut entries = match value {
                Value::Map(entries) => entries,
                other => return Err(not_a(require_map(&other, PURPOSE).err())),
            };
            let inserted: Vec<_> = insertions.values(&record, Value::Int64)?.collect();
            for (name, value) in inserted {
                if let Some(value) = value {
                    put_entry(&mut entries, name, value);
                }
            }
            part.set(&mut record, None, Value::Map(entries));
            return Ok(Some(record));
        }
        let value = match value {
            Value::Struct(value) => value,
            other => return Err(not_a(require_struct(&other, PURPOSE).err())),
        };
        // The source's values are edited in place, with defaults for nulls when asked.
        let (source_schema, mut values) = value.into_parts();
        let updated_schema = self
            .schemas
            .get_or_derive(&source_schema, |schema| insertions.updated_schema(schema))?
            .clone();
        if insertions.replace_null_with_default {
            for (field, field_value) in source_schema.fields().iter().zip(values.iter_mut()) {
                if field_value.is_null()
                    && let Some(default) = field.schema().default_value()
                {
                    *field_value = default.clone();
                }
            }
        }
        // Every inserted field usually gets a value: one vector, validated once.
        let source_len = values.len();
        values.reserve_exact(updated_schema.fields().len() - source_len);
        let mut complete = true;
        for (_, field_value) in insertions.values(&record, Value::Timestamp)? {
            match field_value {
                Some(field_value) => values.push(field_value),
                None => complete = false,
            }
        }
        let updated = if complete {
            Struct::from_values(updated_schema.clone(), values)?
        } else {
            // A skipped insertion (null partition or timestamp) leaves its field unset, which
            // only validation downstream may reject, as in Kafka: put field by field.
            values.truncate(source_len);
            let mut updated = Struct::new(updated_schema.clone())?;
            for (field, field_value) in source_schema.fields().iter().zip(values) {
                updated.put(field.name(), field_value)?;
            }
            for (name, field_value) in insertions.values(&record, Value::Timestamp)? {
                if let Some(field_value) = field_value {
                    updated.put(name, field_value)?;
                }
            }
            updated
        };
        part.set(&mut record, Some(updated_schema), Value::Struct(updated));
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

/// The error of a failed `require_*` check (which always fails for the values it is given).
fn not_a(error: Option<ConnectError>) -> ConnectError {
    error.unwrap_or_else(|| ConnectError::other("unexpected value type"))
}

/// Sets `key` in a map value, replacing an existing entry (Java's `Map.put`).
fn put_entry(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
        Some(entry) => entry.1 = value,
        None => entries.push((Value::String(key.to_owned()), value)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::header::Headers;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn value_xform(pairs: &[(&str, &str)]) -> InsertField {
        let mut t = InsertField::value();
        Transform::<SinkRecord>::configure(&mut t, &props(pairs)).unwrap();
        t
    }

    fn config_error(pairs: &[(&str, &str)]) -> String {
        let mut t = InsertField::value();
        Transform::<SinkRecord>::configure(&mut t, &props(pairs))
            .unwrap_err()
            .to_string()
    }

    /// Every insertion, as in Kafka's InsertFieldTest.
    fn all_fields() -> Vec<(&'static str, &'static str)> {
        vec![
            ("topic.field", "topic_field!"),
            ("partition.field", "partition_field"),
            ("timestamp.field", "timestamp_field?"),
            ("static.field", "instance_id"),
            ("static.value", "my-instance-id"),
        ]
    }

    fn simple_struct_schema() -> Schema {
        SchemaBuilder::struct_()
            .name("name")
            .version(1)
            .doc("doc")
            .parameter("p", "v")
            .field("magic", Schema::optional_int64())
            .build()
            .unwrap()
    }

    fn sink(schema: Option<Schema>, value: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("test", schema, value)
                .with_key(None, Value::Null)
                .with_timestamp(1_483_425_001_864),
            0,
            42,
            TimestampType::CreateTime,
        )
    }

    fn field_schema(schema: &Schema, name: &str) -> Schema {
        schema.field(name).unwrap().schema().clone()
    }

    #[test]
    fn schema_mode_inserts_every_field_with_its_schema() {
        let mut t = value_xform(&all_fields());
        let value = Struct::new(simple_struct_schema())
            .unwrap()
            .with("magic", 42i64)
            .unwrap();
        let out = t
            .apply(sink(Some(simple_struct_schema()), value.into()))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        // The schema basics are copied.
        assert_eq!(schema.name(), Some("name"));
        assert_eq!(schema.version(), Some(1));
        assert_eq!(schema.doc(), Some("doc"));
        assert_eq!(schema.parameter("p"), Some("v"));
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "magic",
                "topic_field",
                "partition_field",
                "timestamp_field",
                "instance_id"
            ]
        );
        assert_eq!(field_schema(&schema, "magic"), Schema::optional_int64());
        assert_eq!(field_schema(&schema, "topic_field"), Schema::string());
        assert_eq!(
            field_schema(&schema, "partition_field"),
            Schema::optional_int32()
        );
        let ts = field_schema(&schema, "timestamp_field");
        assert_eq!(ts.name(), Some(logical::TIMESTAMP_NAME));
        assert!(ts.is_optional());
        assert_eq!(
            field_schema(&schema, "instance_id"),
            Schema::optional_string()
        );

        let value = out.value.as_struct().unwrap();
        assert_eq!(value.get("magic").unwrap(), &Value::Int64(42));
        assert_eq!(value.get("topic_field").unwrap(), &Value::from("test"));
        assert_eq!(value.get("partition_field").unwrap(), &Value::Int32(0));
        assert_eq!(
            value.get("timestamp_field").unwrap(),
            &Value::Timestamp(1_483_425_001_864)
        );
        assert_eq!(
            value.get("instance_id").unwrap(),
            &Value::from("my-instance-id")
        );
        value.validate().unwrap();
        assert_eq!(value.schema(), &schema);
    }

    #[test]
    fn required_suffix_and_required_timestamp_schema() {
        let mut t = value_xform(&[
            ("partition.field", "p!"),
            ("timestamp.field", "ts!"),
            ("offset.field", "o!"),
            ("static.field", "s!"),
            ("static.value", "x"),
        ]);
        let out = t
            .apply(sink(
                Some(simple_struct_schema()),
                Struct::new(simple_struct_schema()).unwrap().into(),
            ))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(field_schema(&schema, "p"), Schema::int32());
        assert_eq!(field_schema(&schema, "ts"), logical::timestamp_schema());
        assert_eq!(field_schema(&schema, "o"), Schema::int64());
        assert_eq!(field_schema(&schema, "s"), Schema::string());
        let value = out.value.as_struct().unwrap();
        assert_eq!(value.get("o").unwrap(), &Value::Int64(42));
        // The null field of the input stays null.
        assert_eq!(value.get("magic").unwrap(), &Value::Null);
    }

    #[test]
    fn schemaless_inserts_into_the_map() {
        let mut t = value_xform(&all_fields());
        let mut with_offset = all_fields();
        with_offset.push(("offset.field", "offset_field"));
        let mut t_offset = value_xform(&with_offset);
        let map = Value::Map(vec![("magic".into(), Value::Int64(42))]);
        let out = t.apply(sink(None, map.clone())).unwrap().unwrap();
        assert_eq!(out.value_schema, None);
        assert_eq!(
            out.value,
            Value::Map(vec![
                ("magic".into(), Value::Int64(42)),
                ("topic_field".into(), "test".into()),
                ("partition_field".into(), Value::Int32(0)),
                // Schemaless timestamps are plain longs.
                ("timestamp_field".into(), Value::Int64(1_483_425_001_864)),
                ("instance_id".into(), "my-instance-id".into()),
            ])
        );
        let out = t_offset.apply(sink(None, map)).unwrap().unwrap();
        assert_eq!(
            out.value.map_get(&"offset_field".into()),
            Some(&Value::Int64(42))
        );
    }

    #[test]
    fn schemaless_replaces_an_existing_entry() {
        let mut t = value_xform(&[("topic.field", "topic")]);
        let map = Value::Map(vec![("topic".into(), "old".into()), ("a".into(), 1.into())]);
        let out = t.apply(sink(None, map)).unwrap().unwrap();
        assert_eq!(
            out.value,
            Value::Map(vec![
                ("topic".into(), "test".into()),
                ("a".into(), 1.into())
            ])
        );
    }

    #[test]
    fn null_partition_and_timestamp_are_skipped() {
        let mut t = value_xform(&[
            ("partition.field", "p"),
            ("timestamp.field", "ts"),
            ("topic.field", "t"),
        ]);
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "src",
            None,
            Value::Map(Vec::new()),
        );
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(out.value, Value::Map(vec![("t".into(), "src".into())]));

        let schema = simple_struct_schema();
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "src",
            Some(schema.clone()),
            Struct::new(schema).unwrap().into(),
        );
        let out = t.apply(record).unwrap().unwrap();
        let value = out.value.as_struct().unwrap();
        assert_eq!(value.get("p").unwrap(), &Value::Null);
        assert_eq!(value.get("ts").unwrap(), &Value::Null);
        assert_eq!(value.get("t").unwrap(), &Value::from("src"));

        // A required field left unset is only caught when the struct is validated, as in Kafka.
        let mut t = value_xform(&[("partition.field", "p!")]);
        let schema = simple_struct_schema();
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "src",
            Some(schema.clone()),
            Struct::new(schema).unwrap().into(),
        );
        let out = t.apply(record).unwrap().unwrap();
        assert!(out.value.as_struct().unwrap().validate().is_err());
    }

    #[test]
    fn offset_requires_a_sink_record() {
        let mut t = InsertField::value();
        Transform::<SourceRecord>::configure(&mut t, &props(&[("offset.field", "o")])).unwrap();
        let expected = "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord";
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "t",
            None,
            Value::Map(Vec::new()),
        );
        let err = t.apply(record).unwrap_err();
        assert!(matches!(err, ConnectError::Data(_)), "{err:?}");
        assert_eq!(err.to_string(), expected);
        let schema = simple_struct_schema();
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "t",
            Some(schema.clone()),
            Struct::new(schema).unwrap().into(),
        );
        assert_eq!(t.apply(record).unwrap_err().to_string(), expected);
        // A tombstone passes, even from a source.
        let tombstone =
            SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null);
        assert_eq!(t.apply(tombstone.clone()).unwrap().unwrap(), tombstone);
    }

    #[test]
    fn tombstones_are_unchanged() {
        let mut t = value_xform(&all_fields());
        let tombstone = sink(None, Value::Null);
        assert_eq!(t.apply(tombstone.clone()).unwrap().unwrap(), tombstone);
        let optional = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .optional()
            .build()
            .unwrap();
        let with_schema = sink(Some(optional), Value::Null);
        assert_eq!(t.apply(with_schema.clone()).unwrap().unwrap(), with_schema);
    }

    #[test]
    fn wrong_value_types_are_data_errors() {
        let mut t = value_xform(&all_fields());
        let err = t.apply(sink(None, "text".into())).unwrap_err();
        assert!(matches!(err, ConnectError::Data(_)));
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [field insertion], found: java.lang.String"
        );
        let err = t
            .apply(sink(Some(Schema::int32()), Value::Int32(1)))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [field insertion], found: java.lang.Integer"
        );
    }

    #[test]
    fn inserting_an_existing_field_name_with_a_schema_fails() {
        let mut t = value_xform(&[("topic.field", "magic")]);
        let err = t
            .apply(sink(
                Some(simple_struct_schema()),
                Struct::new(simple_struct_schema()).unwrap().into(),
            ))
            .unwrap_err();
        assert!(matches!(err, ConnectError::Data(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "Cannot create field because of field name duplication magic"
        );
    }

    fn schema_with_default() -> Schema {
        SchemaBuilder::struct_()
            .field(
                "optional_with_default",
                SchemaBuilder::string()
                    .optional()
                    .default_value("default")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn replace_null_with_default() {
        let schema = schema_with_default();
        let record = || {
            sink(
                Some(schema.clone()),
                Struct::new(schema.clone()).unwrap().into(),
            )
        };
        let mut t = value_xform(&[("topic.field", "t")]);
        let out = t.apply(record()).unwrap().unwrap();
        let value = out.value.as_struct().unwrap();
        assert_eq!(
            value.get_without_default("optional_with_default").unwrap(),
            &Value::from("default")
        );

        let mut t = value_xform(&[("topic.field", "t"), ("replace.null.with.default", "false")]);
        let out = t.apply(record()).unwrap().unwrap();
        let value = out.value.as_struct().unwrap();
        assert_eq!(
            value.get_without_default("optional_with_default").unwrap(),
            &Value::Null
        );
        // The field keeps its default in the schema.
        assert_eq!(
            out.value_schema
                .clone()
                .unwrap()
                .field("optional_with_default")
                .unwrap()
                .schema()
                .default_value(),
            Some(&Value::from("default"))
        );
    }

    #[test]
    fn key_variant_inserts_into_the_key() {
        let mut t = InsertField::key();
        Transform::<SinkRecord>::configure(
            &mut t,
            &props(&[("topic.field", "topic_field!"), ("offset.field", "o")]),
        )
        .unwrap();
        let schema = simple_struct_schema();
        let key = Struct::new(schema.clone())
            .unwrap()
            .with("magic", 1i64)
            .unwrap();
        let record = SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "value".into())
                .with_key(Some(schema), key.into()),
            0,
            7,
            TimestampType::CreateTime,
        );
        let out = t.apply(record).unwrap().unwrap();
        let key = out.key.as_struct().unwrap();
        assert_eq!(key.get("magic").unwrap(), &Value::Int64(1));
        assert_eq!(key.get("topic_field").unwrap(), &Value::from("t"));
        assert_eq!(key.get("o").unwrap(), &Value::Int64(7));
        assert_eq!(
            field_schema(out.key_schema.as_ref().unwrap(), "topic_field"),
            Schema::string()
        );
        // The value is untouched.
        assert_eq!(out.value_schema, Some(Schema::string()));
        assert_eq!(out.value, Value::from("value"));

        // Schemaless key of a tombstone (Kafka's insertKeyFieldsIntoTombstoneEvent); a null key
        // is left alone.
        let record = SinkRecord::new(
            ConnectRecord::new("t", None, Value::Null).with_key(None, Value::Map(Vec::new())),
            0,
            7,
            TimestampType::CreateTime,
        );
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(
            out.key,
            Value::Map(vec![
                ("topic_field".into(), "t".into()),
                ("o".into(), Value::Int64(7))
            ])
        );
        assert_eq!(out.value, Value::Null);
        let record = SinkRecord::new(
            ConnectRecord::new("t", None, Value::Map(Vec::new())),
            0,
            7,
            TimestampType::CreateTime,
        );
        assert_eq!(t.apply(record.clone()).unwrap().unwrap(), record);
    }

    #[test]
    fn keeps_the_rest_of_the_record() {
        let mut t = value_xform(&[("topic.field", "t")]);
        let mut headers = Headers::new();
        headers.add_string("h", "v");
        let record = SinkRecord::new(
            ConnectRecord::new("topic", None, Value::Map(Vec::new()))
                .with_key(Some(Schema::int32()), 1.into())
                .with_timestamp(5)
                .with_headers(headers.clone()),
            2,
            3,
            TimestampType::LogAppendTime,
        );
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(out.key, Value::Int32(1));
        assert_eq!(out.key_schema, Some(Schema::int32()));
        assert_eq!(out.headers, headers);
        assert_eq!(
            (
                &*out.topic,
                out.timestamp,
                out.kafka_partition(),
                out.kafka_offset,
                out.timestamp_type
            ),
            ("topic", Some(5), 2, 3, TimestampType::LogAppendTime)
        );
    }

    #[test]
    fn derived_schemas_are_cached() {
        let mut t = value_xform(&[("topic.field", "t")]);
        let run = |t: &mut InsertField| {
            let schema = simple_struct_schema();
            t.apply(sink(
                Some(schema.clone()),
                Struct::new(schema).unwrap().into(),
            ))
            .unwrap()
            .unwrap()
            .value_schema
            .clone()
            .unwrap()
        };
        let first = run(&mut t);
        let second = run(&mut t);
        assert!(first.ptr_eq(&second));
    }

    #[test]
    fn config_errors() {
        assert_eq!(config_error(&[]), "No field insertion configured");
        assert_eq!(
            config_error(&[("static.value", "x")]),
            "No field insertion configured"
        );
        assert_eq!(
            config_error(&[("static.field", "s")]),
            "Invalid value null for configuration static.value: No value specified for static field: s"
        );
        assert_eq!(
            config_error(&[("topic.field", "t"), ("replace.null.with.default", "maybe")]),
            "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
        );
        // Before configuration, apply fails the same way.
        let err = InsertField::value()
            .apply(sink(None, Value::Map(Vec::new())))
            .unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
        assert_eq!(err.to_string(), "No field insertion configured");
    }

    #[test]
    fn insertion_spec_suffixes() {
        let parse = |s: &str| InsertionSpec::parse(Some(s)).unwrap();
        assert_eq!(
            parse("a"),
            InsertionSpec {
                name: "a".into(),
                optional: true
            }
        );
        assert_eq!(
            parse("a?"),
            InsertionSpec {
                name: "a".into(),
                optional: true
            }
        );
        assert_eq!(
            parse("a!"),
            InsertionSpec {
                name: "a".into(),
                optional: false
            }
        );
        assert_eq!(
            parse("a!?"),
            InsertionSpec {
                name: "a!".into(),
                optional: true
            }
        );
        assert_eq!(InsertionSpec::parse(None), None);
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&InsertField::value());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            [
                "topic.field",
                "partition.field",
                "offset.field",
                "timestamp.field",
                "static.field",
                "static.value",
                "replace.null.with.default"
            ]
        );
        for key in def.keys() {
            assert!(!key.is_required(), "{}", key.name());
            assert_eq!(key.importance(), Importance::Medium);
        }
        assert_eq!(
            def.key("offset.field").unwrap().documentation(),
            Some(
                "Field name for Kafka offset - only applicable to sink connectors.<br/>Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default)."
            )
        );
        let replace = def.key("replace.null.with.default").unwrap();
        assert_eq!(replace.type_(), connect_api::config::ConfigType::Boolean);
        assert_eq!(
            replace.default_value(),
            Some(&connect_api::config::ConfigValue::Boolean(true))
        );
        assert_eq!(
            InsertField::KEY_CLASS,
            "org.apache.kafka.connect.transforms.InsertField$Key"
        );
        assert_eq!(
            InsertField::VALUE_CLASS,
            "org.apache.kafka.connect.transforms.InsertField$Value"
        );
    }
}
