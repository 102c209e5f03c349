//! `ReplaceField$Key` / `ReplaceField$Value`: drops and renames fields of the key or value.
//!
//! A field is kept when it is not excluded and either no include list is configured or it is
//! included (so `exclude` wins over `include`); kept fields are then renamed. With a schema the
//! key or value must be a struct and the derived schema (cached) keeps the struct's name,
//! version, doc and parameters; without, it must be a map. A null key or value passes through.

use crate::common::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, REPLACE_NULL_WITH_DEFAULT_DOC, copy_schema_basics,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigValue, Importance, LambdaValidator,
};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{Part, SchemaCache, class_of, data_error, require_map, require_struct};

const EXCLUDE_CONFIG: &str = "exclude";
const INCLUDE_CONFIG: &str = "include";
const BLACKLIST_CONFIG: &str = "blacklist";
const WHITELIST_CONFIG: &str = "whitelist";
const RENAMES_CONFIG: &str = "renames";
const PURPOSE: &str = "field replacement";

/// Filters and renames the fields of a struct (with a schema) or map (without) (Kafka's
/// `ReplaceField$Key` / `ReplaceField$Value`).
///
/// Config keys: `exclude` and `include` (lists of field names; `exclude` takes precedence),
/// `renames` (list of `old:new` pairs), `replace.null.with.default` (default `true`: null struct
/// fields take their schema defaults), and the deprecated `blacklist` / `whitelist`, read as
/// `exclude` / `include` when those are not set.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::Value;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::replace_field::ReplaceField;
///
/// let mut replace = ReplaceField::value();
/// Transform::<SinkRecord>::configure(
///     &mut replace,
///     &ConfigMap::from([
///         ("exclude".to_owned(), "password".to_owned()),
///         ("renames".to_owned(), "name:user".to_owned()),
///     ]),
/// )?;
/// let value = Value::Map(vec![("name".into(), "ann".into()), ("password".into(), "s3cr3t".into())]);
/// let record = SinkRecord::new(ConnectRecord::new("users", None, value), 0, 0, TimestampType::CreateTime);
/// let out = replace.apply(record)?.ok_or("dropped")?;
/// assert_eq!(out.value, Value::Map(vec![("user".into(), "ann".into())]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ReplaceField {
    part: Part,
    rules: Rules,
    replace_null_with_default: bool,
    cache: SchemaCache<Updated>,
}

/// What a struct schema becomes: the updated schema, and for each source field whether it is
/// kept (so records are filtered by position, not by looking names up).
#[derive(Debug, Clone)]
struct Updated {
    schema: Schema,
    kept: Arc<[bool]>,
}

/// Which fields are kept, and their new names.
#[derive(Debug, Default)]
struct Rules {
    exclude: HashSet<String>,
    include: HashSet<String>,
    renames: HashMap<String, String>,
}

impl ReplaceField {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.ReplaceField$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.ReplaceField$Value";

    /// The transform working on record keys (`ReplaceField$Key`).
    pub fn key() -> Self {
        Self::new(Part::Key)
    }

    /// The transform working on record values (`ReplaceField$Value`).
    pub fn value() -> Self {
        Self::new(Part::Value)
    }

    fn new(part: Part) -> Self {
        Self {
            part,
            rules: Rules::default(),
            replace_null_with_default: true,
            cache: SchemaCache::default(),
        }
    }

    /// The configuration definition: `exclude`, `blacklist`, `include`, `whitelist`, `renames`
    /// and `replace.null.with.default`, as Kafka defines them.
    pub fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::list(EXCLUDE_CONFIG)
                    .default_value("")
                    .importance(Importance::Medium)
                    .documentation(
                        "Fields to exclude. This takes precedence over the fields to include.",
                    ),
            )
            .define(
                ConfigKey::list(BLACKLIST_CONFIG)
                    .default_null()
                    .importance(Importance::Low)
                    .documentation(format!("Deprecated. Use {EXCLUDE_CONFIG} instead.")),
            )
            .define(
                ConfigKey::list(INCLUDE_CONFIG)
                    .default_value("")
                    .importance(Importance::Medium)
                    .documentation(
                        "Fields to include. If specified, only these fields will be used.",
                    ),
            )
            .define(
                ConfigKey::list(WHITELIST_CONFIG)
                    .default_null()
                    .importance(Importance::Low)
                    .documentation(format!("Deprecated. Use {INCLUDE_CONFIG} instead.")),
            )
            .define(
                ConfigKey::list(RENAMES_CONFIG)
                    .default_value("")
                    .validator(LambdaValidator::with(
                        |_, value| {
                            let mappings = value.and_then(ConfigValue::as_list).unwrap_or(&[]);
                            parse_rename_mappings(mappings).map(drop)
                        },
                        "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
                    ))
                    .importance(Importance::Medium)
                    .documentation("Field rename mappings."),
            )
            .define(
                ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                    .default_value(true)
                    .importance(Importance::Medium)
                    .documentation(REPLACE_NULL_WITH_DEFAULT_DOC),
            )
    }
}

