//! Reading, altering and resetting a connector's offsets (KIP-875), and its active topics.

use std::collections::{BTreeSet, HashMap};

use connect_api::error::{ConnectError, Result};
use connect_api::record::{OffsetMap, TopicPartition};
use connect_log::{Log, Partition};
use serde_json::Value as Json;

use super::TargetState;
use super::guard::guarded;
use super::runtime::Runtime;
use crate::config::{ConnectorConfig, ConnectorType, SinkTopics};
use crate::offsets::validate_offset;
use crate::plugins::ConnectorFactory;

/// Whether the connector confirmed an offsets change (its `alter_offsets` returned true), which
/// decides the message Kafka Connect answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetsAltered {
    /// The connector confirmed it.
    Confirmed,
    /// Only the framework-managed offsets changed; the connector did not confirm.
    Unconfirmed,
}

impl OffsetsAltered {
    /// Kafka Connect's message for an alteration (`reset` false) or a reset.
    ///
    /// ```
    /// use connect_runtime::worker::OffsetsAltered;
    /// assert_eq!(
    ///     OffsetsAltered::Confirmed.message(false),
    ///     "The offsets for this connector have been altered successfully"
    /// );
    /// ```
    pub fn message(self, reset: bool) -> String {
        let (done, verb) = if reset {
            ("reset", "reset")
        } else {
            ("altered", "altered")
        };
        match self {
            OffsetsAltered::Confirmed => {
                format!("The offsets for this connector have been {done} successfully")
            }
            OffsetsAltered::Unconfirmed => format!(
                "The Connect framework-managed offsets for this connector have been {done} successfully. However, if this connector manages offsets externally, they will need to be manually {verb} in the system that the connector uses."
            ),
        }
    }
}

impl Runtime {
    /// Alters a stopped connector's offsets: for a source connector, source partitions and
    /// offsets (`None` removes one); for a sink connector, partitions
    /// `{"kafka_topic", "kafka_partition"}` and offsets `{"kafka_offset"}` of its consumer
    /// group. The connector's `alter_offsets` is asked first.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`]; [`ConnectError::IllegalWorkerState`] unless the connector is
    /// STOPPED; a configuration error for malformed offsets, with Kafka's messages.
    pub async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: Vec<(OffsetMap, Option<OffsetMap>)>,
    ) -> Result<OffsetsAltered> {
        if offsets.is_empty() {
            return Err(ConnectError::IllegalWorkerState(
                "Partitions / offsets need to be provided for an alter offsets request".into(),
            ));
        }
        self.modify_offsets(name, Some(offsets)).await
    }

    /// Resets a stopped connector's offsets: every source offset is removed, or the sink's
    /// consumer group offsets are deleted so it starts again per `auto.offset.reset`.
    ///
    /// # Errors
    ///
    /// As [`Runtime::alter_connector_offsets`].
    pub async fn reset_connector_offsets(&self, name: &str) -> Result<OffsetsAltered> {
        self.modify_offsets(name, None).await
    }

    async fn modify_offsets(
        &self,
        name: &str,
        offsets: Option<Vec<(OffsetMap, Option<OffsetMap>)>>,
    ) -> Result<OffsetsAltered> {
        if let Some(cluster) = &self.inner.cluster {
            cluster.ensure_leader()?;
            let (config, factory, target) = cluster.connector_parts(name).await?;
            return self
                .modify_offsets_of(name, &config, &factory, target, offsets)
                .await;
        }
        // Held throughout, so that the connector cannot be resumed half-way.
        let connectors = self.inner.connectors.lock().await;
        let connector = connectors
            .get(name)
            .ok_or_else(|| ConnectError::NotFound(format!("Connector {name} not found")))?;
        self.modify_offsets_of(
            name,
            &connector.config,
            &connector.factory,
            connector.target,
            offsets,
        )
        .await
    }

    async fn modify_offsets_of(
        &self,
        name: &str,
        connector: &ConnectorConfig,
        factory: &ConnectorFactory,
        target: TargetState,
        offsets: Option<Vec<(OffsetMap, Option<OffsetMap>)>>,
    ) -> Result<OffsetsAltered> {
        let shared = &self.inner.shared;
        if target != TargetState::Stopped {
            return Err(ConnectError::IllegalWorkerState(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )));
        }
        let config = connector.originals().clone();
        match (factory, factory.kind()) {
            (ConnectorFactory::Source(make), ConnectorType::Source) => {
                let offsets = match offsets {
                    Some(offsets) => offsets,
                    None => shared
                        .offsets
                        .connector_offsets(name)
                        .await?
                        .into_iter()
                        .map(|(partition, _)| (partition, None))
                        .collect(),
                };
                for (partition, offset) in &offsets {
                    validate_offset(partition, offset.as_ref())?;
                }
                let confirmed = guarded("the connector's alter_offsets()", async {
                    make()
                        .alter_offsets(&config, &offsets)
                        .await
                        .map_err(rejected)
                })
                .await?;
                shared.offsets.set(name, offsets).await?;
                Ok(if confirmed {
                    OffsetsAltered::Confirmed
                } else {
                    OffsetsAltered::Unconfirmed
                })
            }
            (ConnectorFactory::Sink(make), _) => {
                let group = format!("connect-{name}");
                let offsets: HashMap<TopicPartition, Option<i64>> = match offsets {
                    Some(offsets) => offsets
                        .iter()
                        .map(|(partition, offset)| sink_offset(partition, offset.as_ref()))
                        .collect::<Result<_>>()?,
                    None => {
                        let topics = connector.sink_topics().map_err(ConnectError::Config)?;
                        let committed =
                            committed_sink_offsets(shared.log.as_ref(), &group, &topics).await?;
                        committed
                            .into_keys()
                            .map(|p| (TopicPartition::new(p.topic.clone(), p.partition), None))
                            .collect()
                    }
                };
                let confirmed = guarded("the connector's alter_offsets()", async {
                    make()
                        .alter_offsets(&config, &offsets)
                        .await
                        .map_err(rejected)
                })
                .await?;
                let to_commit: Vec<(Partition, i64)> = offsets
                    .iter()
                    .filter_map(|(tp, o)| {
                        o.map(|o| (Partition::new(tp.topic.clone(), tp.partition), o))
                    })
                    .collect();
                let to_delete: Vec<Partition> = offsets
                    .iter()
                    .filter(|(_, o)| o.is_none())
                    .map(|(tp, _)| Partition::new(tp.topic.clone(), tp.partition))
                    .collect();
                let log_error = |e: connect_log::LogError| {
                    ConnectError::other_from(format!("consumer group {group}: {e}"), e)
                };
                if !to_commit.is_empty() {
                    shared
                        .log
                        .commit_offsets(&group, &to_commit)
                        .await
                        .map_err(log_error)?;
                }
                if !to_delete.is_empty() {
                    shared
                        .log
                        .delete_committed_offsets(&group, &to_delete)
                        .await
                        .map_err(log_error)?;
                }
                Ok(if confirmed {
                    OffsetsAltered::Confirmed
                } else {
                    OffsetsAltered::Unconfirmed
                })
            }
            (ConnectorFactory::Source(_), ConnectorType::Sink) => {
                Err(ConnectError::other("inconsistent connector type"))
            }
        }
    }

    /// The topics a connector has used since it was created or its topics were reset.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn connector_topics(&self, name: &str) -> Result<BTreeSet<String>> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.connector_topics(name).await;
        }
        if !self.inner.connectors.lock().await.contains_key(name) {
            return Err(ConnectError::NotFound(format!(
                "Connector {name} not found"
            )));
        }
        Ok(self.inner.shared.topics.of(name))
    }

    /// Forgets the topics a connector has used.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn reset_connector_topics(&self, name: &str) -> Result<()> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.reset_connector_topics(name).await;
        }
        if !self.inner.connectors.lock().await.contains_key(name) {
            return Err(ConnectError::NotFound(format!(
                "Connector {name} not found"
            )));
        }
        self.inner.shared.topics.reset(name);
        Ok(())
    }

    /// The worker id shown in statuses (`host:port`).
    pub fn worker_id(&self) -> &str {
        &self.inner.shared.worker_id
    }
}

