//! Avro → Connect: schemas (read from the Avro JSON, where the `connect.*` properties live,
//! as Confluent's `AvroData.toConnectSchema` does) and values.

use std::collections::{HashMap, HashSet};

use apache_avro::types::Value as AvroValue;
use bigdecimal::BigDecimal;
use connect_api::data::logical::{self, LogicalType};
use connect_api::data::{Schema, SchemaBuilder, Struct, Type, Value};
use serde_json::Value as J;

use crate::config::AvroDataConfig;
use crate::error::AvroDataError;
use crate::from_connect::is_enum_schema;
use crate::names::{full_name, scrub_name, split_name};
use crate::*;

static EMPTY: std::sync::LazyLock<serde_json::Map<String, J>> =
    std::sync::LazyLock::new(serde_json::Map::new);

fn err(message: impl Into<String>) -> AvroDataError {
    AvroDataError::to_connect_schema(message)
}

fn build(builder: SchemaBuilder) -> Result<Schema, AvroDataError> {
    builder.build().map_err(|e| err(e.to_string()))
}

/// The state of one `toConnectSchema` call: named types seen so far and the ones being
/// converted (a record that contains itself has no Connect form).
pub(crate) struct SchemaReader<'c, 'j> {
    config: &'c AvroDataConfig,
    named: HashMap<String, (&'j J, Option<String>)>,
    in_progress: HashSet<String>,
    version: Option<i32>,
}

/// What the caller of one conversion knows that the type itself does not.
#[derive(Clone, Copy, Default)]
struct Context<'j, 'a> {
    namespace: Option<&'a str>,
    force_optional: bool,
    field_default: Option<&'j J>,
}

impl<'c, 'j> SchemaReader<'c, 'j> {
    pub(crate) fn new(config: &'c AvroDataConfig, version: Option<i32>) -> Self {
        Self {
            config,
            named: HashMap::new(),
            in_progress: HashSet::new(),
            version,
        }
    }

    pub(crate) fn read(mut self, json: &'j J) -> Result<Schema, AvroDataError> {
        let version = self.version;
        self.convert(json, Context::default(), version)
    }

    fn convert(
        &mut self,
        json: &'j J,
        ctx: Context<'j, '_>,
        version: Option<i32>,
    ) -> Result<Schema, AvroDataError> {
        match json {
            J::String(name) => match name.as_str() {
                "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string" => {
                    self.convert_object(json, name, &EMPTY, ctx, version)
                }
                reference => {
                    let full = if reference.contains('.') {
                        reference.to_string()
                    } else {
                        full_name(ctx.namespace, reference)
                    };
                    let Some(&(definition, ref ns)) = self.named.get(&full) else {
                        return Err(err(format!("Unknown Avro type {reference:?}")));
                    };
                    if self.in_progress.contains(&full) {
                        return Err(err(format!(
                            "Recursive Avro type {full} has no Connect equivalent"
                        )));
                    }
                    let ns = ns.clone();
                    let inner = Context {
                        namespace: ns.as_deref(),
                        ..ctx
                    };
                    self.convert_definition(definition, inner, version)
                }
            },
            J::Array(members) => self.convert_union(members, ctx),
            J::Object(object) => match object.get("type") {
                Some(J::String(ty)) => self.convert_object(json, ty, object, ctx, version),
                Some(nested @ (J::Object(_) | J::Array(_))) => self.convert(nested, ctx, version),
                _ => Err(err(format!("Avro schema has no valid type: {json}"))),
            },
            other => Err(err(format!("Not an Avro schema: {other}"))),
        }
    }

    /// Converts a named type's definition again (a reference to it).
    fn convert_definition(
        &mut self,
        definition: &'j J,
        ctx: Context<'j, '_>,
        version: Option<i32>,
    ) -> Result<Schema, AvroDataError> {
        match definition {
            J::Object(object) => match object.get("type") {
                Some(J::String(ty)) => self.convert_object(definition, ty, object, ctx, version),
                _ => Err(err("Invalid named type definition")),
            },
            _ => Err(err("Invalid named type definition")),
        }
    }

