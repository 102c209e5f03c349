//! Typed configuration values.

use std::fmt;

use serde::{Serialize, Serializer};

use super::password::Password;
use super::types::ConfigType;
use crate::java;

/// A parsed, typed configuration value: what a string from a [`ConfigMap`](super::ConfigMap)
/// becomes once its key's [`ConfigType`] is applied.
///
/// [`Display`](fmt::Display) and serialization give Kafka's string form
/// (`ConfigDef.convertToString`): lists are joined with `,`, doubles are written like Java
/// (`1.0`, `1.0E10`), passwords are `[hidden]`.
///
/// The `From` conversions are meant for defaults: a `&str` or `String` becomes
/// [`ConfigValue::String`], which a key of another type parses as if it had been configured.
///
/// ```
/// use connect_api::config::{ConfigValue, Password};
/// assert_eq!(ConfigValue::List(vec!["a".into(), "b".into()]).to_string(), "a,b");
/// assert_eq!(ConfigValue::Double(2.0).to_string(), "2.0");
/// assert_eq!(ConfigValue::Password(Password::new("secret")).to_string(), "[hidden]");
/// assert_eq!(ConfigValue::from(42).as_int(), Some(42));
/// assert_eq!(ConfigValue::from("x").as_str(), Some("x"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    /// A [`ConfigType::Boolean`] value.
    Boolean(bool),
    /// A [`ConfigType::String`] value.
    String(String),
    /// A [`ConfigType::Int`] value.
    Int(i32),
    /// A [`ConfigType::Short`] value.
    Short(i16),
    /// A [`ConfigType::Long`] value.
    Long(i64),
    /// A [`ConfigType::Double`] value.
    Double(f64),
    /// A [`ConfigType::List`] value.
    List(Vec<String>),
    /// A [`ConfigType::Class`] value: a plugin's class name or alias.
    Class(String),
    /// A [`ConfigType::Password`] value.
    Password(Password),
}

impl ConfigValue {
    /// The type this value belongs to.
    pub fn type_(&self) -> ConfigType {
        match self {
            ConfigValue::Boolean(_) => ConfigType::Boolean,
            ConfigValue::String(_) => ConfigType::String,
            ConfigValue::Int(_) => ConfigType::Int,
            ConfigValue::Short(_) => ConfigType::Short,
            ConfigValue::Long(_) => ConfigType::Long,
            ConfigValue::Double(_) => ConfigType::Double,
            ConfigValue::List(_) => ConfigType::List,
            ConfigValue::Class(_) => ConfigType::Class,
            ConfigValue::Password(_) => ConfigType::Password,
        }
    }

    /// The boolean, if this is a [`ConfigValue::Boolean`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ConfigValue::Boolean(value) => Some(*value),
            _ => None,
        }
    }

    /// The text, if this is a [`ConfigValue::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ConfigValue::String(value) => Some(value),
            _ => None,
        }
    }

    /// The number, if this is a [`ConfigValue::Int`].
    pub fn as_int(&self) -> Option<i32> {
        match self {
            ConfigValue::Int(value) => Some(*value),
            _ => None,
        }
    }

    /// The number, if this is a [`ConfigValue::Short`].
    pub fn as_short(&self) -> Option<i16> {
        match self {
            ConfigValue::Short(value) => Some(*value),
            _ => None,
        }
    }

    /// The number, if this is a [`ConfigValue::Long`].
    pub fn as_long(&self) -> Option<i64> {
        match self {
            ConfigValue::Long(value) => Some(*value),
            _ => None,
        }
    }

    /// The number, if this is a [`ConfigValue::Double`].
    pub fn as_double(&self) -> Option<f64> {
        match self {
            ConfigValue::Double(value) => Some(*value),
            _ => None,
        }
    }

    /// The items, if this is a [`ConfigValue::List`].
    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            ConfigValue::List(value) => Some(value),
            _ => None,
        }
    }

    /// The class name, if this is a [`ConfigValue::Class`].
    pub fn as_class(&self) -> Option<&str> {
        match self {
            ConfigValue::Class(value) => Some(value),
            _ => None,
        }
    }

    /// The secret, if this is a [`ConfigValue::Password`].
    pub fn as_password(&self) -> Option<&Password> {
        match self {
            ConfigValue::Password(value) => Some(value),
            _ => None,
        }
    }

    /// The value as the integer of any width, for range checks.
    pub(crate) fn as_integer(&self) -> Option<i64> {
        match self {
            ConfigValue::Int(value) => Some(i64::from(*value)),
            ConfigValue::Short(value) => Some(i64::from(*value)),
            ConfigValue::Long(value) => Some(*value),
            _ => None,
        }
    }

    /// The text of a string-like value (string, class name or secret), for string validators.
    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            ConfigValue::String(value) | ConfigValue::Class(value) => Some(value),
            ConfigValue::Password(value) => Some(value.value()),
            _ => None,
        }
    }
}

