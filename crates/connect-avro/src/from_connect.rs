//! Connect → Avro: schemas (as Confluent's `AvroData.fromConnectSchema` writes them) and
//! values.

use std::collections::HashMap;

use apache_avro::Schema as ApacheSchema;
use apache_avro::types::Value as AvroValue;
use connect_api::data::logical::{self, LogicalType};
use connect_api::data::{Schema, SchemaBuilder, Type, Value};

use crate::config::AvroDataConfig;
use crate::error::AvroDataError;
use crate::names::{full_name, is_valid_name, scrub_name, split_name};
use crate::schema::{AvroSchema, Json};
use crate::*;

/// The state of one `fromConnectSchema` call: the default-name counter and the named types
/// already written, which later occurrences refer to by name.
pub(crate) struct SchemaGen<'c> {
    config: &'c AvroDataConfig,
    default_name_index: usize,
    /// Non-optional Connect schema → the full name of the Avro named type written for it.
    written: Vec<(Schema, String)>,
    /// Non-optional map schema → the full name of its entry record.
    map_entries: Vec<(Schema, String)>,
    /// Full name → its JSON definition, to check defaults that refer to it.
    defined: HashMap<String, Json>,
}

type Props = Vec<(String, Json)>;

fn schema_err(message: impl Into<String>) -> AvroDataError {
    AvroDataError::from_connect_schema(message)
}

fn non_optional(schema: &Schema) -> Result<Schema, AvroDataError> {
    if !schema.is_optional() {
        return Ok(schema.clone());
    }
    SchemaBuilder::from_schema(schema)
        .required()
        .build()
        .map_err(|e| schema_err(e.to_string()))
}

fn is_decimal(schema: &Schema) -> bool {
    schema
        .name()
        .is_some_and(|n| n.eq_ignore_ascii_case(logical::DECIMAL_NAME))
}

fn name_is(schema: &Schema, name: &str) -> bool {
    schema.name().is_some_and(|n| n.eq_ignore_ascii_case(name))
}

pub(crate) fn is_enum_schema(schema: &Schema) -> bool {
    schema.type_() == Type::String && schema.parameter(AVRO_TYPE_ENUM).is_some()
}

fn is_fixed_schema(schema: &Schema) -> bool {
    schema.type_() == Type::Bytes
        && schema.name().is_some()
        && schema.parameter(CONNECT_AVRO_FIXED_SIZE_PROP).is_some()
}

fn string_keyed(schema: &Schema) -> bool {
    schema
        .key_schema()
        .is_some_and(|k| k.type_() == Type::String && !k.is_optional())
}

fn parse_int(schema: &Schema, key: &str, text: &str) -> Result<i64, AvroDataError> {
    text.trim().parse::<i32>().map(i64::from).map_err(|_| {
        schema_err(format!(
            "Parameter {key} of {} must be a 32-bit integer, not {text:?}",
            schema.name().unwrap_or("the schema")
        ))
    })
}

impl<'c> SchemaGen<'c> {
    pub(crate) fn new(config: &'c AvroDataConfig) -> Self {
        Self {
            config,
            default_name_index: 0,
            written: Vec::new(),
            map_entries: Vec::new(),
            defined: HashMap::new(),
        }
    }

    /// Converts a whole schema into Avro schema text and its parsed form.
    pub(crate) fn generate(mut self, schema: &Schema) -> Result<AvroSchema, AvroDataError> {
        let json = self.convert(schema, false, None)?;
        AvroSchema::build(json.to_text(), json.to_value())
    }

    fn scrub(&self, name: &str) -> String {
        if self.config.scrub_invalid_names {
            scrub_name(name)
        } else {
            name.to_string()
        }
    }

    /// Namespace and name for a Connect name, or the next `ConnectDefault` name.
    fn name_or_default(&mut self, name: Option<&str>) -> (Option<String>, String) {
        match name {
            Some(name) => split_name(name, self.config.scrub_invalid_names),
            None => {
                self.default_name_index += 1;
                let suffix = if self.default_name_index > 1 {
                    self.default_name_index.to_string()
                } else {
                    String::new()
                };
                (
                    Some(NAMESPACE.to_string()),
                    format!("{DEFAULT_SCHEMA_NAME}{suffix}"),
                )
            }
        }
    }

