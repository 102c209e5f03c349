//! Schemas: the twelve Connect types with optionality, defaults, names, versions, docs and
//! parameters, and the builder that validates them.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem::Discriminant;
use std::sync::{Arc, LazyLock};

use indexmap::IndexMap;

use super::logical;
use super::value::Value;
use crate::error::DataError;

/// The twelve Connect schema types.
///
/// `Display` gives Kafka's upper-case enum name (`INT32`); [`Type::name`] the lower-case name used
/// in JSON schemas (`int32`).
///
/// ```
/// use connect_api::data::{Schema, Type};
///
/// assert_eq!(Type::Int32.name(), "int32");
/// assert_eq!(Type::Int32.to_string(), "INT32");
/// assert_eq!(Type::from_name("STRUCT"), Some(Type::Struct));
/// assert!(Type::Boolean.is_primitive() && !Type::Map.is_primitive());
/// assert_eq!(Schema::optional_string().type_(), Type::String);
/// assert_eq!(Schema::of_type(Type::Int64, true), Some(Schema::optional_int64()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 32-bit IEEE 754 floating point number.
    Float32,
    /// 64-bit IEEE 754 floating point number.
    Float64,
    /// Boolean.
    Boolean,
    /// UTF-8 text.
    String,
    /// Arbitrary bytes.
    Bytes,
    /// An ordered sequence of values of one schema.
    Array,
    /// Key/value pairs with one key schema and one value schema.
    Map,
    /// Named fields, each with its own schema.
    Struct,
}

impl Type {
    /// All types, in Kafka's declaration order.
    pub const ALL: [Type; 12] = [
        Type::Int8,
        Type::Int16,
        Type::Int32,
        Type::Int64,
        Type::Float32,
        Type::Float64,
        Type::Boolean,
        Type::String,
        Type::Bytes,
        Type::Array,
        Type::Map,
        Type::Struct,
    ];

    /// The lower-case name (`Schema.Type.getName()`), e.g. `"int32"`, `"struct"`.
    pub fn name(self) -> &'static str {
        match self {
            Type::Int8 => "int8",
            Type::Int16 => "int16",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Float32 => "float32",
            Type::Float64 => "float64",
            Type::Boolean => "boolean",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Array => "array",
            Type::Map => "map",
            Type::Struct => "struct",
        }
    }

    /// Parses a lower-case or upper-case type name.
    pub fn from_name(name: &str) -> Option<Type> {
        Type::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// True for the nine types that are not array, map or struct.
    pub fn is_primitive(self) -> bool {
        !matches!(self, Type::Array | Type::Map | Type::Struct)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name().to_ascii_uppercase())
    }
}

/// One field of a struct schema.
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder};
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("email", Schema::optional_string())
///     .build()?;
/// let fields: Vec<_> = schema.fields().iter().map(|f| (f.index(), f.name())).collect();
/// assert_eq!(fields, [(0, "id"), (1, "email")]);
/// let email = schema.field("email").expect("declared above");
/// assert!(email.schema().is_optional());
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    name: String,
    index: usize,
    schema: Schema,
    /// The variant a non-null value of this field has when the field's schema is not nested,
    /// worked out once: checking a struct's values then compares variants instead of reading
    /// each field's schema (see [`Field::accepts_at_a_glance`]).
    scalar_variant: Option<Discriminant<Value>>,
}

impl Field {
    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The position of the field in its struct.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The field's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// True when `value` is valid for this field by its variant alone: null in an optional
    /// field, or a scalar of the field's kind. False means "check it": the full check
    /// ([`Schema::validate_field_value`]) decides, and words the error.
    pub(crate) fn accepts_at_a_glance(&self, value: &Value) -> bool {
        match value {
            Value::Null => self.schema.is_optional(),
            value => self.scalar_variant == Some(std::mem::discriminant(value)),
        }
    }
}

