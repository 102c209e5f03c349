//! Record headers: an ordered multi-map of keys to schema-and-value pairs.

use bigdecimal::BigDecimal;
use bytes::Bytes;

use crate::data::{Schema, SchemaAndValue, Struct, Value, logical};
use crate::error::DataError;

/// One header: a key, an optional schema and a value.
///
/// ```
/// use connect_api::data::{Schema, Value};
/// use connect_api::header::Header;
///
/// let header = Header::new("retries", Some(Schema::int32()), Value::Int32(3))?;
/// assert_eq!(header.key(), "retries");
/// assert_eq!(header.value().as_i64(), Some(3));
/// assert!(Header::new("retries", Some(Schema::int32()), "three".into()).is_err());
///
/// let renamed = header.rename("attempts");
/// assert_eq!((renamed.key(), renamed.schema()), ("attempts", Some(&Schema::int32())));
/// let (key, _schema, value) = header.with(None, "3".into()).into_parts();
/// assert_eq!((key.as_str(), value.as_str()), ("retries", Some("3")));
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    key: String,
    schema: Option<Schema>,
    value: Value,
}

impl Header {
    /// A header, its value checked against its schema when there is one.
    pub fn new(
        key: impl Into<String>,
        schema: Option<Schema>,
        value: Value,
    ) -> Result<Self, DataError> {
        let key = key.into();
        if let Some(schema) = &schema {
            schema
                .validate_value(&value)
                .map_err(|e| e.context(format_args!("header '{key}'")))?;
        }
        Ok(Self { key, schema, value })
    }

    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The schema, if any.
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }

    /// The value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The same key with another schema and value.
    pub fn with(&self, schema: Option<Schema>, value: Value) -> Self {
        Self {
            key: self.key.clone(),
            schema,
            value,
        }
    }

    /// The same schema and value under another key.
    pub fn rename(&self, key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            schema: self.schema.clone(),
            value: self.value.clone(),
        }
    }

    /// Splits the header into key, schema and value.
    pub fn into_parts(self) -> (String, Option<Schema>, Value) {
        (self.key, self.schema, self.value)
    }
}

/// The headers of a record: insertion-ordered, repeated keys allowed (Kafka's `ConnectHeaders`).
///
/// ```
/// use connect_api::header::Headers;
///
/// let mut headers = Headers::new();
/// headers.add_string("trace", "a").add_int32("retry", 1).add_string("trace", "b");
/// assert_eq!(headers.len(), 3);
/// let traces: Vec<_> = headers.all_with_name("trace").map(|h| h.value().to_string()).collect();
/// assert_eq!(traces, ["a", "b"]);
/// assert_eq!(headers.last_with_name("trace").map(|h| h.value().to_string()), Some("b".into()));
/// headers.retain_latest();
/// assert_eq!(headers.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers(Vec<Header>);

