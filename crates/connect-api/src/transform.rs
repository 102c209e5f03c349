//! Single-message transforms and predicates (Kafka's `Transformation` and `Predicate`).

use crate::config::{ConfigDef, ConfigMap};
use crate::error::Result;
use crate::record::Record;

/// Changes, replaces or drops one record at a time.
///
/// One instance serves one task, so `apply` takes `&mut self` and may cache derived schemas.
///
/// ```
/// use connect_api::config::{ConfigDef, ConfigMap};
/// use connect_api::error::Result;
/// use connect_api::record::{ConnectRecord, Record, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
///
/// /// Appends a suffix to the topic name.
/// struct Suffix(String);
///
/// impl<R: Record> Transform<R> for Suffix {
///     fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
///         self.0 = configs.get("suffix").cloned().unwrap_or_default();
///         Ok(())
///     }
///     fn apply(&mut self, mut record: R) -> Result<Option<R>> {
///         record.topic = format!("{}{}", record.topic, self.0).into();
///         Ok(Some(record))
///     }
///     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// }
///
/// let mut t = Suffix(String::new());
/// Transform::<SinkRecord>::configure(&mut t, &ConfigMap::from([("suffix".into(), "-copy".into())]))?;
/// let record = SinkRecord::new(ConnectRecord::new("orders", None, "v".into()), 0, 1, TimestampType::CreateTime);
/// let out = t.apply(record)?.map(|r| r.topic.to_string());
/// assert_eq!(out.as_deref(), Some("orders-copy"));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
pub trait Transform<R: Record>: Send {
    /// Configures the transform from its `transforms.<alias>.*` properties (prefix removed).
    fn configure(&mut self, configs: &ConfigMap) -> Result<()>;

    /// Transforms one record; `Ok(None)` drops it.
    fn apply(&mut self, record: R) -> Result<Option<R>>;

    /// The transform's configuration definition.
    fn config(&self) -> ConfigDef;

    /// Releases resources when the task stops.
    fn close(&mut self) {}

    /// The transform's version.
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }
}

/// A condition on records that decides whether a transform applies.
///
/// One instance serves one task; a transform whose `predicate` is set applies only to the
/// records it matches (or, with `negate`, to the others).
///
/// ```
/// use connect_api::config::{ConfigDef, ConfigMap};
/// use connect_api::error::{ConfigError, Result};
/// use connect_api::record::{ConnectRecord, Record, SinkRecord, TimestampType};
/// use connect_api::transform::Predicate;
///
/// /// Matches records of one topic.
/// #[derive(Default)]
/// struct TopicIs(String);
///
/// impl<R: Record> Predicate<R> for TopicIs {
///     fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
///         self.0 = configs.get("topic").cloned().ok_or_else(|| ConfigError::missing("topic"))?;
///         Ok(())
///     }
///     fn test(&self, record: &R) -> bool {
///         *record.topic == *self.0
///     }
///     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// }
///
/// let mut p = TopicIs::default();
/// Predicate::<SinkRecord>::configure(&mut p, &ConfigMap::from([("topic".into(), "orders".into())]))?;
/// let record = |topic| SinkRecord::new(ConnectRecord::new(topic, None, "v".into()), 0, 1, TimestampType::CreateTime);
/// assert!(p.test(&record("orders")));
/// assert!(!p.test(&record("payments")));
/// assert!(Predicate::<SinkRecord>::configure(&mut p, &ConfigMap::new()).is_err());
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
pub trait Predicate<R: Record>: Send {
    /// Configures the predicate from its `predicates.<alias>.*` properties (prefix removed).
    fn configure(&mut self, configs: &ConfigMap) -> Result<()>;

    /// Whether the record matches.
    fn test(&self, record: &R) -> bool;

    /// The predicate's configuration definition.
    fn config(&self) -> ConfigDef;

    /// Releases resources when the task stops.
    fn close(&mut self) {}

    /// The predicate's version.
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }
}
