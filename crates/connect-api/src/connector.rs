//! Connectors: the jobs that split work into tasks (Kafka's `Connector`, `SourceConnector`,
//! `SinkConnector` and their contexts).
//!
//! A connector is configured, started, asked for task configurations and stopped; the runtime
//! then creates one task per configuration with [`SourceConnector::create_task`] or
//! [`SinkConnector::create_task`], possibly on another worker.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::config::{ConfigDef, ConfigMap, ConfigValueInfo};
use crate::error::{ConnectError, Result};
use crate::record::{OffsetMap, TopicPartition};
use crate::task::{OffsetStorageReader, SinkTask, SourceTask};

/// What every connector implements.
///
/// A connector reads its configuration in `start` and splits the work into task
/// configurations; it moves no data itself. Sources and sinks add
/// [`SourceConnector`] or [`SinkConnector`] on top.
///
/// ```
/// use async_trait::async_trait;
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
/// use connect_api::connector::{Connector, group_partitions};
/// use connect_api::error::Result;
///
/// /// Copies tables; each task gets a share of them.
/// #[derive(Default)]
/// struct Tables { tables: Vec<String> }
///
/// #[async_trait]
/// impl Connector for Tables {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, props: &ConfigMap) -> Result<()> {
///         self.tables = self.config().parse(props)?.get_list("tables")?.to_vec();
///         Ok(())
///     }
///     fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
///         let groups = group_partitions(&self.tables, max_tasks.min(self.tables.len()).max(1))?;
///         Ok(groups.into_iter().map(|g| ConfigMap::from([("tables".into(), g.join(","))])).collect())
///     }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
///     fn config(&self) -> ConfigDef {
///         ConfigDef::new().define(
///             ConfigKey::list("tables").importance(Importance::High).documentation("Tables to copy."),
///         )
///     }
/// }
///
/// let mut connector = Tables::default();
/// futures::executor::block_on(connector.start(&ConfigMap::from([("tables".into(), "a,b,c".into())])))?;
/// let configs = connector.task_configs(2)?;
/// assert_eq!(configs.len(), 2);
/// assert_eq!((configs[0]["tables"].as_str(), configs[1]["tables"].as_str()), ("a,b", "c"));
///
/// let problems = connector.validate(&ConfigMap::new());
/// assert_eq!(problems[0].errors, ["Missing required configuration \"tables\" which has no default value."]);
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[async_trait]
pub trait Connector: Send + Sync {
    /// The connector's version, shown by the REST API.
    fn version(&self) -> String;

    /// Starts the connector with its configuration.
    async fn start(&mut self, props: &ConfigMap) -> Result<()>;

    /// Applies a new configuration; by default stops and starts again.
    async fn reconfigure(&mut self, props: &ConfigMap) -> Result<()> {
        self.stop().await?;
        self.start(props).await
    }

    /// One configuration per task, at most `max_tasks` of them.
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>>;

    /// Stops the connector.
    async fn stop(&mut self) -> Result<()>;

    /// The connector's configuration definition.
    fn config(&self) -> ConfigDef;

    /// Validates a configuration, reporting every problem of every key; by default against
    /// [`Connector::config`].
    fn validate(&self, props: &ConfigMap) -> Vec<ConfigValueInfo> {
        self.config().validate(props)
    }
}

/// What a connector may ask of the runtime.
///
/// A connector keeps the context it is given in `initialize` (as a [`SourceConnectorContext`] or
/// [`SinkConnectorContext`], both of which are a `ConnectorContext`), for example to have its
/// tasks reconfigured when the source changes:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use connect_api::connector::ConnectorContext;
/// use connect_api::error::ConnectError;
///
/// /// The part of a connector that watches the source for tables.
/// struct Watcher { context: Arc<dyn ConnectorContext>, tables: Vec<String> }
///
/// impl Watcher {
///     fn refresh(&mut self, tables: Vec<String>) {
///         if tables != self.tables {
///             self.tables = tables;
///             self.context.request_task_reconfiguration(); // task_configs is called again
///         }
///     }
/// }
/// # #[derive(Default)]
/// # struct Requests(AtomicUsize);
/// # impl ConnectorContext for Requests {
/// #     fn request_task_reconfiguration(&self) { self.0.fetch_add(1, Ordering::SeqCst); }
/// #     fn raise_error(&self, _error: ConnectError) {}
/// # }
///
/// let context = Arc::new(Requests::default()); // the runtime's context
/// let mut watcher = Watcher { context: context.clone(), tables: Vec::new() };
/// watcher.refresh(vec!["orders".into()]);
/// watcher.refresh(vec!["orders".into()]);
/// assert_eq!(context.0.load(Ordering::SeqCst), 1);
/// ```
pub trait ConnectorContext: Send + Sync {
    /// Asks the runtime to call [`Connector::task_configs`] again, for example because the
    /// source gained a table; tasks are restarted if their configurations changed.
    fn request_task_reconfiguration(&self);

