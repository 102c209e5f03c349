//! Connect value → JSON, streamed straight into the output buffer.
//!
//! [`ValueView`] borrows a schema and a value and implements `Serialize`, so serde_json writes the
//! payload without an intermediate tree; [`JavaFormatter`] makes the bytes match Jackson's. The
//! mapping follows Kafka's `JsonConverter.convertToJson`: null values take the schema default
//! (when `replace.null.with.default`), maps with string keys become objects and other maps arrays
//! of `[key, value]` pairs, Decimal is base64 or a plain JSON number depending on
//! `decimal.format`, and logical types are written as their physical values.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;

use super::config::DecimalFormat;
use super::dedupe::unique_entries;
use super::format::JavaFormatter;
use super::trail::{Seg, Trail};
use crate::data::logical::{self, LogicalType};
use crate::data::{Schema, Type, Value};
use crate::error::DataError;
use crate::java;

/// How deep values and schemas may nest when written, counted in JSON containers. It keeps
/// recursion bounded, and whatever is written can be read back within serde_json's limit of 128.
pub(crate) const MAX_WRITE_DEPTH: usize = 100;

/// Kafka's text for a null where the schema allows none.
pub(crate) const NULL_FOR_REQUIRED: &str =
    "Conversion error: null value for field that is required and has no default value";

/// The settings and error trail shared by one write.
pub(crate) struct WriteCtx {
    pub(crate) decimal_format: DecimalFormat,
    pub(crate) replace_null_with_default: bool,
    pub(crate) trail: Trail,
}

impl WriteCtx {
    pub(crate) fn new(
        decimal_format: DecimalFormat,
        replace_null_with_default: bool,
        root: &'static str,
    ) -> Self {
        Self {
            decimal_format,
            replace_null_with_default,
            trail: Trail::new(root),
        }
    }

    pub(crate) fn fail<E: serde::ser::Error>(&self, err: DataError) -> E {
        self.trail.fail_ser(err)
    }

    pub(crate) fn check_depth<E: serde::ser::Error>(&self, depth: usize) -> Result<(), E> {
        if depth > MAX_WRITE_DEPTH {
            Err(self.fail(DataError::new(format!(
                "Data nests deeper than the maximum of {MAX_WRITE_DEPTH} levels"
            ))))
        } else {
            Ok(())
        }
    }

    /// Turns a failed serde_json write into the converter's error.
    pub(crate) fn finish(&self, err: &serde_json::Error) -> DataError {
        self.trail.take().unwrap_or_else(|| {
            DataError::new(format!(
                "Converting Kafka Connect data to byte[] failed due to serialization error: {err}"
            ))
        })
    }
}

/// Writes `value` (with `schema`, if any) as JSON at the end of `out`.
pub(crate) fn write_value(
    out: &mut Vec<u8>,
    schema: Option<&Schema>,
    value: &Value,
    ctx: &WriteCtx,
) -> Result<(), DataError> {
    let mut ser = serde_json::Serializer::with_formatter(out, JavaFormatter);
    let view = ValueView {
        schema,
        value,
        ctx,
        depth: 0,
    };
    view.serialize(&mut ser).map_err(|e| ctx.finish(&e))
}

/// A borrowed (schema, value) pair that serializes as Kafka's JSON for it.
pub(crate) struct ValueView<'a> {
    pub(crate) schema: Option<&'a Schema>,
    pub(crate) value: &'a Value,
    pub(crate) ctx: &'a WriteCtx,
    /// JSON containers entered so far.
    pub(crate) depth: usize,
}

impl<'a> ValueView<'a> {
    fn child<'b>(&self, schema: Option<&'b Schema>, value: &'b Value) -> ValueView<'b>
    where
        'a: 'b,
    {
        ValueView {
            schema,
            value,
            ctx: self.ctx,
            depth: self.depth + 1,
        }
    }
}

