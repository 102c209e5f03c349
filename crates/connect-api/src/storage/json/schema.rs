//! Connect schema ⇄ JSON schema, as Kafka's `JsonConverter.asJsonSchema` / `asConnectSchema`.
//!
//! Writing: the key order is Kafka's, because the bytes must match: `type`, then `items` (array),
//! `keys` and `values` (map) or `fields` (struct), then `optional`, `name`, `version`, `doc`,
//! `parameters` and `default`. Each struct field is the field's schema followed by
//! `"field":"<name>"`.
//!
//! Reading: the schema text is parsed into a small ordered tree (parameters keep their order),
//! whose `default` members stay raw JSON so they can be read exactly once the schema they belong
//! to is known. Missing `optional` means required; unknown members are ignored, as in Kafka.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::format::JavaFormatter;
use super::read::{self, ReadCtx};
use super::trail::{Seg, Trail, locate};
use super::write::{ValueView, WriteCtx};
use crate::data::{Schema, SchemaBuilder, Type};
use crate::error::DataError;

/// The type name Kafka's JSON schemas use for a Connect type (`float`/`double` for the floats).
pub(crate) fn json_type_name(ty: Type) -> &'static str {
    match ty {
        Type::Float32 => "float",
        Type::Float64 => "double",
        other => other.name(),
    }
}

/// The Connect type for a JSON schema type name.
fn connect_type(name: &str) -> Option<Type> {
    Some(match name {
        "boolean" => Type::Boolean,
        "int8" => Type::Int8,
        "int16" => Type::Int16,
        "int32" => Type::Int32,
        "int64" => Type::Int64,
        "float" => Type::Float32,
        "double" => Type::Float64,
        "bytes" => Type::Bytes,
        "string" => Type::String,
        "array" => Type::Array,
        "map" => Type::Map,
        "struct" => Type::Struct,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Connect → JSON

/// Writes the JSON schema of `schema`.
pub(crate) fn write_json_schema(schema: &Schema, ctx: &WriteCtx) -> Result<Vec<u8>, DataError> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, JavaFormatter);
    let view = SchemaView {
        schema,
        field_name: None,
        ctx,
        depth: 1,
    };
    view.serialize(&mut ser).map_err(|e| ctx.finish(&e))?;
    Ok(out)
}

/// A schema serialized as Kafka's JSON schema; with `field_name`, as a struct field entry.
struct SchemaView<'a> {
    schema: &'a Schema,
    field_name: Option<&'a str>,
    ctx: &'a WriteCtx,
    /// JSON containers entered so far, this object included.
    depth: usize,
}

impl<'a> SchemaView<'a> {
    fn child(&self, schema: &'a Schema, depth: usize) -> SchemaView<'a> {
        SchemaView {
            schema,
            field_name: None,
            ctx: self.ctx,
            depth,
        }
    }
}

impl Serialize for SchemaView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (schema, ctx, trail) = (self.schema, self.ctx, &self.ctx.trail);
        ctx.check_depth(self.depth)?;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("type", json_type_name(schema.type_()))?;
        match schema.type_() {
            Type::Array => {
                let items = schema
                    .value_schema()
                    .ok_or_else(|| ctx.fail(DataError::new("Array schema has no value schema")))?;
                map.serialize_entry("items", &self.child(items, self.depth + 1))
                    .map_err(|e| trail.at(Seg::Field("items".into()), e))?;
            }
            Type::Map => {
                let (Some(keys), Some(values)) = (schema.key_schema(), schema.value_schema())
                else {
                    return Err(ctx.fail(DataError::new("Map schema has no key or value schema")));
                };
                map.serialize_entry("keys", &self.child(keys, self.depth + 1))
                    .map_err(|e| trail.at(Seg::Field("keys".into()), e))?;
                map.serialize_entry("values", &self.child(values, self.depth + 1))
                    .map_err(|e| trail.at(Seg::Field("values".into()), e))?;
            }
            Type::Struct => {
                map.serialize_entry("fields", &FieldsView { parent: self })
                    .map_err(|e| trail.at(Seg::Field("fields".into()), e))?;
            }
            _ => {}
        }
        map.serialize_entry("optional", &schema.is_optional())?;
        if let Some(name) = schema.name() {
            map.serialize_entry("name", name)?;
        }
        if let Some(version) = schema.version() {
            map.serialize_entry("version", &version)?;
        }
        if let Some(doc) = schema.doc() {
            map.serialize_entry("doc", doc)?;
        }
        if let Some(parameters) = schema.parameters() {
            map.serialize_entry("parameters", &ParametersView(parameters))?;
        }
        if let Some(default) = schema.default_value() {
            let view = ValueView {
                schema: Some(schema),
                value: default,
                ctx,
                depth: self.depth,
            };
            map.serialize_entry("default", &view)
                .map_err(|e| trail.at(Seg::Field("default".into()), e))?;
        }
        if let Some(field) = self.field_name {
            map.serialize_entry("field", field)?;
        }
        map.end()
    }
}