    fn check_name(
        &self,
        what: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(), AvroDataError> {
        let parts_ok = namespace
            .map(|ns| ns.split('.').all(is_valid_name))
            .unwrap_or(true)
            && is_valid_name(name);
        if parts_ok {
            return Ok(());
        }
        Err(schema_err(format!(
            "{what} {:?} is not a valid Avro name (letters, digits and '_', not starting with a \
             digit); set {} to replace invalid characters",
            full_name(namespace, name),
            crate::config::SCRUB_INVALID_NAMES_CONFIG
        )))
    }

    /// The `name`/`namespace` entries of a named type nested in `enclosing`, as Java writes them.
    fn name_entries(namespace: Option<&str>, name: &str, enclosing: Option<&str>) -> Props {
        let mut props = vec![("name".to_string(), Json::str(name))];
        match namespace {
            Some(ns) if Some(ns) != enclosing => {
                props.push(("namespace".to_string(), Json::str(ns)))
            }
            None if enclosing.is_some() => props.push(("namespace".to_string(), Json::str(""))),
            _ => {}
        }
        props
    }

    /// A reference to an already written named type, relative to the enclosing namespace.
    fn reference(full: &str, enclosing: Option<&str>) -> Json {
        match (full.rsplit_once('.'), enclosing) {
            (Some((ns, name)), Some(enc)) if ns == enc => Json::str(name),
            _ => Json::str(full),
        }
    }

    fn already_written(&self, key: &Schema) -> Option<&str> {
        self.written
            .iter()
            .find(|(s, _)| s.ptr_eq(key) || s == key)
            .map(|(_, n)| n.as_str())
    }

    /// Records a named type; a second, different definition of one name is an error, as in Avro.
    fn define(&mut self, key: Schema, full: String, json: &Json) -> Result<(), AvroDataError> {
        if self.defined.contains_key(&full) {
            return Err(schema_err(format!(
                "Two different schemas use the Avro name {full}; Avro names must be unique"
            )));
        }
        self.defined.insert(full.clone(), json.clone());
        self.written.push((key, full));
        Ok(())
    }

    pub(crate) fn convert(
        &mut self,
        schema: &Schema,
        ignore_optional: bool,
        enclosing: Option<&str>,
    ) -> Result<Json, AvroDataError> {
        let optional = schema.is_optional() && !ignore_optional;
        let is_union = schema.name() == Some(AVRO_TYPE_UNION) && schema.type_() == Type::Struct;
        // A named type that was already written is referred to by name.
        if !is_union {
            let key = non_optional(schema)?;
            if let Some(full) = self.already_written(&key) {
                let reference = Self::reference(full, enclosing);
                return Ok(if optional && schema.type_() == Type::Struct {
                    Json::Arr(vec![Json::str("null"), reference])
                } else if optional {
                    self.make_optional(schema, reference)
                } else {
                    reference
                });
            }
        }

        let mut connect_type = None;
        let mut props: Props;
        match schema.type_() {
            Type::Int8 => {
                connect_type = Some(CONNECT_TYPE_INT8);
                props = Json::obj_type("int");
            }
            Type::Int16 => {
                connect_type = Some(CONNECT_TYPE_INT16);
                props = Json::obj_type("int");
            }
            Type::Int32 => props = Json::obj_type("int"),
            Type::Int64 => props = Json::obj_type("long"),
            Type::Float32 => props = Json::obj_type("float"),
            Type::Float64 => props = Json::obj_type("double"),
            Type::Boolean => props = Json::obj_type("boolean"),
            Type::String if self.config.enhanced_avro_schema_support && is_enum_schema(schema) => {
                props = self.enum_schema(schema, enclosing)?;
            }
            Type::String => props = Json::obj_type("string"),
            Type::Bytes => {
                props = if is_fixed_schema(schema) {
                    self.fixed_schema(schema, enclosing)?
                } else {
                    Json::obj_type("bytes")
                };
                if is_decimal(schema) {
                    let scale = schema
                        .parameter(logical::SCALE_FIELD)
                        .ok_or_else(|| schema_err("Decimal schema has no scale parameter"))?;
                    let scale = parse_int(schema, logical::SCALE_FIELD, scale)?;
                    let precision = match schema.parameter(CONNECT_AVRO_DECIMAL_PRECISION_PROP) {
                        Some(p) => parse_int(schema, CONNECT_AVRO_DECIMAL_PRECISION_PROP, p)?,
                        None => CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT,
                    };
                    props.push((
                        AVRO_LOGICAL_DECIMAL_SCALE_PROP.into(),
                        Json::Value(scale.into()),
                    ));
                    props.push((
                        AVRO_LOGICAL_DECIMAL_PRECISION_PROP.into(),
                        Json::Value(precision.into()),
                    ));
                }
            }
            Type::Array => {
                let items = schema
                    .value_schema()
                    .ok_or_else(|| schema_err("Array schema has no element schema"))?;
                let items = self
                    .convert(items, false, enclosing)
                    .map_err(|e| e.within("[]"))?;
                props = Json::obj_type("array");
                props.push(("items".into(), items));
            }
            Type::Map => props = self.map_schema(schema, enclosing)?,
            Type::Struct if is_union => {
                let mut members = Vec::new();
                if optional {
                    members.push(Json::str("null"));
                }
                for field in schema.fields() {
                    let member = self
                        .convert(field.schema(), true, enclosing)
                        .map_err(|e| e.within(field.name()))?;
                    members.push(member);
                }
                return Ok(Json::Arr(members));
            }
            Type::Struct if optional => {
                let required = non_optional(schema)?;
                let record = self.convert(&required, false, enclosing)?;
                return Ok(Json::Arr(vec![Json::str("null"), record]));
            }
            Type::Struct => return self.record_schema(schema, enclosing),
        }

        self.add_metadata(schema, &mut props, connect_type)?;
        let base = if props.len() == 1 {
            // A primitive without properties is written as its bare type name.
            props
                .pop()
                .map(|(_, v)| v)
                .unwrap_or_else(|| Json::str("null"))
        } else {
            Json::Obj(props)
        };
        Ok(if optional {
            self.make_optional(schema, base)
        } else {
            base
        })
    }
}

impl SchemaGen<'_> {
    fn make_optional(&self, schema: &Schema, base: Json) -> Json {
        if schema.default_value().is_some() {
            Json::Arr(vec![base, Json::str("null")])
        } else {
            Json::Arr(vec![Json::str("null"), base])
        }
    }

