//! The Connect data model: [`Schema`], [`Value`], [`Struct`] and the logical types.
//!
//! ```
//! use connect_api::data::{logical, Schema, SchemaAndValue, SchemaBuilder, Struct, Value};
//!
//! let schema = SchemaBuilder::struct_()
//!     .name("com.example.Order")
//!     .field("id", Schema::int64())
//!     .field("placed", logical::timestamp_schema())
//!     .build()?;
//! let order = Struct::new(schema.clone())?
//!     .with("id", 7i64)?
//!     .with("placed", Value::Timestamp(1_700_000_000_000))?;
//! let record_value = SchemaAndValue::new(Some(schema), order.into());
//! assert!(record_value.validate().is_ok());
//! # Ok::<(), connect_api::error::DataError>(())
//! ```

pub mod logical;
mod projector;
mod schema;
mod structs;
mod value;
pub mod values;

pub use projector::project;
pub use schema::{Field, Schema, SchemaBuilder, Type};
pub use structs::Struct;
pub use value::Value;

use crate::error::DataError;

/// A value with its schema; the schema is `None` for schemaless data (Kafka's `SchemaAndValue`).
///
/// What a converter returns when it reads data, and what [`Headers::add`](crate::header::Headers::add)
/// takes.
///
/// ```
/// use connect_api::data::{Schema, SchemaAndValue, Value};
///
/// let typed = SchemaAndValue::new(Some(Schema::int32()), Value::Int32(7));
/// assert!(typed.validate().is_ok());
/// let mismatched = SchemaAndValue::new(Some(Schema::int32()), "seven".into());
/// assert!(mismatched.validate().is_err());
/// let schemaless = SchemaAndValue::new(None, "seven".into());
/// assert!(schemaless.validate().is_ok());
/// assert_eq!(SchemaAndValue::default(), SchemaAndValue::NULL);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaAndValue {
    /// The schema, if the data has one.
    pub schema: Option<Schema>,
    /// The value.
    pub value: Value,
}

impl SchemaAndValue {
    /// Kafka's `SchemaAndValue.NULL`: no schema, null value.
    pub const NULL: SchemaAndValue = SchemaAndValue {
        schema: None,
        value: Value::Null,
    };

    /// Pairs a value with its schema.
    pub fn new(schema: Option<Schema>, value: Value) -> Self {
        Self { schema, value }
    }

    /// Checks the value against the schema, when there is one.
    pub fn validate(&self) -> Result<(), DataError> {
        match &self.schema {
            Some(schema) => schema.validate_value(&self.value),
            None => Ok(()),
        }
    }
}
