//! `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`: sets the name and/or version of the key
//! or value schema.
//!
//! Everything else about the schema is kept (type, optionality, default, doc, parameters,
//! fields, key and value schemas). A struct key or value is re-bound to the updated schema; the
//! structs nested in it keep theirs, as their schemas do not change.

use crate::common::{REPLACE_NULL_WITH_DEFAULT_CONFIG, REPLACE_NULL_WITH_DEFAULT_DOC};
use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::data::{Schema, SchemaBuilder, Struct, Type, Value};
use connect_api::error::{ConfigError, ConnectError, DataError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{Part, SchemaCache, require_schema};

const SCHEMA_NAME_CONFIG: &str = "schema.name";
const SCHEMA_VERSION_CONFIG: &str = "schema.version";
const PURPOSE: &str = "updating schema metadata";
const NOTHING_CONFIGURED: &str = "Neither schema name nor version configured";

/// Sets the schema name, version or both of the record key or value (Kafka's
/// `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`).
///
/// Config keys: `schema.name` and `schema.version` (at least one must be set), and
/// `replace.null.with.default` (default `true`: when a struct is re-bound to the updated schema,
/// its null fields take their schema defaults).
///
/// A record whose key (or value) and schema are both null passes through; any other record needs
/// a schema.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::set_schema_metadata::SetSchemaMetadata;
///
/// let schema = SchemaBuilder::struct_().field("id", Schema::int64()).build()?;
/// let value = Struct::new(schema.clone())?.with("id", 1i64)?;
/// let mut set = SetSchemaMetadata::value();
/// Transform::<SinkRecord>::configure(
///     &mut set,
///     &ConfigMap::from([
///         ("schema.name".to_owned(), "com.example.User".to_owned()),
///         ("schema.version".to_owned(), "3".to_owned()),
///     ]),
/// )?;
/// let record = SinkRecord::new(ConnectRecord::new("users", Some(schema), value.into()), 0, 0, TimestampType::CreateTime);
/// let out = set.apply(record)?.ok_or("dropped")?;
/// let schema = out.value_schema.as_ref().ok_or("no schema")?;
/// assert_eq!((schema.name(), schema.version()), (Some("com.example.User"), Some(3)));
/// let Value::Struct(s) = &out.value else { return Err("not a struct".into()) };
/// assert_eq!(s.schema(), schema);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SetSchemaMetadata {
    part: Part,
    config: Option<Config>,
    cache: SchemaCache,
}

#[derive(Debug)]
struct Config {
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
}

impl SetSchemaMetadata {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value";

    /// The transform working on record keys (`SetSchemaMetadata$Key`).
    pub fn key() -> Self {
        Self::new(Part::Key)
    }

    /// The transform working on record values (`SetSchemaMetadata$Value`).
    pub fn value() -> Self {
        Self::new(Part::Value)
    }

    fn new(part: Part) -> Self {
        Self {
            part,
            config: None,
            cache: SchemaCache::default(),
        }
    }

    /// The configuration definition: `schema.name`, `schema.version` and
    /// `replace.null.with.default`, as Kafka defines them.
    pub fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::string(SCHEMA_NAME_CONFIG)
                    .default_null()
                    .importance(Importance::High)
                    .documentation("Schema name to set."),
            )
            .define(
                ConfigKey::int(SCHEMA_VERSION_CONFIG)
                    .default_null()
                    .importance(Importance::High)
                    .documentation("Schema version to set."),
            )
            .define(
                ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                    .default_value(true)
                    .importance(Importance::Medium)
                    .documentation(REPLACE_NULL_WITH_DEFAULT_DOC),
            )
    }
}

