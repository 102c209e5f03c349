//! Writing any value as text: [`convert_to_string`] (Kafka's `Values.convertToString`), and the
//! Java class names used in messages.

use std::fmt::Write as _;

use base64::Engine as _;

use super::temporal::{format_temporal, logical_millis};
use crate::data::{Schema, Value};

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
///
/// [`parse_string`]: super::parse_string
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
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// Kafka's `Values.escape`: a backslash before every backslash and double quote.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
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