/// The variant of a non-null value of `schema` when it is a scalar (primitive or logical).
fn scalar_variant(schema: &Schema) -> Option<Discriminant<Value>> {
    use logical::LogicalType;
    let sample = match LogicalType::of(schema) {
        Some(LogicalType::Decimal) => Value::Decimal(Default::default()),
        Some(LogicalType::Date) => Value::Date(0),
        Some(LogicalType::Time) => Value::Time(0),
        Some(LogicalType::Timestamp) => Value::Timestamp(0),
        None => match schema.type_() {
            Type::Int8 => Value::Int8(0),
            Type::Int16 => Value::Int16(0),
            Type::Int32 => Value::Int32(0),
            Type::Int64 => Value::Int64(0),
            Type::Float32 => Value::Float32(0.0),
            Type::Float64 => Value::Float64(0.0),
            Type::Boolean => Value::Boolean(false),
            Type::String => Value::String(String::new()),
            Type::Bytes => Value::Bytes(Default::default()),
            Type::Array | Type::Map | Type::Struct => return None,
        },
    };
    Some(std::mem::discriminant(&sample))
}

#[derive(Debug)]
struct SchemaData {
    ty: Type,
    optional: bool,
    default: Option<Value>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    parameters: Option<IndexMap<String, String>>,
    fields: Vec<Field>,
    field_index: HashMap<String, usize>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
}

/// An immutable Connect schema, cheap to clone (an `Arc`).
///
/// Build one with [`SchemaBuilder`], or use the shared primitive schemas such as
/// [`Schema::int32`] and [`Schema::optional_string`].
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder, Type};
///
/// let schema = SchemaBuilder::struct_()
///     .name("com.example.User")
///     .field("id", Schema::int64())
///     .field("email", Schema::optional_string())
///     .build()?;
/// assert_eq!(schema.type_(), Type::Struct);
/// assert_eq!(schema.field("email").map(|f| f.index()), Some(1));
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
#[derive(Clone)]
pub struct Schema(Arc<SchemaData>);

macro_rules! primitive_schemas {
    ($($ty:ident => $required:ident, $optional:ident;)*) => {
        impl Schema {
            $(
                #[doc = concat!("The shared required `", stringify!($ty), "` schema (Kafka's `", stringify!($ty), "_SCHEMA`).")]
                pub fn $required() -> Schema {
                    static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::primitive(Type::$ty, false));
                    SCHEMA.clone()
                }

                #[doc = concat!("The shared optional `", stringify!($ty), "` schema (Kafka's `OPTIONAL_", stringify!($ty), "_SCHEMA`).")]
                pub fn $optional() -> Schema {
                    static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::primitive(Type::$ty, true));
                    SCHEMA.clone()
                }
            )*
        }
    };
}

primitive_schemas! {
    Int8 => int8, optional_int8;
    Int16 => int16, optional_int16;
    Int32 => int32, optional_int32;
    Int64 => int64, optional_int64;
    Float32 => float32, optional_float32;
    Float64 => float64, optional_float64;
    Boolean => boolean, optional_boolean;
    String => string, optional_string;
    Bytes => bytes, optional_bytes;
}

impl Schema {
    fn primitive(ty: Type, optional: bool) -> Schema {
        Schema(Arc::new(SchemaData {
            ty,
            optional,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: None,
            fields: Vec::new(),
            field_index: HashMap::new(),
            key_schema: None,
            value_schema: None,
        }))
    }

