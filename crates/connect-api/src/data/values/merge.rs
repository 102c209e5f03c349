//! Arrays and maps read by [`parse_string`](super::parse_string): their entries, the common
//! schema of their elements (Kafka's `SchemaMerger`), and aligning the elements with it.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use super::convert::convert_to;
use super::parse::{Item, ParseFailed, ParsedSchema};
use crate::data::{Schema, SchemaBuilder, Type, Value};

/// Map entries as Java's `LinkedHashMap` keeps them: in insertion order, a repeated key keeping
/// its position and taking the new value. Keys are indexed by a hash consistent with `Value`
/// equality, so building a map from untrusted text stays linear.
pub(super) struct Entries {
    entries: Vec<(Value, Value)>,
    index: HashMap<u64, Vec<usize>>,
    hasher: RandomState,
}

impl Entries {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
            index: HashMap::with_capacity(capacity),
            hasher: RandomState::new(),
        }
    }

    pub(super) fn put(&mut self, key: Value, value: Value) {
        let mut hasher = self.hasher.build_hasher();
        hash_key(&key, &mut hasher);
        let slots = self.index.entry(hasher.finish()).or_default();
        match slots.iter().find(|&&i| self.entries[i].0 == key) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                slots.push(self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    fn into_value(self) -> Value {
        Value::Map(self.entries)
    }
}

/// Hashes what `Value` equality compares: floats by bits with every NaN alike, decimals by
/// unscaled value and scale, and maps (equal whatever their order) by size only.
fn hash_key(value: &Value, state: &mut impl Hasher) {
    std::mem::discriminant(value).hash(state);
    match value {
        Value::Null | Value::Struct(_) => {}
        Value::Int8(v) => v.hash(state),
        Value::Int16(v) => v.hash(state),
        Value::Int32(v) | Value::Date(v) | Value::Time(v) => v.hash(state),
        Value::Int64(v) | Value::Timestamp(v) => v.hash(state),
        Value::Float32(v) => (!v.is_nan()).then(|| v.to_bits()).hash(state),
        Value::Float64(v) => (!v.is_nan()).then(|| v.to_bits()).hash(state),
        Value::Boolean(v) => v.hash(state),
        Value::String(v) => v.hash(state),
        Value::Bytes(v) => v.hash(state),
        Value::Decimal(v) => v.as_bigint_and_exponent().hash(state),
        Value::Array(items) => {
            items.len().hash(state);
            items.iter().for_each(|item| hash_key(item, state));
        }
        Value::Map(entries) => entries.len().hash(state),
    }
}

pub(super) fn finish_map(
    entries: Entries,
    key_common: Option<ParsedSchema>,
    value_common: Option<ParsedSchema>,
) -> Result<Item, ParseFailed> {
    let untyped = |entries: Entries| Item {
        schema: ParsedSchema::Untyped(Type::Map),
        value: entries.into_value(),
    };
    match (key_common, value_common) {
        (Some(keys), Some(values)) => {
            let mut aligned = Entries::with_capacity(entries.entries.len());
            for (k, v) in &entries.entries {
                aligned.put(align(&keys, k)?, align(&values, v)?);
            }
            container_item(Type::Map, Some(keys), Some(values), aligned.into_value())
        }
        (Some(keys), None) => {
            let mut aligned = Entries::with_capacity(entries.entries.len());
            for (k, v) in entries.entries {
                aligned.put(align(&keys, &k)?, v);
            }
            Ok(untyped(aligned))
        }
        (None, _) => Ok(untyped(entries)),
    }
}

/// An array (`keys` is `None`) or map `value` whose elements were aligned with their common
/// schemas.
///
/// Kafka merges two array (or map) schemas without comparing their element schemas, and aligns
/// only the outer elements, so its schema may not describe the value: `[[1, 2], [300]]` gets
/// `ARRAY<ARRAY<INT16>>` with the inner `1` and `2` left as `INT8`, and `[[1], [{"a": 2}]]` an
/// array-of-maps schema. Here nested elements are converted to the schema too (the text written
/// back is the same), and when that is impossible the value has no schema, as if its elements
/// had no common schema; a parsed schema always validates its value.
pub(super) fn container_item(
    ty: Type,
    keys: Option<ParsedSchema>,
    values: Option<ParsedSchema>,
    value: Value,
) -> Result<Item, ParseFailed> {
    let built = match (ty, keys, values) {
        (Type::Array, None, Some(ParsedSchema::Known(values))) => {
            SchemaBuilder::array(values).build()
        }
        (Type::Map, Some(ParsedSchema::Known(keys)), Some(ParsedSchema::Known(values))) => {
            SchemaBuilder::map(keys, values).build()
        }
        _ => {
            return Ok(Item {
                schema: ParsedSchema::Untyped(ty),
                value,
            });
        }
    };
    let schema = built.map_err(|_| ParseFailed)?;
    Ok(match conform(&schema, &value) {
        Some(conformed) if schema.validate_value(&conformed).is_ok() => {
            Item::known(schema, conformed)
        }
        _ => Item {
            schema: ParsedSchema::Untyped(ty),
            value,
        },
    })
}

/// Converts `value` to `schema`, through nested arrays and maps; `None` if some part cannot be.
fn conform(schema: &Schema, value: &Value) -> Option<Value> {
    match (schema.type_(), value) {
        (Type::Array, Value::Array(items)) => {
            let element = schema.value_schema()?;
            items
                .iter()
                .map(|item| conform(element, item))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array)
        }
        (Type::Map, Value::Map(entries)) => {
            let (key_schema, value_schema) = (schema.key_schema()?, schema.value_schema()?);
            let mut conformed = Entries::with_capacity(entries.len());
            for (k, v) in entries {
                conformed.put(conform(key_schema, k)?, conform(value_schema, v)?);
            }
            Some(conformed.into_value())
        }
        _ => convert_to(schema, None, value).ok(),
    }
}

