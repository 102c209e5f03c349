//! The enumerations that describe a configuration key: its type, importance and display width.

use std::fmt;

use serde::{Serialize, Serializer};

/// The type of a configuration key, which decides how its string value is parsed
/// (Kafka's `ConfigDef.Type`).
///
/// [`Display`](fmt::Display) and serialization use Kafka's upper-case names.
///
/// ```
/// use connect_api::config::{ConfigType, ConfigValue};
/// assert_eq!(ConfigType::Int.to_string(), "INT");
/// assert_eq!(ConfigType::Int.parse("batch.size", " 42 ")?, ConfigValue::Int(42));
/// assert!(ConfigType::Password.is_sensitive());
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigType {
    /// `true` or `false`, case-insensitively.
    Boolean,
    /// Any text.
    String,
    /// A 32-bit signed integer.
    Int,
    /// A 16-bit signed integer.
    Short,
    /// A 64-bit signed integer.
    Long,
    /// A 64-bit floating point number.
    Double,
    /// A comma-separated list of strings.
    List,
    /// The name of a plugin class (a fully qualified name or an alias).
    Class,
    /// A secret string, never printed.
    Password,
}

impl ConfigType {
    /// Every type, in Kafka's declaration order.
    pub const ALL: [ConfigType; 9] = [
        ConfigType::Boolean,
        ConfigType::String,
        ConfigType::Int,
        ConfigType::Short,
        ConfigType::Long,
        ConfigType::Double,
        ConfigType::List,
        ConfigType::Class,
        ConfigType::Password,
    ];

    /// Kafka's name of the type: `BOOLEAN`, `STRING`, `INT`, …
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }

    /// Whether values of this type are secrets that must not be shown (only
    /// [`ConfigType::Password`]).
    pub fn is_sensitive(self) -> bool {
        self == ConfigType::Password
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ConfigType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// How much a user should care about a key (Kafka's `ConfigDef.Importance`), shown in
/// documentation and by the REST API.
///
/// ```
/// use connect_api::config::Importance;
/// assert_eq!(Importance::High.to_string(), "HIGH");
/// assert!(Importance::High < Importance::Low);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Importance {
    /// Most users need to look at this key.
    High,
    /// Some users need to look at this key (the default).
    #[default]
    Medium,
    /// Few users need to look at this key.
    Low,
}

impl Importance {
    /// Kafka's name: `HIGH`, `MEDIUM` or `LOW`.
    pub fn name(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }
}

impl fmt::Display for Importance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Importance {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The width of the input field a user interface should show for a key
/// (Kafka's `ConfigDef.Width`).
///
/// ```
/// use connect_api::config::Width;
/// assert_eq!(Width::default(), Width::None);
/// assert_eq!(Width::Medium.to_string(), "MEDIUM");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Width {
    /// No preference (the default).
    #[default]
    None,
    /// A short field.
    Short,
    /// A medium field.
    Medium,
    /// A long field.
    Long,
}

impl Width {
    /// Kafka's name: `NONE`, `SHORT`, `MEDIUM` or `LONG`.
    pub fn name(self) -> &'static str {
        match self {
            Width::None => "NONE",
            Width::Short => "SHORT",
            Width::Medium => "MEDIUM",
            Width::Long => "LONG",
        }
    }
}

impl fmt::Display for Width {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Width {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}
