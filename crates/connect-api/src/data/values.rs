//! Kafka's `Values`: reading typed values out of text, writing any value as text, and converting
//! values from one type to another.
//!
//! [`parse_string`] is how header values that travel as text (written by the default header
//! converter or by the `InsertHeader` transform) regain a type, and [`convert_to_string`] writes
//! the text it reads. The `convert_to_*` functions convert a value to one type the way Kafka does:
//! strings are parsed, numbers are widened or narrowed like a Java cast (narrowing wraps, it does
//! not fail), and the logical types convert between each other.
//!
//! ```
//! use connect_api::data::{values, Schema, Type, Value};
//!
//! let parsed = values::parse_string("[1, 2, 300]");
//! let schema = parsed.schema.expect("an array of numbers has a schema");
//! assert_eq!(schema.value_schema().map(|s| s.type_()), Some(Type::Int16));
//! assert_eq!(parsed.value, Value::Array(vec![1i16.into(), 2i16.into(), 300i16.into()]));
//!
//! assert_eq!(values::convert_to_string(None, &parsed.value).as_deref(), Some("[1,2,300]"));
//! assert_eq!(values::convert_to_long(Some(&Schema::string()), &"42".into())?, Some(42));
//! # Ok::<(), connect_api::error::DataError>(())
//! ```
//!
//! Where Kafka differs from a straightforward reading, this module follows Kafka (see the quirks
//! listed on [`parse_string`]), because header values must come out of a Rust worker as they come
//! out of a Java one. It departs from Kafka only where the data model or safety requires:
//!
//! * an array or map whose elements have no common schema has no schema (Kafka builds an
//!   `ARRAY`/`MAP` schema without element schemas, which cannot be represented);
//! * nested arrays and maps are converted to the merged element schema, or left without a schema
//!   when they cannot be, so that a parsed schema always validates its value (Kafka may return a
//!   schema that does not describe its value);
//! * nesting deeper than [`MAX_NESTING_DEPTH`] stays a string (Kafka overflows its stack);
//! * dates are computed in UTC on the proleptic Gregorian calendar (Kafka uses the JVM's default
//!   time zone, and the Julian calendar before 1582), and only ASCII digits make numbers.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use base64::Engine as _;
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::num_traits::{ToPrimitive, Zero};

use super::logical::{self, DATE_NAME, TIME_NAME, TIMESTAMP_NAME};
use super::{Schema, SchemaAndValue, SchemaBuilder, Struct, Type, Value};
use crate::error::DataError;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// How deeply arrays and maps may nest in text given to [`parse_string`]; deeper text is kept as
/// a string. Kafka has no limit (it fails with a stack overflow); a limit keeps parsing of
/// untrusted header values safe.
pub const MAX_NESTING_DEPTH: usize = 128;

const NULL_LITERAL: &str = "null";
const TRUE_LITERAL: &str = "true";
const FALSE_LITERAL: &str = "false";
const QUOTE: &str = "\"";
const COMMA: &str = ",";
const ENTRY_SEPARATOR: &str = ":";
const ARRAY_BEGIN: &str = "[";
const ARRAY_END: &str = "]";
const MAP_BEGIN: &str = "{";
const MAP_END: &str = "}";

// ---------------------------------------------------------------------------------------------
// Parsing text
// ---------------------------------------------------------------------------------------------

/// Reads a typed value out of text (Kafka's `Values.parseString`).
///
/// * `true` / `false` (surrounding whitespace allowed) → `BOOLEAN`; `null` → [`SchemaAndValue::NULL`].
/// * Numbers without a fractional part → the smallest of `INT8`, `INT16`, `INT32`, `INT64` that
///   holds them (`1.0` is `INT8` 1); other numbers → `FLOAT32` when within float range (even if
///   that loses precision, as in Kafka), else `FLOAT64`, else a `Decimal`; integers beyond `INT64`
///   → a `Decimal` of scale 0.
/// * `yyyy-MM-dd`, `HH:mm:ss.SSS'Z'` and `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` → `Date`, `Time` and
///   `Timestamp` (read leniently, like Java's `SimpleDateFormat`, in UTC).
/// * `[a, b]` → an array and `{"k": v}` → a map, with elements parsed the same way (strings must
///   be quoted inside them). The schema's element schema is the common schema of the elements,
///   numbers being widened to the widest; when the elements have none, there is no schema.
/// * Anything else, including the empty string and malformed arrays and maps such as `[0 1 2]`
///   or `{foo: 3}`, is the `STRING` itself.
///
/// Kafka's quirks are kept: a leading number wins over what follows it (`12:xyz` and `1,2` read
/// as `INT8`), as does a leading array or map (`[1] x` is an array); a trailing comma is accepted
/// and the comma between map entries is optional; quoted strings keep their backslashes and
/// blank ones become empty; dates are read leniently (`2024-13-01` is 2025-01-01); a malformed
/// array or map after leading whitespace reads as just that whitespace.
///
/// Never panics; nesting is bounded and maps are built in linear time, so untrusted header
/// values are safe to parse.
///
/// ```
/// use connect_api::data::{values, logical, Schema, SchemaAndValue, Value};
///
/// assert_eq!(values::parse_string("12345"), SchemaAndValue::new(Some(Schema::int16()), Value::Int16(12345)));
/// assert_eq!(values::parse_string(" true "), SchemaAndValue::new(Some(Schema::boolean()), true.into()));
/// assert_eq!(values::parse_string("1.1").value, Value::Float32(1.1));
/// assert_eq!(values::parse_string("2024-01-31").schema, Some(logical::date_schema()));
/// assert_eq!(values::parse_string("null"), SchemaAndValue::NULL);
/// assert_eq!(values::parse_string("{foo: 3}").value, Value::from("{foo: 3}"));
/// ```
pub fn parse_string(value: &str) -> SchemaAndValue {
    if value.is_empty() {
        return Item::string(value).into_schema_and_value();
    }
    match ValueParser::new(value).parse(false) {
        Ok(Some(item)) => item.into_schema_and_value(),
        Ok(None) => SchemaAndValue::NULL,
        // Only embedded values fail to parse; at the top level anything unparsable is a string.
        Err(ParseFailed) => Item::string(value).into_schema_and_value(),
    }
}

/// The schema of a parsed value. Kafka gives arrays and maps whose elements have no common schema
/// an `ARRAY`/`MAP` schema without element schemas; that cannot be built here, but it still takes
/// part in finding the common schema of an enclosing array or map, so it is kept as its type.
#[derive(Debug, Clone)]
enum ParsedSchema {
    Known(Schema),
    Untyped(Type),
}

impl ParsedSchema {
    fn type_(&self) -> Type {
        match self {
            ParsedSchema::Known(schema) => schema.type_(),
            ParsedSchema::Untyped(ty) => *ty,
        }
    }

    fn is_optional(&self) -> bool {
        match self {
            ParsedSchema::Known(schema) => schema.is_optional(),
            ParsedSchema::Untyped(_) => false,
        }
    }
}

/// One parsed value; Kafka's parser returns `null` instead of an item for the `null` literal.
#[derive(Debug, Clone)]
struct Item {
    schema: ParsedSchema,
    value: Value,
}

