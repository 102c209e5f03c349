//! `Flatten$Key` / `Flatten$Value`: flattens nested structs or maps into one level.
//!
//! Each field of a nested struct (with a schema) or map (without) becomes a top-level field named
//! after its path, the names joined with the delimiter (`a.b.c`). Arrays are kept as they are.
//! With a schema, a flattened field is optional when it or any of its parents is, and takes its
//! default from its own schema or else from its parents' default structs; a map field is not
//! supported. Derived schemas are cached. A null key or value passes through unchanged.

use crate::common::copy_schema_basics;
use std::collections::HashMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::data::{Schema, SchemaBuilder, Struct, Type, Value};
use connect_api::error::{ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use crate::common::{Part, SchemaCache, class_of, data_error, require_map, require_struct};

const DELIMITER_CONFIG: &str = "delimiter";
const DELIMITER_DEFAULT: &str = ".";
const PURPOSE: &str = "flattening";

/// Flattens a nested struct (with a schema) or map (without) into one level, naming each field
/// after its path (Kafka's `Flatten$Key` / `Flatten$Value`).
///
/// Config key: `delimiter` (default `.`), put between the names of the path.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::flatten::Flatten;
///
/// let address = SchemaBuilder::struct_().field("city", Schema::string()).build()?;
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("address", address.clone())
///     .build()?;
/// let value = Struct::new(schema.clone())?
///     .with("id", 1i64)?
///     .with("address", Struct::new(address)?.with("city", "Oslo")?)?;
///
/// let mut flatten = Flatten::value();
/// Transform::<SinkRecord>::configure(
///     &mut flatten,
///     &ConfigMap::from([("delimiter".to_owned(), "_".to_owned())]),
/// )?;
/// let record = SinkRecord::new(ConnectRecord::new("users", Some(schema), value.into()), 0, 0, TimestampType::CreateTime);
/// let out = flatten.apply(record)?.ok_or("dropped")?;
/// let Value::Struct(flat) = &out.value else { return Err("not a struct".into()) };
/// assert_eq!(flat.to_string(), "Struct{id=1,address_city=Oslo}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Flatten {
    part: Part,
    delimiter: String,
    cache: SchemaCache,
}

impl Flatten {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.Flatten$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.Flatten$Value";

    /// The transform working on record keys (`Flatten$Key`).
    pub fn key() -> Self {
        Self::new(Part::Key)
    }

    /// The transform working on record values (`Flatten$Value`).
    pub fn value() -> Self {
        Self::new(Part::Value)
    }

    fn new(part: Part) -> Self {
        Self {
            part,
            delimiter: DELIMITER_DEFAULT.to_owned(),
            cache: SchemaCache::default(),
        }
    }

    /// The configuration definition: `delimiter`, as Kafka defines it.
    pub fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::string(DELIMITER_CONFIG)
                .default_value(DELIMITER_DEFAULT)
                .importance(Importance::Medium)
                .documentation(
                    "Delimiter to insert between field names from the input record when generating field names for the output record",
                ),
        )
    }
}

impl<R: Record> Transform<R> for Flatten {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        self.delimiter = parsed.get_string(DELIMITER_CONFIG)?.to_owned();
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        if self.part.value(&record).is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = self.part.take(&mut record);
        let namer = Namer(&self.delimiter);
        let (schema, value) = match schema {
            None => {
                let entries = match value {
                    Value::Map(entries) => entries,
                    other => require_map(&other, PURPOSE)?.to_vec(),
                };
                let mut flat = FlatMap::default();
                namer.flatten_map(entries, Some(""), &mut flat)?;
                (None, Value::Map(flat.entries))
            }
            Some(schema) => {
                let value = match value {
                    Value::Struct(s) => s,
                    other => require_struct(&other, PURPOSE)?.clone(),
                };
                let updated = self
                    .cache
                    .get_or_derive(&schema, |schema| namer.flatten_schema(schema))?
                    .clone();
                let mut flat = Struct::new(updated.clone())?;
                namer.flatten_struct(value, "", &mut flat)?;
                (Some(updated), Value::Struct(flat))
            }
        };
        self.part.set(&mut record, schema, value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }

