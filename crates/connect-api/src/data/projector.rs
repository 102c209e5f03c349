//! Projecting a value written with one schema onto a compatible schema (Kafka's
//! `SchemaProjector`), the basis of schema evolution in sinks.

use indexmap::IndexMap;

use super::{Schema, Struct, Type, Value};
use crate::error::DataError;

/// Projects `value`, written with `source`, onto `target`.
///
/// The schemas must have the same type (or a numeric promotion: `int8` → `int16` → `int32` →
/// `int64` → `float32` → `float64`), the same name and the same parameters. Struct fields missing
/// from the source take the target's default, or null when optional; fields absent from the
/// target are dropped. A null for an optional source takes the target's default when the target
/// is required.
///
/// ```
/// use connect_api::data::{project, Schema, SchemaBuilder, Struct, Value};
///
/// let v1 = SchemaBuilder::struct_().field("id", Schema::int32()).build()?;
/// let v2 = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("tag", SchemaBuilder::string().default_value("none").build()?)
///     .build()?;
/// let old = Struct::new(v1.clone())?.with("id", 7)?;
/// let projected = project(&v1, &old.into(), &v2)?;
/// let projected = projected.as_struct().unwrap();
/// assert_eq!(projected.get("id")?, &Value::Int64(7));
/// assert_eq!(projected.get("tag")?, &Value::from("none"));
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn project(source: &Schema, value: &Value, target: &Schema) -> Result<Value, DataError> {
    check_maybe_compatible(source, target)?;
    if source.is_optional() && !target.is_optional() {
        let Some(default) = target.default_value() else {
            return Err(DataError::schema_projector(
                "Writer schema is optional, however, target schema does not provide a default value.",
            ));
        };
        if value.is_null() {
            return Ok(default.clone());
        }
    } else if value.is_null() {
        return Ok(Value::Null);
    }
    project_required(source, value, target)
}

fn project_required(source: &Schema, value: &Value, target: &Schema) -> Result<Value, DataError> {
    match (target.type_(), value) {
        (Type::Struct, Value::Struct(s)) => project_struct(source, s, target),
        (Type::Array, Value::Array(items)) => {
            let (from, to) = element_schemas(source, target)?;
            items
                .iter()
                .map(|item| project(from, item, to))
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        (Type::Map, Value::Map(entries)) => {
            let (from_key, to_key) = match (source.key_schema(), target.key_schema()) {
                (Some(a), Some(b)) => (a, b),
                _ => return Err(DataError::schema_projector("Map schema without key schema")),
            };
            let (from, to) = element_schemas(source, target)?;
            entries
                .iter()
                .map(|(k, v)| Ok((project(from_key, k, to_key)?, project(from, v, to)?)))
                .collect::<Result<_, DataError>>()
                .map(Value::Map)
        }
        (ty, v) if ty.is_primitive() => project_primitive(v, ty),
        (ty, v) => Err(DataError::schema_projector(format!(
            "Cannot project a {} value onto a {ty} schema",
            v.kind()
        ))),
    }
}

fn element_schemas<'a>(
    source: &'a Schema,
    target: &'a Schema,
) -> Result<(&'a Schema, &'a Schema), DataError> {
    match (source.value_schema(), target.value_schema()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(DataError::schema_projector(format!(
            "{} schema without value schema",
            target.type_()
        ))),
    }
}

fn project_struct(source: &Schema, value: &Struct, target: &Schema) -> Result<Value, DataError> {
    let mut values = Vec::with_capacity(target.fields().len());
    for target_field in target.fields() {
        let name = target_field.name();
        let projected = match source.field(name) {
            Some(source_field) => {
                // Read by name from the value's own schema, which a faulty record may not share
                // with `source`.
                let field_value = value.get(name)?;
                project(source_field.schema(), field_value, target_field.schema()).map_err(|e| {
                    DataError::schema_projector(format!("Error projecting {name}: {e}"))
                })?
            }
            None => match target_field.schema().default_value() {
                Some(default) => default.clone(),
                None if target_field.schema().is_optional() => Value::Null,
                None => {
                    return Err(DataError::schema_projector(format!(
                        "Required field `{name}` is missing from source schema: {source}"
                    )));
                }
            },
        };
        values.push(projected);
    }
    Ok(Value::Struct(Struct::from_parts(target.clone(), values)))
}