impl Item {
    fn known(schema: Schema, value: Value) -> Self {
        Self {
            schema: ParsedSchema::Known(schema),
            value,
        }
    }

    fn string(text: &str) -> Self {
        Self::known(Schema::string(), Value::String(text.to_string()))
    }

    fn boolean(value: bool) -> Self {
        Self::known(Schema::boolean(), Value::Boolean(value))
    }

    fn into_schema_and_value(self) -> SchemaAndValue {
        let schema = match self.schema {
            ParsedSchema::Known(schema) => Some(schema),
            ParsedSchema::Untyped(_) => None,
        };
        SchemaAndValue::new(schema, self.value)
    }
}

/// An embedded value that could not be parsed (Kafka's internal `DataException`); the enclosing
/// array or map then falls back to being a string.
#[derive(Debug)]
struct ParseFailed;

/// Java's `String.trim()`: strips every character up to and including U+0020.
fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

/// Kafka's `Utils.isBlank`.
fn is_blank(text: &str) -> bool {
    java_trim(text).is_empty()
}

/// Kafka's `Values.Parser`: splits text into tokens at unescaped `: , { } [ ] "` (each delimiter
/// being a token of its own), with a one-token look-ahead and rewinding to a byte position.
///
/// Positions are byte offsets; tokens only ever end at ASCII delimiters or the end of the text,
/// so every slice falls on a character boundary.
struct Tokenizer<'a> {
    original: &'a str,
    position: usize,
    peeked: Option<&'a str>,
}

impl<'a> Tokenizer<'a> {
    fn new(original: &'a str) -> Self {
        Self {
            original,
            position: 0,
            peeked: None,
        }
    }

    /// Where the next token starts.
    fn mark(&self) -> usize {
        self.position - self.peeked.map_or(0, str::len)
    }

    fn rewind_to(&mut self, position: usize) {
        self.position = position;
        self.peeked = None;
    }

    fn has_next(&self) -> bool {
        self.peeked.is_some() || self.position < self.original.len()
    }

    fn next(&mut self) -> &'a str {
        match self.peeked.take() {
            Some(token) => token,
            None => self.consume_next_token(),
        }
    }

    /// The text of the next `n` tokens, or `None` (without consuming anything) if there are fewer.
    fn next_n(&mut self, n: usize) -> Option<&'a str> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        self.original.get(start..self.position)
    }

    fn consume_next_token(&mut self) -> &'a str {
        let bytes = self.original.as_bytes();
        let start = self.position;
        let mut escaped = false;
        while let Some(&byte) = bytes.get(self.position) {
            match byte {
                b'\\' => escaped = !escaped,
                b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' if !escaped => {
                    if start == self.position {
                        self.position += 1;
                    }
                    return self.slice(start);
                }
                _ => escaped = false,
            }
            self.position += 1;
        }
        self.slice(start)
    }

    fn slice(&self, start: usize) -> &'a str {
        self.original.get(start..self.position).unwrap_or_default()
    }

    /// Consumes the next token if, trimmed, it is `expected`; blank tokens before it are skipped.
    fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.peeked = None;
            true
        } else {
            false
        }
    }

    fn is_next(&mut self, expected: &str) -> bool {
        let mut token = match self.peeked {
            Some(token) => token,
            None if self.has_next() => self.consume_next_token(),
            None => return false,
        };
        while is_blank(token) && self.position < self.original.len() {
            token = self.consume_next_token();
        }
        self.peeked = Some(token);
        java_trim(token) == expected
    }
}

/// Kafka's `Values.ValueParser`, with a nesting limit.
struct ValueParser<'a> {
    tokens: Tokenizer<'a>,
    depth: usize,
}

impl<'a> ValueParser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            tokens: Tokenizer::new(text),
            depth: 0,
        }
    }

    /// Parses the next value; `Ok(None)` is the `null` literal (or nothing left). An `embedded`
    /// value is an array element or map key or value: those may be quoted strings, and any other
    /// text in them fails the enclosing array or map.
    fn parse(&mut self, embedded: bool) -> Result<Option<Item>, ParseFailed> {
        if !self.tokens.has_next() {
            return Ok(None);
        }
        if embedded && self.tokens.can_consume(QUOTE) {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, NULL_LITERAL) {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, TRUE_LITERAL) {
            return Ok(Some(Item::boolean(true)));
        }
        if self.can_parse_single_token_literal(embedded, FALSE_LITERAL) {
            return Ok(Some(Item::boolean(false)));
        }

        let start = self.tokens.mark();
        let nested = if self.tokens.can_consume(ARRAY_BEGIN) {
            Some(self.nested(Self::parse_array))
        } else if self.tokens.can_consume(MAP_BEGIN) {
            Some(self.nested(Self::parse_map))
        } else {
            None
        };
        match nested {
            Some(Ok(item)) => return Ok(Some(item)),
            // Not a well-formed array or map: read it again as a plain token.
            Some(Err(ParseFailed)) => self.tokens.rewind_to(start),
            None => {}
        }

        let token = self.tokens.next();
        if is_blank(token) {
            return Ok(Some(Item::string(token)));
        }
        self.parse_next_token(embedded, java_trim(token))
    }

    /// A top-level literal must be the whole text: `true}` is a string, not `true`.
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.tokens.mark();
        if self.tokens.can_consume(literal) && (embedded || !self.tokens.has_next()) {
            return true;
        }
        self.tokens.rewind_to(start);
        false
    }

    fn nested(
        &mut self,
        parse: fn(&mut Self) -> Result<Item, ParseFailed>,
    ) -> Result<Item, ParseFailed> {
        if self.depth >= MAX_NESTING_DEPTH {
            return Err(ParseFailed);
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn parse_next_token(
        &mut self,
        embedded: bool,
        token: &str,
    ) -> Result<Option<Item>, ParseFailed> {
        let first = token.chars().next();
        let starts_with_digit = first.is_some_and(|c| c.is_ascii_digit());
        // Temporal types are more restrictive, so they are tried first.
        if starts_with_digit && let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
            return Ok(Some(temporal));
        }
        if (starts_with_digit || matches!(first, Some('+' | '-')))
            && let Some(number) = parse_as_number(token)
        {
            return Ok(Some(number));
        }
        if embedded {
            return Err(ParseFailed);
        }
        Ok(Some(Item::string(self.tokens.original)))
    }

    /// Unescaped colons split a time or timestamp into five tokens, the first of which is this
    /// (numeric) one; try those five together, then this token alone.
    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<Item> {
        let position = self.tokens.mark();
        if let Some(remainder) = self.tokens.next_n(4)
            && let Some(temporal) = parse_as_temporal(&format!("{token}{remainder}"))
        {
            return Some(temporal);
        }
        self.tokens.rewind_to(position);
        parse_as_temporal(token)
    }

    /// After an opening quote: everything up to the closing quote, escapes kept as written. A
    /// quoted date, time or timestamp is read as such; anything else stays a string.
    fn parse_quoted_string(&mut self) -> Item {
        let mut content = String::new();
        while self.tokens.has_next() {
            if self.tokens.can_consume(QUOTE) {
                break;
            }
            content.push_str(self.tokens.next());
        }
        parse_as_temporal(&content).unwrap_or_else(|| Item::string(&content))
    }

    fn parse_array(&mut self) -> Result<Item, ParseFailed> {
        let mut elements = Vec::new();
        let mut element_schema = SchemaMerger::default();
        while self.tokens.has_next() {
            if self.tokens.can_consume(ARRAY_END) {
                return match element_schema.common {
                    Some(common) => {
                        let elements = elements
                            .iter()
                            .map(|element| align(&common, element))
                            .collect::<Result<Vec<_>, _>>()?;
                        container_item(Type::Array, None, Some(common), Value::Array(elements))
                    }
                    None => Ok(Item {
                        schema: ParsedSchema::Untyped(Type::Array),
                        value: Value::Array(elements),
                    }),
                };
            }
            if self.tokens.can_consume(COMMA) {
                return Err(ParseFailed); // an empty element
            }
            let element = self.parse(true)?;
            element_schema.merge(element.as_ref());
            elements.push(element.map_or(Value::Null, |e| e.value));

            let current = self.tokens.mark();
            if self.tokens.can_consume(ARRAY_END) {
                self.tokens.rewind_to(current);
            } else if !self.tokens.can_consume(COMMA) {
                return Err(ParseFailed); // elements must be separated by commas
            }
        }
        Err(ParseFailed) // no closing bracket
    }

    fn parse_map(&mut self) -> Result<Item, ParseFailed> {
        let mut entries = Entries::with_capacity(0);
        let mut key_schema = SchemaMerger::default();
        let mut value_schema = SchemaMerger::default();
        while self.tokens.has_next() {
            if self.tokens.can_consume(MAP_END) {
                return finish_map(entries, key_schema.common, value_schema.common);
            }
            if self.tokens.can_consume(COMMA) {
                return Err(ParseFailed); // an entry with no key or value
            }
            let key = match self.parse(true)? {
                Some(key) if !key.value.is_null() => key,
                _ => return Err(ParseFailed), // a null key
            };
            if !self.tokens.can_consume(ENTRY_SEPARATOR) {
                return Err(ParseFailed);
            }
            let value = self.parse(true)?;
            entries.put(
                key.value.clone(),
                value.as_ref().map_or(Value::Null, |v| v.value.clone()),
            );
            // Like Kafka, the comma between entries is optional.
            self.tokens.can_consume(COMMA);
            key_schema.merge(Some(&key));
            value_schema.merge(value.as_ref());
        }
        Err(ParseFailed) // no closing brace
    }
}