    fn convert_union(
        &mut self,
        members: &'j [J],
        ctx: Context<'j, '_>,
    ) -> Result<Schema, AvroDataError> {
        let is_null = |m: &J| m.as_str() == Some("null");
        if members.len() == 2
            && members.iter().any(is_null)
            && let Some(member) = members.iter().find(|m| !is_null(m))
        {
            let inner = Context {
                force_optional: true,
                field_default: None,
                ..ctx
            };
            return self.convert(member, inner, None);
        }
        let mut builder = SchemaBuilder::struct_().name(AVRO_TYPE_UNION);
        let mut names = HashSet::new();
        let mut optional = false;
        for member in members {
            if is_null(member) {
                optional = true;
                continue;
            }
            let field_name = self.union_member_name(member, ctx.namespace)?;
            if !names.insert(field_name.clone()) {
                return Err(err(format!(
                    "Multiple union schemas map to the Connect union field name {field_name}"
                )));
            }
            let inner = Context {
                force_optional: true,
                field_default: None,
                ..ctx
            };
            let schema = self
                .convert(member, inner, None)
                .map_err(|e| e.within(&field_name))?;
            builder = builder.field(field_name, schema);
        }
        if optional || ctx.force_optional {
            builder = builder.optional();
        }
        build(builder)
    }

    /// Confluent's name for the Connect field of a union member.
    fn union_member_name(
        &self,
        member: &J,
        namespace: Option<&str>,
    ) -> Result<String, AvroDataError> {
        let (ty, object) = match member {
            J::String(s) => (s.as_str(), None),
            J::Object(o) => (
                o.get("type").and_then(J::as_str).unwrap_or_default(),
                Some(o),
            ),
            _ => return Err(err(format!("Invalid union member {member}"))),
        };
        let full = match (ty, object) {
            ("record" | "enum" | "fixed", Some(o)) => Some(definition_name(o, namespace).0),
            (
                "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string"
                | "array" | "map",
                _,
            ) => None,
            (reference, None) => Some(if reference.contains('.') {
                reference.to_string()
            } else {
                full_name(namespace, reference)
            }),
            (primitive, Some(_)) => return Ok(primitive.to_string()),
        };
        Ok(match full {
            Some(full) if self.config.enhanced_avro_schema_support => full,
            Some(full) => split_name(&full, false).1,
            None => ty.to_string(),
        })
    }

