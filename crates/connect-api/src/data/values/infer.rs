//! Inferring the schema of a value: [`infer_schema`] (Kafka's `Values.inferSchema`).

use crate::data::{Schema, SchemaBuilder, Type, Value};

/// Infers a schema for a value (Kafka's `Values.inferSchema`): the required schema of a primitive
/// value, a struct's own schema, and for non-empty arrays and maps whose elements all have the
/// same primitive type the array or map of it (optional when there are nulls). Decimals, dates,
/// times, timestamps, nested arrays and maps, and mixed elements have none.
///
/// ```
/// use connect_api::data::{values, Schema, SchemaBuilder, Value};
/// assert_eq!(values::infer_schema(&Value::Int32(1)), Some(Schema::int32()));
/// let list = Value::Array(vec![1i64.into(), Value::Null]);
/// assert_eq!(values::infer_schema(&list), Some(SchemaBuilder::array(Schema::optional_int64()).build()?));
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn infer_schema(value: &Value) -> Option<Schema> {
    match value {
        Value::Int8(_) => Some(Schema::int8()),
        Value::Int16(_) => Some(Schema::int16()),
        Value::Int32(_) => Some(Schema::int32()),
        Value::Int64(_) => Some(Schema::int64()),
        Value::Float32(_) => Some(Schema::float32()),
        Value::Float64(_) => Some(Schema::float64()),
        Value::Boolean(_) => Some(Schema::boolean()),
        Value::String(_) => Some(Schema::string()),
        Value::Bytes(_) => Some(Schema::bytes()),
        Value::Struct(s) => Some(s.schema().clone()),
        Value::Array(items) => {
            let element = detect_schema(items.iter())?;
            SchemaBuilder::array(element).build().ok()
        }
        Value::Map(entries) => {
            let key = detect_schema(entries.iter().map(|(k, _)| k))?;
            let value = detect_schema(entries.iter().map(|(_, v)| v))?;
            SchemaBuilder::map(key, value).build().ok()
        }
        Value::Null | Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            None
        }
    }
}

/// Kafka's `SchemaDetector`: the one type of the non-null values, optional if there are nulls.
fn detect_schema<'a>(values: impl Iterator<Item = &'a Value>) -> Option<Schema> {
    let mut known: Option<Type> = None;
    let mut optional = false;
    for value in values {
        if value.is_null() {
            optional = true;
            continue;
        }
        let ty = infer_schema(value)?.type_();
        if known.is_some_and(|k| k != ty) {
            return None;
        }
        known = Some(ty);
    }
    let ty = known?;
    match ty {
        // Kafka builds these without element schemas, which cannot be represented.
        Type::Array | Type::Map => None,
        Type::Struct => {
            let builder = SchemaBuilder::struct_();
            let builder = if optional {
                builder.optional()
            } else {
                builder
            };
            builder.build().ok()
        }
        primitive => Schema::of_type(primitive, optional),
    }
}