    fn close(&mut self) {
        self.cache = SchemaCache::default();
    }
}

/// A map being built, where a key put again keeps its place and takes the new value (Java's
/// `LinkedHashMap`).
#[derive(Default)]
struct FlatMap {
    entries: Vec<(Value, Value)>,
    positions: HashMap<Option<String>, usize>,
}

impl FlatMap {
    fn put(&mut self, key: Option<String>, value: Value) {
        if let Some(&at) = self.positions.get(&key) {
            self.entries[at].1 = value;
        } else {
            self.positions.insert(key.clone(), self.entries.len());
            self.entries
                .push((key.map_or(Value::Null, Value::String), value));
        }
    }
}

/// Names flattened fields with the configured delimiter.
#[derive(Clone, Copy)]
struct Namer<'a>(&'a str);

impl Namer<'_> {
    /// Kafka's `fieldName`: the name alone at the top level (an empty prefix), else
    /// `prefix<delimiter>name`.
    fn name(self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}{}{name}", self.0)
        }
    }

    /// Flattens map entries into `out`. `prefix` is `None` under a null key.
    fn flatten_map(
        self,
        entries: Vec<(Value, Value)>,
        prefix: Option<&str>,
        out: &mut FlatMap,
    ) -> Result<()> {
        for (key, value) in entries {
            let key = match key {
                Value::String(key) => Some(key),
                Value::Null => None,
                other => {
                    return Err(data_error(format!(
                        "class {} cannot be cast to class java.lang.String",
                        class_of(&other)
                    )));
                }
            };
            // Java builds the name from a null key as `null`, or keeps a null key at the top.
            let name = match (prefix, key) {
                (Some(prefix), Some(key)) => Some(self.name(prefix, &key)),
                (Some(""), None) => None,
                (Some(prefix), None) => Some(self.name(prefix, "null")),
                (None, _) => {
                    return Err(data_error(
                        "Flatten transformation does not support a null key for a nested map",
                    ));
                }
            };
            match value {
                Value::Map(nested) => self.flatten_map(nested, name.as_deref(), out)?,
                Value::Struct(_) => {
                    return Err(data_error(format!(
                        "Flatten transformation does not support class {} for record without schemas (for field {}).",
                        class_of(&value),
                        name.as_deref().unwrap_or("null")
                    )));
                }
                Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
                    return Err(data_error(format!(
                        "Flatten transformation was passed a value of type class {} which is not supported by Connect's data API",
                        class_of(&value)
                    )));
                }
                value => out.put(name, value),
            }
        }
        Ok(())
    }

    /// The flattened schema of a struct schema: its name, version, doc and parameters, and one
    /// field per primitive or array field at any depth.
    fn flatten_schema(self, schema: &Schema) -> Result<Schema> {
        if schema.type_() != Type::Struct {
            return Err(data_error("Cannot list fields on non-struct type"));
        }
        let builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        let default = match schema.default_value() {
            Some(Value::Struct(s)) => Some(s),
            _ => None,
        };
        let builder = self.add_fields(schema, "", builder, schema.is_optional(), default)?;
        builder.build().map_err(ConnectError::from)
    }

    /// Adds the flattened fields of `schema` to `builder`; `optional` when an ancestor is, with
    /// defaults from `parent_default`, the ancestors' default for this struct.
    fn add_fields(
        self,
        schema: &Schema,
        prefix: &str,
        mut builder: SchemaBuilder,
        optional: bool,
        parent_default: Option<&Struct>,
    ) -> Result<SchemaBuilder> {
        for field in schema.fields() {
            let name = self.name(prefix, field.name());
            let field_schema = field.schema();
            let field_optional = optional || field_schema.is_optional();
            let field_default = match field_schema.default_value() {
                Some(default) => Some(default),
                None => parent_default
                    .and_then(|d| d.get(field.name()).ok())
                    .filter(|v| !v.is_null()),
            };
            match field_schema.type_() {
                Type::Struct => {
                    let nested_default = match field_default {
                        Some(Value::Struct(s)) => Some(s),
                        _ => None,
                    };
                    builder = self.add_fields(
                        field_schema,
                        &name,
                        builder,
                        field_optional,
                        nested_default,
                    )?;
                }
                Type::Map => return Err(map_not_supported(&name)),
                _ => {
                    let converted =
                        convert_field_schema(field_schema, field_optional, field_default)?;
                    builder = builder.field(name, converted);
                }
            }
        }
        Ok(builder)
    }

    /// Moves the leaf values of `value` into `out`, under their flattened names. A null nested
    /// struct leaves its fields unset; a null leaf reads as its default.
    fn flatten_struct(self, value: Struct, prefix: &str, out: &mut Struct) -> Result<()> {
        let schema = value.schema().clone();
        for (field, field_value) in schema.fields().iter().zip(value.into_values()) {
            let name = self.name(prefix, field.name());
            match field.schema().type_() {
                Type::Struct => match field_value {
                    Value::Struct(nested) => self.flatten_struct(nested, &name, out)?,
                    Value::Null => {}
                    other => {
                        require_struct(&other, PURPOSE)?;
                    }
                },
                Type::Map => return Err(map_not_supported(&name)),
                _ => {
                    let field_value = match field_value {
                        Value::Null => field
                            .schema()
                            .default_value()
                            .cloned()
                            .unwrap_or(Value::Null),
                        v => v,
                    };
                    out.put(&name, field_value)?;
                }
            }
        }
        Ok(())
    }
}