    fn convert_object(
        &mut self,
        json: &'j J,
        ty: &str,
        object: &'j serde_json::Map<String, J>,
        ctx: Context<'j, '_>,
        version: Option<i32>,
    ) -> Result<Schema, AvroDataError> {
        let meta = self.config.connect_meta_data;
        let connect_type = object.get(CONNECT_TYPE_PROP).and_then(J::as_str);
        let logical_type = object.get(AVRO_LOGICAL_TYPE_PROP).and_then(J::as_str);
        let is = |expected: &str| logical_type.is_some_and(|l| l.eq_ignore_ascii_case(expected));
        // Version and name that a logical builder already carries.
        let mut preset_version = None;
        let mut preset_name: Option<&str> = None;
        let mut own_name: Option<String> = None;
        let mut builder = match ty {
            "boolean" => SchemaBuilder::boolean(),
            "bytes" | "fixed" => {
                if ty == "fixed" {
                    let (full, ns) = definition_name(object, ctx.namespace);
                    self.named.insert(full.clone(), (json, ns));
                    own_name = Some(full);
                }
                if is(AVRO_LOGICAL_DECIMAL) {
                    let scale = object
                        .get(AVRO_LOGICAL_DECIMAL_SCALE_PROP)
                        .and_then(J::as_i64)
                        .ok_or_else(|| err("scale must be specified and must be a number."))?;
                    let scale =
                        i32::try_from(scale).map_err(|_| err("Decimal scale out of range"))?;
                    preset_version = Some(1);
                    preset_name = Some(logical::DECIMAL_NAME);
                    let mut b = logical::decimal_builder(scale);
                    if let Some(precision) = object.get(AVRO_LOGICAL_DECIMAL_PRECISION_PROP) {
                        let precision = precision.as_i64().ok_or_else(|| {
                            err("precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal")
                        })?;
                        if precision != CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT {
                            b = b.parameter(
                                CONNECT_AVRO_DECIMAL_PRECISION_PROP,
                                precision.to_string(),
                            );
                        }
                    }
                    b
                } else {
                    let mut b = SchemaBuilder::bytes();
                    if ty == "fixed" {
                        let size = object
                            .get("size")
                            .and_then(J::as_u64)
                            .ok_or_else(|| err("Fixed type has no size"))?;
                        b = b.parameter(CONNECT_AVRO_FIXED_SIZE_PROP, size.to_string());
                    }
                    b
                }
            }
            "double" => SchemaBuilder::float64(),
            "float" => SchemaBuilder::float32(),
            "int" => {
                if logical_type.is_some() {
                    if is(AVRO_LOGICAL_DATE) {
                        preset_version = Some(1);
                        preset_name = Some(logical::DATE_NAME);
                        logical::date_builder()
                    } else if is(AVRO_LOGICAL_TIME_MILLIS) {
                        preset_version = Some(1);
                        preset_name = Some(logical::TIME_NAME);
                        logical::time_builder()
                    } else {
                        SchemaBuilder::int32()
                    }
                } else {
                    match connect_type {
                        None => SchemaBuilder::int32(),
                        Some(CONNECT_TYPE_INT8) => SchemaBuilder::int8(),
                        Some(CONNECT_TYPE_INT16) => SchemaBuilder::int16(),
                        Some(other) => {
                            return Err(err(format!(
                                "Unknown Connect type annotation {other:?} for an Avro int"
                            )));
                        }
                    }
                }
            }
            "long" => {
                if is(AVRO_LOGICAL_TIMESTAMP_MILLIS) {
                    preset_version = Some(1);
                    preset_name = Some(logical::TIMESTAMP_NAME);
                    logical::timestamp_builder()
                } else {
                    SchemaBuilder::int64()
                }
            }
            "string" => SchemaBuilder::string(),
            "array" => {
                let items = object
                    .get("items")
                    .ok_or_else(|| err("Array type has no items"))?;
                match self.map_entry(items, ctx.namespace) {
                    Some((key, value, ns)) => {
                        let inner = Context {
                            namespace: ns.as_deref(),
                            ..Context::default()
                        };
                        let key = self
                            .convert(key, inner, None)
                            .map_err(|e| e.within("<key>"))?;
                        let value = self
                            .convert(value, inner, None)
                            .map_err(|e| e.within("<value>"))?;
                        SchemaBuilder::map(key, value)
                    }
                    None => {
                        let inner = Context {
                            namespace: ctx.namespace,
                            ..Context::default()
                        };
                        let items = self
                            .convert(items, inner, None)
                            .map_err(|e| e.within("[]"))?;
                        SchemaBuilder::array(items)
                    }
                }
            }
            "map" => {
                let values = object
                    .get("values")
                    .ok_or_else(|| err("Map type has no values"))?;
                let inner = Context {
                    namespace: ctx.namespace,
                    ..Context::default()
                };
                let values = self
                    .convert(values, inner, None)
                    .map_err(|e| e.within("<value>"))?;
                SchemaBuilder::map(Schema::string(), values)
            }
            "record" => {
                let (full, ns) = definition_name(object, ctx.namespace);
                self.named.insert(full.clone(), (json, ns.clone()));
                self.in_progress.insert(full.clone());
                let namespace_for_children = ns;
                let mut b = SchemaBuilder::struct_();
                if meta && let Some(doc) = object.get("doc").and_then(J::as_str) {
                    b = b.parameter(AVRO_RECORD_DOC_PROP, doc);
                }
                let fields = object
                    .get("fields")
                    .and_then(J::as_array)
                    .ok_or_else(|| err(format!("Record {full} has no fields")))?;
                for field in fields {
                    let name = field
                        .get("name")
                        .and_then(J::as_str)
                        .ok_or_else(|| err(format!("A field of record {full} has no name")))?;
                    let field_type = field
                        .get("type")
                        .ok_or_else(|| err("Field has no type").within(name))?;
                    if meta && let Some(doc) = field.get("doc").and_then(J::as_str) {
                        b = b.parameter(format!("{AVRO_FIELD_DOC_PREFIX_PROP}{name}"), doc);
                    }
                    let inner = Context {
                        namespace: namespace_for_children.as_deref(),
                        force_optional: false,
                        field_default: field.get("default"),
                    };
                    let schema = self
                        .convert(field_type, inner, None)
                        .map_err(|e| e.within(name))?;
                    b = b.field(name, schema);
                }
                self.in_progress.remove(&full);
                own_name = Some(full);
                b
            }
            "enum" => {
                let (full, ns) = definition_name(object, ctx.namespace);
                self.named.insert(full.clone(), (json, ns));
                let short = split_name(&full, false).1;
                let mut b = SchemaBuilder::string();
                if meta {
                    if let Some(doc) = object.get("doc").and_then(J::as_str) {
                        b = b.parameter(format!("{AVRO_ENUM_DOC_PREFIX_PROP}{short}"), doc);
                    }
                    if let Some(default) = object.get("default").and_then(J::as_str) {
                        b = b.parameter(format!("{AVRO_ENUM_DEFAULT_PREFIX_PROP}{short}"), default);
                    }
                }
                b = b.parameter(AVRO_TYPE_ENUM, full.clone());
                for symbol in object
                    .get("symbols")
                    .and_then(J::as_array)
                    .into_iter()
                    .flatten()
                {
                    let symbol = symbol
                        .as_str()
                        .ok_or_else(|| err("Enum symbols must be strings"))?;
                    b = b.parameter(format!("{AVRO_TYPE_ENUM}.{symbol}"), symbol);
                }
                own_name = Some(full);
                b
            }
            "null" => {
                return Err(err(
                    "Standalone null schemas are not supported by this converter",
                ));
            }
            other => {
                return Err(err(format!(
                    "Couldn't translate unsupported schema type {other}."
                )));
            }
        };

        if meta && let Some(doc) = object.get(CONNECT_DOC_PROP).and_then(J::as_str) {
            builder = builder.doc(doc);
        }
        let declared_version = match object.get(CONNECT_VERSION_PROP) {
            Some(v) => Some(
                v.as_i64()
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| err(format!("Invalid Connect version found: {v}")))?,
            ),
            None => version,
        };
        if let Some(v) = declared_version.filter(|v| *v >= 0) {
            match preset_version {
                Some(p) if p != v => {
                    return Err(err(format!(
                        "Mismatched versions: version already added to SchemaBuilder ({p}) differs from version in source schema ({v})"
                    )));
                }
                Some(_) => {}
                None => builder = builder.version(v),
            }
        }
        if meta && let Some(params) = object.get(CONNECT_PARAMETERS_PROP) {
            let params = params.as_object().ok_or_else(|| {
                err(format!(
                    "Expected JSON object for schema parameters but found: {params}"
                ))
            })?;
            for (key, value) in params {
                let value = value.as_str().ok_or_else(|| {
                    err(format!(
                        "Expected schema parameter values to be strings but found: {value}"
                    ))
                })?;
                builder = builder.parameter(key.clone(), value);
            }
        }
        for (key, value) in object {
            if key.starts_with(AVRO_PROP) {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                builder = builder.parameter(key.clone(), text);
            }
        }
        let connect_default = object.get(CONNECT_DEFAULT_VALUE_PROP);
        let default = match (ctx.field_default, connect_default) {
            (None, d) => d,
            (Some(d), None) => {
                if meta {
                    builder = builder.parameter(AVRO_FIELD_DEFAULT_FLAG_PROP, "true");
                }
                Some(d)
            }
            (Some(d), Some(_)) => Some(d),
        };
        let name = match object.get(CONNECT_NAME_PROP) {
            Some(J::String(n)) => Some(n.clone()),
            Some(other) => return Err(err(format!("Invalid schema name: {other}"))),
            None => own_name,
        };
        if let Some(name) = name.filter(|n| !n.starts_with(DEFAULT_SCHEMA_FULL_NAME)) {
            match preset_name {
                Some(p) if p != name => {
                    return Err(err(format!(
                        "Mismatched names: name already added to SchemaBuilder ({p}) differs from name in source schema ({name})"
                    )));
                }
                Some(_) => {}
                None => builder = builder.name(name),
            }
        }
        if ctx.force_optional {
            builder = builder.optional();
        }
        let schema = build(builder)?;
        let Some(default) = default.filter(|d| !d.is_null()) else {
            return Ok(schema);
        };
        // An unusable default is dropped, as Confluent does (it logs a warning).
        let Ok(value) = default_from_json(&schema, json_type(json, object), default) else {
            return Ok(schema);
        };
        Ok(SchemaBuilder::from_schema(&schema)
            .default_value(value)
            .build()
            .unwrap_or(schema))
    }

