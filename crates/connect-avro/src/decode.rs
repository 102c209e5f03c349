//! Avro binary straight to Connect values, without building apache-avro values.
//!
//! [`AvroDecoder`] walks an Avro (writer) schema together with the Connect schema that
//! [`crate::AvroData::to_connect_schema`] made of it, once, and keeps what decoding needs (which
//! Connect field each union branch fills, enum symbols, map entry layouts, decimal scales, which
//! logical form each number takes) as a plan with every named reference already resolved.
//! Decoding a datum then follows the plan over the bytes and builds the Connect value directly:
//! no field name is allocated, and what the plan guarantees is not checked again.
//!
//! The values are those [`crate::AvroData::to_connect_data`] gives for what apache-avro decodes
//! from the same bytes, so both paths can be mixed freely. Malformed data (truncated, with
//! negative or oversized lengths, bad union or enum indexes, integers that overflow) is an
//! [`AvroDataError`] naming where it was found; no length read from the data is trusted for an
//! allocation before the bytes it announces have been seen to exist.

use apache_avro::Schema as ApacheSchema;
use apache_avro::schema::{InnerDecimalSchema, SchemaKind};
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::logical::{self, LogicalType};
use connect_api::data::{Schema, Struct, Type, Value};

use crate::error::AvroDataError;
use crate::from_connect::is_enum_schema;
use crate::schema::{AvroSchema, is_long};
use crate::{
    AVRO_TYPE_ENUM, AVRO_TYPE_UNION, CONNECT_AVRO_FIXED_SIZE_PROP, KEY_FIELD, VALUE_FIELD,
};

/// The most items of zero-byte elements (empty records) one datum may hold, across all its
/// arrays and maps: their counts are the only thing in the data, so they are all that bounds the
/// allocation.
pub(crate) const MAX_ZERO_SIZED_ITEMS: usize = 1 << 20;

/// Decodes Avro binary data of one (writer) schema into Connect values of the matching Connect
/// schema.
///
/// Build it once per schema (or get the cached one from [`crate::AvroData::decoder`] or
/// [`AvroSchema::decoder`]) and call [`AvroDecoder::decode`] for every datum.
///
/// ```
/// use connect_api::data::Value;
/// use connect_avro::{AvroData, AvroSchema};
///
/// let avro_data = AvroData::default();
/// let avro = AvroSchema::parse_str(
///     r#"{"type":"record","name":"User","namespace":"com.example","fields":[
///         {"name":"id","type":"long"},
///         {"name":"email","type":["null","string"],"default":null}]}"#,
/// )?;
/// let decoder = avro_data.decoder(&avro)?;
/// // id 7 as a zig-zag long, then branch 0 (null) of the email union.
/// let Value::Struct(user) = decoder.decode(&[14, 0])? else { unreachable!() };
/// assert_eq!(user.get("id")?, &Value::Int64(7));
/// assert_eq!(user.get("email")?, &Value::Null);
/// assert_eq!(user.schema(), decoder.schema());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AvroDecoder {
    plan: Plan,
}

impl AvroDecoder {
    /// Prepares the decoding of data written with `avro` into values of `schema`, which must be
    /// the Connect schema [`crate::AvroData::to_connect_schema`] gives `avro` (the version, doc
    /// and parameters may differ; the structure may not: record fields must keep their names
    /// and order).
    pub fn new(schema: &Schema, avro: &AvroSchema) -> Result<Self, AvroDataError> {
        let plan = compile(avro, schema, avro.schema());
        if let Kind::Fail(error) = &plan.kind {
            return Err(error.clone());
        }
        Ok(Self { plan })
    }

    /// The Connect schema of the values this decoder gives.
    pub fn schema(&self) -> &Schema {
        &self.plan.schema
    }

    /// Decodes the datum at the start of `bytes`; bytes after it are ignored, as apache-avro's
    /// `from_avro_datum` and Confluent's deserializer ignore them.
    pub fn decode(&self, bytes: &[u8]) -> Result<Value, AvroDataError> {
        let mut input = bytes;
        self.decode_from(&mut input)
    }

