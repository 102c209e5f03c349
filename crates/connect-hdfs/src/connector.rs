//! The connector: checks the configuration and hands it to every task.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use connect_api::config::{ConfigDef, ConfigMap, ConfigValueInfo};
use connect_api::connector::{Connector, SinkConnector, SinkConnectorContext};
use connect_api::error::{ConfigError, Result};
use connect_api::record::TopicPartition;
use connect_api::task::SinkTask;

use crate::config::HdfsSinkConfig;
use crate::task::HdfsSinkTask;

/// Writes topics to HDFS (or a local file system) as Confluent's
/// `io.confluent.connect.hdfs.HdfsSinkConnector` does: same keys, same layout, exactly-once
/// file commits.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::connector::Connector;
/// use connect_hdfs::HdfsSinkConnector;
///
/// let props = ConfigMap::from([
///     ("connector.class".to_owned(), HdfsSinkConnector::CLASS.to_owned()),
///     ("topics".to_owned(), "orders".to_owned()),
///     ("hdfs.url".to_owned(), "file:///tmp/hdfs".to_owned()),
///     ("format.class".to_owned(), "io.confluent.connect.hdfs.parquet.ParquetFormat".to_owned()),
///     ("flush.size".to_owned(), "3".to_owned()),
/// ]);
/// let mut connector = HdfsSinkConnector::new();
/// assert!(connector.validate(&props).iter().all(|key| key.errors.is_empty()));
///
/// // What `start` would refuse, validation refuses, on the key concerned.
/// let mut hive = props.clone();
/// hive.insert("hive.integration".to_owned(), "true".to_owned());
/// let refused = connector.validate(&hive);
/// let info = refused.iter().find(|key| key.name == "hive.integration").expect("reported");
/// assert!(info.errors[0].contains("Hive integration is not supported"));
/// let mut orc = props.clone();
/// orc.insert("format.class".to_owned(), "io.confluent.connect.hdfs.orc.OrcFormat".to_owned());
/// let refused = connector.validate(&orc);
/// assert!(refused.iter().any(|key| key.name == "format.class" && !key.errors.is_empty()));
///
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// runtime.block_on(connector.start(&props))?;
/// assert_eq!(connector.task_configs(2)?.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct HdfsSinkConnector {
    props: ConfigMap,
}

impl HdfsSinkConnector {
    /// Confluent's class name, which configurations name in `connector.class`.
    pub const CLASS: &'static str = "io.confluent.connect.hdfs.HdfsSinkConnector";

    /// A connector, to be started.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Connector for HdfsSinkConnector {
    fn version(&self) -> String {
        crate::VERSION.to_owned()
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let config = HdfsSinkConfig::from_connector_props(props)?;
        crate::format::from_config(&config)?;
        crate::partitioner::partitioner_from_config(props)?;
        self.props = props.clone();
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        Ok(vec![self.props.clone(); max_tasks])
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        HdfsSinkConfig::full_config_def()
    }

    /// Each key's own checks, then the rules `start` applies between keys (Hive integration,
    /// the format and partitioner classes, a time zone for scheduled rotation, capture groups),
    /// so that validation refuses what `start` would.
    fn validate(&self, props: &ConfigMap) -> Vec<ConfigValueInfo> {
        let def = self.config();
        let mut infos = def.validate(props);
        if infos.iter().any(|info| !info.errors.is_empty()) {
            return infos;
        }
        let refused = HdfsSinkConfig::from_connector_props(props)
            .and_then(|config| crate::format::from_config(&config).map(drop))
            .and_then(|()| crate::partitioner::partitioner_from_config(props).map(drop))
            .err();
        if let Some(error) = refused {
            let key = key_of(&error, &def);
            let message = error.to_string();
            match infos.iter_mut().find(|info| info.name == key) {
                Some(info) => info.errors.push(message),
                None => {
                    let mut info = ConfigValueInfo::new(key);
                    info.errors.push(message);
                    infos.push(info);
                }
            }
        }
        infos
    }
}

/// The key an error is about: the one it names, else the longest key of `def` its message
/// mentions, else `connector.class`.
fn key_of(error: &ConfigError, def: &ConfigDef) -> String {
    match error {
        ConfigError::InvalidValue { name, .. } | ConfigError::Missing { name } => name.clone(),
        ConfigError::Multiple(errors) if !errors.is_empty() => key_of(&errors[0], def),
        _ => {
            let message = error.to_string();
            def.names()
                .filter(|name| message.contains(name))
                .max_by_key(|name| name.len())
                .unwrap_or("connector.class")
                .to_owned()
        }
    }
}

#[async_trait]
impl SinkConnector for HdfsSinkConnector {
    fn initialize(&mut self, _context: Arc<dyn SinkConnectorContext>) {}

    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(HdfsSinkTask::new())
    }

    /// Accepts every change, with a warning: where write-ahead logs or committed files exist,
    /// they decide where each partition resumes, not the consumer group.
    async fn alter_offsets(
        &self,
        _connector_config: &ConfigMap,
        offsets: &HashMap<TopicPartition, Option<i64>>,
    ) -> Result<bool> {
        tracing::warn!(
            partitions = offsets.len(),
            "consumer group offsets of the HDFS sink altered; partitions with write-ahead logs or committed files still resume after their last committed file"
        );
        Ok(true)
    }
}