/// What the sink connector's consumer group has committed for the partitions it consumes.
pub(super) async fn committed_sink_offsets(
    log: &dyn Log,
    group: &str,
    topics: &SinkTopics,
) -> Result<HashMap<Partition, i64>> {
    let error = |e: connect_log::LogError| {
        ConnectError::other_from(format!("consumer group {group}: {e}"), e)
    };
    let partitions = topics.partitions(&log.list_topics().await.map_err(error)?);
    log.committed_offsets(group, &partitions)
        .await
        .map_err(error)
}

/// The connector rejected the offsets: the request's fault (HTTP 400), in the connector's words.
fn rejected(error: ConnectError) -> ConnectError {
    match error {
        ConnectError::Config(_) => error,
        other => ConnectError::Config(connect_api::error::ConfigError::other(other.to_string())),
    }
}

/// A sink offset in the REST shape: `{"kafka_topic", "kafka_partition"}` → `{"kafka_offset"}`.
fn sink_offset(
    partition: &OffsetMap,
    offset: Option<&OffsetMap>,
) -> Result<(TopicPartition, Option<i64>)> {
    let bad = |message: String| ConnectError::IllegalWorkerState(message);
    let topic = match partition.get("kafka_topic") {
        Some(Json::String(topic)) if !topic.is_empty() => topic.clone(),
        _ => {
            return Err(bad(
                "Kafka topic names must be valid strings and may not be null".into(),
            ));
        }
    };
    let number = match partition.get("kafka_partition") {
        Some(Json::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        Some(Json::String(s)) => s.parse().ok(),
        _ => None,
    }
    .filter(|n| *n >= 0)
    .ok_or_else(|| {
        bad(format!(
            "Failed to parse the following Kafka partition value in the provided offsets: '{}'. Partition values for sink connectors need to be integers.",
            partition.get("kafka_partition").map_or("null".to_owned(), ToString::to_string)
        ))
    })?;
    let offset = match offset {
        None => None,
        Some(offset) => Some(
            match offset.get("kafka_offset") {
                Some(Json::Number(n)) => n.as_i64(),
                Some(Json::String(s)) => s.parse().ok(),
                _ => None,
            }
            .filter(|o| *o >= 0)
            .ok_or_else(|| {
                bad(format!(
                    "Failed to parse the following Kafka offset value in the provided offsets: '{}'. Offset values for sink connectors need to be integers.",
                    offset.get("kafka_offset").map_or("null".to_owned(), ToString::to_string)
                ))
            })?,
        ),
    };
    Ok((TopicPartition::new(topic, number), offset))
}
