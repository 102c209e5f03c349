//! Connect values straight to Avro binary, without building apache-avro values.
//!
//! [`AvroEncoder`] walks a Connect schema together with the Avro schema that
//! [`crate::AvroData::from_connect_schema`] made of it, once, and keeps what encoding needs
//! (union branch indexes, enum symbol indexes, map entry layouts, decimal scales, fixed sizes)
//! as a plan with every named reference already resolved. Encoding a value then follows the plan
//! and writes the Avro binary encoding into a `Vec<u8>`; it allocates nothing but the growth of
//! that vector (and, on the way, decimals whose unscaled value needs more than 128 bits, and
//! errors). The bytes are those apache-avro writes for
//! [`crate::AvroData::from_connect_data`] of the same value, so both paths can be mixed freely.

use std::collections::HashMap;

use apache_avro::Schema as ApacheSchema;
use apache_avro::schema::InnerDecimalSchema;
use bigdecimal::ToPrimitive;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::logical;
use connect_api::data::{Schema, Type, Value};

use crate::error::AvroDataError;
use crate::from_connect::{data_err, shape_mismatch, type_mismatch};
use crate::schema::{AvroSchema, is_long};
use crate::{AVRO_TYPE_UNION, KEY_FIELD, VALUE_FIELD};

/// Encodes Connect values of one schema as Avro binary data of the matching Avro schema.
///
/// Build it once per schema (or get the cached one from [`crate::AvroData::encoder`] or
/// [`AvroSchema::encoder`]) and call [`AvroEncoder::encode`] for every value.
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_avro::AvroData;
///
/// let avro_data = AvroData::default();
/// let schema = SchemaBuilder::struct_()
///     .name("com.example.User")
///     .field("id", Schema::int64())
///     .field("email", Schema::optional_string())
///     .build()?;
/// let encoder = avro_data.encoder(&schema)?;
/// let user = Value::Struct(Struct::new(schema.clone())?.with("id", 7i64)?);
/// let mut out = Vec::new();
/// encoder.encode(&user, &mut out)?;
/// // id 7 as a zig-zag long, then branch 0 (null) of the email union.
/// assert_eq!(out, [14, 0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AvroEncoder {
    plan: Plan,
}

impl AvroEncoder {
    /// Prepares the encoding of values of `schema` as `avro`, which must have the shape
    /// [`crate::AvroData::from_connect_schema`] gives `schema` (an Avro schema read back from a
    /// file or the registry for an equal Connect schema will do).
    pub fn new(schema: &Schema, avro: &AvroSchema) -> Result<Self, AvroDataError> {
        Ok(Self {
            plan: compile(avro, schema, avro.schema())?,
        })
    }

    /// The Connect schema this encoder was built for.
    pub fn schema(&self) -> &Schema {
        &self.plan.schema
    }