fn map_not_supported(name: &str) -> ConnectError {
    data_error(format!(
        "Flatten transformation does not support MAP for record with schemas (for field {name})."
    ))
}

/// The schema of a flattened primitive or array field: the original's basics, optional as
/// given, with the given default.
fn convert_field_schema(orig: &Schema, optional: bool, default: Option<&Value>) -> Result<Schema> {
    let builder = match orig.type_() {
        Type::Array => match orig.value_schema() {
            Some(element) => SchemaBuilder::array(element.clone()),
            None => return Err(data_error("ARRAY schema has no value schema")),
        },
        other => SchemaBuilder::new(other),
    };
    let mut builder = copy_schema_basics(orig, builder);
    if optional {
        builder = builder.optional();
    }
    if let Some(default) = default {
        builder = builder.default_value(default.clone());
    }
    builder.build().map_err(ConnectError::from)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::config::ConfigType;
    use connect_api::data::logical;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn configured(mut t: Flatten, pairs: &[(&str, &str)]) -> Flatten {
        let props: ConfigMap = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Transform::<SourceRecord>::configure(&mut t, &props).unwrap();
        t
    }

    fn source_value(schema: Option<Schema>, value: Value) -> SourceRecord {
        SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "topic", schema, value)
            .with_partition(0)
    }

    fn sink_key(schema: Option<Schema>, key: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("topic", Some(Schema::string()), "v".into()).with_key(schema, key),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn flat_struct(out: &Value) -> &Struct {
        match out {
            Value::Struct(s) => s,
            other => panic!("not a struct: {other:?}"),
        }
    }

    fn supported_types_schema() -> Schema {
        SchemaBuilder::struct_()
            .field("int8", Schema::int8())
            .field("int16", Schema::int16())
            .field("int32", Schema::int32())
            .field("int64", Schema::int64())
            .field("float32", Schema::float32())
            .field("float64", Schema::float64())
            .field("boolean", Schema::boolean())
            .field("string", Schema::string())
            .field("bytes", Schema::bytes())
            .build()
            .unwrap()
    }

    fn supported_types() -> Struct {
        Struct::new(supported_types_schema())
            .unwrap()
            .with("int8", 8i8)
            .unwrap()
            .with("int16", 16i16)
            .unwrap()
            .with("int32", 32)
            .unwrap()
            .with("int64", 64i64)
            .unwrap()
            .with("float32", 32f32)
            .unwrap()
            .with("float64", 64f64)
            .unwrap()
            .with("boolean", true)
            .unwrap()
            .with("string", "stringy")
            .unwrap()
            .with("bytes", b"bytes".to_vec())
            .unwrap()
    }

    #[test]
    fn class_names_and_config_def() {
        assert_eq!(
            Flatten::KEY_CLASS,
            "org.apache.kafka.connect.transforms.Flatten$Key"
        );
        assert_eq!(
            Flatten::VALUE_CLASS,
            "org.apache.kafka.connect.transforms.Flatten$Value"
        );
        let def = Transform::<SinkRecord>::config(&Flatten::value());
        assert_eq!(def.names().collect::<Vec<_>>(), ["delimiter"]);
        let key = def.key("delimiter").unwrap();
        assert_eq!(key.type_(), ConfigType::String);
        assert_eq!(
            key.default_value().map(ToString::to_string).as_deref(),
            Some(".")
        );
    }

    #[test]
    fn top_level_struct_required() {
        let mut t = configured(Flatten::value(), &[]);
        let err = t
            .apply(source_value(Some(Schema::int32()), 42.into()))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [flattening], found: java.lang.Integer"
        );
    }

    #[test]
    fn top_level_map_required() {
        let mut t = configured(Flatten::value(), &[]);
        let err = t.apply(source_value(None, 42.into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [flattening], found: java.lang.Integer"
        );
    }

    #[test]
    fn nested_struct() {
        let one = SchemaBuilder::struct_()
            .field("B", supported_types_schema())
            .build()
            .unwrap();
        let two = SchemaBuilder::struct_()
            .name("top")
            .version(2)
            .field("A", one.clone())
            .build()
            .unwrap();
        let value = Struct::new(two.clone())
            .unwrap()
            .with(
                "A",
                Struct::new(one)
                    .unwrap()
                    .with("B", supported_types())
                    .unwrap(),
            )
            .unwrap();
        // Unconfigured: the default delimiter.
        let mut t = Flatten::value();
        let out = t
            .apply(source_value(Some(two), value.into()))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.type_(), Type::Struct);
        assert_eq!((schema.name(), schema.version()), (Some("top"), Some(2)));
        let s = flat_struct(&out.value);
        assert_eq!(s.schema().fields().len(), 9);
        assert_eq!(s.get_int8("A.B.int8").unwrap(), Some(8));
        assert_eq!(s.get_int16("A.B.int16").unwrap(), Some(16));
        assert_eq!(s.get_int32("A.B.int32").unwrap(), Some(32));
        assert_eq!(s.get_int64("A.B.int64").unwrap(), Some(64));
        assert_eq!(s.get_float32("A.B.float32").unwrap(), Some(32.0));
        assert_eq!(s.get_float64("A.B.float64").unwrap(), Some(64.0));
        assert_eq!(s.get_boolean("A.B.boolean").unwrap(), Some(true));
        assert_eq!(
            s.get_string("A.B.string").unwrap().as_deref(),
            Some("stringy")
        );
        assert_eq!(
            s.get_bytes("A.B.bytes").unwrap().as_deref(),
            Some(&b"bytes"[..])
        );
        assert_eq!(s.schema(), &schema);
    }

    #[test]
    fn nested_map_with_delimiter() {
        let mut t = configured(Flatten::value(), &[("delimiter", "#")]);
        let supported = map(vec![
            ("int8", Value::Int8(8)),
            ("int16", Value::Int16(16)),
            ("int32", 32.into()),
            ("int64", 64i64.into()),
            ("float32", 32f32.into()),
            ("float64", 64f64.into()),
            ("boolean", true.into()),
            ("string", "stringy".into()),
            ("bytes", b"bytes".to_vec().into()),
        ]);
        let value = map(vec![("A", map(vec![("B", supported)]))]);
        let out = t.apply(source_value(None, value)).unwrap().unwrap();
        assert_eq!(out.value_schema, None);
        let Value::Map(entries) = &out.value else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 9);
        assert_eq!(out.value.map_get(&"A#B#int8".into()), Some(&Value::Int8(8)));
        assert_eq!(
            out.value.map_get(&"A#B#string".into()),
            Some(&Value::from("stringy"))
        );
        assert_eq!(
            out.value.map_get(&"A#B#bytes".into()),
            Some(&Value::from(b"bytes".to_vec()))
        );
    }

    #[test]
    fn optional_field_struct() {
        let inner = SchemaBuilder::struct_()
            .field("opt_int32", Schema::optional_int32())
            .build()
            .unwrap();
        let outer = SchemaBuilder::struct_()
            .field("B", inner.clone())
            .build()
            .unwrap();
        let value = Struct::new(outer.clone())
            .unwrap()
            .with("B", Struct::new(inner).unwrap())
            .unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let out = t
            .apply(source_value(Some(outer), value.into()))
            .unwrap()
            .unwrap();
        let s = flat_struct(&out.value);
        assert_eq!(s.get("B.opt_int32").unwrap(), &Value::Null);
        assert!(
            s.schema()
                .field("B.opt_int32")
                .unwrap()
                .schema()
                .is_optional()
        );
    }

    #[test]
    fn null_passes_through_unchanged() {
        let schema = SchemaBuilder::struct_()
            .optional()
            .field(
                "s",
                SchemaBuilder::struct_()
                    .field("a", Schema::int32())
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let out = t
            .apply(source_value(Some(schema.clone()), Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Null);
        // As in Kafka, the record is returned as it is: the schema is not flattened.
        assert_eq!(out.value_schema, Some(schema));
        let out = t.apply(source_value(None, Value::Null)).unwrap().unwrap();
        assert_eq!(out.value, Value::Null);
        assert_eq!(out.value_schema, None);
    }

    #[test]
    fn optional_nested_struct_makes_children_optional() {
        let inner = SchemaBuilder::struct_()
            .optional()
            .field("req_int32", Schema::int32())
            .build()
            .unwrap();
        let outer = SchemaBuilder::struct_().field("B", inner).build().unwrap();
        let value = Struct::new(outer.clone()).unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let out = t
            .apply(source_value(Some(outer), value.into()))
            .unwrap()
            .unwrap();
        let s = flat_struct(&out.value);
        assert_eq!(s.get("B.req_int32").unwrap(), &Value::Null);
        assert_eq!(
            s.schema().field("B.req_int32").unwrap().schema(),
            &Schema::optional_int32()
        );
    }

    #[test]
    fn optional_top_level_makes_fields_optional_but_not_the_result() {
        let schema = SchemaBuilder::struct_()
            .optional()
            .field("a", Schema::int32())
            .build()
            .unwrap();
        let value = Struct::new(schema.clone()).unwrap().with("a", 1).unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let out = t
            .apply(source_value(Some(schema), value.into()))
            .unwrap()
            .unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert!(!schema.is_optional());
        assert_eq!(
            schema.field("a").unwrap().schema(),
            &Schema::optional_int32()
        );
    }

    #[test]
    fn schemaless_optional_and_null_fields() {
        let mut t = configured(Flatten::value(), &[]);
        let value = map(vec![
            ("B", map(vec![("opt_int32", Value::Null)])),
            ("after", 1.into()),
        ]);
        let out = t.apply(source_value(None, value)).unwrap().unwrap();
        assert_eq!(
            out.value,
            map(vec![("B.opt_int32", Value::Null), ("after", 1.into())])
        );
    }

    #[test]
    fn key_variant() {
        let mut t = configured(Flatten::key(), &[]);
        let key = map(vec![("A", map(vec![("B", 12.into())]))]);
        let out = t.apply(sink_key(None, key)).unwrap().unwrap();
        assert_eq!(out.key, map(vec![("A.B", 12.into())]));
        assert_eq!(out.value, Value::from("v"));

        let inner = SchemaBuilder::struct_()
            .field("B", Schema::int32())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("A", inner.clone())
            .build()
            .unwrap();
        let key = Struct::new(schema.clone())
            .unwrap()
            .with("A", Struct::new(inner).unwrap().with("B", 12).unwrap())
            .unwrap();
        let out = t
            .apply(sink_key(Some(schema), key.into()))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.key_schema
                .clone()
                .unwrap()
                .fields()
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>(),
            ["A.B"]
        );
        assert_eq!(flat_struct(&out.key).get("A.B").unwrap(), &Value::Int32(12));
    }

    #[test]
    fn map_field_with_schema_fails() {
        let schema = SchemaBuilder::struct_()
            .field(
                "A",
                SchemaBuilder::struct_()
                    .field(
                        "m",
                        SchemaBuilder::map(Schema::string(), Schema::int32())
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let err = t
            .apply(source_value(
                Some(schema.clone()),
                Struct::new(schema).unwrap().into(),
            ))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Flatten transformation does not support MAP for record with schemas (for field A.m)."
        );
    }

    #[test]
    fn schemaless_unsupported_values() {
        let mut t = configured(Flatten::value(), &[]);
        let s = Struct::new(SchemaBuilder::struct_().build().unwrap()).unwrap();
        let err = t
            .apply(source_value(
                None,
                map(vec![("a", map(vec![("s", s.into())]))]),
            ))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field a.s)."
        );
        let err = t
            .apply(source_value(None, map(vec![("d", Value::Date(0))])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Flatten transformation was passed a value of type class java.util.Date which is not supported by Connect's data API"
        );
        let err = t
            .apply(source_value(None, Value::Map(vec![(1.into(), 2.into())])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "class java.lang.Integer cannot be cast to class java.lang.String"
        );
    }

    #[test]
    fn schemaless_null_keys() {
        let mut t = configured(Flatten::value(), &[]);
        let value = Value::Map(vec![
            (Value::Null, 1.into()),
            ("a".into(), Value::Map(vec![(Value::Null, 2.into())])),
        ]);
        let out = t.apply(source_value(None, value)).unwrap().unwrap();
        assert_eq!(
            out.value,
            Value::Map(vec![(Value::Null, 1.into()), ("a.null".into(), 2.into())])
        );
        let value = Value::Map(vec![(Value::Null, map(vec![("x", 1.into())]))]);
        let err = t.apply(source_value(None, value)).unwrap_err();
        assert!(err.is_data());
    }

    #[test]
    fn arrays_are_untouched() {
        let element = SchemaBuilder::struct_()
            .field("x", Schema::int32())
            .build()
            .unwrap();
        let array_schema = SchemaBuilder::array(element.clone())
            .name("arr")
            .build()
            .unwrap();
        let inner = SchemaBuilder::struct_()
            .field("list", array_schema.clone())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("A", inner.clone())
            .build()
            .unwrap();
        let array = Value::Array(vec![
            Struct::new(element).unwrap().with("x", 1).unwrap().into(),
        ]);
        let value = Struct::new(schema.clone())
            .unwrap()
            .with(
                "A",
                Struct::new(inner)
                    .unwrap()
                    .with("list", array.clone())
                    .unwrap(),
            )
            .unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let out = t
            .apply(source_value(Some(schema), value.into()))
            .unwrap()
            .unwrap();
        let s = flat_struct(&out.value);
        assert_eq!(s.get("A.list").unwrap(), &array);
        assert_eq!(s.schema().field("A.list").unwrap().schema(), &array_schema);

        let array = Value::Array(vec![map(vec![("k", 1.into())])]);
        let out = t
            .apply(source_value(
                None,
                map(vec![("A", map(vec![("list", array.clone())]))]),
            ))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, map(vec![("A.list", array)]));
    }

    #[test]
    fn defaults_are_inherited() {
        // A field's own default wins; otherwise the parent struct's default supplies one.
        let inner = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .field(
                "b",
                SchemaBuilder::int32().default_value(9).build().unwrap(),
            )
            .build()
            .unwrap();
        let inner_default = Struct::new(inner.clone())
            .unwrap()
            .with("a", 1)
            .unwrap()
            .with("b", 2)
            .unwrap();
        let inner_with_default = SchemaBuilder::struct_()
            .optional()
            .field("a", Schema::int32())
            .field(
                "b",
                SchemaBuilder::int32().default_value(9).build().unwrap(),
            )
            .default_value(inner_default)
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("s", inner_with_default)
            .field("d", logical::decimal_builder(2).optional().build().unwrap())
            .build()
            .unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let value = Struct::new(schema.clone()).unwrap();
        let out = t
            .apply(source_value(Some(schema), value.into()))
            .unwrap()
            .unwrap();
        let flat = out.value_schema.clone().unwrap();
        let a = flat.field("s.a").unwrap().schema();
        assert!(a.is_optional());
        assert_eq!(a.default_value(), Some(&Value::Int32(1)));
        let b = flat.field("s.b").unwrap().schema();
        assert_eq!(b.default_value(), Some(&Value::Int32(9)));
        let d = flat.field("d").unwrap().schema();
        assert_eq!(d, &logical::decimal_builder(2).optional().build().unwrap());
        // The null nested struct leaves its fields unset; reading applies the defaults.
        let s = flat_struct(&out.value);
        assert_eq!(s.get_without_default("s.a").unwrap(), &Value::Null);
        assert_eq!(s.get("s.a").unwrap(), &Value::Int32(1));
    }

    #[test]
    fn null_leaf_takes_its_default() {
        let schema = SchemaBuilder::struct_()
            .field(
                "a",
                SchemaBuilder::string()
                    .optional()
                    .default_value("dflt")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let out = t
            .apply(source_value(
                Some(schema.clone()),
                Struct::new(schema).unwrap().into(),
            ))
            .unwrap()
            .unwrap();
        let s = flat_struct(&out.value);
        assert_eq!(s.get_without_default("a").unwrap(), &Value::from("dflt"));
    }

    #[test]
    fn name_collisions() {
        let inner = SchemaBuilder::struct_()
            .field("b", Schema::int32())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("a.b", Schema::int32())
            .field("a", inner)
            .build()
            .unwrap();
        let mut t = configured(Flatten::value(), &[]);
        let err = t
            .apply(source_value(
                Some(schema.clone()),
                Struct::new(schema).unwrap().into(),
            ))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot create field because of field name duplication a.b"
        );
        // Without a schema the later value replaces the earlier, keeping its place.
        let value = map(vec![
            ("a.b", 1.into()),
            ("x", 0.into()),
            ("a", map(vec![("b", 2.into())])),
        ]);
        let out = t.apply(source_value(None, value)).unwrap().unwrap();
        let Value::Map(entries) = &out.value else {
            panic!("not a map")
        };
        assert_eq!(
            entries,
            &vec![("a.b".into(), 2.into()), ("x".into(), 0.into())]
        );
    }

    #[test]
    fn empty_top_level_name_adds_no_delimiter() {
        let mut t = configured(Flatten::value(), &[]);
        let value = map(vec![("", map(vec![("a", 1.into())]))]);
        let out = t.apply(source_value(None, value)).unwrap().unwrap();
        assert_eq!(out.value, map(vec![("a", 1.into())]));
    }

    #[test]
    fn schema_is_cached() {
        let inner = SchemaBuilder::struct_()
            .field("b", Schema::int32())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("a", inner.clone())
            .build()
            .unwrap();
        let value = || {
            Struct::new(schema.clone())
                .unwrap()
                .with(
                    "a",
                    Struct::new(inner.clone()).unwrap().with("b", 1).unwrap(),
                )
                .unwrap()
        };
        let mut t = configured(Flatten::value(), &[]);
        let first = t
            .apply(source_value(Some(schema.clone()), value().into()))
            .unwrap()
            .unwrap();
        let second = t
            .apply(source_value(Some(schema.clone()), value().into()))
            .unwrap()
            .unwrap();
        assert!(
            first
                .value_schema
                .clone()
                .unwrap()
                .ptr_eq(second.value_schema.as_ref().unwrap())
        );
    }
}