    /// The key and value types of Confluent's map-as-array-of-records encoding, when `items`
    /// is such a record.
    fn map_entry(
        &mut self,
        items: &'j J,
        namespace: Option<&str>,
    ) -> Option<(&'j J, &'j J, Option<String>)> {
        let (object, ns) = match items {
            J::Object(o) if o.get("type").and_then(J::as_str) == Some("record") => {
                let (_, ns) = definition_name(o, namespace);
                (o, ns)
            }
            J::String(reference) => {
                let full = if reference.contains('.') {
                    reference.clone()
                } else {
                    full_name(namespace, reference)
                };
                let (definition, ns) = self.named.get(&full)?;
                (definition.as_object()?, ns.clone())
            }
            _ => return None,
        };
        let (full, _) = definition_name(object, namespace);
        let is_entry = full == format!("{NAMESPACE}.{MAP_ENTRY_TYPE_NAME}")
            || object.get(CONNECT_INTERNAL_TYPE_NAME).and_then(J::as_str)
                == Some(MAP_ENTRY_TYPE_NAME);
        if !is_entry {
            return None;
        }
        let fields = object.get("fields")?.as_array()?;
        if fields.len() != 2 {
            return None;
        }
        let field = |name: &str| {
            fields
                .iter()
                .find(|f| f.get("name").and_then(J::as_str) == Some(name))
                .and_then(|f| f.get("type"))
        };
        let (key, value) = (field(KEY_FIELD)?, field(VALUE_FIELD)?);
        if let J::Object(_) = items {
            self.named.insert(full, (items, ns.clone()));
        }
        Some((key, value, ns))
    }
}