    /// The shared schema of a primitive type, required or optional.
    ///
    /// Returns `None` for array, map and struct, which need more than a type.
    pub fn of_type(ty: Type, optional: bool) -> Option<Schema> {
        let schema = match (ty, optional) {
            (Type::Int8, false) => Schema::int8(),
            (Type::Int8, true) => Schema::optional_int8(),
            (Type::Int16, false) => Schema::int16(),
            (Type::Int16, true) => Schema::optional_int16(),
            (Type::Int32, false) => Schema::int32(),
            (Type::Int32, true) => Schema::optional_int32(),
            (Type::Int64, false) => Schema::int64(),
            (Type::Int64, true) => Schema::optional_int64(),
            (Type::Float32, false) => Schema::float32(),
            (Type::Float32, true) => Schema::optional_float32(),
            (Type::Float64, false) => Schema::float64(),
            (Type::Float64, true) => Schema::optional_float64(),
            (Type::Boolean, false) => Schema::boolean(),
            (Type::Boolean, true) => Schema::optional_boolean(),
            (Type::String, false) => Schema::string(),
            (Type::String, true) => Schema::optional_string(),
            (Type::Bytes, false) => Schema::bytes(),
            (Type::Bytes, true) => Schema::optional_bytes(),
            (Type::Array | Type::Map | Type::Struct, _) => return None,
        };
        Some(schema)
    }

    /// The schema type.
    pub fn type_(&self) -> Type {
        self.0.ty
    }

    /// Whether null is a valid value.
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }

    /// The default value, used when a field's value is null.
    pub fn default_value(&self) -> Option<&Value> {
        self.0.default.as_ref()
    }

    /// The schema name, e.g. a record name or a logical type name.
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The schema version.
    pub fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// Documentation.
    pub fn doc(&self) -> Option<&str> {
        self.0.doc.as_deref()
    }

    /// Parameters in insertion order, or `None` when none were ever set.
    pub fn parameters(&self) -> Option<&IndexMap<String, String>> {
        self.0.parameters.as_ref()
    }

    /// One parameter.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.0.parameters.as_ref()?.get(key).map(String::as_str)
    }

    /// The fields of a struct schema, in order; empty for any other type.
    pub fn fields(&self) -> &[Field] {
        &self.0.fields
    }

    /// The field called `name` of a struct schema.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.0.field_index.get(name).map(|&i| &self.0.fields[i])
    }

    /// The key schema of a map schema.
    pub fn key_schema(&self) -> Option<&Schema> {
        self.0.key_schema.as_ref()
    }

    /// The element schema of an array schema, or the value schema of a map schema.
    pub fn value_schema(&self) -> Option<&Schema> {
        self.0.value_schema.as_ref()
    }

    /// A builder preloaded with this schema's properties, to derive a changed copy.
    ///
    /// ```
    /// use connect_api::data::{Schema, SchemaBuilder};
    /// let optional = SchemaBuilder::from_schema(&Schema::int32()).optional().build()?;
    /// assert_eq!(optional, Schema::optional_int32());
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    pub fn to_builder(&self) -> SchemaBuilder {
        SchemaBuilder::from_schema(self)
    }

    /// Checks that `value` may be used with this schema: its variant matches the type (or the
    /// logical type named by the schema), null only where optional, structs with an equal schema,
    /// and every element of arrays and maps.
    ///
    /// ```
    /// use connect_api::data::{Schema, Value};
    /// assert!(Schema::int32().validate_value(&Value::Int32(1)).is_ok());
    /// let err = Schema::int32().validate_value(&Value::Null).unwrap_err();
    /// assert_eq!(err.to_string(), "Invalid value: null used for required value, schema type: INT32");
    /// ```
    pub fn validate_value(&self, value: &Value) -> Result<(), DataError> {
        self.validate_at(None, value)
    }

    pub(crate) fn validate_field_value(&self, field: &str, value: &Value) -> Result<(), DataError> {
        self.validate_at(Some(field), value)
    }

    fn validate_at(&self, field: Option<&str>, value: &Value) -> Result<(), DataError> {
        if value.is_null() {
            if self.is_optional() {
                return Ok(());
            }
            return Err(DataError::new(match field {
                Some(f) => format!(
                    "Invalid value: null used for required field: \"{f}\", schema type: {}",
                    self.type_()
                ),
                None => format!(
                    "Invalid value: null used for required value, schema type: {}",
                    self.type_()
                ),
            }));
        }
        if !self.accepts_kind_of(value) {
            let name = self.name().map(|n| format!(" \"{n}\"")).unwrap_or_default();
            let place = match field {
                Some(f) => format!("field: \"{f}\""),
                None => "value".to_string(),
            };
            return Err(DataError::new(format!(
                "Invalid Java object for schema{name} with type {}: class {} for {place}",
                self.type_(),
                super::values::java_class_name(value)
            )));
        }
        match value {
            Value::Struct(s) => {
                if s.schema() != self {
                    return Err(DataError::new("Struct schemas do not match."));
                }
                s.validate()
            }
            Value::Array(items) => {
                let element = self.require_value_schema()?;
                items.iter().try_for_each(|v| element.validate_at(field, v))
            }
            Value::Map(entries) => {
                let key = self
                    .key_schema()
                    .ok_or_else(|| DataError::new("Map schema has no key schema"))?;
                let val = self.require_value_schema()?;
                entries.iter().try_for_each(|(k, v)| {
                    key.validate_at(field, k)?;
                    val.validate_at(field, v)
                })
            }
            _ => Ok(()),
        }
    }

    /// Whether `value` is of the kind this schema holds: its logical type's value when it has
    /// one, else its type's.
    fn accepts_kind_of(&self, value: &Value) -> bool {
        match scalar_variant(self) {
            Some(variant) => std::mem::discriminant(value) == variant,
            None => matches!(
                (value, self.type_()),
                (Value::Array(_), Type::Array)
                    | (Value::Map(_), Type::Map)
                    | (Value::Struct(_), Type::Struct)
            ),
        }
    }

    fn require_value_schema(&self) -> Result<&Schema, DataError> {
        self.value_schema()
            .ok_or_else(|| DataError::new(format!("{} schema has no value schema", self.type_())))
    }

    /// Whether two handles point at the very same schema (a cheap check before `==`).
    pub fn ptr_eq(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        let (a, b) = (&*self.0, &*other.0);
        a.ty == b.ty
            && a.optional == b.optional
            && a.name == b.name
            && a.version == b.version
            && a.doc == b.doc
            && a.parameters == b.parameters
            && a.default == b.default
            && a.fields == b.fields
            && a.key_schema == b.key_schema
            && a.value_schema == b.value_schema
    }
}