/// How a value appears in an error message, like Java's `String.valueOf(value)`: `null` for a
/// missing value, lists as `[a, b]`, passwords as `[hidden]`.
pub(crate) fn error_text(value: Option<&ConfigValue>) -> String {
    match value {
        None => "null".to_owned(),
        Some(ConfigValue::List(items)) => format!("[{}]", items.join(", ")),
        Some(value) => value.to_string(),
    }
}

impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Boolean(value) => write!(f, "{value}"),
            ConfigValue::String(value) | ConfigValue::Class(value) => f.write_str(value),
            ConfigValue::Int(value) => write!(f, "{value}"),
            ConfigValue::Short(value) => write!(f, "{value}"),
            ConfigValue::Long(value) => write!(f, "{value}"),
            ConfigValue::Double(value) => write!(f, "{}", java::Double(*value)),
            ConfigValue::List(items) => f.write_str(&items.join(",")),
            ConfigValue::Password(value) => write!(f, "{value}"),
        }
    }
}

impl Serialize for ConfigValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl From<bool> for ConfigValue {
    fn from(value: bool) -> Self {
        ConfigValue::Boolean(value)
    }
}

impl From<i16> for ConfigValue {
    fn from(value: i16) -> Self {
        ConfigValue::Short(value)
    }
}

impl From<i32> for ConfigValue {
    fn from(value: i32) -> Self {
        ConfigValue::Int(value)
    }
}

impl From<i64> for ConfigValue {
    fn from(value: i64) -> Self {
        ConfigValue::Long(value)
    }
}

impl From<f64> for ConfigValue {
    fn from(value: f64) -> Self {
        ConfigValue::Double(value)
    }
}

impl From<String> for ConfigValue {
    fn from(value: String) -> Self {
        ConfigValue::String(value)
    }
}

impl From<&str> for ConfigValue {
    fn from(value: &str) -> Self {
        ConfigValue::String(value.to_owned())
    }
}

impl From<Vec<String>> for ConfigValue {
    fn from(value: Vec<String>) -> Self {
        ConfigValue::List(value)
    }
}

impl From<Vec<&str>> for ConfigValue {
    fn from(value: Vec<&str>) -> Self {
        ConfigValue::List(value.into_iter().map(str::to_owned).collect())
    }
}

impl From<&[&str]> for ConfigValue {
    fn from(value: &[&str]) -> Self {
        ConfigValue::List(value.iter().map(|item| (*item).to_owned()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for ConfigValue {
    fn from(value: [&str; N]) -> Self {
        ConfigValue::List(value.iter().map(|item| (*item).to_owned()).collect())
    }
}

impl From<Password> for ConfigValue {
    fn from(value: Password) -> Self {
        ConfigValue::Password(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_uses_java_forms() {
        assert_eq!(error_text(None), "null");
        assert_eq!(
            error_text(Some(&ConfigValue::from(vec!["a", "b"]))),
            "[a, b]"
        );
        assert_eq!(
            error_text(Some(&ConfigValue::Password(Password::new("x")))),
            "[hidden]"
        );
    }
}