/// Converts one element to the common schema of its array or map (Kafka's `alignListEntries…`):
/// `null` fails, since the parsed schemas are all required.
pub(super) fn align(common: &ParsedSchema, value: &Value) -> Result<Value, ParseFailed> {
    match common {
        ParsedSchema::Known(schema) => convert_to(schema, None, value).map_err(|_| ParseFailed),
        ParsedSchema::Untyped(ty) => match (ty, value) {
            (Type::Array, Value::Array(_)) | (Type::Map, Value::Map(_)) => Ok(value.clone()),
            _ => Err(ParseFailed),
        },
    }
}

/// Finds the common schema of the elements of an array or the keys or values of a map (Kafka's
/// `SchemaMerger`): numbers widen to the widest type seen, anything else must match.
#[derive(Default)]
pub(super) struct SchemaMerger {
    pub(super) common: Option<ParsedSchema>,
    incompatible: bool,
}

impl SchemaMerger {
    pub(super) fn merge(&mut self, latest: Option<&Item>) {
        let Some(latest) = latest else { return };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(latest.schema.clone()),
            Some(previous) => {
                let merged = merge_schemas(previous, &latest.schema);
                self.incompatible = merged.is_none();
                merged
            }
        };
    }
}

fn merge_schemas(previous: ParsedSchema, latest: &ParsedSchema) -> Option<ParsedSchema> {
    let (previous_type, latest_type) = (previous.type_(), latest.type_());
    if previous_type != latest_type {
        return match (numeric_rank(previous_type), numeric_rank(latest_type)) {
            (Some(p), Some(l)) if l > p => Some(latest.clone()),
            (Some(_), Some(_)) => Some(previous),
            _ => None,
        };
    }
    if previous.is_optional() == latest.is_optional() {
        // Kafka keeps the first when both are optional and the latest when both are required.
        return if previous.is_optional() {
            Some(previous)
        } else {
            Some(latest.clone())
        };
    }
    None
}

/// The order in which numeric types widen: `INT8 < INT16 < INT32 < INT64 < FLOAT32 < FLOAT64`.
fn numeric_rank(ty: Type) -> Option<u8> {
    match ty {
        Type::Int8 => Some(0),
        Type::Int16 => Some(1),
        Type::Int32 => Some(2),
        Type::Int64 => Some(3),
        Type::Float32 => Some(4),
        Type::Float64 => Some(5),
        _ => None,
    }
}
