//! What the built-in converters share: Kafka's `ConverterConfig`, and the plumbing from the
//! [`Converter`](super::Converter) and [`HeaderConverter`](super::HeaderConverter) traits to one
//! [`Codec`] per converter.
//!
//! Each built-in converter implements [`Codec`] (its configuration definition, how it applies a
//! configuration, and how it writes and reads one value) and gets both traits from
//! [`converter_traits!`] (or only [`HeaderConverter`](super::HeaderConverter) from
//! [`header_converter_trait!`]). The traits configure it the way Kafka's converters configure
//! themselves: as a key or value converter with `converter.type` forced to `key` or `value`, as a
//! header converter with `converter.type` defaulting to `header`.

use ::bytes::Bytes;

use super::{CONVERTER_TYPE_CONFIG, ConverterType};
use crate::config::{ConfigDef, ConfigKey, ConfigMap, Importance, ParsedConfig, ValidString};
use crate::data::{Schema, SchemaAndValue, Type, Value, values};
use crate::error::{ConfigError, DataError, Result};

const CONVERTER_TYPES: [ConverterType; 3] = [
    ConverterType::Key,
    ConverterType::Value,
    ConverterType::Header,
];

/// The work of a built-in converter, whichever trait it is used through.
pub(crate) trait Codec: Send + Sync + Sized {
    /// The configuration definition, which both traits' `config()` return.
    fn definition() -> ConfigDef;

    /// Applies a configuration whose `converter.type` is set; by default only checks it against
    /// the [`definition`](Codec::definition).
    fn apply_config(&mut self, props: &ConfigMap) -> Result<()> {
        parse(&Self::definition(), props)?;
        Ok(())
    }

    /// Serializes one value of `topic` (a key, a value or a header value).
    fn write(&self, topic: &str, schema: Option<&Schema>, value: &Value) -> Result<Option<Bytes>>;

    /// Deserializes one key, value or header value of `topic`.
    fn read(&self, topic: &str, data: Option<&[u8]>) -> Result<SchemaAndValue>;
}

/// Kafka's `ConverterConfig.newConfigDef()`: `converter.type`, required, one of `key`, `value`,
/// `header`.
pub(crate) fn converter_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::string(CONVERTER_TYPE_CONFIG)
            .validator(ValidString::in_(CONVERTER_TYPES.map(ConverterType::name)))
            .importance(Importance::Low)
            .documentation("How this converter will be used."),
    )
}

/// Parses `props` against `def` as Kafka's `AbstractConfig` does: keys in definition order, and
/// the first problem found is the error.
pub(crate) fn parse(def: &ConfigDef, props: &ConfigMap) -> Result<ParsedConfig, ConfigError> {
    def.parse(props).map_err(|error| match error {
        ConfigError::Multiple(mut errors) if !errors.is_empty() => errors.swap_remove(0),
        error => error,
    })
}

/// The `converter.type` of a configuration parsed with a definition that includes
/// [`converter_config_def`].
pub(crate) fn converter_type(parsed: &ParsedConfig) -> Result<ConverterType, ConfigError> {
    let name = parsed.get_string(CONVERTER_TYPE_CONFIG)?;
    CONVERTER_TYPES
        .into_iter()
        .find(|converter_type| converter_type.name() == name)
        .ok_or_else(|| {
            ConfigError::invalid(
                CONVERTER_TYPE_CONFIG,
                name,
                "String must be one of: key, value, header",
            )
        })
}

/// Kafka's `Invalid schema type for <converter>: <type>`, for a schema of another type than
/// `expected`; no schema is fine.
pub(crate) fn expect_schema_type(
    converter: &str,
    schema: Option<&Schema>,
    expected: Type,
) -> Result<(), DataError> {
    match schema {
        Some(schema) if schema.type_() != expected => Err(DataError::new(format!(
            "Invalid schema type for {converter}: {}",
            schema.type_()
        ))),
        _ => Ok(()),
    }
}

/// Kafka's `<converter> is not compatible with objects of type class <class>`.
pub(crate) fn not_compatible(converter: &str, value: &Value) -> DataError {
    DataError::new(format!(
        "{converter} is not compatible with objects of type class {}",
        values::java_class_name(value)
    ))
}

