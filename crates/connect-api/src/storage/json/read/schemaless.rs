//! Values without a schema, read as Kafka does: integral numbers become INT64 (an error when out
//! of range, rather than truncation), other numbers FLOAT64, objects maps with string keys (in
//! document order, repeated keys keeping the last value) and arrays lists.
//!
//! serde_json reports `-0`, integers beyond 64 bits and every fraction as an `f64` (not always
//! correctly rounded), so for those the number's own text is looked up: serde_json visits numbers
//! in document order, and [`lexical::number_tokens`] lists them in the same order.

use std::cell::{Cell, OnceCell};
use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{ReadCtx, check_number_len, lexical, out_of_range};
use crate::data::Value;
use crate::error::DataError;
use crate::storage::json::dedupe::dedupe_entries;
use crate::storage::json::trail::{Seg, Trail};

/// The text of a schemaless payload, to look up the exact tokens of numbers serde_json
/// reports as floats (see [`lexical`]).
pub(super) struct NumberSource<'t> {
    text: &'t [u8],
    seen: Cell<usize>,
    tokens: OnceCell<Vec<Range<usize>>>,
}

impl<'t> ReadCtx<'t> {
    pub(super) fn schemaless(trail: Trail, text: &'t [u8]) -> Self {
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

/// Reads any JSON value the way Kafka does without a schema.
pub(super) struct AnySeed<'a> {
    pub(super) ctx: &'a ReadCtx<'a>,
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
