//! The key, value and header converters of one task, chosen by the connector's overrides or
//! the worker's defaults.

use connect_api::config::{ConfigMap, ConfigValueInfo};
use connect_api::error::{ConfigError, ConnectError};
use connect_api::storage::{Converter, HeaderConverter};

use crate::config::{ConnectorConfig, WorkerConfig};
use crate::plugins::Plugins;

/// A configured converter and its class, for error reports.
pub struct Named<C: ?Sized> {
    /// The class or alias it was configured with.
    pub class: String,
    /// The converter.
    pub converter: Box<C>,
}

/// The converters of one task.
pub struct Converters {
    /// The key converter.
    pub key: Named<dyn Converter>,
    /// The value converter.
    pub value: Named<dyn Converter>,
    /// The header converter.
    pub header: Named<dyn HeaderConverter>,
}

impl Converters {
    /// Makes and configures the converters: a connector's `key.converter` (with its
    /// `key.converter.*` settings) wins over the worker's.
    ///
    /// # Errors
    ///
    /// A configuration error naming the key when a class is unknown or rejects its settings.
    pub fn build(
        plugins: &Plugins,
        worker: &WorkerConfig,
        connector: &ConnectorConfig,
    ) -> Result<Self, ConnectError> {
        let choose = |key: &str| -> Result<(String, ConfigMap), ConnectError> {
            if let Some(class) = connector.converter_class(key) {
                return Ok((class.to_owned(), connector.converter_config(key)));
            }
            match worker.converter_class(key) {
                Some(class) => Ok((class.to_owned(), worker.converter_config(key))),
                None => Err(ConnectError::Config(ConfigError::missing(key))),
            }
        };
        let mut converters = Vec::with_capacity(2);
        for (key, is_key) in [("key.converter", true), ("value.converter", false)] {
            let (class, settings) = choose(key)?;
            let mut converter = plugins.converter(&class).map_err(|e| {
                ConnectError::Config(ConfigError::invalid(key, class.clone(), e.to_string()))
            })?;
            converter
                .configure(&settings, is_key)
                .map_err(|e| e.context(format!("configuring {key} {class}")))?;
            converters.push(Named { class, converter });
        }
        let (class, settings) = choose("header.converter")?;
        let mut header = plugins.header_converter(&class).map_err(|e| {
            ConnectError::Config(ConfigError::invalid(
                "header.converter",
                class.clone(),
                e.to_string(),
            ))
        })?;
        header
            .configure(&settings)
            .map_err(|e| e.context(format!("configuring header.converter {class}")))?;
        let value = converters.pop();
        let key = converters.pop();
        match (key, value) {
            (Some(key), Some(value)) => Ok(Self {
                key,
                value,
                header: Named {
                    class,
                    converter: header,
                },
            }),
            _ => Err(ConnectError::other("converters could not be built")),
        }
    }
}

/// The errors of a connector's converter overrides (`key.converter`, `value.converter`,
/// `header.converter`) naming no known converter, found when the connector is validated or
/// created rather than when its tasks start.
pub(crate) fn validate_converter_classes(
    plugins: &Plugins,
    props: &ConfigMap,
) -> Vec<ConfigValueInfo> {
    let mut infos = Vec::new();
    for key in ["key.converter", "value.converter", "header.converter"] {
        // A blank value is the CLASS key's own error already.
        let Some(class) = props.get(key).filter(|class| !class.trim().is_empty()) else {
            continue;
        };
        let unknown = if key == "header.converter" {
            plugins.header_converter(class).err()
        } else {
            plugins.converter(class).err()
        };
        if let Some(error) = unknown {
            let mut info = ConfigValueInfo::new(key);
            info.errors.push(format!(
                "Invalid value {class} for configuration {key}: {error}"
            ));
            infos.push(info);
        }
    }
    infos
}