    /// Appends the Avro binary encoding of `value` to `out`. On error `out` is left as it was.
    pub fn encode(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), AvroDataError> {
        let start = out.len();
        let result = encode(&self.plan, value, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }
}

/// What encoding one Connect schema needs, with its Avro counterpart resolved.
#[derive(Debug)]
struct Plan {
    /// The Connect schema (for type checks, struct identity and error messages).
    schema: Schema,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// An Avro union for an optional schema: `null` and one other branch.
    Optional {
        null_branch: Option<i64>,
        value: Option<(i64, Box<Plan>)>,
    },
    /// An Avro union for a Connect union struct: one branch per field, `null` too when optional.
    ConnectUnion {
        null_branch: Option<i64>,
        members: Vec<(i64, Plan)>,
    },
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    /// A string written as the index of its symbol.
    Enum {
        full_name: String,
        symbols: HashMap<String, i32>,
    },
    Bytes(BytesForm),
    Array(Box<Plan>),
    /// A map with required string keys, as an Avro map.
    StringMap(Box<Plan>),
    /// Any other map, as an array of key/value records (`key_first` tells the field order).
    EntryArray {
        key: Box<Plan>,
        value: Box<Plan>,
        key_first: bool,
    },
    /// A struct as a record: one plan per field, in field order.
    Record(Vec<Plan>),
}

/// How a Connect bytes (or Decimal) value is written.
#[derive(Debug)]
struct BytesForm {
    avro: BytesAvro,
    /// The Decimal scale of the Connect schema, when it has a valid one.
    scale: Option<i64>,
}

#[derive(Debug)]
enum BytesAvro {
    /// Length-prefixed bytes.
    Bytes,
    /// Avro `decimal` on `bytes`: length-prefixed, never empty.
    Decimal,
    /// Avro `decimal` on a `fixed` of this size: sign-extended to the size.
    DecimalFixed(usize),
    /// A `fixed` of this size: the bytes as they are, exactly that many.
    Fixed { size: usize, full_name: String },
}

fn compile(root: &AvroSchema, schema: &Schema, avro: &ApacheSchema) -> Result<Plan, AvroDataError> {
    let avro = root.resolve(avro);
    let plan = |kind| {
        Ok(Plan {
            schema: schema.clone(),
            kind,
        })
    };
    if let ApacheSchema::Union(union) = avro {
        let variants = union.variants();
        let null_branch = variants
            .iter()
            .position(|v| matches!(v, ApacheSchema::Null))
            .map(|i| i as i64);
        let non_null = variants
            .iter()
            .enumerate()
            .filter(|(_, v)| !matches!(v, ApacheSchema::Null));
        if is_union_struct(schema) {
            let mut members = Vec::new();
            for (field, (branch, variant)) in schema.fields().iter().zip(non_null) {
                let member =
                    compile(root, field.schema(), variant).map_err(|e| e.within(field.name()))?;
                members.push((branch as i64, member));
            }
            return plan(Kind::ConnectUnion {
                null_branch,
                members,
            });
        }
        let value = match non_null.into_iter().next() {
            Some((branch, variant)) => {
                Some((branch as i64, Box::new(compile(root, schema, variant)?)))
            }
            None => None,
        };
        return plan(Kind::Optional { null_branch, value });
    }
    let mismatch = || Err(shape_mismatch(schema, avro));
    let int_like = matches!(
        avro,
        ApacheSchema::Int | ApacheSchema::Date | ApacheSchema::TimeMillis
    );
    let kind = match schema.type_() {
        Type::Int8 if int_like => Kind::Int8,
        Type::Int16 if int_like => Kind::Int16,
        Type::Int32 if int_like => Kind::Int32,
        Type::Int64 if is_long(avro) => Kind::Int64,
        Type::Float32 if matches!(avro, ApacheSchema::Float) => Kind::Float32,
        Type::Float64 if matches!(avro, ApacheSchema::Double) => Kind::Float64,
        Type::Boolean if matches!(avro, ApacheSchema::Boolean) => Kind::Boolean,
        Type::String => match avro {
            ApacheSchema::String | ApacheSchema::Uuid(apache_avro::schema::UuidSchema::String) => {
                Kind::String
            }
            ApacheSchema::Enum(e) => Kind::Enum {
                full_name: e.name.fullname(None),
                symbols: e
                    .symbols
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.clone(), i as i32))
                    .collect(),
            },
            _ => return mismatch(),
        },
        Type::Bytes => {
            let form = match avro {
                ApacheSchema::Bytes => BytesAvro::Bytes,
                ApacheSchema::Decimal(d) => match &d.inner {
                    InnerDecimalSchema::Bytes => BytesAvro::Decimal,
                    InnerDecimalSchema::Fixed(f) => BytesAvro::DecimalFixed(f.size),
                },
                ApacheSchema::Fixed(f) => BytesAvro::Fixed {
                    size: f.size,
                    full_name: f.name.fullname(None),
                },
                _ => return mismatch(),
            };
            Kind::Bytes(BytesForm {
                avro: form,
                scale: logical::decimal_scale(schema).ok(),
            })
        }
        Type::Array => {
            let (ApacheSchema::Array(array), Some(element)) = (avro, schema.value_schema()) else {
                return mismatch();
            };
            Kind::Array(Box::new(
                compile(root, element, &array.items).map_err(|e| e.within("[]"))?,
            ))
        }
        Type::Map => {
            let (Some(key_schema), Some(value_schema)) =
                (schema.key_schema(), schema.value_schema())
            else {
                return Err(data_err("Map schema has no key or value schema"));
            };
            match avro {
                ApacheSchema::Map(map) => Kind::StringMap(Box::new(
                    compile(root, value_schema, &map.types).map_err(|e| e.within("<value>"))?,
                )),
                ApacheSchema::Array(array) => {
                    let ApacheSchema::Record(entry) = root.resolve(&array.items) else {
                        return mismatch();
                    };
                    let position = |name: &str| {
                        entry.lookup.get(name).copied().ok_or_else(|| {
                            data_err(format!("Map entry record has no {name} field"))
                        })
                    };
                    let (key_at, value_at) = (position(KEY_FIELD)?, position(VALUE_FIELD)?);
                    if entry.fields.len() != 2 {
                        return mismatch();
                    }
                    let key = compile(root, key_schema, &entry.fields[key_at].schema)
                        .map_err(|e| e.within("<key>"))?;
                    let value = compile(root, value_schema, &entry.fields[value_at].schema)
                        .map_err(|e| e.within("<value>"))?;
                    Kind::EntryArray {
                        key: Box::new(key),
                        value: Box::new(value),
                        key_first: key_at < value_at,
                    }
                }
                _ => return mismatch(),
            }
        }
        Type::Struct => {
            let ApacheSchema::Record(record) = avro else {
                return mismatch();
            };
            if record.fields.len() != schema.fields().len() {
                return mismatch();
            }
            let mut fields = Vec::with_capacity(record.fields.len());
            for (field, avro_field) in schema.fields().iter().zip(&record.fields) {
                fields.push(
                    compile(root, field.schema(), &avro_field.schema)
                        .map_err(|e| e.within(field.name()))?,
                );
            }
            Kind::Record(fields)
        }
        _ => return mismatch(),
    };
    plan(kind)
}

