//! `ExtractField$Key` / `ExtractField$Value`: replaces the key or value by one of its fields.
//!
//! With a schema the key or value must be a struct (or null) and becomes the field's value, with
//! the field's schema; a field the schema does not have fails with `Unknown field: <path>`.
//! Without a schema it must be a map (or null) and becomes the value stored under the field's
//! name, null when there is none. `field.syntax.version=V2` (KIP-821) reads nested fields with a
//! dotted path (`a.b.c`), names containing dots wrapped in backticks (`` `a.b`.c ``).

use crate::common::{REPLACE_NULL_WITH_DEFAULT_CONFIG, REPLACE_NULL_WITH_DEFAULT_DOC};
use connect_api::config::{
    CaseInsensitiveValidString, ConfigDef, ConfigKey, ConfigMap, Importance,
};
use connect_api::data::{Field, Schema, Struct, Type, Value};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{Part, data_error, require_map, require_struct};

const FIELD_CONFIG: &str = "field";
const FIELD_SYNTAX_VERSION_CONFIG: &str = "field.syntax.version";
const PURPOSE: &str = "field extraction";
const NESTED_PURPOSE: &str = "nested field access";

const FIELD_SYNTAX_VERSION_DOC: &str = "Defines the version of the syntax to access fields. \
If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. \
If set to `V2`, the syntax will support accessing nested elements. \
To access nested elements, dotted notation is used. \
If dots are already included in the field name, \
then backtick pairs can be used to wrap field names containing dots. \
E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map \
the following format can be used to access its elements: \"`foo.bar`.baz\".";

/// Extracts one field of a struct (with a schema) or map (without) as the new key or value
/// (Kafka's `ExtractField$Key` / `ExtractField$Value`).
///
/// Config keys: `field` (required), `field.syntax.version` (`V1`, the default: the whole text
/// names a top-level field; `V2`: a dotted path with backtick quoting), and
/// `replace.null.with.default` (default `true`: a null field reads as its schema default).
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::extract_field::ExtractField;
///
/// let inner = SchemaBuilder::struct_().field("id", Schema::int64()).build()?;
/// let schema = SchemaBuilder::struct_().field("user", inner.clone()).build()?;
/// let value = Struct::new(schema.clone())?.with("user", Struct::new(inner)?.with("id", 7i64)?)?;
///
/// let mut extract = ExtractField::value();
/// let config = ConfigMap::from([
///     ("field".to_owned(), "user.id".to_owned()),
///     ("field.syntax.version".to_owned(), "V2".to_owned()),
/// ]);
/// Transform::<SinkRecord>::configure(&mut extract, &config)?;
/// let record = SinkRecord::new(
///     ConnectRecord::new("users", Some(schema), value.into()),
///     0,
///     42,
///     TimestampType::CreateTime,
/// );
/// let out = extract.apply(record)?.ok_or("dropped")?;
/// assert_eq!(out.value_schema, Some(Schema::int64()));
/// assert_eq!(out.value, Value::Int64(7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ExtractField {
    part: Part,
    config: Option<Config>,
}

#[derive(Debug)]
struct Config {
    path: FieldPath,
    replace_null_with_default: bool,
}

impl ExtractField {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.ExtractField$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.ExtractField$Value";

    /// The transform working on record keys (`ExtractField$Key`).
    pub fn key() -> Self {
        Self::new(Part::Key)
    }

    /// The transform working on record values (`ExtractField$Value`).
    pub fn value() -> Self {
        Self::new(Part::Value)
    }

    fn new(part: Part) -> Self {
        Self { part, config: None }
    }

    /// The configuration definition: `field`, `replace.null.with.default` and
    /// `field.syntax.version`, with Kafka's types, defaults and documentation.
    pub fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::string(FIELD_CONFIG)
                    .importance(Importance::Medium)
                    .documentation("Field name to extract."),
            )
            .define(
                ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                    .default_value(true)
                    .importance(Importance::Medium)
                    .documentation(REPLACE_NULL_WITH_DEFAULT_DOC),
            )
            .define(
                ConfigKey::string(FIELD_SYNTAX_VERSION_CONFIG)
                    .default_value("V1")
                    .validator(CaseInsensitiveValidString::in_(["V1", "V2"]))
                    .importance(Importance::High)
                    .documentation(FIELD_SYNTAX_VERSION_DOC),
            )
    }
}