/// Schema parameters, in insertion order.
struct ParametersView<'a>(&'a indexmap::IndexMap<String, String>);

impl Serialize for ParametersView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The `fields` array of a struct schema.
struct FieldsView<'a> {
    parent: &'a SchemaView<'a>,
}

impl Serialize for FieldsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let parent = self.parent;
        let fields = parent.schema.fields();
        let mut seq = s.serialize_seq(Some(fields.len()))?;
        for (i, field) in fields.iter().enumerate() {
            let mut view = parent.child(field.schema(), parent.depth + 2);
            view.field_name = Some(field.name());
            seq.serialize_element(&view)
                .map_err(|e| parent.ctx.trail.at(Seg::Index(i), e))?;
        }
        seq.end()
    }
}

// ---------------------------------------------------------------------------------------------
// JSON → Connect

/// A parsed JSON schema document: an ordered tree whose `default` members are kept raw.
#[derive(Debug)]
enum Node<'a> {
    Null,
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// Any other number.
    Number,
    Str(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
    /// The raw JSON of a `default` member.
    Raw(&'a RawValue),
}

impl<'a> Node<'a> {
    /// The last member called `key` (Jackson keeps the last of duplicate members).
    fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string node, or of a raw member holding a JSON string.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Node::Str(s) => Some(Cow::Borrowed(s)),
            Node::Raw(raw) => serde_json::from_str::<String>(raw.get())
                .ok()
                .map(Cow::Owned),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(i64::try_from(v).map_or(Node::Number, Node::Int))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Node<'de>, E> {
        Ok(Node::Number)
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key_seed(read::KeySeed)? {
            let value = if key == "default" {
                Node::Raw(map.next_value::<&'de RawValue>()?)
            } else {
                map.next_value()?
            };
            members.push((key, value));
        }
        Ok(Node::Object(members))
    }
}

/// Parses a JSON schema; `null` gives `None`.
pub(crate) fn read_json_schema(
    text: &str,
    replace_null_with_default: bool,
) -> Result<Option<Schema>, DataError> {
    let node: Node<'_> = serde_json::from_str(text)
        .map_err(|e| DataError::new(format!("Invalid JSON schema: {e}")))?;
    if matches!(node, Node::Null) {
        return Ok(None);
    }
    let mut path = Vec::new();
    to_connect_schema(&node, &mut path, replace_null_with_default).map(Some)
}

fn schema_error(path: &[Seg], message: impl Into<String>) -> DataError {
    locate(DataError::new(message), "schema", path)
}

/// Runs `f` with `seg` appended to `path`.
fn nested<T>(path: &mut Vec<Seg>, seg: Seg, f: impl FnOnce(&mut Vec<Seg>) -> T) -> T {
    path.push(seg);
    let out = f(path);
    path.pop();
    out
}

fn to_connect_schema(
    node: &Node<'_>,
    path: &mut Vec<Seg>,
    replace_null_with_default: bool,
) -> Result<Schema, DataError> {
    let type_name = match node.get("type") {
        Some(Node::Str(t)) => t,
        _ => return Err(schema_error(path, "Schema must contain 'type' field")),
    };
    let Some(ty) = connect_type(type_name) else {
        return Err(schema_error(
            path,
            format!("Unknown schema type: {type_name}"),
        ));
    };
    let mut builder = match ty {
        Type::Array => {
            let items = match node.get("items") {
                None | Some(Node::Null) => {
                    return Err(schema_error(
                        path,
                        "Array schema did not specify the element type",
                    ));
                }
                Some(items) => items,
            };
            let items = nested(path, Seg::Field("items".into()), |p| {
                to_connect_schema(items, p, replace_null_with_default)
            })?;
            SchemaBuilder::array(items)
        }
        Type::Map => {
            let mut part = |name: &'static str, what: &str| match node.get(name) {
                None | Some(Node::Null) => Err(schema_error(
                    path,
                    format!("Map schema did not specify the {what} type"),
                )),
                Some(part) => nested(path, Seg::Field(name.into()), |p| {
                    to_connect_schema(part, p, replace_null_with_default)
                }),
            };
            let keys = part("keys", "key")?;
            let values = part("values", "value")?;
            SchemaBuilder::map(keys, values)
        }
        Type::Struct => {
            let Some(Node::Array(fields)) = node.get("fields") else {
                return Err(schema_error(
                    path,
                    "Struct schema's \"fields\" argument is not an array.",
                ));
            };
            let mut builder = SchemaBuilder::struct_();
            for (i, field) in fields.iter().enumerate() {
                path.push(Seg::Field("fields".into()));
                path.push(Seg::Index(i));
                let result = match field.get("field") {
                    Some(Node::Str(name)) => {
                        to_connect_schema(field, path, replace_null_with_default)
                            .map(|schema| (name.to_string(), schema))
                    }
                    _ => Err(schema_error(
                        path,
                        "Struct schema's field name not specified properly",
                    )),
                };
                path.truncate(path.len() - 2);
                let (name, schema) = result?;
                builder = builder.field(name, schema);
            }
            builder
        }
        primitive => SchemaBuilder::new(primitive),
    };

    let optional = matches!(node.get("optional"), Some(Node::Bool(true)));
    if let Some(Node::Str(name)) = node.get("name") {
        builder = builder.name(name.as_ref());
    }
    // Kafka ignores a version that is not an integral number.
    if let Some(Node::Int(v)) = node.get("version") {
        let version = i32::try_from(*v).map_err(|_| {
            schema_error(
                path,
                format!("Schema version {v} does not fit in a 32-bit integer"),
            )
        })?;
        builder = builder.version(version);
    }
    if let Some(Node::Str(doc)) = node.get("doc") {
        builder = builder.doc(doc.as_ref());
    }
    if let Some(Node::Object(params)) = node.get("parameters") {
        for (key, value) in params {
            let Some(text) = value.text() else {
                return nested(path, Seg::Field("parameters".into()), |p| {
                    Err(schema_error(
                        p,
                        "Schema parameters must have string values.",
                    ))
                });
            };
            builder = builder.parameter(key.as_ref(), text);
        }
    }
    if let Some(Node::Raw(default)) = node.get("default") {
        path.push(Seg::Field("default".into()));
        let result = read_default(
            &builder,
            optional,
            default.get(),
            path,
            replace_null_with_default,
        );
        path.pop();
        if let Some(value) = result? {
            builder = builder.default_value(value);
        }
    }
    builder = if optional {
        builder.optional()
    } else {
        builder.required()
    };
    builder
        .build()
        .map_err(|e| locate(e, "schema", path.iter()))
}

