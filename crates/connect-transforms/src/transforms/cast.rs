//! `Cast$Key` / `Cast$Value`: casts fields, or the whole key or value, to another primitive type
//! (Kafka's `org.apache.kafka.connect.transforms.Cast`).

use std::sync::Arc;

use crate::common::{REPLACE_NULL_WITH_DEFAULT_CONFIG, copy_schema_basics};
use base64::Engine as _;
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::{BigInt, Sign};

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigValue, Importance, LambdaValidator,
};
use connect_api::data::logical::LogicalType;
use connect_api::data::logical::{DATE_NAME, TIME_NAME, TIMESTAMP_NAME};
use connect_api::data::values::{convert_to_string, java_class_name};
use connect_api::data::{Field, Schema, SchemaBuilder, Struct, Type, Value};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{Part, SchemaCache, data_error, require_map, require_struct};

const SPEC_CONFIG: &str = "spec";
const PURPOSE: &str = "cast types";

/// The types a value may be cast from.
const SUPPORTED_INPUT_TYPES: [Type; 9] = [
    Type::Int8,
    Type::Int16,
    Type::Int32,
    Type::Int64,
    Type::Float32,
    Type::Float64,
    Type::Boolean,
    Type::String,
    Type::Bytes,
];

/// The types a value may be cast to.
const SUPPORTED_OUTPUT_TYPES: [Type; 8] = [
    Type::Int8,
    Type::Int16,
    Type::Int32,
    Type::Int64,
    Type::Float32,
    Type::Float64,
    Type::Boolean,
    Type::String,
];

/// What the `spec` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Spec {
    /// Cast the whole key or value (`spec=int32`).
    Whole(Type),
    /// Cast these fields of a struct or map (`spec=a:int64,b:string`), in the order given.
    Fields(Vec<(String, Type)>),
}

impl Spec {
    /// The type field `name` is cast to, if it is cast.
    fn cast_of(&self, name: &str) -> Option<Type> {
        match self {
            Spec::Whole(_) => None,
            Spec::Fields(casts) => casts
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, ty)| *ty),
        }
    }
}

#[derive(Debug)]
struct Settings {
    spec: Spec,
    replace_null_with_default: bool,
}

/// Casts fields of a struct or map, or the whole key or value, to another primitive type
/// (Kafka's `Cast$Key` and `Cast$Value`).
///
/// `spec` is either one type, to cast the whole key or value (`int8`), or `field:type` pairs to
/// cast fields of a struct or map (`id:int64,score:float32`). Target types are `int8`, `int16`,
/// `int32`, `int64`, `float32`, `float64`, `boolean` and `string`; sources may also be `bytes`
/// (cast to a base64 string only) and the logical types (Date, Time and Timestamp cast as their
/// integer encoding, or to text with `string`; Decimal as a number).
///
/// Numbers narrow as a Java cast does (they wrap), booleans become 1 or 0 and numbers become
/// `true` unless 0, and strings are parsed as Java parses them. With a schema, the derived schema
/// (field defaults cast too) is cached. A null key or value passes through unchanged.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::cast::Cast;
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int32())
///     .field("price", Schema::string())
///     .build()?;
/// let order = Struct::new(schema.clone())?.with("id", 7)?.with("price", "12.5")?;
/// let record = SinkRecord::new(
///     ConnectRecord::new("orders", Some(schema), order.into()),
///     0,
///     42,
///     TimestampType::CreateTime,
/// );
///
/// let mut cast = Cast::value();
/// let props = ConfigMap::from([("spec".to_owned(), "id:int64,price:float64".to_owned())]);
/// Transform::<SinkRecord>::configure(&mut cast, &props)?;
/// let out = cast.apply(record)?.map(|r| r.value.clone());
/// let fields = out.as_ref().and_then(Value::as_struct).map(|s| s.values().to_vec());
/// assert_eq!(fields, Some(vec![Value::Int64(7), Value::Float64(12.5)]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Cast {
    part: Part,
    settings: Option<Settings>,
    cache: SchemaCache<Derived>,
}

/// What a schema becomes: the cast schema, and for each field of a struct the type it is cast
/// to (worked out once per schema rather than by field name for every record).
#[derive(Debug, Clone)]
struct Derived {
    schema: Schema,
    field_casts: Arc<[Option<Type>]>,
}

impl Cast {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.Cast$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.Cast$Value";

    /// `Cast$Key`: casts the record key.
    pub fn key() -> Self {
        Self::for_part(Part::Key)
    }

    /// `Cast$Value`: casts the record value.
    pub fn value() -> Self {
        Self::for_part(Part::Value)
    }

    fn for_part(part: Part) -> Self {
        Self {
            part,
            settings: None,
            cache: SchemaCache::default(),
        }
    }
}