impl<R: Record> Transform<R> for SetSchemaMetadata {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let name = parsed
            .get_opt_string(SCHEMA_NAME_CONFIG)?
            .map(str::to_owned);
        let version = parsed.get_opt_int(SCHEMA_VERSION_CONFIG)?;
        if name.is_none() && version.is_none() {
            return Err(ConfigError::other(NOTHING_CONFIGURED).into());
        }
        self.config = Some(Config {
            name,
            version,
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?,
        });
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| ConfigError::other(NOTHING_CONFIGURED))?;
        if self.part.schema(&record).is_none() && self.part.value(&record).is_null() {
            return Ok(Some(record));
        }
        let schema = require_schema(self.part.schema(&record), PURPOSE)?;
        let updated = self
            .cache
            .get_or_derive(schema, |schema| {
                with_metadata(schema, config.name.as_deref(), config.version)
                    .map_err(ConnectError::from)
            })?
            .clone();
        let (_, value) = self.part.take(&mut record);
        let value = match value {
            Value::Struct(s) => {
                Value::Struct(rebind(s, &updated, config.replace_null_with_default)?)
            }
            other => other,
        };
        self.part.set(&mut record, Some(updated), value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }

    fn close(&mut self) {
        self.cache = SchemaCache::default();
    }
}