/// Map entries as Java's `LinkedHashMap` keeps them: in insertion order, a repeated key keeping
/// its position and taking the new value. Keys are indexed by a hash consistent with `Value`
/// equality, so building a map from untrusted text stays linear.
struct Entries {
    entries: Vec<(Value, Value)>,
    index: HashMap<u64, Vec<usize>>,
    hasher: RandomState,
}

impl Entries {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
            index: HashMap::with_capacity(capacity),
            hasher: RandomState::new(),
        }
    }

    fn put(&mut self, key: Value, value: Value) {
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

fn finish_map(
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
fn container_item(
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
fn align(common: &ParsedSchema, value: &Value) -> Result<Value, ParseFailed> {
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
struct SchemaMerger {
    common: Option<ParsedSchema>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&Item>) {
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

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// Reads a number the way Kafka does: as a `BigDecimal`, then as the narrowest type holding it.
fn parse_as_number(token: &str) -> Option<Item> {
    let decimal = parse_java_decimal(token)?;
    if let Some(integral) = exact_long(&decimal) {
        return Some(if let Ok(v) = i8::try_from(integral) {
            Item::known(Schema::int8(), Value::Int8(v))
        } else if let Ok(v) = i16::try_from(integral) {
            Item::known(Schema::int16(), Value::Int16(v))
        } else if let Ok(v) = i32::try_from(integral) {
            Item::known(Schema::int32(), Value::Int32(v))
        } else {
            Item::known(Schema::int64(), Value::Int64(integral))
        });
    }
    let (_, scale) = decimal.as_bigint_and_exponent();
    if scale != 0 {
        let float = decimal_to_f32(&decimal);
        if float.is_finite() {
            return Some(Item::known(Schema::float32(), Value::Float32(float)));
        }
        let double = decimal_to_f64(&decimal);
        if double.is_finite() {
            return Some(Item::known(Schema::float64(), Value::Float64(double)));
        }
    }
    // The scale of a parsed decimal always fits an `i32` (Java's `BigDecimal` requires it).
    let scale = i32::try_from(scale).ok()?;
    Some(Item::known(
        logical::decimal_schema(scale),
        Value::Decimal(decimal),
    ))
}

/// Java's `new BigDecimal(String)`: an optional sign, digits with an optional decimal point, and
/// an optional exponent; the resulting scale must fit an `i32`. No whitespace is allowed.
fn parse_java_decimal(text: &str) -> Option<BigDecimal> {
    fn digits(bytes: &[u8], from: usize) -> usize {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    }
    let bytes = text.as_bytes();
    let (negative, mut i) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let integer_part = text.get(i..i + digits(bytes, i))?;
    i += integer_part.len();
    let mut fraction = "";
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        fraction = text.get(i..i + digits(bytes, i))?;
        i += fraction.len();
    }
    if integer_part.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut exponent: i64 = 0;
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let negative_exponent = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let exponent_digits = text.get(i..i + digits(bytes, i))?;
        i += exponent_digits.len();
        let significant = exponent_digits.trim_start_matches('0');
        if exponent_digits.is_empty() || significant.len() > 10 {
            return None;
        }
        exponent = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        if negative_exponent {
            exponent = -exponent;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let scale = i64::try_from(fraction.len()).ok()? - exponent;
    if i32::try_from(scale).is_err() {
        return None;
    }
    let unscaled = BigInt::parse_bytes(format!("{integer_part}{fraction}").as_bytes(), 10)?;
    Some(BigDecimal::new(
        if negative { -unscaled } else { unscaled },
        scale,
    ))
}

/// The value of a decimal with no fractional part that fits an `i64` (Kafka's
/// `parseAsExactDecimal`), computed without materialising huge powers of ten.
fn exact_long(decimal: &BigDecimal) -> Option<i64> {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    if unscaled.is_zero() {
        return Some(0);
    }
    let digits = i64::try_from(decimal.digits()).ok()?;
    let integral = if scale <= 0 {
        // At least 20 digits is at least 10^19, beyond `i64::MAX`.
        if digits.saturating_sub(scale) > 19 {
            return None;
        }
        unscaled * pow10(-scale)?
    } else {
        // A non-zero value with no more digits than its scale has a fractional part.
        if scale >= digits {
            return None;
        }
        let divisor = pow10(scale)?;
        if !(&unscaled % &divisor).is_zero() {
            return None;
        }
        unscaled / divisor
    };
    integral.to_i64()
}

fn pow10(exponent: i64) -> Option<BigInt> {
    Some(bigdecimal::num_traits::pow(
        BigInt::from(10),
        usize::try_from(exponent).ok()?,
    ))
}

/// Java's `BigDecimal.longValue()`: the fraction is dropped and only the low 64 bits are kept.
fn decimal_long_value(decimal: &BigDecimal) -> i64 {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    let digits = i64::try_from(decimal.digits()).unwrap_or(i64::MAX);
    // The guards come first, so that no huge power of ten is ever computed.
    let integral = if scale >= digits {
        return 0; // all of it is fraction
    } else if scale > 0 {
        match pow10(scale) {
            Some(divisor) => unscaled / divisor,
            None => return 0,
        }
    } else if scale <= -64 {
        // 10^k = 2^k * 5^k: from k = 64 on, the low 64 bits are all zero.
        return 0;
    } else if scale < 0 {
        match pow10(-scale) {
            Some(factor) => unscaled * factor,
            None => return 0,
        }
    } else {
        unscaled
    };
    let low = integral.iter_u64_digits().next().unwrap_or(0);
    let low = if integral.sign() == Sign::Minus {
        low.wrapping_neg()
    } else {
        low
    };
    low as i64
}

/// Java's `BigDecimal.doubleValue()`: the nearest `f64`, infinite when out of range.
fn decimal_to_f64(decimal: &BigDecimal) -> f64 {
    scientific_text(decimal).parse().unwrap_or(f64::NAN)
}

/// Java's `BigDecimal.floatValue()`: the nearest `f32` (rounded once, not through `f64`).
fn decimal_to_f32(decimal: &BigDecimal) -> f32 {
    scientific_text(decimal).parse().unwrap_or(f32::NAN)
}

/// `<unscaled>e<exponent>`, which Rust's float parsing rounds correctly.
fn scientific_text(decimal: &BigDecimal) -> String {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    format!("{unscaled}e{}", -i128::from(scale))
}

// ---------------------------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Temporal {
    Date,
    Time,
    Timestamp,
}

/// Reads `yyyy-MM-dd` (10 characters), `HH:mm:ss.SSS'Z'` (13) or `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`
/// (24), after unescaping `\:`.
///
/// Like Java's lenient `SimpleDateFormat`, fields may have any number of digits, may be negative
/// and roll over (month 13 is January of the next year), spaces or tabs may precede a field, and
/// text after the pattern is ignored; the length is counted in UTF-16 units, as Java does.
fn parse_as_temporal(token: &str) -> Option<Item> {
    let token = token.replace("\\:", ":");
    let kind = match token.encode_utf16().count() {
        10 => Temporal::Date,
        13 => Temporal::Time,
        24 => Temporal::Timestamp,
        _ => return None,
    };
    let mut cursor = LenientCursor { rest: &token };
    let (mut year, mut month, mut day) = (1970, 1, 1);
    if kind != Temporal::Time {
        year = cursor.field()?;
        cursor.literal('-')?;
        month = cursor.field()?;
        cursor.literal('-')?;
        day = cursor.field()?;
    }
    let (mut hour, mut minute, mut second, mut milli) = (0, 0, 0, 0);
    if kind != Temporal::Date {
        if kind == Temporal::Timestamp {
            cursor.literal('T')?;
        }
        hour = cursor.field()?;
        cursor.literal(':')?;
        minute = cursor.field()?;
        cursor.literal(':')?;
        second = cursor.field()?;
        cursor.literal('.')?;
        milli = cursor.field()?;
        cursor.literal('Z')?;
    }
    let millis = lenient_epoch_millis([year, month, day, hour, minute, second, milli])?;
    Some(match kind {
        Temporal::Date => Item::known(
            logical::date_schema(),
            Value::Date(i32::try_from(millis / MILLIS_PER_DAY).ok()?),
        ),
        Temporal::Time => Item::known(
            logical::time_schema(),
            Value::Time(i32::try_from(millis).ok()?),
        ),
        Temporal::Timestamp => Item::known(logical::timestamp_schema(), Value::Timestamp(millis)),
    })
}

struct LenientCursor<'a> {
    rest: &'a str,
}

impl LenientCursor<'_> {
    /// A numeric field: optional spaces or tabs, an optional minus sign, digits. Java keeps the
    /// low 32 bits of the number (`Number.intValue()`).
    fn field(&mut self) -> Option<i32> {
        let text = self.rest.trim_start_matches([' ', '\t']);
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let len = text.bytes().take_while(u8::is_ascii_digit).count();
        let magnitude: i64 = text.get(..len)?.parse().ok()?;
        self.rest = text.get(len..)?;
        let value = if negative { -magnitude } else { magnitude };
        Some(value as i32)
    }

    fn literal(&mut self, expected: char) -> Option<()> {
        self.rest = self.rest.strip_prefix(expected)?;
        Some(())
    }
}

/// Milliseconds since the epoch of the given year, month, day, hour, minute, second and
/// millisecond, letting each field overflow into the next like a lenient Java calendar (UTC).
fn lenient_epoch_millis([year, month, day, hour, minute, second, milli]: [i32; 7]) -> Option<i64> {
    let month0 = i64::from(month) - 1;
    let year = i64::from(year) + month0.div_euclid(12);
    let days = days_from_civil(year, month0.rem_euclid(12) + 1) + i64::from(day) - 1;
    let time = ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1000
        + i64::from(milli);
    days.checked_mul(MILLIS_PER_DAY)?.checked_add(time)
}

/// Days since 1970-01-01 of the first day of `month` (1–12) of `year` (proleptic Gregorian,
/// year 0 being 1 BC).
fn days_from_civil(year: i64, month: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The year, month (1–12) and day (1–31) of a day since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The year as `SimpleDateFormat` prints it: years before year 1 count backwards from 1 BC.
fn era_year(year: i64) -> i64 {
    if year <= 0 { 1 - year } else { year }
}

/// Formats the instant of a logical value as Kafka's `Values.dateFormatFor` chooses: less than a
/// day after the epoch (or before it) as a time, whole days as a date, anything else as a
/// timestamp; all in UTC.
fn format_temporal(millis: i64) -> String {
    let days = millis.div_euclid(MILLIS_PER_DAY);
    let time_of_day = millis.rem_euclid(MILLIS_PER_DAY);
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        time_of_day / 3_600_000,
        time_of_day / 60_000 % 60,
        time_of_day / 1000 % 60,
        time_of_day % 1000
    );
    if millis < MILLIS_PER_DAY {
        return time;
    }
    let (year, month, day) = civil_from_days(days);
    let date = format!("{:04}-{month:02}-{day:02}", era_year(year));
    if millis % MILLIS_PER_DAY == 0 {
        date
    } else {
        format!("{date}T{time}")
    }
}

/// Java's `java.util.Date.toString()` in UTC, e.g. `Thu Jan 01 00:00:00 UTC 1970`.
fn java_date_to_string(millis: i64) -> String {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = millis.div_euclid(MILLIS_PER_DAY);
    let time_of_day = millis.rem_euclid(MILLIS_PER_DAY) / 1000;
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    let month_name = MONTHS[(month - 1).clamp(0, 11) as usize];
    format!(
        "{weekday} {month_name} {day:02} {:02}:{:02}:{:02} UTC {}",
        time_of_day / 3600,
        time_of_day / 60 % 60,
        time_of_day % 60,
        era_year(year)
    )
}

/// The instant a logical value stands for, as Java's `java.util.Date.getTime()`.
fn logical_millis(value: &Value) -> Option<i64> {
    match *value {
        Value::Date(days) => Some(i64::from(days) * MILLIS_PER_DAY),
        Value::Time(millis) => Some(i64::from(millis)),
        Value::Timestamp(millis) => Some(millis),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Writing text
// ---------------------------------------------------------------------------------------------

/// Writes any value as text (Kafka's `Values.convertToString`); `None` for null. The schema is
/// not needed: values carry their logical type.
///
/// Numbers and booleans are written as Java writes them (`1.0E10` for a large double), strings as
/// they are, bytes in base64, dates, times and timestamps in the ISO format [`parse_string`]
/// reads (in UTC). Arrays are `[a,b]` and maps and structs `{k:v}`, with strings and bytes inside
/// them in double quotes (`"` and `\` escaped with a backslash) and struct fields by name, their
/// defaults applied.
///
/// ```
/// use connect_api::data::{values, Value};
///
/// let list = Value::Array(vec!["a".into(), 1.5f64.into(), Value::Null]);
/// assert_eq!(values::convert_to_string(None, &list).as_deref(), Some(r#"["a",1.5,null]"#));
/// assert_eq!(values::convert_to_string(None, &Value::Timestamp(1_706_704_496_789)).as_deref(),
///            Some("2024-01-31T12:34:56.789Z"));
/// assert_eq!(values::convert_to_string(None, &Value::Null), None);
/// ```
pub fn convert_to_string(schema: Option<&Schema>, value: &Value) -> Option<String> {
    let _ = schema;
    if value.is_null() {
        return None;
    }
    let mut out = String::new();
    append(&mut out, value, false);
    Some(out)
}

/// Kafka's `Values.append`: `embedded` values (inside an array, map or struct) quote strings.
fn append(out: &mut String, value: &Value, embedded: bool) {
    match value {
        Value::String(text) if embedded => {
            out.push('"');
            out.push_str(&escape(text));
            out.push('"');
        }
        Value::String(text) => out.push_str(text),
        Value::Bytes(bytes) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            if embedded {
                let _ = write!(out, "\"{encoded}\"");
            } else {
                out.push_str(&encoded);
            }
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, key, true);
                out.push(':');
                append(out, item, true);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.schema().fields().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "\"{}\":", escape(field.name()));
                append(out, s.value_or_default(field), true);
            }
            out.push('}');
        }
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            if let Some(millis) = logical_millis(value) {
                out.push_str(&format_temporal(millis));
            }
        }
        other => write_java(out, other),
    }
}

