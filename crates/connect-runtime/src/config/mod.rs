//! The worker and connector configurations, with Kafka Connect's keys, defaults and validation
//! messages.

mod connector;
mod properties;
mod providers;
mod worker;

pub(crate) use connector::aliases;
pub use connector::{
    ConnectorConfig, ConnectorType, ErrorsConfig, RestartPolicy, SinkTopics, ToleranceType,
};
pub use properties::{ConnectorFile, load_properties, parse_connector_file};
pub use providers::{CONFIG_PROVIDERS, ConfigProviders, has_reference};
pub(crate) use providers::{resolve_connector_config, resolve_task_config, reverse_transform};
pub use worker::WorkerConfig;
