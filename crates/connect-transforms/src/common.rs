//! What the transforms share: which part of a record they work on (`$Key` / `$Value`), the
//! checks with Kafka's messages, and the cache of derived schemas.

use std::any::Any;
use std::collections::HashMap;

use std::fmt;

use connect_api::config::{ConfigValue, Validator, invalid_value};
use connect_api::data::values::java_class_name;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::error::{ConfigError, ConnectError, DataError};
use connect_api::record::{Record, SinkRecord};

/// The part of a record a `$Key` or `$Value` transform works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The key and key schema (`$Key`).
    Key,
    /// The value and value schema (`$Value`).
    Value,
}

impl Part {
    /// The part's schema in `record`.
    pub fn schema<R: Record>(self, record: &R) -> Option<&Schema> {
        match self {
            Part::Key => record.key_schema.as_ref(),
            Part::Value => record.value_schema.as_ref(),
        }
    }

    /// The part's value in `record`.
    pub fn value<R: Record>(self, record: &R) -> &Value {
        match self {
            Part::Key => &record.key,
            Part::Value => &record.value,
        }
    }

    /// Replaces the part's schema and value (Kafka's `newRecord`), in place: a record is a few
    /// hundred bytes, and a chain of transforms would otherwise copy it at every step.
    pub fn set<R: Record>(self, record: &mut R, schema: Option<Schema>, value: Value) {
        match self {
            Part::Key => {
                record.key_schema = schema;
                record.key = value;
            }
            Part::Value => {
                record.value_schema = schema;
                record.value = value;
            }
        }
    }

    /// Takes the part's schema and value out of `record`, leaving nulls (so a transform can
    /// move them instead of cloning).
    pub fn take<R: Record>(self, record: &mut R) -> (Option<Schema>, Value) {
        match self {
            Part::Key => (record.key_schema.take(), std::mem::take(&mut record.key)),
            Part::Value => (
                record.value_schema.take(),
                std::mem::take(&mut record.value),
            ),
        }
    }
}

/// The value as a struct, or Kafka's `DataException`: `Only Struct objects supported for
/// [<purpose>], found: <class>`.
pub fn require_struct<'a>(value: &'a Value, purpose: &str) -> Result<&'a Struct, ConnectError> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(data_error(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            class_of(other)
        ))),
    }
}

/// The value as a map, or Kafka's `DataException`: `Only Map objects supported in absence of
/// schema for [<purpose>], found: <class>`.
pub fn require_map<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<&'a [(Value, Value)], ConnectError> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(data_error(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            class_of(other)
        ))),
    }
}

/// The schema, or Kafka's `DataException`: `Schema required for [<purpose>]`.
pub fn require_schema<'a>(
    schema: Option<&'a Schema>,
    purpose: &str,
) -> Result<&'a Schema, ConnectError> {
    schema.ok_or_else(|| data_error(format!("Schema required for [{purpose}]")))
}

/// The record as a sink record, or Kafka's `DataException`: `Only SinkRecord supported for
/// [<purpose>], found: <class>`.
pub fn require_sink_record<'a, R: Record>(
    record: &'a R,
    purpose: &str,
) -> Result<&'a SinkRecord, ConnectError> {
    (record as &dyn Any).downcast_ref::<SinkRecord>().ok_or_else(|| {
        data_error(format!(
            "Only SinkRecord supported for [{purpose}], found: org.apache.kafka.connect.source.SourceRecord"
        ))
    })
}

/// Java's class name of a value, `null` for null (for error messages).
pub fn class_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        other => java_class_name(other),
    }
}

/// A data error (Kafka's `DataException`) with this message.
pub fn data_error(message: impl Into<String>) -> ConnectError {
    ConnectError::Data(DataError::new(message))
}

/// Derived schemas by their source schema, as Kafka's transforms keep them (an LRU of 16
/// there): a chain does not rebuild a schema for every record. When full it is cleared.
///
/// Records of one stream usually share one schema instance, and a transform's output schema is
/// the instance this cache handed out, so the last hit is checked by identity first: the common
/// case neither hashes nor compares a schema.
///
/// `D` is what a transform derives from a schema: the output schema, or that with a per-field
/// plan (which fields a `ReplaceField` keeps, which a `Cast` casts) so that the plan is not
/// worked out again by field name for every record.
#[derive(Debug)]
pub struct SchemaCache<D = Schema> {
    last: Option<(Schema, D)>,
    entries: HashMap<Schema, D>,
}

impl<D> Default for SchemaCache<D> {
    fn default() -> Self {
        Self {
            last: None,
            entries: HashMap::new(),
        }
    }
}

impl<D: Clone> SchemaCache<D> {
    const CAPACITY: usize = 16;

    /// What is derived from `source`, made with `derive` the first time. Borrowed: a hit costs
    /// no reference count, and the caller clones only what it keeps.
    ///
    /// # Errors
    ///
    /// The error of `derive`.
    pub fn get_or_derive(
        &mut self,
        source: &Schema,
        derive: impl FnOnce(&Schema) -> Result<D, ConnectError>,
    ) -> Result<&D, ConnectError> {
        let last = match self.last.take() {
            Some(last) if last.0.ptr_eq(source) => last,
            _ => {
                let derived = match self.entries.get(source) {
                    Some(derived) => derived.clone(),
                    None => {
                        let derived = derive(source)?;
                        if self.entries.len() >= Self::CAPACITY {
                            self.entries.clear();
                        }
                        self.entries.insert(source.clone(), derived.clone());
                        derived
                    }
                };
                (source.clone(), derived)
            }
        };
        Ok(&self.last.insert(last).1)
    }

    /// Forgets every derived schema (after a reconfiguration).
    pub fn clear(&mut self) {
        self.last = None;
        self.entries.clear();
    }
}

/// Reads a struct field for a transform: with `replace.null.with.default` (the default) a null
/// field reads as its schema default, as `Struct::get` does; without it, as stored.
///
/// # Errors
///
/// When the struct has no such field.
pub fn get_field<'a>(
    value: &'a Struct,
    field: &str,
    replace_null_with_default: bool,
) -> Result<&'a Value, ConnectError> {
    let got = if replace_null_with_default {
        value.get(field)
    } else {
        value.get_without_default(field)
    };
    got.map_err(ConnectError::from)
}

/// The key `replace.null.with.default`, shared by the transforms that read struct fields.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// Kafka's documentation of `replace.null.with.default`.
pub const REPLACE_NULL_WITH_DEFAULT_DOC: &str = "Whether to replace fields that have a default value \
and that are null to the default value. When set to true, the default value is used, otherwise \
null is used.";

/// `builder` with the name, version, doc and parameters of `source` (Kafka's
/// `SchemaUtil.copySchemaBasics`; optionality and default are not copied).
pub fn copy_schema_basics(source: &Schema, mut builder: SchemaBuilder) -> SchemaBuilder {
    if let Some(name) = source.name() {
        builder = builder.name(name);
    }
    if let Some(version) = source.version() {
        builder = builder.version(version);
    }
    if let Some(doc) = source.doc() {
        builder = builder.doc(doc);
    }
    if let Some(parameters) = source.parameters() {
        builder = builder.parameters(parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    builder
}

/// Kafka's `NonEmptyListValidator`: `Invalid value [] for configuration <name>: Empty list`.
/// Null is rejected too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NonEmptyList;

impl Validator for NonEmptyList {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        match value.and_then(ConfigValue::as_list) {
            Some(items) if !items.is_empty() => Ok(()),
            _ => Err(invalid_value(name, value, "Empty list")),
        }
    }
}

impl fmt::Display for NonEmptyList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("non-empty list")
    }
}
