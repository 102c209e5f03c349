//! Declaring a configuration as a Rust struct.

use super::ConfigMap;
use super::def::ConfigDef;
use super::evaluate::ConfigValueInfo;
use super::parsed::ParsedConfig;
use crate::error::ConfigError;

/// A configuration declared once as a struct and read typed: usually derived with
/// `#[derive(ConnectConfig)]` (see the [module documentation](super) for the attributes).
///
/// ```
/// use connect_api::config::{ConfigMap, ConnectConfig, NonEmptyString};
///
/// #[derive(Debug, ConnectConfig)]
/// struct SinkConfig {
///     /// The topic to read.
///     #[config(validator = NonEmptyString)]
///     topic: String,
///     #[config(default = 500)]
///     batch_size: i32,
/// }
///
/// let props = ConfigMap::from([("topic".to_owned(), "orders".to_owned())]);
/// let config = SinkConfig::from_props(&props)?;
/// assert_eq!((config.topic.as_str(), config.batch_size), ("orders", 500));
/// assert!(SinkConfig::config_def().contains("batch.size"));
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
pub trait ConnectConfig: Sized {
    /// The definition of every key of the configuration.
    fn config_def() -> ConfigDef;

    /// Reads the typed fields from an already parsed configuration.
    ///
    /// # Errors
    ///
    /// When a key is missing from `parsed` or has another type, for example because `parsed`
    /// came from another definition.
    fn from_parsed(parsed: &ParsedConfig) -> Result<Self, ConfigError>;

    /// Parses `props` with [`config_def`](ConnectConfig::config_def) and reads the typed fields.
    ///
    /// # Errors
    ///
    /// Every problem [`ConfigDef::parse`] finds.
    fn from_props(props: &ConfigMap) -> Result<Self, ConfigError> {
        Self::from_parsed(&Self::config_def().parse(props)?)
    }

    /// Validates `props` against [`config_def`](ConnectConfig::config_def), reporting every
    /// problem of every key (see [`ConfigDef::validate`]).
    fn validate(props: &ConfigMap) -> Vec<ConfigValueInfo> {
        Self::config_def().validate(props)
    }
}