    fn enum_schema(
        &mut self,
        schema: &Schema,
        enclosing: Option<&str>,
    ) -> Result<Props, AvroDataError> {
        let prefix = format!("{AVRO_TYPE_ENUM}.");
        let params = schema.parameters();
        let symbols: Vec<String> = params
            .into_iter()
            .flatten()
            .filter_map(|(k, _)| k.strip_prefix(&prefix).map(str::to_string))
            .collect();
        for symbol in &symbols {
            if !is_valid_name(symbol) {
                return Err(schema_err(format!(
                    "Enum symbol {symbol:?} is not a valid Avro name"
                )));
            }
        }
        // Confluent looks the doc and default up under the schema's own (or default) name.
        let (_, own_name) = self.name_or_default(schema.name());
        let enum_name = schema.parameter(AVRO_TYPE_ENUM).unwrap_or_default();
        let (namespace, name) = split_name(enum_name, self.config.scrub_invalid_names);
        self.check_name("Enum name", namespace.as_deref(), &name)?;
        let mut props = Json::obj_type("enum");
        props.extend(Self::name_entries(namespace.as_deref(), &name, enclosing));
        if let Some(doc) = schema.parameter(&format!("{AVRO_ENUM_DOC_PREFIX_PROP}{own_name}")) {
            props.push(("doc".into(), Json::str(doc)));
        }
        props.push((
            "symbols".into(),
            Json::Arr(symbols.iter().map(Json::str).collect()),
        ));
        if let Some(default) =
            schema.parameter(&format!("{AVRO_ENUM_DEFAULT_PREFIX_PROP}{own_name}"))
        {
            props.push(("default".into(), Json::str(default)));
        }
        let full = full_name(namespace.as_deref(), &name);
        self.define(non_optional(schema)?, full, &Json::Obj(props.clone()))?;
        Ok(props)
    }

    fn fixed_schema(
        &mut self,
        schema: &Schema,
        enclosing: Option<&str>,
    ) -> Result<Props, AvroDataError> {
        let size_text = schema
            .parameter(CONNECT_AVRO_FIXED_SIZE_PROP)
            .unwrap_or_default();
        let size = parse_int(schema, CONNECT_AVRO_FIXED_SIZE_PROP, size_text)?;
        let (namespace, name) = self.name_or_default(schema.name());
        self.check_name("Fixed name", namespace.as_deref(), &name)?;
        let mut props = Json::obj_type("fixed");
        props.extend(Self::name_entries(namespace.as_deref(), &name, enclosing));
        props.push(("size".into(), Json::Value(size.into())));
        let full = full_name(namespace.as_deref(), &name);
        self.define(non_optional(schema)?, full, &Json::Obj(props.clone()))?;
        Ok(props)
    }

