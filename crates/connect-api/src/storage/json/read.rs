//! JSON → Connect value, parsed straight from the bytes.
//!
//! The envelope's `schema` member is borrowed as raw text (the key of the schema cache) and the
//! payload is parsed by [`ValueSeed`], which walks the schema alongside serde_json, so no JSON
//! tree is built. Numbers of numeric schemas are taken as raw text and parsed exactly (integers
//! range-checked, floats correctly rounded, decimals digit for digit), and the strings Jackson
//! writes for non-finite floats (`"NaN"`, `"Infinity"`, `"-Infinity"`) are accepted.
//!
//! Without a schema, [`AnySeed`] follows Kafka: integral numbers become INT64 (an error when out
//! of range, rather than truncation), other numbers FLOAT64, objects maps with string keys (in
//! document order) and arrays lists.
//!
//! Kafka's Jackson is lenient where the input does not fit the schema (a string read as an int
//! gives 0, a fraction is truncated); here such input is an error that names the problem.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bigdecimal::BigDecimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::dedupe::dedupe_entries;
use super::lexical;
use super::trail::{Seg, Trail};
use crate::data::logical::{self, LogicalType};
use crate::data::{Schema, SchemaAndValue, Struct, Type, Value};
use crate::error::DataError;

/// Kafka's text for a message that is not a `{"schema":…,"payload":…}` envelope.
pub(crate) const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";

/// The longest number accepted, as Jackson's default `StreamReadConstraints`; it also bounds
/// the cost of parsing decimals.
const MAX_NUMBER_LEN: usize = 1000;

/// Base64 as Jackson reads it: standard alphabet, padding required, stray low bits ignored.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Looks a JSON schema up (or parses it) by its text.
pub(crate) type SchemaLookup<'a> = &'a dyn Fn(&str) -> Result<Option<Schema>, DataError>;

/// Reads whole messages with the converter's settings.
pub(crate) struct Reader<'a> {
    pub(crate) schemas_enable: bool,
    pub(crate) replace_null_with_default: bool,
    pub(crate) lookup: SchemaLookup<'a>,
}

/// Why a document could not be read: its syntax (worth a retry without leading zeros) or its
/// content.
enum Failure {
    Syntax(serde_json::Error),
    Data(DataError),
}

impl Failure {
    fn classify(err: serde_json::Error, trail: &Trail) -> Failure {
        match trail.take() {
            Some(data) => Failure::Data(data),
            None if err.is_data() => Failure::Data(serialization_error(&err)),
            None => Failure::Syntax(err),
        }
    }

    fn into_error(self) -> DataError {
        match self {
            Failure::Syntax(err) => serialization_error(&err),
            Failure::Data(err) => err,
        }
    }
}

fn serialization_error(err: &serde_json::Error) -> DataError {
    DataError::new(format!(
        "Converting byte[] to Kafka Connect data failed due to serialization error: {err}"
    ))
}

impl Reader<'_> {
    /// Reads one message (Kafka's `toConnectData` for non-null bytes).
    pub(crate) fn read(&self, data: &[u8]) -> Result<SchemaAndValue, DataError> {
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        if data.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            // Jackson reads no content as a missing node.
            return if self.schemas_enable {
                Err(DataError::new(ENVELOPE_ERROR))
            } else {
                Ok(SchemaAndValue::NULL)
            };
        }
        match self.read_document(data) {
            Ok(read) => Ok(read),
            Err(Failure::Syntax(err)) => match lexical::normalize_leading_zeros(data) {
                Some(fixed) => self.read_document(&fixed).map_err(Failure::into_error),
                None => Err(Failure::Syntax(err).into_error()),
            },
            Err(failure) => Err(failure.into_error()),
        }
    }

    fn read_document(&self, data: &[u8]) -> Result<SchemaAndValue, Failure> {
        if !self.schemas_enable {
            let value = self.read_payload(None, data)?;
            return Ok(SchemaAndValue::new(None, value));
        }
        let ctx = ReadCtx::new(self.replace_null_with_default, Trail::new("payload"));
        let mut de = serde_json::Deserializer::from_slice(data);
        let seed = EnvelopeSeed {
            lookup: self.lookup,
            ctx: &ctx,
        };
        let envelope = match seed
            .deserialize(&mut de)
            .and_then(|envelope| de.end().map(|()| envelope))
        {
            Ok(envelope) => envelope,
            Err(e) => {
                let failure = Failure::classify(e, &ctx.trail);
                // The shape is checked while parsing; like Kafka, report broken JSON first.
                if let Failure::Data(err) = &failure
                    && err.message() == ENVELOPE_ERROR
                    && let Err(syntax) = serde_json::from_slice::<IgnoredAny>(data)
                {
                    return Err(Failure::Syntax(syntax));
                }
                return Err(failure);
            }
        };
        let value = match envelope.payload {
            Payload::Parsed(value) => value,
            Payload::Raw(raw) => self.read_payload(envelope.schema.as_ref(), raw.get().as_bytes())?,
        };
        Ok(SchemaAndValue::new(envelope.schema, value))
    }

    /// Reads a payload on its own, with its schema or schemaless.
    fn read_payload(&self, schema: Option<&Schema>, text: &[u8]) -> Result<Value, Failure> {
        let mut de = serde_json::Deserializer::from_slice(text);
        let (result, ctx) = match schema {
            Some(schema) => {
                let ctx = ReadCtx::new(self.replace_null_with_default, Trail::new("payload"));
                let result = ValueSeed { schema, ctx: &ctx }.deserialize(&mut de);
                (result, ctx)
            }
            None => {
                let ctx = ReadCtx::schemaless(Trail::new("payload"), text);
                let result = AnySeed { ctx: &ctx }.deserialize(&mut de);
                (result, ctx)
            }
        };
        result
            .and_then(|value| de.end().map(|()| value))
            .map_err(|e| Failure::classify(e, &ctx.trail))
    }
}