impl Rules {
    /// Whether a field with this name is kept (a null map key has no name).
    fn keeps(&self, name: Option<&str>) -> bool {
        match name {
            Some(name) => {
                !self.exclude.contains(name)
                    && (self.include.is_empty() || self.include.contains(name))
            }
            None => self.include.is_empty(),
        }
    }

    /// The name a kept field gets.
    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    fn apply_schemaless(&self, value: Value) -> Result<Value> {
        let entries = match value {
            Value::Map(entries) => entries,
            other => return Err(not_a_map(&other)),
        };
        let mut updated: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
        let mut positions: HashMap<Option<String>, usize> = HashMap::with_capacity(entries.len());
        for (key, value) in entries {
            let name = match &key {
                Value::String(name) => Some(name.as_str()),
                Value::Null => None,
                other => {
                    return Err(data_error(format!(
                        "class {} cannot be cast to class java.lang.String",
                        class_of(other)
                    )));
                }
            };
            if !self.keeps(name) {
                continue;
            }
            let new_name = name.map(|n| self.renamed(n).to_owned());
            // A map holds one value per key: a later field renamed onto an earlier one replaces it.
            match positions.get(&new_name) {
                Some(&at) => updated[at].1 = value,
                None => {
                    positions.insert(new_name.clone(), updated.len());
                    updated.push((new_name.map_or(Value::Null, Value::String), value));
                }
            }
        }
        Ok(Value::Map(updated))
    }

    fn make_updated_schema(&self, schema: &Schema) -> Result<Updated> {
        let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        let mut kept = Vec::with_capacity(schema.fields().len());
        for field in schema.fields() {
            let keeps = self.keeps(Some(field.name()));
            if keeps {
                builder = builder.field(self.renamed(field.name()), field.schema().clone());
            }
            kept.push(keeps);
        }
        Ok(Updated {
            schema: builder.build()?,
            kept: kept.into(),
        })
    }
}

