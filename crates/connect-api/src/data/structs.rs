//! [`Struct`]: a value of a struct schema, with field access by name.

use std::fmt;

use bigdecimal::BigDecimal;
use bytes::Bytes;

use super::logical;
use super::schema::{Field, Schema, Type};
use super::value::Value;
use crate::error::DataError;

/// A value of a struct schema: one slot per field, validated on every [`Struct::put`].
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("name", SchemaBuilder::string().optional().default_value("anonymous").build()?)
///     .build()?;
/// let mut user = Struct::new(schema)?;
/// user.put("id", 42i64)?;
/// assert_eq!(user.get("name")?, &Value::from("anonymous")); // the default applies
/// assert_eq!(user.get_int64("id")?, Some(42));
/// assert_eq!(user.to_string(), "Struct{id=42}");
/// user.validate()?;
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struct {
    schema: Schema,
    values: Vec<Value>,
}

macro_rules! typed_getters {
    ($($fn:ident => $ty:ident, $variant:ident, $out:ty;)*) => {
        $(
            #[doc = concat!("The value of an `", stringify!($ty), "` field (no default applied); errors if the field has another type.")]
            pub fn $fn(&self, name: &str) -> Result<Option<$out>, DataError> {
                match self.typed(name, Type::$ty)? {
                    Value::Null => Ok(None),
                    Value::$variant(v) => Ok(Some(v.clone())),
                    other => Err(DataError::new(format!(
                        "Field '{name}' holds a {} value, not {}", other.kind(), Type::$ty
                    ))),
                }
            }
        )*
    };
}

impl Struct {
    /// An empty struct of `schema`; every field starts null.
    pub fn new(schema: Schema) -> Result<Self, DataError> {
        if schema.type_() != Type::Struct {
            return Err(DataError::new(format!("Not a struct schema: {schema}")));
        }
        let values = vec![Value::Null; schema.fields().len()];
        Ok(Self { schema, values })
    }

    /// A struct from one value per field, in field order, validated.
    pub fn from_values(schema: Schema, values: Vec<Value>) -> Result<Self, DataError> {
        if schema.type_() != Type::Struct {
            return Err(DataError::new(format!("Not a struct schema: {schema}")));
        }
        if values.len() != schema.fields().len() {
            return Err(DataError::new(format!(
                "Struct of {} fields given {} values",
                schema.fields().len(),
                values.len()
            )));
        }
        for (field, value) in schema.fields().iter().zip(&values) {
            if !field.accepts_at_a_glance(value) {
                field.schema().validate_field_value(field.name(), value)?;
            }
        }
        Ok(Self { schema, values })
    }

    /// A struct from values that the caller built to match `schema` (converters, transforms).
    /// Skips validation; [`Struct::validate`] still checks it.
    pub(crate) fn from_parts(schema: Schema, values: Vec<Value>) -> Self {
        Self { schema, values }
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The field values in field order (nulls where unset, no defaults applied).
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Takes the field values out, in field order.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// Takes the schema and the field values out, for rebuilding the struct under another
    /// schema without copying either.
    ///
    /// ```
    /// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
    ///
    /// let schema = SchemaBuilder::struct_().field("id", Schema::int64()).build()?;
    /// let (schema_out, values) = Struct::new(schema.clone())?.with("id", 7i64)?.into_parts();
    /// assert!(schema_out.ptr_eq(&schema));
    /// assert_eq!(values, [Value::Int64(7)]);
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    pub fn into_parts(self) -> (Schema, Vec<Value>) {
        (self.schema, self.values)
    }

    fn lookup(&self, name: &str) -> Result<&Field, DataError> {
        self.schema
            .field(name)
            .ok_or_else(|| DataError::new(format!("{name} is not a valid field name")))
    }

    /// Sets field `name` after checking the value against the field's schema.
    pub fn put(&mut self, name: &str, value: impl Into<Value>) -> Result<&mut Self, DataError> {
        let field = self.lookup(name)?;
        let value = value.into();
        if !field.accepts_at_a_glance(&value) {
            field.schema().validate_field_value(name, &value)?;
        }
        let index = field.index();
        self.values[index] = value;
        Ok(self)
    }

    /// Sets a field and returns the struct, for building in one expression.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Result<Self, DataError> {
        self.put(name, value)?;
        Ok(self)
    }

    /// The value of field `name`, or the field's default when the value is null.
    pub fn get(&self, name: &str) -> Result<&Value, DataError> {
        let field = self.lookup(name)?;
        Ok(self.value_or_default(field))
    }

    /// The value of `field` (a field of this struct's schema), or its default when the value is
    /// null.
    pub(crate) fn value_or_default<'a>(&'a self, field: &'a Field) -> &'a Value {
        match self.values.get(field.index()) {
            None | Some(Value::Null) => field.schema().default_value().unwrap_or(&Value::Null),
            Some(v) => v,
        }
    }

