//! [`AvroDataConfig`]: the options of Confluent's `AvroDataConfig` that this mapping supports.

use crate::error::AvroDataError;

/// How Connect schemas map to Avro (Confluent's `io.confluent.connect.avro.AvroDataConfig`).
///
/// The defaults are those a sink connector gets: Connect metadata on, enhanced schema support
/// on (Avro enums survive a round trip), names not scrubbed, 1000 cached schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvroDataConfig {
    /// `connect.meta.data`: write `connect.name`, `connect.version`, `connect.doc`,
    /// `connect.parameters` and `connect.default` into Avro schemas and read them back, so that
    /// a Connect schema survives the trip through Avro.
    pub connect_meta_data: bool,
    /// `enhanced.avro.schema.support`: map Connect strings carrying the
    /// `io.confluent.connect.avro.Enum` parameter to Avro enums, and name union members by full
    /// name.
    pub enhanced_avro_schema_support: bool,
    /// `scrub.invalid.names`: replace characters that Avro names may not contain (as Confluent
    /// does, through URL encoding) instead of failing on them.
    pub scrub_invalid_names: bool,
    /// `schemas.cache.config`: how many converted schemas to keep in each direction.
    pub schemas_cache_size: usize,
}

impl Default for AvroDataConfig {
    fn default() -> Self {
        Self {
            connect_meta_data: true,
            enhanced_avro_schema_support: true,
            scrub_invalid_names: false,
            schemas_cache_size: 1000,
        }
    }
}

/// `connect.meta.data`.
pub const CONNECT_META_DATA_CONFIG: &str = "connect.meta.data";
/// `enhanced.avro.schema.support`.
pub const ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG: &str = "enhanced.avro.schema.support";
/// `scrub.invalid.names`.
pub const SCRUB_INVALID_NAMES_CONFIG: &str = "scrub.invalid.names";
/// `schemas.cache.config`.
pub const SCHEMAS_CACHE_SIZE_CONFIG: &str = "schemas.cache.config";

impl AvroDataConfig {
    /// Reads the options from connector or converter properties, using the defaults for absent
    /// keys and ignoring keys that are not AvroData's.
    ///
    /// ```
    /// use connect_avro::AvroDataConfig;
    /// let config = AvroDataConfig::from_props([("connect.meta.data", "false")])?;
    /// assert!(!config.connect_meta_data);
    /// assert!(AvroDataConfig::from_props([("schemas.cache.config", "x")]).is_err());
    /// # Ok::<(), connect_avro::AvroDataError>(())
    /// ```
    pub fn from_props<'a>(
        props: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, AvroDataError> {
        let mut config = Self::default();
        for (key, value) in props {
            match key {
                CONNECT_META_DATA_CONFIG => config.connect_meta_data = parse_bool(key, value)?,
                ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG => {
                    config.enhanced_avro_schema_support = parse_bool(key, value)?
                }
                SCRUB_INVALID_NAMES_CONFIG => config.scrub_invalid_names = parse_bool(key, value)?,
                SCHEMAS_CACHE_SIZE_CONFIG => {
                    let size: i64 = value.trim().parse().map_err(|_| AvroDataError::Config {
                        key: key.to_string(),
                        value: value.to_string(),
                        message: "Expected an integer".to_string(),
                    })?;
                    // Confluent uses at least one entry whatever the setting.
                    config.schemas_cache_size = usize::try_from(size.max(1)).unwrap_or(1);
                }
                _ => {}
            }
        }
        Ok(config)
    }
}

fn parse_bool(key: &str, value: &str) -> Result<bool, AvroDataError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(AvroDataError::Config {
            key: key.to_string(),
            value: value.to_string(),
            message: "Expected value to be either true or false".to_string(),
        }),
    }
}