    /// Decodes one datum from the front of `input` and advances `input` past it (on error,
    /// `input` is left somewhere inside the datum).
    pub fn decode_from(&self, input: &mut &[u8]) -> Result<Value, AvroDataError> {
        let mut zero_sized_left = MAX_ZERO_SIZED_ITEMS;
        decode(&self.plan, input, &mut zero_sized_left)
    }
}

/// What decoding into one Connect schema needs, with its Avro counterpart resolved.
#[derive(Debug)]
struct Plan {
    /// The Connect schema of the values (structs are built with it).
    schema: Schema,
    /// The fewest bytes a datum of this plan takes (to bound item counts read from the data).
    min_size: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// An Avro union: one entry per branch.
    Union(Vec<Branch>),
    /// An Avro `int` in an INT8.
    Int8,
    /// An Avro `int` in an INT16.
    Int16,
    /// An Avro `int` (or `date`, `time-millis`) in an INT32, Date or Time.
    Int32(IntForm),
    /// An Avro `long` (or a timestamp) in an INT64 or Timestamp.
    Int64 {
        timestamp: bool,
    },
    Float32,
    Float64,
    Boolean,
    String,
    /// An Avro enum: a symbol index, given as the symbol.
    Enum(Vec<String>),
    /// Avro `bytes` (or a decimal on bytes), or a `fixed` of this size (or a decimal on it).
    Bytes {
        fixed: Option<usize>,
        /// For Decimal schemas: the scale, or the schema's problem with it.
        decimal: Option<Result<i64, ()>>,
    },
    Array(Box<Plan>),
    /// An Avro map: string keys, entries sorted by key as `to_connect_data` sorts them.
    StringMap(Box<Plan>),
    /// An array of key/value records as a Connect map.
    EntryArray(Result<Box<Entry>, AvroDataError>),
    /// A record as a struct: one plan per field, in field order.
    Record(Vec<Plan>),
    /// Data that has no Connect value of this schema: the error `to_connect_data` gives when
    /// it meets such a value.
    Fail(AvroDataError),
}

#[derive(Debug, Clone, Copy)]
enum IntForm {
    Int32,
    Date,
    Time,
}

/// The key and value plans of a map entry record.
#[derive(Debug)]
struct Entry {
    key: Plan,
    value: Plan,
    key_first: bool,
}

/// What one union branch decodes to.
#[derive(Debug)]
enum Branch {
    /// `null`: a Connect null, or an error when the schema is required.
    Null { allowed: bool },
    /// A value of the schema itself (a union for an optional schema).
    Same(Plan),
    /// A Connect union struct with the field at `slot` set.
    Member { slot: usize, plan: Plan },
    /// An enum in a Connect union struct: the field depends on the symbol.
    EnumMember {
        symbols: Vec<String>,
        slots: Vec<Result<usize, AvroDataError>>,
    },
    /// A branch with no Connect form.
    Fail(AvroDataError),
}

fn data_err(message: impl Into<String>) -> AvroDataError {
    AvroDataError::to_connect_data(message)
}

fn is_union_struct(schema: &Schema) -> bool {
    schema.type_() == Type::Struct && schema.name() == Some(AVRO_TYPE_UNION)
}

/// The error `to_connect_data` gives for an Avro value of the wrong kind.
fn kind_mismatch(schema: &Schema, avro: &ApacheSchema) -> AvroDataError {
    data_err(format!(
        "Expected an Avro value for a {} schema, got {:?}",
        schema.type_(),
        SchemaKind::from(avro)
    ))
}

fn null_for_required(schema: &Schema) -> AvroDataError {
    data_err(format!(
        "Found null value for non-optional {} schema",
        schema.type_()
    ))
}