/// The full name and namespace of a named type's definition.
fn definition_name(
    object: &serde_json::Map<String, J>,
    enclosing: Option<&str>,
) -> (String, Option<String>) {
    let name = object.get("name").and_then(J::as_str).unwrap_or_default();
    if name.contains('.') {
        let (ns, _) = split_name(name, false);
        return (name.to_string(), ns);
    }
    let ns = match object.get("namespace").and_then(J::as_str) {
        Some("") => None,
        Some(ns) => Some(ns.to_string()),
        None => enclosing.map(str::to_string),
    };
    (full_name(ns.as_deref(), name), ns)
}

fn json_type<'j>(json: &'j J, object: &'j serde_json::Map<String, J>) -> &'j J {
    match object.get("type") {
        Some(t @ J::String(_)) => {
            if object.len() == 1 {
                t
            } else {
                json
            }
        }
        _ => json,
    }
}

/// A default value in Avro's JSON form, as a Connect value of `schema`
/// (Confluent's `defaultValueFromAvro`).
fn default_from_json(schema: &Schema, avro: &J, value: &J) -> Result<Value, AvroDataError> {
    let bad = || {
        err(format!(
            "Invalid default value {value} for {} schema",
            schema.type_()
        ))
    };
    if value.is_null() {
        return Ok(Value::Null);
    }
    let avro_type = match avro {
        J::String(s) => s.as_str(),
        J::Object(o) => o.get("type").and_then(J::as_str).unwrap_or_default(),
        J::Array(members) => {
            // A union default is for its first member.
            let first = members.first().ok_or_else(bad)?;
            if first.as_str() == Some("null") {
                return Ok(Value::Null);
            }
            if schema.name() == Some(AVRO_TYPE_UNION) {
                let field = schema.fields().first().ok_or_else(bad)?;
                let v = default_from_json(field.schema(), first, value)?;
                let mut s = Struct::new(schema.clone()).map_err(|e| err(e.to_string()))?;
                s.put(field.name(), v).map_err(|e| err(e.to_string()))?;
                return Ok(Value::Struct(s));
            }
            return default_from_json(schema, first, value);
        }
        _ => return Err(bad()),
    };
    let physical = match (schema.type_(), value) {
        (Type::Int8, J::Number(n)) => Value::Int8(
            n.as_i64()
                .and_then(|v| i8::try_from(v).ok())
                .ok_or_else(bad)?,
        ),
        (Type::Int16, J::Number(n)) => Value::Int16(
            n.as_i64()
                .and_then(|v| i16::try_from(v).ok())
                .ok_or_else(bad)?,
        ),
        (Type::Int32, J::Number(n)) => Value::Int32(
            n.as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(bad)?,
        ),
        (Type::Int64, J::Number(n)) => Value::Int64(n.as_i64().ok_or_else(bad)?),
        (Type::Float32, J::Number(n)) => Value::Float32(n.as_f64().ok_or_else(bad)? as f32),
        (Type::Float64, J::Number(n)) => Value::Float64(n.as_f64().ok_or_else(bad)?),
        (Type::Boolean, J::Bool(b)) => Value::Boolean(*b),
        (Type::String, J::String(s)) => Value::String(s.clone()),
        (Type::Bytes, J::String(s)) => {
            let bytes: Vec<u8> = s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).map_err(|_| bad()))
                .collect::<Result<_, _>>()?;
            Value::Bytes(bytes.into())
        }
        (Type::Array, J::Array(items)) => {
            let element = schema.value_schema().ok_or_else(bad)?;
            let item_type = match avro {
                J::Object(o) => o.get("items").ok_or_else(bad)?,
                _ => return Err(bad()),
            };
            Value::Array(
                items
                    .iter()
                    .map(|v| default_from_json(element, item_type, v))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Type::Map, J::Object(entries)) if avro_type == "map" => {
            let vs = schema.value_schema().ok_or_else(bad)?;
            let values_type = match avro {
                J::Object(o) => o.get("values").ok_or_else(bad)?,
                _ => return Err(bad()),
            };
            let mut out = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                out.push((
                    Value::String(k.clone()),
                    default_from_json(vs, values_type, v)?,
                ));
            }
            Value::Map(out)
        }
        (Type::Map, J::Array(entries)) => {
            // Confluent writes non-string-keyed map defaults as [key, value] pairs; Avro's own
            // form is {"key": .., "value": ..} records. Both are read.
            let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
                return Err(bad());
            };
            let entry_type = match avro {
                J::Object(o) => o.get("items").and_then(J::as_object),
                _ => None,
            };
            let field_type = |name: &str| {
                entry_type
                    .and_then(|e| e.get("fields"))
                    .and_then(J::as_array)
                    .and_then(|fields| {
                        fields
                            .iter()
                            .find(|f| f.get("name").and_then(J::as_str) == Some(name))
                    })
                    .and_then(|f| f.get("type"))
            };
            let fallback = J::String(String::new());
            let (kt, vt) = (
                field_type(KEY_FIELD).unwrap_or(&fallback),
                field_type(VALUE_FIELD).unwrap_or(&fallback),
            );
            let mut out = Vec::with_capacity(entries.len());
            for entry in entries {
                let (k, v) = match entry {
                    J::Array(pair) if pair.len() == 2 => (&pair[0], &pair[1]),
                    J::Object(o) => (
                        o.get(KEY_FIELD).ok_or_else(bad)?,
                        o.get(VALUE_FIELD).ok_or_else(bad)?,
                    ),
                    _ => return Err(bad()),
                };
                out.push((default_from_json(ks, kt, k)?, default_from_json(vs, vt, v)?));
            }
            Value::Map(out)
        }
        (Type::Struct, J::Object(object)) => {
            let fields = match avro {
                J::Object(o) => o.get("fields").and_then(J::as_array).ok_or_else(bad)?,
                _ => return Err(bad()),
            };
            let mut s = Struct::new(schema.clone()).map_err(|e| err(e.to_string()))?;
            for field in schema.fields() {
                let Some(v) = object.get(field.name()) else {
                    continue;
                };
                let field_type = fields
                    .iter()
                    .find(|f| f.get("name").and_then(J::as_str) == Some(field.name()))
                    .and_then(|f| f.get("type"))
                    .ok_or_else(bad)?;
                let converted = default_from_json(field.schema(), field_type, v)?;
                s.put(field.name(), converted)
                    .map_err(|e| err(e.to_string()))?;
            }
            Value::Struct(s)
        }
        _ => return Err(bad()),
    };
    to_logical(schema, physical).map_err(|e| err(e.to_string()))
}