/// Kafka's `Values.escape`: a backslash before every backslash and double quote.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Java's `String.valueOf(value)`, for error messages and the string converter: `[a, b]`,
/// `{k=v}`, `Struct{a=1}`, Java's float and decimal formats, dates as `java.util.Date` prints them.
pub(crate) fn java_to_string(value: &Value) -> String {
    let mut out = String::new();
    write_java(&mut out, value);
    out
}

fn write_java(out: &mut String, value: &Value) {
    let _ = match value {
        Value::Null => write!(out, "null"),
        Value::Int8(v) => write!(out, "{v}"),
        Value::Int16(v) => write!(out, "{v}"),
        Value::Int32(v) => write!(out, "{v}"),
        Value::Int64(v) => write!(out, "{v}"),
        Value::Float32(v) => write!(out, "{}", java_float_to_string(*v)),
        Value::Float64(v) => write!(out, "{}", java_double_to_string(*v)),
        Value::Boolean(v) => write!(out, "{v}"),
        Value::String(v) => write!(out, "{v}"),
        Value::Bytes(_) => write!(out, "{value}"),
        Value::Decimal(d) => write!(out, "{}", java_decimal_to_string(d)),
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => match logical_millis(value) {
            Some(millis) => write!(out, "{}", java_date_to_string(millis)),
            None => Ok(()),
        },
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_java(out, item);
            }
            write!(out, "]")
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_java(out, key);
                out.push('=');
                write_java(out, item);
            }
            write!(out, "}}")
        }
        Value::Struct(s) => {
            out.push_str("Struct{");
            let set = s
                .schema()
                .fields()
                .iter()
                .zip(s.values())
                .filter(|(_, v)| !v.is_null());
            for (i, (field, item)) in set.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(field.name());
                out.push('=');
                write_java(out, item);
            }
            write!(out, "}}")
        }
    };
}

