//! `HoistField$Key` / `HoistField$Value`: wraps the key or value in a struct or map with one
//! field.
//!
//! With a schema the result is a struct whose single field holds the original value, its schema
//! being the original schema (derived schemas are cached); without, a map with one entry.

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::data::{SchemaBuilder, Struct, Value};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{Part, SchemaCache};

const FIELD_CONFIG: &str = "field";

/// Wraps the whole key or value in a struct (with a schema) or map (without) under one field
/// (Kafka's `HoistField$Key` / `HoistField$Value`).
///
/// Config key: `field` (required), the name of the single field.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::hoist_field::HoistField;
///
/// let mut hoist = HoistField::value();
/// Transform::<SinkRecord>::configure(
///     &mut hoist,
///     &ConfigMap::from([("field".to_owned(), "line".to_owned())]),
/// )?;
/// let record = SinkRecord::new(
///     ConnectRecord::new("lines", Some(Schema::string()), "hello".into()),
///     0,
///     5,
///     TimestampType::CreateTime,
/// );
/// let out = hoist.apply(record)?.ok_or("dropped")?;
/// let schema = out.value_schema.as_ref().ok_or("no schema")?;
/// assert_eq!(schema.field("line").map(|f| f.schema().clone()), Some(Schema::string()));
/// let Value::Struct(s) = &out.value else { return Err("not a struct".into()) };
/// assert_eq!(s.get("line")?, &Value::from("hello"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HoistField {
    part: Part,
    field: Option<String>,
    cache: SchemaCache,
}

impl HoistField {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.HoistField$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.HoistField$Value";

    /// The transform working on record keys (`HoistField$Key`).
    pub fn key() -> Self {
        Self::new(Part::Key)
    }

    /// The transform working on record values (`HoistField$Value`).
    pub fn value() -> Self {
        Self::new(Part::Value)
    }

    fn new(part: Part) -> Self {
        Self {
            part,
            field: None,
            cache: SchemaCache::default(),
        }
    }

    /// The configuration definition: `field`, as Kafka defines it.
    pub fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::string(FIELD_CONFIG)
                .importance(Importance::Medium)
                .documentation(
                    "Field name for the single field that will be created in the resulting Struct or Map.",
                ),
        )
    }
}

impl<R: Record> Transform<R> for HoistField {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        self.field = Some(parsed.get_string(FIELD_CONFIG)?.to_owned());
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let field = self
            .field
            .as_deref()
            .ok_or_else(|| ConfigError::missing(FIELD_CONFIG))?;
        let (schema, value) = self.part.take(&mut record);
        let (schema, value) = match schema {
            None => (None, Value::Map(vec![(field.into(), value)])),
            Some(schema) => {
                let updated = self
                    .cache
                    .get_or_derive(&schema, |schema| {
                        SchemaBuilder::struct_()
                            .field(field, schema.clone())
                            .build()
                            .map_err(ConnectError::from)
                    })?
                    .clone();
                let mut hoisted = Struct::new(updated.clone())?;
                hoisted.put(field, value)?;
                (Some(updated), Value::Struct(hoisted))
            }
        };
        self.part.set(&mut record, schema, value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }

