//! List validators.

use std::fmt;

use super::strings::ValidString;
use super::{Validator, invalid_value};
use crate::config::value::ConfigValue;
use crate::error::ConfigError;

/// The items of a list value; null counts as no items, anything else is an error.
fn list_items<'v>(name: &str, value: Option<&'v ConfigValue>) -> Result<&'v [String], ConfigError> {
    match value {
        None => Ok(&[]),
        Some(ConfigValue::List(items)) => Ok(items),
        Some(_) => Err(invalid_value(
            name,
            value,
            "Expected a comma separated list.",
        )),
    }
}

/// A list whose every item is one of a fixed set of strings (Kafka's `ConfigDef.ValidList`).
///
/// The first offending item is reported, with [`ValidString`]'s message. A null list is accepted.
///
/// ```
/// use connect_api::config::{ConfigValue, ValidList, Validator};
/// let validator = ValidList::in_(&["a", "b"]);
/// let value = ConfigValue::from(vec!["a", "c"]);
/// assert_eq!(
///     validator.ensure_valid("letters", Some(&value)).unwrap_err().to_string(),
///     "Invalid value c for configuration letters: String must be one of: a, b"
/// );
/// assert_eq!(validator.to_string(), "[a, b]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidList {
    valid: ValidString,
}

impl ValidList {
    /// Accepts lists made of the given strings.
    pub fn in_<I>(valid: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        Self {
            valid: ValidString::in_(valid),
        }
    }

    /// The accepted items, in the order given.
    pub fn valid_strings(&self) -> &[String] {
        self.valid.valid_strings()
    }
}

impl Validator for ValidList {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        match list_items(name, value)?
            .iter()
            .find(|item| !self.valid.accepts(item))
        {
            Some(item) => Err(ConfigError::invalid(name, item, self.valid.message())),
            None => Ok(()),
        }
    }
}

impl fmt::Display for ValidList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.valid.fmt(f)
    }
}

/// A list of at most a given number of items (Kafka's `ConfigDef.ListSize`). A null list is
/// accepted.
///
/// ```
/// use connect_api::config::{ConfigValue, ListSize, Validator};
/// let validator = ListSize::at_most_of_size(2);
/// let value = ConfigValue::from(vec!["a", "b", "c"]);
/// assert_eq!(
///     validator.ensure_valid("hosts", Some(&value)).unwrap_err().to_string(),
///     "Invalid value [a, b, c] for configuration hosts: exceeds maximum list size of [2]."
/// );
/// assert_eq!(validator.to_string(), "List containing maximum of 2 elements");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSize {
    max_size: usize,
}

impl ListSize {
    /// Accepts lists of at most `max_size` items.
    pub fn at_most_of_size(max_size: usize) -> Self {
        Self { max_size }
    }

    /// The largest accepted number of items.
    pub fn max_size(&self) -> usize {
        self.max_size
    }
}

impl Validator for ListSize {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        if list_items(name, value)?.len() > self.max_size {
            Err(invalid_value(
                name,
                value,
                format!("exceeds maximum list size of [{}].", self.max_size),
            ))
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for ListSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "List containing maximum of {} elements", self.max_size)
    }
}