    /// Reports an unrecoverable error: the connector goes to FAILED.
    fn raise_error(&self, error: ConnectError);
}

/// The context of a source connector: a [`ConnectorContext`] that can also read source offsets.
pub trait SourceConnectorContext: ConnectorContext {
    /// Reads the committed offsets of this connector.
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader>;
}

/// The context of a sink connector.
pub trait SinkConnectorContext: ConnectorContext {}

/// Whether a source connector can provide exactly-once delivery (KIP-618).
///
/// The answer of [`SourceConnector::exactly_once_support`]:
///
/// ```
/// use std::sync::Arc;
/// use async_trait::async_trait;
/// use connect_api::config::{ConfigDef, ConfigMap};
/// use connect_api::connector::{Connector, ExactlyOnceSupport, SourceConnector, SourceConnectorContext};
/// use connect_api::error::Result;
/// use connect_api::record::SourceRecord;
/// use connect_api::task::SourceTask;
///
/// struct Jdbc;
/// # #[async_trait]
/// # impl Connector for Jdbc {
/// #     fn version(&self) -> String { "1.0".into() }
/// #     async fn start(&mut self, _props: &ConfigMap) -> Result<()> { Ok(()) }
/// #     fn task_configs(&self, _max_tasks: usize) -> Result<Vec<ConfigMap>> { Ok(Vec::new()) }
/// #     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// #     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// # }
/// # struct JdbcTask;
/// # #[async_trait]
/// # impl SourceTask for JdbcTask {
/// #     fn version(&self) -> String { "1.0".into() }
/// #     async fn start(&mut self, _props: &ConfigMap) -> Result<()> { Ok(()) }
/// #     async fn poll(&mut self) -> Result<Vec<SourceRecord>> { Ok(Vec::new()) }
/// #     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// # }
///
/// impl SourceConnector for Jdbc {
///     fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}
///     fn create_task(&self) -> Box<dyn SourceTask> { Box::new(JdbcTask) }
///     fn exactly_once_support(&self, config: &ConfigMap) -> Option<ExactlyOnceSupport> {
///         // Only an incrementing column gives offsets that can be replayed exactly.
///         Some(match config.get("mode").map(String::as_str) {
///             Some("incrementing") => ExactlyOnceSupport::Supported,
///             _ => ExactlyOnceSupport::Unsupported,
///         })
///     }
/// }
///
/// let config = ConfigMap::from([("mode".into(), "incrementing".into())]);
/// assert_eq!(Jdbc.exactly_once_support(&config), Some(ExactlyOnceSupport::Supported));
/// assert_eq!(Jdbc.exactly_once_support(&ConfigMap::new()), Some(ExactlyOnceSupport::Unsupported));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExactlyOnceSupport {
    /// Exactly-once is possible with the given configuration.
    Supported,
    /// Exactly-once is not possible with the given configuration.
    Unsupported,
}

/// Whether a source connector can define its own transaction boundaries (KIP-618).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnectorTransactionBoundaries {
    /// The connector can define transaction boundaries.
    Supported,
    /// The connector cannot (the default).
    #[default]
    Unsupported,
}

/// A connector that reads from another system into Kafka.
///
/// ```
/// use async_trait::async_trait;
/// use connect_api::config::{ConfigDef, ConfigMap};
/// use connect_api::connector::{Connector, SourceConnector, SourceConnectorContext};
/// use connect_api::error::Result;
/// use connect_api::record::SourceRecord;
/// use connect_api::task::SourceTask;
/// use std::sync::Arc;
///
/// #[derive(Default)]
/// struct Ticker { props: ConfigMap }
///
/// #[async_trait]
/// impl Connector for Ticker {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, props: &ConfigMap) -> Result<()> { self.props = props.clone(); Ok(()) }
///     fn task_configs(&self, _max_tasks: usize) -> Result<Vec<ConfigMap>> { Ok(vec![self.props.clone()]) }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
///     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// }
///
/// impl SourceConnector for Ticker {
///     fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}
///     fn create_task(&self) -> Box<dyn SourceTask> { Box::new(TickTask) }
/// }
///
/// struct TickTask;
/// #[async_trait]
/// impl SourceTask for TickTask {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, _props: &ConfigMap) -> Result<()> { Ok(()) }
///     async fn poll(&mut self) -> Result<Vec<SourceRecord>> { Ok(Vec::new()) }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// }
/// ```
#[async_trait]
pub trait SourceConnector: Connector {
    /// Hands the connector its context before [`Connector::start`].
    fn initialize(&mut self, context: Arc<dyn SourceConnectorContext>);

    /// A new, unstarted task of this connector.
    ///
    /// Called on whichever worker runs the task, on an instance that may never have been
    /// initialized or started: build the task from nothing but its type, and let it read its
    /// configuration in `start`.
    fn create_task(&self) -> Box<dyn SourceTask>;

