//! String validators.

use std::fmt;

use super::{Validator, invalid_value};
use crate::config::value::ConfigValue;
use crate::error::ConfigError;

/// One of a fixed set of strings, compared exactly (Kafka's `ConfigDef.ValidString`).
///
/// ```
/// use connect_api::config::{ConfigValue, ValidString, Validator};
/// let tolerance = ValidString::in_(&["none", "all"]);
/// assert!(tolerance.ensure_valid("errors.tolerance", Some(&"all".into())).is_ok());
/// assert_eq!(
///     tolerance.ensure_valid("errors.tolerance", Some(&"ALL".into())).unwrap_err().to_string(),
///     "Invalid value ALL for configuration errors.tolerance: String must be one of: none, all"
/// );
/// assert_eq!(tolerance.to_string(), "[none, all]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidString {
    valid: Vec<String>,
}

impl ValidString {
    /// Accepts exactly the given strings.
    pub fn in_<I>(valid: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        Self {
            valid: valid.into_iter().map(|s| s.as_ref().to_owned()).collect(),
        }
    }

    /// The accepted strings, in the order given.
    pub fn valid_strings(&self) -> &[String] {
        &self.valid
    }

    /// Whether `candidate` is one of the accepted strings.
    pub(crate) fn accepts(&self, candidate: &str) -> bool {
        self.valid.iter().any(|valid| valid == candidate)
    }

    /// Kafka's message for a string outside the set.
    pub(crate) fn message(&self) -> String {
        format!("String must be one of: {}", self.valid.join(", "))
    }
}

impl Validator for ValidString {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        match value.and_then(ConfigValue::as_text) {
            Some(text) if self.accepts(text) => Ok(()),
            _ => Err(invalid_value(name, value, self.message())),
        }
    }
}

impl fmt::Display for ValidString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.valid.join(", "))
    }
}

/// One of a fixed set of strings, ignoring case (Kafka's `ConfigDef.CaseInsensitiveValidString`).
///
/// The accepted strings are kept upper-cased, as Kafka does, and messages show them that way.
///
/// ```
/// use connect_api::config::{CaseInsensitiveValidString, Validator};
/// let policy = CaseInsensitiveValidString::in_(&["All", "None"]);
/// assert!(policy.ensure_valid("policy", Some(&"all".into())).is_ok());
/// assert_eq!(
///     policy.ensure_valid("policy", Some(&"some".into())).unwrap_err().to_string(),
///     "Invalid value some for configuration policy: String must be one of (case insensitive): ALL, NONE"
/// );
/// assert_eq!(policy.to_string(), "(case insensitive) [ALL, NONE]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInsensitiveValidString {
    valid_upper_case: Vec<String>,
}

impl CaseInsensitiveValidString {
    /// Accepts the given strings in any case.
    pub fn in_<I>(valid: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut valid_upper_case: Vec<String> = Vec::new();
        for upper in valid.into_iter().map(|s| s.as_ref().to_uppercase()) {
            if !valid_upper_case.contains(&upper) {
                valid_upper_case.push(upper);
            }
        }
        Self { valid_upper_case }
    }

    /// The accepted strings, upper-cased, without duplicates.
    pub fn valid_strings(&self) -> &[String] {
        &self.valid_upper_case
    }
}

impl Validator for CaseInsensitiveValidString {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        let accepted = value
            .and_then(ConfigValue::as_text)
            .is_some_and(|text| self.valid_upper_case.contains(&text.to_uppercase()));
        if accepted {
            Ok(())
        } else {
            Err(invalid_value(
                name,
                value,
                format!(
                    "String must be one of (case insensitive): {}",
                    self.valid_upper_case.join(", ")
                ),
            ))
        }
    }
}

impl fmt::Display for CaseInsensitiveValidString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "(case insensitive) [{}]",
            self.valid_upper_case.join(", ")
        )
    }
}

/// A string that is not empty; null is accepted (Kafka's `ConfigDef.NonEmptyString`).
///
/// ```
/// use connect_api::config::{NonEmptyString, Validator};
/// assert!(NonEmptyString.ensure_valid("topic", None).is_ok());
/// assert_eq!(
///     NonEmptyString.ensure_valid("topic", Some(&"".into())).unwrap_err().to_string(),
///     "Invalid value  for configuration topic: String must be non-empty"
/// );
/// assert_eq!(NonEmptyString.to_string(), "non-empty string");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NonEmptyString;

impl Validator for NonEmptyString {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        match value.and_then(ConfigValue::as_text) {
            Some("") => Err(invalid_value(name, value, "String must be non-empty")),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for NonEmptyString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("non-empty string")
    }
}

/// A string that is not empty and has no ISO control characters; null is accepted (Kafka's
/// `ConfigDef.NonEmptyStringWithoutControlChars`, used for connector names).
///
/// ```
/// use connect_api::config::{NonEmptyStringWithoutControlChars, Validator};
/// let validator = NonEmptyStringWithoutControlChars;
/// assert_eq!(
///     validator.ensure_valid("name", Some(&"".into())).unwrap_err().to_string(),
///     "Invalid value  for configuration name: String may not be empty"
/// );
/// assert_eq!(
///     validator.ensure_valid("name", Some(&"a\tb".into())).unwrap_err().to_string(),
///     "Invalid value a\tb for configuration name: String may not contain control sequences \
///      but had the following ASCII control sequences: [9]"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NonEmptyStringWithoutControlChars;

impl Validator for NonEmptyStringWithoutControlChars {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        let Some(text) = value.and_then(ConfigValue::as_text) else {
            return Ok(());
        };
        if text.is_empty() {
            return Err(invalid_value(name, value, "String may not be empty"));
        }
        let control_code_points: Vec<String> = text
            .chars()
            .filter(|c| c.is_control())
            .map(|c| u32::from(c).to_string())
            .collect();
        if control_code_points.is_empty() {
            Ok(())
        } else {
            Err(invalid_value(
                name,
                value,
                format!(
                    "String may not contain control sequences but had the following ASCII \
                     control sequences: [{}]",
                    control_code_points.join(", ")
                ),
            ))
        }
    }
}

impl fmt::Display for NonEmptyStringWithoutControlChars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("non-empty string without ISO control characters")
    }
}
