//! [`AvroSchema`]: an Avro schema as Confluent writes it, together with apache-avro's parsed
//! form.
//!
//! apache-avro's `Schema` keeps no custom properties on primitive and logical types, so it
//! cannot carry `{"type": "int", "connect.type": "int8"}` or the `connect.name` of a Date. The
//! JSON text is therefore the source of truth: it is what goes into container file headers and
//! the Schema Registry, and what [`crate::AvroData::to_connect_schema`] reads; the parsed schema
//! is what values are encoded and decoded with.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use apache_avro::Schema as ApacheSchema;
use connect_api::data::Schema;

use crate::decode::AvroDecoder;
use crate::encode::AvroEncoder;
use crate::error::AvroDataError;

/// An Avro schema: its JSON text (with every property), the same JSON parsed, and apache-avro's
/// parsed schema for encoding and decoding values.
///
/// ```
/// use connect_avro::AvroSchema;
/// let schema = AvroSchema::parse_str(r#"{"type": "int", "connect.type": "int16"}"#)?;
/// assert_eq!(schema.schema(), &apache_avro::Schema::Int);
/// assert_eq!(schema.json()["connect.type"], "int16");
/// # Ok::<(), connect_avro::AvroDataError>(())
/// ```
#[derive(Clone)]
pub struct AvroSchema {
    text: String,
    json: serde_json::Value,
    schema: ApacheSchema,
    named: HashMap<String, ApacheSchema>,
    /// The encoder for the first Connect schema one was asked for.
    encoder: OnceLock<Arc<AvroEncoder>>,
    /// The decoder for the first Connect schema one was asked for.
    decoder: OnceLock<Arc<AvroDecoder>>,
}

impl AvroSchema {
    /// Parses schema text, e.g. from a container file header or the Schema Registry.
    pub fn parse_str(text: &str) -> Result<Self, AvroDataError> {
        let json: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| AvroDataError::InvalidAvroSchema(format!("not JSON: {e}")))?;
        Self::build(text.to_string(), json)
    }

    /// Wraps a schema built with apache-avro; it has no properties on primitive types.
    pub fn from_apache(schema: &ApacheSchema) -> Result<Self, AvroDataError> {
        let json = serde_json::to_value(schema)
            .map_err(|e| AvroDataError::InvalidAvroSchema(e.to_string()))?;
        Self::build(json.to_string(), json)
    }

    pub(crate) fn build(text: String, json: serde_json::Value) -> Result<Self, AvroDataError> {
        let schema = ApacheSchema::parse(&json)
            .map_err(|e| AvroDataError::InvalidAvroSchema(format!("{e}: {text}")))?;
        let mut named = HashMap::new();
        collect_named(&schema, &mut named);
        Ok(Self {
            text,
            json,
            schema,
            named,
            encoder: OnceLock::new(),
            decoder: OnceLock::new(),
        })
    }

    /// The JSON text, with properties in the order Confluent's AvroData writes them.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The JSON, parsed; this is what carries the `connect.*` properties.
    pub fn json(&self) -> &serde_json::Value {
        &self.json
    }

    /// apache-avro's form, to encode and decode values with.
    pub fn schema(&self) -> &ApacheSchema {
        &self.schema
    }

    /// The encoder of values of the Connect schema `schema` into this Avro schema (which must
    /// have the shape [`crate::AvroData::from_connect_schema`] gives `schema`). The first one
    /// built is kept here and returned again for the very same `schema` (the same `Arc`);
    /// other schemas get a new encoder each call, so keep the result when encoding many values.
    pub fn encoder(&self, schema: &Schema) -> Result<Arc<AvroEncoder>, AvroDataError> {
        if let Some(cached) = self.encoder.get()
            && cached.schema().ptr_eq(schema)
        {
            return Ok(cached.clone());
        }
        let built = Arc::new(AvroEncoder::new(schema, self)?);
        // Only the first one is kept; a lost race or another schema just uses its own.
        let _ = self.encoder.set(built.clone());
        Ok(built)
    }

    /// The decoder of data written with this schema into values of the Connect schema `schema`
    /// (which must be the one [`crate::AvroData::to_connect_schema`] gives this schema, up to
    /// versions, docs and parameters). The first one built is kept here and returned again for
    /// the very same `schema` (the same `Arc`); other schemas get a new decoder each call, so
    /// keep the result when decoding many values.
    pub fn decoder(&self, schema: &Schema) -> Result<Arc<AvroDecoder>, AvroDataError> {
        if let Some(cached) = self.decoder.get()
            && cached.schema().ptr_eq(schema)
        {
            return Ok(cached.clone());
        }
        let built = Arc::new(AvroDecoder::new(schema, self)?);
        // Only the first one is kept; a lost race or another schema just uses its own.
        let _ = self.decoder.set(built.clone());
        Ok(built)
    }

    /// Follows a reference to a named type defined elsewhere in this schema.
    pub(crate) fn resolve<'a>(&'a self, schema: &'a ApacheSchema) -> &'a ApacheSchema {
        match schema {
            ApacheSchema::Ref { name } => self.named.get(&name.fullname(None)).unwrap_or(schema),
            other => other,
        }
    }
}

