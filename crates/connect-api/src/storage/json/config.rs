//! [`JsonConverterConfig`]: the typed settings of the JSON converter, parsed with the same rules
//! and error texts as Kafka's `JsonConverterConfig` (booleans case-insensitive and trimmed,
//! `decimal.format` case-insensitive, `converter.type` required).

use crate::config::ConfigMap;
use crate::error::ConfigError;
use crate::storage::{CONVERTER_TYPE_CONFIG, ConverterType};

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
    /// Parses the converter's properties; unknown keys are ignored.
    ///
    /// Like Kafka, `converter.type` is required (`key`, `value` or `header`) and the first
    /// invalid value is reported, with Kafka's wording, e.g.
    /// `Invalid value maybe for configuration schemas.enable: Expected value to be either true or false`.
    pub fn from_props(props: &ConfigMap) -> Result<Self, ConfigError> {
        let converter_type = match props.get(CONVERTER_TYPE_CONFIG) {
            None => return Err(ConfigError::missing(CONVERTER_TYPE_CONFIG)),
            Some(raw) => parse_converter_type(raw.trim())?,
        };
        let schemas_enable =
            parse_bool(props, SCHEMAS_ENABLE_CONFIG)?.unwrap_or(SCHEMAS_ENABLE_DEFAULT);
        let schemas_cache_size = match props.get(SCHEMAS_CACHE_SIZE_CONFIG) {
            None => SCHEMAS_CACHE_SIZE_DEFAULT,
            Some(raw) => raw.trim().parse::<i32>().map_err(|_| {
                ConfigError::invalid(SCHEMAS_CACHE_SIZE_CONFIG, raw, "Not a number of type INT")
            })?,
        };
        let decimal_format = match props.get(DECIMAL_FORMAT_CONFIG) {
            None => DecimalFormat::default(),
            Some(raw) => {
                let trimmed = raw.trim();
                DecimalFormat::from_name(trimmed).ok_or_else(|| {
                    // Kafka lists the values from a HashSet, which iterates in this order.
                    ConfigError::invalid(
                        DECIMAL_FORMAT_CONFIG,
                        trimmed,
                        "String must be one of (case insensitive): NUMERIC, BASE64",
                    )
                })?
            }
        };
        let replace_null_with_default = parse_bool(props, REPLACE_NULL_WITH_DEFAULT_CONFIG)?
            .unwrap_or(REPLACE_NULL_WITH_DEFAULT_DEFAULT);
        Ok(Self {
            converter_type,
            schemas_enable,
            schemas_cache_size,
            decimal_format,
            replace_null_with_default,
        })
    }

    /// The number of schemas to cache in each direction (0 disables caching).
    pub fn cache_capacity(&self) -> usize {
        usize::try_from(self.schemas_cache_size).unwrap_or(0)
    }
}

fn parse_converter_type(value: &str) -> Result<ConverterType, ConfigError> {
    match value {
        "key" => Ok(ConverterType::Key),
        "value" => Ok(ConverterType::Value),
        "header" => Ok(ConverterType::Header),
        other => Err(ConfigError::invalid(
            CONVERTER_TYPE_CONFIG,
            other,
            "String must be one of: key, value, header",
        )),
    }
}

fn parse_bool(props: &ConfigMap, name: &str) -> Result<Option<bool>, ConfigError> {
    let Some(raw) = props.get(name) else {
        return Ok(None);
    };
    let trimmed = raw.trim();
    if trimmed.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if trimmed.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(ConfigError::invalid(
            name,
            raw,
            "Expected value to be either true or false",
        ))
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