impl Serialize for ValueView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        let Some(schema) = self.schema else {
            return self.serialize_schemaless(s);
        };
        let value = match self.value {
            Value::Null => match schema.default_value() {
                Some(default) if ctx.replace_null_with_default && !default.is_null() => default,
                _ if schema.is_optional() => return s.serialize_unit(),
                _ => return Err(ctx.fail(DataError::new(NULL_FOR_REQUIRED))),
            },
            value => value,
        };
        if let Some(logical) = LogicalType::of(schema) {
            return self.serialize_logical(s, schema, logical, value);
        }
        match (schema.type_(), value) {
            (Type::Int8, Value::Int8(v)) => s.serialize_i8(*v),
            (Type::Int16, Value::Int16(v)) => s.serialize_i16(*v),
            (Type::Int32, Value::Int32(v)) => s.serialize_i32(*v),
            (Type::Int64, Value::Int64(v)) => s.serialize_i64(*v),
            (Type::Float32, Value::Float32(v)) => serialize_f32(s, *v),
            (Type::Float64, Value::Float64(v)) => serialize_f64(s, *v),
            (Type::Boolean, Value::Boolean(v)) => s.serialize_bool(*v),
            (Type::String, Value::String(v)) => s.serialize_str(v),
            (Type::Bytes, Value::Bytes(v)) => s.serialize_str(&BASE64.encode(v)),
            (Type::Array, Value::Array(items)) => {
                ctx.check_depth(self.depth + 1)?;
                let element = schema
                    .value_schema()
                    .ok_or_else(|| ctx.fail(DataError::new("Array schema has no value schema")))?;
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for (i, item) in items.iter().enumerate() {
                    seq.serialize_element(&self.child(Some(element), item))
                        .map_err(|e| ctx.trail.at(Seg::Index(i), e))?;
                }
                seq.end()
            }
            (Type::Map, Value::Map(entries)) => {
                let (Some(key_schema), Some(value_schema)) =
                    (schema.key_schema(), schema.value_schema())
                else {
                    return Err(ctx.fail(DataError::new("Map schema has no key or value schema")));
                };
                if key_schema.type_() == Type::String {
                    self.serialize_object_map(s, key_schema, value_schema, entries)
                } else {
                    self.serialize_pairs(s, Some(key_schema), Some(value_schema), entries)
                }
            }
            (Type::Struct, Value::Struct(st)) => {
                if !same_struct_schema(st.schema(), schema) {
                    return Err(ctx.fail(DataError::new("Mismatching schema.")));
                }
                ctx.check_depth(self.depth + 1)?;
                let mut map = s.serialize_map(Some(schema.fields().len()))?;
                for (field, value) in schema.fields().iter().zip(st.values()) {
                    map.serialize_entry(field.name(), &self.child(Some(field.schema()), value))
                        .map_err(|e| ctx.trail.at(Seg::Field(field.name().to_owned().into()), e))?;
                }
                map.end()
            }
            (ty, value) => Err(ctx.fail(DataError::new(format!(
                "Invalid type for {ty}: {}",
                value.kind()
            )))),
        }
    }
}

impl<'a> ValueView<'a> {
    fn serialize_logical<S: Serializer>(
        &self,
        s: S,
        schema: &Schema,
        logical: LogicalType,
        value: &Value,
    ) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        match (logical, value) {
            (LogicalType::Decimal, Value::Decimal(d)) => match ctx.decimal_format {
                DecimalFormat::Base64 => {
                    let bytes = logical::decimal_to_bytes(schema, d).map_err(|e| ctx.fail(e))?;
                    s.serialize_str(&BASE64.encode(bytes))
                }
                DecimalFormat::Numeric => {
                    let number = RawValue::from_string(java::big_decimal_to_string(d))
                        .map_err(|e| S::Error::custom(e.to_string()))?;
                    number.serialize(s)
                }
            },
            (LogicalType::Date, Value::Date(days)) => s.serialize_i32(*days),
            (LogicalType::Time, Value::Time(millis)) => {
                let millis = logical::check_time(i64::from(*millis)).map_err(|e| ctx.fail(e))?;
                s.serialize_i32(millis)
            }
            (LogicalType::Timestamp, Value::Timestamp(millis)) => s.serialize_i64(*millis),
            (logical, value) => {
                let name = logical_name(logical);
                Err(ctx.fail(DataError::new(format!(
                    "Invalid type for {name}, expected {} but was {}",
                    logical.value_kind(),
                    value.kind()
                ))))
            }
        }
    }

    /// A map whose keys are strings: a JSON object.
    fn serialize_object_map<S: Serializer>(
        &self,
        s: S,
        key_schema: &'a Schema,
        value_schema: &'a Schema,
        entries: &[(Value, Value)],
    ) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        let entries = unique_entries(entries);
        ctx.check_depth(self.depth + 1)?;
        let mut map = s.serialize_map(Some(entries.len()))?;
        for (key, value) in entries.iter() {
            let key = string_key(key_schema, key, ctx).map_err(|e| ctx.fail::<S::Error>(e))?;
            map.serialize_key(key)?;
            map.serialize_value(&self.child(Some(value_schema), value))
                .map_err(|e| ctx.trail.at(Seg::Key(key.to_owned()), e))?;
        }
        map.end()
    }

    /// A map with other keys: a JSON array of `[key, value]` arrays.
    fn serialize_pairs<S: Serializer>(
        &self,
        s: S,
        key_schema: Option<&'a Schema>,
        value_schema: Option<&'a Schema>,
        entries: &[(Value, Value)],
    ) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        let entries = unique_entries(entries);
        ctx.check_depth(self.depth + 2)?;
        let mut seq = s.serialize_seq(Some(entries.len()))?;
        for (i, (key, value)) in entries.iter().enumerate() {
            let pair = PairView {
                key: self.child(key_schema, key),
                value: self.child(value_schema, value),
            };
            seq.serialize_element(&pair)
                .map_err(|e| ctx.trail.at(Seg::Index(i), e))?;
        }
        seq.end()
    }

    /// A value without a schema: its variant decides the JSON (Kafka's schemaless conversion).
    fn serialize_schemaless<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        match self.value {
            Value::Null => s.serialize_unit(),
            Value::Int8(v) => s.serialize_i8(*v),
            Value::Int16(v) => s.serialize_i16(*v),
            Value::Int32(v) => s.serialize_i32(*v),
            Value::Int64(v) => s.serialize_i64(*v),
            Value::Float32(v) => serialize_f32(s, *v),
            Value::Float64(v) => serialize_f64(s, *v),
            Value::Boolean(v) => s.serialize_bool(*v),
            Value::String(v) => s.serialize_str(v),
            Value::Bytes(v) => s.serialize_str(&BASE64.encode(v)),
            Value::Array(items) => {
                ctx.check_depth(self.depth + 1)?;
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for (i, item) in items.iter().enumerate() {
                    seq.serialize_element(&self.child(None, item))
                        .map_err(|e| ctx.trail.at(Seg::Index(i), e))?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                if entries.iter().all(|(k, _)| matches!(k, Value::String(_))) {
                    ctx.check_depth(self.depth + 1)?;
                    let entries = unique_entries(entries);
                    let mut map = s.serialize_map(Some(entries.len()))?;
                    for (key, value) in entries.iter() {
                        let key = key.as_str().unwrap_or_default();
                        map.serialize_key(key)?;
                        map.serialize_value(&self.child(None, value))
                            .map_err(|e| ctx.trail.at(Seg::Key(key.to_owned()), e))?;
                    }
                    map.end()
                } else {
                    self.serialize_pairs(s, None, None, entries)
                }
            }
            Value::Struct(_) => Err(ctx.fail(DataError::new(
                "Mismatching schema. A struct value cannot be converted without its schema.",
            ))),
            Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
                Err(ctx.fail(DataError::new(format!(
                    "A {} value does not have a corresponding schema type and cannot be converted without a schema.",
                    self.value.kind()
                ))))
            }
        }
    }
}