macro_rules! typed_adds {
    ($($fn:ident($ty:ty) => $variant:ident, $schema:expr;)*) => {
        $(
            #[doc = concat!("Appends a header with a `", stringify!($ty), "` value.")]
            pub fn $fn(&mut self, key: impl Into<String>, value: $ty) -> &mut Self {
                self.push_unchecked(key.into(), Some($schema), Value::$variant(value.into()))
            }
        )*
    };
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// How many headers there are, repeated keys counted each time.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All headers in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    /// The headers with `key`, in order.
    pub fn all_with_name<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.0.iter().filter(move |h| h.key == key)
    }

    /// The last header with `key`.
    pub fn last_with_name(&self, key: &str) -> Option<&Header> {
        self.0.iter().rev().find(|h| h.key == key)
    }

    /// Appends a header.
    pub fn add_header(&mut self, header: Header) -> &mut Self {
        self.0.push(header);
        self
    }

    /// Appends a header after checking the value against the schema.
    pub fn add(
        &mut self,
        key: impl Into<String>,
        schema_and_value: SchemaAndValue,
    ) -> Result<&mut Self, DataError> {
        let header = Header::new(key, schema_and_value.schema, schema_and_value.value)?;
        Ok(self.add_header(header))
    }

    fn push_unchecked(&mut self, key: String, schema: Option<Schema>, value: Value) -> &mut Self {
        self.0.push(Header { key, schema, value });
        self
    }

    typed_adds! {
        add_boolean(bool) => Boolean, Schema::boolean();
        add_int8(i8) => Int8, Schema::int8();
        add_int16(i16) => Int16, Schema::int16();
        add_int32(i32) => Int32, Schema::int32();
        add_int64(i64) => Int64, Schema::int64();
        add_float32(f32) => Float32, Schema::float32();
        add_float64(f64) => Float64, Schema::float64();
        add_bytes(Bytes) => Bytes, Schema::bytes();
        add_date(i32) => Date, logical::date_schema();
        add_time(i32) => Time, logical::time_schema();
        add_timestamp(i64) => Timestamp, logical::timestamp_schema();
    }

    /// Appends a string header.
    pub fn add_string(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.push_unchecked(
            key.into(),
            Some(Schema::string()),
            Value::String(value.into()),
        )
    }

    /// Appends a struct header, with the struct's own schema.
    pub fn add_struct(&mut self, key: impl Into<String>, value: Struct) -> &mut Self {
        let schema = value.schema().clone();
        self.push_unchecked(key.into(), Some(schema), Value::Struct(value))
    }

    /// Appends a decimal header with a Decimal schema of the value's scale; fails when the scale
    /// does not fit in 32 bits (Java's limit).
    pub fn add_decimal(
        &mut self,
        key: impl Into<String>,
        value: BigDecimal,
    ) -> Result<&mut Self, DataError> {
        let scale = value.as_bigint_and_exponent().1;
        let scale = i32::try_from(scale).map_err(|_| {
            DataError::new(format!("Decimal scale {scale} does not fit in 32 bits"))
        })?;
        let schema = logical::decimal_schema(scale);
        Ok(self.push_unchecked(key.into(), Some(schema), Value::Decimal(value)))
    }

    /// Appends an array header, checked against its array `schema`.
    pub fn add_list(
        &mut self,
        key: impl Into<String>,
        values: Vec<Value>,
        schema: Schema,
    ) -> Result<&mut Self, DataError> {
        self.add(key, SchemaAndValue::new(Some(schema), Value::Array(values)))
    }

    /// Appends a map header, checked against its map `schema`.
    pub fn add_map(
        &mut self,
        key: impl Into<String>,
        entries: Vec<(Value, Value)>,
        schema: Schema,
    ) -> Result<&mut Self, DataError> {
        self.add(key, SchemaAndValue::new(Some(schema), Value::Map(entries)))
    }

    /// Removes every header with `key`.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        self.0.retain(|h| h.key != key);
        self
    }

    /// Keeps only the last header with `key`.
    pub fn retain_latest_with(&mut self, key: &str) -> &mut Self {
        if let Some(last) = self.0.iter().rposition(|h| h.key == key) {
            let mut index = 0;
            self.0.retain(|h| {
                let keep = h.key != key || index == last;
                index += 1;
                keep
            });
        }
        self
    }

    /// Keeps only the last header of every key, in the order of those last occurrences.
    pub fn retain_latest(&mut self) -> &mut Self {
        let mut seen = std::collections::HashSet::new();
        let mut kept: Vec<Header> = Vec::with_capacity(self.0.len());
        for header in self.0.drain(..).rev() {
            if seen.insert(header.key.clone()) {
                kept.push(header);
            }
        }
        kept.reverse();
        self.0 = kept;
        self
    }

    /// Removes every header.
    pub fn clear(&mut self) -> &mut Self {
        self.0.clear();
        self
    }

    /// Replaces each header by what `transform` returns; `None` removes it (Kafka's `apply`).
    pub fn apply(&mut self, mut transform: impl FnMut(Header) -> Option<Header>) -> &mut Self {
        let headers = std::mem::take(&mut self.0);
        self.0 = headers.into_iter().filter_map(&mut transform).collect();
        self
    }

    /// Like [`Headers::apply`], for the headers with `key` only.
    pub fn apply_with_name(
        &mut self,
        key: &str,
        mut transform: impl FnMut(Header) -> Option<Header>,
    ) -> &mut Self {
        self.apply(|h| if h.key == key { transform(h) } else { Some(h) })
    }
}

impl IntoIterator for Headers {
    type Item = Header;
    type IntoIter = std::vec::IntoIter<Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<T: IntoIterator<Item = Header>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_validates_against_schema() {
        let mut h = Headers::new();
        let err = h
            .add("k", SchemaAndValue::new(Some(Schema::int32()), "x".into()))
            .unwrap_err();
        assert!(err.to_string().starts_with("header 'k': "), "{err}");
        h.add("k", SchemaAndValue::new(None, "x".into())).unwrap();
        assert_eq!(h.len(), 1);
        let ints = crate::data::SchemaBuilder::array(Schema::int32())
            .build()
            .unwrap();
        h.add_list("l", vec![Value::Int32(1)], ints.clone())
            .unwrap();
        assert!(h.add_list("l", vec![Value::Int64(1)], ints).is_err());
        let scale = BigDecimal::new(1.into(), i64::from(i32::MAX) + 1);
        assert!(h.add_decimal("d", scale).is_err());
        h.add_decimal("d", BigDecimal::new(156.into(), 2)).unwrap();
        assert_eq!(
            h.last_with_name("d")
                .and_then(|h| h.schema()?.parameter("scale")),
            Some("2")
        );
    }

    #[test]
    fn retain_and_apply() {
        let mut h = Headers::new();
        h.add_string("a", "1")
            .add_string("b", "2")
            .add_string("a", "3");
        h.retain_latest_with("a");
        let keys: Vec<_> = h.iter().map(|h| h.key().to_string()).collect();
        assert_eq!(keys, ["b", "a"]);
        h.apply_with_name("b", |hd| Some(hd.rename("c")));
        assert!(h.last_with_name("c").is_some());
        h.apply(|hd| (hd.key() != "a").then_some(hd));
        assert_eq!(h.len(), 1);
        h.remove("c");
        assert!(h.is_empty());
    }
}
