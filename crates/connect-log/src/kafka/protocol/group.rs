//! Group membership: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup.
//!
//! The group protocol is generic: Kafka consumers use protocol type `consumer`, Kafka Connect
//! workers `connect`. Member metadata (sent when joining) and assignments (sent by the leader
//! when syncing) are opaque bytes to the coordinator.

use std::ops::RangeInclusive;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    FindCoordinatorRequest, GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
    SyncGroupRequest,
};
use kafka_protocol::protocol::StrBytes;

use super::connection::BrokerConnection;
use super::error::{ClientError, ErrorCode};

const FIND_COORDINATOR: RangeInclusive<i16> = 1..=4;
const JOIN_GROUP: RangeInclusive<i16> = 2..=9;
const SYNC_GROUP: RangeInclusive<i16> = 1..=5;
const HEARTBEAT: RangeInclusive<i16> = 1..=4;
const LEAVE_GROUP: RangeInclusive<i16> = 1..=5;

/// Extra time given to a JoinGroup beyond the rebalance timeout, as the Java client does.
const JOIN_GRACE: Duration = Duration::from_secs(5);

/// A broker, as FindCoordinator names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerAddress {
    /// The broker id.
    pub node_id: i32,
    /// Its advertised host.
    pub host: String,
    /// Its advertised port.
    pub port: u16,
}

impl BrokerAddress {
    /// `host:port`.
    pub fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// One protocol a member supports, with its metadata for that protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProtocol {
    /// The protocol name (for Connect: `default`/`eager`, `compatible`, `sessioned`).
    pub name: String,
    /// The member's metadata for this protocol; opaque to the coordinator.
    pub metadata: Bytes,
}

/// A JoinGroup request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinGroup {
    /// The group.
    pub group_id: String,
    /// The member id: empty when joining for the first time, then the one the coordinator
    /// gave (pass it again on every re-join).
    pub member_id: String,
    /// A static member id (`group.instance.id`), if any (JoinGroup v5+).
    pub group_instance_id: Option<String>,
    /// The protocol type, such as `connect` or `consumer`; all members must use the same.
    pub protocol_type: String,
    /// The protocols the member supports, in order of preference.
    pub protocols: Vec<GroupProtocol>,
    /// The member is removed when no heartbeat arrives for this long.
    pub session_timeout: Duration,
    /// How long the coordinator waits for all members to re-join during a rebalance; the
    /// JoinGroup call itself may take that long.
    pub rebalance_timeout: Duration,
    /// Why the member (re-)joins, for the broker's log (JoinGroup v8+).
    pub reason: Option<String>,
}

/// A member of the group, as the leader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// The member id.
    pub member_id: String,
    /// Its static id, if any.
    pub group_instance_id: Option<String>,
    /// Its metadata for the chosen protocol.
    pub metadata: Bytes,
}

/// The result of a JoinGroup: the new generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinGroupResult {
    /// The generation id, for SyncGroup, Heartbeat and OffsetCommit.
    pub generation_id: i32,
    /// The protocol the coordinator chose (supported by every member).
    pub protocol_name: Option<String>,
    /// The leader's member id.
    pub leader: String,
    /// This member's id.
    pub member_id: String,
    /// Every member with its metadata when this member is the leader; empty otherwise.
    pub members: Vec<GroupMember>,
}

impl JoinGroupResult {
    /// Whether this member leads the generation (it computes the assignments).
    pub fn is_leader(&self) -> bool {
        self.leader == self.member_id
    }
}

/// A SyncGroup request. The leader sends every member's assignment; the others send none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGroup {
    /// The group.
    pub group_id: String,
    /// The generation from [`JoinGroupResult::generation_id`].
    pub generation_id: i32,
    /// This member's id.
    pub member_id: String,
    /// Its static id, if any.
    pub group_instance_id: Option<String>,
    /// The protocol type (checked by the coordinator with SyncGroup v5+).
    pub protocol_type: String,
    /// The chosen protocol, from [`JoinGroupResult::protocol_name`] (checked with v5+).
    pub protocol_name: Option<String>,
    /// Member id → assignment; only the leader fills this.
    pub assignments: Vec<(String, Bytes)>,
}

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