fn compile(root: &AvroSchema, schema: &Schema, avro: &ApacheSchema) -> Plan {
    let avro = root.resolve(avro);
    let plan = |kind, min_size| Plan {
        schema: schema.clone(),
        min_size,
        kind,
    };
    if let ApacheSchema::Union(union) = avro {
        let union_struct = is_union_struct(schema);
        let branches = union
            .variants()
            .iter()
            .map(|variant| {
                let variant = root.resolve(variant);
                if matches!(variant, ApacheSchema::Null) {
                    Branch::Null {
                        allowed: union_struct || schema.is_optional(),
                    }
                } else if union_struct {
                    member_branch(root, schema, variant)
                } else {
                    Branch::Same(compile(root, schema, variant))
                }
            })
            .collect();
        return plan(Kind::Union(branches), 1);
    }
    let mismatch = || plan(Kind::Fail(kind_mismatch(schema, avro)), 0);
    let logical = LogicalType::of(schema);
    match (schema.type_(), avro) {
        (Type::Int8, ApacheSchema::Int) => plan(Kind::Int8, 1),
        (Type::Int16, ApacheSchema::Int) => plan(Kind::Int16, 1),
        (Type::Int32, ApacheSchema::Int | ApacheSchema::Date | ApacheSchema::TimeMillis) => {
            let form = match logical {
                Some(LogicalType::Date) => IntForm::Date,
                Some(LogicalType::Time) => IntForm::Time,
                _ => IntForm::Int32,
            };
            plan(Kind::Int32(form), 1)
        }
        (Type::Int64, avro) if is_long(avro) => plan(
            Kind::Int64 {
                timestamp: logical == Some(LogicalType::Timestamp),
            },
            1,
        ),
        (Type::Float32, ApacheSchema::Float) => plan(Kind::Float32, 4),
        (Type::Float64, ApacheSchema::Double) => plan(Kind::Float64, 8),
        (Type::Boolean, ApacheSchema::Boolean) => plan(Kind::Boolean, 1),
        (Type::String, ApacheSchema::String) => plan(Kind::String, 1),
        (Type::String, ApacheSchema::Enum(e)) => plan(Kind::Enum(e.symbols.clone()), 1),
        (Type::Bytes, ApacheSchema::Bytes | ApacheSchema::Fixed(_) | ApacheSchema::Decimal(_)) => {
            let fixed = match avro {
                ApacheSchema::Fixed(f) => Some(f.size),
                ApacheSchema::Decimal(d) => match &d.inner {
                    InnerDecimalSchema::Fixed(f) => Some(f.size),
                    InnerDecimalSchema::Bytes => None,
                },
                _ => None,
            };
            let decimal =
                (logical == Some(LogicalType::Decimal)).then(|| logical::decimal_scale(schema));
            plan(
                Kind::Bytes {
                    fixed,
                    decimal: decimal.map(|scale| scale.map_err(|_| ())),
                },
                fixed.unwrap_or(1),
            )
        }
        (Type::Array, ApacheSchema::Array(array)) => match schema.value_schema() {
            Some(element) => plan(
                Kind::Array(Box::new(compile(root, element, &array.items))),
                1,
            ),
            None => plan(
                Kind::Fail(data_err("Array schema has no element schema")),
                0,
            ),
        },
        (Type::Map, ApacheSchema::Map(map)) => match schema.value_schema() {
            Some(values) => plan(
                Kind::StringMap(Box::new(compile(root, values, &map.types))),
                1,
            ),
            None => plan(Kind::Fail(data_err("Map schema has no value schema")), 0),
        },
        (Type::Map, ApacheSchema::Array(array)) => {
            let (Some(key_schema), Some(value_schema)) =
                (schema.key_schema(), schema.value_schema())
            else {
                return plan(
                    Kind::Fail(data_err("Map schema has no key or value schema")),
                    0,
                );
            };
            let entry = match root.resolve(&array.items) {
                ApacheSchema::Record(record) => {
                    let position = |name: &str| record.fields.iter().position(|f| f.name == name);
                    match (position(KEY_FIELD), position(VALUE_FIELD)) {
                        (Some(key_at), Some(value_at)) if record.fields.len() == 2 => {
                            Ok(Box::new(Entry {
                                key: compile(root, key_schema, &record.fields[key_at].schema),
                                value: compile(root, value_schema, &record.fields[value_at].schema),
                                key_first: key_at < value_at,
                            }))
                        }
                        (Some(_), Some(_)) => Err(data_err(
                            "Map entry records with fields besides key and value are not supported",
                        )),
                        _ => Err(data_err("Map entry record lacks key or value")),
                    }
                }
                _ => Err(data_err("Map entry is not a key/value record")),
            };
            plan(Kind::EntryArray(entry), 1)
        }
        (Type::Struct, ApacheSchema::Record(record)) => {
            let fields = schema.fields();
            let same_fields = fields.len() == record.fields.len()
                && fields
                    .iter()
                    .zip(&record.fields)
                    .all(|(f, a)| f.name() == a.name);
            if !same_fields {
                return plan(
                    Kind::Fail(data_err(format!(
                        "The Connect struct's fields are not those of Avro record {} in order",
                        record.name.fullname(None)
                    ))),
                    0,
                );
            }
            let plans: Vec<Plan> = fields
                .iter()
                .zip(&record.fields)
                .map(|(field, avro_field)| compile(root, field.schema(), &avro_field.schema))
                .collect();
            let min_size = plans.iter().map(|p| p.min_size).sum();
            plan(Kind::Record(plans), min_size)
        }
        _ => mismatch(),
    }
}

