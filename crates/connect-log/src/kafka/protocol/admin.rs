//! Cluster administration: Metadata (the controller), CreateTopics, DescribeConfigs.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::time::Duration;

use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::{
    CreateTopicsRequest, DescribeConfigsRequest, MetadataRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::connection::BrokerConnection;
use super::error::{ClientError, ErrorCode};
use super::group::BrokerAddress;
use crate::NewTopic;

const METADATA: RangeInclusive<i16> = 1..=12;
const CREATE_TOPICS: RangeInclusive<i16> = 2..=7;
const DESCRIBE_CONFIGS: RangeInclusive<i16> = 1..=4;

/// DescribeConfigs resource type of a topic.
const RESOURCE_TOPIC: i8 = 2;

impl BrokerConnection {
    /// Metadata without topics: the controller's address, if the broker names one that it
    /// also lists.
    ///
    /// # Errors
    ///
    /// Transport and protocol errors.
    pub async fn controller(&self) -> Result<Option<BrokerAddress>, ClientError> {
        let version = self.version::<MetadataRequest>(METADATA)?;
        let mut request = MetadataRequest::default().with_topics(Some(Vec::new()));
        if version >= 4 {
            request = request.with_allow_auto_topic_creation(false);
        }
        let response = self.send(&request, version).await?;
        let controller = response.controller_id;
        Ok(response
            .brokers
            .into_iter()
            .find(|b| b.node_id == controller)
            .and_then(|b| {
                Some(BrokerAddress {
                    node_id: b.node_id.0,
                    host: b.host.as_str().to_owned(),
                    port: u16::try_from(b.port).ok()?,
                })
            }))
    }

    /// CreateTopics for one topic, with its configs. `Ok(false)` when it exists already.
    /// Send it to the controller (see [`BrokerConnection::controller`]); brokers of Kafka 2.8
    /// and later forward it.
    ///
    /// # Errors
    ///
    /// [`ClientError::Broker`] with the broker's message, such as `INVALID_CONFIG`,
    /// `INVALID_REPLICATION_FACTOR`, `NOT_CONTROLLER`; transport errors.
    pub async fn create_topic(
        &self,
        topic: &NewTopic,
        timeout: Duration,
    ) -> Result<bool, ClientError> {
        const API: &str = "CreateTopics";
        let version = self.version::<CreateTopicsRequest>(CREATE_TOPICS)?;
        let configs = topic
            .configs
            .iter()
            .map(|(name, value)| {
                CreatableTopicConfig::default()
                    .with_name(StrBytes::from_string(name.clone()))
                    .with_value(Some(StrBytes::from_string(value.clone())))
            })
            .collect();
        let creatable = CreatableTopic::default()
            .with_name(TopicName(StrBytes::from_string(topic.name.clone())))
            .with_num_partitions(topic.partitions)
            .with_replication_factor(topic.replication_factor)
            .with_configs(configs);
        let timeout_ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        let request = CreateTopicsRequest::default()
            .with_topics(vec![creatable])
            .with_timeout_ms(timeout_ms);
        let response = self
            .send_with_timeout(&request, version, timeout.max(self.request_timeout()))
            .await?;
        let result = response
            .topics
            .into_iter()
            .find(|t| t.name.0.as_str() == topic.name)
            .ok_or_else(|| {
                ClientError::Protocol(format!("{API} response has no result for {}", topic.name))
            })?;
        if result.error_code == ErrorCode::TOPIC_ALREADY_EXISTS.0 {
            return Ok(false);
        }
        let message = result.error_message.map_or_else(
            || format!("topic {}", topic.name),
            |m| format!("topic {}: {m}", topic.name),
        );
        ClientError::broker(API, result.error_code, Some(message))?;
        Ok(true)
    }

    /// DescribeConfigs for a topic: every config with a value (defaults included).
    ///
    /// # Errors
    ///
    /// [`ClientError::Broker`] with `UNKNOWN_TOPIC_OR_PARTITION` when the topic does not
    /// exist; transport errors.
    pub async fn describe_topic_configs(
        &self,
        topic: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        const API: &str = "DescribeConfigs";
        let version = self.version::<DescribeConfigsRequest>(DESCRIBE_CONFIGS)?;
        let request = DescribeConfigsRequest::default().with_resources(vec![
            DescribeConfigsResource::default()
                .with_resource_type(RESOURCE_TOPIC)
                .with_resource_name(StrBytes::from_string(topic.to_owned()))
                .with_configuration_keys(None),
        ]);
        let response = self.send(&request, version).await?;
        let result = response
            .results
            .into_iter()
            .find(|r| r.resource_name.as_str() == topic)
            .ok_or_else(|| {
                ClientError::Protocol(format!("{API} response has no result for {topic}"))
            })?;
        let message = result.error_message.map_or_else(
            || format!("topic {topic}"),
            |m| format!("topic {topic}: {m}"),
        );
        ClientError::broker(API, result.error_code, Some(message))?;
        Ok(result
            .configs
            .into_iter()
            .filter_map(|c| Some((c.name.as_str().to_owned(), c.value?.as_str().to_owned())))
            .collect())
    }
}