/// Turns a physical value of a logical schema into its logical form.
fn to_logical(schema: &Schema, value: Value) -> Result<Value, connect_api::error::DataError> {
    Ok(match (LogicalType::of(schema), value) {
        (Some(LogicalType::Decimal), Value::Bytes(b)) => {
            Value::Decimal(logical::decimal_from_bytes(schema, &b)?)
        }
        (Some(LogicalType::Date), Value::Int32(v)) => Value::Date(v),
        (Some(LogicalType::Time), Value::Int32(v)) => Value::Time(v),
        (Some(LogicalType::Timestamp), Value::Int64(v)) => Value::Timestamp(v),
        (_, v) => v,
    })
}

fn data_err(message: impl Into<String>) -> AvroDataError {
    AvroDataError::to_connect_data(message)
}

/// Converts an Avro value into a Connect value of `schema`.
pub(crate) fn value_to_connect(
    config: &AvroDataConfig,
    schema: &Schema,
    value: AvroValue,
) -> Result<Value, AvroDataError> {
    let is_union_struct = schema.type_() == Type::Struct && schema.name() == Some(AVRO_TYPE_UNION);
    let value = match value {
        AvroValue::Union(_, inner) if !is_union_struct => *inner,
        other => other,
    };
    if matches!(value, AvroValue::Null) {
        return if schema.is_optional() {
            Ok(Value::Null)
        } else {
            Err(data_err(format!(
                "Found null value for non-optional {} schema",
                schema.type_()
            )))
        };
    }
    let mismatch = |v: &AvroValue| {
        data_err(format!(
            "Expected an Avro value for a {} schema, got {:?}",
            schema.type_(),
            apache_avro::schema::SchemaKind::from(v)
        ))
    };
    let physical = match (schema.type_(), value) {
        (Type::Int8, AvroValue::Int(v)) => {
            Value::Int8(i8::try_from(v).map_err(|_| data_err(format!("{v} does not fit INT8")))?)
        }
        (Type::Int16, AvroValue::Int(v)) => {
            Value::Int16(i16::try_from(v).map_err(|_| data_err(format!("{v} does not fit INT16")))?)
        }
        (Type::Int32, AvroValue::Int(v) | AvroValue::Date(v) | AvroValue::TimeMillis(v)) => {
            Value::Int32(v)
        }
        (
            Type::Int64,
            AvroValue::Long(v)
            | AvroValue::TimestampMillis(v)
            | AvroValue::TimestampMicros(v)
            | AvroValue::TimestampNanos(v)
            | AvroValue::LocalTimestampMillis(v)
            | AvroValue::LocalTimestampMicros(v)
            | AvroValue::LocalTimestampNanos(v)
            | AvroValue::TimeMicros(v),
        ) => Value::Int64(v),
        (Type::Float32, AvroValue::Float(v)) => Value::Float32(v),
        (Type::Float64, AvroValue::Double(v)) => Value::Float64(v),
        (Type::Boolean, AvroValue::Boolean(v)) => Value::Boolean(v),
        (Type::String, AvroValue::String(v) | AvroValue::Enum(_, v)) => Value::String(v),
        (Type::Bytes, AvroValue::Bytes(b) | AvroValue::Fixed(_, b)) => Value::Bytes(b.into()),
        (Type::Bytes, AvroValue::Decimal(d)) => {
            let bytes = Vec::<u8>::try_from(&d).map_err(|e| data_err(e.to_string()))?;
            Value::Bytes(bytes.into())
        }
        (Type::Bytes, AvroValue::BigDecimal(d))
            if LogicalType::of(schema) == Some(LogicalType::Decimal) =>
        {
            let scale = logical::decimal_scale(schema).map_err(|e| data_err(e.to_string()))?;
            return Ok(Value::Decimal(BigDecimal::with_scale(&d, scale)));
        }
        (Type::Array, AvroValue::Array(items)) => {
            let element = schema
                .value_schema()
                .ok_or_else(|| data_err("Array schema has no element schema"))?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(
                    value_to_connect(config, element, item)
                        .map_err(|e| e.within(&format!("[{i}]")))?,
                );
            }
            Value::Array(out)
        }
        (Type::Map, AvroValue::Map(entries)) => {
            let vs = schema
                .value_schema()
                .ok_or_else(|| data_err("Map schema has no value schema"))?;
            let mut entries: Vec<(String, AvroValue)> = entries.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let converted =
                    value_to_connect(config, vs, v).map_err(|e| e.within(&format!("<{k}>")))?;
                out.push((Value::String(k), converted));
            }
            Value::Map(out)
        }
        (Type::Map, AvroValue::Array(entries)) => {
            let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
                return Err(data_err("Map schema has no key or value schema"));
            };
            let mut out = Vec::with_capacity(entries.len());
            for (i, entry) in entries.into_iter().enumerate() {
                let AvroValue::Record(fields) = entry else {
                    return Err(
                        data_err("Map entry is not a key/value record").within(&format!("[{i}]"))
                    );
                };
                let (mut key, mut val) = (None, None);
                for (name, v) in fields {
                    match name.as_str() {
                        KEY_FIELD => key = Some(v),
                        VALUE_FIELD => val = Some(v),
                        _ => {}
                    }
                }
                let (Some(key), Some(val)) = (key, val) else {
                    return Err(
                        data_err("Map entry record lacks key or value").within(&format!("[{i}]"))
                    );
                };
                let key = value_to_connect(config, ks, key).map_err(|e| e.within("<key>"))?;
                let val =
                    value_to_connect(config, vs, val).map_err(|e| e.within(&format!("<{key}>")))?;
                out.push((key, val));
            }
            Value::Map(out)
        }
        (Type::Struct, AvroValue::Union(_, inner)) if is_union_struct => {
            return union_to_connect(config, schema, *inner);
        }
        (Type::Struct, AvroValue::Record(fields)) => {
            let mut fields: Vec<Option<(String, AvroValue)>> =
                fields.into_iter().map(Some).collect();
            let mut values = Vec::with_capacity(schema.fields().len());
            for field in schema.fields() {
                let avro_name = if config.scrub_invalid_names {
                    scrub_name(field.name())
                } else {
                    field.name().to_string()
                };
                // Fields usually come in order; fall back to a search.
                let position = match fields.get(field.index()) {
                    Some(Some((n, _))) if *n == avro_name => Some(field.index()),
                    _ => fields
                        .iter()
                        .position(|f| f.as_ref().is_some_and(|(n, _)| *n == avro_name)),
                };
                let v = position
                    .and_then(|p| fields[p].take())
                    .map_or(AvroValue::Null, |(_, v)| v);
                values.push(
                    value_to_connect(config, field.schema(), v)
                        .map_err(|e| e.within(field.name()))?,
                );
            }
            Value::Struct(
                Struct::from_values(schema.clone(), values).map_err(|e| data_err(e.to_string()))?,
            )
        }
        (_, other) => return Err(mismatch(&other)),
    };
    to_logical(schema, physical).map_err(|e| data_err(e.to_string()))
}