    fn map_schema(
        &mut self,
        schema: &Schema,
        enclosing: Option<&str>,
    ) -> Result<Props, AvroDataError> {
        let (Some(key), Some(value)) = (schema.key_schema(), schema.value_schema()) else {
            return Err(schema_err("Map schema has no key or value schema"));
        };
        if string_keyed(schema) {
            let values = self
                .convert(value, false, enclosing)
                .map_err(|e| e.within("<value>"))?;
            let mut props = Json::obj_type("map");
            props.push(("values".into(), values));
            return Ok(props);
        }
        // Avro maps have string keys only: other maps become arrays of key/value records.
        let map_key = non_optional(schema)?;
        let existing = self
            .map_entries
            .iter()
            .find(|(s, _)| s.ptr_eq(&map_key) || *s == map_key)
            .map(|(_, n)| n.clone());
        let items = match existing {
            Some(full) => Self::reference(&full, enclosing),
            None => {
                let (namespace, name, internal) = match schema.name() {
                    None => (
                        Some(NAMESPACE.to_string()),
                        MAP_ENTRY_TYPE_NAME.to_string(),
                        false,
                    ),
                    Some(n) => {
                        let (ns, name) = split_name(n, self.config.scrub_invalid_names);
                        (ns, name, true)
                    }
                };
                self.check_name("Map entry name", namespace.as_deref(), &name)?;
                let full = full_name(namespace.as_deref(), &name);
                let mut record = Json::obj_type("record");
                record.extend(Self::name_entries(namespace.as_deref(), &name, enclosing));
                // Register before the fields, as Java does, so a clash is reported here.
                if self.defined.contains_key(&full) {
                    return Err(schema_err(format!(
                        "Two different map schemas use the Avro record name {full}; give the maps distinct names"
                    )));
                }
                self.map_entries.push((map_key, full.clone()));
                let inner = namespace.clone();
                let fields = vec![
                    self.record_field(KEY_FIELD, key, None, inner.as_deref())
                        .map_err(|e| e.within("<key>"))?,
                    self.record_field(VALUE_FIELD, value, None, inner.as_deref())
                        .map_err(|e| e.within("<value>"))?,
                ];
                record.push(("fields".into(), Json::Arr(fields)));
                if internal {
                    record.push((
                        CONNECT_INTERNAL_TYPE_NAME.into(),
                        Json::str(MAP_ENTRY_TYPE_NAME),
                    ));
                }
                let record = Json::Obj(record);
                self.defined.insert(full, record.clone());
                record
            }
        };
        let mut props = Json::obj_type("array");
        props.push(("items".into(), items));
        Ok(props)
    }

    fn record_schema(
        &mut self,
        schema: &Schema,
        enclosing: Option<&str>,
    ) -> Result<Json, AvroDataError> {
        let (namespace, name) = self.name_or_default(schema.name());
        self.check_name("Record name", namespace.as_deref(), &name)?;
        let full = full_name(namespace.as_deref(), &name);
        let mut props = Json::obj_type("record");
        props.extend(Self::name_entries(namespace.as_deref(), &name, enclosing));
        if let Some(doc) = schema.parameter(AVRO_RECORD_DOC_PROP) {
            props.push(("doc".into(), Json::str(doc)));
        }
        // Defined before its fields so that a field of the same schema refers to it.
        self.define(
            non_optional(schema)?,
            full.clone(),
            &Json::Obj(props.clone()),
        )?;
        let mut fields = Vec::with_capacity(schema.fields().len());
        for field in schema.fields() {
            let field_name = self.scrub(field.name());
            if !is_valid_name(&field_name) {
                return Err(schema_err(format!(
                    "Field name {:?} is not a valid Avro name (letters, digits and '_', not \
                     starting with a digit); set {} to replace invalid characters",
                    field.name(),
                    crate::config::SCRUB_INVALID_NAMES_CONFIG
                ))
                .within(field.name()));
            }
            let doc = schema.parameter(&format!("{AVRO_FIELD_DOC_PREFIX_PROP}{}", field.name()));
            let json = self
                .record_field(&field_name, field.schema(), doc, namespace.as_deref())
                .map_err(|e| e.within(field.name()))?;
            fields.push(json);
        }
        props.push(("fields".into(), Json::Arr(fields)));
        self.add_metadata(schema, &mut props, None)?;
        let record = Json::Obj(props);
        self.defined.insert(full, record.clone());
        Ok(record)
    }