/// A non-null branch of a union read into a Connect union struct: the first field whose type
/// fits the branch, as `to_connect_data` picks it.
fn member_branch(root: &AvroSchema, schema: &Schema, variant: &ApacheSchema) -> Branch {
    if let ApacheSchema::Enum(e) = variant {
        let slots = e
            .symbols
            .iter()
            .map(|symbol| {
                let parameter = format!("{AVRO_TYPE_ENUM}.{symbol}");
                let field = schema
                    .fields()
                    .iter()
                    .find(|f| {
                        is_enum_schema(f.schema()) && f.schema().parameter(&parameter).is_some()
                    })
                    .ok_or_else(|| no_member(variant))?;
                if field.schema().type_() != Type::String {
                    return Err(kind_mismatch(field.schema(), variant).within(field.name()));
                }
                Ok(field.index())
            })
            .collect();
        return Branch::EnumMember {
            symbols: e.symbols.clone(),
            slots,
        };
    }
    match schema
        .fields()
        .iter()
        .find(|f| member_matches(root, f.schema(), variant))
    {
        Some(field) => Branch::Member {
            slot: field.index(),
            plan: compile(root, field.schema(), variant),
        },
        None => Branch::Fail(no_member(variant)),
    }
}

fn no_member(variant: &ApacheSchema) -> AvroDataError {
    data_err(format!(
        "Did not find matching union field for data of Avro type {:?}",
        SchemaKind::from(variant)
    ))
}