// ---------------------------------------------------------------------------------------------
// Shared state

/// The settings and error trail of one read.
pub(crate) struct ReadCtx<'t> {
    replace_null_with_default: bool,
    pub(crate) trail: Trail,
    numbers: Option<NumberSource<'t>>,
}

/// The text of a schemaless payload, to look up the exact tokens of numbers serde_json
/// reports as floats (see [`lexical`]).
struct NumberSource<'t> {
    text: &'t [u8],
    seen: Cell<usize>,
    tokens: OnceCell<Vec<Range<usize>>>,
}

impl<'t> ReadCtx<'t> {
    pub(crate) fn new(replace_null_with_default: bool, trail: Trail) -> Self {
        Self {
            replace_null_with_default,
            trail,
            numbers: None,
        }
    }

    fn schemaless(trail: Trail, text: &'t [u8]) -> Self {
        Self {
            replace_null_with_default: false,
            trail,
            numbers: Some(NumberSource {
                text,
                seen: Cell::new(0),
                tokens: OnceCell::new(),
            }),
        }
    }

    fn fail<E: de::Error>(&self, err: DataError) -> E {
        self.trail.fail_de(err)
    }

    /// The value for a JSON null (or a missing struct field) of `schema`.
    fn null_value(&self, schema: &Schema) -> Result<Value, DataError> {
        match schema.default_value() {
            // A struct default carries the default-less form of its schema; give the value the
            // schema it is read with, as a struct parsed from JSON would have.
            Some(Value::Struct(default)) if self.replace_null_with_default => Ok(Value::Struct(
                Struct::from_parts(schema.clone(), default.values().to_vec()),
            )),
            Some(default) if self.replace_null_with_default => Ok(default.clone()),
            _ if schema.is_optional() => Ok(Value::Null),
            _ => Err(DataError::new(format!(
                "Invalid null value for required {} field",
                schema.type_()
            ))),
        }
    }

    /// Counts a number serde_json reported as an integer.
    fn integer_seen(&self) {
        if let Some(numbers) = &self.numbers {
            numbers.seen.set(numbers.seen.get() + 1);
        }
    }

    /// The schemaless value of a number serde_json reported as the float `parsed`, from the
    /// number's own text.
    fn float_seen(&self, parsed: f64) -> Result<Value, DataError> {
        let Some(numbers) = &self.numbers else {
            return Ok(Value::Float64(parsed));
        };
        let ordinal = numbers.seen.get();
        numbers.seen.set(ordinal + 1);
        let tokens = numbers
            .tokens
            .get_or_init(|| lexical::number_tokens(numbers.text));
        let token = tokens
            .get(ordinal)
            .and_then(|range| numbers.text.get(range.clone()))
            .and_then(|bytes| std::str::from_utf8(bytes).ok());
        let Some(token) = token else {
            return Ok(Value::Float64(parsed));
        };
        check_number_len(token)?;
        if lexical::is_integral_syntax(token) {
            token
                .parse::<i64>()
                .map(Value::Int64)
                .map_err(|_| out_of_range(token, "INT64"))
        } else {
            Ok(Value::Float64(token.parse::<f64>().unwrap_or(parsed)))
        }
    }
}

