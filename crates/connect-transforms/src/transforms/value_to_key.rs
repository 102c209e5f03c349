//! `ValueToKey`: replaces the record key with a struct or map made of some of the value's fields.

use crate::common::{
    NonEmptyList, REPLACE_NULL_WITH_DEFAULT_CONFIG, REPLACE_NULL_WITH_DEFAULT_DOC,
};

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::data::{SchemaBuilder, Struct, Value};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{SchemaCache, data_error, get_field, require_map, require_struct};

const FIELDS_CONFIG: &str = "fields";
const PURPOSE: &str = "copying fields from value to key";

/// Replaces the record key with a new key made of fields of the record value (Kafka's
/// `ValueToKey`): a struct of those fields (schema derived from the value's, cached) when the
/// value has a schema, else a map.
///
/// Config keys: `fields` (required non-empty list), `replace.null.with.default` (default
/// `true`: a null field reads as its schema default).
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{OffsetMap, SourceRecord};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::value_to_key::ValueToKey;
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("name", Schema::string())
///     .build()?;
/// let value = Struct::new(schema.clone())?.with("id", 7i64)?.with("name", "ann")?;
/// let mut to_key = ValueToKey::new();
/// Transform::<SourceRecord>::configure(
///     &mut to_key,
///     &ConfigMap::from([("fields".to_owned(), "id".to_owned())]),
/// )?;
/// let record = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "users", Some(schema), value.into());
/// let out = to_key.apply(record)?.ok_or("dropped")?;
/// let Value::Struct(key) = &out.key else { return Err("not a struct".into()) };
/// assert_eq!(key.get("id")?, &Value::Int64(7));
/// assert_eq!(key.schema().fields().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct ValueToKey {
    config: Option<Config>,
    cache: SchemaCache,
}

#[derive(Debug)]
struct Config {
    fields: Vec<String>,
    replace_null_with_default: bool,
}

impl ValueToKey {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.ValueToKey";

    /// An unconfigured transform.
    pub fn new() -> Self {
        Self::default()
    }

    /// The configuration definition: `fields` and `replace.null.with.default`, as Kafka
    /// defines them.
    pub fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::list(FIELDS_CONFIG)
                    .validator(NonEmptyList)
                    .importance(Importance::High)
                    .documentation("Field names on the record value to extract as the record key."),
            )
            .define(
                ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                    .default_value(true)
                    .importance(Importance::Medium)
                    .documentation(REPLACE_NULL_WITH_DEFAULT_DOC),
            )
    }
}