/// The configuration definition (Kafka's `Cast.CONFIG_DEF`).
fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::list(SPEC_CONFIG)
                .validator(LambdaValidator::with(
                    |_, value| {
                        let mappings = value.and_then(ConfigValue::as_list).unwrap_or_default();
                        if mappings.is_empty() {
                            return Err(ConfigError::other("Must specify at least one field to cast."));
                        }
                        parse_spec(mappings).map(|_| ())
                    },
                    "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
                ))
                .importance(Importance::High)
                .documentation(
                    "List of fields and the type to cast them to of the form field1:type,field2:type to cast \
                     fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, \
                     int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can \
                     only be cast to string.",
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

/// Java's `String.split(":")`: trailing empty parts are dropped; text without a colon is one
/// part, even when empty.
fn split_colon(mapping: &str) -> Vec<&str> {
    if !mapping.contains(':') {
        return vec![mapping];
    }
    let mut parts: Vec<&str> = mapping.split(':').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// Java's `String.trim()`.
fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

/// A type name of the spec (`Schema.Type.valueOf(name.trim().toUpperCase())`), which must be a
/// supported target type.
fn parse_type(name: &str) -> Result<Type, ConfigError> {
    let name = java_trim(name);
    let upper = name.to_uppercase();
    let ty = Type::ALL
        .into_iter()
        .find(|ty| ty.to_string() == upper)
        .ok_or_else(|| ConfigError::other(format!("Invalid type found in casting spec: {name}")))?;
    if !SUPPORTED_OUTPUT_TYPES.contains(&ty) {
        return Err(ConfigError::other(format!(
            "Cast transformation does not support casting to {ty}; supported types are {}",
            type_list(&SUPPORTED_OUTPUT_TYPES)
        )));
    }
    Ok(ty)
}

/// Java's `EnumSet.toString()`: `[INT8, INT16]`.
fn type_list(types: &[Type]) -> String {
    let names: Vec<String> = types.iter().map(ToString::to_string).collect();
    format!("[{}]", names.join(", "))
}

/// Kafka's `Cast.parseFieldTypes`, with its messages.
fn parse_spec(mappings: &[String]) -> Result<Spec, ConfigError> {
    let mut whole = None;
    let mut fields: Vec<(String, Type)> = Vec::new();
    for mapping in mappings {
        let parts = split_colon(mapping);
        match parts.as_slice() {
            [single] => whole = Some(parse_type(single)?),
            [field, ty] => {
                let ty = parse_type(ty)?;
                let field = java_trim(field);
                match fields.iter_mut().find(|(name, _)| name == field) {
                    Some(existing) => existing.1 = ty,
                    None => fields.push((field.to_owned(), ty)),
                }
            }
            // Kafka reports a malformed pair under the name of ReplaceField's key.
            _ => {
                return Err(ConfigError::invalid(
                    "renames",
                    format!("[{}]", mappings.join(", ")),
                    format!("Invalid rename mapping: {mapping}"),
                ));
            }
        }
    }
    match whole {
        Some(_) if mappings.len() > 1 => Err(ConfigError::other(
            "Cast transformations that specify a type to cast the entire value to may only specify a \
             single cast in their spec",
        )),
        Some(ty) => Ok(Spec::Whole(ty)),
        None => Ok(Spec::Fields(fields)),
    }
}

impl<R: Record> Transform<R> for Cast {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = config_def().parse(configs)?;
        let spec = parse_spec(parsed.get_list(SPEC_CONFIG)?)?;
        let replace_null_with_default = parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?;
        self.settings = Some(Settings {
            spec,
            replace_null_with_default,
        });
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Self {
            part,
            settings,
            cache,
        } = self;
        let settings = settings.as_ref().ok_or_else(not_configured)?;
        if part.value(&record).is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = part.take(&mut record);
        let (schema, value) = match schema {
            None => (None, settings.apply_schemaless(value)?),
            Some(schema) => {
                let (schema, value) = settings.apply_with_schema(cache, &schema, value)?;
                (Some(schema), value)
            }
        };
        part.set(&mut record, schema, value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

fn not_configured() -> ConnectError {
    ConnectError::other("Cast transformation used before being configured")
}

impl Settings {
    fn apply_schemaless(&self, value: Value) -> Result<Value> {
        let casts = match &self.spec {
            Spec::Whole(ty) => return cast_value(None, value, *ty),
            Spec::Fields(casts) => casts,
        };
        let mut entries = into_map(value, PURPOSE)?;
        for (field, ty) in casts {
            match entries
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(field.as_str()))
            {
                Some((_, slot)) => *slot = cast_value(None, std::mem::take(slot), *ty)?,
                // Kafka puts the cast of the missing value: null.
                None => entries.push((Value::String(field.clone()), Value::Null)),
            }
        }
        Ok(Value::Map(entries))
    }

    fn apply_with_schema(
        &self,
        cache: &mut SchemaCache<Derived>,
        schema: &Schema,
        value: Value,
    ) -> Result<(Schema, Value)> {
        let Derived {
            schema: updated,
            field_casts,
        } = cache.get_or_derive(schema, |source| {
            Ok(Derived {
                schema: self.derive_schema(source)?,
                field_casts: source
                    .fields()
                    .iter()
                    .map(|field| self.spec.cast_of(field.name()))
                    .collect(),
            })
        })?;
        if let Spec::Whole(ty) = self.spec {
            let value = cast_value(Some(schema), value, ty)?;
            return Ok((updated.clone(), value));
        }
        let value = into_struct(value, PURPOSE)?;
        if value.schema() != schema {
            // A struct whose schema is not the record's: cast field by field, by name, as Kafka.
            let value = rebuild_struct(
                value,
                updated,
                self.replace_null_with_default,
                |field, value| match self.spec.cast_of(field.name()) {
                    Some(ty) => cast_value(Some(field.schema()), value, ty),
                    None => Ok(value),
                },
            )?;
            return Ok((updated.clone(), Value::Struct(value)));
        }
        // The cast schema has the source's fields in the same order: the values are cast in
        // place, then checked once against it.
        let (source, mut values) = value.into_parts();
        for ((field, value), cast) in source
            .fields()
            .iter()
            .zip(&mut values)
            .zip(field_casts.iter())
        {
            if self.replace_null_with_default
                && value.is_null()
                && let Some(default) = field.schema().default_value()
            {
                *value = default.clone();
            }
            if let Some(ty) = *cast {
                *value = cast_value(Some(field.schema()), std::mem::take(value), ty)?;
            }
        }
        Ok((
            updated.clone(),
            Value::Struct(Struct::from_values(updated.clone(), values)?),
        ))
    }

    /// Kafka's `getOrBuildSchema` (without the cache).
    fn derive_schema(&self, source: &Schema) -> Result<Schema> {
        let mut builder = match &self.spec {
            Spec::Whole(ty) => {
                let builder = SchemaBuilder::new(*ty);
                // Kafka copies the name even onto the cast type, which for a Date, Time or
                // Timestamp cast to its own physical type would make the result claim the
                // logical type again while holding a plain number; the name is left out there.
                match LogicalType::of(source) {
                    Some(logical) if logical.physical_type() == *ty => {
                        copy_schema_basics_without_name(source, builder)
                    }
                    _ => copy_schema_basics(source, builder),
                }
            }
            Spec::Fields(_) => {
                if source.type_() != Type::Struct {
                    return Err(data_error("Cannot list fields on non-struct type"));
                }
                let mut builder = copy_schema_basics(source, SchemaBuilder::struct_());
                for field in source.fields() {
                    let field_schema = field.schema();
                    let schema = match self.spec.cast_of(field.name()) {
                        None => field_schema.clone(),
                        Some(ty) => {
                            let mut cast = SchemaBuilder::new(ty);
                            if field_schema.is_optional() {
                                cast = cast.optional();
                            }
                            if let Some(default) = field_schema.default_value() {
                                cast = cast.default_value(cast_value(
                                    Some(field_schema),
                                    default.clone(),
                                    ty,
                                )?);
                            }
                            cast.build()?
                        }
                    };
                    builder = builder.field(field.name(), schema);
                }
                builder
            }
        };
        if source.is_optional() {
            builder = builder.optional();
        }
        if let Some(default) = source.default_value() {
            let ty = builder.type_();
            builder = builder.default_value(cast_value(Some(source), default.clone(), ty)?);
        }
        Ok(builder.build()?)
    }
}

/// The value as a map's entries, or Kafka's `requireMap` error.
fn into_map(value: Value, purpose: &str) -> Result<Vec<(Value, Value)>> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(require_map(&other, purpose)
            .err()
            .unwrap_or_else(|| data_error("expected a map"))),
    }
}

/// The value as a struct, or Kafka's `requireStruct` error.
fn into_struct(value: Value, purpose: &str) -> Result<Struct> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(require_struct(&other, purpose)
            .err()
            .unwrap_or_else(|| data_error("expected a struct"))),
    }
}

/// The doc and parameters of `source` set on `builder`.
fn copy_schema_basics_without_name(source: &Schema, builder: SchemaBuilder) -> SchemaBuilder {
    let builder = match source.doc() {
        Some(doc) => builder.doc(doc),
        None => builder,
    };
    match source.parameters() {
        Some(parameters) => {
            builder.parameters(parameters.iter().map(|(k, v)| (k.clone(), v.clone())))
        }
        None => builder,
    }
}