fn check_number_len(token: &str) -> Result<(), DataError> {
    if token.len() > MAX_NUMBER_LEN {
        Err(DataError::new(format!(
            "Number value length ({}) exceeds the maximum allowed ({MAX_NUMBER_LEN})",
            token.len()
        )))
    } else {
        Ok(())
    }
}

fn out_of_range(token: &str, ty: &str) -> DataError {
    DataError::new(format!("Numeric value ({token}) out of range of {ty}"))
}

/// Jackson's node type name for the JSON value starting with `first`.
fn node_type(first: u8) -> &'static str {
    match first {
        b'{' => "OBJECT",
        b'[' => "ARRAY",
        b'"' => "STRING",
        b't' | b'f' => "BOOLEAN",
        b'n' => "NULL",
        _ => "NUMBER",
    }
}

/// A map key or member name, borrowed from the input when it has no escapes.
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

// ---------------------------------------------------------------------------------------------
// The envelope

enum Payload<'de> {
    Parsed(Value),
    Raw(&'de RawValue),
}

struct Envelope<'de> {
    schema: Option<Schema>,
    payload: Payload<'de>,
}

struct EnvelopeSeed<'a> {
    lookup: SchemaLookup<'a>,
    ctx: &'a ReadCtx<'a>,
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed<'_> {
    type Value = Envelope<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl EnvelopeSeed<'_> {
    fn not_an_envelope<E: de::Error>(&self) -> E {
        self.ctx.fail(DataError::new(ENVELOPE_ERROR))
    }
}

impl<'de> Visitor<'de> for EnvelopeSeed<'_> {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with \"schema\" and \"payload\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let mut schema: Option<Option<Schema>> = None;
        let mut payload: Option<Payload<'de>> = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match &*key {
                "schema" if schema.is_none() => {
                    let raw: &'de RawValue = map.next_value()?;
                    schema = Some((self.lookup)(raw.get()).map_err(|e| ctx.fail::<A::Error>(e))?);
                }
                "payload" if payload.is_none() => {
                    payload = Some(match &schema {
                        // The schema came first, as Kafka writes it: parse the payload in place.
                        Some(Some(schema)) => {
                            Payload::Parsed(map.next_value_seed(ValueSeed { schema, ctx })?)
                        }
                        // Without a schema the payload needs its own text; with the schema
                        // still to come it must wait.
                        _ => Payload::Raw(map.next_value()?),
                    });
                }
                _ => return Err(self.not_an_envelope()),
            }
        }
        match (schema, payload) {
            (Some(schema), Some(payload)) => Ok(Envelope { schema, payload }),
            _ => Err(self.not_an_envelope()),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(self.not_an_envelope())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(self.not_an_envelope())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(self.not_an_envelope())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(self.not_an_envelope())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(self.not_an_envelope())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(self.not_an_envelope())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.not_an_envelope())
    }
}

// ---------------------------------------------------------------------------------------------
// Values with a schema

/// Numeric schemas, whose values are read from the number's text.
#[derive(Debug, Clone, Copy)]
enum Leaf {
    Int(Type),
    Float32,
    Float64,
    Decimal,
    Date,
    Time,
    Timestamp,
}

impl Leaf {
    fn of(schema: &Schema) -> Option<Leaf> {
        if let Some(logical) = LogicalType::of(schema) {
            return Some(match logical {
                LogicalType::Decimal => Leaf::Decimal,
                LogicalType::Date => Leaf::Date,
                LogicalType::Time => Leaf::Time,
                LogicalType::Timestamp => Leaf::Timestamp,
            });
        }
        match schema.type_() {
            ty @ (Type::Int8 | Type::Int16 | Type::Int32 | Type::Int64) => Some(Leaf::Int(ty)),
            Type::Float32 => Some(Leaf::Float32),
            Type::Float64 => Some(Leaf::Float64),
            _ => None,
        }
    }