impl Eq for Schema {}

impl Hash for Schema {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let d = &*self.0;
        d.ty.hash(state);
        d.optional.hash(state);
        d.name.hash(state);
        d.version.hash(state);
        d.fields.hash(state);
        d.key_schema.hash(state);
        d.value_schema.hash(state);
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &*self.0;
        let mut s = f.debug_struct("Schema");
        s.field("type", &d.ty).field("optional", &d.optional);
        if let Some(v) = &d.default {
            s.field("default", v);
        }
        if let Some(v) = &d.name {
            s.field("name", v);
        }
        if let Some(v) = &d.version {
            s.field("version", v);
        }
        if let Some(v) = &d.doc {
            s.field("doc", v);
        }
        if let Some(v) = &d.parameters {
            s.field("parameters", v);
        }
        if !d.fields.is_empty() {
            s.field("fields", &d.fields);
        }
        if let Some(v) = &d.key_schema {
            s.field("keys", v);
        }
        if let Some(v) = &d.value_schema {
            s.field("values", v);
        }
        s.finish()
    }
}

/// `Schema{name:TYPE}` or `Schema{TYPE}`, as Kafka prints schemas.
impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Schema{{{name}:{}}}", self.type_()),
            None => write!(f, "Schema{{{}}}", self.type_()),
        }
    }
}

macro_rules! primitive_builders {
    ($($fn:ident => $ty:ident),* $(,)?) => {$(
        #[doc = concat!("A `", stringify!($fn), "` builder.")]
        pub fn $fn() -> Self {
            Self::new(Type::$ty)
        }
    )*};
}