/// Whether a value of Avro type `avro` goes into a union field of `schema` (`to_connect_data`'s
/// rule, decided once for the type instead of for every value).
fn member_matches(root: &AvroSchema, schema: &Schema, avro: &ApacheSchema) -> bool {
    let ty = schema.type_();
    match avro {
        ApacheSchema::Boolean => ty == Type::Boolean,
        ApacheSchema::Int | ApacheSchema::Date | ApacheSchema::TimeMillis => {
            matches!(ty, Type::Int8 | Type::Int16 | Type::Int32)
        }
        avro if is_long(avro) => ty == Type::Int64,
        ApacheSchema::Float => ty == Type::Float32,
        ApacheSchema::Double => ty == Type::Float64,
        ApacheSchema::String => ty == Type::String && !is_enum_schema(schema),
        ApacheSchema::Bytes | ApacheSchema::Decimal(_) | ApacheSchema::BigDecimal => {
            ty == Type::Bytes
        }
        ApacheSchema::Fixed(f) => {
            ty == Type::Bytes
                && schema.parameter(CONNECT_AVRO_FIXED_SIZE_PROP)
                    == Some(f.size.to_string().as_str())
        }
        ApacheSchema::Array(array) => match ty {
            Type::Array => true,
            Type::Map => {
                !schema
                    .key_schema()
                    .is_some_and(|k| k.type_() == Type::String && !k.is_optional())
                    && matches!(root.resolve(&array.items), ApacheSchema::Record(_))
            }
            _ => false,
        },
        ApacheSchema::Map(_) => ty == Type::Map,
        ApacheSchema::Record(record) => {
            ty == Type::Struct
                && schema.fields().len() == record.fields.len()
                && schema
                    .fields()
                    .iter()
                    .zip(&record.fields)
                    .all(|(f, a)| f.name() == a.name)
        }
        _ => false,
    }
}

fn decode(plan: &Plan, input: &mut &[u8], budget: &mut usize) -> Result<Value, AvroDataError> {
    let schema = &plan.schema;
    Ok(match &plan.kind {
        Kind::Union(branches) => {
            let index = read_long(input)?;
            let branch = usize::try_from(index)
                .ok()
                .and_then(|i| branches.get(i))
                .ok_or_else(|| {
                    data_err(format!(
                        "Avro union branch {index} does not exist (the union has {})",
                        branches.len()
                    ))
                })?;
            return decode_branch(schema, branch, input, budget);
        }
        Kind::Int8 => {
            let v = read_int(input)?;
            Value::Int8(i8::try_from(v).map_err(|_| data_err(format!("{v} does not fit INT8")))?)
        }
        Kind::Int16 => {
            let v = read_int(input)?;
            Value::Int16(i16::try_from(v).map_err(|_| data_err(format!("{v} does not fit INT16")))?)
        }
        Kind::Int32(form) => {
            let v = read_int(input)?;
            match form {
                IntForm::Int32 => Value::Int32(v),
                IntForm::Date => Value::Date(v),
                IntForm::Time => Value::Time(v),
            }
        }
        Kind::Int64 { timestamp } => {
            let v = read_long(input)?;
            if *timestamp {
                Value::Timestamp(v)
            } else {
                Value::Int64(v)
            }
        }
        Kind::Float32 => Value::Float32(f32::from_le_bytes(read_array(input)?)),
        Kind::Float64 => Value::Float64(f64::from_le_bytes(read_array(input)?)),
        Kind::Boolean => match read_array::<1>(input)? {
            [0] => Value::Boolean(false),
            [1] => Value::Boolean(true),
            [b] => return Err(data_err(format!("Invalid Avro boolean byte {b}"))),
        },
        Kind::String => Value::String(read_str(input)?.to_owned()),
        Kind::Enum(symbols) => {
            let index = read_int(input)?;
            let symbol = usize::try_from(index)
                .ok()
                .and_then(|i| symbols.get(i))
                .ok_or_else(|| bad_symbol(index, symbols.len()))?;
            Value::String(symbol.clone())
        }
        Kind::Bytes { fixed, decimal } => {
            let bytes = match fixed {
                Some(size) => take(input, *size)?,
                None => read_bytes(input)?,
            };
            match decimal {
                None => Value::Bytes(bytes.to_vec().into()),
                Some(Ok(scale)) if !bytes.is_empty() => {
                    Value::Decimal(BigDecimal::new(BigInt::from_signed_bytes_be(bytes), *scale))
                }
                // The error Connect gives (no scale, or no bytes).
                Some(_) => Value::Decimal(
                    logical::decimal_from_bytes(schema, bytes)
                        .map_err(|e| data_err(e.to_string()))?,
                ),
            }
        }
        Kind::Array(element) => {
            let mut items = Vec::new();
            while let Some(block) = read_block(input, element.min_size, budget)? {
                items.reserve(block);
                for _ in 0..block {
                    let i = items.len();
                    items.push(
                        decode(element, input, budget).map_err(|e| e.within(&format!("[{i}]")))?,
                    );
                }
            }
            Value::Array(items)
        }
        Kind::StringMap(values) => {
            let mut entries: Vec<(String, Value)> = Vec::new();
            while let Some(block) = read_block(input, values.min_size + 1, budget)? {
                entries.reserve(block);
                for _ in 0..block {
                    let key = read_str(input).map_err(|e| e.within("<key>"))?.to_owned();
                    let value =
                        decode(values, input, budget).map_err(|e| e.within(&format!("<{key}>")))?;
                    entries.push((key, value));
                }
            }
            // apache-avro keeps the last of equal keys, and to_connect_data sorts by key.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    std::mem::swap(later, kept);
                }
                same
            });
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (Value::String(k), v))
                    .collect(),
            )
        }
        Kind::EntryArray(entry) => {
            let mut entries = Vec::new();
            let min_size = entry
                .as_ref()
                .map_or(0, |e| e.key.min_size + e.value.min_size);
            while let Some(block) = read_block(input, min_size, budget)? {
                let entry = entry
                    .as_ref()
                    .map_err(|e| e.clone().within(&format!("[{}]", entries.len())))?;
                entries.reserve(block);
                for _ in 0..block {
                    entries.push(decode_entry(entry, input, budget)?);
                }
            }
            Value::Map(entries)
        }
        Kind::Record(fields) => {
            let mut values = Vec::with_capacity(fields.len());
            for (field, field_plan) in schema.fields().iter().zip(fields) {
                values.push(decode(field_plan, input, budget).map_err(|e| e.within(field.name()))?);
            }
            Value::Struct(
                Struct::from_values(schema.clone(), values).map_err(|e| data_err(e.to_string()))?,
            )
        }
        Kind::Fail(error) => return Err(error.clone()),
    })
}