    /// One record field: name, type, doc and default (`null` for optional fields without one).
    /// A default that Avro would reject for the field's type is left out, as Confluent does.
    fn record_field(
        &mut self,
        name: &str,
        schema: &Schema,
        doc: Option<&str>,
        enclosing: Option<&str>,
    ) -> Result<Json, AvroDataError> {
        let ty = self.convert(schema, false, enclosing)?;
        let default = match schema.default_value() {
            Some(value) => Some(self.default_json(schema, value)?),
            None if schema.is_optional() => Some(serde_json::Value::Null),
            None => None,
        };
        let mut field = vec![
            ("name".to_string(), Json::str(name)),
            ("type".to_string(), ty),
        ];
        if let Some(doc) = doc {
            field.push(("doc".into(), Json::str(doc)));
        }
        if let Some(default) = default
            && self.default_fits(&field[1].1, &default, enclosing)
        {
            field.push(("default".into(), Json::Value(default)));
        }
        Ok(Json::Obj(field))
    }

    fn add_metadata(
        &mut self,
        schema: &Schema,
        props: &mut Props,
        connect_type: Option<&str>,
    ) -> Result<(), AvroDataError> {
        let set = |props: &mut Props, key: &str, value: Json| {
            if !props.iter().any(|(k, _)| k == key) {
                props.push((key.to_string(), value));
            }
        };
        if self.config.connect_meta_data {
            if let Some(doc) = schema.doc() {
                set(props, CONNECT_DOC_PROP, Json::str(doc));
            }
            if let Some(version) = schema.version() {
                set(props, CONNECT_VERSION_PROP, Json::Value(version.into()));
            }
            if let Some(params) = schema.parameters() {
                let params: Props = params
                    .iter()
                    .filter(|(k, _)| k.as_str() != AVRO_FIELD_DEFAULT_FLAG_PROP)
                    .map(|(k, v)| (k.clone(), Json::str(v)))
                    .collect();
                if !params.is_empty() {
                    set(props, CONNECT_PARAMETERS_PROP, Json::Obj(params));
                }
            }
            if let Some(default) = schema.default_value()
                && schema.parameter(AVRO_FIELD_DEFAULT_FLAG_PROP).is_none()
            {
                let json = self.default_json(schema, default)?;
                set(props, CONNECT_DEFAULT_VALUE_PROP, Json::Value(json));
            }
            if let Some(name) = schema.name() {
                set(props, CONNECT_NAME_PROP, Json::str(name));
            }
            if let Some(ty) = connect_type {
                set(props, CONNECT_TYPE_PROP, Json::str(ty));
            }
        }
        let logical_type = if is_decimal(schema) {
            Some(AVRO_LOGICAL_DECIMAL)
        } else if name_is(schema, logical::TIME_NAME) {
            Some(AVRO_LOGICAL_TIME_MILLIS)
        } else if name_is(schema, logical::TIMESTAMP_NAME) {
            Some(AVRO_LOGICAL_TIMESTAMP_MILLIS)
        } else if name_is(schema, logical::DATE_NAME) {
            Some(AVRO_LOGICAL_DATE)
        } else {
            None
        };
        if let Some(logical_type) = logical_type {
            set(props, AVRO_LOGICAL_TYPE_PROP, Json::str(logical_type));
        }
        for (key, value) in schema.parameters().into_iter().flatten() {
            if key.starts_with(AVRO_PROP) {
                set(props, key, Json::str(value));
            }
        }
        Ok(())
    }

