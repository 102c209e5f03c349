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

mod convert;
mod format;
mod infer;
mod merge;
mod number;
mod parse;
mod temporal;
mod tokenizer;

pub use convert::{
    convert_to, convert_to_boolean, convert_to_byte, convert_to_date, convert_to_decimal,
    convert_to_double, convert_to_float, convert_to_integer, convert_to_list, convert_to_long,
    convert_to_map, convert_to_short, convert_to_struct, convert_to_time, convert_to_timestamp,
};
pub use format::{convert_to_string, java_class_name};
pub use infer::infer_schema;
pub use parse::parse_string;
pub(super) use temporal::{MILLIS_PER_DAY, write_java_date};

/// How deeply arrays and maps may nest in text given to [`parse_string`]; deeper text is kept as
/// a string. Kafka has no limit (it fails with a stack overflow); a limit keeps parsing of
/// untrusted header values safe.
pub const MAX_NESTING_DEPTH: usize = 128;
