//! Values of numeric schemas, read from the raw text of the JSON value.
//!
//! Taking the text rather than serde_json's parsed number keeps integers exact and
//! range-checked, floats correctly rounded (Jackson parses them as `BigDecimal`), and decimals
//! digit for digit with their scale. Jackson's quoted `"NaN"`, `"Infinity"` and `"-Infinity"`
//! are accepted for floats, base64 text for decimals.

use std::borrow::Cow;
use std::str::FromStr;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bigdecimal::BigDecimal;

use super::{ReadCtx, check_number_len, lexical, node_type, out_of_range};
use crate::data::logical::{self, LogicalType};
use crate::data::{Schema, Type, Value};
use crate::error::DataError;

/// Base64 as Jackson reads it: standard alphabet, padding required, stray low bits ignored.
pub(super) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Numeric schemas, whose values are read from the number's text.
#[derive(Debug, Clone, Copy)]
pub(super) enum Leaf {
    Int(Type),
    Float32,
    Float64,
    Decimal,
    Date,
    Time,
    Timestamp,
}

impl Leaf {
    pub(super) fn of(schema: &Schema) -> Option<Leaf> {
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
                if matches!(self, Leaf::Date) {
                    "Date"
                } else {
                    "Time"
                }
            ),
            Leaf::Timestamp => format!(
                "Invalid type for Timestamp, underlying representation should be integral but was {found}"
            ),
        })
    }

    pub(super) fn read(
        self,
        schema: &Schema,
        text: &str,
        ctx: &ReadCtx<'_>,
    ) -> Result<Value, DataError> {
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
            Leaf::Float32 => text
                .parse()
                .map(Value::Float32)
                .map_err(|_| self.mismatch("NUMBER")),
            Leaf::Float64 => text
                .parse()
                .map(Value::Float64)
                .map_err(|_| self.mismatch("NUMBER")),
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
                let narrow =
                    |ok: Option<Value>| ok.ok_or_else(|| out_of_range(text, &ty.to_string()));
                match ty {
                    Type::Int8 => narrow(i8::try_from(v).ok().map(Value::Int8)),
                    Type::Int16 => narrow(i16::try_from(v).ok().map(Value::Int16)),
                    Type::Int32 => narrow(i32::try_from(v).ok().map(Value::Int32)),
                    _ => Ok(Value::Int64(v)),
                }
            }
            Leaf::Date => {
                let days = text
                    .parse::<i32>()
                    .map_err(|_| out_of_range(text, "Date"))?;
                Ok(Value::Date(days))
            }
            Leaf::Time => {
                let millis = text
                    .parse::<i64>()
                    .map_err(|_| out_of_range(text, "Time"))?;
                Ok(Value::Time(logical::check_time(millis)?))
            }
            Leaf::Timestamp => {
                let millis = text
                    .parse::<i64>()
                    .map_err(|_| out_of_range(text, "Timestamp"))?;
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
