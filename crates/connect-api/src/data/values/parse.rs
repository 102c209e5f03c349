//! Reading typed values out of text: [`parse_string`] (Kafka's `Values.parseString` and its
//! `ValueParser`).

use super::MAX_NESTING_DEPTH;
use super::merge::{Entries, SchemaMerger, align, container_item, finish_map};
use super::number::{decimal_to_f32, decimal_to_f64, exact_long, parse_java_decimal};
use super::temporal::parse_as_temporal;
use super::tokenizer::{Tokenizer, is_blank};
use crate::data::{Schema, SchemaAndValue, Type, Value, logical};
use crate::java;

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
pub(super) enum ParsedSchema {
    Known(Schema),
    Untyped(Type),
}

impl ParsedSchema {
    pub(super) fn type_(&self) -> Type {
        match self {
            ParsedSchema::Known(schema) => schema.type_(),
            ParsedSchema::Untyped(ty) => *ty,
        }
    }

    pub(super) fn is_optional(&self) -> bool {
        match self {
            ParsedSchema::Known(schema) => schema.is_optional(),
            ParsedSchema::Untyped(_) => false,
        }
    }
}

/// One parsed value; Kafka's parser returns `null` instead of an item for the `null` literal.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) schema: ParsedSchema,
    pub(super) value: Value,
}

impl Item {
    pub(super) fn known(schema: Schema, value: Value) -> Self {
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
pub(super) struct ParseFailed;

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
        self.parse_next_token(embedded, java::trim(token))
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