    fn mismatch(self, found: &str) -> DataError {
        DataError::new(match self {
            Leaf::Int(ty) => {
                format!("{ty} values should be encoded as JSON integers, but found {found}")
            }
            Leaf::Float32 => {
                format!("FLOAT32 values should be encoded as JSON numbers, but found {found}")
            }
            Leaf::Float64 => {
                format!("FLOAT64 values should be encoded as JSON numbers, but found {found}")
            }
            Leaf::Decimal => format!(
                "Invalid type for Decimal, underlying representation should be numeric or bytes but was {found}"
            ),
            Leaf::Date | Leaf::Time => format!(
                "Invalid type for {}, underlying representation should be integer but was {found}",
                if matches!(self, Leaf::Date) { "Date" } else { "Time" }
            ),
            Leaf::Timestamp => format!(
                "Invalid type for Timestamp, underlying representation should be integral but was {found}"
            ),
        })
    }

    fn read(self, schema: &Schema, text: &str, ctx: &ReadCtx<'_>) -> Result<Value, DataError> {
        match text.as_bytes().first().copied().unwrap_or(b'n') {
            b'n' => ctx.null_value(schema),
            b'-' | b'0'..=b'9' => self.read_number(text),
            b'"' => self.read_string(schema, text),
            other => Err(self.mismatch(node_type(other))),
        }
    }

    fn read_number(self, text: &str) -> Result<Value, DataError> {
        check_number_len(text)?;
        match self {
            Leaf::Float32 => text.parse().map(Value::Float32).map_err(|_| self.mismatch("NUMBER")),
            Leaf::Float64 => text.parse().map(Value::Float64).map_err(|_| self.mismatch("NUMBER")),
            // Like Kafka, a decimal read from a number keeps the number's own scale.
            Leaf::Decimal => BigDecimal::from_str(text)
                .map(Value::Decimal)
                .map_err(|e| DataError::new(format!("Invalid number for Decimal field: {e}"))),
            _ if !lexical::is_integral_syntax(text) => Err(match self {
                Leaf::Int(ty) => DataError::new(format!(
                    "{ty} values should be encoded as JSON integers, but found {text}"
                )),
                _ => self.mismatch("NUMBER"),
            }),
            Leaf::Int(ty) => {
                let v: i64 = text.parse().map_err(|_| out_of_range(text, "INT64"))?;
                let narrow = |ok: Option<Value>| ok.ok_or_else(|| out_of_range(text, &ty.to_string()));
                match ty {
                    Type::Int8 => narrow(i8::try_from(v).ok().map(Value::Int8)),
                    Type::Int16 => narrow(i16::try_from(v).ok().map(Value::Int16)),
                    Type::Int32 => narrow(i32::try_from(v).ok().map(Value::Int32)),
                    _ => Ok(Value::Int64(v)),
                }
            }
            Leaf::Date => {
                let days = text.parse::<i32>().map_err(|_| out_of_range(text, "Date"))?;
                Ok(Value::Date(days))
            }
            Leaf::Time => {
                let millis = text.parse::<i64>().map_err(|_| out_of_range(text, "Time"))?;
                Ok(Value::Time(logical::check_time(millis)?))
            }
            Leaf::Timestamp => {
                let millis = text.parse::<i64>().map_err(|_| out_of_range(text, "Timestamp"))?;
                Ok(Value::Timestamp(millis))
            }
        }
    }

    fn read_string(self, schema: &Schema, text: &str) -> Result<Value, DataError> {
        let s = unquote(text)?;
        match self {
            Leaf::Float32 | Leaf::Float64 => {
                let v = match &*s {
                    "NaN" => f64::NAN,
                    "Infinity" => f64::INFINITY,
                    "-Infinity" => f64::NEG_INFINITY,
                    _ => return Err(self.mismatch("STRING")),
                };
                Ok(match self {
                    Leaf::Float32 => Value::Float32(v as f32),
                    _ => Value::Float64(v),
                })
            }
            Leaf::Decimal => {
                let bytes = BASE64
                    .decode(s.as_bytes())
                    .map_err(|e| DataError::new(format!("Invalid bytes for Decimal field: {e}")))?;
                logical::decimal_from_bytes(schema, &bytes)
                    .map(Value::Decimal)
                    .map_err(|e| DataError::new(format!("Invalid bytes for Decimal field: {e}")))
            }
            _ => Err(self.mismatch("STRING")),
        }
    }
}

/// The contents of a raw JSON string.
fn unquote(text: &str) -> Result<Cow<'_, str>, DataError> {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Ok(Cow::Borrowed(inner)),
        _ => serde_json::from_str::<String>(text)
            .map(Cow::Owned)
            .map_err(|e| DataError::new(format!("Invalid JSON string: {e}"))),
    }
}