impl<R: Record> Transform<R> for ExtractField {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let text = parsed.get_string(FIELD_CONFIG)?;
        let version = parsed.get_string(FIELD_SYNTAX_VERSION_CONFIG)?;
        let path = if version.eq_ignore_ascii_case("V2") {
            FieldPath::v2(text)?
        } else if version.eq_ignore_ascii_case("V1") {
            FieldPath::v1(text)
        } else {
            return Err(ConfigError::invalid(
                FIELD_SYNTAX_VERSION_CONFIG,
                version,
                "Unrecognized field syntax version",
            )
            .into());
        };
        self.config = Some(Config {
            path,
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?,
        });
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| ConfigError::missing(FIELD_CONFIG))?;
        let (schema, value) = self.part.take(&mut record);
        let (schema, value) = match schema {
            None => {
                let extracted = match value {
                    Value::Null => Value::Null,
                    Value::Map(entries) => config.path.value_from_map(entries)?,
                    other => return Err(not_a_map(&other, PURPOSE)),
                };
                (None, extracted)
            }
            Some(schema) => {
                if !value.is_null() {
                    require_struct(&value, PURPOSE)?;
                }
                let field_schema = config
                    .path
                    .field_from(&schema)?
                    .ok_or_else(|| data_error(format!("Unknown field: {}", config.path.text)))?;
                let extracted = match value {
                    Value::Struct(s) => config
                        .path
                        .value_from_struct(s, config.replace_null_with_default)?,
                    _ => Value::Null,
                };
                (Some(field_schema), extracted)
            }
        };
        self.part.set(&mut record, schema, value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

/// The error `require_map` gives for a value that is not a map.
fn not_a_map(value: &Value, purpose: &str) -> ConnectError {
    match require_map(value, purpose) {
        Err(e) => e,
        Ok(_) => data_error(format!("Expected no map for [{purpose}]")),
    }
}

/// A path to a possibly nested field (Kafka's `SingleFieldPath`, KIP-821).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldPath {
    /// The path as configured, for messages.
    text: String,
    /// The field names to follow, outermost first; empty only for an empty `V2` path.
    steps: Vec<String>,
}

impl FieldPath {
    /// `V1`: the whole text is one top-level field name.
    fn v1(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            steps: vec![text.to_owned()],
        }
    }

    /// `V2`: names separated by dots; a name wrapped in backticks may contain dots, and a
    /// backtick that would close it can be kept by escaping it with a backslash.
    fn v2(text: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            text: text.to_owned(),
            steps: parse_v2(text)?,
        })
    }

    /// The schema of the field at this path, `None` when there is no such field.
    fn field_from(&self, schema: &Schema) -> Result<Option<Schema>> {
        let Some((last, parents)) = self.steps.split_last() else {
            return Ok(None);
        };
        let mut current = schema;
        for step in parents {
            match lookup_field(current, step)? {
                Some(field) => current = field.schema(),
                None => return Ok(None),
            }
        }
        Ok(lookup_field(current, last)?.map(|field| field.schema().clone()))
    }

    /// The value at this path in a struct, null when a field is missing or a parent is null.
    fn value_from_struct(&self, value: Struct, replace_null_with_default: bool) -> Result<Value> {
        let Some((last, parents)) = self.steps.split_last() else {
            return Ok(Value::Null);
        };
        let mut current = value;
        for step in parents {
            // Kafka reads the parents with their defaults applied, whatever the setting.
            match take_field(current, step, true) {
                None | Some(Value::Null) => return Ok(Value::Null),
                Some(Value::Struct(next)) => current = next,
                Some(other) => {
                    require_struct(&other, NESTED_PURPOSE)?;
                    return Ok(Value::Null);
                }
            }
        }
        Ok(take_field(current, last, replace_null_with_default).unwrap_or(Value::Null))
    }

    /// The value at this path in a map, null when an entry is missing or a parent is null.
    fn value_from_map(&self, entries: Vec<(Value, Value)>) -> Result<Value> {
        let Some((last, parents)) = self.steps.split_last() else {
            // Kafka fails on an empty path (an index out of bounds); say which path it was.
            return Err(data_error(format!("Unknown field: {}", self.text)));
        };
        let mut current = entries;
        for step in parents {
            match take_entry(current, step) {
                Value::Null => return Ok(Value::Null),
                Value::Map(next) => current = next,
                other => return Err(not_a_map(&other, NESTED_PURPOSE)),
            }
        }
        Ok(take_entry(current, last))
    }
}