/// Puts an Avro union member into the field of a Connect union struct that matches its type.
fn union_to_connect(
    config: &AvroDataConfig,
    schema: &Schema,
    value: AvroValue,
) -> Result<Value, AvroDataError> {
    if matches!(value, AvroValue::Null) {
        return Ok(Value::Null);
    }
    let field = schema
        .fields()
        .iter()
        .find(|f| member_matches(f.schema(), &value))
        .ok_or_else(|| {
            data_err(format!(
                "Did not find matching union field for data of Avro type {:?}",
                apache_avro::schema::SchemaKind::from(&value)
            ))
        })?;
    let converted =
        value_to_connect(config, field.schema(), value).map_err(|e| e.within(field.name()))?;
    let mut s = Struct::new(schema.clone()).map_err(|e| data_err(e.to_string()))?;
    s.put(field.name(), converted)
        .map_err(|e| data_err(e.to_string()))?;
    Ok(Value::Struct(s))
}

fn member_matches(schema: &Schema, value: &AvroValue) -> bool {
    match value {
        AvroValue::Boolean(_) => schema.type_() == Type::Boolean,
        AvroValue::Int(_) | AvroValue::Date(_) | AvroValue::TimeMillis(_) => {
            matches!(schema.type_(), Type::Int8 | Type::Int16 | Type::Int32)
        }
        AvroValue::Long(_)
        | AvroValue::TimestampMillis(_)
        | AvroValue::TimestampMicros(_)
        | AvroValue::TimestampNanos(_)
        | AvroValue::LocalTimestampMillis(_)
        | AvroValue::LocalTimestampMicros(_)
        | AvroValue::LocalTimestampNanos(_)
        | AvroValue::TimeMicros(_) => schema.type_() == Type::Int64,
        AvroValue::Float(_) => schema.type_() == Type::Float32,
        AvroValue::Double(_) => schema.type_() == Type::Float64,
        AvroValue::String(_) => schema.type_() == Type::String && !is_enum_schema(schema),
        AvroValue::Enum(_, symbol) => {
            is_enum_schema(schema)
                && schema
                    .parameter(&format!("{AVRO_TYPE_ENUM}.{symbol}"))
                    .is_some()
        }
        AvroValue::Bytes(_) | AvroValue::Decimal(_) | AvroValue::BigDecimal(_) => {
            schema.type_() == Type::Bytes
        }
        AvroValue::Fixed(size, _) => {
            schema.type_() == Type::Bytes
                && schema.parameter(CONNECT_AVRO_FIXED_SIZE_PROP) == Some(size.to_string().as_str())
        }
        AvroValue::Array(items) => match schema.type_() {
            Type::Array => true,
            Type::Map => {
                !schema
                    .key_schema()
                    .is_some_and(|k| k.type_() == Type::String && !k.is_optional())
                    && items.iter().all(|i| matches!(i, AvroValue::Record(_)))
            }
            _ => false,
        },
        AvroValue::Map(_) => schema.type_() == Type::Map,
        AvroValue::Record(fields) => {
            schema.type_() == Type::Struct
                && schema.fields().len() == fields.len()
                && schema
                    .fields()
                    .iter()
                    .zip(fields)
                    .all(|(f, (n, _))| f.name() == n)
        }
        _ => false,
    }
}
