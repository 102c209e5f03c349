//! `MaskField$Key` / `MaskField$Value`: replaces fields with a neutral value of their type, or
//! with a configured replacement (Kafka's `org.apache.kafka.connect.transforms.MaskField`).

use crate::common::REPLACE_NULL_WITH_DEFAULT_CONFIG;
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigValue, Importance, LambdaValidator, NonEmptyString,
    invalid_value,
};
use connect_api::data::Value;
use connect_api::data::values::{
    convert_to_byte, convert_to_double, convert_to_float, convert_to_integer, convert_to_long,
    convert_to_short, java_class_name,
};
use connect_api::error::{ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use super::cast::rebuild_struct;
use crate::common::{Part, data_error, require_map, require_struct};

const FIELDS_CONFIG: &str = "fields";
const REPLACEMENT_CONFIG: &str = "replacement";
const PURPOSE: &str = "mask fields";

#[derive(Debug)]
struct Settings {
    /// The fields to mask, without repeats, in the order configured.
    fields: Vec<String>,
    replacement: Option<String>,
    replace_null_with_default: bool,
}

/// Masks fields of a struct or map: each becomes the neutral value of its type (`false`, `0`,
/// `0.0`, `""`, the epoch for dates, times and timestamps, a zero decimal, an empty array or
/// map), or, with `replacement`, that text converted to the field's type (numbers and strings
/// only). Kafka's `MaskField$Key` and `MaskField$Value`.
///
/// Null fields stay null. With a schema the key or value must be a struct, without one a map
/// (so a null key or value is an error, as in Kafka).
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::mask_field::MaskField;
///
/// let schema = SchemaBuilder::struct_()
///     .field("user", Schema::string())
///     .field("ssn", Schema::string())
///     .field("age", Schema::int32())
///     .build()?;
/// let person = Struct::new(schema.clone())?.with("user", "ada")?.with("ssn", "078-05-1120")?.with("age", 36)?;
/// let record = SinkRecord::new(
///     ConnectRecord::new("people", Some(schema), person.into()),
///     0,
///     42,
///     TimestampType::CreateTime,
/// );
///
/// let mut mask = MaskField::value();
/// let props = ConfigMap::from([("fields".to_owned(), "ssn,age".to_owned())]);
/// Transform::<SinkRecord>::configure(&mut mask, &props)?;
/// let out = mask.apply(record)?.map(|r| r.value.clone());
/// let masked = out.as_ref().and_then(Value::as_struct).map(|s| s.values().to_vec());
/// assert_eq!(masked, Some(vec![Value::from("ada"), Value::from(""), Value::Int32(0)]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MaskField {
    part: Part,
    settings: Option<Settings>,
}

impl MaskField {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.MaskField$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.MaskField$Value";

    /// `MaskField$Key`: masks fields of the record key.
    pub fn key() -> Self {
        Self {
            part: Part::Key,
            settings: None,
        }
    }

    /// `MaskField$Value`: masks fields of the record value.
    pub fn value() -> Self {
        Self {
            part: Part::Value,
            settings: None,
        }
    }
}

/// Kafka's `NonEmptyListValidator`.
fn non_empty_list() -> LambdaValidator {
    LambdaValidator::with(
        |name, value| {
            if value
                .and_then(ConfigValue::as_list)
                .is_none_or(<[String]>::is_empty)
            {
                Err(invalid_value(name, value, "Empty list"))
            } else {
                Ok(())
            }
        },
        "non-empty list",
    )
}

/// The configuration definition (Kafka's `MaskField.CONFIG_DEF`).
fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::list(FIELDS_CONFIG)
                .validator(non_empty_list())
                .importance(Importance::High)
                .documentation("Names of fields to mask."),
        )
        .define(
            ConfigKey::string(REPLACEMENT_CONFIG)
                .default_null()
                .validator(NonEmptyString)
                .importance(Importance::Low)
                .documentation(
                    "Custom value replacement, that will be applied to all 'fields' values (numeric or \
                     non-empty string values only).",
                ),
        )
        .define(
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .documentation(
                    "Whether to replace fields that have a default value and that are null to the default \
                     value. When set to true, the default value is used, otherwise null is used.",
                ),
        )
}

