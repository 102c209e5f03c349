//! Schema evolution: when a record's schema starts a new file, and how records are projected to
//! the file's schema (Confluent's `StorageSchemaCompatibility`).
//!
//! A file holds one value schema. With `NONE` every schema change starts a new file. With
//! `BACKWARD` and `FULL` the file moves to a newer version and older records are projected up to
//! it; with `FORWARD` it moves to an older version and newer records are projected down.

use connect_api::data::{Schema, Type, Value, project};
use connect_api::error::DataError;

/// The parameters that mark a Connect schema as an enumeration (Avro's and Protobuf's data
/// mappings), whose symbols may shrink but not grow between compatible versions.
const ENUM_PARAMETERS: [&str; 3] = [
    "io.confluent.connect.avro.Enum",
    "org.apache.kafka.connect.data.Enum",
    "io.confluent.connect.protobuf.Enum",
];

/// The `schema.compatibility` modes.
///
/// ```
/// use connect_api::data::SchemaBuilder;
/// use connect_hdfs::compatibility::SchemaCompatibility;
///
/// let v1 = SchemaBuilder::struct_().name("Order").version(1)
///     .field("id", connect_api::data::Schema::int64()).build()?;
/// let v2 = SchemaBuilder::struct_().name("Order").version(2)
///     .field("id", connect_api::data::Schema::int64())
///     .field("note", connect_api::data::Schema::optional_string()).build()?;
///
/// // BACKWARD moves the file to the newer schema, and projects older records up to it.
/// assert!(SchemaCompatibility::Backward.should_change_schema(Some(&v2), Some(&v1))?);
/// assert!(!SchemaCompatibility::Backward.should_change_schema(Some(&v1), Some(&v2))?);
/// // NONE starts a new file on any change.
/// assert!(SchemaCompatibility::None.should_change_schema(Some(&v1), Some(&v2))?);
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaCompatibility {
    /// Every schema change starts a new file; records are never projected.
    #[default]
    None,
    /// Newer versions replace the file's schema; older records are projected to it.
    Backward,
    /// Older versions replace the file's schema; newer records are projected to it.
    Forward,
    /// As `Backward`.
    Full,
}

impl SchemaCompatibility {
    /// The mode of a `schema.compatibility` value, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "NONE" => Some(Self::None),
            "BACKWARD" => Some(Self::Backward),
            "FORWARD" => Some(Self::Forward),
            "FULL" => Some(Self::Full),
            _ => None,
        }
    }

    /// The configuration name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Backward => "BACKWARD",
            Self::Forward => "FORWARD",
            Self::Full => "FULL",
        }
    }

    /// Whether a record with schema `record` cannot go into a file with schema `current`, so that
    /// `record` must become the schema of a new file.
    ///
    /// Errors when schema-based and schemaless records mix, and (except under `NONE`) when a
    /// schema has no version.
    pub fn should_change_schema(
        self,
        record: Option<&Schema>,
        current: Option<&Schema>,
    ) -> Result<bool, DataError> {
        let (record, current) = match (record, current) {
            (None, None) => return Ok(false),
            (Some(record), Some(current)) => (record, current),
            _ => {
                return Err(DataError::schema_projector(
                    "Switch between schema-based and schema-less data is not supported",
                ));
            }
        };
        if record.ptr_eq(current) {
            return Ok(false);
        }
        if self == Self::None {
            return Ok(record != current);
        }
        let (Some(record_version), Some(current_version)) = (record.version(), current.version())
        else {
            return Err(DataError::schema_projector(format!(
                "Schema version required for {} compatibility",
                self.name()
            )));
        };
        if record.type_() != current.type_() && !is_promotable(record.type_(), current.type_()) {
            return Ok(true);
        }
        if record.name() != current.name() || !parameters_compatible(record, current) {
            return Ok(true);
        }
        Ok(match self {
            Self::Forward => record_version < current_version,
            _ => record_version > current_version,
        })
    }

    /// `value` (of schema `record`) as the file schema `current` holds it: projected unless the
    /// schemas are the same or the mode is `NONE`.
    pub fn project(
        self,
        record: Option<&Schema>,
        value: &Value,
        current: Option<&Schema>,
    ) -> Result<Option<Value>, DataError> {
        match (record, current) {
            (Some(record), Some(current))
                if self != Self::None && !record.ptr_eq(current) && record != current =>
            {
                project(record, value, current).map(Some)
            }
            _ => Ok(None),
        }
    }
}

/// Whether `from` widens to `to` along INT8 < INT16 < INT32 < INT64 < FLOAT32 < FLOAT64.
fn is_promotable(from: Type, to: Type) -> bool {
    let rank = |ty| match ty {
        Type::Int8 => Some(0),
        Type::Int16 => Some(1),
        Type::Int32 => Some(2),
        Type::Int64 => Some(3),
        Type::Float32 => Some(4),
        Type::Float64 => Some(5),
        _ => None,
    };
    matches!((rank(from), rank(to)), (Some(from), Some(to)) if from <= to)
}