/// Rebuilds a struct under `updated` (derived from the struct's schema), as Kafka's transforms do
/// with `new Struct(updated)` and one `put` per field of the source: each field's value (its
/// schema default when null and `replace_null_with_default` is set) goes through `map` and is
/// checked against its new schema. Shared with `TimestampConverter` and `MaskField`.
pub(crate) fn rebuild_struct(
    source: Struct,
    updated: &Schema,
    replace_null_with_default: bool,
    mut map: impl FnMut(&Field, Value) -> Result<Value>,
) -> Result<Struct> {
    let source_schema = source.schema().clone();
    let fields = source_schema.fields();
    let values = source.into_values();
    let with_default = |field: &Field, value: Value| match value {
        Value::Null if replace_null_with_default => field
            .schema()
            .default_value()
            .cloned()
            .unwrap_or(Value::Null),
        value => value,
    };
    let same_layout = fields.len() == updated.fields().len()
        && fields
            .iter()
            .zip(updated.fields())
            .all(|(a, b)| a.name() == b.name());
    if same_layout {
        // Mapped in place: the values' vector is reused.
        let mut values = values;
        for (field, value) in fields.iter().zip(values.iter_mut()) {
            *value = map(field, with_default(field, std::mem::take(value)))?;
        }
        return Ok(Struct::from_values(updated.clone(), values)?);
    }
    let mut out = Struct::new(updated.clone())?;
    for (field, value) in fields.iter().zip(values) {
        let value = map(field, with_default(field, value))?;
        out.put(field.name(), value)?;
    }
    Ok(out)
}

/// The schema type Kafka infers for a schemaless value (`ConnectSchema.schemaType`); none for
/// the logical types, whose Java classes have no schema type of their own.
fn schemaless_type(value: &Value) -> Option<Type> {
    Some(match value {
        Value::Int8(_) => Type::Int8,
        Value::Int16(_) => Type::Int16,
        Value::Int32(_) => Type::Int32,
        Value::Int64(_) => Type::Int64,
        Value::Float32(_) => Type::Float32,
        Value::Float64(_) => Type::Float64,
        Value::Boolean(_) => Type::Boolean,
        Value::String(_) => Type::String,
        Value::Bytes(_) => Type::Bytes,
        Value::Array(_) => Type::Array,
        Value::Map(_) => Type::Map,
        Value::Struct(_) => Type::Struct,
        Value::Null | Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            return None;
        }
    })
}

/// Java's `value.getClass()` as printed: `class java.lang.Long`.
fn class_text(value: &Value) -> String {
    format!("class {}", java_class_name(value))
}

/// Kafka's `Cast.castValueToType`.
fn cast_value(schema: Option<&Schema>, value: Value, target: Type) -> Result<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let inferred = match schema {
        Some(schema) => schema.type_(),
        None => schemaless_type(&value).ok_or_else(|| {
            data_error(format!(
                "Cast transformation was passed a value of type {} which is not supported by \
                 Connect's data API",
                class_text(&value)
            ))
        })?,
    };
    if !SUPPORTED_INPUT_TYPES.contains(&inferred) {
        return Err(data_error(format!(
            "Cast transformation does not support casting from {inferred}; supported types are {}",
            type_list(&SUPPORTED_INPUT_TYPES)
        )));
    }
    // Logical values are cast as their encoding, unless they become text.
    let value = match (schema.and_then(Schema::name), value) {
        (Some(DATE_NAME), Value::Date(days)) if target != Type::String => Value::Int32(days),
        (Some(TIME_NAME), Value::Time(millis)) if target != Type::String => Value::Int32(millis),
        (Some(TIMESTAMP_NAME), Value::Timestamp(millis)) if target != Type::String => {
            Value::Int64(millis)
        }
        (_, value) => value,
    };
    cast_to(target, value)
}

/// A Java `Number`: what the numeric casts read.
enum Number<'a> {
    Integer(i64),
    Float(f32),
    Double(f64),
    Decimal(&'a BigDecimal),
}

impl Number<'_> {
    fn of(value: &Value) -> Option<Number<'_>> {
        Some(match value {
            Value::Int8(v) => Number::Integer((*v).into()),
            Value::Int16(v) => Number::Integer((*v).into()),
            Value::Int32(v) => Number::Integer((*v).into()),
            Value::Int64(v) => Number::Integer(*v),
            Value::Float32(v) => Number::Float(*v),
            Value::Float64(v) => Number::Double(*v),
            Value::Decimal(d) => Number::Decimal(d),
            _ => return None,
        })
    }

    /// `Number.longValue()`: floats truncate and saturate, decimals keep their low 64 bits.
    fn long_value(&self) -> i64 {
        match *self {
            Number::Integer(v) => v,
            Number::Float(v) => v as i64,
            Number::Double(v) => v as i64,
            Number::Decimal(d) => decimal_long_value(d),
        }
    }

    /// `Number.intValue()` (and, narrowed further, `byteValue()` and `shortValue()`).
    fn int_value(&self) -> i32 {
        match *self {
            Number::Integer(v) => v as i32,
            Number::Float(v) => v as i32,
            Number::Double(v) => v as i32,
            Number::Decimal(d) => decimal_long_value(d) as i32,
        }
    }

    /// `Number.floatValue()`: the nearest `float`.
    fn float_value(&self) -> f32 {
        match *self {
            Number::Integer(v) => v as f32,
            Number::Float(v) => v,
            Number::Double(v) => v as f32,
            Number::Decimal(d) => decimal_scientific(d).parse().unwrap_or(f32::NAN),
        }
    }

    /// `Number.doubleValue()`: the nearest `double`.
    fn double_value(&self) -> f64 {
        match *self {
            Number::Integer(v) => v as f64,
            Number::Float(v) => v.into(),
            Number::Double(v) => v,
            Number::Decimal(d) => decimal_scientific(d).parse().unwrap_or(f64::NAN),
        }
    }
}

/// `<unscaled>e<exponent>`, which Rust's float parsing rounds correctly, as Java's
/// `BigDecimal.doubleValue()` does.
fn decimal_scientific(decimal: &BigDecimal) -> String {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    format!("{unscaled}e{}", -i128::from(scale))
}

/// Java's `BigDecimal.longValue()`: the fraction dropped, the low 64 bits of what is left.
fn decimal_long_value(decimal: &BigDecimal) -> i64 {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    let digits = i64::try_from(decimal.digits()).unwrap_or(i64::MAX);
    let integral: BigInt = if scale >= digits {
        // All of it is fraction.
        return 0;
    } else if scale > 0 {
        unscaled / pow10(scale)
    } else if scale <= -64 {
        // A multiple of 10^64, hence of 2^64: the low 64 bits are zero.
        return 0;
    } else if scale < 0 {
        unscaled * pow10(-scale)
    } else {
        unscaled
    };
    let low = integral.iter_u64_digits().next().unwrap_or(0);
    let low = if integral.sign() == Sign::Minus {
        low.wrapping_neg()
    } else {
        low
    };
    low as i64
}

fn pow10(exponent: i64) -> BigInt {
    let mut result = BigInt::from(1);
    let mut base = BigInt::from(10);
    let mut exponent = exponent.unsigned_abs();
    while exponent > 0 {
        if exponent & 1 == 1 {
            result *= &base;
        }
        base = &base * &base;
        exponent >>= 1;
    }
    result
}

/// Java's `Float.parseFloat` / `Double.parseDouble` syntax for decimal text: surrounding
/// whitespace (Java's `trim`), an optional sign, then `NaN`, `Infinity`, or digits with an
/// optional fraction and exponent and an optional `f`/`F`/`d`/`D` suffix. Hexadecimal literals
/// are not accepted. Returns the text to hand to Rust's (correctly rounding) float parser.
fn java_float_text(text: &str) -> Option<(bool, &str)> {
    let text = java_trim(text);
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if unsigned == "NaN" || unsigned == "Infinity" {
        return Some((negative, unsigned));
    }
    let digits = unsigned
        .strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(unsigned);
    let starts_like_a_number = digits
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    let only_number_characters = digits
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    (starts_like_a_number && only_number_characters).then_some((negative, digits))
}

