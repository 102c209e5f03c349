//! The `{"schema":…,"payload":…}` envelope.
//!
//! The schema is borrowed as raw text, the key of the schema cache. When it comes first, as
//! Kafka writes it, the payload is parsed in place with it; otherwise the payload is kept as raw
//! text and parsed once the schema is known.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{ENVELOPE_ERROR, KeySeed, ReadCtx, SchemaLookup, ValueSeed};
use crate::data::{Schema, Value};
use crate::error::DataError;

pub(super) enum Payload<'de> {
    Parsed(Value),
    Raw(&'de RawValue),
}

pub(super) struct Envelope<'de> {
    pub(super) schema: Option<Schema>,
    pub(super) payload: Payload<'de>,
}

pub(super) struct EnvelopeSeed<'a> {
    pub(super) lookup: SchemaLookup<'a>,
    pub(super) ctx: &'a ReadCtx<'a>,
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