/// Reads one value of `schema`.
pub(crate) struct ValueSeed<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) ctx: &'a ReadCtx<'a>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match Leaf::of(self.schema) {
            Some(leaf) => {
                let raw = <&'de RawValue>::deserialize(d)?;
                leaf.read(self.schema, raw.get(), self.ctx)
                    .map_err(|e| self.ctx.fail(e))
            }
            None => d.deserialize_any(self),
        }
    }
}

impl ValueSeed<'_> {
    fn mismatch<E: de::Error>(&self, found: &str) -> E {
        let schema = self.schema;
        let text = match schema.type_() {
            Type::Boolean => {
                format!("BOOLEAN values should be encoded as JSON booleans, but found {found}")
            }
            Type::String => {
                format!("STRING values should be encoded as JSON strings, but found {found}")
            }
            Type::Bytes => {
                format!("BYTES values should be encoded as base64 JSON strings, but found {found}")
            }
            Type::Array => format!("Arrays should be encoded as JSON arrays, but found {found}"),
            Type::Map if string_keys(schema) => format!(
                "Maps with string fields should be encoded as JSON objects, but found {found}"
            ),
            Type::Map => format!(
                "Maps with non-string fields should be encoded as JSON array of tuples, but found {found}"
            ),
            Type::Struct => format!("Structs should be encoded as JSON objects, but found {found}"),
            ty => format!("{ty} values cannot be read from {found}"),
        };
        self.ctx.fail(DataError::new(text))
    }

    fn string<E: de::Error>(&self, v: Cow<'_, str>) -> Result<Value, E> {
        match self.schema.type_() {
            Type::String => Ok(Value::String(v.into_owned())),
            Type::Bytes => BASE64
                .decode(v.as_bytes())
                .map(|b| Value::Bytes(b.into()))
                .map_err(|e| self.ctx.fail(DataError::new(format!("Invalid bytes field: {e}")))),
            _ => Err(self.mismatch("STRING")),
        }
    }
}

