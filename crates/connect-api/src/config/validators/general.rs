//! Validators that apply to any type, and ways to build validators from others.

use std::fmt;
use std::sync::Arc;

use super::{Validator, invalid_value};
use crate::config::value::ConfigValue;
use crate::error::ConfigError;

/// Rejects null values (Kafka's `ConfigDef.NonNullValidator`).
///
/// ```
/// use connect_api::config::{NonNullValidator, Validator};
/// assert_eq!(
///     NonNullValidator.ensure_valid("key.converter", None).unwrap_err().to_string(),
///     "Invalid value null for configuration key.converter: entry must be non null"
/// );
/// assert_eq!(NonNullValidator.to_string(), "non-null value");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NonNullValidator;

impl Validator for NonNullValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        match value {
            Some(_) => Ok(()),
            None => Err(invalid_value(name, None, "entry must be non null")),
        }
    }
}

impl fmt::Display for NonNullValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("non-null value")
    }
}

/// The check function of a [`LambdaValidator`].
type Check = dyn Fn(&str, Option<&ConfigValue>) -> Result<(), ConfigError> + Send + Sync;

/// A validator made of a function and a description (Kafka's `ConfigDef.LambdaValidator`).
///
/// ```
/// use connect_api::config::{invalid_value, ConfigValue, LambdaValidator, Validator};
/// let even = LambdaValidator::with(
///     |name, value| match value.and_then(ConfigValue::as_int) {
///         Some(n) if n % 2 == 0 => Ok(()),
///         _ => Err(invalid_value(name, value, "Value must be even")),
///     },
///     "an even number",
/// );
/// assert!(even.ensure_valid("n", Some(&ConfigValue::Int(2))).is_ok());
/// assert!(even.ensure_valid("n", Some(&ConfigValue::Int(1))).is_err());
/// assert_eq!(even.to_string(), "an even number");
/// ```
#[derive(Clone)]
pub struct LambdaValidator {
    check: Arc<Check>,
    description: String,
}

impl LambdaValidator {
    /// A validator that runs `check` and describes itself as `description`.
    pub fn with<F>(check: F, description: impl Into<String>) -> Self
    where
        F: Fn(&str, Option<&ConfigValue>) -> Result<(), ConfigError> + Send + Sync + 'static,
    {
        Self {
            check: Arc::new(check),
            description: description.into(),
        }
    }
}

impl Validator for LambdaValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        (self.check)(name, value)
    }
}

impl fmt::Debug for LambdaValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LambdaValidator")
            .field(&self.description)
            .finish()
    }
}

impl fmt::Display for LambdaValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

/// Several validators run in order; the first failure is reported (Kafka's
/// `ConfigDef.CompositeValidator`).
///
/// ```
/// use std::sync::Arc;
/// use connect_api::config::{CompositeValidator, NonEmptyString, ValidString, Validator};
/// let validator = CompositeValidator::of([])
///     .and(NonEmptyString)
///     .and(ValidString::in_(&["a", "b"]));
/// assert_eq!(
///     validator.ensure_valid("x", Some(&"".into())).unwrap_err().to_string(),
///     "Invalid value  for configuration x: String must be non-empty"
/// );
/// assert_eq!(validator.to_string(), "non-empty string, [a, b]");
/// ```
#[derive(Debug, Clone, Default)]
pub struct CompositeValidator {
    validators: Vec<Arc<dyn Validator>>,
}

impl CompositeValidator {
    /// Runs the given validators in order.
    pub fn of(validators: impl IntoIterator<Item = Arc<dyn Validator>>) -> Self {
        Self {
            validators: validators.into_iter().collect(),
        }
    }

    /// Adds a validator that runs after the others.
    #[must_use]
    pub fn and(mut self, validator: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(validator));
        self
    }

    /// The validators, in the order they run.
    pub fn validators(&self) -> &[Arc<dyn Validator>] {
        &self.validators
    }
}

impl Validator for CompositeValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        self.validators
            .iter()
            .try_for_each(|validator| validator.ensure_valid(name, value))
    }
}

impl fmt::Display for CompositeValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, validator) in self.validators.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{validator}")?;
        }
        Ok(())
    }
}