fn decode_branch(
    schema: &Schema,
    branch: &Branch,
    input: &mut &[u8],
    budget: &mut usize,
) -> Result<Value, AvroDataError> {
    match branch {
        Branch::Null { allowed: true } => Ok(Value::Null),
        Branch::Null { allowed: false } => Err(null_for_required(schema)),
        Branch::Same(plan) => decode(plan, input, budget),
        Branch::Member { slot, plan } => {
            let field = &schema.fields()[*slot];
            let value = decode(plan, input, budget).map_err(|e| e.within(field.name()))?;
            union_struct(schema, *slot, value)
        }
        Branch::EnumMember { symbols, slots } => {
            let index = read_int(input)?;
            let (symbol, slot) = usize::try_from(index)
                .ok()
                .and_then(|i| Some((symbols.get(i)?, slots.get(i)?)))
                .ok_or_else(|| bad_symbol(index, symbols.len()))?;
            let slot = *slot.as_ref().map_err(Clone::clone)?;
            union_struct(schema, slot, Value::String(symbol.clone()))
        }
        Branch::Fail(error) => Err(error.clone()),
    }
}

/// A Connect union struct with one field set.
fn union_struct(schema: &Schema, slot: usize, value: Value) -> Result<Value, AvroDataError> {
    let mut values = vec![Value::Null; schema.fields().len()];
    if let Some(place) = values.get_mut(slot) {
        *place = value;
    }
    Struct::from_values(schema.clone(), values)
        .map(Value::Struct)
        .map_err(|e| data_err(e.to_string()))
}

