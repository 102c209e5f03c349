//! Committed offsets: OffsetCommit and OffsetFetch (on the group's coordinator).

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::{
    OffsetFetchRequestGroup, OffsetFetchRequestTopic, OffsetFetchRequestTopics,
};
use kafka_protocol::messages::{GroupId, OffsetCommitRequest, OffsetFetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::connection::BrokerConnection;
use super::error::ClientError;

const OFFSET_COMMIT: RangeInclusive<i16> = 2..=9;
const OFFSET_FETCH: RangeInclusive<i16> = 1..=9;

/// A topic partition as the protocol client names it.
pub type TopicPartition = (String, i32);

/// Who commits: a member of the current generation, or nobody (a simple commit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitAs {
    /// The generation id, or -1 for a commit outside any generation.
    pub generation_id: i32,
    /// The member id, or empty for a commit outside any generation.
    pub member_id: String,
    /// The static member id, if any (OffsetCommit v7+).
    pub group_instance_id: Option<String>,
}

impl CommitAs {
    /// A commit outside any group generation (generation -1, no member), as a Java consumer
    /// with `assign()`ed partitions commits. The group must have no active members.
    pub fn simple() -> Self {
        Self {
            generation_id: -1,
            member_id: String::new(),
            group_instance_id: None,
        }
    }
}

fn group_by_topic<T: Clone>(items: &[(TopicPartition, T)]) -> BTreeMap<&str, Vec<(i32, T)>> {
    let mut by_topic: BTreeMap<&str, Vec<(i32, T)>> = BTreeMap::new();
    for ((topic, partition), value) in items {
        by_topic
            .entry(topic.as_str())
            .or_default()
            .push((*partition, value.clone()));
    }
    by_topic
}

impl BrokerConnection {
    /// OffsetCommit: stores `offsets` (the next offset to read, per partition) for `group_id`.
    ///
    /// # Errors
    ///
    /// The first partition's error as [`ClientError::Broker`] (its message names the
    /// partition), such as `NOT_COORDINATOR`, `REBALANCE_IN_PROGRESS`, `ILLEGAL_GENERATION`,
    /// `UNKNOWN_TOPIC_OR_PARTITION`; transport errors.
    pub async fn offset_commit(
        &self,
        group_id: &str,
        who: &CommitAs,
        offsets: &[(TopicPartition, i64)],
    ) -> Result<(), ClientError> {
        const API: &str = "OffsetCommit";
        let version = self.version::<OffsetCommitRequest>(OFFSET_COMMIT)?;
        let topics = group_by_topic(offsets)
            .into_iter()
            .map(|(topic, partitions)| {
                OffsetCommitRequestTopic::default()
                    .with_name(TopicName(StrBytes::from_string(topic.to_owned())))
                    .with_partitions(
                        partitions
                            .into_iter()
                            .map(|(partition, offset)| {
                                OffsetCommitRequestPartition::default()
                                    .with_partition_index(partition)
                                    .with_committed_offset(offset)
                                    .with_committed_metadata(Some(StrBytes::new()))
                            })
                            .collect(),
                    )
            })
            .collect();
        let mut request = OffsetCommitRequest::default()
            .with_group_id(GroupId(StrBytes::from_string(group_id.to_owned())))
            .with_generation_id_or_member_epoch(who.generation_id)
            .with_member_id(StrBytes::from_string(who.member_id.clone()))
            .with_topics(topics);
        if version >= 7 {
            request = request
                .with_group_instance_id(who.group_instance_id.clone().map(StrBytes::from_string));
        }
        let response = self.send(&request, version).await?;
        for topic in &response.topics {
            for partition in &topic.partitions {
                ClientError::broker(
                    API,
                    partition.error_code,
                    Some(format!("{}-{}", topic.name.0, partition.partition_index)),
                )?;
            }
        }
        Ok(())
    }

    /// OffsetFetch: the offsets `group_id` committed for `partitions`. Partitions without a
    /// committed offset are absent from the result.
    ///
    /// # Errors
    ///
    /// The group's or a partition's error as [`ClientError::Broker`], such as
    /// `COORDINATOR_LOAD_IN_PROGRESS` or `NOT_COORDINATOR`; transport errors.
    pub async fn offset_fetch(
        &self,
        group_id: &str,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, i64>, ClientError> {
        const API: &str = "OffsetFetch";
        let version = self.version::<OffsetFetchRequest>(OFFSET_FETCH)?;
        let wanted: Vec<(TopicPartition, ())> =
            partitions.iter().map(|tp| (tp.clone(), ())).collect();
        let by_topic = group_by_topic(&wanted);
        let group = GroupId(StrBytes::from_string(group_id.to_owned()));
        let request = if version >= 8 {
            let topics = by_topic
                .into_iter()
                .map(|(topic, ps)| {
                    OffsetFetchRequestTopics::default()
                        .with_name(TopicName(StrBytes::from_string(topic.to_owned())))
                        .with_partition_indexes(ps.into_iter().map(|(p, ())| p).collect())
                })
                .collect();
            OffsetFetchRequest::default().with_groups(vec![
                OffsetFetchRequestGroup::default()
                    .with_group_id(group)
                    .with_topics(Some(topics)),
            ])
        } else {
            let topics = by_topic
                .into_iter()
                .map(|(topic, ps)| {
                    OffsetFetchRequestTopic::default()
                        .with_name(TopicName(StrBytes::from_string(topic.to_owned())))
                        .with_partition_indexes(ps.into_iter().map(|(p, ())| p).collect())
                })
                .collect();
            OffsetFetchRequest::default()
                .with_group_id(group)
                .with_topics(Some(topics))
        };
        let response = self.send(&request, version).await?;
        let mut found = HashMap::new();
        // (topic, partition, offset, error) from either layout.
        let mut rows: Vec<(String, i32, i64, i16)> = Vec::new();
        if version >= 8 {
            for g in response.groups {
                ClientError::broker(API, g.error_code, Some(format!("group {}", g.group_id.0)))?;
                for t in g.topics {
                    for p in t.partitions {
                        rows.push((
                            t.name.0.to_string(),
                            p.partition_index,
                            p.committed_offset,
                            p.error_code,
                        ));
                    }
                }
            }
        } else {
            if version >= 2 {
                ClientError::broker(API, response.error_code, Some(format!("group {group_id}")))?;
            }
            for t in response.topics {
                for p in t.partitions {
                    rows.push((
                        t.name.0.to_string(),
                        p.partition_index,
                        p.committed_offset,
                        p.error_code,
                    ));
                }
            }
        }
        for (topic, partition, offset, error) in rows {
            ClientError::broker(API, error, Some(format!("{topic}-{partition}")))?;
            if offset >= 0 {
                found.insert((topic, partition), offset);
            }
        }
        Ok(found)
    }
}
