//! A parsed configuration: typed values for every defined key, and the original strings.

use std::fmt;

use indexmap::IndexMap;

use super::ConfigMap;
use super::password::{HIDDEN, Password};
use super::types::ConfigType;
use super::value::ConfigValue;
use crate::error::ConfigError;

/// The value of one defined key.
#[derive(Debug, Clone, PartialEq)]
struct ParsedEntry {
    type_: ConfigType,
    value: Option<ConfigValue>,
}

/// The result of [`ConfigDef::parse`](super::ConfigDef::parse): a typed value (or null) for every
/// defined key, plus the original string map (Kafka's `AbstractConfig`).
///
/// The typed getters fail with a [`ConfigError`] naming the key when it is not defined, has
/// another type, or (for the non-`opt` getters) is null. Keys that were configured but not
/// defined are only in [`originals`](ParsedConfig::originals).
///
/// [`Debug`](fmt::Debug) never shows a password: typed passwords print `[hidden]`, and so do the
/// original strings of `PASSWORD` keys.
///
/// ```
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap};
///
/// let def = ConfigDef::new()
///     .define(ConfigKey::string("topic"))
///     .define(ConfigKey::int("batch.size").default_value(100))
///     .define(ConfigKey::password("db.password").default_null());
/// let props = ConfigMap::from([
///     ("topic".to_owned(), "orders".to_owned()),
///     ("db.password".to_owned(), "s3cr3t".to_owned()),
///     ("producer.override.acks".to_owned(), "1".to_owned()),
/// ]);
/// let parsed = def.parse(&props)?;
/// assert_eq!(parsed.get_string("topic")?, "orders");
/// assert_eq!(parsed.get_int("batch.size")?, 100);
/// assert_eq!(parsed.get_opt_password("db.password")?.map(|p| p.value()), Some("s3cr3t"));
/// assert_eq!(
///     parsed.get_int("topic").unwrap_err().to_string(),
///     "Configuration 'topic' has type STRING, not INT"
/// );
/// assert_eq!(parsed.originals_with_prefix("producer.override.", true)["acks"], "1");
/// assert!(!format!("{parsed:?}").contains("s3cr3t"));
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct ParsedConfig {
    values: IndexMap<String, ParsedEntry>,
    originals: ConfigMap,
}

impl ParsedConfig {
    /// An empty configuration over the given original strings.
    pub(super) fn new(originals: ConfigMap) -> Self {
        Self {
            values: IndexMap::new(),
            originals,
        }
    }

    /// Records the value of a defined key.
    pub(super) fn insert(&mut self, name: &str, type_: ConfigType, value: Option<ConfigValue>) {
        self.values
            .insert(name.to_owned(), ParsedEntry { type_, value });
    }

    /// The value of key `name`; `None` when it is null or not defined.
    pub fn get(&self, name: &str) -> Option<&ConfigValue> {
        self.values.get(name).and_then(|entry| entry.value.as_ref())
    }

    /// Whether key `name` is defined (its value may still be null).
    pub fn contains_key(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The type of key `name`, if defined.
    pub fn type_of(&self, name: &str) -> Option<ConfigType> {
        self.values.get(name).map(|entry| entry.type_)
    }

    /// Every defined key with its value (`None` for null), in definition order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = (&str, Option<&ConfigValue>)> + '_ {
        self.values
            .iter()
            .map(|(name, entry)| (name.as_str(), entry.value.as_ref()))
    }

    /// The string map the configuration was parsed from, undefined keys included.
    pub fn originals(&self) -> &ConfigMap {
        &self.originals
    }

    /// The original entries whose key starts with `prefix` (and is longer than it), with the
    /// prefix removed when `strip` is true (Kafka's `originalsWithPrefix`).
    pub fn originals_with_prefix(&self, prefix: &str, strip: bool) -> ConfigMap {
        self.originals
            .iter()
            .filter_map(|(key, value)| {
                let rest = key.strip_prefix(prefix).filter(|rest| !rest.is_empty())?;
                let key = if strip { rest } else { key.as_str() };
                Some((key.to_owned(), value.clone()))
            })
            .collect()
    }

    /// The originals, with every entry `<prefix><key>` overriding `<key>` (prefix removed).
    ///
    /// Parsing the result with the same definition gives what Kafka's
    /// `valuesWithPrefixOverride(prefix)` returns, for example the settings of one client out
    /// of a worker configuration with `producer.` overrides.
    pub fn originals_with_prefix_override(&self, prefix: &str) -> ConfigMap {
        let mut result = self.originals.clone();
        result.extend(self.originals_with_prefix(prefix, true));
        result
    }