/// Java's `Double.toString`.
fn java_double_to_string(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return java_special_floating(v.is_nan(), v.is_sign_negative(), v == 0.0);
    }
    let shortest = format!("{:e}", v.abs());
    let two_digits = format!("{:.1e}", v.abs());
    let closer = two_digits.parse::<f64>().ok() == Some(v.abs());
    java_floating_layout(v < 0.0, &shortest, closer.then_some(two_digits.as_str()))
}

/// Java's `Float.toString`.
fn java_float_to_string(v: f32) -> String {
    if !v.is_finite() || v == 0.0 {
        return java_special_floating(v.is_nan(), v.is_sign_negative(), v == 0.0);
    }
    let shortest = format!("{:e}", v.abs());
    let two_digits = format!("{:.1e}", v.abs());
    let closer = two_digits.parse::<f32>().ok() == Some(v.abs());
    java_floating_layout(v < 0.0, &shortest, closer.then_some(two_digits.as_str()))
}

fn java_special_floating(nan: bool, negative: bool, zero: bool) -> String {
    let sign = if negative { "-" } else { "" };
    if nan {
        "NaN".to_string()
    } else if zero {
        format!("{sign}0.0")
    } else {
        format!("{sign}Infinity")
    }
}

/// Splits Rust's `{:e}` text (`1.25e-7`) into its digits and decimal exponent.
fn scientific_parts(text: &str) -> (String, i64) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// Lays out a finite non-zero number as Java 19+ does: the shortest digits that round-trip
/// (Rust's `{:e}`), except that when one digit suffices, the closest two-digit form is used if it
/// also round-trips and is closer (`4.9E-324` rather than `5.0E-324`); plain with at least one
/// fractional digit for magnitudes in [10^-3, 10^7), otherwise `d.dddE±n`.
fn java_floating_layout(negative: bool, shortest: &str, two_digits: Option<&str>) -> String {
    let sign = if negative { "-" } else { "" };
    let (mut digits, mut exponent) = scientific_parts(shortest);
    if digits.len() == 1
        && let Some(two_digits) = two_digits
    {
        let (closer_digits, closer_exponent) = scientific_parts(two_digits);
        if closer_digits != format!("{digits}0") {
            (digits, exponent) = (closer_digits, closer_exponent);
        }
    }
    if (-3..7).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        let len = digits.len() as i64;
        if point <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
        } else if point >= len {
            format!("{sign}{digits}{}.0", "0".repeat((point - len) as usize))
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{sign}{whole}.{fraction}")
        }
    } else {
        let (first, rest) = digits.split_at(digits.len().min(1));
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

/// Java's `BigDecimal.toString()`: plain unless the scale is negative or the number is smaller
/// than 10^-6, then scientific (`1E+400`, `1.5E-7`).
fn java_decimal_to_string(decimal: &BigDecimal) -> String {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    let coefficient = unscaled.magnitude().to_string();
    let len = coefficient.len() as i64;
    let adjusted = (len - 1).saturating_sub(scale);
    let mut out = String::new();
    if unscaled.sign() == Sign::Minus {
        out.push('-');
    }
    if scale >= 0 && adjusted >= -6 {
        if scale == 0 {
            out.push_str(&coefficient);
        } else if len > scale {
            let (whole, fraction) = coefficient.split_at((len - scale) as usize);
            let _ = write!(out, "{whole}.{fraction}");
        } else {
            let _ = write!(out, "0.{}{coefficient}", "0".repeat((scale - len) as usize));
        }
    } else {
        let (first, rest) = coefficient.split_at(coefficient.len().min(1));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(out, "E{}{adjusted}", if adjusted > 0 { "+" } else { "" });
    }
    out
}

/// The Java class Kafka names in error messages for a value of this kind, e.g. `java.lang.String`
/// for a string and `[B` for bytes.
///
/// ```
/// use connect_api::data::{values, Value};
/// assert_eq!(values::java_class_name(&Value::Int16(1)), "java.lang.Short");
/// ```
pub fn java_class_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Int8(_) => "java.lang.Byte",
        Value::Int16(_) => "java.lang.Short",
        Value::Int32(_) => "java.lang.Integer",
        Value::Int64(_) => "java.lang.Long",
        Value::Float32(_) => "java.lang.Float",
        Value::Float64(_) => "java.lang.Double",
        Value::Boolean(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Bytes(_) => "[B",
        Value::Array(_) => "java.util.ArrayList",
        Value::Map(_) => "java.util.HashMap",
        Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
        Value::Decimal(_) => "java.math.BigDecimal",
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => "java.util.Date",
    }
}