impl<R: Record> Transform<R> for MaskField {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = config_def().parse(configs)?;
        let mut fields: Vec<String> = Vec::new();
        for field in parsed.get_list(FIELDS_CONFIG)? {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        }
        self.settings = Some(Settings {
            fields,
            replacement: parsed
                .get_opt_string(REPLACEMENT_CONFIG)?
                .map(str::to_owned),
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?,
        });
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let settings = self.settings.as_ref().ok_or_else(|| {
            ConnectError::other("MaskField transformation used before being configured")
        })?;
        let (schema, value) = self.part.take(&mut record);
        let value = match schema {
            None => settings.apply_schemaless(value)?,
            Some(_) => settings.apply_with_schema(value)?,
        };
        self.part.set(&mut record, schema, value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

impl Settings {
    fn apply_schemaless(&self, value: Value) -> Result<Value> {
        let mut entries = match value {
            Value::Map(entries) => entries,
            other => {
                return Err(require_map(&other, PURPOSE)
                    .err()
                    .unwrap_or_else(|| data_error("expected a map")));
            }
        };
        for field in &self.fields {
            match entries
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(field.as_str()))
            {
                Some((_, slot)) => *slot = self.masked(std::mem::take(slot))?,
                // Kafka puts the mask of the missing value: null.
                None => entries.push((Value::String(field.clone()), Value::Null)),
            }
        }
        Ok(Value::Map(entries))
    }

    fn apply_with_schema(&self, value: Value) -> Result<Value> {
        let value = match value {
            Value::Struct(s) => s,
            other => {
                return Err(require_struct(&other, PURPOSE)
                    .err()
                    .unwrap_or_else(|| data_error("expected a struct")));
            }
        };
        let schema = value.schema().clone();
        let masked = rebuild_struct(
            value,
            &schema,
            self.replace_null_with_default,
            |field, value| {
                if self.fields.iter().any(|name| name == field.name()) {
                    self.masked(value)
                } else {
                    Ok(value)
                }
            },
        )?;
        Ok(Value::Struct(masked))
    }

    fn masked(&self, value: Value) -> Result<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match &self.replacement {
            None => mask_with_null_value(value),
            Some(replacement) => mask_with_replacement(&value, replacement),
        }
    }
}

/// Java's `value.getClass()` as printed: `class java.lang.Long`.
fn class_text(value: &Value) -> String {
    format!("class {}", java_class_name(value))
}

/// Kafka's `maskWithNullValue`: the neutral value of the value's type.
fn mask_with_null_value(value: Value) -> Result<Value> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        // `BigDecimal.ZERO`: scale 0, whatever the schema's scale.
        Value::Decimal(_) => Value::Decimal(BigDecimal::new(BigInt::from(0), 0)),
        // `new Date(0)`, in the logical type the value had.
        Value::Date(_) => Value::Date(0),
        Value::Time(_) => Value::Time(0),
        Value::Timestamp(_) => Value::Timestamp(0),
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => {
            return Err(data_error(format!(
                "Cannot mask value of type: {}",
                class_text(&other)
            )));
        }
    })
}

/// Kafka's `maskWithCustomReplacement`: the replacement converted to the value's type.
fn mask_with_replacement(value: &Value, replacement: &str) -> Result<Value> {
    let text = Value::String(replacement.to_owned());
    let converted = match value {
        Value::Int8(_) => convert_to_byte(None, &text)?.map(Value::Int8),
        Value::Int16(_) => convert_to_short(None, &text)?.map(Value::Int16),
        Value::Int32(_) => convert_to_integer(None, &text)?.map(Value::Int32),
        Value::Int64(_) => convert_to_long(None, &text)?.map(Value::Int64),
        Value::Float32(_) => convert_to_float(None, &text)?.map(Value::Float32),
        Value::Float64(_) => convert_to_double(None, &text)?.map(Value::Float64),
        Value::String(_) => Some(text),
        Value::Decimal(_) => Some(Value::Decimal(
            parse_java_big_decimal(replacement).ok_or_else(|| {
                data_error(format!(
                    "Unable to convert {replacement} (class java.lang.String) to number"
                ))
            })?,
        )),
        other => {
            return Err(data_error(format!(
                "Cannot mask value of type {} with custom replacement.",
                class_text(other)
            )));
        }
    };
    Ok(converted.unwrap_or(Value::Null))
}

