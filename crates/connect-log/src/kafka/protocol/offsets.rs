//! Committed offsets: OffsetCommit, OffsetFetch and OffsetDelete (on the group's coordinator).

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_delete_request::{
    OffsetDeleteRequestPartition, OffsetDeleteRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::{
    OffsetFetchRequestGroup, OffsetFetchRequestTopic, OffsetFetchRequestTopics,
};
use kafka_protocol::messages::{
    GroupId, OffsetCommitRequest, OffsetDeleteRequest, OffsetFetchRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::connection::BrokerConnection;
use super::error::ClientError;

const OFFSET_COMMIT: RangeInclusive<i16> = 2..=9;
const OFFSET_FETCH: RangeInclusive<i16> = 1..=9;
const OFFSET_DELETE: RangeInclusive<i16> = 0..=0;

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

    /// OffsetDelete (Kafka 2.4+): removes the offsets `group_id` committed for `partitions`.
    /// Partitions without a committed offset are not an error.
    ///
    /// # Errors
    ///
    /// The group's or a partition's error as [`ClientError::Broker`], such as
    /// `GROUP_ID_NOT_FOUND` (the group has no offsets at all), `NON_EMPTY_GROUP`,
    /// `GROUP_SUBSCRIBED_TO_TOPIC` (a member of the group consumes the topic),
    /// `UNKNOWN_TOPIC_OR_PARTITION`, `NOT_COORDINATOR`; [`ClientError::Protocol`] when the
    /// broker does not support OffsetDelete (see [`BrokerConnection::supports_offset_delete`]);
    /// transport errors.
    pub async fn offset_delete(
        &self,
        group_id: &str,
        partitions: &[TopicPartition],
    ) -> Result<(), ClientError> {
        const API: &str = "OffsetDelete";
        let version = self.version::<OffsetDeleteRequest>(OFFSET_DELETE)?;
        let wanted: Vec<(TopicPartition, ())> =
            partitions.iter().map(|tp| (tp.clone(), ())).collect();
        let topics = group_by_topic(&wanted)
            .into_iter()
            .map(|(topic, ps)| {
                OffsetDeleteRequestTopic::default()
                    .with_name(TopicName(StrBytes::from_string(topic.to_owned())))
                    .with_partitions(
                        ps.into_iter()
                            .map(|(p, ())| {
                                OffsetDeleteRequestPartition::default().with_partition_index(p)
                            })
                            .collect(),
                    )
            })
            .collect();
        let request = OffsetDeleteRequest::default()
            .with_group_id(GroupId(StrBytes::from_string(group_id.to_owned())))
            .with_topics(topics);
        let response = self.send(&request, version).await?;
        ClientError::broker(API, response.error_code, Some(format!("group {group_id}")))?;
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

    /// Whether the broker supports OffsetDelete (Kafka 2.4+) in a version this client speaks.
    pub fn supports_offset_delete(&self) -> bool {
        self.version::<OffsetDeleteRequest>(OFFSET_DELETE).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::{Buf, BufMut, Bytes, BytesMut};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::kafka::protocol::connection::tests::{
        answer_api_versions, read_request, write_response,
    };
    use crate::kafka::protocol::{ConnectionConfig, ErrorCode};

    /// Reads an OffsetDelete v0 request: (group, [(topic, [partition])]).
    async fn read_offset_delete(s: &mut TcpStream) -> (i32, String, Vec<(String, Vec<i32>)>) {
        let (key, version, corr, mut rest) = read_request(s).await;
        assert_eq!((key, version), (47, 0));
        let client_id_len = rest.get_i16() as usize;
        rest.advance(client_id_len);
        // v0 (not flexible): group_id, [name, [partition_index]].
        let group = read_str(&mut rest);
        let topics = (0..rest.get_i32())
            .map(|_| {
                let name = read_str(&mut rest);
                let partitions = (0..rest.get_i32()).map(|_| rest.get_i32()).collect();
                (name, partitions)
            })
            .collect();
        assert!(rest.is_empty());
        (corr, group, topics)
    }

    fn read_str(b: &mut Bytes) -> String {
        let len = b.get_i16() as usize;
        let s = String::from_utf8(b[..len].to_vec()).unwrap();
        b.advance(len);
        s
    }

    async fn answer(s: &mut TcpStream, corr: i32, group_error: i16, partition_error: i16) {
        // v0: error_code, throttle_time_ms, [name, [partition_index, error_code]].
        let mut body = BytesMut::new();
        body.put_i16(group_error);
        body.put_i32(0);
        body.put_i32(1);
        body.put_i16(1);
        body.put_slice(b"t");
        body.put_i32(2);
        body.put_i32(0);
        body.put_i16(0);
        body.put_i32(2);
        body.put_i16(partition_error);
        write_response(s, corr, false, &body).await;
    }

    #[tokio::test]
    async fn offset_delete_sends_the_partitions_by_topic_and_reports_errors() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let broker = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            answer_api_versions(&mut s, &[(18, 0, 3), (47, 0, 0)]).await;
            for (group_error, partition_error) in [(0, 0), (68, 0), (0, 86), (69, 0)] {
                let (corr, group, topics) = read_offset_delete(&mut s).await;
                assert_eq!(group, "g");
                assert_eq!(
                    topics,
                    [("t".to_owned(), vec![0, 2]), ("u".to_owned(), vec![1])]
                );
                answer(&mut s, corr, group_error, partition_error).await;
            }
        });
        let config = ConnectionConfig::new("c", Duration::from_secs(5));
        let conn = BrokerConnection::connect(&addr, &config).await.unwrap();
        assert!(conn.supports_offset_delete());
        let partitions = [
            ("t".to_owned(), 0),
            ("u".to_owned(), 1),
            ("t".to_owned(), 2),
        ];
        conn.offset_delete("g", &partitions).await.unwrap();
        let err = conn.offset_delete("g", &partitions).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::NON_EMPTY_GROUP), "{err}");
        assert!(err.to_string().contains("group g"), "{err}");
        let err = conn.offset_delete("g", &partitions).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::GROUP_SUBSCRIBED_TO_TOPIC));
        assert!(err.to_string().contains("t-2"), "{err}");
        let err = conn.offset_delete("g", &partitions).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::GROUP_ID_NOT_FOUND));
        broker.await.unwrap();
    }

    #[tokio::test]
    async fn offset_delete_is_refused_when_the_broker_lacks_it() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let broker = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            answer_api_versions(&mut s, &[(18, 0, 3), (8, 2, 9)]).await;
            s
        });
        let config = ConnectionConfig::new("c", Duration::from_secs(5));
        let conn = BrokerConnection::connect(&addr, &config).await.unwrap();
        assert!(!conn.supports_offset_delete());
        let err = conn
            .offset_delete("g", &[("t".to_owned(), 0)])
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::Protocol(_)), "{err}");
        assert!(err.to_string().contains("OffsetDelete"), "{err}");
        drop(broker.await.unwrap());
    }
}