fn decode_entry(
    entry: &Entry,
    input: &mut &[u8],
    budget: &mut usize,
) -> Result<(Value, Value), AvroDataError> {
    let (key, value) = if entry.key_first {
        let key = decode(&entry.key, input, budget).map_err(|e| e.within("<key>"))?;
        let value =
            decode(&entry.value, input, budget).map_err(|e| e.within(&format!("<{key}>")))?;
        (key, value)
    } else {
        // The key is not known yet: the value's errors name the entry's value.
        let value = decode(&entry.value, input, budget).map_err(|e| e.within("<value>"))?;
        let key = decode(&entry.key, input, budget).map_err(|e| e.within("<key>"))?;
        (key, value)
    };
    Ok((key, value))
}

fn bad_symbol(index: i32, symbols: usize) -> AvroDataError {
    data_err(format!(
        "Avro enum symbol {index} does not exist (the enum has {symbols})"
    ))
}

fn eof(needed: usize, left: usize) -> AvroDataError {
    data_err(format!(
        "Avro data ends early: {needed} more byte(s) needed, {left} left"
    ))
}

/// Avro's `long`: zig-zag, little-endian groups of seven bits, at most ten bytes.
fn read_long(input: &mut &[u8]) -> Result<i64, AvroDataError> {
    let mut n: u64 = 0;
    for (i, &byte) in input.iter().enumerate().take(10) {
        n |= u64::from(byte & 0x7F) << (i * 7);
        if byte & 0x80 == 0 {
            *input = &input[i + 1..];
            return Ok(((n >> 1) as i64) ^ -((n & 1) as i64));
        }
    }
    if input.len() >= 10 {
        Err(data_err("Avro integer longer than ten bytes"))
    } else {
        Err(eof(1, 0))
    }
}

/// Avro's `int`: a `long` that fits 32 bits.
fn read_int(input: &mut &[u8]) -> Result<i32, AvroDataError> {
    let v = read_long(input)?;
    i32::try_from(v).map_err(|_| data_err(format!("Avro int {v} out of range")))
}

fn take<'a>(input: &mut &'a [u8], len: usize) -> Result<&'a [u8], AvroDataError> {
    if input.len() < len {
        return Err(eof(len - input.len(), input.len()));
    }
    let (head, rest) = input.split_at(len);
    *input = rest;
    Ok(head)
}

fn read_array<const N: usize>(input: &mut &[u8]) -> Result<[u8; N], AvroDataError> {
    let mut out = [0; N];
    out.copy_from_slice(take(input, N)?);
    Ok(out)
}

/// Avro `bytes`: a length, then that many bytes.
fn read_bytes<'a>(input: &mut &'a [u8]) -> Result<&'a [u8], AvroDataError> {
    let len = read_long(input)?;
    let len = usize::try_from(len).map_err(|_| data_err(format!("Negative Avro length {len}")))?;
    take(input, len)
}

fn read_str<'a>(input: &mut &'a [u8]) -> Result<&'a str, AvroDataError> {
    std::str::from_utf8(read_bytes(input)?)
        .map_err(|e| data_err(format!("Avro string is not UTF-8: {e}")))
}

/// The item count of the next block of an array or map, `None` at the end. Counts that the
/// remaining bytes cannot hold (each item taking at least `min_size` bytes) are refused, so that
/// nothing is allocated for items that are not there.
fn read_block(
    input: &mut &[u8],
    min_size: usize,
    zero_sized_left: &mut usize,
) -> Result<Option<usize>, AvroDataError> {
    let count = read_long(input)?;
    if count == 0 {
        return Ok(None);
    }
    if count < 0 {
        // A negative count is followed by the block's size in bytes.
        read_long(input)?;
    }
    let count = usize::try_from(count.unsigned_abs())
        .map_err(|_| data_err(format!("Avro block of {count} items is too large")))?;
    let fits = match min_size {
        0 => count <= *zero_sized_left,
        size => count <= input.len() / size,
    };
    if !fits {
        return Err(data_err(format!(
            "Avro block of {count} items does not fit the {} byte(s) left",
            input.len()
        )));
    }
    if min_size == 0 {
        *zero_sized_left -= count;
    }
    Ok(Some(count))
}
