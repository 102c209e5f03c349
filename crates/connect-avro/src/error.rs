//! [`AvroDataError`]: what went wrong converting between Connect and Avro, and where.

use std::fmt;

/// A conversion between Connect and Avro failed.
///
/// Every variant but [`AvroDataError::InvalidAvroSchema`] and [`AvroDataError::Config`] carries
/// the path to the offending part of the schema or value: struct field names separated by dots,
/// `[]` or `[i]` for array elements, `<key>`/`<value>` for map keys and values. An empty path
/// means the top level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvroDataError {
    /// A Connect schema has no Avro form (an invalid name, a malformed Decimal, ...).
    #[error(
        "Cannot convert Connect schema to Avro at {}: {message}",
        Location(path)
    )]
    FromConnectSchema {
        /// Where in the schema.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A Connect value does not match its schema.
    #[error(
        "Cannot convert Connect value to Avro at {}: {message}",
        Location(path)
    )]
    FromConnectData {
        /// Where in the value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An Avro schema has no Connect form (a standalone null, a recursive record, ...).
    #[error(
        "Cannot convert Avro schema to Connect at {}: {message}",
        Location(path)
    )]
    ToConnectSchema {
        /// Where in the schema.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An Avro value does not match the Connect schema it is read with.
    #[error(
        "Cannot convert Avro value to Connect at {}: {message}",
        Location(path)
    )]
    ToConnectData {
        /// Where in the value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Avro schema text could not be parsed (or a generated schema was rejected by apache-avro).
    #[error("Invalid Avro schema: {0}")]
    InvalidAvroSchema(String),
    /// A configuration property has an invalid value.
    #[error("Invalid value {value:?} for configuration {key}: {message}")]
    Config {
        /// The configuration key.
        key: String,
        /// The rejected value.
        value: String,
        /// Why it was rejected.
        message: String,
    },
}

impl AvroDataError {
    pub(crate) fn from_connect_schema(message: impl Into<String>) -> Self {
        Self::FromConnectSchema {
            path: String::new(),
            message: message.into(),
        }
    }

    pub(crate) fn from_connect_data(message: impl Into<String>) -> Self {
        Self::FromConnectData {
            path: String::new(),
            message: message.into(),
        }
    }

    pub(crate) fn to_connect_schema(message: impl Into<String>) -> Self {
        Self::ToConnectSchema {
            path: String::new(),
            message: message.into(),
        }
    }

    pub(crate) fn to_connect_data(message: impl Into<String>) -> Self {
        Self::ToConnectData {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The path to the offending part, when the error has one (empty for the top level).
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::FromConnectSchema { path, .. }
            | Self::FromConnectData { path, .. }
            | Self::ToConnectSchema { path, .. }
            | Self::ToConnectData { path, .. } => Some(path),
            Self::InvalidAvroSchema(_) | Self::Config { .. } => None,
        }
    }

    /// Prefixes the path with one more enclosing segment, as the error travels up.
    pub(crate) fn within(mut self, segment: &str) -> Self {
        if let Self::FromConnectSchema { path, .. }
        | Self::FromConnectData { path, .. }
        | Self::ToConnectSchema { path, .. }
        | Self::ToConnectData { path, .. } = &mut self
        {
            *path = if path.is_empty() {
                segment.to_string()
            } else if path.starts_with('[') {
                format!("{segment}{path}")
            } else {
                format!("{segment}.{path}")
            };
        }
        self
    }
}

struct Location<'a>(&'a str);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("the top level")
        } else {
            write!(f, "`{}`", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_from_the_inside_out() {
        let err = AvroDataError::from_connect_data("expected INT32, got string")
            .within("[3]")
            .within("items")
            .within("order");
        assert_eq!(err.path(), Some("order.items[3]"));
        assert_eq!(
            err.to_string(),
            "Cannot convert Connect value to Avro at `order.items[3]`: expected INT32, got string"
        );
        let top = AvroDataError::to_connect_schema("Standalone null schemas are not supported");
        assert_eq!(
            top.to_string(),
            "Cannot convert Avro schema to Connect at the top level: Standalone null schemas are not supported"
        );
    }
}