    /// A view of the keys under `prefix`, prefix removed: what an embedded definition sees.
    pub(super) fn with_prefix_stripped(&self, prefix: &str) -> ParsedConfig {
        let values = self
            .values
            .iter()
            .filter_map(|(name, entry)| {
                let rest = name.strip_prefix(prefix)?;
                Some((rest.to_owned(), entry.clone()))
            })
            .collect();
        ParsedConfig {
            values,
            originals: self.originals_with_prefix(prefix, true),
        }
    }

    /// The value of `name` checked against `expected`; `Ok(None)` for a null value.
    fn typed<'a, T>(
        &'a self,
        name: &str,
        expected: ConfigType,
        extract: impl FnOnce(&'a ConfigValue) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        let entry = self
            .values
            .get(name)
            .ok_or_else(|| ConfigError::Other(format!("Unknown configuration '{name}'")))?;
        let wrong_type = |actual: ConfigType| {
            ConfigError::Other(format!(
                "Configuration '{name}' has type {actual}, not {expected}"
            ))
        };
        if entry.type_ != expected {
            return Err(wrong_type(entry.type_));
        }
        match &entry.value {
            None => Ok(None),
            Some(value) => extract(value)
                .map(Some)
                .ok_or_else(|| wrong_type(value.type_())),
        }
    }

    /// [`typed`](Self::typed) for a key that must not be null.
    fn required<'a, T>(
        &'a self,
        name: &str,
        expected: ConfigType,
        extract: impl FnOnce(&'a ConfigValue) -> Option<T>,
    ) -> Result<T, ConfigError> {
        self.typed(name, expected, extract)?
            .ok_or_else(|| ConfigError::Other(format!("Configuration '{name}' has no value")))
    }
}

/// Generates the required and optional typed getters of one type.
macro_rules! typed_getters {
    ($($type_:ident $kafka_name:literal => $get:ident, $get_opt:ident, $output:ty, $extract:expr;)*) => {
        impl ParsedConfig {
            $(
                #[doc = concat!("The value of `", $kafka_name, "` key `name`.")]
                ///
                /// # Errors
                ///
                /// When the key is not defined, has another type, or is null.
                pub fn $get(&self, name: &str) -> Result<$output, ConfigError> {
                    self.required(name, ConfigType::$type_, $extract)
                }

                #[doc = concat!("The value of `", $kafka_name, "` key `name`, `None` when null.")]
                ///
                /// # Errors
                ///
                /// When the key is not defined or has another type.
                pub fn $get_opt(&self, name: &str) -> Result<Option<$output>, ConfigError> {
                    self.typed(name, ConfigType::$type_, $extract)
                }
            )*
        }
    };
}

typed_getters! {
    Boolean "BOOLEAN" => get_bool, get_opt_bool, bool, ConfigValue::as_bool;
    String "STRING" => get_string, get_opt_string, &str, ConfigValue::as_str;
    Int "INT" => get_int, get_opt_int, i32, ConfigValue::as_int;
    Short "SHORT" => get_short, get_opt_short, i16, ConfigValue::as_short;
    Long "LONG" => get_long, get_opt_long, i64, ConfigValue::as_long;
    Double "DOUBLE" => get_double, get_opt_double, f64, ConfigValue::as_double;
    List "LIST" => get_list, get_opt_list, &[String], ConfigValue::as_list;
    Class "CLASS" => get_class, get_opt_class, &str, ConfigValue::as_class;
    Password "PASSWORD" => get_password, get_opt_password, &Password, ConfigValue::as_password;
}

impl fmt::Debug for ParsedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = DebugMap(
            self.values
                .iter()
                .map(|(name, entry)| (name.as_str(), &entry.value as &dyn fmt::Debug))
                .collect(),
        );
        let originals = DebugMap(
            self.originals
                .iter()
                .map(|(name, value)| {
                    let sensitive = self.type_of(name).is_some_and(ConfigType::is_sensitive);
                    let shown: &dyn fmt::Debug = if sensitive { &Hidden } else { value };
                    (name.as_str(), shown)
                })
                .collect(),
        );
        f.debug_struct("ParsedConfig")
            .field("values", &values)
            .field("originals", &originals)
            .finish()
    }
}

/// Prints `[hidden]` in place of a secret.
struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

/// Prints entries as a map.
struct DebugMap<'a>(Vec<(&'a str, &'a dyn fmt::Debug)>);

impl fmt::Debug for DebugMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().copied()).finish()
    }
}