// ---------------------------------------------------------------------------------------------
// Converting values
// ---------------------------------------------------------------------------------------------

fn null_error() -> DataError {
    DataError::new("Unable to convert a null value to a schema that requires a value")
}

/// Kafka's `Unable to convert <value> (class <class>) to <target>`.
fn unable_to_convert(value: &Value, target: impl fmt::Display) -> DataError {
    if value.is_null() {
        return null_error();
    }
    DataError::new(format!(
        "Unable to convert {} (class {}) to {target}",
        java_to_string(value),
        java_class_name(value)
    ))
}

/// Converts `value`, described by `from` if known, to a value of schema `to` (Kafka's
/// `Values.convertTo`): dispatches to the `convert_to_*` function of `to`'s type or logical type.
/// Null converts to null only when `to` is optional.
///
/// ```
/// use connect_api::data::{values, logical, Schema, Value};
///
/// let date = values::convert_to(&logical::date_schema(), None, &"2024-01-31".into())?;
/// assert_eq!(date, Value::Date(19_753));
/// let narrowed = values::convert_to(&Schema::int8(), None, &Value::Int32(300))?;
/// assert_eq!(narrowed, Value::Int8(44)); // narrowing wraps, as a Java cast does
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to(to: &Schema, from: Option<&Schema>, value: &Value) -> Result<Value, DataError> {
    if value.is_null() {
        return if to.is_optional() {
            Ok(Value::Null)
        } else {
            Err(null_error())
        };
    }
    let logical = logical::LogicalType::of(to);
    Ok(match to.type_() {
        Type::Bytes if logical == Some(logical::LogicalType::Decimal) => {
            Value::Decimal(decimal_for_schema(to, value)?)
        }
        Type::Bytes => match value {
            Value::Bytes(bytes) => Value::Bytes(bytes.clone()),
            Value::Decimal(decimal) => Value::Bytes(logical::decimal_to_bytes(to, decimal)?),
            other => return Err(unable_to_convert(other, to)),
        },
        Type::String => Value::from(convert_to_string(from, value)),
        Type::Boolean => Value::from(convert_to_boolean(from, value)?),
        Type::Int8 => Value::from(convert_to_byte(from, value)?),
        Type::Int16 => Value::from(convert_to_short(from, value)?),
        Type::Int32 => match logical {
            Some(logical::LogicalType::Date) => Value::Date(date_from(from, value)?),
            Some(logical::LogicalType::Time) => Value::Time(time_from(from, value)?),
            _ => Value::from(convert_to_integer(from, value)?),
        },
        Type::Int64 => match logical {
            Some(logical::LogicalType::Timestamp) => Value::Timestamp(timestamp_from(from, value)?),
            _ => Value::from(convert_to_long(from, value)?),
        },
        Type::Float32 => Value::from(convert_to_float(from, value)?),
        Type::Float64 => Value::from(convert_to_double(from, value)?),
        Type::Array => Value::Array(list_from(value, to)?),
        Type::Map => Value::Map(map_from(value, to)?),
        Type::Struct => Value::Struct(struct_from(value, to)?),
    })
}

/// Kafka's `Values.asLong`: numbers truncated toward zero (the low 64 bits of decimals, floats
/// saturating), strings read as Java `BigDecimal`s, and logical values by what `from` says they
/// are.
fn as_long(value: &Value, from: Option<&Schema>) -> Result<i64, DataError> {
    match value {
        Value::Null => return Err(null_error()),
        Value::Int8(v) => return Ok(i64::from(*v)),
        Value::Int16(v) => return Ok(i64::from(*v)),
        Value::Int32(v) => return Ok(i64::from(*v)),
        Value::Int64(v) => return Ok(*v),
        Value::Float32(v) => return Ok(*v as i64),
        Value::Float64(v) => return Ok(*v as i64),
        Value::Decimal(d) => return Ok(decimal_long_value(d)),
        Value::String(text) => {
            if let Some(decimal) = parse_java_decimal(text) {
                return Ok(decimal_long_value(&decimal));
            }
        }
        _ => {}
    }
    let Some(schema) = from else {
        return Err(unable_to_convert(value, "a number"));
    };
    if let Some(millis) = logical_millis(value) {
        match schema.name() {
            Some(DATE_NAME) => return date_of_instant(millis).map(i64::from),
            Some(TIME_NAME) => return time_of_instant(millis).map(i64::from),
            Some(TIMESTAMP_NAME) => return Ok(millis),
            _ => {}
        }
    }
    Err(unable_to_convert(value, schema))
}

/// Kafka's `Values.asDouble`.
fn as_double(value: &Value, from: Option<&Schema>) -> Result<f64, DataError> {
    match value {
        Value::Int8(v) => Ok(f64::from(*v)),
        Value::Int16(v) => Ok(f64::from(*v)),
        Value::Int32(v) => Ok(f64::from(*v)),
        Value::Int64(v) => Ok(*v as f64),
        Value::Float32(v) => Ok(f64::from(*v)),
        Value::Float64(v) => Ok(*v),
        Value::Decimal(d) => Ok(decimal_to_f64(d)),
        Value::String(text) => match parse_java_decimal(text) {
            Some(decimal) => Ok(decimal_to_f64(&decimal)),
            None => as_long(value, from).map(|v| v as f64),
        },
        _ => as_long(value, from).map(|v| v as f64),
    }
}