/// Builds a [`Schema`], validating as it goes.
///
/// Calls chain without `?`; the first misuse (a property set twice, a field on a non-struct, a
/// duplicate field name, a default that does not match the type) is reported by
/// [`SchemaBuilder::build`] with Kafka's `SchemaBuilderException` wording.
///
/// ```
/// use connect_api::data::{SchemaBuilder, Value};
///
/// let err = SchemaBuilder::int32().name("a").name("b").build().unwrap_err();
/// assert_eq!(err.to_string(), "Invalid SchemaBuilder call: name has already been set.");
///
/// let with_default = SchemaBuilder::int32().default_value(42).build()?;
/// assert_eq!(with_default.default_value(), Some(&Value::Int32(42)));
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SchemaBuilder {
    ty: Type,
    /// The once-only properties set on this builder; values copied by
    /// [`SchemaBuilder::from_schema`] are not counted, so a derived copy may change them.
    set: Vec<&'static str>,
    optional: Option<bool>,
    default: Option<Value>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    parameters: Option<IndexMap<String, String>>,
    fields: Vec<Field>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
    error: Option<DataError>,
}

impl SchemaBuilder {
    /// A builder for a schema of type `ty`. Array and map schemas are better made with
    /// [`SchemaBuilder::array`] and [`SchemaBuilder::map`], which take the element schemas.
    pub fn new(ty: Type) -> Self {
        Self {
            ty,
            set: Vec::new(),
            optional: None,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: None,
            fields: Vec::new(),
            key_schema: None,
            value_schema: None,
            error: None,
        }
    }

    primitive_builders! {
        int8 => Int8, int16 => Int16, int32 => Int32, int64 => Int64,
        float32 => Float32, float64 => Float64, boolean => Boolean, string => String, bytes => Bytes,
    }

    /// A `struct` builder; add fields with [`SchemaBuilder::field`].
    pub fn struct_() -> Self {
        Self::new(Type::Struct)
    }

    /// An array builder whose elements have `value_schema`.
    pub fn array(value_schema: Schema) -> Self {
        let mut b = Self::new(Type::Array);
        b.value_schema = Some(value_schema);
        b
    }

    /// A map builder with `key_schema` keys and `value_schema` values.
    pub fn map(key_schema: Schema, value_schema: Schema) -> Self {
        let mut b = Self::new(Type::Map);
        b.key_schema = Some(key_schema);
        b.value_schema = Some(value_schema);
        b
    }

    /// A builder with every property of `schema`, to derive a changed copy: any property may
    /// then be set once more, replacing the copied one.
    ///
    /// ```
    /// use connect_api::data::{Schema, SchemaBuilder};
    /// let renamed = SchemaBuilder::string().name("a").version(1).build()?;
    /// let renamed = SchemaBuilder::from_schema(&renamed).name("b").build()?;
    /// assert_eq!((renamed.name(), renamed.version()), (Some("b"), Some(1)));
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    pub fn from_schema(schema: &Schema) -> Self {
        let d = &*schema.0;
        Self {
            ty: d.ty,
            set: Vec::new(),
            optional: Some(d.optional),
            default: d.default.clone(),
            name: d.name.clone(),
            version: d.version,
            doc: d.doc.clone(),
            parameters: d.parameters.clone(),
            fields: d.fields.clone(),
            key_schema: d.key_schema.clone(),
            value_schema: d.value_schema.clone(),
            error: None,
        }
    }

    fn fail(&mut self, err: DataError) {
        if self.error.is_none() {
            self.error = Some(err);
        }
    }

    fn check_can_set(&mut self, property: &'static str) -> bool {
        if self.set.contains(&property) {
            self.fail(DataError::schema_builder(format!(
                "Invalid SchemaBuilder call: {property} has already been set."
            )));
            false
        } else {
            self.set.push(property);
            true
        }
    }

    /// The type being built.
    pub fn type_(&self) -> Type {
        self.ty
    }

    /// Makes null a valid value.
    pub fn optional(mut self) -> Self {
        if self.check_can_set("optional") {
            self.optional = Some(true);
        }
        self
    }