/// Kafka's `Schema.field(name)`, which fails on a schema that is not a struct.
fn lookup_field<'a>(schema: &'a Schema, name: &str) -> Result<Option<&'a Field>> {
    if schema.type_() != Type::Struct {
        return Err(data_error("Cannot look up fields on non-struct type"));
    }
    Ok(schema.field(name))
}

/// Moves field `name` out of a struct, `None` when the struct has no such field; a null value
/// reads as the field's default when `with_default`.
fn take_field(value: Struct, name: &str, with_default: bool) -> Option<Value> {
    let schema = value.schema().clone();
    let field = schema.field(name)?;
    let taken = value
        .into_values()
        .into_iter()
        .nth(field.index())
        .unwrap_or(Value::Null);
    if taken.is_null() && with_default {
        return Some(
            field
                .schema()
                .default_value()
                .cloned()
                .unwrap_or(Value::Null),
        );
    }
    Some(taken)
}

/// Moves the value stored under string key `key` out of map entries; null when absent.
fn take_entry(entries: Vec<(Value, Value)>, key: &str) -> Value {
    entries
        .into_iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map_or(Value::Null, |(_, v)| v)
}

const BACKTICK: u8 = b'`';
const DOT: u8 = b'.';
const BACKSLASH: u8 = b'\\';

/// Splits a `V2` path into its steps, as Kafka's `SingleFieldPath.buildFieldPathV2` does.
///
/// Only ASCII bytes are looked for, so byte offsets always fall on character boundaries.
fn parse_v2(path: &str) -> Result<Vec<String>, ConfigError> {
    let bytes = path.as_bytes();
    let len = bytes.len();
    let find = |byte: u8, from: usize| {
        bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == byte))
            .map(|at| from + at)
    };
    let mut steps = Vec::new();
    let mut idx = 0;
    while idx < len {
        if bytes[idx] != BACKTICK {
            match find(DOT, idx) {
                Some(dot) => {
                    steps.push(path[idx..dot].to_owned());
                    idx = dot + 1;
                }
                None => {
                    steps.push(path[idx..].to_owned());
                    break;
                }
            }
        } else {
            let backtick_at = idx;
            idx += 1;
            let mut field = String::new();
            let mut start = idx;
            loop {
                let Some(found) = find(BACKTICK, idx) else {
                    return Err(incomplete_backtick_pair(path, backtick_at));
                };
                idx = found;
                // A backtick right after a backslash is escaped.
                let escaped = bytes[idx - 1] == BACKSLASH;
                if idx >= len - 1 {
                    // The backtick ends the path: it closes the name unless escaped.
                    if escaped {
                        return Err(incomplete_backtick_pair(path, backtick_at));
                    }
                    field.push_str(&path[start..idx]);
                    steps.push(field);
                    idx += 1;
                    break;
                }
                if bytes[idx + 1] != DOT {
                    // Not followed by a dot: part of the name; look for the next one.
                    idx += 1;
                    continue;
                }
                if escaped {
                    // Escaped: the name has a backtick here (without the backslash).
                    field.push_str(&path[start..idx - 1]);
                    field.push('`');
                    idx += 1;
                    start = idx;
                    continue;
                }
                field.push_str(&path[start..idx]);
                steps.push(field);
                idx += 2;
                break;
            }
        }
    }
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