    /// A Connect default value in Avro's JSON form (Confluent's `defaultValueFromConnect`).
    fn default_json(
        &self,
        schema: &Schema,
        value: &Value,
    ) -> Result<serde_json::Value, AvroDataError> {
        use serde_json::Value as J;
        let bad = || {
            schema_err(format!(
                "Invalid {} default value for {} schema",
                value.kind(),
                schema.type_()
            ))
        };
        let physical =
            logical::to_physical(schema, value).map_err(|e| schema_err(e.to_string()))?;
        Ok(match (schema.type_(), &physical) {
            (_, Value::Null) => J::Null,
            (Type::Int8, Value::Int8(v)) => J::from(*v),
            (Type::Int16, Value::Int16(v)) => J::from(*v),
            (Type::Int32, Value::Int32(v)) => J::from(*v),
            (Type::Int64, Value::Int64(v)) => J::from(*v),
            (Type::Float32, Value::Float32(v)) => serde_json::Number::from_f64(f64::from(*v))
                .map(J::Number)
                .ok_or_else(bad)?,
            (Type::Float64, Value::Float64(v)) => serde_json::Number::from_f64(*v)
                .map(J::Number)
                .ok_or_else(bad)?,
            (Type::Boolean, Value::Boolean(v)) => J::Bool(*v),
            (Type::String, Value::String(v)) => J::String(v.clone()),
            // Avro's JSON encoding of bytes: one character per byte (ISO-8859-1).
            (Type::Bytes, Value::Bytes(b)) => J::String(b.iter().map(|&b| char::from(b)).collect()),
            (Type::Array, Value::Array(items)) => {
                let element = schema.value_schema().ok_or_else(bad)?;
                J::Array(
                    items
                        .iter()
                        .map(|v| self.default_json(element, v))
                        .collect::<Result<_, _>>()?,
                )
            }
            (Type::Map, Value::Map(entries)) => {
                let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
                    return Err(bad());
                };
                if string_keyed(schema) {
                    let mut object = serde_json::Map::new();
                    for (k, v) in entries {
                        let key = k.as_str().ok_or_else(bad)?;
                        object.insert(key.to_string(), self.default_json(vs, v)?);
                    }
                    J::Object(object)
                } else {
                    J::Array(
                        entries
                            .iter()
                            .map(|(k, v)| {
                                Ok(J::Array(vec![
                                    self.default_json(ks, k)?,
                                    self.default_json(vs, v)?,
                                ]))
                            })
                            .collect::<Result<_, AvroDataError>>()?,
                    )
                }
            }
            (Type::Struct, Value::Struct(s)) => {
                let union = schema.name() == Some(AVRO_TYPE_UNION);
                let mut object = serde_json::Map::new();
                for field in schema.fields() {
                    let v = s.get(field.name()).map_err(|e| schema_err(e.to_string()))?;
                    let json = self.default_json(field.schema(), v)?;
                    if union {
                        return Ok(json);
                    }
                    object.insert(self.scrub(field.name()), json);
                }
                J::Object(object)
            }
            _ => return Err(bad()),
        })
    }

    /// Whether `value` is a valid Avro default for `ty` (for a union: for its first member).
    fn default_fits(&self, ty: &Json, value: &serde_json::Value, enclosing: Option<&str>) -> bool {
        use serde_json::Value as J;
        match ty {
            Json::Arr(members) => members
                .first()
                .is_some_and(|first| self.default_fits(first, value, enclosing)),
            Json::Str(name) => match name.as_str() {
                "null" => value.is_null(),
                "boolean" => value.is_boolean(),
                "int" | "long" => value.is_i64() || value.is_u64(),
                "float" | "double" => value.is_number(),
                "bytes" | "string" => value.is_string(),
                reference => {
                    let full = if reference.contains('.') {
                        reference.to_string()
                    } else {
                        full_name(enclosing, reference)
                    };
                    match self.defined.get(&full) {
                        Some(def) => {
                            let ns = full.rsplit_once('.').map(|(ns, _)| ns.to_string());
                            self.default_fits(def, value, ns.as_deref())
                        }
                        None => false,
                    }
                }
            },
            Json::Value(_) => false,
            Json::Obj(_) => {
                let ty_name = match ty.get("type") {
                    Some(Json::Str(t)) => t.as_str(),
                    Some(other) => return self.default_fits(other, value, enclosing),
                    None => return false,
                };
                match ty_name {
                    "enum" => match (value, ty.get("symbols")) {
                        (J::String(s), Some(Json::Arr(symbols))) => {
                            symbols.iter().any(|sym| *sym == Json::Str(s.clone()))
                        }
                        _ => false,
                    },
                    "fixed" => value.is_string(),
                    "array" => match (value, ty.get("items")) {
                        (J::Array(items), Some(item_ty)) => items
                            .iter()
                            .all(|v| self.default_fits(item_ty, v, enclosing)),
                        _ => false,
                    },
                    "map" => match (value, ty.get("values")) {
                        (J::Object(entries), Some(value_ty)) => entries
                            .values()
                            .all(|v| self.default_fits(value_ty, v, enclosing)),
                        _ => false,
                    },
                    "record" => {
                        let (J::Object(object), Some(Json::Arr(fields))) =
                            (value, ty.get("fields"))
                        else {
                            return false;
                        };
                        let ns = match (ty.get("namespace"), enclosing) {
                            (Some(Json::Str(ns)), _) => {
                                Some(ns.as_str()).filter(|ns| !ns.is_empty())
                            }
                            (_, enc) => enc,
                        };
                        fields.iter().all(|field| {
                            let (Some(Json::Str(name)), Some(field_ty)) =
                                (field.get("name"), field.get("type"))
                            else {
                                return false;
                            };
                            match object.get(name) {
                                Some(v) => self.default_fits(field_ty, v, ns),
                                None => field.get("default").is_some(),
                            }
                        })
                    }
                    primitive => self.default_fits(&Json::str(primitive), value, enclosing),
                }
            }
        }
    }
}