/// Java's `new BigDecimal(String)`: an optional sign, digits with an optional decimal point, an
/// optional exponent; the scale (fraction digits less the exponent) must fit an `int`. No
/// whitespace; only ASCII digits.
fn parse_java_big_decimal(text: &str) -> Option<BigDecimal> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, fraction),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (integer.is_empty() && fraction.is_empty()) || !all_digits(integer) || !all_digits(fraction)
    {
        return None;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(exponent) => {
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            // Beyond ten significant digits the exponent cannot give an `int` scale.
            let significant = digits.trim_start_matches('0');
            if significant.len() > 10 {
                return None;
            }
            let magnitude: i64 = if significant.is_empty() {
                0
            } else {
                significant.parse().ok()?
            };
            if exponent.starts_with('-') {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    let scale = i64::try_from(fraction.len()).ok()? - exponent;
    i32::try_from(scale).ok()?;
    let unscaled = BigInt::parse_bytes(format!("{integer}{fraction}").as_bytes(), 10)?;
    Some(BigDecimal::new(
        if negative { -unscaled } else { unscaled },
        scale,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::str::FromStr;

    use connect_api::data::{Schema, SchemaBuilder, Struct, logical};
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// Kafka's test transform: the value variant, without replacing nulls by defaults.
    fn transform(fields: &str, replacement: Option<&str>) -> MaskField {
        let mut pairs = vec![("fields", fields), ("replace.null.with.default", "false")];
        if let Some(replacement) = replacement {
            pairs.push(("replacement", replacement));
        }
        let mut mask = MaskField::value();
        Transform::<SinkRecord>::configure(&mut mask, &props(&pairs)).unwrap();
        mask
    }

    fn record(schema: Option<Schema>, value: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("", schema, value),
            0,
            0,
            TimestampType::NoTimestampType,
        )
    }

    fn decimal(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn schema() -> Schema {
        SchemaBuilder::struct_()
            .field("magic", Schema::int32())
            .field("bool", Schema::boolean())
            .field("byte", Schema::int8())
            .field("short", Schema::int16())
            .field("int", Schema::int32())
            .field("long", Schema::int64())
            .field("float", Schema::float32())
            .field("double", Schema::float64())
            .field("string", Schema::string())
            .field("date", logical::date_schema())
            .field("time", logical::time_schema())
            .field("timestamp", logical::timestamp_schema())
            .field("decimal", logical::decimal_schema(0))
            .field(
                "array",
                SchemaBuilder::array(Schema::int32()).build().unwrap(),
            )
            .field(
                "map",
                SchemaBuilder::map(Schema::string(), Schema::string())
                    .build()
                    .unwrap(),
            )
            .field(
                "withDefault",
                SchemaBuilder::string()
                    .optional()
                    .default_value("default")
                    .build()
                    .unwrap(),
            )
            .field("bytes", Schema::optional_bytes())
            .build()
            .unwrap()
    }

    fn values_with_schema() -> Struct {
        Struct::new(schema())
            .unwrap()
            .with("magic", 42)
            .unwrap()
            .with("bool", true)
            .unwrap()
            .with("byte", 42i8)
            .unwrap()
            .with("short", 42i16)
            .unwrap()
            .with("int", 42)
            .unwrap()
            .with("long", 42i64)
            .unwrap()
            .with("float", 42f32)
            .unwrap()
            .with("double", 42f64)
            .unwrap()
            .with("string", "hmm")
            .unwrap()
            .with("date", Value::Date(19_000))
            .unwrap()
            .with("time", Value::Time(5_000))
            .unwrap()
            .with("timestamp", Value::Timestamp(1_700_000_000_000))
            .unwrap()
            .with("decimal", decimal("42"))
            .unwrap()
            .with("array", Value::Array(vec![1.into(), 2.into(), 3.into()]))
            .unwrap()
            .with("map", Value::Map(vec![("what".into(), "what".into())]))
            .unwrap()
    }

    fn values() -> Value {
        Value::Map(vec![
            ("magic".into(), 42.into()),
            ("bool".into(), true.into()),
            ("byte".into(), 42i8.into()),
            ("short".into(), 42i16.into()),
            ("int".into(), 42.into()),
            ("long".into(), 42i64.into()),
            ("float".into(), 42f32.into()),
            ("double".into(), 42f64.into()),
            ("string".into(), "55.121.20.20".into()),
            ("date".into(), Value::Timestamp(1_700_000_000_000)),
            ("bigdec".into(), decimal("42.0").into()),
            ("list".into(), Value::Array(vec![42.into()])),
            (
                "map".into(),
                Value::Map(vec![("key".into(), "value".into())]),
            ),
            ("struct".into(), Value::Struct(values_with_schema())),
            ("bytes".into(), Value::Bytes(vec![1u8].into())),
        ])
    }

    fn masked_schemaless(fields: &str, replacement: Option<&str>) -> Result<Value> {
        let mut mask = transform(fields, replacement);
        mask.apply(record(None, values()))
            .map(|r| r.unwrap().value.clone())
    }

    fn masked_with_schema(fields: &str, replacement: Option<&str>) -> Result<Struct> {
        let mut mask = transform(fields, replacement);
        let out = mask
            .apply(record(Some(schema()), values_with_schema().into()))?
            .unwrap();
        assert_eq!(out.value_schema, Some(schema()));
        match &out.value {
            Value::Struct(s) => Ok(s.clone()),
            other => panic!("not a struct: {other:?}"),
        }
    }

    #[test]
    fn config_errors() {
        let error = |pairs: &[(&str, &str)]| {
            let mut mask = MaskField::value();
            let err = Transform::<SinkRecord>::configure(&mut mask, &props(pairs)).unwrap_err();
            assert!(matches!(err, ConnectError::Config(_)), "{err:?}");
            err.to_string()
        };
        assert_eq!(
            error(&[]),
            "Missing required configuration \"fields\" which has no default value."
        );
        assert_eq!(
            error(&[("fields", "")]),
            "Invalid value [] for configuration fields: Empty list"
        );
        assert_eq!(
            error(&[("fields", "a"), ("replacement", "")]),
            "Invalid value  for configuration replacement: String must be non-empty"
        );
        assert_eq!(
            error(&[("fields", "a"), ("replace.null.with.default", "nope")]),
            "Invalid value nope for configuration replace.null.with.default: Expected value to be either true or false"
        );
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&MaskField::key());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            ["fields", "replacement", "replace.null.with.default"]
        );
        let fields = def.key("fields").unwrap();
        assert!(fields.is_required());
        assert_eq!(
            fields.validator().map(ToString::to_string).as_deref(),
            Some("non-empty list")
        );
        let replacement = def.key("replacement").unwrap();
        assert!(replacement.has_default());
        assert_eq!(replacement.default_value(), None);
        assert_eq!(replacement.importance(), Importance::Low);
        assert_eq!(
            def.key("replace.null.with.default")
                .unwrap()
                .default_value(),
            Some(&ConfigValue::Boolean(true))
        );
    }

    #[test]
    fn unconfigured_apply_is_an_error() {
        let mut mask = MaskField::value();
        assert!(mask.apply(record(None, Value::Map(vec![]))).is_err());
    }

    #[test]
    fn schemaless_masks_with_neutral_values() {
        let fields = "bool,byte,short,int,long,float,double,string,date,bigdec,list,map,missing";
        let out = masked_schemaless(fields, None).unwrap();
        let get = |name: &str| out.map_get(&Value::from(name)).cloned();
        assert_eq!(get("magic"), Some(Value::Int32(42)));
        assert_eq!(get("bool"), Some(Value::Boolean(false)));
        assert_eq!(get("byte"), Some(Value::Int8(0)));
        assert_eq!(get("short"), Some(Value::Int16(0)));
        assert_eq!(get("int"), Some(Value::Int32(0)));
        assert_eq!(get("long"), Some(Value::Int64(0)));
        assert_eq!(get("float"), Some(Value::Float32(0.0)));
        assert_eq!(get("double"), Some(Value::Float64(0.0)));
        assert_eq!(get("string"), Some(Value::from("")));
        assert_eq!(get("date"), Some(Value::Timestamp(0)));
        assert_eq!(get("bigdec"), Some(Value::Decimal(decimal("0"))));
        assert_eq!(get("list"), Some(Value::Array(vec![])));
        assert_eq!(get("map"), Some(Value::Map(vec![])));
        // A field the map does not have is added as null, as Kafka's `put(field, masked(null))`.
        assert_eq!(get("missing"), Some(Value::Null));
        // Other entries keep their place.
        let Value::Map(entries) = &out else {
            panic!("map")
        };
        assert_eq!(entries[0].0, Value::from("magic"));
        assert_eq!(entries.len(), 16);
    }

    #[test]
    fn with_schema_masks_with_neutral_values() {
        let fields = "bool,byte,short,int,long,float,double,string,date,time,timestamp,decimal,array,map,withDefault";
        let out = masked_with_schema(fields, None).unwrap();
        let get = |name: &str| out.get_without_default(name).unwrap().clone();
        assert_eq!(get("magic"), Value::Int32(42));
        assert_eq!(get("bool"), Value::Boolean(false));
        assert_eq!(get("byte"), Value::Int8(0));
        assert_eq!(get("short"), Value::Int16(0));
        assert_eq!(get("int"), Value::Int32(0));
        assert_eq!(get("long"), Value::Int64(0));
        assert_eq!(get("float"), Value::Float32(0.0));
        assert_eq!(get("double"), Value::Float64(0.0));
        assert_eq!(get("string"), Value::from(""));
        assert_eq!(get("date"), Value::Date(0));
        assert_eq!(get("time"), Value::Time(0));
        assert_eq!(get("timestamp"), Value::Timestamp(0));
        assert_eq!(get("decimal"), Value::Decimal(decimal("0")));
        assert_eq!(get("array"), Value::Array(vec![]));
        assert_eq!(get("map"), Value::Map(vec![]));
        assert_eq!(get("withDefault"), Value::Null);
        out.validate().unwrap();
    }

    #[test]
    fn replace_null_with_default_masks_the_default() {
        for (replace, expected) in [("true", Value::from("")), ("false", Value::Null)] {
            let mut mask = MaskField::value();
            Transform::<SinkRecord>::configure(
                &mut mask,
                &props(&[
                    ("fields", "withDefault,magic"),
                    ("replace.null.with.default", replace),
                ]),
            )
            .unwrap();
            let out = mask
                .apply(record(Some(schema()), values_with_schema().into()))
                .unwrap()
                .unwrap();
            let Value::Struct(out) = &out.value else {
                panic!("struct")
            };
            assert_eq!(
                out.get_without_default("withDefault").unwrap(),
                &expected,
                "{replace}"
            );
            assert_eq!(out.get_without_default("magic").unwrap(), &Value::Int32(0));
        }
    }

    #[test]
    fn schemaless_replacements() {
        let cases = [
            ("short", "123", Value::Int16(123)),
            ("byte", "123", Value::Int8(123)),
            ("int", "123", Value::Int32(123)),
            ("long", "123", Value::Int64(123)),
            ("float", "123.0", Value::Float32(123.0)),
            ("double", "123.0", Value::Float64(123.0)),
            ("string", "123", Value::from("123")),
            ("bigdec", "123.0", Value::Decimal(decimal("123.0"))),
            ("int", "12.9", Value::Int32(12)),
            ("byte", "300", Value::Int8(44)),
        ];
        for (field, replacement, expected) in cases {
            let out = masked_schemaless(field, Some(replacement)).unwrap();
            assert_eq!(out.map_get(&Value::from(field)), Some(&expected), "{field}");
            assert_eq!(out.map_get(&Value::from("magic")), Some(&Value::Int32(42)));
        }
    }

    #[test]
    fn with_schema_replacements() {
        let cases = [
            ("short", "123", Value::Int16(123)),
            ("byte", "123", Value::Int8(123)),
            ("int", "123", Value::Int32(123)),
            ("long", "123", Value::Int64(123)),
            ("float", "123.0", Value::Float32(123.0)),
            ("double", "123.0", Value::Float64(123.0)),
            ("string", "123", Value::from("123")),
            ("decimal", "123.0", Value::Decimal(decimal("123.0"))),
        ];
        for (field, replacement, expected) in cases {
            let out = masked_with_schema(field, Some(replacement)).unwrap();
            assert_eq!(out.get(field).unwrap(), &expected, "{field}");
        }
    }

    #[test]
    fn unsupported_replacement_types() {
        let message = |class: &str| {
            format!("Cannot mask value of type class {class} with custom replacement.")
        };
        for (fields, class) in [
            ("date", "java.util.Date"),
            ("int,date", "java.util.Date"),
            ("bool", "java.lang.Boolean"),
            ("list", "java.util.ArrayList"),
            ("map", "java.util.HashMap"),
            ("bytes", "[B"),
        ] {
            let err = masked_schemaless(fields, Some("123")).unwrap_err();
            assert!(err.is_data());
            assert_eq!(err.to_string(), message(class), "{fields}");
        }
        for (field, class) in [
            ("time", "java.util.Date"),
            ("timestamp", "java.util.Date"),
            ("array", "java.util.ArrayList"),
        ] {
            let err = masked_with_schema(field, Some("123")).unwrap_err();
            assert_eq!(err.to_string(), message(class), "{field}");
        }
    }

    #[test]
    fn unmaskable_types_without_replacement() {
        let err = masked_schemaless("struct", None).unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Cannot mask value of type: class org.apache.kafka.connect.data.Struct"
        );
        let err = masked_schemaless("bytes", None).unwrap_err();
        assert_eq!(err.to_string(), "Cannot mask value of type: class [B");
    }

    #[test]
    fn replacement_type_mismatch() {
        for field in ["byte", "short", "int", "long", "float", "double"] {
            let err = masked_schemaless(field, Some("foo")).unwrap_err();
            assert!(err.is_data());
            assert_eq!(
                err.to_string(),
                "Unable to convert foo (class java.lang.String) to a number",
                "{field}"
            );
        }
        let err = masked_schemaless("bigdec", Some("foo")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unable to convert foo (class java.lang.String) to number"
        );
        let err = masked_schemaless("string,int", Some("foo")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unable to convert foo (class java.lang.String) to a number"
        );
    }

    #[test]
    fn nulls_stay_null_but_the_whole_value_must_be_there() {
        let mut mask = transform("a", None);
        let out = mask
            .apply(record(None, Value::Map(vec![("a".into(), Value::Null)])))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Map(vec![("a".into(), Value::Null)]));
        let err = mask.apply(record(None, Value::Null)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [mask fields], found: null"
        );
        let err = mask.apply(record(Some(schema()), "x".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [mask fields], found: java.lang.String"
        );
    }

    #[test]
    fn key_variant_on_source_records() {
        let key_schema = SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .build()
            .unwrap();
        let key = Struct::new(key_schema.clone())
            .unwrap()
            .with("id", 7i64)
            .unwrap();
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "t",
            Some(Schema::string()),
            "v".into(),
        )
        .with_key(Some(key_schema.clone()), key.into());
        let mut mask = MaskField::key();
        Transform::<SourceRecord>::configure(
            &mut mask,
            &props(&[("fields", "id"), ("replacement", "-1")]),
        )
        .unwrap();
        let out = mask.apply(record).unwrap().unwrap();
        let Value::Struct(key) = &out.key else {
            panic!("struct key")
        };
        assert_eq!(key.get("id").unwrap(), &Value::Int64(-1));
        assert_eq!(out.key_schema, Some(key_schema));
        assert_eq!(out.value, Value::from("v"));
    }

    #[test]
    fn big_decimals_parse_like_java() {
        let parsed = |text: &str| parse_java_big_decimal(text).map(|d| d.as_bigint_and_exponent());
        assert_eq!(parsed("123.0"), Some((BigInt::from(1230), 1)));
        assert_eq!(parsed("-1.5E+3"), Some((BigInt::from(-15), -2)));
        assert_eq!(parsed("+.5"), Some((BigInt::from(5), 1)));
        assert_eq!(parsed("5."), Some((BigInt::from(5), 0)));
        assert_eq!(parsed("1e-2"), Some((BigInt::from(1), 2)));
        for bad in [
            "",
            "-",
            ".",
            "1e",
            "1.2.3",
            " 1",
            "1_000",
            "0x10",
            "1e99999999999",
            "NaN",
        ] {
            assert_eq!(parsed(bad), None, "{bad}");
        }
    }
}