fn parse_java_double(text: &str) -> Option<f64> {
    let (negative, digits) = java_float_text(text)?;
    let magnitude = match digits {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => digits.parse::<f64>().ok()?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_java_float(text: &str) -> Option<f32> {
    let (negative, digits) = java_float_text(text)?;
    let magnitude = match digits {
        "NaN" => f32::NAN,
        "Infinity" => f32::INFINITY,
        _ => digits.parse::<f32>().ok()?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Kafka's `castToInt8` … `castToString` for one target type.
fn cast_to(target: Type, value: Value) -> Result<Value> {
    // Kafka turns Java's NumberFormatException into this message.
    let out_of_range = |value: &Value| {
        data_error(format!(
            "Value ({value}) was out of range for requested data type"
        ))
    };
    let unexpected = |value: &Value| {
        data_error(format!(
            "Unexpected type in Cast transformation: {}",
            class_text(value)
        ))
    };
    if target == Type::String {
        return Ok(Value::String(match value {
            Value::String(text) => text,
            Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
                // Kafka's `Values.dateFormatFor(date).format(date)`, in UTC.
                convert_to_string(None, &value).unwrap_or_default()
            }
            Value::Bytes(bytes) => base64::engine::general_purpose::STANDARD.encode(&bytes),
            other => other.to_string(),
        }));
    }
    if let Some(number) = Number::of(&value) {
        return Ok(match target {
            Type::Int8 => Value::Int8(number.int_value() as i8),
            Type::Int16 => Value::Int16(number.int_value() as i16),
            Type::Int32 => Value::Int32(number.int_value()),
            Type::Int64 => Value::Int64(number.long_value()),
            Type::Float32 => Value::Float32(number.float_value()),
            Type::Float64 => Value::Float64(number.double_value()),
            Type::Boolean => Value::Boolean(number.long_value() != 0),
            other => return Err(unsupported_target(other)),
        });
    }
    match value {
        Value::Boolean(b) => Ok(match target {
            Type::Int8 => Value::Int8(b.into()),
            Type::Int16 => Value::Int16(b.into()),
            Type::Int32 => Value::Int32(b.into()),
            Type::Int64 => Value::Int64(b.into()),
            Type::Float32 => Value::Float32(if b { 1.0 } else { 0.0 }),
            Type::Float64 => Value::Float64(if b { 1.0 } else { 0.0 }),
            Type::Boolean => Value::Boolean(b),
            other => Err(unsupported_target(other))?,
        }),
        Value::String(ref text) => {
            let parsed = match target {
                Type::Int8 => text.parse().ok().map(Value::Int8),
                Type::Int16 => text.parse().ok().map(Value::Int16),
                Type::Int32 => text.parse().ok().map(Value::Int32),
                Type::Int64 => text.parse().ok().map(Value::Int64),
                Type::Float32 => parse_java_float(text).map(Value::Float32),
                Type::Float64 => parse_java_double(text).map(Value::Float64),
                // Java's Boolean.parseBoolean: `true` in any case, anything else is false.
                Type::Boolean => Some(Value::Boolean(text.eq_ignore_ascii_case("true"))),
                other => return Err(unsupported_target(other)),
            };
            parsed.ok_or_else(|| out_of_range(&value))
        }
        other => Err(unexpected(&other)),
    }
}

fn unsupported_target(target: Type) -> ConnectError {
    data_error(format!(
        "{target} is not supported in the Cast transformation."
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::str::FromStr;

    use connect_api::data::logical;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    use super::*;

    const MILLIS_PER_DAY: i64 = 86_400_000;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn configured(mut cast: Cast, pairs: &[(&str, &str)]) -> Cast {
        Transform::<SourceRecord>::configure(&mut cast, &props(pairs)).unwrap();
        cast
    }

    fn value_cast(spec: &str) -> Cast {
        configured(Cast::value(), &[("spec", spec)])
    }

    fn configure_error(spec: &str) -> String {
        let mut cast = Cast::key();
        let err =
            Transform::<SourceRecord>::configure(&mut cast, &props(&[("spec", spec)])).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)), "{err:?}");
        err.to_string()
    }

    fn source(schema: Option<Schema>, value: Value) -> SourceRecord {
        SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "topic", schema, value)
            .with_partition(0)
    }

    fn apply(cast: &mut Cast, record: SourceRecord) -> SourceRecord {
        cast.apply(record).unwrap().unwrap()
    }

    fn apply_err(cast: &mut Cast, record: SourceRecord) -> ConnectError {
        cast.apply(record).unwrap_err()
    }

    fn whole(spec: &str, schema: Option<Schema>, value: Value) -> (Option<Schema>, Value) {
        let out = apply(&mut value_cast(spec), source(schema, value));
        (out.value_schema.clone(), out.value.clone())
    }

    fn whole_err(spec: &str, schema: Option<Schema>, value: Value) -> String {
        let err = apply_err(&mut value_cast(spec), source(schema, value));
        assert!(err.is_data(), "{err:?}");
        err.to_string()
    }

    fn decimal(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    #[test]
    fn config_errors_have_kafkas_messages() {
        assert_eq!(
            configure_error(""),
            "Must specify at least one field to cast."
        );
        assert_eq!(
            configure_error("foo:faketype"),
            "Invalid type found in casting spec: faketype"
        );
        assert_eq!(
            configure_error("faketype"),
            "Invalid type found in casting spec: faketype"
        );
        let to_array = "Cast transformation does not support casting to ARRAY; supported types are \
                        [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
        assert_eq!(configure_error("foo:array"), to_array);
        assert_eq!(configure_error("array"), to_array);
        for ty in ["bytes", "map", "struct"] {
            assert_eq!(
                configure_error(&format!("foo:{ty}")),
                to_array.replace("ARRAY", &ty.to_uppercase())
            );
        }
        assert_eq!(
            configure_error("foo:int8:extra"),
            "Invalid value [foo:int8:extra] for configuration renames: Invalid rename mapping: foo:int8:extra"
        );
        assert_eq!(
            configure_error("foo:int8,int32"),
            "Cast transformations that specify a type to cast the entire value to may only specify a \
             single cast in their spec"
        );
        let mut cast = Cast::value();
        let missing =
            Transform::<SourceRecord>::configure(&mut cast, &ConfigMap::new()).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "Missing required configuration \"spec\" which has no default value."
        );
        let bad_bool = Transform::<SourceRecord>::configure(
            &mut cast,
            &props(&[("spec", "int8"), ("replace.null.with.default", "maybe")]),
        )
        .unwrap_err();
        assert_eq!(
            bad_bool.to_string(),
            "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
        );
    }

    #[test]
    fn spec_parsing_follows_java() {
        let parse =
            |items: &[&str]| parse_spec(&items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(parse(&[" Int8 "]), Ok(Spec::Whole(Type::Int8)));
        assert_eq!(
            parse(&[" a : int64", "b:STRING", "a:int32"]),
            Ok(Spec::Fields(vec![
                ("a".to_owned(), Type::Int32),
                ("b".to_owned(), Type::String)
            ]))
        );
        // A trailing colon is dropped, as Java's split does, leaving a whole-value type.
        assert_eq!(
            parse(&["foo:"]).unwrap_err().to_string(),
            "Invalid type found in casting spec: foo"
        );
        assert_eq!(
            parse(&[":int8"]),
            Ok(Spec::Fields(vec![(String::new(), Type::Int8)]))
        );
        assert!(parse(&["::"]).is_err());
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&Cast::value());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            ["spec", "replace.null.with.default"]
        );
        let spec = def.key("spec").unwrap();
        assert!(spec.is_required());
        assert_eq!(spec.importance(), Importance::High);
        assert_eq!(
            spec.validator().map(ToString::to_string).as_deref(),
            Some("list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>")
        );
        let replace = def.key("replace.null.with.default").unwrap();
        assert_eq!(replace.default_value(), Some(&ConfigValue::Boolean(true)));
    }

    #[test]
    fn unconfigured_apply_is_an_error() {
        let mut cast = Cast::value();
        assert!(cast.apply(source(None, 1.into())).is_err());
    }

    #[test]
    fn null_values_pass_through() {
        let mut cast = value_cast("foo:int64");
        let record = source(Some(Schema::optional_string()), Value::Null)
            .with_key(Some(Schema::string()), "key".into());
        assert_eq!(apply(&mut cast, record.clone()), record);
        let schemaless = source(None, Value::Null);
        assert_eq!(apply(&mut cast, schemaless.clone()), schemaless);
        let mut key_cast = configured(Cast::key(), &[("spec", "foo:int64")]);
        let no_key = source(Some(Schema::string()), "value".into())
            .with_key(Some(Schema::optional_string()), Value::Null);
        assert_eq!(apply(&mut key_cast, no_key.clone()), no_key);
    }

    #[test]
    fn whole_key_with_schema() {
        let mut cast = configured(Cast::key(), &[("spec", "int8")]);
        let record = source(Some(Schema::string()), "bogus".into())
            .with_key(Some(Schema::int32()), 42.into());
        let out = apply(&mut cast, record);
        assert_eq!(out.key_schema, Some(Schema::int8()));
        assert_eq!(out.key, Value::Int8(42));
        assert_eq!(out.value, Value::from("bogus"));
        assert_eq!(out.value_schema, Some(Schema::string()));
    }

    #[test]
    fn whole_value_with_schema_to_every_type() {
        let cases = [
            ("int8", Schema::int8(), Value::Int8(42)),
            ("int16", Schema::int16(), Value::Int16(42)),
            ("int32", Schema::int32(), Value::Int32(42)),
            ("int64", Schema::int64(), Value::Int64(42)),
            ("float32", Schema::float32(), Value::Float32(42.0)),
            ("float64", Schema::float64(), Value::Float64(42.0)),
            ("boolean", Schema::boolean(), Value::Boolean(true)),
            ("string", Schema::string(), Value::from("42")),
        ];
        for (spec, schema, value) in cases {
            assert_eq!(
                whole(spec, Some(Schema::int32()), Value::Int32(42)),
                (Some(schema), value),
                "{spec}"
            );
        }
        assert_eq!(
            whole("boolean", Some(Schema::int32()), Value::Int32(0)),
            (Some(Schema::boolean()), Value::Boolean(false))
        );
    }

    #[test]
    fn whole_value_schemaless_to_every_type() {
        let cases = [
            ("int8", Value::Int8(42)),
            ("int16", Value::Int16(42)),
            ("int32", Value::Int32(42)),
            ("int64", Value::Int64(42)),
            ("float32", Value::Float32(42.0)),
            ("float64", Value::Float64(42.0)),
            ("boolean", Value::Boolean(true)),
            ("string", Value::from("42")),
        ];
        for (spec, value) in cases {
            assert_eq!(whole(spec, None, Value::Int32(42)), (None, value), "{spec}");
        }
        assert_eq!(
            whole("boolean", None, Value::Int32(0)),
            (None, Value::Boolean(false))
        );
        let mut key_cast = configured(Cast::key(), &[("spec", "int8")]);
        let out = apply(
            &mut key_cast,
            source(Some(Schema::string()), "bogus".into()).with_key(None, 42.into()),
        );
        assert_eq!(
            (out.key_schema.clone(), out.key.clone()),
            (None, Value::Int8(42))
        );
    }

    #[test]
    fn whole_value_schema_keeps_basics_and_casts_the_default() {
        let schema = SchemaBuilder::float32()
            .name("com.example.Score")
            .version(3)
            .doc("a score")
            .parameter("unit", "points")
            .optional()
            .default_value(-42.125f32)
            .build()
            .unwrap();
        let (out_schema, out) = whole("int32", Some(schema), Value::Float32(42.125));
        let out_schema = out_schema.unwrap();
        assert_eq!(out, Value::Int32(42));
        assert_eq!(out_schema.type_(), Type::Int32);
        assert_eq!(out_schema.default_value(), Some(&Value::Int32(-42)));
        assert_eq!(out_schema.name(), Some("com.example.Score"));
        assert_eq!(out_schema.version(), Some(3));
        assert_eq!(out_schema.doc(), Some("a score"));
        assert_eq!(out_schema.parameter("unit"), Some("points"));
        assert!(out_schema.is_optional());
    }

    #[test]
    fn narrowing_wraps_like_java() {
        let cases = [
            ("int8", Value::Int32(300), Value::Int8(44)),
            ("int8", Value::Int64(-129), Value::Int8(127)),
            ("int16", Value::Int64(70_000), Value::Int16(4464)),
            ("int32", Value::Int64(1 << 32 | 5), Value::Int32(5)),
            ("int32", Value::Float64(1e20), Value::Int32(i32::MAX)),
            ("int8", Value::Float64(1e20), Value::Int8(-1)),
            ("int8", Value::Float32(200.7), Value::Int8(-56)),
            ("int64", Value::Float64(f64::NAN), Value::Int64(0)),
            ("int64", Value::Float64(-1e30), Value::Int64(i64::MIN)),
            ("boolean", Value::Float64(0.5), Value::Boolean(false)),
            ("boolean", Value::Float32(-2.0), Value::Boolean(true)),
            ("float32", Value::Float64(0.1), Value::Float32(0.1)),
            (
                "float32",
                Value::Int64(16_777_217),
                Value::Float32(16_777_216.0),
            ),
            (
                "float64",
                Value::Float32(0.1),
                Value::Float64(f64::from(0.1f32)),
            ),
            ("int8", Value::Boolean(true), Value::Int8(1)),
            ("int64", Value::Boolean(false), Value::Int64(0)),
            ("float32", Value::Boolean(true), Value::Float32(1.0)),
            ("float64", Value::Boolean(false), Value::Float64(0.0)),
            ("boolean", Value::Boolean(false), Value::Boolean(false)),
            ("string", Value::Float64(1e10), Value::from("1.0E10")),
            ("string", Value::Float32(0.1), Value::from("0.1")),
            ("string", Value::Boolean(true), Value::from("true")),
            ("string", Value::Int16(-7), Value::from("-7")),
        ];
        for (spec, input, expected) in cases {
            assert_eq!(
                whole(spec, None, input.clone()).1,
                expected,
                "{spec} {input:?}"
            );
        }
    }

    #[test]
    fn strings_are_parsed_like_java() {
        let ok = [
            ("int8", "-128", Value::Int8(-128)),
            ("int16", "+123", Value::Int16(123)),
            ("int32", "42", Value::Int32(42)),
            ("int64", "-9223372036854775808", Value::Int64(i64::MIN)),
            ("float32", " 1.5f ", Value::Float32(1.5)),
            ("float64", "1e3", Value::Float64(1000.0)),
            ("float64", "-Infinity", Value::Float64(f64::NEG_INFINITY)),
            ("float64", ".5D", Value::Float64(0.5)),
            ("boolean", "TRUE", Value::Boolean(true)),
            ("boolean", "yes", Value::Boolean(false)),
            ("string", "text", Value::from("text")),
        ];
        for (spec, text, expected) in ok {
            assert_eq!(
                whole(spec, Some(Schema::string()), text.into()).1,
                expected,
                "{spec} {text}"
            );
        }
        assert!(matches!(
            whole("float32", None, "NaN".into()).1,
            Value::Float32(f) if f.is_nan()
        ));
        let bad = [
            ("int8", "128"),
            ("int8", " 1"),
            ("int16", "1.5"),
            ("int32", ""),
            ("int64", "9223372036854775808"),
            ("float32", "abc"),
            ("float64", "infinity"),
            ("float64", "0x1p3"),
        ];
        for (spec, text) in bad {
            assert_eq!(
                whole_err(spec, Some(Schema::string()), text.into()),
                format!("Value ({text}) was out of range for requested data type"),
                "{spec} {text}"
            );
        }
    }

    #[test]
    fn bytes_cast_to_base64_text_only() {
        let bytes = Value::Bytes(vec![0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10].into());
        assert_eq!(
            whole("string", Some(Schema::bytes()), bytes.clone()),
            (Some(Schema::string()), Value::from("/ty6mHZUMhA="))
        );
        assert_eq!(
            whole("string", None, bytes.clone()).1,
            Value::from("/ty6mHZUMhA=")
        );
        assert_eq!(
            whole_err("int32", Some(Schema::bytes()), bytes.clone()),
            "Unexpected type in Cast transformation: class [B"
        );
        assert_eq!(
            whole_err("boolean", None, bytes),
            "Unexpected type in Cast transformation: class [B"
        );
    }

    #[test]
    fn unsupported_sources_are_data_errors() {
        let from = |ty: &str| {
            format!(
                "Cast transformation does not support casting from {ty}; supported types are \
                 [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
            )
        };
        assert_eq!(
            whole_err("int8", None, Value::Array(vec!["foo".into()])),
            from("ARRAY")
        );
        assert_eq!(whole_err("int8", None, Value::Map(vec![])), from("MAP"));
        let array_schema = SchemaBuilder::array(Schema::int32()).build().unwrap();
        assert_eq!(
            whole_err("string", Some(array_schema), Value::Array(vec![1.into()])),
            from("ARRAY")
        );
        // Schemaless logical values have no schema type in Kafka.
        assert_eq!(
            whole_err("int64", None, Value::Timestamp(5)),
            "Cast transformation was passed a value of type class java.util.Date which is not \
             supported by Connect's data API"
        );
        assert_eq!(
            whole_err("string", None, Value::Decimal(decimal("1.5"))),
            "Cast transformation was passed a value of type class java.math.BigDecimal which is not \
             supported by Connect's data API"
        );
        // A struct with a field cast needs a struct; a struct schema with a whole-value cast
        // cannot be cast.
        let mut cast = value_cast("a:int8");
        assert_eq!(
            apply_err(&mut cast, source(None, 5.into())).to_string(),
            "Only Map objects supported in absence of schema for [cast types], found: java.lang.Integer"
        );
        let schema = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .build()
            .unwrap();
        assert_eq!(
            apply_err(&mut cast, source(Some(Schema::int32()), 5.into())).to_string(),
            "Cannot list fields on non-struct type"
        );
        let value = Struct::new(schema.clone()).unwrap().with("a", 1).unwrap();
        assert_eq!(
            whole_err("int8", Some(schema.clone()), value.into()),
            from("STRUCT")
        );
        let mut cast = value_cast("a:int8");
        let not_a_struct = apply_err(&mut cast, source(Some(schema), 5.into()));
        assert_eq!(
            not_a_struct.to_string(),
            "Only Struct objects supported for [cast types], found: java.lang.Integer"
        );
    }

    #[test]
    fn logical_types_cast_as_their_encoding() {
        let schema = SchemaBuilder::struct_()
            .field("date_to_int32", logical::date_schema())
            .field("timestamp_to_int64", logical::timestamp_schema())
            .field("time_to_int64", logical::time_schema())
            .field("decimal_to_int32", logical::decimal_schema(0))
            .field("timestamp_to_float64", logical::timestamp_schema())
            .field(
                "null_timestamp_to_int32",
                logical::timestamp_builder().optional().build().unwrap(),
            )
            .build()
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("date_to_int32", Value::Date(1))
            .unwrap()
            .with("timestamp_to_int64", Value::Timestamp(0))
            .unwrap()
            .with("time_to_int64", Value::Time(1))
            .unwrap()
            .with("decimal_to_int32", decimal("2147483648"))
            .unwrap()
            .with("timestamp_to_float64", Value::Timestamp(i64::MAX))
            .unwrap();
        let mut cast = value_cast(
            "date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,\
             timestamp_to_float64:float64,null_timestamp_to_int32:int32",
        );
        let out = apply(&mut cast, source(Some(schema), value.into()));
        let Value::Struct(out) = &out.value else {
            panic!("struct")
        };
        assert_eq!(out.get("date_to_int32").unwrap(), &Value::Int32(1));
        assert_eq!(out.get("timestamp_to_int64").unwrap(), &Value::Int64(0));
        assert_eq!(out.get("time_to_int64").unwrap(), &Value::Int64(1));
        assert_eq!(
            out.get("decimal_to_int32").unwrap(),
            &Value::Int32(i32::MIN)
        );
        assert_eq!(
            out.get("timestamp_to_float64").unwrap(),
            &Value::Float64(9.223372036854776E18)
        );
        assert_eq!(out.get("null_timestamp_to_int32").unwrap(), &Value::Null);
        let types: Vec<Type> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.schema().type_())
            .collect();
        assert_eq!(
            types,
            [
                Type::Int32,
                Type::Int64,
                Type::Int64,
                Type::Int32,
                Type::Float64,
                Type::Int32
            ]
        );
        // Cast fields lose the logical name.
        assert_eq!(
            out.schema().field("date_to_int32").unwrap().schema(),
            &Schema::int32()
        );
        assert!(
            out.schema()
                .field("null_timestamp_to_int32")
                .unwrap()
                .schema()
                .is_optional()
        );
    }

    #[test]
    fn logical_types_cast_to_text() {
        let schema = SchemaBuilder::struct_()
            .field("date", logical::date_schema())
            .field("decimal", logical::decimal_schema(0))
            .field("time", logical::time_schema())
            .field("timestamp", logical::timestamp_schema())
            .field("scaled", logical::decimal_schema(9))
            .build()
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("date", Value::Date(1))
            .unwrap()
            .with("decimal", decimal("1982"))
            .unwrap()
            .with("time", Value::Time(3_600_000))
            .unwrap()
            .with("timestamp", Value::Timestamp(1_700_000_000_123))
            .unwrap()
            .with("scaled", decimal("0.000000001"))
            .unwrap();
        let mut cast =
            value_cast("date:string,decimal:string,time:string,timestamp:string,scaled:string");
        let out = apply(&mut cast, source(Some(schema), value.into()));
        let Value::Struct(out) = &out.value else {
            panic!("struct")
        };
        assert_eq!(out.get("date").unwrap(), &Value::from("1970-01-02"));
        assert_eq!(out.get("decimal").unwrap(), &Value::from("1982"));
        assert_eq!(out.get("time").unwrap(), &Value::from("01:00:00.000Z"));
        assert_eq!(
            out.get("timestamp").unwrap(),
            &Value::from("2023-11-14T22:13:20.123Z")
        );
        assert_eq!(out.get("scaled").unwrap(), &Value::from("1E-9"));
        assert!(
            out.schema()
                .fields()
                .iter()
                .all(|f| f.schema() == &Schema::string())
        );
    }

    #[test]
    fn whole_logical_values() {
        // A timestamp a millisecond past a day is written as a timestamp.
        let (schema, value) = whole(
            "string",
            Some(logical::timestamp_schema()),
            Value::Timestamp(MILLIS_PER_DAY + 1),
        );
        assert_eq!(value, Value::from("1970-01-02T00:00:00.001Z"));
        let schema = schema.unwrap();
        assert_eq!(schema.type_(), Type::String);
        // Kafka copies the logical name onto the text schema, where it means nothing.
        assert_eq!(schema.name(), Some(logical::TIMESTAMP_NAME));
        assert_eq!(LogicalType::of(&schema), None);
        // Cast to its own physical type, a logical value loses the name so that the schema
        // describes the number it now holds.
        let (schema, value) = whole(
            "int64",
            Some(logical::timestamp_schema()),
            Value::Timestamp(7),
        );
        assert_eq!((schema, value), (Some(Schema::int64()), Value::Int64(7)));
        let (schema, value) = whole("int32", Some(logical::date_schema()), Value::Date(3));
        assert_eq!((schema, value), (Some(Schema::int32()), Value::Int32(3)));
        assert_eq!(
            whole(
                "int32",
                Some(logical::timestamp_schema()),
                Value::Timestamp((1 << 32) + 9)
            )
            .1,
            Value::Int32(9)
        );
        let (schema, value) = whole(
            "string",
            Some(logical::decimal_schema(0)),
            decimal("42").into(),
        );
        assert_eq!(value, Value::from("42"));
        assert_eq!(schema.unwrap().parameter("scale"), Some("0"));
    }

    #[test]
    fn decimals_convert_like_java_numbers() {
        let cases = [
            ("int64", "12.99", Value::Int64(12)),
            ("int64", "-12.99", Value::Int64(-12)),
            ("int64", "18446744073709551617", Value::Int64(1)),
            ("int32", "-2147483649", Value::Int32(i32::MAX)),
            ("int8", "1E+2", Value::Int8(100)),
            ("int16", "1E+70", Value::Int16(0)),
            ("int64", "0.000001", Value::Int64(0)),
            ("boolean", "0.5", Value::Boolean(false)),
            ("boolean", "18446744073709551616", Value::Boolean(false)),
            ("boolean", "-3", Value::Boolean(true)),
            ("float64", "0.1", Value::Float64(0.1)),
            ("float32", "0.1", Value::Float32(0.1)),
            ("float64", "1E+400", Value::Float64(f64::INFINITY)),
            ("string", "1E+3", Value::from("1E+3")),
        ];
        for (spec, text, expected) in cases {
            let d = decimal(text);
            let (_, scale) = d.as_bigint_and_exponent();
            let schema = logical::decimal_schema(scale as i32);
            assert_eq!(
                whole(spec, Some(schema), Value::Decimal(d)).1,
                expected,
                "{spec} {text}"
            );
        }
    }

    fn all_types_schema() -> Schema {
        SchemaBuilder::struct_()
            .field("int8", Schema::int8())
            .field("int16", Schema::optional_int16())
            .field(
                "int32",
                SchemaBuilder::int32().default_value(2).build().unwrap(),
            )
            .field("int64", Schema::int64())
            .field("float32", Schema::float32())
            .field(
                "float64",
                SchemaBuilder::float64()
                    .default_value(-1.125)
                    .build()
                    .unwrap(),
            )
            .field("boolean", Schema::boolean())
            .field("string", Schema::string())
            .field("bigdecimal", logical::decimal_schema(0))
            .field("date", logical::date_schema())
            .field("optional", Schema::optional_float32())
            .field("timestamp", logical::timestamp_schema())
            .field("bytes", Schema::bytes())
            .build()
            .unwrap()
    }

    #[test]
    fn fields_with_schema() {
        let schema = all_types_schema();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("int8", 8i8)
            .unwrap()
            .with("int16", 16i16)
            .unwrap()
            .with("int32", 32)
            .unwrap()
            .with("int64", 64i64)
            .unwrap()
            .with("float32", 32f32)
            .unwrap()
            .with("float64", -64f64)
            .unwrap()
            .with("boolean", true)
            .unwrap()
            .with("string", "42")
            .unwrap()
            .with("bigdecimal", decimal("42"))
            .unwrap()
            .with("date", Value::Date(1))
            .unwrap()
            .with("timestamp", Value::Timestamp(0))
            .unwrap()
            .with(
                "bytes",
                vec![0xFEu8, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10],
            )
            .unwrap();
        let mut cast = value_cast(
            "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,\
             boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,bytes:string",
        );
        let record = source(Some(schema.clone()), value.into())
            .with_key(Some(Schema::string()), "k".into())
            .with_timestamp(9);
        let out = apply(&mut cast, record);
        assert_eq!(out.key, Value::from("k"));
        assert_eq!(out.timestamp, Some(9));
        let Value::Struct(s) = &out.value else {
            panic!("struct")
        };
        assert_eq!(out.value_schema.as_ref(), Some(s.schema()));
        let get = |name: &str| s.get(name).unwrap().clone();
        assert_eq!(get("int8"), Value::Int16(8));
        assert_eq!(get("int16"), Value::Int32(16));
        assert_eq!(get("int32"), Value::Int64(32));
        assert_eq!(get("int64"), Value::Boolean(true));
        assert_eq!(get("float32"), Value::Float64(32.0));
        assert_eq!(get("float64"), Value::Boolean(true));
        assert_eq!(get("boolean"), Value::Int8(1));
        assert_eq!(get("string"), Value::Int32(42));
        assert_eq!(get("bigdecimal"), Value::from("42"));
        assert_eq!(get("date"), Value::from("1970-01-02"));
        assert_eq!(get("optional"), Value::Null);
        assert_eq!(get("timestamp"), Value::Timestamp(0));
        assert_eq!(get("bytes"), Value::from("/ty6mHZUMhA="));
        let field = |name: &str| s.schema().field(name).unwrap().schema().clone();
        assert!(field("int16").is_optional());
        assert_eq!(field("int16"), Schema::optional_int32());
        assert_eq!(field("int32").default_value(), Some(&Value::Int64(2)));
        assert_eq!(
            field("float64").default_value(),
            Some(&Value::Boolean(true))
        );
        assert_eq!(field("optional"), Schema::optional_int32());
        assert_eq!(field("timestamp"), logical::timestamp_schema());
        assert_eq!(field("int8"), Schema::int16());
    }

    #[test]
    fn struct_with_another_schema_than_the_record_is_cast_by_field_name() {
        // The record says [a, b]; its struct was built with [b, a]. Kafka casts the struct's
        // fields by name into the schema derived from the record's.
        let record_schema = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .build()
            .unwrap();
        let struct_schema = SchemaBuilder::struct_()
            .field("b", Schema::int32())
            .field("a", Schema::int32())
            .build()
            .unwrap();
        let value = Struct::new(struct_schema)
            .unwrap()
            .with("b", 2)
            .unwrap()
            .with("a", 1)
            .unwrap();
        let mut cast = value_cast("a:int64");
        let out = apply(&mut cast, source(Some(record_schema), value.into()));
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.get("a").unwrap(), &Value::Int64(1));
        assert_eq!(s.get("b").unwrap(), &Value::Int32(2));
        assert_eq!(out.value_schema.as_ref(), Some(s.schema()));
    }

    #[test]
    fn derived_schema_is_cached() {
        let schema = SchemaBuilder::struct_()
            .name("com.example.Row")
            .field("a", Schema::int32())
            .build()
            .unwrap();
        let mut cast = value_cast("a:int64");
        let record = |v: i32| {
            source(
                Some(schema.clone()),
                Struct::new(schema.clone())
                    .unwrap()
                    .with("a", v)
                    .unwrap()
                    .into(),
            )
        };
        let first = apply(&mut cast, record(1)).value_schema.clone().unwrap();
        let second = apply(&mut cast, record(2)).value_schema.clone().unwrap();
        assert!(first.ptr_eq(&second));
        assert_eq!(first.name(), Some("com.example.Row"));
        assert_eq!(first.field("a").unwrap().schema(), &Schema::int64());
    }

    #[test]
    fn replace_null_with_default() {
        let schema = SchemaBuilder::struct_()
            .field(
                "magic",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(10)
                    .build()
                    .unwrap(),
            )
            .field(
                "other",
                SchemaBuilder::int8()
                    .optional()
                    .default_value(1i8)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let value = Struct::new(schema.clone()).unwrap();
        for (replace, magic, other) in [
            ("false", Value::Null, Value::Null),
            ("true", Value::from("10"), Value::Int8(1)),
        ] {
            let mut cast = configured(
                Cast::value(),
                &[
                    ("spec", "magic:string"),
                    ("replace.null.with.default", replace),
                ],
            );
            let out = apply(
                &mut cast,
                source(Some(schema.clone()), value.clone().into()),
            );
            let Value::Struct(s) = &out.value else {
                panic!("struct")
            };
            let magic_schema = s.schema().field("magic").unwrap().schema();
            assert_eq!(magic_schema.type_(), Type::String);
            assert_eq!(magic_schema.default_value(), Some(&Value::from("10")));
            assert_eq!(s.get_without_default("magic").unwrap(), &magic, "{replace}");
            assert_eq!(s.get_without_default("other").unwrap(), &other, "{replace}");
        }
    }

    #[test]
    fn required_field_cast_to_null_is_rejected() {
        let schema = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .build()
            .unwrap();
        // A struct built without its required field (Kafka's Struct allows that until validated).
        let value = Struct::new(schema.clone()).unwrap();
        let mut cast = value_cast("a:int64");
        let err = apply_err(&mut cast, source(Some(schema), value.into()));
        assert_eq!(
            err.to_string(),
            "Invalid value: null used for required field: \"a\", schema type: INT64"
        );
    }

    #[test]
    fn fields_schemaless() {
        let map = Value::Map(vec![
            ("int8".into(), Value::Int8(8)),
            ("int16".into(), Value::Int16(16)),
            ("int32".into(), Value::Int32(32)),
            ("int64".into(), Value::Int64(64)),
            ("float32".into(), Value::Float32(32.0)),
            ("float64".into(), Value::Float64(-64.0)),
            ("boolean".into(), Value::Boolean(true)),
            ("string".into(), "42".into()),
            ("untouched".into(), "x".into()),
        ]);
        let mut cast = value_cast(
            "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,\
             boolean:int8,string:int32,missing:string",
        );
        let out = apply(&mut cast, source(None, map));
        assert_eq!(out.value_schema, None);
        assert_eq!(
            out.value,
            Value::Map(vec![
                ("int8".into(), Value::Int16(8)),
                ("int16".into(), Value::Int32(16)),
                ("int32".into(), Value::Int64(32)),
                ("int64".into(), Value::Boolean(true)),
                ("float32".into(), Value::Float64(32.0)),
                ("float64".into(), Value::Boolean(true)),
                ("boolean".into(), Value::Int8(1)),
                ("string".into(), Value::Int32(42)),
                ("untouched".into(), "x".into()),
                ("missing".into(), Value::Null),
            ])
        );
        let mut cast = value_cast("a:int8");
        let err = apply_err(
            &mut cast,
            source(None, Value::Map(vec![("a".into(), "x".into())])),
        );
        assert_eq!(
            err.to_string(),
            "Value (x) was out of range for requested data type"
        );
    }

    #[test]
    fn key_fields_on_sink_records() {
        let schema = SchemaBuilder::struct_()
            .field("id", Schema::string())
            .build()
            .unwrap();
        let key = Struct::new(schema.clone())
            .unwrap()
            .with("id", "17")
            .unwrap();
        let record = SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into())
                .with_key(Some(schema), key.into()),
            3,
            99,
            TimestampType::CreateTime,
        );
        let mut cast = Cast::key();
        Transform::<SinkRecord>::configure(&mut cast, &props(&[("spec", "id:int32")])).unwrap();
        let out = cast.apply(record).unwrap().unwrap();
        let Value::Struct(key) = &out.key else {
            panic!("struct key")
        };
        assert_eq!(key.get("id").unwrap(), &Value::Int32(17));
        assert_eq!(out.value, Value::from("v"));
        assert_eq!(out.kafka_offset, 99);
        assert_eq!(out.original_kafka_partition(), 3);
    }

    #[test]
    fn struct_default_cannot_be_cast() {
        let base = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .build()
            .unwrap();
        let default = Struct::new(base.clone()).unwrap().with("a", 1).unwrap();
        let schema = SchemaBuilder::from_schema(&base)
            .default_value(default.clone())
            .build()
            .unwrap();
        let mut cast = value_cast("a:int64");
        let value = Struct::new(schema.clone()).unwrap().with("a", 2).unwrap();
        let err = apply_err(&mut cast, source(Some(schema), value.into()));
        assert_eq!(
            err.to_string(),
            "Cast transformation does not support casting from STRUCT; supported types are \
             [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        );
    }

    #[test]
    fn decimal_long_value_matches_java() {
        assert_eq!(
            decimal_long_value(&decimal("9223372036854775808")),
            i64::MIN
        );
        assert_eq!(decimal_long_value(&decimal("-1.9")), -1);
        assert_eq!(decimal_long_value(&decimal("123E-2")), 1);
        assert_eq!(decimal_long_value(&decimal("5E+3")), 5000);
        assert_eq!(decimal_long_value(&decimal("0")), 0);
        assert_eq!(pow10(3), BigInt::from(1000));
    }
}