    /// The value of field `name` as stored, without applying the default.
    pub fn get_without_default(&self, name: &str) -> Result<&Value, DataError> {
        let field = self.lookup(name)?;
        Ok(&self.values[field.index()])
    }

    fn typed(&self, name: &str, ty: Type) -> Result<&Value, DataError> {
        let field = self.lookup(name)?;
        if field.schema().type_() != ty {
            return Err(DataError::new(format!(
                "Field '{name}' is not of type {ty}"
            )));
        }
        Ok(&self.values[field.index()])
    }

    typed_getters! {
        get_int8 => Int8, Int8, i8;
        get_int16 => Int16, Int16, i16;
        get_int32 => Int32, Int32, i32;
        get_int64 => Int64, Int64, i64;
        get_float32 => Float32, Float32, f32;
        get_float64 => Float64, Float64, f64;
        get_boolean => Boolean, Boolean, bool;
        get_string => String, String, String;
        get_bytes => Bytes, Bytes, Bytes;
        get_struct => Struct, Struct, Struct;
        get_array => Array, Array, Vec<Value>;
    }

    /// The entries of a `map` field (no default applied); errors if the field has another type.
    pub fn get_map(&self, name: &str) -> Result<Option<Vec<(Value, Value)>>, DataError> {
        match self.typed(name, Type::Map)? {
            Value::Null => Ok(None),
            Value::Map(entries) => Ok(Some(entries.clone())),
            other => Err(DataError::new(format!(
                "Field '{name}' holds a {} value, not MAP",
                other.kind()
            ))),
        }
    }

    /// The value of a Decimal field (no default applied); errors if the field is not a Decimal.
    pub fn get_decimal(&self, name: &str) -> Result<Option<BigDecimal>, DataError> {
        let field = self.lookup(name)?;
        if logical::LogicalType::of(field.schema()) != Some(logical::LogicalType::Decimal) {
            return Err(DataError::new(format!(
                "Field '{name}' is not of type {}",
                logical::DECIMAL_NAME
            )));
        }
        match &self.values[field.index()] {
            Value::Decimal(d) => Ok(Some(d.clone())),
            _ => Ok(None),
        }
    }

    /// Checks every field: required fields without a default must be set, and every value must
    /// match its schema.
    pub fn validate(&self) -> Result<(), DataError> {
        for (field, value) in self.schema.fields().iter().zip(&self.values) {
            let schema = field.schema();
            if value.is_null() && (schema.is_optional() || schema.default_value().is_some()) {
                continue;
            }
            schema.validate_field_value(field.name(), value)?;
        }
        Ok(())
    }
}

/// Kafka's `Struct{a=1,b=x}`: non-null fields only.
impl fmt::Display for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Struct{")?;
        let mut first = true;
        for (field, value) in self.schema.fields().iter().zip(&self.values) {
            if value.is_null() {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{}={value}", field.name())?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaBuilder;

    fn schema() -> Schema {
        SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .field("b", Schema::optional_string())
            .build()
            .unwrap()
    }

    #[test]
    fn put_validates() {
        let mut s = Struct::new(schema()).unwrap();
        let err = s.put("a", "x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid Java object for schema with type INT32: class java.lang.String for field: \"a\""
        );
        assert_eq!(
            s.put("zz", 1).unwrap_err().to_string(),
            "zz is not a valid field name"
        );
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "Invalid value: null used for required field: \"a\", schema type: INT32"
        );
        s.put("a", 1).unwrap();
        s.validate().unwrap();
    }

    #[test]
    fn typed_getters_check_type() {
        let s = Struct::new(schema()).unwrap().with("a", 5).unwrap();
        assert_eq!(s.get_int32("a").unwrap(), Some(5));
        assert_eq!(
            s.get_int8("a").unwrap_err().to_string(),
            "Field 'a' is not of type INT8"
        );
        assert_eq!(s.get_string("b").unwrap(), None);
    }

    #[test]
    fn not_a_struct_schema() {
        assert_eq!(
            Struct::new(Schema::int8()).unwrap_err().to_string(),
            "Not a struct schema: Schema{INT8}"
        );
    }

    #[test]
    fn from_values_checks_count_and_types() {
        assert!(Struct::from_values(schema(), vec![Value::Int32(1)]).is_err());
        assert!(Struct::from_values(schema(), vec![Value::Int64(1), Value::Null]).is_err());
        let s = Struct::from_values(schema(), vec![Value::Int32(1), "x".into()]).unwrap();
        assert_eq!(s.to_string(), "Struct{a=1,b=x}");
    }
}
