//! [`JsonConverterConfig`]: the typed settings of the JSON converter, parsed with the same rules
//! and error texts as Kafka's `JsonConverterConfig` (booleans case-insensitive and trimmed,
//! `decimal.format` case-insensitive, `converter.type` required).

use crate::config::{
    CaseInsensitiveValidString, ConfigDef, ConfigKey, ConfigMap, Importance, Width,
};
use crate::error::ConfigError;
use crate::storage::ConverterType;
use crate::storage::codec;

/// Whether schemas are written into and expected in every message.
pub const SCHEMAS_ENABLE_CONFIG: &str = "schemas.enable";
/// Default of [`SCHEMAS_ENABLE_CONFIG`].
pub const SCHEMAS_ENABLE_DEFAULT: bool = true;
/// How many schemas are cached in each direction.
pub const SCHEMAS_CACHE_SIZE_CONFIG: &str = "schemas.cache.size";
/// Default of [`SCHEMAS_CACHE_SIZE_CONFIG`].
pub const SCHEMAS_CACHE_SIZE_DEFAULT: i32 = 1000;
/// How decimals are written: `BASE64` or `NUMERIC`, case-insensitive.
pub const DECIMAL_FORMAT_CONFIG: &str = "decimal.format";
/// Default of [`DECIMAL_FORMAT_CONFIG`].
pub const DECIMAL_FORMAT_DEFAULT: &str = "BASE64";
/// Whether a null field with a schema default is written and read as the default.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";
/// Default of [`REPLACE_NULL_WITH_DEFAULT_CONFIG`].
pub const REPLACE_NULL_WITH_DEFAULT_DEFAULT: bool = true;

/// How the JSON converter writes Decimal values (`decimal.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DecimalFormat {
    /// The unscaled value as big-endian two's complement bytes, base64-encoded in a JSON string.
    #[default]
    Base64,
    /// A JSON number with the value's scale, e.g. `1.5600`.
    Numeric,
}