impl<R: Record> Transform<R> for ReplaceField {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(&translate_deprecated(configs))?;
        let set = |name: &str| -> Result<HashSet<String>> {
            Ok(parsed.get_list(name)?.iter().cloned().collect())
        };
        self.rules = Rules {
            exclude: set(EXCLUDE_CONFIG)?,
            include: set(INCLUDE_CONFIG)?,
            renames: parse_rename_mappings(parsed.get_list(RENAMES_CONFIG)?)?,
        };
        self.replace_null_with_default = parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?;
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        if self.part.value(&record).is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = self.part.take(&mut record);
        let (schema, value) = match schema {
            None => (None, self.rules.apply_schemaless(value)?),
            Some(_) => {
                let value = match value {
                    Value::Struct(s) => s,
                    other => require_struct(&other, PURPOSE)?.clone(),
                };
                let (source, mut values) = value.into_parts();
                let rules = &self.rules;
                let Updated { schema, kept } = self
                    .cache
                    .get_or_derive(&source, |s| rules.make_updated_schema(s))?;
                // The kept fields in order are the fields of the updated schema; the values'
                // vector is filtered in place.
                let mut keeps = kept.iter();
                values.retain(|_| keeps.next().copied().unwrap_or(false));
                if self.replace_null_with_default {
                    for (field, value) in schema.fields().iter().zip(values.iter_mut()) {
                        if value.is_null()
                            && let Some(default) = field.schema().default_value()
                        {
                            *value = default.clone();
                        }
                    }
                }
                (
                    Some(schema.clone()),
                    Value::Struct(Struct::from_values(schema.clone(), values)?),
                )
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

/// The error `require_map` gives for a value that is not a map.
fn not_a_map(value: &Value) -> ConnectError {
    match require_map(value, PURPOSE) {
        Err(e) => e,
        Ok(_) => data_error(format!("Expected no map for [{PURPOSE}]")),
    }
}

/// Kafka's `ConfigUtils.translateDeprecatedConfigs` for `blacklist` → `exclude` and
/// `whitelist` → `include`: a deprecated key is used only when its replacement is not set, and
/// is removed either way.
fn translate_deprecated(configs: &ConfigMap) -> ConfigMap {
    let mut translated = configs.clone();
    for (target, deprecated) in [
        (EXCLUDE_CONFIG, BLACKLIST_CONFIG),
        (INCLUDE_CONFIG, WHITELIST_CONFIG),
    ] {
        if let Some(value) = translated.remove(deprecated)
            && !translated.contains_key(target)
        {
            translated.insert(target.to_owned(), value);
        }
    }
    translated
}

/// Parses `old:new` pairs; a later pair for the same field wins.
///
/// Like Java's `String.split(":")`, trailing empty parts are dropped, so `a:b:` is the pair
/// `a`→`b` and `:b` renames the empty name.
fn parse_rename_mappings(mappings: &[String]) -> Result<HashMap<String, String>, ConfigError> {
    let mut renames = HashMap::with_capacity(mappings.len());
    for mapping in mappings {
        let mut parts: Vec<&str> = mapping.split(':').collect();
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        match parts.as_slice() {
            [old, new] => {
                renames.insert((*old).to_owned(), (*new).to_owned());
            }
            _ => {
                return Err(ConfigError::invalid(
                    RENAMES_CONFIG,
                    format!("[{}]", mappings.join(", ")),
                    format!("Invalid rename mapping: {mapping}"),
                ));
            }
        }
    }
    Ok(renames)
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

    fn configured(mut t: ReplaceField, pairs: &[(&str, &str)]) -> ReplaceField {
        Transform::<SinkRecord>::configure(&mut t, &props(pairs)).unwrap();
        t
    }

    fn configure_error(pairs: &[(&str, &str)]) -> ConnectError {
        let mut t = ReplaceField::value();
        Transform::<SinkRecord>::configure(&mut t, &props(pairs)).unwrap_err()
    }

    fn sink_value(schema: Option<Schema>, value: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("test", schema, value),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    fn source_key(schema: Option<Schema>, key: Value) -> SourceRecord {
        SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "test",
            Some(Schema::string()),
            "v".into(),
        )
        .with_key(schema, key)
    }

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn dabc() -> Value {
        map(vec![
            ("dont", "whatever".into()),
            ("abc", 42.into()),
            ("foo", true.into()),
            ("etc", "etc".into()),
        ])
    }

    fn struct_schema() -> Schema {
        SchemaBuilder::struct_()
            .name("n")
            .version(3)
            .doc("d")
            .parameter("p", "q")
            .optional()
            .field("dont", Schema::string())
            .field("abc", Schema::int32())
            .field("foo", Schema::boolean())
            .field("etc", Schema::string())
            .field(
                "opt",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(7)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    fn struct_value() -> Struct {
        Struct::new(struct_schema())
            .unwrap()
            .with("dont", "whatever")
            .unwrap()
            .with("abc", 42)
            .unwrap()
            .with("foo", true)
            .unwrap()
            .with("etc", "etc")
            .unwrap()
    }

    #[test]
    fn class_names_and_config_def() {
        assert_eq!(
            ReplaceField::KEY_CLASS,
            "org.apache.kafka.connect.transforms.ReplaceField$Key"
        );
        assert_eq!(
            ReplaceField::VALUE_CLASS,
            "org.apache.kafka.connect.transforms.ReplaceField$Value"
        );
        let def = Transform::<SinkRecord>::config(&ReplaceField::value());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            [
                "exclude",
                "blacklist",
                "include",
                "whitelist",
                "renames",
                "replace.null.with.default"
            ]
        );
        for name in ["exclude", "include", "renames", "blacklist", "whitelist"] {
            assert_eq!(def.key(name).unwrap().type_(), ConfigType::List, "{name}");
            assert!(def.key(name).unwrap().has_default(), "{name}");
        }
        assert_eq!(
            def.key("blacklist").unwrap().documentation(),
            Some("Deprecated. Use exclude instead.")
        );
        assert_eq!(def.key("whitelist").unwrap().importance(), Importance::Low);
        assert_eq!(
            def.key("renames")
                .unwrap()
                .validator()
                .map(ToString::to_string)
                .as_deref(),
            Some("list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>")
        );
    }

    #[test]
    fn invalid_rename_mappings() {
        for (renames, bad) in [
            ("a", "a"),
            ("a:b,c", "c"),
            ("a:b:c", "a:b:c"),
            ("a:", "a:"),
            (":", ":"),
            ("a::", "a::"),
        ] {
            let err = configure_error(&[("renames", renames)]);
            assert!(matches!(err, ConnectError::Config(_)), "{renames}");
            let listed = renames.split(',').collect::<Vec<_>>().join(", ");
            assert_eq!(
                err.to_string(),
                format!(
                    "Invalid value [{listed}] for configuration renames: Invalid rename mapping: {bad}"
                )
            );
        }
    }

    #[test]
    fn java_split_semantics_for_renames() {
        let renames = parse_rename_mappings(&["a:b:".to_owned(), ":c".to_owned()]).unwrap();
        assert_eq!(renames.get("a").map(String::as_str), Some("b"));
        assert_eq!(renames.get("").map(String::as_str), Some("c"));
        let renames = parse_rename_mappings(&["a:b".to_owned(), "a:c".to_owned()]).unwrap();
        assert_eq!(renames.get("a").map(String::as_str), Some("c"));
    }

    #[test]
    fn unconfigured_passes_everything() {
        let mut t = ReplaceField::value();
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        assert_eq!(out.value, dabc());
    }

    #[test]
    fn null_passes_through() {
        let mut t = configured(ReplaceField::value(), &[("include", "abc")]);
        let out = t
            .apply(sink_value(Some(struct_schema()), Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Null);
        assert_eq!(out.value_schema, Some(struct_schema()));
        let out = t.apply(sink_value(None, Value::Null)).unwrap().unwrap();
        assert_eq!(out.value, Value::Null);
        assert_eq!(out.value_schema, None);
    }

    #[test]
    fn schemaless_exclude_include_and_rename() {
        let mut t = configured(
            ReplaceField::value(),
            &[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")],
        );
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        assert_eq!(out.value_schema, None);
        assert_eq!(
            out.value,
            map(vec![
                ("xyz", 42.into()),
                ("bar", true.into()),
                ("etc", "etc".into())
            ])
        );

        let mut t = configured(ReplaceField::value(), &[("include", "abc,foo")]);
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        assert_eq!(
            out.value,
            map(vec![("abc", 42.into()), ("foo", true.into())])
        );
    }

    #[test]
    fn exclude_wins_over_include() {
        let mut t = configured(
            ReplaceField::value(),
            &[("include", "abc,foo"), ("exclude", "foo")],
        );
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        assert_eq!(out.value, map(vec![("abc", 42.into())]));
    }

    #[test]
    fn deprecated_keys_are_aliases() {
        let mut t = configured(ReplaceField::value(), &[("blacklist", "dont,etc")]);
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        assert_eq!(
            out.value,
            map(vec![("abc", 42.into()), ("foo", true.into())])
        );

        let mut t = configured(ReplaceField::value(), &[("whitelist", "abc")]);
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        assert_eq!(out.value, map(vec![("abc", 42.into())]));

        // The current key wins when both are set.
        let mut t = configured(
            ReplaceField::value(),
            &[
                ("blacklist", "abc"),
                ("exclude", "dont"),
                ("whitelist", "dont"),
                ("include", "abc,dont,foo"),
            ],
        );
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        assert_eq!(
            out.value,
            map(vec![("abc", 42.into()), ("foo", true.into())])
        );
    }

    #[test]
    fn schemaless_rename_onto_existing_key_replaces_it() {
        let mut t = configured(ReplaceField::value(), &[("renames", "abc:etc")]);
        let out = t.apply(sink_value(None, dabc())).unwrap().unwrap();
        let Value::Map(entries) = &out.value else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 3);
        assert_eq!(out.value.map_get(&"etc".into()), Some(&Value::from("etc")));
    }

    #[test]
    fn schemaless_null_key_is_kept_without_include() {
        let value = Value::Map(vec![(Value::Null, 1.into()), ("a".into(), 2.into())]);
        let mut t = configured(ReplaceField::value(), &[("exclude", "a")]);
        let out = t.apply(sink_value(None, value.clone())).unwrap().unwrap();
        assert_eq!(out.value, Value::Map(vec![(Value::Null, 1.into())]));
        let mut t = configured(ReplaceField::value(), &[("include", "a")]);
        let out = t.apply(sink_value(None, value)).unwrap().unwrap();
        assert_eq!(out.value, map(vec![("a", 2.into())]));
    }

    #[test]
    fn schemaless_errors() {
        let mut t = configured(ReplaceField::value(), &[]);
        let err = t.apply(sink_value(None, 42.into())).unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [field replacement], found: java.lang.Integer"
        );
        let err = t
            .apply(sink_value(None, Value::Map(vec![(1.into(), 2.into())])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "class java.lang.Integer cannot be cast to class java.lang.String"
        );
    }

    #[test]
    fn with_schema_key() {
        let mut t = configured(
            ReplaceField::key(),
            &[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")],
        );
        let out = t
            .apply(source_key(Some(struct_schema()), struct_value().into()))
            .unwrap()
            .unwrap();
        let schema = out.key_schema.clone().unwrap();
        assert_eq!(
            schema.fields().iter().map(|f| f.name()).collect::<Vec<_>>(),
            ["xyz", "bar", "etc", "opt"]
        );
        assert_eq!(schema.name(), Some("n"));
        assert_eq!(schema.version(), Some(3));
        assert_eq!(schema.doc(), Some("d"));
        assert_eq!(schema.parameter("p"), Some("q"));
        // Kafka's copySchemaBasics does not copy optionality.
        assert!(!schema.is_optional());
        assert_eq!(schema.field("xyz").unwrap().schema(), &Schema::int32());
        let Value::Struct(s) = &out.key else {
            panic!("not a struct")
        };
        assert_eq!(s.get("xyz").unwrap(), &Value::Int32(42));
        assert_eq!(s.get("bar").unwrap(), &Value::Boolean(true));
        assert_eq!(s.get("etc").unwrap(), &Value::from("etc"));
        assert_eq!(out.value, Value::from("v"));
    }

    #[test]
    fn with_schema_include() {
        let mut t = configured(ReplaceField::value(), &[("include", "abc,foo")]);
        let out = t
            .apply(sink_value(Some(struct_schema()), struct_value().into()))
            .unwrap()
            .unwrap();
        let Value::Struct(s) = &out.value else {
            panic!("not a struct")
        };
        assert_eq!(s.schema().fields().len(), 2);
        assert_eq!(s.to_string(), "Struct{abc=42,foo=true}");
        assert_eq!(out.value_schema.as_ref(), Some(s.schema()));
    }

    #[test]
    fn with_schema_replace_null_with_default() {
        for (setting, want) in [
            (None, Value::Int32(7)),
            (Some("true"), Value::Int32(7)),
            (Some("false"), Value::Null),
        ] {
            let mut pairs = vec![("include", "opt")];
            if let Some(s) = setting {
                pairs.push(("replace.null.with.default", s));
            }
            let mut t = configured(ReplaceField::value(), &pairs);
            let out = t
                .apply(sink_value(Some(struct_schema()), struct_value().into()))
                .unwrap()
                .unwrap();
            let Value::Struct(s) = &out.value else {
                panic!("not a struct")
            };
            assert_eq!(s.get_without_default("opt").unwrap(), &want, "{setting:?}");
        }
    }

    #[test]
    fn with_schema_requires_a_struct() {
        let mut t = configured(ReplaceField::value(), &[]);
        let err = t
            .apply(sink_value(Some(Schema::string()), "x".into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [field replacement], found: java.lang.String"
        );
    }

    #[test]
    fn with_schema_rename_collision_fails() {
        let mut t = configured(ReplaceField::value(), &[("renames", "abc:etc")]);
        let err = t
            .apply(sink_value(Some(struct_schema()), struct_value().into()))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Cannot create field because of field name duplication etc"
        );
    }

    #[test]
    fn rename_target_of_excluded_field_keeps_own_value() {
        // `abc` is excluded and would have been renamed to `etc`; `etc` keeps its own value.
        let mut t = configured(
            ReplaceField::value(),
            &[
                ("exclude", "abc"),
                ("renames", "abc:etc"),
                ("include", "abc,etc"),
            ],
        );
        let out = t
            .apply(sink_value(Some(struct_schema()), struct_value().into()))
            .unwrap()
            .unwrap();
        let Value::Struct(s) = &out.value else {
            panic!("not a struct")
        };
        assert_eq!(s.to_string(), "Struct{etc=etc}");
    }

    #[test]
    fn updated_schema_is_cached() {
        let mut t = configured(ReplaceField::value(), &[("exclude", "dont")]);
        let first = t
            .apply(sink_value(Some(struct_schema()), struct_value().into()))
            .unwrap()
            .unwrap();
        let second = t
            .apply(sink_value(Some(struct_schema()), struct_value().into()))
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