fn is_union_struct(schema: &Schema) -> bool {
    schema.type_() == Type::Struct && schema.name() == Some(AVRO_TYPE_UNION)
}

fn null_for_required(schema: &Schema) -> AvroDataError {
    data_err(format!(
        "Found null value for non-optional {} schema",
        schema.type_()
    ))
}

fn encode(plan: &Plan, value: &Value, out: &mut Vec<u8>) -> Result<(), AvroDataError> {
    let schema = &plan.schema;
    match &plan.kind {
        Kind::Optional {
            null_branch,
            value: branch,
        } => {
            if value.is_null() {
                return write_null_branch(schema, *null_branch, out);
            }
            let (index, inner) = branch
                .as_ref()
                .ok_or_else(|| data_err("Avro union has no non-null member"))?;
            write_long(out, *index);
            return encode(inner, value, out);
        }
        Kind::ConnectUnion {
            null_branch,
            members,
        } => {
            if value.is_null() {
                return write_null_branch(schema, *null_branch, out);
            }
            let Value::Struct(s) = value else {
                return Err(type_mismatch(schema, value));
            };
            for (field, (index, member)) in schema.fields().iter().zip(members) {
                let v = s.values().get(field.index()).unwrap_or(&Value::Null);
                if !v.is_null() {
                    write_long(out, *index);
                    return encode(member, v, out).map_err(|e| e.within(field.name()));
                }
            }
            return Err(data_err("Connect union struct has no non-null field"));
        }
        _ => {}
    }
    match (&plan.kind, value) {
        (_, Value::Null) => Err(null_for_required(schema)),
        (Kind::Int8, Value::Int8(v)) => {
            write_long(out, i64::from(*v));
            Ok(())
        }
        (Kind::Int16, Value::Int16(v)) => {
            write_long(out, i64::from(*v));
            Ok(())
        }
        (Kind::Int32, Value::Int32(v) | Value::Date(v) | Value::Time(v)) => {
            write_long(out, i64::from(*v));
            Ok(())
        }
        (Kind::Int64, Value::Int64(v) | Value::Timestamp(v)) => {
            write_long(out, *v);
            Ok(())
        }
        (Kind::Float32, Value::Float32(v)) => {
            out.extend_from_slice(&v.to_le_bytes());
            Ok(())
        }
        (Kind::Float64, Value::Float64(v)) => {
            out.extend_from_slice(&v.to_le_bytes());
            Ok(())
        }
        (Kind::Boolean, Value::Boolean(v)) => {
            out.push(u8::from(*v));
            Ok(())
        }
        (Kind::String, Value::String(v)) => {
            write_bytes(out, v.as_bytes());
            Ok(())
        }
        (Kind::Enum { full_name, symbols }, Value::String(v)) => {
            let index = symbols.get(v.as_str()).ok_or_else(|| {
                data_err(format!("{v:?} is not a symbol of Avro enum {full_name}"))
            })?;
            write_long(out, i64::from(*index));
            Ok(())
        }
        (Kind::Bytes(form), Value::Bytes(bytes)) => write_raw_bytes(form, bytes, out),
        (Kind::Bytes(form), Value::Decimal(d)) => write_decimal(schema, form, d, out),
        (Kind::Array(element), Value::Array(items)) => {
            if !items.is_empty() {
                write_long(out, items.len() as i64);
                for (i, item) in items.iter().enumerate() {
                    encode(element, item, out).map_err(|e| e.within(&format!("[{i}]")))?;
                }
            }
            out.push(0);
            Ok(())
        }
        (Kind::StringMap(values), Value::Map(entries)) => {
            if !entries.is_empty() {
                write_long(out, entries.len() as i64);
                for (k, v) in entries {
                    let Value::String(key) = k else {
                        return Err(data_err(format!(
                            "Map key must be a string, got {}",
                            k.kind()
                        )));
                    };
                    write_bytes(out, key.as_bytes());
                    encode(values, v, out).map_err(|e| e.within(&format!("<{key}>")))?;
                }
            }
            out.push(0);
            Ok(())
        }
        (
            Kind::EntryArray {
                key,
                value: value_plan,
                key_first,
            },
            Value::Map(entries),
        ) => {
            if !entries.is_empty() {
                write_long(out, entries.len() as i64);
                for (k, v) in entries {
                    let write_key =
                        |out: &mut Vec<u8>| encode(key, k, out).map_err(|e| e.within("<key>"));
                    let write_value = |out: &mut Vec<u8>| {
                        encode(value_plan, v, out).map_err(|e| e.within(&format!("<{k}>")))
                    };
                    if *key_first {
                        write_key(out)?;
                        write_value(out)?;
                    } else {
                        write_value(out)?;
                        write_key(out)?;
                    }
                }
            }
            out.push(0);
            Ok(())
        }
        (Kind::Record(fields), Value::Struct(s)) => {
            if !s.schema().ptr_eq(schema) && s.schema() != schema {
                return Err(data_err(format!(
                    "Mismatching struct schema: the value's schema {} is not {}",
                    s.schema(),
                    schema
                )));
            }
            for ((field, field_plan), v) in schema.fields().iter().zip(fields).zip(s.values()) {
                let v = match v {
                    Value::Null => field.schema().default_value().unwrap_or(&Value::Null),
                    v => v,
                };
                encode(field_plan, v, out).map_err(|e| e.within(field.name()))?;
            }
            Ok(())
        }
        _ => Err(type_mismatch(schema, value)),
    }
}

