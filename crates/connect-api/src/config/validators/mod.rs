//! Validators: checks a key's parsed value must pass (Kafka's `ConfigDef.Validator` and its
//! implementations), with Kafka's messages.
//!
//! A validator sees the value after parsing, or `None` when the key is null (a null default, or a
//! value that failed to parse during [`ConfigDef::validate`](super::ConfigDef::validate)). Its
//! [`Display`](std::fmt::Display) describes the valid values in documentation, like Kafka's
//! `toString`.

use std::fmt;
use std::sync::Arc;

use super::value::{ConfigValue, error_text};
use crate::error::ConfigError;

mod general;
mod lists;
mod range;
mod strings;

pub use general::{CompositeValidator, LambdaValidator, NonNullValidator};
pub use lists::{ListSize, ValidList};
pub use range::{Range, RangeBound};
pub use strings::{
    CaseInsensitiveValidString, NonEmptyString, NonEmptyStringWithoutControlChars, ValidString,
};

/// A check of a key's parsed value.
///
/// Validators are shared between definitions as `Arc<dyn Validator>`; an `Arc` of a validator is a
/// validator too.
///
/// ```
/// use std::fmt;
/// use connect_api::config::{invalid_value, ConfigValue, Validator};
/// use connect_api::error::ConfigError;
///
/// /// Accepts only even integers.
/// #[derive(Debug)]
/// struct Even;
///
/// impl Validator for Even {
///     fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
///         match value.and_then(ConfigValue::as_int) {
///             Some(n) if n % 2 == 0 => Ok(()),
///             _ => Err(invalid_value(name, value, "Value must be even")),
///         }
///     }
/// }
///
/// impl fmt::Display for Even {
///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
///         f.write_str("an even number")
///     }
/// }
///
/// assert!(Even.ensure_valid("n", Some(&ConfigValue::Int(4))).is_ok());
/// assert_eq!(
///     Even.ensure_valid("n", Some(&ConfigValue::Int(3))).unwrap_err().to_string(),
///     "Invalid value 3 for configuration n: Value must be even"
/// );
/// ```
pub trait Validator: Send + Sync + fmt::Debug + fmt::Display {
    /// Checks the parsed `value` of key `name`; `None` stands for a null value.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] worded like Kafka's, usually built with [`invalid_value`].
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError>;
}

impl<V: Validator + ?Sized> Validator for Arc<V> {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        (**self).ensure_valid(name, value)
    }
}

impl<V: Validator + ?Sized> Validator for Box<V> {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        (**self).ensure_valid(name, value)
    }
}

/// Kafka's `new ConfigException(name, value, message)` for a parsed value:
/// `Invalid value <value> for configuration <name>: <message>`, where the value is written like
/// Java writes it (`null`, `[a, b]` for a list, `[hidden]` for a password).
///
/// ```
/// use connect_api::config::{invalid_value, ConfigValue, Password};
/// let secret = ConfigValue::Password(Password::new("s3cr3t"));
/// assert_eq!(
///     invalid_value("db.password", Some(&secret), "too short").to_string(),
///     "Invalid value [hidden] for configuration db.password: too short"
/// );
/// assert_eq!(
///     invalid_value("port", None, "Value must be non-null").to_string(),
///     "Invalid value null for configuration port: Value must be non-null"
/// );
/// ```
pub fn invalid_value(
    name: &str,
    value: Option<&ConfigValue>,
    message: impl Into<String>,
) -> ConfigError {
    ConfigError::invalid(name, error_text(value), message)
}
