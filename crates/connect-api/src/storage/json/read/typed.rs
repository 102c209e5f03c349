//! Values with a schema: [`ValueSeed`] walks the schema alongside serde_json, so no JSON tree
//! is built. Structs take their members in any order and ignore unknown ones; maps with string
//! keys are objects, other maps arrays of `[key, value]` pairs.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::leaf::{BASE64, Leaf};
use super::{KeySeed, ReadCtx};
use crate::data::{Schema, Struct, Type, Value};
use crate::error::DataError;
use crate::storage::json::dedupe::dedupe_entries;
use crate::storage::json::trail::Seg;

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
                .map_err(|e| {
                    self.ctx
                        .fail(DataError::new(format!("Invalid bytes field: {e}")))
                }),
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
        self.ctx
            .null_value(self.schema)
            .map_err(|e| self.ctx.fail(e))
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
                ctx.trail
                    .at(Seg::Field(field.name().to_owned().into()), err)
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