/// Converts a Connect value into an Avro value of `avro` (a part of `root`).
pub(crate) fn value_to_avro(
    root: &AvroSchema,
    schema: &Schema,
    avro: &ApacheSchema,
    value: &Value,
) -> Result<AvroValue, AvroDataError> {
    let avro = root.resolve(avro);
    if let ApacheSchema::Union(union) = avro {
        let variants = union.variants();
        let is_union_struct =
            schema.type_() == Type::Struct && schema.name() == Some(AVRO_TYPE_UNION);
        if value.is_null() {
            if !schema.is_optional() {
                return Err(data_err(format!(
                    "Found null value for non-optional {} schema",
                    schema.type_()
                )));
            }
            let index = variants
                .iter()
                .position(|v| matches!(v, ApacheSchema::Null))
                .ok_or_else(|| data_err("Avro union has no null member for a null value"))?;
            return Ok(AvroValue::Union(index as u32, Box::new(AvroValue::Null)));
        }
        if is_union_struct {
            // A Connect union: the one non-null field says which member; fields follow the
            // non-null members in order.
            let Value::Struct(s) = value else {
                return Err(type_mismatch(schema, value));
            };
            let members: Vec<usize> = variants
                .iter()
                .enumerate()
                .filter(|(_, v)| !matches!(v, ApacheSchema::Null))
                .map(|(i, _)| i)
                .collect();
            for (field, member) in schema.fields().iter().zip(members) {
                let v = &s.values()[field.index()];
                if !v.is_null() {
                    let converted = value_to_avro(root, field.schema(), &variants[member], v)
                        .map_err(|e| e.within(field.name()))?;
                    return Ok(AvroValue::Union(member as u32, Box::new(converted)));
                }
            }
            return Err(data_err("Connect union struct has no non-null field"));
        }
        let index = variants
            .iter()
            .position(|v| !matches!(v, ApacheSchema::Null))
            .ok_or_else(|| data_err("Avro union has no non-null member"))?;
        let converted = value_to_avro(root, schema, &variants[index], value)?;
        return Ok(AvroValue::Union(index as u32, Box::new(converted)));
    }
    if value.is_null() {
        return Err(data_err(format!(
            "Found null value for non-optional {} schema",
            schema.type_()
        )));
    }
    Ok(match (schema.type_(), value) {
        (Type::Int8, Value::Int8(v)) => AvroValue::Int(i32::from(*v)),
        (Type::Int16, Value::Int16(v)) => AvroValue::Int(i32::from(*v)),
        (Type::Int32, Value::Int32(v) | Value::Date(v) | Value::Time(v)) => match avro {
            ApacheSchema::Date => AvroValue::Date(*v),
            ApacheSchema::TimeMillis => AvroValue::TimeMillis(*v),
            _ => AvroValue::Int(*v),
        },
        (Type::Int64, Value::Int64(v) | Value::Timestamp(v)) => match avro {
            ApacheSchema::TimestampMillis => AvroValue::TimestampMillis(*v),
            _ => AvroValue::Long(*v),
        },
        (Type::Float32, Value::Float32(v)) => AvroValue::Float(*v),
        (Type::Float64, Value::Float64(v)) => AvroValue::Double(*v),
        (Type::Boolean, Value::Boolean(v)) => AvroValue::Boolean(*v),
        (Type::String, Value::String(v)) => match avro {
            ApacheSchema::Enum(e) => {
                let index = e.symbols.iter().position(|s| s == v).ok_or_else(|| {
                    data_err(format!(
                        "{v:?} is not a symbol of Avro enum {}",
                        e.name.fullname(None)
                    ))
                })?;
                AvroValue::Enum(index as u32, v.clone())
            }
            _ => AvroValue::String(v.clone()),
        },
        (Type::Bytes, Value::Bytes(_) | Value::Decimal(_)) => {
            let bytes = match value {
                Value::Decimal(d) => {
                    logical::decimal_to_bytes(schema, d).map_err(|e| data_err(e.to_string()))?
                }
                Value::Bytes(b) => b.clone(),
                _ => return Err(type_mismatch(schema, value)),
            };
            match avro {
                ApacheSchema::Decimal(_) => {
                    AvroValue::Decimal(apache_avro::Decimal::from(&bytes[..]))
                }
                ApacheSchema::Fixed(f) => {
                    if bytes.len() != f.size {
                        return Err(data_err(format!(
                            "Fixed {} needs {} bytes, got {}",
                            f.name.fullname(None),
                            f.size,
                            bytes.len()
                        )));
                    }
                    AvroValue::Fixed(f.size, bytes.to_vec())
                }
                _ => AvroValue::Bytes(bytes.to_vec()),
            }
        }
        (Type::Array, Value::Array(items)) => {
            let (ApacheSchema::Array(array), Some(element)) = (avro, schema.value_schema()) else {
                return Err(shape_mismatch(schema, avro));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(
                    value_to_avro(root, element, &array.items, item)
                        .map_err(|e| e.within(&format!("[{i}]")))?,
                );
            }
            AvroValue::Array(out)
        }
        (Type::Map, Value::Map(entries)) => {
            let (Some(key_schema), Some(value_schema)) =
                (schema.key_schema(), schema.value_schema())
            else {
                return Err(data_err("Map schema has no key or value schema"));
            };
            match avro {
                ApacheSchema::Map(map) => {
                    let mut out = std::collections::HashMap::with_capacity(entries.len());
                    for (k, v) in entries {
                        let Value::String(key) = k else {
                            return Err(data_err(format!(
                                "Map key must be a string, got {}",
                                k.kind()
                            )));
                        };
                        let converted = value_to_avro(root, value_schema, &map.types, v)
                            .map_err(|e| e.within(&format!("<{key}>")))?;
                        out.insert(key.clone(), converted);
                    }
                    AvroValue::Map(out)
                }
                ApacheSchema::Array(array) => {
                    let ApacheSchema::Record(entry) = root.resolve(&array.items) else {
                        return Err(shape_mismatch(schema, avro));
                    };
                    let field_schema = |name: &str| {
                        entry
                            .lookup
                            .get(name)
                            .map(|&i| &entry.fields[i].schema)
                            .ok_or_else(|| {
                                data_err(format!("Map entry record has no {name} field"))
                            })
                    };
                    let (avro_key, avro_value) =
                        (field_schema(KEY_FIELD)?, field_schema(VALUE_FIELD)?);
                    let mut out = Vec::with_capacity(entries.len());
                    for (k, v) in entries {
                        let key = value_to_avro(root, key_schema, avro_key, k)
                            .map_err(|e| e.within("<key>"))?;
                        let val = value_to_avro(root, value_schema, avro_value, v)
                            .map_err(|e| e.within(&format!("<{k}>")))?;
                        out.push(AvroValue::Record(vec![
                            (KEY_FIELD.to_string(), key),
                            (VALUE_FIELD.to_string(), val),
                        ]));
                    }
                    AvroValue::Array(out)
                }
                _ => return Err(shape_mismatch(schema, avro)),
            }
        }
        (Type::Struct, Value::Struct(s)) => {
            let ApacheSchema::Record(record) = avro else {
                return Err(shape_mismatch(schema, avro));
            };
            if !s.schema().ptr_eq(schema) && s.schema() != schema {
                return Err(data_err(format!(
                    "Mismatching struct schema: the value's schema {} is not {}",
                    s.schema(),
                    schema
                )));
            }
            if record.fields.len() != schema.fields().len() {
                return Err(shape_mismatch(schema, avro));
            }
            let mut out = Vec::with_capacity(record.fields.len());
            for (field, avro_field) in schema.fields().iter().zip(&record.fields) {
                let v = s.get(field.name()).map_err(|e| data_err(e.to_string()))?;
                let converted = value_to_avro(root, field.schema(), &avro_field.schema, v)
                    .map_err(|e| e.within(field.name()))?;
                out.push((avro_field.name.clone(), converted));
            }
            AvroValue::Record(out)
        }
        _ => return Err(type_mismatch(schema, value)),
    })
}

pub(crate) fn data_err(message: impl Into<String>) -> AvroDataError {
    AvroDataError::from_connect_data(message)
}

pub(crate) fn type_mismatch(schema: &Schema, value: &Value) -> AvroDataError {
    let expected = LogicalType::of(schema)
        .map(|l| l.value_kind().to_string())
        .unwrap_or_else(|| schema.type_().to_string());
    data_err(format!(
        "Expected a {expected} value for schema {schema}, got a {} value",
        value.kind()
    ))
}

pub(crate) fn shape_mismatch(schema: &Schema, avro: &ApacheSchema) -> AvroDataError {
    data_err(format!(
        "Connect schema {schema} does not match Avro schema {}",
        avro.canonical_form()
    ))
}