/// `configs` with `converter.type` set to `converter_type`: always when `force` (as Kafka's
/// `Converter.configure(configs, isKey)` does), otherwise only when it is absent.
fn with_converter_type(
    configs: &ConfigMap,
    converter_type: ConverterType,
    force: bool,
) -> ConfigMap {
    let mut props = configs.clone();
    if force || !props.contains_key(CONVERTER_TYPE_CONFIG) {
        props.insert(
            CONVERTER_TYPE_CONFIG.to_owned(),
            converter_type.name().to_owned(),
        );
    }
    props
}

/// `Converter::configure`: the configuration as a key or a value converter.
pub(crate) fn configure_converter(
    codec: &mut impl Codec,
    configs: &ConfigMap,
    is_key: bool,
) -> Result<()> {
    let converter_type = if is_key {
        ConverterType::Key
    } else {
        ConverterType::Value
    };
    codec.apply_config(&with_converter_type(configs, converter_type, true))
}

/// `HeaderConverter::configure`: the configuration as a header converter unless
/// `converter.type` says otherwise.
pub(crate) fn configure_header_converter(
    codec: &mut impl Codec,
    configs: &ConfigMap,
) -> Result<()> {
    codec.apply_config(&with_converter_type(configs, ConverterType::Header, false))
}

/// Implements [`HeaderConverter`](crate::storage::HeaderConverter) for a [`Codec`]:
/// `header_converter_trait!(impl for MyConverter)`, or with generics
/// `header_converter_trait!(impl[T: Bound] for MyConverter<T>)`.
macro_rules! header_converter_trait {
    (impl $([$($generics:tt)*])? for $ty:ty) => {
        impl $(<$($generics)*>)? $crate::storage::HeaderConverter for $ty {
            fn configure(&mut self, configs: &$crate::config::ConfigMap) -> $crate::error::Result<()> {
                $crate::storage::codec::configure_header_converter(self, configs)
            }

            fn to_connect_header(
                &self,
                topic: &str,
                _header_key: &str,
                value: Option<&[u8]>,
            ) -> $crate::error::Result<$crate::data::SchemaAndValue> {
                $crate::storage::codec::Codec::read(self, topic, value)
            }

            fn from_connect_header(
                &self,
                topic: &str,
                _header_key: &str,
                schema: Option<&$crate::data::Schema>,
                value: &$crate::data::Value,
            ) -> $crate::error::Result<Option<::bytes::Bytes>> {
                $crate::storage::codec::Codec::write(self, topic, schema, value)
            }

            fn config(&self) -> $crate::config::ConfigDef {
                <Self as $crate::storage::codec::Codec>::definition()
            }
        }
    };
}

/// Implements [`Converter`](crate::storage::Converter) and
/// [`HeaderConverter`](crate::storage::HeaderConverter) for a [`Codec`]; same syntax as
/// [`header_converter_trait!`].
macro_rules! converter_traits {
    (impl $([$($generics:tt)*])? for $ty:ty) => {
        #[::async_trait::async_trait]
        impl $(<$($generics)*>)? $crate::storage::Converter for $ty {
            fn configure(
                &mut self,
                configs: &$crate::config::ConfigMap,
                is_key: bool,
            ) -> $crate::error::Result<()> {
                $crate::storage::codec::configure_converter(self, configs, is_key)
            }

            async fn from_connect_data(
                &self,
                topic: &str,
                _headers: &mut $crate::header::Headers,
                schema: Option<&$crate::data::Schema>,
                value: &$crate::data::Value,
            ) -> $crate::error::Result<Option<::bytes::Bytes>> {
                $crate::storage::codec::Codec::write(self, topic, schema, value)
            }

            async fn to_connect_data(
                &self,
                topic: &str,
                _headers: &$crate::header::Headers,
                data: Option<&[u8]>,
            ) -> $crate::error::Result<$crate::data::SchemaAndValue> {
                $crate::storage::codec::Codec::read(self, topic, data)
            }

            fn config(&self) -> $crate::config::ConfigDef {
                <Self as $crate::storage::codec::Codec>::definition()
            }
        }

        $crate::storage::codec::header_converter_trait!(impl $([$($generics)*])? for $ty);
    };
}

pub(crate) use {converter_traits, header_converter_trait};