    /// Makes null an invalid value (the default).
    pub fn required(mut self) -> Self {
        if self.check_can_set("optional") {
            self.optional = Some(false);
        }
        self
    }

    /// Sets the default value, checked against the schema by [`SchemaBuilder::build`].
    pub fn default_value(mut self, value: impl Into<Value>) -> Self {
        if self.check_can_set("default") {
            let value = value.into();
            if value.is_null() {
                self.fail(DataError::schema_builder(
                    "Invalid default value: a default value may not be null",
                ));
            } else {
                self.default = Some(value);
            }
        }
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        if self.check_can_set("name") {
            self.name = Some(name.into());
        }
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: i32) -> Self {
        if self.check_can_set("version") {
            self.version = Some(version);
        }
        self
    }

    /// Sets the documentation.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        if self.check_can_set("doc") {
            self.doc = Some(doc.into());
        }
        self
    }

    /// Adds one parameter, keeping insertion order.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters
            .get_or_insert_with(IndexMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Adds several parameters, keeping their order.
    pub fn parameters<K: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map = self.parameters.get_or_insert_with(IndexMap::new);
        for (k, v) in params {
            map.insert(k.into(), v.into());
        }
        self
    }

    /// Adds a field to a struct schema.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Self {
        let name = name.into();
        if self.ty != Type::Struct {
            self.fail(DataError::schema_builder(format!(
                "Cannot create fields on type {}",
                self.ty
            )));
        } else if name.is_empty() {
            self.fail(DataError::schema_builder("fieldName cannot be null."));
        } else if self.fields.iter().any(|f| f.name == name) {
            self.fail(DataError::schema_builder(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        } else {
            let index = self.fields.len();
            self.fields.push(Field {
                name,
                index,
                scalar_variant: scalar_variant(&schema),
                schema,
            });
        }
        self
    }

    /// Finishes the schema, reporting the first misuse of the builder.
    pub fn build(self) -> Result<Schema, DataError> {
        if let Some(err) = self.error {
            return Err(err);
        }
        match self.ty {
            Type::Array if self.value_schema.is_none() => {
                return Err(DataError::schema_builder(
                    "Array schema requires a value schema; use SchemaBuilder::array",
                ));
            }
            Type::Map if self.key_schema.is_none() || self.value_schema.is_none() => {
                return Err(DataError::schema_builder(
                    "Map schema requires key and value schemas; use SchemaBuilder::map",
                ));
            }
            _ => {}
        }
        let field_index = self
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.index))
            .collect();
        let default = self.default;
        let schema = Schema(Arc::new(SchemaData {
            ty: self.ty,
            optional: self.optional.unwrap_or(false),
            default: None,
            name: self.name,
            version: self.version,
            doc: self.doc,
            parameters: self.parameters,
            fields: self.fields,
            field_index,
            key_schema: self.key_schema,
            value_schema: self.value_schema,
        }));
        let Some(default) = default else {
            return Ok(schema);
        };
        // A default is checked against the finished schema, so that a logical name set after the
        // default is taken into account; the schema it is checked against must itself be required.
        let checked = schema.with_optional_and_default(false, None);
        checked
            .validate_value(&default)
            .map_err(|e| DataError::schema_builder(format!("Invalid default value: {e}")))?;
        Ok(schema.with_optional_and_default(schema.is_optional(), Some(default)))
    }
}