impl<R: Record> Transform<R> for ValueToKey {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        self.config = Some(Config {
            fields: parsed.get_list(FIELDS_CONFIG)?.to_vec(),
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?,
        });
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| ConfigError::missing(FIELDS_CONFIG))?;
        if record.value_schema.is_none() {
            let value = require_map(&record.value, PURPOSE)?;
            let mut key: Vec<(Value, Value)> = Vec::with_capacity(config.fields.len());
            for field in &config.fields {
                if key.iter().any(|(k, _)| k.as_str() == Some(field)) {
                    continue;
                }
                let found = value
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(field))
                    .map_or(Value::Null, |(_, v)| v.clone());
                key.push((field.as_str().into(), found));
            }
            record.key_schema = None;
            record.key = Value::Map(key);
        } else {
            let value = require_struct(&record.value, PURPOSE)?;
            let value_schema = value.schema().clone();
            let key_schema = self.cache.get_or_derive(&value_schema, |schema| {
                let mut builder = SchemaBuilder::struct_();
                for field in &config.fields {
                    let from_value = schema
                        .field(field)
                        .ok_or_else(|| data_error(format!("Field does not exist: {field}")))?;
                    builder = builder.field(field.as_str(), from_value.schema().clone());
                }
                builder.build().map_err(ConnectError::from)
            })?;
            let key_schema = key_schema.clone();
            let mut key = Struct::new(key_schema.clone())?;
            for field in &config.fields {
                let field_value = get_field(value, field, config.replace_null_with_default)?;
                key.put(field, field_value.clone())?;
            }
            record.key_schema = Some(key_schema);
            record.key = Value::Struct(key);
            record.value_schema = Some(value_schema);
        }
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

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn configured(pairs: &[(&str, &str)]) -> ValueToKey {
        let mut t = ValueToKey::new();
        Transform::<SourceRecord>::configure(&mut t, &props(pairs)).unwrap();
        t
    }

    fn source(schema: Option<Schema>, value: Value) -> SourceRecord {
        SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "test", schema, value)
            .with_key(Some(Schema::string()), "old".into())
            .with_partition(0)
    }

    fn value_schema() -> Schema {
        SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .field("c", Schema::int32())
            .build()
            .unwrap()
    }

    fn value() -> Struct {
        Struct::new(value_schema())
            .unwrap()
            .with("a", 1)
            .unwrap()
            .with("b", 2)
            .unwrap()
            .with("c", 3)
            .unwrap()
    }

    #[test]
    fn class_name_and_config_def() {
        assert_eq!(
            ValueToKey::CLASS,
            "org.apache.kafka.connect.transforms.ValueToKey"
        );
        let def = Transform::<SinkRecord>::config(&ValueToKey::new());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            ["fields", "replace.null.with.default"]
        );
        let fields = def.key("fields").unwrap();
        assert_eq!(fields.type_(), ConfigType::List);
        assert!(fields.is_required());
        assert_eq!(fields.importance(), Importance::High);
        assert_eq!(
            fields.validator().map(ToString::to_string).as_deref(),
            Some("non-empty list")
        );
    }

    #[test]
    fn fields_must_be_a_non_empty_list() {
        let mut t = ValueToKey::new();
        let err = Transform::<SourceRecord>::configure(&mut t, &ConfigMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"fields\" which has no default value."
        );
        let err =
            Transform::<SourceRecord>::configure(&mut t, &props(&[("fields", "")])).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
        assert_eq!(
            err.to_string(),
            "Invalid value [] for configuration fields: Empty list"
        );
        let err = t.apply(source(None, Value::Map(vec![]))).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
    }

    #[test]
    fn schemaless() {
        let mut t = configured(&[("fields", "a,b")]);
        let value = Value::Map(vec![
            ("a".into(), 1.into()),
            ("b".into(), 2.into()),
            ("c".into(), 3.into()),
        ]);
        let out = t.apply(source(None, value.clone())).unwrap().unwrap();
        assert_eq!(out.key_schema, None);
        assert_eq!(
            out.key,
            Value::Map(vec![("a".into(), 1.into()), ("b".into(), 2.into())])
        );
        assert_eq!(out.value, value);
        assert_eq!(out.value_schema, None);
        assert_eq!(out.kafka_partition, Some(0));
    }

    #[test]
    fn schemaless_missing_field_is_null() {
        let mut t = configured(&[("fields", "a, missing, a")]);
        let value = Value::Map(vec![("a".into(), 1.into())]);
        let out = t.apply(source(None, value)).unwrap().unwrap();
        assert_eq!(
            out.key,
            Value::Map(vec![
                ("a".into(), 1.into()),
                ("missing".into(), Value::Null)
            ])
        );
    }

    #[test]
    fn schemaless_requires_a_map() {
        let mut t = configured(&[("fields", "a")]);
        let err = t.apply(source(None, Value::Null)).unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
        );
        let err = t.apply(source(None, "x".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: java.lang.String"
        );
    }

    #[test]
    fn with_schema() {
        let mut t = configured(&[("fields", "a,b")]);
        let out = t
            .apply(source(Some(value_schema()), value().into()))
            .unwrap()
            .unwrap();
        let expected_schema = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .build()
            .unwrap();
        assert_eq!(out.key_schema, Some(expected_schema.clone()));
        let expected = Struct::new(expected_schema)
            .unwrap()
            .with("a", 1)
            .unwrap()
            .with("b", 2)
            .unwrap();
        assert_eq!(out.key, Value::Struct(expected));
        assert_eq!(out.value, Value::Struct(value()));
        assert_eq!(out.value_schema, Some(value_schema()));
    }

    #[test]
    fn with_schema_on_sink_records_and_cached_schema() {
        let mut t = configured(&[("fields", "c")]);
        let record = || {
            SinkRecord::new(
                ConnectRecord::new("t", Some(value_schema()), value().into()),
                1,
                2,
                TimestampType::CreateTime,
            )
        };
        let first = t.apply(record()).unwrap().unwrap();
        let second = t.apply(record()).unwrap().unwrap();
        assert!(
            first
                .key_schema
                .clone()
                .unwrap()
                .ptr_eq(second.key_schema.as_ref().unwrap())
        );
        assert_eq!(second.kafka_offset, 2);
        let Value::Struct(key) = &second.key else {
            panic!("not a struct")
        };
        assert_eq!(key.get("c").unwrap(), &Value::Int32(3));
    }

    #[test]
    fn with_schema_missing_field_fails() {
        let mut t = configured(&[("fields", "a,not_exist")]);
        let err = t
            .apply(source(Some(value_schema()), value().into()))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(err.to_string(), "Field does not exist: not_exist");
    }

    #[test]
    fn with_schema_requires_a_struct() {
        let mut t = configured(&[("fields", "a")]);
        let err = t
            .apply(source(Some(Schema::optional_string()), Value::Null))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [copying fields from value to key], found: null"
        );
        let err = t
            .apply(source(Some(Schema::string()), "x".into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [copying fields from value to key], found: java.lang.String"
        );
    }

    #[test]
    fn replace_null_with_default() {
        let field = SchemaBuilder::int32()
            .optional()
            .default_value(42)
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("optional_with_default", field.clone())
            .build()
            .unwrap();
        let value = Struct::new(schema.clone()).unwrap();
        for (setting, want) in [
            (None, Value::Int32(42)),
            (Some("true"), Value::Int32(42)),
            (Some("false"), Value::Null),
        ] {
            let mut pairs = vec![("fields", "optional_with_default")];
            if let Some(s) = setting {
                pairs.push(("replace.null.with.default", s));
            }
            let mut t = configured(&pairs);
            let out = t
                .apply(source(Some(schema.clone()), value.clone().into()))
                .unwrap()
                .unwrap();
            let Value::Struct(key) = &out.key else {
                panic!("not a struct")
            };
            assert_eq!(
                key.get_without_default("optional_with_default").unwrap(),
                &want
            );
            assert_eq!(
                key.schema()
                    .field("optional_with_default")
                    .unwrap()
                    .schema(),
                &field
            );
        }
    }

    #[test]
    fn duplicate_fields_fail_with_schema() {
        let mut t = configured(&[("fields", "a,a")]);
        let err = t
            .apply(source(Some(value_schema()), value().into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot create field because of field name duplication a"
        );
    }
}