/// Reads a schema's `default` with the schema being built. Like Kafka, a null default of an
/// optional schema means no default.
fn read_default(
    builder: &SchemaBuilder,
    optional: bool,
    raw: &str,
    path: &[Seg],
    replace_null_with_default: bool,
) -> Result<Option<crate::data::Value>, DataError> {
    // The default is checked against the required, default-less form of the schema, which is
    // also the schema a struct default must carry.
    let base = builder
        .clone()
        .build()
        .map_err(|e| locate(e, "schema", path.iter()))?;
    if raw == "null" {
        if optional {
            return Ok(None);
        }
        return Err(schema_error(
            path,
            format!("Invalid null value for required {} field", base.type_()),
        ));
    }
    let ctx = ReadCtx::new(
        replace_null_with_default,
        Trail::with_prefix("schema", path.to_vec()),
    );
    let mut de = serde_json::Deserializer::from_str(raw);
    let seed = read::ValueSeed {
        schema: &base,
        ctx: &ctx,
    };
    match seed.deserialize(&mut de) {
        Ok(value) => Ok(Some(value)),
        Err(e) => Err(ctx
            .trail
            .take()
            .unwrap_or_else(|| schema_error(path, format!("Invalid default value: {e}")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::logical;
    use crate::storage::json::config::DecimalFormat;

    fn to_json(schema: &Schema) -> String {
        let ctx = WriteCtx::new(DecimalFormat::Base64, true, "schema");
        String::from_utf8(write_json_schema(schema, &ctx).unwrap()).unwrap()
    }

    #[test]
    fn key_order_matches_kafka() {
        let schema = SchemaBuilder::struct_()
            .name("com.example.R")
            .version(2)
            .doc("d")
            .parameter("k", "v")
            .field(
                "a",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(7)
                    .build()
                    .unwrap(),
            )
            .field(
                "m",
                SchemaBuilder::map(
                    Schema::string(),
                    SchemaBuilder::array(Schema::float64()).build().unwrap(),
                )
                .build()
                .unwrap(),
            )
            .field("d", logical::decimal_schema(2))
            .build()
            .unwrap();
        assert_eq!(
            to_json(&schema),
            concat!(
                r#"{"type":"struct","fields":["#,
                r#"{"type":"int32","optional":true,"default":7,"field":"a"},"#,
                r#"{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"array","items":{"type":"double","optional":false},"optional":false},"optional":false,"field":"m"},"#,
                r#"{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"d"}"#,
                r#"],"optional":false,"name":"com.example.R","version":2,"doc":"d","parameters":{"k":"v"}}"#
            )
        );
    }

    #[test]
    fn reads_back_what_it_writes() {
        let schema = SchemaBuilder::struct_()
            .field(
                "f",
                SchemaBuilder::float32()
                    .optional()
                    .parameter("b", "2")
                    .parameter("a", "1")
                    .build()
                    .unwrap(),
            )
            .field(
                "t",
                logical::timestamp_builder()
                    .optional()
                    .default_value(crate::data::Value::Timestamp(5))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let text = to_json(&schema);
        let back = read_json_schema(&text, true).unwrap().unwrap();
        assert_eq!(back, schema);
        // Parameter order is kept.
        let params: Vec<_> = back.fields()[0]
            .schema()
            .parameters()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(params, ["b", "a"]);
    }

    #[test]
    fn schema_errors() {
        let cases = [
            (r#"{"optional":true}"#, "Schema must contain 'type' field"),
            (r#"5"#, "Schema must contain 'type' field"),
            (r#"{"type":"x"}"#, "Unknown schema type: x"),
            (
                r#"{"type":"array"}"#,
                "Array schema did not specify the element type",
            ),
            (
                r#"{"type":"map","values":{"type":"int8"}}"#,
                "Map schema did not specify the key type",
            ),
            (
                r#"{"type":"map","keys":{"type":"int8"}}"#,
                "Map schema did not specify the value type",
            ),
            (
                r#"{"type":"struct"}"#,
                "Struct schema's \"fields\" argument is not an array.",
            ),
            (
                r#"{"type":"struct","fields":[{"type":"int8"}]}"#,
                "schema at $.fields[0]: Struct schema's field name not specified properly",
            ),
            (
                r#"{"type":"struct","fields":[{"type":"array","items":{"type":"nope"},"field":"a"}]}"#,
                "schema at $.fields[0].items: Unknown schema type: nope",
            ),
            (
                r#"{"type":"int8","parameters":{"a":1}}"#,
                "schema at $.parameters: Schema parameters must have string values.",
            ),
            (
                r#"{"type":"int8","default":"x"}"#,
                "schema at $.default: INT8 values should be encoded as JSON integers, but found STRING",
            ),
            (
                r#"{"type":"int8","default":null}"#,
                "schema at $.default: Invalid null value for required INT8 field",
            ),
        ];
        for (text, want) in cases {
            let err = read_json_schema(text, true).unwrap_err();
            assert_eq!(err.to_string(), want, "{text}");
        }
        let optional_null_default =
            read_json_schema(r#"{"type":"int8","optional":true,"default":null}"#, true).unwrap();
        assert_eq!(optional_null_default, Some(Schema::optional_int8()));
    }
}