impl Schema {
    fn with_optional_and_default(&self, optional: bool, default: Option<Value>) -> Schema {
        let d = &*self.0;
        Schema(Arc::new(SchemaData {
            ty: d.ty,
            optional,
            default,
            name: d.name.clone(),
            version: d.version,
            doc: d.doc.clone(),
            parameters: d.parameters.clone(),
            fields: d.fields.clone(),
            field_index: d.field_index.clone(),
            key_schema: d.key_schema.clone(),
            value_schema: d.value_schema.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_schemas_are_shared_and_compare_equal() {
        assert!(Schema::int32().ptr_eq(&Schema::int32()));
        assert_eq!(Schema::int32(), SchemaBuilder::int32().build().unwrap());
        assert_ne!(Schema::int32(), Schema::optional_int32());
        assert_eq!(
            Schema::of_type(Type::Bytes, true),
            Some(Schema::optional_bytes())
        );
        assert_eq!(Schema::of_type(Type::Struct, false), None);
    }

    #[test]
    fn type_names() {
        assert_eq!(Type::Float64.name(), "float64");
        assert_eq!(Type::Float64.to_string(), "FLOAT64");
        assert_eq!(Type::from_name("STRUCT"), Some(Type::Struct));
        assert!(Type::Bytes.is_primitive());
        assert!(!Type::Map.is_primitive());
    }

    #[test]
    fn each_property_may_be_set_once() {
        for (b, prop) in [
            (SchemaBuilder::int8().optional().required(), "optional"),
            (
                SchemaBuilder::int8().default_value(1i8).default_value(2i8),
                "default",
            ),
            (SchemaBuilder::int8().version(1).version(2), "version"),
            (SchemaBuilder::int8().doc("a").doc("b"), "doc"),
        ] {
            assert_eq!(
                b.build().unwrap_err().to_string(),
                format!("Invalid SchemaBuilder call: {prop} has already been set.")
            );
        }
    }

    #[test]
    fn field_errors() {
        let err = SchemaBuilder::int32().field("a", Schema::int8()).build();
        assert_eq!(
            err.unwrap_err().to_string(),
            "Cannot create fields on type INT32"
        );
        let err = SchemaBuilder::struct_().field("", Schema::int8()).build();
        assert_eq!(err.unwrap_err().to_string(), "fieldName cannot be null.");
        let err = SchemaBuilder::struct_()
            .field("a", Schema::int8())
            .field("a", Schema::int8())
            .build();
        assert_eq!(
            err.unwrap_err().to_string(),
            "Cannot create field because of field name duplication a"
        );
    }

    #[test]
    fn default_must_match_type() {
        let err = SchemaBuilder::int32()
            .default_value("x")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::DataErrorKind::SchemaBuilder);
        assert!(
            err.to_string().starts_with("Invalid default value: "),
            "{err}"
        );
        let ok = SchemaBuilder::string()
            .optional()
            .default_value("x")
            .build()
            .unwrap();
        assert!(ok.is_optional());
        assert_eq!(ok.default_value(), Some(&Value::from("x")));
    }

    #[test]
    fn equality_is_structural() {
        let a = SchemaBuilder::struct_()
            .name("n")
            .parameter("k", "v")
            .field("f", Schema::int8())
            .build()
            .unwrap();
        let b = SchemaBuilder::struct_()
            .name("n")
            .parameter("k", "v")
            .field("f", Schema::int8())
            .build()
            .unwrap();
        let c = SchemaBuilder::struct_()
            .name("n")
            .field("f", Schema::int8())
            .build()
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_string(), "Schema{n:STRUCT}");
        assert_eq!(a.to_builder().build().unwrap(), a);
    }

    #[test]
    fn validate_value_checks_elements() {
        let schema = SchemaBuilder::array(Schema::int32()).build().unwrap();
        assert!(
            schema
                .validate_value(&Value::Array(vec![Value::Int32(1)]))
                .is_ok()
        );
        let err = schema
            .validate_value(&Value::Array(vec![Value::Int64(1)]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid Java object for schema with type INT32: class java.lang.Long for value"
        );
        let map = SchemaBuilder::map(Schema::string(), Schema::optional_int32())
            .build()
            .unwrap();
        assert!(
            map.validate_value(&Value::Map(vec![("a".into(), Value::Null)]))
                .is_ok()
        );
        assert!(
            map.validate_value(&Value::Map(vec![(Value::Null, Value::Int32(1))]))
                .is_err()
        );
    }
}