/// Kafka's error for an unclosed backtick; the position counts UTF-16 code units, as Java does.
fn incomplete_backtick_pair(path: &str, backtick_at: usize) -> ConfigError {
    let position = path[..backtick_at].encode_utf16().count();
    ConfigError::other(format!(
        "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {position} to escape it"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::config::ConfigType;
    use connect_api::data::SchemaBuilder;
    use connect_api::record::{ConnectRecord, SinkRecord, SourceRecord, TimestampType};

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn configured(mut t: ExtractField, pairs: &[(&str, &str)]) -> ExtractField {
        Transform::<SinkRecord>::configure(&mut t, &props(pairs)).unwrap();
        t
    }

    fn sink_value(schema: Option<Schema>, value: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("test", schema, value),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    fn sink_key(schema: Option<Schema>, key: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("test", None, Value::Null).with_key(schema, key),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn steps(path: &str) -> Vec<String> {
        parse_v2(path).unwrap()
    }

    fn parse_error(path: &str) -> String {
        parse_v2(path).unwrap_err().to_string()
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = ExtractField::value().config_def_for_test();
        let names: Vec<&str> = def.names().collect();
        assert_eq!(
            names,
            ["field", "replace.null.with.default", "field.syntax.version"]
        );
        let field = def.key("field").unwrap();
        assert_eq!(field.type_(), ConfigType::String);
        assert!(field.is_required());
        assert_eq!(field.documentation(), Some("Field name to extract."));
        let version = def.key("field.syntax.version").unwrap();
        assert_eq!(version.importance(), Importance::High);
        assert_eq!(
            version.default_value().map(ToString::to_string).as_deref(),
            Some("V1")
        );
        let replace = def.key("replace.null.with.default").unwrap();
        assert_eq!(replace.type_(), ConfigType::Boolean);
        assert_eq!(
            replace.default_value().map(ToString::to_string).as_deref(),
            Some("true")
        );
    }

    impl ExtractField {
        fn config_def_for_test(&self) -> ConfigDef {
            Transform::<SinkRecord>::config(self)
        }
    }

    #[test]
    fn class_names() {
        assert_eq!(
            ExtractField::KEY_CLASS,
            "org.apache.kafka.connect.transforms.ExtractField$Key"
        );
        assert_eq!(
            ExtractField::VALUE_CLASS,
            "org.apache.kafka.connect.transforms.ExtractField$Value"
        );
    }

    #[test]
    fn missing_field_config_is_rejected() {
        let mut t = ExtractField::value();
        let err = Transform::<SinkRecord>::configure(&mut t, &ConfigMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"field\" which has no default value."
        );
        assert!(matches!(err, ConnectError::Config(_)));
    }

    #[test]
    fn unknown_syntax_version_is_rejected() {
        for bad in ["v3", "V 1", "v", "2", "1"] {
            let mut t = ExtractField::value();
            let err = Transform::<SinkRecord>::configure(
                &mut t,
                &props(&[("field", "a"), ("field.syntax.version", bad)]),
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "Invalid value {bad} for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"
                )
            );
        }
    }

    #[test]
    fn syntax_version_is_case_insensitive() {
        let t = configured(
            ExtractField::value(),
            &[("field", "a.b"), ("field.syntax.version", "v2")],
        );
        assert_eq!(t.config.as_ref().unwrap().path.steps, ["a", "b"]);
        let t = configured(
            ExtractField::value(),
            &[("field", "a.b"), ("field.syntax.version", "v1")],
        );
        assert_eq!(t.config.as_ref().unwrap().path.steps, ["a.b"]);
    }

    #[test]
    fn apply_before_configure_is_an_error() {
        let mut t = ExtractField::value();
        let err = t
            .apply(sink_value(None, map(vec![("a", 1.into())])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"field\" which has no default value."
        );
    }

    #[test]
    fn v1_keeps_the_whole_text() {
        for path in ["foo.bar.baz", "foo`bar`", "foo.`bar.baz`"] {
            assert_eq!(FieldPath::v1(path).steps, [path]);
        }
    }

    #[test]
    fn v2_splits_on_dots_and_keeps_empty_names() {
        assert_eq!(steps(""), Vec::<String>::new());
        assert_eq!(steps("foobarbaz"), ["foobarbaz"]);
        assert_eq!(steps("foo.bar.baz"), ["foo", "bar", "baz"]);
        assert_eq!(steps(".."), ["", "", ""]);
        assert_eq!(steps("foo.."), ["foo", "", ""]);
        assert_eq!(steps(".bar."), ["", "bar", ""]);
        assert_eq!(steps("..baz"), ["", "", "baz"]);
    }

    #[test]
    fn v2_backticks_wrap_names_with_dots() {
        assert_eq!(steps("foo`bar`baz"), ["foo`bar`baz"]);
        assert_eq!(steps("`foo.bar.baz`"), ["foo.bar.baz"]);
        assert_eq!(steps("foo.`bar.baz`"), ["foo", "bar.baz"]);
        assert_eq!(steps("`foo.bar`.baz"), ["foo.bar", "baz"]);
        assert_eq!(steps("foo.`bar`.baz"), ["foo", "bar", "baz"]);
    }

    #[test]
    fn v2_keeps_backticks_that_do_not_wrap() {
        assert_eq!(steps("foo.``bar.baz`"), ["foo", "`bar.baz"]);
        assert_eq!(steps("foo.`bar.baz``"), ["foo", "bar.baz`"]);
        assert_eq!(steps("foo.`ba`r.baz`"), ["foo", "ba`r.baz"]);
        assert_eq!(steps("foo.ba`r.baz"), ["foo", "ba`r", "baz"]);
        assert_eq!(steps("foo.``bar``.baz"), ["foo", "`bar`", "baz"]);
        assert_eq!(steps("``foo.bar.baz``"), ["`foo.bar.baz`"]);
    }

    #[test]
    fn v2_escaped_backticks() {
        assert_eq!(steps("foo.`bar\\`.baz`"), ["foo", "bar`.baz"]);
        assert_eq!(steps("foo.`bar.`baz`"), ["foo", "bar.`baz"]);
        assert_eq!(steps("foo.`bar\\`.`baz`"), ["foo", "bar`.`baz"]);
        assert_eq!(steps("foo.`bar\\\\`.\\`baz`"), ["foo", "bar\\`.\\`baz"]);
        // An escaped backtick not followed by a dot keeps its backslash.
        assert_eq!(steps("`a\\`b`"), ["a\\`b"]);
    }

    #[test]
    fn v2_incomplete_backticks_fail() {
        assert_eq!(
            parse_error("`foo.bar.baz"),
            "Incomplete backtick pair in path: [`foo.bar.baz], consider adding a backslash before backtick at position 0 to escape it"
        );
        assert_eq!(
            parse_error("foo.`bar.baz"),
            "Incomplete backtick pair in path: [foo.`bar.baz], consider adding a backslash before backtick at position 4 to escape it"
        );
        assert_eq!(
            parse_error("foo.bar.`baz"),
            "Incomplete backtick pair in path: [foo.bar.`baz], consider adding a backslash before backtick at position 8 to escape it"
        );
        assert_eq!(
            parse_error("foo.bar.`baz\\`"),
            "Incomplete backtick pair in path: [foo.bar.`baz\\`], consider adding a backslash before backtick at position 8 to escape it"
        );
        // Positions count UTF-16 code units, as Java does.
        assert_eq!(
            parse_error("é😀.`x"),
            "Incomplete backtick pair in path: [é😀.`x], consider adding a backslash before backtick at position 4 to escape it"
        );
    }

    #[test]
    fn incomplete_backticks_fail_configure() {
        let mut t = ExtractField::value();
        let err = Transform::<SinkRecord>::configure(
            &mut t,
            &props(&[("field", "foo.`bar"), ("field.syntax.version", "V2")]),
        )
        .unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
        assert_eq!(
            err.to_string(),
            "Incomplete backtick pair in path: [foo.`bar], consider adding a backslash before backtick at position 4 to escape it"
        );
        // The same text is a plain field name with V1.
        configured(ExtractField::value(), &[("field", "foo.`bar")]);
    }

    #[test]
    fn schemaless_key() {
        let mut t = configured(ExtractField::key(), &[("field", "magic")]);
        let out = t
            .apply(sink_key(None, map(vec![("magic", 42.into())])))
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, None);
        assert_eq!(out.key, Value::Int32(42));
        assert_eq!(out.value, Value::Null);
    }

    #[test]
    fn schemaless_value_nested_path() {
        let mut t = configured(
            ExtractField::value(),
            &[("field", "magic.foo"), ("field.syntax.version", "V2")],
        );
        let value = map(vec![("magic", map(vec![("foo", 42.into())]))]);
        let out = t.apply(sink_value(None, value)).unwrap().unwrap();
        assert_eq!(out.value_schema, None);
        assert_eq!(out.value, Value::Int32(42));
    }

    #[test]
    fn schemaless_dotted_name_with_v1_and_backticks_with_v2() {
        let value = || map(vec![("a.b", 1.into()), ("a", map(vec![("b", 2.into())]))]);
        let mut v1 = configured(ExtractField::value(), &[("field", "a.b")]);
        assert_eq!(
            v1.apply(sink_value(None, value())).unwrap().unwrap().value,
            Value::Int32(1)
        );
        let mut v2 = configured(
            ExtractField::value(),
            &[("field", "a.b"), ("field.syntax.version", "V2")],
        );
        assert_eq!(
            v2.apply(sink_value(None, value())).unwrap().unwrap().value,
            Value::Int32(2)
        );
        let mut quoted = configured(
            ExtractField::value(),
            &[("field", "`a.b`"), ("field.syntax.version", "V2")],
        );
        assert_eq!(
            quoted
                .apply(sink_value(None, value()))
                .unwrap()
                .unwrap()
                .value,
            Value::Int32(1)
        );
    }

    #[test]
    fn schemaless_missing_fields_give_null() {
        let mut t = configured(ExtractField::key(), &[("field", "nonexistent")]);
        let out = t
            .apply(sink_key(None, map(vec![("magic", 42.into())])))
            .unwrap()
            .unwrap();
        assert_eq!(out.key, Value::Null);
        assert_eq!(out.key_schema, None);

        let mut t = configured(
            ExtractField::key(),
            &[
                ("field", "magic.nonexistent"),
                ("field.syntax.version", "V2"),
            ],
        );
        let key = map(vec![("magic", map(vec![("foo", 42.into())]))]);
        assert_eq!(
            t.apply(sink_key(None, key)).unwrap().unwrap().key,
            Value::Null
        );

        // A null parent gives null too.
        let mut t = configured(
            ExtractField::key(),
            &[("field", "foo.baz.inner"), ("field.syntax.version", "V2")],
        );
        let key = map(vec![("foo", map(vec![("baz", Value::Null)]))]);
        assert_eq!(
            t.apply(sink_key(None, key)).unwrap().unwrap().key,
            Value::Null
        );
    }

    #[test]
    fn schemaless_null_passes_through() {
        let mut t = configured(ExtractField::key(), &[("field", "magic")]);
        let out = t.apply(sink_key(None, Value::Null)).unwrap().unwrap();
        assert_eq!(out.key_schema, None);
        assert_eq!(out.key, Value::Null);
    }

    #[test]
    fn schemaless_requires_a_map() {
        let mut t = configured(ExtractField::value(), &[("field", "magic")]);
        let err = t.apply(sink_value(None, 42.into())).unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Integer"
        );
    }

    #[test]
    fn schemaless_nested_parent_must_be_a_map() {
        let mut t = configured(
            ExtractField::value(),
            &[("field", "a.b"), ("field.syntax.version", "V2")],
        );
        let err = t
            .apply(sink_value(None, map(vec![("a", "text".into())])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [nested field access], found: java.lang.String"
        );
    }

    #[test]
    fn empty_v2_path_finds_nothing() {
        let mut t = configured(
            ExtractField::value(),
            &[("field", ""), ("field.syntax.version", "V2")],
        );
        let err = t
            .apply(sink_value(None, map(vec![("", 1.into())])))
            .unwrap_err();
        assert_eq!(err.to_string(), "Unknown field: ");
        let schema = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .build()
            .unwrap();
        let value = Struct::new(schema.clone()).unwrap().with("a", 1).unwrap();
        let err = t.apply(sink_value(Some(schema), value.into())).unwrap_err();
        assert_eq!(err.to_string(), "Unknown field: ");
        // A null value never looks at the path.
        let out = t.apply(sink_value(None, Value::Null)).unwrap().unwrap();
        assert_eq!(out.value, Value::Null);
    }

    #[test]
    fn with_schema_key() {
        let mut t = configured(ExtractField::key(), &[("field", "magic")]);
        let schema = SchemaBuilder::struct_()
            .field("magic", Schema::int32())
            .build()
            .unwrap();
        let key = Struct::new(schema.clone())
            .unwrap()
            .with("magic", 42)
            .unwrap();
        let out = t
            .apply(sink_key(Some(schema), key.into()))
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, Some(Schema::int32()));
        assert_eq!(out.key, Value::Int32(42));
    }

    #[test]
    fn with_schema_nested_path() {
        let mut t = configured(
            ExtractField::value(),
            &[("field", "magic.foo"), ("field.syntax.version", "V2")],
        );
        let foo = SchemaBuilder::struct_()
            .field("foo", Schema::string())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("magic", foo.clone())
            .build()
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("magic", Struct::new(foo).unwrap().with("foo", "x").unwrap())
            .unwrap();
        let record = SourceRecord::new(
            connect_api::record::OffsetMap::new(),
            connect_api::record::OffsetMap::new(),
            "t",
            Some(schema),
            value.into(),
        );
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(out.value_schema, Some(Schema::string()));
        assert_eq!(out.value, Value::from("x"));
    }

    #[test]
    fn with_schema_unknown_field_fails() {
        let schema = SchemaBuilder::struct_()
            .field("magic", Schema::int32())
            .build()
            .unwrap();
        let key = Struct::new(schema.clone())
            .unwrap()
            .with("magic", 42)
            .unwrap();
        let mut t = configured(ExtractField::key(), &[("field", "nonexistent")]);
        let err = t
            .apply(sink_key(Some(schema.clone()), key.clone().into()))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(err.to_string(), "Unknown field: nonexistent");

        let mut t = configured(
            ExtractField::key(),
            &[
                ("field", "magic.nonexistent"),
                ("field.syntax.version", "V2"),
            ],
        );
        let err = t
            .apply(sink_key(Some(schema.clone()), key.into()))
            .unwrap_err();
        // `magic` is not a struct.
        assert_eq!(err.to_string(), "Cannot look up fields on non-struct type");

        let foo = SchemaBuilder::struct_()
            .field("foo", Schema::int32())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("magic", foo.clone())
            .build()
            .unwrap();
        let key = Struct::new(schema.clone())
            .unwrap()
            .with("magic", Struct::new(foo).unwrap().with("foo", 42).unwrap())
            .unwrap();
        let err = t.apply(sink_key(Some(schema), key.into())).unwrap_err();
        assert_eq!(err.to_string(), "Unknown field: magic.nonexistent");
    }

    #[test]
    fn with_schema_unknown_field_fails_even_for_null() {
        let schema = SchemaBuilder::struct_()
            .optional()
            .field("magic", Schema::int32())
            .build()
            .unwrap();
        let mut t = configured(ExtractField::value(), &[("field", "other")]);
        let err = t.apply(sink_value(Some(schema), Value::Null)).unwrap_err();
        assert_eq!(err.to_string(), "Unknown field: other");
    }

    #[test]
    fn with_schema_null_gives_null_with_field_schema() {
        let schema = SchemaBuilder::struct_()
            .optional()
            .field("magic", Schema::int32())
            .build()
            .unwrap();
        let mut t = configured(ExtractField::key(), &[("field", "magic")]);
        let out = t
            .apply(sink_key(Some(schema), Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, Some(Schema::int32()));
        assert_eq!(out.key, Value::Null);
    }

    #[test]
    fn with_schema_requires_a_struct() {
        let mut t = configured(ExtractField::value(), &[("field", "magic")]);
        let err = t
            .apply(sink_value(Some(Schema::int32()), 42.into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [field extraction], found: java.lang.Integer"
        );
        let err = t
            .apply(sink_value(Some(Schema::optional_int32()), Value::Null))
            .unwrap_err();
        assert_eq!(err.to_string(), "Cannot look up fields on non-struct type");
    }

    #[test]
    fn with_schema_null_parent_gives_null() {
        let inner = SchemaBuilder::struct_()
            .optional()
            .field("inner", Schema::string())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("baz", inner)
            .build()
            .unwrap();
        let value = Struct::new(schema.clone()).unwrap();
        let mut t = configured(
            ExtractField::value(),
            &[("field", "baz.inner"), ("field.syntax.version", "V2")],
        );
        let out = t
            .apply(sink_value(Some(schema), value.into()))
            .unwrap()
            .unwrap();
        assert_eq!(out.value_schema, Some(Schema::string()));
        assert_eq!(out.value, Value::Null);
    }

    fn optional_with_default() -> (Schema, Struct) {
        let schema = SchemaBuilder::struct_()
            .field(
                "optional_with_default",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(42)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("optional_with_default", Value::Null)
            .unwrap();
        (schema, value)
    }

    #[test]
    fn replace_null_with_default() {
        for (setting, want) in [
            (None, Value::Int32(42)),
            (Some("true"), Value::Int32(42)),
            (Some("false"), Value::Null),
        ] {
            let mut pairs = vec![("field", "optional_with_default")];
            if let Some(s) = setting {
                pairs.push(("replace.null.with.default", s));
            }
            let (schema, value) = optional_with_default();
            let mut t = configured(ExtractField::value(), &pairs);
            let out = t
                .apply(sink_value(Some(schema.clone()), value.clone().into()))
                .unwrap()
                .unwrap();
            assert_eq!(out.value, want, "{setting:?}");
            assert_eq!(
                out.value_schema,
                schema
                    .field("optional_with_default")
                    .map(|f| f.schema().clone())
            );

            let mut t = configured(ExtractField::key(), &pairs);
            let out = t
                .apply(sink_key(Some(schema), value.into()))
                .unwrap()
                .unwrap();
            assert_eq!(out.key, want, "{setting:?}");
        }
    }

    #[test]
    fn nested_parents_read_their_defaults() {
        let inner = SchemaBuilder::struct_()
            .field("x", Schema::int32())
            .build()
            .unwrap();
        let inner_default = Struct::new(inner.clone()).unwrap().with("x", 5).unwrap();
        let inner_with_default = SchemaBuilder::struct_()
            .optional()
            .field("x", Schema::int32())
            .default_value(inner_default)
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("a", inner_with_default)
            .build()
            .unwrap();
        let value = Struct::new(schema.clone()).unwrap();
        let mut t = configured(
            ExtractField::value(),
            &[
                ("field", "a.x"),
                ("field.syntax.version", "V2"),
                ("replace.null.with.default", "false"),
            ],
        );
        let out = t
            .apply(sink_value(Some(schema), value.into()))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Int32(5));
    }

    #[test]
    fn other_part_is_untouched() {
        let mut t = configured(ExtractField::value(), &[("field", "a")]);
        let record = SinkRecord::new(
            ConnectRecord::new("t", None, map(vec![("a", 1.into())]))
                .with_key(Some(Schema::string()), "k".into())
                .with_timestamp(9),
            3,
            7,
            TimestampType::LogAppendTime,
        );
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(out.key_schema, Some(Schema::string()));
        assert_eq!(out.key, Value::from("k"));
        assert_eq!(out.timestamp, Some(9));
        assert_eq!(out.kafka_offset, 7);
        assert_eq!(out.kafka_partition(), 3);
        assert_eq!(out.value, Value::Int32(1));
    }
}