    fn close(&mut self) {
        self.cache = SchemaCache::default();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::config::ConfigType;
    use connect_api::data::Schema;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn configured(mut t: HoistField, field: &str) -> HoistField {
        let props = ConfigMap::from([("field".to_owned(), field.to_owned())]);
        Transform::<SinkRecord>::configure(&mut t, &props).unwrap();
        t
    }

    fn sink_key(schema: Option<Schema>, key: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("test", Some(Schema::int8()), Value::Int8(1)).with_key(schema, key),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    fn source_value(schema: Option<Schema>, value: Value) -> SourceRecord {
        SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "test", schema, value)
    }

    #[test]
    fn class_names_and_config_def() {
        assert_eq!(
            HoistField::KEY_CLASS,
            "org.apache.kafka.connect.transforms.HoistField$Key"
        );
        assert_eq!(
            HoistField::VALUE_CLASS,
            "org.apache.kafka.connect.transforms.HoistField$Value"
        );
        let def = Transform::<SinkRecord>::config(&HoistField::key());
        assert_eq!(def.names().collect::<Vec<_>>(), ["field"]);
        let key = def.key("field").unwrap();
        assert_eq!(key.type_(), ConfigType::String);
        assert!(key.is_required());
        assert_eq!(key.importance(), Importance::Medium);
    }

    #[test]
    fn field_is_required() {
        let mut t = HoistField::value();
        let err = Transform::<SinkRecord>::configure(&mut t, &ConfigMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"field\" which has no default value."
        );
        let err = t.apply(sink_key(None, Value::Null)).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
    }

    #[test]
    fn schemaless_key() {
        let mut t = configured(HoistField::key(), "magic");
        let out = t.apply(sink_key(None, 42.into())).unwrap().unwrap();
        assert_eq!(out.key_schema, None);
        assert_eq!(out.key, Value::Map(vec![("magic".into(), 42.into())]));
        assert_eq!(out.value, Value::Int8(1));
        assert_eq!(out.value_schema, Some(Schema::int8()));
    }

    #[test]
    fn schemaless_null_is_wrapped() {
        let mut t = configured(HoistField::value(), "magic");
        let out = t.apply(source_value(None, Value::Null)).unwrap().unwrap();
        assert_eq!(out.value_schema, None);
        assert_eq!(out.value, Value::Map(vec![("magic".into(), Value::Null)]));
    }

    #[test]
    fn with_schema_key() {
        let mut t = configured(HoistField::key(), "magic");
        let out = t
            .apply(sink_key(Some(Schema::int32()), 42.into()))
            .unwrap()
            .unwrap();
        let schema = out.key_schema.clone().unwrap();
        let expected_schema = SchemaBuilder::struct_()
            .field("magic", Schema::int32())
            .build()
            .unwrap();
        assert_eq!(schema, expected_schema);
        assert!(!schema.is_optional());
        let expected = Struct::new(expected_schema)
            .unwrap()
            .with("magic", 42)
            .unwrap();
        assert_eq!(out.key, Value::Struct(expected));
    }

    #[test]
    fn with_schema_value_struct_is_nested() {
        let inner = SchemaBuilder::struct_()
            .name("Inner")
            .field("a", Schema::string())
            .build()
            .unwrap();
        let value = Struct::new(inner.clone()).unwrap().with("a", "x").unwrap();
        let mut t = configured(HoistField::value(), "wrapped");
        let out = t
            .apply(source_value(Some(inner.clone()), value.clone().into()))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.name(), None);
        assert_eq!(schema.field("wrapped").unwrap().schema(), &inner);
        let Value::Struct(s) = &out.value else {
            panic!("not a struct: {:?}", out.value)
        };
        assert_eq!(s.get("wrapped").unwrap(), &Value::Struct(value));
    }

    #[test]
    fn with_schema_null_value() {
        let mut t = configured(HoistField::value(), "f");
        let out = t
            .apply(source_value(Some(Schema::optional_string()), Value::Null))
            .unwrap()
            .unwrap();
        let Value::Struct(s) = &out.value else {
            panic!("not a struct")
        };
        assert_eq!(s.get("f").unwrap(), &Value::Null);

        // A null for a required schema is invalid, as in Kafka's `Struct.put`.
        let err = t
            .apply(source_value(Some(Schema::string()), Value::Null))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Invalid value: null used for required field: \"f\", schema type: STRING"
        );
    }

    #[test]
    fn derived_schema_is_cached() {
        let mut t = configured(HoistField::value(), "f");
        let first = t
            .apply(source_value(Some(Schema::int64()), 1i64.into()))
            .unwrap()
            .unwrap();
        let second = t
            .apply(source_value(Some(Schema::int64()), 2i64.into()))
            .unwrap()
            .unwrap();
        assert!(
            first
                .value_schema
                .clone()
                .unwrap()
                .ptr_eq(second.value_schema.as_ref().unwrap())
        );
    }

    #[test]
    fn empty_field_name_is_a_schema_error() {
        let mut t = configured(HoistField::value(), "");
        let err = t
            .apply(source_value(Some(Schema::int64()), 1i64.into()))
            .unwrap_err();
        assert_eq!(err.to_string(), "fieldName cannot be null.");
        let out = t.apply(source_value(None, 1i64.into())).unwrap().unwrap();
        assert_eq!(out.value, Value::Map(vec![("".into(), 1i64.into())]));
    }
}