fn write_null_branch(
    schema: &Schema,
    null_branch: Option<i64>,
    out: &mut Vec<u8>,
) -> Result<(), AvroDataError> {
    if !schema.is_optional() {
        return Err(null_for_required(schema));
    }
    let index =
        null_branch.ok_or_else(|| data_err("Avro union has no null member for a null value"))?;
    write_long(out, index);
    Ok(())
}

/// Bytes of a Connect bytes value, in the Avro form of the schema.
fn write_raw_bytes(form: &BytesForm, bytes: &[u8], out: &mut Vec<u8>) -> Result<(), AvroDataError> {
    match &form.avro {
        BytesAvro::Bytes => write_bytes(out, bytes),
        BytesAvro::Decimal => {
            if bytes.is_empty() {
                return Err(data_err(
                    "An Avro decimal needs at least one byte, got empty bytes",
                ));
            }
            write_bytes(out, bytes);
        }
        BytesAvro::DecimalFixed(size) => write_sign_extended(minimal(bytes), *size, out)?,
        BytesAvro::Fixed { size, full_name } => {
            if bytes.len() != *size {
                return Err(data_err(format!(
                    "Fixed {full_name} needs {size} bytes, got {}",
                    bytes.len()
                )));
            }
            out.extend_from_slice(bytes);
        }
    }
    Ok(())
}