impl DecimalFormat {
    /// The configuration value: `BASE64` or `NUMERIC`.
    pub fn name(self) -> &'static str {
        match self {
            DecimalFormat::Base64 => "BASE64",
            DecimalFormat::Numeric => "NUMERIC",
        }
    }

    /// Parses a configuration value, ignoring case.
    pub fn from_name(name: &str) -> Option<DecimalFormat> {
        [DecimalFormat::Base64, DecimalFormat::Numeric]
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

/// The settings of a [`JsonConverter`](super::JsonConverter).
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::storage::json::{DecimalFormat, JsonConverterConfig};
///
/// let props: ConfigMap = [
///     ("converter.type", "value"),
///     ("schemas.enable", "FALSE"),
///     ("decimal.format", "numeric"),
/// ]
/// .into_iter()
/// .map(|(k, v)| (k.to_string(), v.to_string()))
/// .collect();
/// let config = JsonConverterConfig::from_props(&props)?;
/// assert!(!config.schemas_enable);
/// assert_eq!(config.decimal_format, DecimalFormat::Numeric);
/// assert_eq!(config.schemas_cache_size, 1000);
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonConverterConfig {
    /// `converter.type`: which part of the record the converter handles.
    pub converter_type: ConverterType,
    /// `schemas.enable`: write and expect the `{"schema":…,"payload":…}` envelope.
    pub schemas_enable: bool,
    /// `schemas.cache.size`: schemas cached in each direction; zero or less disables caching.
    pub schemas_cache_size: i32,
    /// `decimal.format`: how Decimal values are written.
    pub decimal_format: DecimalFormat,
    /// `replace.null.with.default`: null values of schemas with a default become the default.
    pub replace_null_with_default: bool,
}

impl Default for JsonConverterConfig {
    /// Kafka's defaults, for a value converter.
    fn default() -> Self {
        Self {
            converter_type: ConverterType::Value,
            schemas_enable: SCHEMAS_ENABLE_DEFAULT,
            schemas_cache_size: SCHEMAS_CACHE_SIZE_DEFAULT,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: REPLACE_NULL_WITH_DEFAULT_DEFAULT,
        }
    }
}

impl JsonConverterConfig {
    /// The definition of the settings (Kafka's `JsonConverterConfig.configDef()`):
    /// `converter.type` and the keys above, with Kafka's defaults, validators, documentation and
    /// groups. [`from_props`](Self::from_props) parses with it, and the converter's `config()`
    /// returns it.
    ///
    /// ```
    /// use connect_api::storage::json::JsonConverterConfig;
    /// let def = JsonConverterConfig::config_def();
    /// assert_eq!(
    ///     def.names().collect::<Vec<_>>(),
    ///     ["converter.type", "schemas.enable", "schemas.cache.size", "decimal.format", "replace.null.with.default"]
    /// );
    /// ```
    pub fn config_def() -> ConfigDef {
        codec::converter_config_def()
            .define(
                ConfigKey::boolean(SCHEMAS_ENABLE_CONFIG)
                    .default_value(SCHEMAS_ENABLE_DEFAULT)
                    .importance(Importance::High)
                    .documentation("Include schemas within each of the serialized values and keys.")
                    .group("Schemas")
                    .order_in_group(0)
                    .width(Width::Medium)
                    .display_name("Enable Schemas"),
            )
            .define(
                ConfigKey::int(SCHEMAS_CACHE_SIZE_CONFIG)
                    .default_value(SCHEMAS_CACHE_SIZE_DEFAULT)
                    .importance(Importance::High)
                    .documentation(
                        "The maximum number of schemas that can be cached in this converter \
                         instance.",
                    )
                    .group("Schemas")
                    .order_in_group(1)
                    .width(Width::Medium)
                    .display_name("Schema Cache Size"),
            )
            .define(
                ConfigKey::string(DECIMAL_FORMAT_CONFIG)
                    .default_value(DECIMAL_FORMAT_DEFAULT)
                    // Kafka lists the values from a HashSet, which iterates in this order.
                    .validator(CaseInsensitiveValidString::in_([
                        DecimalFormat::Numeric.name(),
                        DecimalFormat::Base64.name(),
                    ]))
                    .importance(Importance::Low)
                    .documentation(
                        "Controls which format this converter will serialize decimals in. This \
                         value is case insensitive and can be either 'BASE64' (default) or \
                         'NUMERIC'",
                    )
                    .group("Serialization")
                    .order_in_group(0)
                    .width(Width::Medium)
                    .display_name("Decimal Format"),
            )
            .define(
                ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                    .default_value(REPLACE_NULL_WITH_DEFAULT_DEFAULT)
                    .importance(Importance::Low)
                    .documentation(
                        "Whether to replace fields that have a default value and that are null to \
                         the default value. When set to true, the default value is used, \
                         otherwise null is used.",
                    )
                    .group("Serialization")
                    .order_in_group(1)
                    .width(Width::Medium)
                    .display_name("Replace null with default"),
            )
    }

    /// Parses the converter's properties with [`config_def`](Self::config_def); unknown keys are
    /// ignored.
    ///
    /// Like Kafka, `converter.type` is required (`key`, `value` or `header`) and the first
    /// invalid value is reported, with Kafka's wording, e.g.
    /// `Invalid value maybe for configuration schemas.enable: Expected value to be either true or false`.
    pub fn from_props(props: &ConfigMap) -> Result<Self, ConfigError> {
        let parsed = codec::parse(&Self::config_def(), props)?;
        let decimal_format = parsed.get_string(DECIMAL_FORMAT_CONFIG)?;
        Ok(Self {
            converter_type: codec::converter_type(&parsed)?,
            schemas_enable: parsed.get_bool(SCHEMAS_ENABLE_CONFIG)?,
            schemas_cache_size: parsed.get_int(SCHEMAS_CACHE_SIZE_CONFIG)?,
            // Validated case-insensitively, then upper-cased, as Kafka does.
            decimal_format: DecimalFormat::from_name(&decimal_format.to_uppercase()).ok_or_else(
                || {
                    ConfigError::invalid(
                        DECIMAL_FORMAT_CONFIG,
                        decimal_format,
                        "String must be one of (case insensitive): NUMERIC, BASE64",
                    )
                },
            )?,
            replace_null_with_default: parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?,
        })
    }

    /// The number of schemas to cache in each direction (0 disables caching).
    pub fn cache_capacity(&self) -> usize {
        usize::try_from(self.schemas_cache_size).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults() {
        let config = JsonConverterConfig::from_props(&props(&[("converter.type", "key")])).unwrap();
        assert_eq!(
            config,
            JsonConverterConfig {
                converter_type: ConverterType::Key,
                ..JsonConverterConfig::default()
            }
        );
    }

    #[test]
    fn kafka_error_texts() {
        let err = JsonConverterConfig::from_props(&props(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"converter.type\" which has no default value."
        );
        let cases = [
            (
                ("converter.type", "both"),
                "Invalid value both for configuration converter.type: String must be one of: key, value, header",
            ),
            (
                ("schemas.enable", "yes"),
                "Invalid value yes for configuration schemas.enable: Expected value to be either true or false",
            ),
            (
                ("schemas.cache.size", "ten"),
                "Invalid value ten for configuration schemas.cache.size: Not a number of type INT",
            ),
            (
                ("decimal.format", " hex "),
                "Invalid value hex for configuration decimal.format: String must be one of (case insensitive): NUMERIC, BASE64",
            ),
            (
                ("replace.null.with.default", ""),
                "Invalid value  for configuration replace.null.with.default: Expected value to be either true or false",
            ),
        ];
        for ((key, value), want) in cases {
            let mut p = props(&[("converter.type", "value")]);
            p.insert(key.to_string(), value.to_string());
            let err = JsonConverterConfig::from_props(&p).unwrap_err();
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn lenient_parsing_like_kafka() {
        let config = JsonConverterConfig::from_props(&props(&[
            ("converter.type", " header "),
            ("schemas.enable", " False "),
            ("schemas.cache.size", " -1 "),
            ("decimal.format", "NuMeRiC"),
            ("replace.null.with.default", "TRUE"),
        ]))
        .unwrap();
        assert_eq!(config.converter_type, ConverterType::Header);
        assert!(!config.schemas_enable);
        assert_eq!(config.cache_capacity(), 0);
        assert_eq!(config.decimal_format, DecimalFormat::Numeric);
        assert!(config.replace_null_with_default);
    }
}