fn string_keys(map_schema: &Schema) -> bool {
    map_schema
        .key_schema()
        .is_none_or(|k| k.type_() == Type::String)
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON value for a {} schema", self.schema.type_())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.ctx.null_value(self.schema).map_err(|e| self.ctx.fail(e))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        match self.schema.type_() {
            Type::Boolean => Ok(Value::Boolean(v)),
            _ => Err(self.mismatch("BOOLEAN")),
        }
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
        Err(self.mismatch("NUMBER"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
        Err(self.mismatch("NUMBER"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
        Err(self.mismatch("NUMBER"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.string(Cow::Borrowed(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.string(Cow::Owned(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let schema = self.schema;
        match schema.type_() {
            Type::Array => {
                let element = schema
                    .value_schema()
                    .ok_or_else(|| ctx.fail(DataError::new("Array schema has no value schema")))?;
                let mut items = Vec::new();
                loop {
                    let seed = ValueSeed {
                        schema: element,
                        ctx,
                    };
                    match seq.next_element_seed(seed) {
                        Ok(Some(item)) => items.push(item),
                        Ok(None) => break,
                        Err(e) => return Err(ctx.trail.at(Seg::Index(items.len()), e)),
                    }
                }
                Ok(Value::Array(items))
            }
            Type::Map if !string_keys(schema) => {
                let (Some(keys), Some(values)) = (schema.key_schema(), schema.value_schema())
                else {
                    return Err(ctx.fail(DataError::new("Map schema has no key or value schema")));
                };
                let mut entries = Vec::new();
                loop {
                    let seed = EntrySeed { keys, values, ctx };
                    match seq.next_element_seed(seed) {
                        Ok(Some(entry)) => entries.push(entry),
                        Ok(None) => break,
                        Err(e) => return Err(ctx.trail.at(Seg::Index(entries.len()), e)),
                    }
                }
                dedupe_entries(&mut entries);
                Ok(Value::Map(entries))
            }
            _ => Err(self.mismatch("ARRAY")),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let schema = self.schema;
        match schema.type_() {
            Type::Struct => read_struct(schema, ctx, &mut map),
            Type::Map if string_keys(schema) => {
                let values = schema
                    .value_schema()
                    .ok_or_else(|| ctx.fail(DataError::new("Map schema has no value schema")))?;
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let seed = ValueSeed {
                        schema: values,
                        ctx,
                    };
                    match map.next_value_seed(seed) {
                        Ok(value) => entries.push((Value::String(key), value)),
                        Err(e) => return Err(ctx.trail.at(Seg::Key(key), e)),
                    }
                }
                dedupe_entries(&mut entries);
                Ok(Value::Map(entries))
            }
            _ => Err(self.mismatch("OBJECT")),
        }
    }
}

/// A JSON object read as a struct: members in any order, unknown members ignored, missing ones
/// null (and so their default).
fn read_struct<'de, A: MapAccess<'de>>(
    schema: &Schema,
    ctx: &ReadCtx<'_>,
    map: &mut A,
) -> Result<Value, A::Error> {
    let fields = schema.fields();
    let mut values: Vec<Option<Value>> = vec![None; fields.len()];
    let mut expected = 0;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        // Members usually come in field order; check the next field before hashing.
        let index = match fields.get(expected) {
            Some(field) if field.name() == key => Some(expected),
            _ => schema.field(&key).map(|f| f.index()),
        };
        let Some(index) = index else {
            map.next_value::<IgnoredAny>()?;
            continue;
        };
        let field = &fields[index];
        let seed = ValueSeed {
            schema: field.schema(),
            ctx,
        };
        let value = map
            .next_value_seed(seed)
            .map_err(|e| ctx.trail.at(Seg::Field(field.name().to_owned().into()), e))?;
        values[index] = Some(value);
        expected = index + 1;
    }
    let mut out = Vec::with_capacity(fields.len());
    for (field, value) in fields.iter().zip(values) {
        let value = match value {
            Some(value) => value,
            None => ctx.null_value(field.schema()).map_err(|e| {
                let err = ctx.fail::<A::Error>(e);
                ctx.trail.at(Seg::Field(field.name().to_owned().into()), err)
            })?,
        };
        out.push(value);
    }
    Ok(Value::Struct(Struct::from_parts(schema.clone(), out)))
}

/// One `[key, value]` entry of a map with non-string keys.
struct EntrySeed<'a> {
    keys: &'a Schema,
    values: &'a Schema,
    ctx: &'a ReadCtx<'a>,
}

impl EntrySeed<'_> {
    fn invalid<E: de::Error>(&self, found: &str) -> E {
        self.ctx.fail(DataError::new(format!(
            "Found invalid map entry instead of array tuple: {found}"
        )))
    }
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = (Value, Value);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = (Value, Value);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a [key, value] array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let wrong_length = |n: usize| {
            ctx.fail::<A::Error>(DataError::new(format!(
                "Found invalid map entry, expected length 2 but found :{n}"
            )))
        };
        let key = seq
            .next_element_seed(ValueSeed {
                schema: self.keys,
                ctx,
            })
            .map_err(|e| ctx.trail.at(Seg::Index(0), e))?
            .ok_or_else(|| wrong_length(0))?;
        let value = seq
            .next_element_seed(ValueSeed {
                schema: self.values,
                ctx,
            })
            .map_err(|e| ctx.trail.at(Seg::Index(1), e))?
            .ok_or_else(|| wrong_length(1))?;
        let mut extra = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            extra += 1;
        }
        if extra > 0 {
            return Err(wrong_length(2 + extra));
        }
        Ok((key, value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(self.invalid("NULL"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(self.invalid("BOOLEAN"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(self.invalid("NUMBER"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(self.invalid("NUMBER"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(self.invalid("NUMBER"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(self.invalid("STRING"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.invalid("OBJECT"))
    }
}

// ---------------------------------------------------------------------------------------------
// Values without a schema

/// Reads any JSON value the way Kafka does without a schema.
struct AnySeed<'a> {
    ctx: &'a ReadCtx<'a>,
}

impl<'de> DeserializeSeed<'de> for AnySeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnySeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Boolean(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        self.ctx.integer_seen();
        Ok(Value::Int64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.ctx.integer_seen();
        i64::try_from(v)
            .map(Value::Int64)
            .map_err(|_| self.ctx.fail(out_of_range(&v.to_string(), "INT64")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.ctx.float_seen(v).map_err(|e| self.ctx.fail(e))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(AnySeed { ctx }) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => return Err(ctx.trail.at(Seg::Index(items.len()), e)),
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match map.next_value_seed(AnySeed { ctx }) {
                Ok(value) => entries.push((Value::String(key), value)),
                Err(e) => return Err(ctx.trail.at(Seg::Key(key), e)),
            }
        }
        dedupe_entries(&mut entries);
        Ok(Value::Map(entries))
    }
}