/// A Connect decimal: its unscaled value as big-endian two's complement, at the schema's scale.
fn write_decimal(
    schema: &Schema,
    form: &BytesForm,
    value: &bigdecimal::BigDecimal,
    out: &mut Vec<u8>,
) -> Result<(), AvroDataError> {
    let (unscaled, scale) = value.as_bigint_and_scale();
    if form.scale != Some(scale) {
        // A missing scale or a mismatch: the error Connect gives for it.
        return match logical::decimal_to_bytes(schema, value) {
            Err(e) => Err(data_err(e.to_string())),
            Ok(bytes) => write_raw_bytes(form, &bytes, out),
        };
    }
    match unscaled.to_i128() {
        Some(small) => {
            let all = small.to_be_bytes();
            write_raw_bytes(form, minimal(&all), out)
        }
        None => write_raw_bytes(form, &big_bytes(&unscaled), out),
    }
}

fn big_bytes(value: &BigInt) -> Vec<u8> {
    value.to_signed_bytes_be()
}

/// The shortest big-endian two's complement form of the same number (`[0]` for none).
fn minimal(bytes: &[u8]) -> &[u8] {
    if bytes.is_empty() {
        return &[0];
    }
    let mut start = 0;
    while start + 1 < bytes.len() {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0x00 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    &bytes[start..]
}

/// A minimal two's complement number sign-extended to `size` bytes (a decimal on a fixed).
fn write_sign_extended(bytes: &[u8], size: usize, out: &mut Vec<u8>) -> Result<(), AvroDataError> {
    let pad = size.checked_sub(bytes.len()).ok_or_else(|| {
        data_err(format!(
            "Decimal needs {} bytes but its fixed has {size}",
            bytes.len()
        ))
    })?;
    let sign = if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        0xFF
    } else {
        0x00
    };
    out.extend(std::iter::repeat_n(sign, pad));
    out.extend_from_slice(bytes);
    Ok(())
}

/// Avro's `int` and `long` encoding: zig-zag, then little-endian groups of seven bits.
pub(crate) fn write_long(out: &mut Vec<u8>, value: i64) {
    let mut n = ((value << 1) ^ (value >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Avro `bytes` and `string`: the length as a `long`, then the bytes.
fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_long(out, bytes.len() as i64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_two_s_complement_matches_num_bigint() {
        for v in [
            0i128,
            1,
            -1,
            127,
            128,
            -128,
            -129,
            255,
            256,
            -256,
            i64::MAX as i128,
            i64::MIN as i128,
            i128::MAX,
            i128::MIN,
        ] {
            let all = v.to_be_bytes();
            assert_eq!(
                minimal(&all),
                &BigInt::from(v).to_signed_bytes_be()[..],
                "{v}"
            );
        }
    }

    #[test]
    fn longs_use_zig_zag_varints() {
        let cases: [(i64, &[u8]); 6] = [
            (0, &[0]),
            (-1, &[1]),
            (1, &[2]),
            (-64, &[0x7F]),
            (64, &[0x80, 0x01]),
            (
                i64::MIN,
                &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
            ),
        ];
        for (v, want) in cases {
            let mut out = Vec::new();
            write_long(&mut out, v);
            assert_eq!(out, want, "{v}");
        }
    }
}