fn project_primitive(value: &Value, target: Type) -> Result<Value, DataError> {
    let promoted = match (value, target) {
        (Value::Int8(v), Type::Int16) => Value::Int16((*v).into()),
        (Value::Int8(v), Type::Int32) => Value::Int32((*v).into()),
        (Value::Int16(v), Type::Int32) => Value::Int32((*v).into()),
        (Value::Int8(v), Type::Int64) => Value::Int64((*v).into()),
        (Value::Int16(v), Type::Int64) => Value::Int64((*v).into()),
        (Value::Int32(v), Type::Int64) => Value::Int64((*v).into()),
        (Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_), Type::Float32) => {
            Value::Float32(value.as_i64().unwrap_or_default() as f32)
        }
        (Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_), Type::Float64) => {
            Value::Float64(value.as_i64().unwrap_or_default() as f64)
        }
        (Value::Float32(v), Type::Float64) => Value::Float64((*v).into()),
        (other, _) => other.clone(),
    };
    Ok(promoted)
}

fn is_promotable(from: Type, to: Type) -> bool {
    // The numeric types, narrowest first, lead `Type::ALL`.
    let numeric = &Type::ALL[..6];
    let rank = |t| numeric.iter().position(|o| *o == t);
    matches!((rank(from), rank(to)), (Some(a), Some(b)) if a <= b)
}

fn check_maybe_compatible(source: &Schema, target: &Schema) -> Result<(), DataError> {
    if source.type_() != target.type_() && !is_promotable(source.type_(), target.type_()) {
        return Err(DataError::schema_projector(format!(
            "Schema type mismatch. source type: {} and target type: {}",
            source.type_(),
            target.type_()
        )));
    }
    if source.name() != target.name() {
        return Err(DataError::schema_projector(format!(
            "Schema name mismatch. source name: {} and target name: {}",
            source.name().unwrap_or("null"),
            target.name().unwrap_or("null")
        )));
    }
    if source.parameters() != target.parameters() {
        return Err(DataError::schema_projector(format!(
            "Schema parameters not equal. source parameters: {} and target parameters: {}",
            java_map(source.parameters()),
            java_map(target.parameters())
        )));
    }
    Ok(())
}

fn java_map(params: Option<&IndexMap<String, String>>) -> String {
    match params {
        None => "null".to_string(),
        Some(map) => {
            let entries: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{SchemaBuilder, logical};

    #[test]
    fn numeric_promotion_only_widens() {
        let v = project(&Schema::int8(), &Value::Int8(5), &Schema::float64()).unwrap();
        assert_eq!(v, Value::Float64(5.0));
        let err = project(&Schema::int64(), &Value::Int64(5), &Schema::int32()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Schema type mismatch. source type: INT64 and target type: INT32"
        );
    }

    #[test]
    fn optional_to_required_needs_default() {
        let err = project(&Schema::optional_int32(), &Value::Null, &Schema::int32()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Writer schema is optional, however, target schema does not provide a default value."
        );
        let target = SchemaBuilder::int32().default_value(9).build().unwrap();
        let v = project(&Schema::optional_int32(), &Value::Null, &target).unwrap();
        assert_eq!(v, Value::Int32(9));
    }

    #[test]
    fn names_and_parameters_must_match() {
        let err = project(
            &logical::decimal_schema(2),
            &Value::Null,
            &logical::decimal_schema(3),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Schema parameters not equal. source parameters: {scale=2} and target parameters: {scale=3}"
        );
        let named = SchemaBuilder::int32().name("a").build().unwrap();
        assert!(project(&Schema::int32(), &Value::Int32(1), &named).is_err());
    }

    #[test]
    fn struct_fields_missing_from_source() {
        let source = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .build()
            .unwrap();
        let target = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .build()
            .unwrap();
        let value = Struct::new(source.clone()).unwrap().with("a", 1).unwrap();
        let err = project(&source, &value.clone().into(), &target).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Required field `b` is missing from source schema: Schema{STRUCT}"
        );
        let target = SchemaBuilder::struct_()
            .field("b", Schema::optional_string())
            .build()
            .unwrap();
        let v = project(&source, &value.into(), &target).unwrap();
        assert_eq!(v.as_struct().unwrap().get("b").unwrap(), &Value::Null);
    }

    #[test]
    fn arrays_and_maps_project_elements() {
        let source = SchemaBuilder::map(Schema::string(), Schema::int16())
            .build()
            .unwrap();
        let target = SchemaBuilder::map(Schema::string(), Schema::int64())
            .build()
            .unwrap();
        let v = Value::Map(vec![("k".into(), Value::Int16(3))]);
        let out = project(&source, &v, &target).unwrap();
        assert_eq!(out, Value::Map(vec![("k".into(), Value::Int64(3))]));
        let err = project(&source, &v, &Schema::int64()).unwrap_err();
        assert!(err.to_string().starts_with("Schema type mismatch"));
    }
}