/// Kafka's `Date.fromLogical`: the day of an instant that must be a midnight (UTC).
fn date_of_instant(millis: i64) -> Result<i32, DataError> {
    if millis.rem_euclid(MILLIS_PER_DAY) != 0 {
        return Err(DataError::new(
            "Kafka Connect Date type should not have any time fields set to non-zero values.",
        ));
    }
    Ok((millis / MILLIS_PER_DAY) as i32)
}

/// Kafka's `Time.fromLogical`: an instant within the first day after the epoch.
fn time_of_instant(millis: i64) -> Result<i32, DataError> {
    if !(0..=MILLIS_PER_DAY).contains(&millis) {
        return Err(DataError::new(
            "Kafka Connect Time type should not have any date fields set to non-zero values.",
        ));
    }
    Ok(millis as i32)
}

/// Kafka's `Time.toLogical`: milliseconds within a day (one day itself included, as in Kafka).
fn checked_time(millis: i32) -> Result<i32, DataError> {
    if millis < 0 || i64::from(millis) > MILLIS_PER_DAY {
        return Err(DataError::new(
            "Time values must use number of milliseconds greater than 0 and less than 86400000",
        ));
    }
    Ok(millis)
}

/// Replaces a string by the value [`parse_string`] reads from it, as Kafka's temporal, list and
/// map conversions do first.
fn parsed_if_string(value: &Value) -> std::borrow::Cow<'_, Value> {
    match value {
        Value::String(text) => std::borrow::Cow::Owned(parse_string(text).value),
        other => std::borrow::Cow::Borrowed(other),
    }
}

/// Converts a value to a boolean (Kafka's `Values.convertToBoolean`); `None` for null.
///
/// Booleans stay, strings `true`/`false` are read, and anything else that converts to a number is
/// `false` when that number (truncated to an integer) is 0 and `true` otherwise.
///
/// ```
/// use connect_api::data::{values, Value};
/// assert_eq!(values::convert_to_boolean(None, &"true".into())?, Some(true));
/// assert_eq!(values::convert_to_boolean(None, &Value::Int32(0))?, Some(false));
/// assert!(values::convert_to_boolean(None, &"green".into()).is_err());
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_boolean(
    schema: Option<&Schema>,
    value: &Value,
) -> Result<Option<bool>, DataError> {
    match value {
        Value::Null => Ok(None),
        Value::Boolean(b) => Ok(Some(*b)),
        Value::String(text) => match parse_string(text).value {
            Value::Boolean(b) => Ok(Some(b)),
            _ => Ok(Some(as_long(value, schema)? != 0)),
        },
        other => Ok(Some(as_long(other, schema)? != 0)),
    }
}

macro_rules! integer_converters {
    ($($(#[$doc:meta])* $name:ident => $variant:ident, $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(schema: Option<&Schema>, value: &Value) -> Result<Option<$ty>, DataError> {
                match value {
                    Value::Null => Ok(None),
                    Value::$variant(v) => Ok(Some(*v)),
                    // Like a Java cast, narrowing keeps the low bits.
                    other => Ok(Some(as_long(other, schema)? as $ty)),
                }
            }
        )*
    };
}

integer_converters! {
    /// Converts a value to an `INT8` (Kafka's `Values.convertToByte`); `None` for null.
    ///
    /// Numbers are truncated toward zero and narrowed like a Java cast (300 becomes 44), strings
    /// are read as decimal numbers, and logical values convert to their encoding when `schema`
    /// names their logical type.
    ///
    /// ```
    /// use connect_api::data::{values, Value};
    /// assert_eq!(values::convert_to_byte(None, &"12.7".into())?, Some(12));
    /// assert_eq!(values::convert_to_byte(None, &Value::Int32(300))?, Some(44));
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    convert_to_byte => Int8, i8;
    /// Converts a value to an `INT16` (Kafka's `Values.convertToShort`); `None` for null. Same
    /// rules as [`convert_to_byte`].
    convert_to_short => Int16, i16;
    /// Converts a value to an `INT32` (Kafka's `Values.convertToInteger`); `None` for null. Same
    /// rules as [`convert_to_byte`].
    convert_to_integer => Int32, i32;
    /// Converts a value to an `INT64` (Kafka's `Values.convertToLong`); `None` for null. Same
    /// rules as [`convert_to_byte`]; a `Timestamp` with a Timestamp schema gives its milliseconds.
    ///
    /// ```
    /// use connect_api::data::{values, logical, Value};
    /// let ts = Value::Timestamp(1_700_000_000_000);
    /// assert_eq!(values::convert_to_long(Some(&logical::timestamp_schema()), &ts)?, Some(1_700_000_000_000));
    /// assert!(values::convert_to_long(None, &ts).is_err()); // Kafka needs the schema
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    convert_to_long => Int64, i64;
}

/// Converts a value to a `FLOAT32` (Kafka's `Values.convertToFloat`); `None` for null.
///
/// Numbers and numeric strings are converted to the nearest `f64` and then to `f32`, as Kafka
/// does.
pub fn convert_to_float(schema: Option<&Schema>, value: &Value) -> Result<Option<f32>, DataError> {
    match value {
        Value::Null => Ok(None),
        Value::Float32(v) => Ok(Some(*v)),
        other => Ok(Some(as_double(other, schema)? as f32)),
    }
}

/// Converts a value to a `FLOAT64` (Kafka's `Values.convertToDouble`); `None` for null.
///
/// ```
/// use connect_api::data::values;
/// assert_eq!(values::convert_to_double(None, &"3.141592653589793".into())?, Some(std::f64::consts::PI));
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_double(schema: Option<&Schema>, value: &Value) -> Result<Option<f64>, DataError> {
    match value {
        Value::Null => Ok(None),
        Value::Float64(v) => Ok(Some(*v)),
        other => Ok(Some(as_double(other, schema)?)),
    }
}

/// Converts a value to an array (Kafka's `Values.convertToList`): arrays stay, strings are parsed
/// with [`parse_string`] and must give an array. Null is an error, as in Kafka.
///
/// ```
/// use connect_api::data::{values, Value};
/// let list = values::convert_to_list(None, &"[1, 2, 32768]".into())?;
/// assert_eq!(list, vec![Value::Int32(1), Value::Int32(2), Value::Int32(32768)]);
/// assert!(values::convert_to_list(None, &"[1, 2, 3,,,]".into()).is_err());
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_list(schema: Option<&Schema>, value: &Value) -> Result<Vec<Value>, DataError> {
    let _ = schema;
    list_from(value, "Schema{ARRAY}")
}

fn list_from(value: &Value, target: impl fmt::Display) -> Result<Vec<Value>, DataError> {
    match &*parsed_if_string(value) {
        Value::Array(items) => Ok(items.clone()),
        other => Err(unable_to_convert(other, target)),
    }
}

/// Converts a value to a map (Kafka's `Values.convertToMap`): maps stay, strings are parsed with
/// [`parse_string`] and must give a map. Null is an error, as in Kafka.
///
/// ```
/// use connect_api::data::{values, Value};
/// let map = values::convert_to_map(None, &r#"{"a": 1, "b": 2}"#.into())?;
/// assert_eq!(map, vec![("a".into(), Value::Int8(1)), ("b".into(), Value::Int8(2))]);
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_map(
    schema: Option<&Schema>,
    value: &Value,
) -> Result<Vec<(Value, Value)>, DataError> {
    let _ = schema;
    map_from(value, "Schema{MAP}")
}