fn collect_named(schema: &ApacheSchema, out: &mut HashMap<String, ApacheSchema>) {
    match schema {
        ApacheSchema::Record(r) => {
            out.insert(r.name.fullname(None), schema.clone());
            for field in &r.fields {
                collect_named(&field.schema, out);
            }
        }
        ApacheSchema::Enum(e) => {
            out.insert(e.name.fullname(None), schema.clone());
        }
        ApacheSchema::Fixed(f) => {
            out.insert(f.name.fullname(None), schema.clone());
        }
        ApacheSchema::Decimal(d) => {
            if let apache_avro::schema::InnerDecimalSchema::Fixed(f) = &d.inner {
                out.insert(f.name.fullname(None), ApacheSchema::Fixed(f.clone()));
            }
        }
        ApacheSchema::Array(a) => collect_named(&a.items, out),
        ApacheSchema::Map(m) => collect_named(&m.types, out),
        ApacheSchema::Union(u) => {
            for variant in u.variants() {
                collect_named(variant, out);
            }
        }
        _ => {}
    }
}

impl fmt::Debug for AvroSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AvroSchema").field(&self.text).finish()
    }
}

impl fmt::Display for AvroSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Two schemas are equal when their JSON is (property order aside).
impl PartialEq for AvroSchema {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json
    }
}

/// JSON whose objects keep their insertion order, so that generated schema text has the
/// property order of Java's Avro library.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Str(String),
    Value(serde_json::Value),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    pub(crate) fn obj_type(ty: &str) -> Vec<(String, Json)> {
        vec![("type".to_string(), Json::str(ty))]
    }

    pub(crate) fn write(&self, out: &mut String) {
        match self {
            Json::Str(s) => write_string(s, out),
            Json::Value(v) => out.push_str(&v.to_string()),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    pub(crate) fn to_value(&self) -> serde_json::Value {
        match self {
            Json::Str(s) => serde_json::Value::String(s.clone()),
            Json::Value(v) => v.clone(),
            Json::Arr(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_value).collect())
            }
            Json::Obj(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push_str(&serde_json::Value::String(s.to_string()).to_string());
}

/// Avro types that hold a `long` and stand for a Connect INT64, both when encoding and when
/// decoding.
pub(crate) fn is_long(avro: &ApacheSchema) -> bool {
    matches!(
        avro,
        ApacheSchema::Long
            | ApacheSchema::TimestampMillis
            | ApacheSchema::TimestampMicros
            | ApacheSchema::TimestampNanos
            | ApacheSchema::LocalTimestampMillis
            | ApacheSchema::LocalTimestampMicros
            | ApacheSchema::LocalTimestampNanos
            | ApacheSchema::TimeMicros
    )
}
