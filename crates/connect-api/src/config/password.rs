//! A secret configuration value that is never printed.

use std::fmt;

/// The text shown in place of a secret.
pub const HIDDEN: &str = "[hidden]";

/// A secret value, the parsed form of a [`ConfigType::Password`](super::ConfigType::Password) key
/// (Kafka's `Password`).
///
/// [`Debug`](fmt::Debug) and [`Display`](fmt::Display) print `[hidden]`, so a password cannot leak
/// through a log line or an error message; [`Password::value`] is the only way to read it.
///
/// ```
/// use connect_api::config::Password;
/// let password = Password::new("s3cr3t");
/// assert_eq!(password.value(), "s3cr3t");
/// assert_eq!(password.to_string(), "[hidden]");
/// assert_eq!(format!("{password:?}"), "[hidden]");
/// assert_eq!(password, Password::new("s3cr3t"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Password(String);

impl Password {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; the caller is responsible for not printing it.
    pub fn value(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

impl From<String> for Password {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Password {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}