/// One `[key, value]` entry of a map written as an array of pairs.
struct PairView<'a> {
    key: ValueView<'a>,
    value: ValueView<'a>,
}

impl Serialize for PairView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let trail = &self.key.ctx.trail;
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(&self.key)
            .map_err(|e| trail.at(Seg::Index(0), e))?;
        seq.serialize_element(&self.value)
            .map_err(|e| trail.at(Seg::Index(1), e))?;
        seq.end()
    }
}

/// The object key for a map key of a string schema. Kafka converts the key like any value and
/// takes its text, so a null key becomes the default, or `"null"` when the schema is optional.
fn string_key<'a>(
    schema: &'a Schema,
    key: &'a Value,
    ctx: &WriteCtx,
) -> Result<&'a str, DataError> {
    match key {
        Value::String(k) => Ok(k),
        Value::Null => match schema.default_value() {
            Some(Value::String(default)) if ctx.replace_null_with_default => Ok(default),
            _ if schema.is_optional() => Ok("null"),
            _ => Err(DataError::new(NULL_FOR_REQUIRED)),
        },
        other => Err(DataError::new(format!(
            "Invalid type for {}: {}",
            Type::String,
            other.kind()
        ))),
    }
}

/// Whether a struct value's schema fits the schema it is written with. Kafka requires equal
/// schemas; optionality and the default are not compared here, because a struct used as a
/// schema's default carries the required, default-less variant of that schema.
fn same_struct_schema(actual: &Schema, expected: &Schema) -> bool {
    actual.ptr_eq(expected)
        || actual == expected
        || (actual.type_() == expected.type_()
            && actual.name() == expected.name()
            && actual.version() == expected.version()
            && actual.doc() == expected.doc()
            && actual.parameters() == expected.parameters()
            && actual.fields() == expected.fields())
}

fn serialize_f32<S: Serializer>(s: S, v: f32) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f32(v)
    } else {
        s.serialize_str(java::non_finite_text(v.is_nan(), v > 0.0))
    }
}

fn serialize_f64<S: Serializer>(s: S, v: f64) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(v)
    } else {
        s.serialize_str(java::non_finite_text(v.is_nan(), v > 0.0))
    }
}

/// The class-like name Kafka uses for a logical type in messages.
pub(crate) fn logical_name(logical: LogicalType) -> &'static str {
    match logical {
        LogicalType::Decimal => "Decimal",
        LogicalType::Date => "Date",
        LogicalType::Time => "Time",
        LogicalType::Timestamp => "Timestamp",
    }
}
