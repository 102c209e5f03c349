//! Recommenders: the valid values and visibility of a key, given the other keys' values
//! (Kafka's `ConfigDef.Recommender`).

use std::fmt;
use std::sync::Arc;

use super::parsed::ParsedConfig;
use super::value::ConfigValue;

/// Suggests values for a key and says whether it is relevant, depending on the values of other
/// keys. [`ConfigDef::validate`](super::ConfigDef::validate) consults it for the
/// `recommended_values` and `visible` of its key; it does not reject values that were not
/// recommended.
///
/// ```
/// use connect_api::config::{
///     ConfigDef, ConfigKey, ConfigMap, ConfigType, ConfigValue, ParsedConfig, Recommender,
/// };
///
/// /// The trust store only matters with SSL.
/// #[derive(Debug)]
/// struct SslOnly;
///
/// impl Recommender for SslOnly {
///     fn valid_values(&self, _name: &str, _parsed: &ParsedConfig) -> Vec<ConfigValue> {
///         Vec::new()
///     }
///     fn visible(&self, _name: &str, parsed: &ParsedConfig) -> bool {
///         parsed.get("security.protocol").and_then(ConfigValue::as_str) == Some("SSL")
///     }
/// }
///
/// let def = ConfigDef::new()
///     .define(ConfigKey::string("security.protocol").default_value("PLAINTEXT"))
///     .define(ConfigKey::string("ssl.truststore.location").default_null().recommender(SslOnly));
/// let infos = def.validate(&ConfigMap::new());
/// assert!(!infos[1].visible);
/// let props = ConfigMap::from([("security.protocol".to_owned(), "SSL".to_owned())]);
/// assert!(def.validate(&props)[1].visible);
/// ```
pub trait Recommender: Send + Sync + fmt::Debug {
    /// The values to suggest for key `name`, given the parsed values of every key (null for a
    /// key whose value is missing or invalid).
    fn valid_values(&self, name: &str, parsed: &ParsedConfig) -> Vec<ConfigValue>;

    /// Whether key `name` is relevant given the parsed values of every key.
    fn visible(&self, name: &str, parsed: &ParsedConfig) -> bool;
}

impl<R: Recommender + ?Sized> Recommender for Arc<R> {
    fn valid_values(&self, name: &str, parsed: &ParsedConfig) -> Vec<ConfigValue> {
        (**self).valid_values(name, parsed)
    }

    fn visible(&self, name: &str, parsed: &ParsedConfig) -> bool {
        (**self).visible(name, parsed)
    }
}

impl<R: Recommender + ?Sized> Recommender for Box<R> {
    fn valid_values(&self, name: &str, parsed: &ParsedConfig) -> Vec<ConfigValue> {
        (**self).valid_values(name, parsed)
    }

    fn visible(&self, name: &str, parsed: &ParsedConfig) -> bool {
        (**self).visible(name, parsed)
    }
}