/// A copy of `schema` with the given name and version (those of `schema` where not given).
fn with_metadata(
    schema: &Schema,
    name: Option<&str>,
    version: Option<i32>,
) -> Result<Schema, DataError> {
    let builder = |optional: bool| -> Result<SchemaBuilder, DataError> {
        let missing = || DataError::new(format!("{} schema is incomplete", schema.type_()));
        let mut builder = match schema.type_() {
            Type::Array => SchemaBuilder::array(schema.value_schema().ok_or_else(missing)?.clone()),
            Type::Map => SchemaBuilder::map(
                schema.key_schema().ok_or_else(missing)?.clone(),
                schema.value_schema().ok_or_else(missing)?.clone(),
            ),
            other => SchemaBuilder::new(other),
        };
        if optional {
            builder = builder.optional();
        }
        if let Some(name) = name.or(schema.name()) {
            builder = builder.name(name);
        }
        if let Some(version) = version.or(schema.version()) {
            builder = builder.version(version);
        }
        if let Some(doc) = schema.doc() {
            builder = builder.doc(doc);
        }
        if let Some(parameters) = schema.parameters() {
            builder = builder.parameters(parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for field in schema.fields() {
            builder = builder.field(field.name(), field.schema().clone());
        }
        Ok(builder)
    };
    match schema.default_value() {
        None => builder(schema.is_optional())?.build(),
        // A struct default belongs to the old schema: re-bind it to the new one (which, as the
        // schema of a default, is required and has no default itself).
        Some(Value::Struct(default)) => {
            let bare = builder(false)?.build()?;
            let default = Struct::from_values(bare, default.values().to_vec())?;
            builder(schema.is_optional())?
                .default_value(default)
                .build()
        }
        Some(default) => builder(schema.is_optional())?
            .default_value(default.clone())
            .build(),
    }
}

/// Kafka's `updateSchemaIn`: the struct's field values in a struct of the updated schema, null
/// fields taking their defaults when `replace_null_with_default`.
fn rebind(value: Struct, updated: &Schema, replace_null_with_default: bool) -> Result<Struct> {
    let values = value
        .into_values()
        .into_iter()
        .zip(updated.fields())
        .map(|(v, field)| match v {
            Value::Null if replace_null_with_default => field
                .schema()
                .default_value()
                .cloned()
                .unwrap_or(Value::Null),
            v => v,
        })
        .collect();
    Ok(Struct::from_values(updated.clone(), values)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::config::ConfigType;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn configured(mut t: SetSchemaMetadata, pairs: &[(&str, &str)]) -> SetSchemaMetadata {
        Transform::<SinkRecord>::configure(&mut t, &props(pairs)).unwrap();
        t
    }

    fn sink_value(schema: Option<Schema>, value: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("", schema, value),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    fn struct_schema() -> Schema {
        SchemaBuilder::struct_()
            .name("my.orig.SchemaDefn")
            .version(1)
            .doc("the doc")
            .parameter("k", "v")
            .field("int8", Schema::int8())
            .field(
                "opt",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(42)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn class_names_and_config_def() {
        assert_eq!(
            SetSchemaMetadata::KEY_CLASS,
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key"
        );
        assert_eq!(
            SetSchemaMetadata::VALUE_CLASS,
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value"
        );
        let def = Transform::<SinkRecord>::config(&SetSchemaMetadata::value());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            ["schema.name", "schema.version", "replace.null.with.default"]
        );
        assert_eq!(def.key("schema.name").unwrap().type_(), ConfigType::String);
        assert_eq!(def.key("schema.version").unwrap().type_(), ConfigType::Int);
        assert!(def.key("schema.version").unwrap().has_default());
        assert_eq!(
            def.key("schema.name").unwrap().importance(),
            Importance::High
        );
    }

    #[test]
    fn name_or_version_required() {
        let mut t = SetSchemaMetadata::value();
        let err = Transform::<SinkRecord>::configure(&mut t, &ConfigMap::new()).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
        assert_eq!(
            err.to_string(),
            "Neither schema name nor version configured"
        );
        let err = t.apply(sink_value(None, Value::Null)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Neither schema name nor version configured"
        );
        let err = Transform::<SinkRecord>::configure(&mut t, &props(&[("schema.version", "x")]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value x for configuration schema.version: Not a number of type INT"
        );
    }

    #[test]
    fn name_update() {
        let mut t = configured(SetSchemaMetadata::value(), &[("schema.name", "foo")]);
        let out = t
            .apply(sink_value(
                Some(SchemaBuilder::struct_().build().unwrap()),
                Value::Null,
            ))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.name(), Some("foo"));
        assert_eq!(schema.version(), None);
        assert_eq!(out.value, Value::Null);
    }

    #[test]
    fn version_update_keeps_name() {
        let mut t = configured(SetSchemaMetadata::value(), &[("schema.version", "42")]);
        let schema = SchemaBuilder::string()
            .name("n")
            .version(1)
            .build()
            .unwrap();
        let out = t
            .apply(sink_value(Some(schema), "x".into()))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!((schema.name(), schema.version()), (Some("n"), Some(42)));
        assert_eq!(out.value, Value::from("x"));
    }

    #[test]
    fn name_and_version_update_with_struct() {
        let mut t = configured(
            SetSchemaMetadata::value(),
            &[("schema.name", "foo"), ("schema.version", "42")],
        );
        let value = Struct::new(struct_schema())
            .unwrap()
            .with("int8", 8i8)
            .unwrap()
            .with("opt", 5)
            .unwrap();
        let out = t
            .apply(sink_value(Some(struct_schema()), value.into()))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.name(), Some("foo"));
        assert_eq!(schema.version(), Some(42));
        assert_eq!(schema.doc(), Some("the doc"));
        assert_eq!(schema.parameter("k"), Some("v"));
        assert_eq!(schema.fields(), struct_schema().fields());
        assert!(!schema.is_optional());
        let Value::Struct(s) = &out.value else {
            panic!("not a struct")
        };
        assert_eq!(s.schema(), &schema);
        assert_eq!(s.get("int8").unwrap(), &Value::Int8(8));
        assert_eq!(s.get("opt").unwrap(), &Value::Int32(5));
    }

    #[test]
    fn replace_null_with_default() {
        for (setting, want) in [
            (None, Value::Int32(42)),
            (Some("true"), Value::Int32(42)),
            (Some("false"), Value::Null),
        ] {
            let mut pairs = vec![("schema.name", "foo")];
            if let Some(s) = setting {
                pairs.push(("replace.null.with.default", s));
            }
            let mut t = configured(SetSchemaMetadata::value(), &pairs);
            let value = Struct::new(struct_schema())
                .unwrap()
                .with("int8", 1i8)
                .unwrap();
            let out = t
                .apply(sink_value(Some(struct_schema()), value.into()))
                .unwrap()
                .unwrap();
            let Value::Struct(s) = &out.value else {
                panic!("not a struct")
            };
            assert_eq!(s.get_without_default("opt").unwrap(), &want, "{setting:?}");
        }
    }

    #[test]
    fn key_variant_and_other_part_untouched() {
        let mut t = configured(SetSchemaMetadata::key(), &[("schema.name", "k")]);
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "t",
            Some(Schema::string()),
            "v".into(),
        )
        .with_key(Some(Schema::int64()), 5i64.into());
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(out.key_schema.as_ref().unwrap().name(), Some("k"));
        assert_eq!(out.key_schema.as_ref().unwrap().type_(), Type::Int64);
        assert_eq!(out.key, Value::Int64(5));
        assert_eq!(out.value_schema, Some(Schema::string()));
    }

    #[test]
    fn schema_required() {
        let mut t = configured(SetSchemaMetadata::value(), &[("schema.name", "foo")]);
        let err = t.apply(sink_value(None, "x".into())).unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Schema required for [updating schema metadata]"
        );
    }

    #[test]
    fn null_value_and_schema_pass_through() {
        let mut t = configured(SetSchemaMetadata::key(), &[("schema.name", "foo")]);
        let out = t.apply(sink_value(None, Value::Null)).unwrap().unwrap();
        assert_eq!(out.key_schema, None);
        assert_eq!(out.key, Value::Null);
        assert_eq!(out.value_schema, None);
        assert_eq!(out.value, Value::Null);
    }

    #[test]
    fn complex_and_optional_schemas_keep_their_shape() {
        let mut t = configured(SetSchemaMetadata::value(), &[("schema.version", "2")]);
        let array = SchemaBuilder::array(Schema::string())
            .optional()
            .default_value(Value::Array(vec!["a".into()]))
            .build()
            .unwrap();
        let out = t
            .apply(sink_value(Some(array.clone()), Value::Null))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.version(), Some(2));
        assert!(schema.is_optional());
        assert_eq!(schema.value_schema(), Some(&Schema::string()));
        assert_eq!(schema.default_value(), array.default_value());

        let map = SchemaBuilder::map(Schema::string(), Schema::int32())
            .build()
            .unwrap();
        let value = Value::Map(vec![("a".into(), 1.into())]);
        let out = t
            .apply(sink_value(Some(map), value.clone()))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.key_schema(), Some(&Schema::string()));
        assert_eq!(schema.value_schema(), Some(&Schema::int32()));
        assert_eq!(out.value, value);
    }

    #[test]
    fn struct_default_is_rebound() {
        let bare = SchemaBuilder::struct_()
            .name("old")
            .field("a", Schema::int32())
            .build()
            .unwrap();
        let default = Struct::new(bare).unwrap().with("a", 1).unwrap();
        let schema = SchemaBuilder::struct_()
            .name("old")
            .optional()
            .field("a", Schema::int32())
            .default_value(default)
            .build()
            .unwrap();
        let mut t = configured(SetSchemaMetadata::value(), &[("schema.name", "new")]);
        let out = t
            .apply(sink_value(Some(schema), Value::Null))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.name(), Some("new"));
        assert!(schema.is_optional());
        let Some(Value::Struct(default)) = schema.default_value() else {
            panic!("no struct default")
        };
        assert_eq!(default.schema().name(), Some("new"));
        assert_eq!(default.get("a").unwrap(), &Value::Int32(1));
    }

    #[test]
    fn nested_structs_keep_their_schema() {
        let inner = SchemaBuilder::struct_()
            .name("inner")
            .field("x", Schema::int32())
            .build()
            .unwrap();
        let outer = SchemaBuilder::struct_()
            .name("outer")
            .field("in", inner.clone())
            .build()
            .unwrap();
        let nested = Struct::new(inner.clone()).unwrap().with("x", 3).unwrap();
        let value = Struct::new(outer.clone())
            .unwrap()
            .with("in", nested.clone())
            .unwrap();
        let mut t = configured(SetSchemaMetadata::value(), &[("schema.name", "renamed")]);
        let out = t
            .apply(sink_value(Some(outer), value.into()))
            .unwrap()
            .unwrap();
        let Value::Struct(s) = &out.value else {
            panic!("not a struct")
        };
        assert_eq!(s.schema().name(), Some("renamed"));
        assert_eq!(s.get("in").unwrap(), &Value::Struct(nested));
        assert_eq!(
            s.schema().field("in").unwrap().schema().name(),
            Some("inner")
        );
    }

    #[test]
    fn updated_schema_is_cached() {
        let mut t = configured(SetSchemaMetadata::value(), &[("schema.name", "foo")]);
        let first = t
            .apply(sink_value(Some(Schema::string()), "a".into()))
            .unwrap()
            .unwrap();
        let second = t
            .apply(sink_value(Some(Schema::string()), "b".into()))
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
}
