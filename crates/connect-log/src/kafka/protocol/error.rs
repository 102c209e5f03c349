//! Errors of the protocol client, and Kafka's error codes.

use std::fmt;
use std::time::Duration;

use kafka_protocol::error::ResponseError;

use crate::LogError;

/// A Kafka protocol error code, as carried in responses (`0` is "no error").
///
/// [`ErrorCode::name`] gives Kafka's name for it (`NOT_COORDINATOR`), as the Java client and
/// the broker logs spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode(pub i16);

impl ErrorCode {
    /// The requested offset is outside the partition's range.
    pub const OFFSET_OUT_OF_RANGE: Self = Self(1);
    /// The topic or partition does not exist (on this broker).
    pub const UNKNOWN_TOPIC_OR_PARTITION: Self = Self(3);
    /// The partition has no leader right now.
    pub const LEADER_NOT_AVAILABLE: Self = Self(5);
    /// The broker is not the partition's leader.
    pub const NOT_LEADER_OR_FOLLOWER: Self = Self(6);
    /// The broker timed the request out.
    pub const REQUEST_TIMED_OUT: Self = Self(7);
    /// The broker disconnected before answering.
    pub const NETWORK_EXCEPTION: Self = Self(13);
    /// The group coordinator is still loading the group's state.
    pub const COORDINATOR_LOAD_IN_PROGRESS: Self = Self(14);
    /// No coordinator is available for the group yet.
    pub const COORDINATOR_NOT_AVAILABLE: Self = Self(15);
    /// The broker asked is not (or no longer) the group's coordinator.
    pub const NOT_COORDINATOR: Self = Self(16);
    /// The generation in the request is not the group's current one.
    pub const ILLEGAL_GENERATION: Self = Self(22);
    /// The member's protocol type or protocols do not match the group's.
    pub const INCONSISTENT_GROUP_PROTOCOL: Self = Self(23);
    /// The coordinator does not know this member id.
    pub const UNKNOWN_MEMBER_ID: Self = Self(25);
    /// The group is rebalancing: the member must join again.
    pub const REBALANCE_IN_PROGRESS: Self = Self(27);
    /// The broker does not support the requested API version.
    pub const UNSUPPORTED_VERSION: Self = Self(35);
    /// The topic to create exists already.
    pub const TOPIC_ALREADY_EXISTS: Self = Self(36);
    /// The request went to a broker that is not the controller.
    pub const NOT_CONTROLLER: Self = Self(41);
    /// The group has active members (OffsetDelete on a group whose members do not use the
    /// `consumer` protocol, DeleteGroups).
    pub const NON_EMPTY_GROUP: Self = Self(68);
    /// The group does not exist.
    pub const GROUP_ID_NOT_FOUND: Self = Self(69);
    /// JoinGroup v4+: the member must join again with the member id in the response.
    pub const MEMBER_ID_REQUIRED: Self = Self(79);
    /// OffsetDelete: a member of the (`consumer`) group is subscribed to the topic.
    pub const GROUP_SUBSCRIBED_TO_TOPIC: Self = Self(86);

    /// The code of a response field, `None` for `0` (no error).
    pub fn from_code(code: i16) -> Option<Self> {
        (code != 0).then_some(Self(code))
    }

    /// Kafka's name for the code, such as `NOT_COORDINATOR`, or `UNKNOWN_ERROR_CODE_<n>`.
    pub fn name(self) -> String {
        match ResponseError::try_from_code(self.0) {
            None => "NONE".to_owned(),
            Some(ResponseError::Unknown(code)) => format!("UNKNOWN_ERROR_CODE_{code}"),
            Some(known) => upper_snake(&known.to_string()),
        }
    }

    /// Whether Kafka declares the error retriable (the request may succeed if sent again,
    /// perhaps to another broker).
    pub fn is_retriable(self) -> bool {
        ResponseError::try_from_code(self.0).is_some_and(|e| e.is_retriable())
    }