/// Equal parameters, or for enumerations the record's symbols a subset of the current ones.
fn parameters_compatible(record: &Schema, current: &Schema) -> bool {
    let (record_params, current_params) = (record.parameters(), current.parameters());
    if record_params == current_params {
        return true;
    }
    let is_enum = |schema: &Schema| {
        ENUM_PARAMETERS
            .iter()
            .any(|p| schema.parameter(p).is_some())
    };
    if !(is_enum(record) && is_enum(current)) {
        return false;
    }
    match (record_params, current_params) {
        (Some(record_params), Some(current_params)) => record_params
            .iter()
            .all(|(key, value)| current_params.get(key) == Some(value)),
        (None, _) => true,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use connect_api::data::{SchemaBuilder, Struct};

    use super::*;

    fn order(version: i32, with_note: bool) -> Schema {
        let mut builder = SchemaBuilder::struct_()
            .name("Order")
            .version(version)
            .field("id", Schema::int64());
        if with_note {
            builder = builder.field(
                "note",
                SchemaBuilder::string()
                    .optional()
                    .default_value("none")
                    .build()
                    .unwrap(),
            );
        }
        builder.build().unwrap()
    }

    fn order_value(schema: &Schema, id: i64) -> Value {
        let mut value = Struct::new(schema.clone()).unwrap();
        value.put("id", id).unwrap();
        Value::Struct(value)
    }

    #[test]
    fn none_changes_on_any_difference_and_never_projects() {
        let (v1, v1_doc) = (
            order(1, false),
            order(1, false).to_builder().doc("x").build().unwrap(),
        );
        let none = SchemaCompatibility::None;
        assert!(none.should_change_schema(Some(&v1_doc), Some(&v1)).unwrap());
        assert!(
            !none
                .should_change_schema(Some(&v1), Some(&order(1, false)))
                .unwrap()
        );
        let value = order_value(&v1, 1);
        assert_eq!(
            none.project(Some(&v1), &value, Some(&order(2, true)))
                .unwrap(),
            None
        );
    }

    #[test]
    fn backward_and_full_move_up_forward_moves_down() {
        let (v1, v2) = (order(1, false), order(2, true));
        for mode in [SchemaCompatibility::Backward, SchemaCompatibility::Full] {
            assert!(mode.should_change_schema(Some(&v2), Some(&v1)).unwrap());
            assert!(!mode.should_change_schema(Some(&v1), Some(&v2)).unwrap());
            let projected = mode
                .project(Some(&v1), &order_value(&v1, 7), Some(&v2))
                .unwrap()
                .unwrap();
            let Value::Struct(projected) = projected else {
                panic!("not a struct")
            };
            assert_eq!(projected.get("id").unwrap(), &Value::Int64(7));
            assert_eq!(
                projected.get("note").unwrap(),
                &Value::String("none".into())
            );
        }
        let forward = SchemaCompatibility::Forward;
        assert!(forward.should_change_schema(Some(&v1), Some(&v2)).unwrap());
        assert!(!forward.should_change_schema(Some(&v2), Some(&v1)).unwrap());
    }

    #[test]
    fn type_name_and_version_rules() {
        let backward = SchemaCompatibility::Backward;
        let int = |v| SchemaBuilder::int32().version(v).build().unwrap();
        let long = SchemaBuilder::int64().version(1).build().unwrap();
        let text = SchemaBuilder::string().version(1).build().unwrap();
        assert!(
            !backward
                .should_change_schema(Some(&int(1)), Some(&long))
                .unwrap()
        );
        assert!(
            backward
                .should_change_schema(Some(&long), Some(&int(1)))
                .unwrap()
        );
        assert!(
            backward
                .should_change_schema(Some(&text), Some(&long))
                .unwrap()
        );
        let renamed = order(1, false).to_builder().name("Other").build().unwrap();
        assert!(
            backward
                .should_change_schema(Some(&renamed), Some(&order(1, false)))
                .unwrap()
        );
        let unversioned = Schema::int32();
        let error = backward
            .should_change_schema(Some(&unversioned), Some(&int(1)))
            .unwrap_err();
        assert_eq!(
            error.message(),
            "Schema version required for BACKWARD compatibility"
        );
    }

    #[test]
    fn enum_symbols_may_shrink_but_not_grow() {
        let symbols = |names: &[&str]| {
            let mut builder = SchemaBuilder::string()
                .name("Colour")
                .version(1)
                .parameter("io.confluent.connect.avro.Enum", "Colour");
            for name in names {
                builder =
                    builder.parameter(format!("io.confluent.connect.avro.Enum.{name}"), *name);
            }
            builder.build().unwrap()
        };
        let full = SchemaCompatibility::Full;
        let (two, three) = (
            symbols(&["RED", "BLUE"]),
            symbols(&["RED", "BLUE", "GREEN"]),
        );
        assert!(!full.should_change_schema(Some(&two), Some(&three)).unwrap());
        assert!(full.should_change_schema(Some(&three), Some(&two)).unwrap());
    }

    #[test]
    fn schemaless_and_schema_based_do_not_mix() {
        let error = SchemaCompatibility::None
            .should_change_schema(None, Some(&Schema::string()))
            .unwrap_err();
        assert_eq!(
            error.message(),
            "Switch between schema-based and schema-less data is not supported"
        );
        assert!(
            !SchemaCompatibility::Full
                .should_change_schema(None, None)
                .unwrap()
        );
    }

    #[test]
    fn unprojectable_record_is_an_error() {
        let v1 = order(1, false);
        let required_extra = SchemaBuilder::struct_()
            .name("Order")
            .version(2)
            .field("id", Schema::int64())
            .field("amount", Schema::int64())
            .build()
            .unwrap();
        let backward = SchemaCompatibility::Backward;
        assert!(
            backward
                .should_change_schema(Some(&required_extra), Some(&v1))
                .unwrap()
        );
        let error = backward
            .project(Some(&v1), &order_value(&v1, 1), Some(&required_extra))
            .unwrap_err();
        assert!(error.message().contains("amount"), "{error}");
    }
}
