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
//!
//! `envelope` reads the envelope, `typed` values with a schema (`leaf` their numbers and
//! strings), `schemaless` values without one.

mod envelope;
mod leaf;
mod schemaless;
mod typed;

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, Visitor};

use self::envelope::{EnvelopeSeed, Payload};
use self::schemaless::{AnySeed, NumberSource};
pub(crate) use self::typed::ValueSeed;
use super::lexical;
use super::trail::Trail;
use crate::data::{Schema, SchemaAndValue, Struct, Value};
use crate::error::DataError;

/// Kafka's text for a message that is not a `{"schema":…,"payload":…}` envelope.
pub(crate) const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";

/// The longest number accepted, as Jackson's default `StreamReadConstraints`; it also bounds
/// the cost of parsing decimals.
const MAX_NUMBER_LEN: usize = 1000;

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
        if data
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
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
            Payload::Raw(raw) => {
                self.read_payload(envelope.schema.as_ref(), raw.get().as_bytes())?
            }
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

/// The settings and error trail of one read.
pub(crate) struct ReadCtx<'t> {
    replace_null_with_default: bool,
    pub(crate) trail: Trail,
    numbers: Option<NumberSource<'t>>,
}

impl<'t> ReadCtx<'t> {
    pub(crate) fn new(replace_null_with_default: bool, trail: Trail) -> Self {
        Self {
            replace_null_with_default,
            trail,
            numbers: None,
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