    /// Whether the error means "find the group coordinator again and retry".
    pub fn is_coordinator_error(self) -> bool {
        matches!(
            self,
            Self::NOT_COORDINATOR
                | Self::COORDINATOR_NOT_AVAILABLE
                | Self::COORDINATOR_LOAD_IN_PROGRESS
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

/// `OffsetOutOfRange` → `OFFSET_OUT_OF_RANGE`.
pub(crate) fn upper_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 8);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Why a request through the protocol client failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The TCP connection (or the TLS handshake on it) could not be established.
    #[error("cannot connect to Kafka broker {broker}: {message}")]
    Connect {
        /// `host:port`.
        broker: String,
        /// What went wrong.
        message: String,
    },
    /// The connection failed while a request was on it (reset, closed by the broker).
    #[error("connection to Kafka broker {broker} failed during {api}: {source}")]
    Io {
        /// `host:port`.
        broker: String,
        /// The request being sent, such as `JoinGroup`.
        api: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No response arrived in time; the connection is closed.
    #[error("{api} to Kafka broker {broker} got no response within {timeout:?}")]
    Timeout {
        /// `host:port`.
        broker: String,
        /// The request, such as `OffsetCommit`.
        api: &'static str,
        /// How long it waited.
        timeout: Duration,
    },
    /// SASL authentication failed (or the broker does not offer the mechanism).
    #[error("SASL authentication with Kafka broker {broker} failed: {message}")]
    Sasl {
        /// `host:port`.
        broker: String,
        /// What went wrong, with the broker's message when it sent one.
        message: String,
    },
    /// The broker answered with an error code.
    #[error("{api} failed: {code}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Broker {
        /// The request, such as `SyncGroup`.
        api: &'static str,
        /// The error code.
        code: ErrorCode,
        /// The broker's error message, or what the error was about (a topic partition).
        message: Option<String>,
    },
    /// The exchange could not be encoded or decoded, or no common API version exists.
    #[error("Kafka protocol error: {0}")]
    Protocol(String),
}

impl ClientError {
    /// The broker's error code, when the broker answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Broker { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the connection the request went over is unusable now (it should be dropped
    /// and a new one made).
    pub fn is_connection_error(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. } | Self::Io { .. } | Self::Timeout { .. }
        )
    }

    /// Whether retrying (after finding the coordinator again) may succeed: connection
    /// failures, timeouts, and the error codes Kafka declares retriable.
    pub fn is_retriable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Io { .. } | Self::Timeout { .. } => true,
            Self::Broker { code, .. } => code.is_retriable(),
            Self::Sasl { .. } | Self::Protocol(_) => false,
        }
    }

    pub(crate) fn broker(
        api: &'static str,
        code: i16,
        message: Option<String>,
    ) -> Result<(), Self> {
        match ErrorCode::from_code(code) {
            None => Ok(()),
            Some(code) => Err(Self::Broker { api, code, message }),
        }
    }
}

impl From<ClientError> for LogError {
    fn from(err: ClientError) -> Self {
        if let ClientError::Broker {
            code: ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            message,
            ..
        } = &err
        {
            return LogError::UnknownPartition(message.clone().unwrap_or_else(|| err.to_string()));
        }
        if err.is_retriable() {
            LogError::Retriable(err.to_string())
        } else {
            LogError::Other(err.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_have_kafka_names() {
        assert_eq!(ErrorCode::NOT_COORDINATOR.name(), "NOT_COORDINATOR");
        assert_eq!(ErrorCode::MEMBER_ID_REQUIRED.name(), "MEMBER_ID_REQUIRED");
        assert_eq!(ErrorCode::NON_EMPTY_GROUP.name(), "NON_EMPTY_GROUP");
        assert_eq!(ErrorCode::GROUP_ID_NOT_FOUND.name(), "GROUP_ID_NOT_FOUND");
        assert_eq!(
            ErrorCode::GROUP_SUBSCRIBED_TO_TOPIC.name(),
            "GROUP_SUBSCRIBED_TO_TOPIC"
        );
        assert_eq!(ErrorCode(1).name(), "OFFSET_OUT_OF_RANGE");
        assert_eq!(ErrorCode(-1).name(), "UNKNOWN_SERVER_ERROR");
        assert_eq!(ErrorCode(9999).name(), "UNKNOWN_ERROR_CODE_9999");
        assert_eq!(ErrorCode(27).to_string(), "REBALANCE_IN_PROGRESS (27)");
        assert_eq!(ErrorCode::from_code(0), None);
    }

    #[test]
    fn retriability_follows_kafka() {
        assert!(ErrorCode::NOT_COORDINATOR.is_retriable());
        assert!(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS.is_coordinator_error());
        assert!(!ErrorCode::REBALANCE_IN_PROGRESS.is_retriable());
        assert!(!ErrorCode::TOPIC_ALREADY_EXISTS.is_retriable());
    }

    #[test]
    fn client_errors_map_to_log_errors() {
        let err = ClientError::Broker {
            api: "OffsetCommit",
            code: ErrorCode::COORDINATOR_NOT_AVAILABLE,
            message: Some("t-0".into()),
        };
        let log: LogError = err.into();
        assert!(log.is_retriable(), "{log}");
        assert_eq!(
            log.to_string(),
            "OffsetCommit failed: COORDINATOR_NOT_AVAILABLE (15): t-0"
        );
        let log: LogError = ClientError::Broker {
            api: "OffsetCommit",
            code: ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            message: Some("t-3".into()),
        }
        .into();
        assert!(
            matches!(&log, LogError::UnknownPartition(p) if p == "t-3"),
            "{log:?}"
        );
        let log: LogError = ClientError::Broker {
            api: "CreateTopics",
            code: ErrorCode(40),
            message: Some("bad config".into()),
        }
        .into();
        assert!(
            matches!(&log, LogError::Other(m) if m.contains("INVALID_CONFIG") && m.contains("bad config")),
            "{log:?}"
        );
        let log: LogError = ClientError::Timeout {
            broker: "b:1".into(),
            api: "Heartbeat",
            timeout: Duration::from_secs(1),
        }
        .into();
        assert!(log.is_retriable());
    }
}