fn opt_str(s: Option<&StrBytes>) -> Option<String> {
    s.map(|s| s.as_str().to_owned())
}

impl BrokerConnection {
    /// FindCoordinator for a consumer group (key type 0).
    ///
    /// # Errors
    ///
    /// [`ClientError::Broker`] with `COORDINATOR_NOT_AVAILABLE` while the cluster has none,
    /// or the transport errors of [`BrokerConnection::send`].
    pub async fn find_coordinator(&self, group_id: &str) -> Result<BrokerAddress, ClientError> {
        const API: &str = "FindCoordinator";
        let version = self.version::<FindCoordinatorRequest>(FIND_COORDINATOR)?;
        let mut request = FindCoordinatorRequest::default().with_key_type(0);
        if version >= 4 {
            request = request.with_coordinator_keys(vec![str_bytes(group_id)]);
        } else {
            request = request.with_key(str_bytes(group_id));
        }
        let response = self.send(&request, version).await?;
        let (code, message, node_id, host, port) = if version >= 4 {
            let c = response
                .coordinators
                .into_iter()
                .find(|c| c.key.as_str() == group_id)
                .ok_or_else(|| {
                    ClientError::Protocol(format!("{API} response has no entry for {group_id:?}"))
                })?;
            (c.error_code, c.error_message, c.node_id, c.host, c.port)
        } else {
            (
                response.error_code,
                response.error_message,
                response.node_id,
                response.host,
                response.port,
            )
        };
        ClientError::broker(API, code, opt_str(message.as_ref()))?;
        let port = u16::try_from(port)
            .map_err(|_| ClientError::Protocol(format!("{API}: invalid port {port}")))?;
        Ok(BrokerAddress {
            node_id: node_id.0,
            host: host.as_str().to_owned(),
            port,
        })
    }

    /// JoinGroup, on the group's coordinator. When the coordinator answers
    /// `MEMBER_ID_REQUIRED` (v4+, first join), joins again at once with the member id it gave.
    ///
    /// Waits up to the rebalance timeout (plus 5 s) for the response: the coordinator holds
    /// it until every member has (re-)joined.
    ///
    /// # Errors
    ///
    /// [`ClientError::Broker`] with, among others, `UNKNOWN_MEMBER_ID`,
    /// `INCONSISTENT_GROUP_PROTOCOL`, `NOT_COORDINATOR`; transport errors.
    pub async fn join_group(&self, join: &JoinGroup) -> Result<JoinGroupResult, ClientError> {
        const API: &str = "JoinGroup";
        let version = self.version::<JoinGroupRequest>(JOIN_GROUP)?;
        let millis = |d: Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
        let timeout = (join.rebalance_timeout + JOIN_GRACE).max(self.request_timeout());
        let mut member_id = join.member_id.clone();
        loop {
            let mut request = JoinGroupRequest::default()
                .with_group_id(GroupId(str_bytes(&join.group_id)))
                .with_session_timeout_ms(millis(join.session_timeout))
                .with_rebalance_timeout_ms(millis(join.rebalance_timeout))
                .with_member_id(str_bytes(&member_id))
                .with_protocol_type(str_bytes(&join.protocol_type))
                .with_protocols(
                    join.protocols
                        .iter()
                        .map(|p| {
                            JoinGroupRequestProtocol::default()
                                .with_name(str_bytes(&p.name))
                                .with_metadata(p.metadata.clone())
                        })
                        .collect(),
                );
            if version >= 5 {
                request = request
                    .with_group_instance_id(join.group_instance_id.as_deref().map(str_bytes));
            }
            if version >= 8 {
                request = request.with_reason(join.reason.as_deref().map(str_bytes));
            }
            let response = self.send_with_timeout(&request, version, timeout).await?;
            if response.error_code == ErrorCode::MEMBER_ID_REQUIRED.0 && member_id.is_empty() {
                member_id = response.member_id.as_str().to_owned();
                if !member_id.is_empty() {
                    continue;
                }
            }
            ClientError::broker(API, response.error_code, None)?;
            return Ok(JoinGroupResult {
                generation_id: response.generation_id,
                protocol_name: opt_str(response.protocol_name.as_ref()),
                leader: response.leader.as_str().to_owned(),
                member_id: response.member_id.as_str().to_owned(),
                members: response
                    .members
                    .into_iter()
                    .map(|m| GroupMember {
                        member_id: m.member_id.as_str().to_owned(),
                        group_instance_id: opt_str(m.group_instance_id.as_ref()),
                        metadata: m.metadata,
                    })
                    .collect(),
            });
        }
    }