    /// Whether exactly-once delivery is possible with `connector_config`; `None` = unknown.
    fn exactly_once_support(&self, _connector_config: &ConfigMap) -> Option<ExactlyOnceSupport> {
        None
    }

    /// Whether the connector can define transaction boundaries with `connector_config`.
    fn can_define_transaction_boundaries(
        &self,
        _connector_config: &ConfigMap,
    ) -> ConnectorTransactionBoundaries {
        ConnectorTransactionBoundaries::Unsupported
    }

    /// Called before source offsets are altered or reset (`None` resets a partition). Return
    /// `Ok(true)` if the connector also updated offsets it keeps elsewhere, `Ok(false)` if only
    /// the framework's offsets change, or an error to reject the request.
    async fn alter_offsets(
        &self,
        _connector_config: &ConfigMap,
        _offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> Result<bool> {
        Ok(false)
    }
}

/// A connector that writes from Kafka to another system.
///
/// Its configuration names the topics to consume with [`TOPICS_CONFIG`] or
/// [`TOPICS_REGEX_CONFIG`]; the runtime assigns their partitions to the tasks.
///
/// ```
/// use async_trait::async_trait;
/// use connect_api::config::{ConfigDef, ConfigMap};
/// use connect_api::connector::{Connector, SinkConnector, SinkConnectorContext, TOPICS_CONFIG};
/// use connect_api::error::Result;
/// use connect_api::record::SinkRecord;
/// use connect_api::task::SinkTask;
/// use std::sync::Arc;
///
/// #[derive(Default)]
/// struct Printer { props: ConfigMap }
///
/// #[async_trait]
/// impl Connector for Printer {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, props: &ConfigMap) -> Result<()> { self.props = props.clone(); Ok(()) }
///     fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
///         Ok(vec![self.props.clone(); max_tasks]) // every task consumes a share of the partitions
///     }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
///     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// }
///
/// impl SinkConnector for Printer {
///     fn initialize(&mut self, _context: Arc<dyn SinkConnectorContext>) {}
///     fn create_task(&self) -> Box<dyn SinkTask> { Box::new(PrintTask) }
/// }
///
/// struct PrintTask;
/// #[async_trait]
/// impl SinkTask for PrintTask {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, _props: &ConfigMap) -> Result<()> { Ok(()) }
///     async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
///         records.iter().for_each(|r| println!("{}: {}", r.topic, r.value));
///         Ok(())
///     }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// }
///
/// let mut connector = Printer::default();
/// futures::executor::block_on(connector.start(&ConfigMap::from([(TOPICS_CONFIG.into(), "orders".into())])))?;
/// assert_eq!(connector.task_configs(3)?.len(), 3);
/// assert_eq!(connector.create_task().version(), "1.0");
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[async_trait]
pub trait SinkConnector: Connector {
    /// Hands the connector its context before [`Connector::start`].
    fn initialize(&mut self, context: Arc<dyn SinkConnectorContext>);

    /// A new, unstarted task of this connector.
    ///
    /// Called on whichever worker runs the task, on an instance that may never have been
    /// initialized or started: build the task from nothing but its type, and let it read its
    /// configuration in `start`.
    fn create_task(&self) -> Box<dyn SinkTask>;

    /// Called before consumer offsets are altered or reset (`None` resets a partition); see
    /// [`SourceConnector::alter_offsets`].
    async fn alter_offsets(
        &self,
        _connector_config: &ConfigMap,
        _offsets: &HashMap<TopicPartition, Option<i64>>,
    ) -> Result<bool> {
        Ok(false)
    }
}

/// The configuration key that lists a sink's topics.
pub const TOPICS_CONFIG: &str = "topics";
/// The configuration key that selects a sink's topics by regular expression.
pub const TOPICS_REGEX_CONFIG: &str = "topics.regex";

/// Splits `items` into `num_groups` contiguous groups of nearly equal size, the first
/// `len % num_groups` groups one larger (Kafka's `ConnectorUtils.groupPartitions`).
///
/// ```
/// use connect_api::connector::group_partitions;
/// let groups = group_partitions(&[1, 2, 3, 4, 5], 2)?;
/// assert_eq!(groups, vec![vec![1, 2, 3], vec![4, 5]]);
/// assert_eq!(group_partitions(&[1], 3)?, vec![vec![1], vec![], vec![]]);
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
pub fn group_partitions<T: Clone>(items: &[T], num_groups: usize) -> Result<Vec<Vec<T>>> {
    if num_groups == 0 {
        return Err(ConnectError::other("Number of groups must be positive."));
    }
    let per_group = items.len() / num_groups;
    let leftover = items.len() % num_groups;
    let mut groups = Vec::with_capacity(num_groups);
    let mut start = 0;
    for group in 0..num_groups {
        let size = per_group + usize::from(group < leftover);
        groups.push(items[start..start + size].to_vec());
        start += size;
    }
    Ok(groups)
}
