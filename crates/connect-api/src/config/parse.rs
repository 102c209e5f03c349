//! Parsing a configured string into a typed value, with Kafka's rules and messages
//! (`ConfigDef.parseType`).

use super::password::Password;
use super::types::ConfigType;
use super::value::{ConfigValue, error_text};
use crate::error::ConfigError;
use crate::java;

impl ConfigType {
    /// Parses the configured string `value` of key `name` as this type, exactly like Kafka's
    /// `ConfigDef.parseType`:
    ///
    /// * every type first trims the value (characters up to and including space, like Java's
    ///   `String.trim`), strings and passwords included;
    /// * `BOOLEAN` accepts `true` or `false` in any case, else
    ///   "Expected value to be either true or false";
    /// * `INT`, `SHORT`, `LONG` and `DOUBLE` fail with "Not a number of type INT" (and so on);
    /// * `LIST` splits on commas and the whitespace around them; an empty value is an empty list;
    /// * `CLASS` must be a non-empty name without whitespace, else "Class X could not be found."
    ///
    /// Errors are [`ConfigError::InvalidValue`] carrying the value as configured.
    ///
    /// ```
    /// use connect_api::config::{ConfigType, ConfigValue};
    /// assert_eq!(ConfigType::Boolean.parse("enabled", "TRUE")?, ConfigValue::Boolean(true));
    /// assert_eq!(
    ///     ConfigType::List.parse("topics", " a , b,c ")?,
    ///     ConfigValue::List(vec!["a".into(), "b".into(), "c".into()])
    /// );
    /// assert_eq!(
    ///     ConfigType::Int.parse("tasks.max", "many").unwrap_err().to_string(),
    ///     "Invalid value many for configuration tasks.max: Not a number of type INT"
    /// );
    /// # Ok::<(), connect_api::error::ConfigError>(())
    /// ```
    pub fn parse(self, name: &str, value: &str) -> Result<ConfigValue, ConfigError> {
        let trimmed = java::trim(value);
        let not_a_number =
            || ConfigError::invalid(name, value, format!("Not a number of type {self}"));
        match self {
            ConfigType::Boolean => {
                if trimmed.eq_ignore_ascii_case("true") {
                    Ok(ConfigValue::Boolean(true))
                } else if trimmed.eq_ignore_ascii_case("false") {
                    Ok(ConfigValue::Boolean(false))
                } else {
                    Err(ConfigError::invalid(
                        name,
                        value,
                        "Expected value to be either true or false",
                    ))
                }
            }
            ConfigType::String => Ok(ConfigValue::String(trimmed.to_owned())),
            ConfigType::Password => Ok(ConfigValue::Password(Password::new(trimmed))),
            ConfigType::Int => trimmed
                .parse()
                .map(ConfigValue::Int)
                .map_err(|_| not_a_number()),
            ConfigType::Short => trimmed
                .parse()
                .map(ConfigValue::Short)
                .map_err(|_| not_a_number()),
            ConfigType::Long => trimmed
                .parse()
                .map(ConfigValue::Long)
                .map_err(|_| not_a_number()),
            ConfigType::Double => parse_java_double(trimmed)
                .map(ConfigValue::Double)
                .ok_or_else(not_a_number),
            ConfigType::List => Ok(ConfigValue::List(split_list(trimmed))),
            ConfigType::Class => {
                if trimmed.is_empty()
                    || trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    Err(ConfigError::invalid(
                        name,
                        value,
                        format!("Class {value} could not be found."),
                    ))
                } else {
                    Ok(ConfigValue::Class(trimmed.to_owned()))
                }
            }
        }
    }
}

impl ConfigType {
    /// Converts a typed value given in code (a default) to this type, like Kafka's `parseType`
    /// does for objects: text is parsed as if configured, integers convert to any integer type
    /// they fit in and to `DOUBLE`; anything else is an error with Kafka's wording.
    pub(crate) fn coerce(self, name: &str, value: ConfigValue) -> Result<ConfigValue, ConfigError> {
        if let ConfigValue::String(text) = &value {
            return self.parse(name, text);
        }
        if value.type_() == self {
            return Ok(value);
        }
        let converted = value.as_integer().and_then(|integer| match self {
            ConfigType::Short => i16::try_from(integer).ok().map(ConfigValue::Short),
            ConfigType::Int => i32::try_from(integer).ok().map(ConfigValue::Int),
            ConfigType::Long => Some(ConfigValue::Long(integer)),
            ConfigType::Double => Some(ConfigValue::Double(integer as f64)),
            _ => None,
        });
        converted.ok_or_else(|| {
            let actual = value.type_();
            let message = match self {
                ConfigType::Boolean => "Expected value to be either true or false".to_owned(),
                ConfigType::String | ConfigType::Password => {
                    format!("Expected value to be a string, but it was a {actual}")
                }
                ConfigType::Int => {
                    format!("Expected value to be a 32-bit integer, but it was a {actual}")
                }
                ConfigType::Short => {
                    format!("Expected value to be a 16-bit integer (short), but it was a {actual}")
                }
                ConfigType::Long => {
                    format!("Expected value to be a 64-bit integer (long), but it was a {actual}")
                }
                ConfigType::Double => {
                    format!("Expected value to be a double, but it was a {actual}")
                }
                ConfigType::List => "Expected a comma separated list.".to_owned(),
                ConfigType::Class => "Expected a Class instance or class name.".to_owned(),
            };
            ConfigError::invalid(name, error_text(Some(&value)), message)
        })
    }
}

/// Whether `c` matches Java's regular expression class `\s`.
fn is_java_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// Kafka's list parsing of an already trimmed value: empty → no items, otherwise a split on
/// `\s*,\s*` that keeps empty items (`"a,,b"` has three).
pub(crate) fn split_list(trimmed: &str) -> Vec<String> {
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed
        .split(',')
        .map(|item| item.trim_matches(is_java_whitespace).to_owned())
        .collect()
}

/// Java's `Double.parseDouble` for decimal input: an optional sign, then `NaN`, `Infinity` or
/// digits with an optional fraction and exponent, and an optional `d`/`f` suffix. Hexadecimal
/// floating point literals are not accepted.
fn parse_java_double(trimmed: &str) -> Option<f64> {
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(unsigned) => (true, unsigned),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let magnitude = match unsigned {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => {
            let digits = unsigned
                .strip_suffix(['d', 'D', 'f', 'F'])
                .unwrap_or(unsigned);
            let starts_like_a_number = digits
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '.');
            let only_number_characters = digits
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
            if !starts_like_a_number || !only_number_characters {
                return None;
            }
            digits.parse::<f64>().ok()?
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_follow_java_syntax() {
        let accepted = [
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            ("2.5d", 2.5),
            ("2.5F", 2.5),
            ("Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ];
        for (text, expected) in accepted {
            assert_eq!(parse_java_double(text), Some(expected), "{text}");
        }
        assert!(parse_java_double("NaN").is_some_and(f64::is_nan));
        for rejected in [
            "", "-", "inf", "infinity", "nan", "1,5", "e3", "0x1p3", "1d2", "d",
        ] {
            assert_eq!(parse_java_double(rejected), None, "{rejected}");
        }
    }

    #[test]
    fn lists_keep_inner_empty_items() {
        assert_eq!(split_list("a,,b,"), ["a", "", "b", ""]);
        assert_eq!(split_list("a \t,\n b"), ["a", "b"]);
        assert!(split_list("").is_empty());
    }
}