    /// SyncGroup, on the group's coordinator; returns this member's assignment (empty when
    /// the leader gave it none). Waits for the leader's SyncGroup.
    ///
    /// # Errors
    ///
    /// [`ClientError::Broker`] with `REBALANCE_IN_PROGRESS` (join again),
    /// `ILLEGAL_GENERATION`, `UNKNOWN_MEMBER_ID`, `NOT_COORDINATOR`; transport errors.
    pub async fn sync_group(&self, sync: &SyncGroup) -> Result<Bytes, ClientError> {
        const API: &str = "SyncGroup";
        let version = self.version::<SyncGroupRequest>(SYNC_GROUP)?;
        let mut request = SyncGroupRequest::default()
            .with_group_id(GroupId(str_bytes(&sync.group_id)))
            .with_generation_id(sync.generation_id)
            .with_member_id(str_bytes(&sync.member_id))
            .with_assignments(
                sync.assignments
                    .iter()
                    .map(|(member, assignment)| {
                        SyncGroupRequestAssignment::default()
                            .with_member_id(str_bytes(member))
                            .with_assignment(assignment.clone())
                    })
                    .collect(),
            );
        if version >= 3 {
            request =
                request.with_group_instance_id(sync.group_instance_id.as_deref().map(str_bytes));
        }
        if version >= 5 {
            request = request
                .with_protocol_type(Some(str_bytes(&sync.protocol_type)))
                .with_protocol_name(sync.protocol_name.as_deref().map(str_bytes));
        }
        let response = self.send(&request, version).await?;
        ClientError::broker(API, response.error_code, None)?;
        Ok(response.assignment)
    }

    /// Heartbeat, on the group's coordinator.
    ///
    /// # Errors
    ///
    /// [`ClientError::Broker`] with `REBALANCE_IN_PROGRESS` (join again),
    /// `ILLEGAL_GENERATION`, `UNKNOWN_MEMBER_ID`, `NOT_COORDINATOR`; transport errors.
    pub async fn heartbeat(
        &self,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<(), ClientError> {
        let version = self.version::<HeartbeatRequest>(HEARTBEAT)?;
        let mut request = HeartbeatRequest::default()
            .with_group_id(GroupId(str_bytes(group_id)))
            .with_generation_id(generation_id)
            .with_member_id(str_bytes(member_id));
        if version >= 3 {
            request = request.with_group_instance_id(group_instance_id.map(str_bytes));
        }
        let response = self.send(&request, version).await?;
        ClientError::broker("Heartbeat", response.error_code, None)
    }

    /// LeaveGroup, on the group's coordinator: the member leaves at once and the others
    /// rebalance.
    ///
    /// # Errors
    ///
    /// [`ClientError::Broker`] with `UNKNOWN_MEMBER_ID`, `NOT_COORDINATOR`, ...; transport
    /// errors.
    pub async fn leave_group(
        &self,
        group_id: &str,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<(), ClientError> {
        const API: &str = "LeaveGroup";
        let version = self.version::<LeaveGroupRequest>(LEAVE_GROUP)?;
        let mut request = LeaveGroupRequest::default().with_group_id(GroupId(str_bytes(group_id)));
        if version >= 3 {
            request = request.with_members(vec![
                MemberIdentity::default()
                    .with_member_id(str_bytes(member_id))
                    .with_group_instance_id(group_instance_id.map(str_bytes)),
            ]);
        } else {
            request = request.with_member_id(str_bytes(member_id));
        }
        let response = self.send(&request, version).await?;
        ClientError::broker(API, response.error_code, None)?;
        for member in &response.members {
            ClientError::broker(
                API,
                member.error_code,
                Some(format!("member {}", member.member_id)),
            )?;
        }
        Ok(())
    }
}