fn map_from(value: &Value, target: impl fmt::Display) -> Result<Vec<(Value, Value)>, DataError> {
    match &*parsed_if_string(value) {
        Value::Map(entries) => Ok(entries.clone()),
        other => Err(unable_to_convert(other, target)),
    }
}

/// Converts a value to a struct (Kafka's `Values.convertToStruct`): only a struct converts; null
/// is an error.
pub fn convert_to_struct(schema: Option<&Schema>, value: &Value) -> Result<Struct, DataError> {
    let _ = schema;
    struct_from(value, "Schema{STRUCT}")
}

fn struct_from(value: &Value, target: impl fmt::Display) -> Result<Struct, DataError> {
    match value {
        Value::Struct(s) => Ok(s.clone()),
        other => Err(unable_to_convert(other, target)),
    }
}

/// Converts a value to a decimal (Kafka's `Values.convertToDecimal`); null is an error.
///
/// Decimals are returned as they are (whatever their scale), bytes are read as the unscaled value
/// with `scale`, other numbers go through their nearest `f64` written as Java does (so `5` gives
/// `5.0`), and strings are read as Java `BigDecimal`s.
///
/// ```
/// use connect_api::data::{values, Value};
/// use bigdecimal::BigDecimal;
/// use std::str::FromStr;
/// assert_eq!(values::convert_to_decimal(None, &Value::Float32(1.0), 1)?, BigDecimal::from_str("1.0")?);
/// assert_eq!(values::convert_to_decimal(None, &"12.50".into(), 2)?, BigDecimal::from_str("12.50")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn convert_to_decimal(
    schema: Option<&Schema>,
    value: &Value,
    scale: i32,
) -> Result<BigDecimal, DataError> {
    let _ = schema;
    if value.is_null() {
        return Err(null_error());
    }
    decimal_for_schema(&logical::decimal_schema(scale), value)
}

fn decimal_for_schema(to: &Schema, value: &Value) -> Result<BigDecimal, DataError> {
    let from_double = |v: f64| parse_java_decimal(&java_double_to_string(v));
    let converted = match value {
        Value::Bytes(bytes) => return logical::decimal_from_bytes(to, bytes),
        Value::Decimal(decimal) => Some(decimal.clone()),
        Value::String(text) => parse_java_decimal(text),
        Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_) => {
            value.as_f64().and_then(from_double)
        }
        Value::Float32(v) => from_double(f64::from(*v)),
        Value::Float64(v) => from_double(*v),
        _ => None,
    };
    converted.ok_or_else(|| unable_to_convert(value, to))
}

/// Converts a value to a `Date`, as days since the epoch (Kafka's `Values.convertToDate`); null
/// is an error.
///
/// Strings are parsed first. A date stays; a timestamp (known as one by `schema`) keeps its day,
/// truncated toward the epoch as in Kafka; anything else converts like
/// [`convert_to_integer`] and is taken as a number of days. As in Kafka, a logical value whose
/// `schema` names a different, non-temporal type fails: a string `2024-01-31` given with a
/// string schema is an error, while with no schema it converts.
///
/// ```
/// use connect_api::data::{values, Schema, Value};
/// assert_eq!(values::convert_to_date(None, &"2024-01-31".into())?, 19_753);
/// assert_eq!(values::convert_to_date(None, &Value::Int64(19_753))?, 19_753);
/// assert!(values::convert_to_date(Some(&Schema::string()), &"2024-01-31".into()).is_err());
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_date(schema: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    if value.is_null() {
        return Err(null_error());
    }
    date_from(schema, value)
}

fn date_from(from: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    let value = parsed_if_string(value);
    if let Some(millis) = logical_millis(&value) {
        match from.map(Schema::name) {
            None | Some(Some(DATE_NAME)) => return date_as_is(&value, millis),
            Some(Some(TIMESTAMP_NAME)) => return Ok((millis / MILLIS_PER_DAY) as i32),
            Some(_) => {}
        }
    }
    Ok(as_long(&value, from)? as i32)
}

fn date_as_is(value: &Value, millis: i64) -> Result<i32, DataError> {
    match *value {
        Value::Date(days) => Ok(days),
        _ => date_of_instant(millis),
    }
}

/// Converts a value to a `Time`, as milliseconds since midnight (Kafka's
/// `Values.convertToTime`); null is an error.
///
/// Strings are parsed first. A time stays; a timestamp (known as one by `schema`) keeps its time
/// of day (UTC); anything else converts like [`convert_to_integer`] and must be within a day.
///
/// ```
/// use connect_api::data::{values, logical, Value};
/// assert_eq!(values::convert_to_time(None, &"12:34:56.789Z".into())?, 45_296_789);
/// let ts = Value::Timestamp(1_706_704_496_789);
/// assert_eq!(values::convert_to_time(Some(&logical::timestamp_schema()), &ts)?, 45_296_789);
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_time(schema: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    if value.is_null() {
        return Err(null_error());
    }
    time_from(schema, value)
}

fn time_from(from: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    let value = parsed_if_string(value);
    if let Some(millis) = logical_millis(&value) {
        match from.map(Schema::name) {
            None | Some(Some(TIME_NAME)) => {
                return match *value {
                    Value::Time(t) => Ok(t),
                    _ => time_of_instant(millis),
                };
            }
            Some(Some(TIMESTAMP_NAME)) => {
                return checked_time(millis.rem_euclid(MILLIS_PER_DAY) as i32);
            }
            Some(_) => {}
        }
    }
    checked_time(as_long(&value, from)? as i32)
}

/// Converts a value to a `Timestamp`, as milliseconds since the epoch (Kafka's
/// `Values.convertToTimestamp`); null is an error.
///
/// Strings are parsed first. A timestamp stays; a date or time (known as one by `schema`) gives
/// its instant; anything else converts like [`convert_to_long`].
///
/// ```
/// use connect_api::data::{values, logical, Value};
/// assert_eq!(values::convert_to_timestamp(None, &"2024-01-31T12:34:56.789Z".into())?, 1_706_704_496_789);
/// let date = Value::Date(1);
/// assert_eq!(values::convert_to_timestamp(Some(&logical::date_schema()), &date)?, 86_400_000);
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_timestamp(schema: Option<&Schema>, value: &Value) -> Result<i64, DataError> {
    if value.is_null() {
        return Err(null_error());
    }
    timestamp_from(schema, value)
}

fn timestamp_from(from: Option<&Schema>, value: &Value) -> Result<i64, DataError> {
    let value = parsed_if_string(value);
    if let Some(millis) = logical_millis(&value) {
        match from.map(Schema::name) {
            None | Some(Some(TIMESTAMP_NAME)) => return Ok(millis),
            Some(Some(DATE_NAME)) => {
                return Ok(i64::from(date_of_instant(millis)?) * MILLIS_PER_DAY);
            }
            Some(Some(TIME_NAME)) => return time_of_instant(millis).map(i64::from),
            Some(_) => {}
        }
    }
    as_long(&value, from)
}

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
