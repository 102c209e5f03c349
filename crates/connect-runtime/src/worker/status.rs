//! Statuses and descriptions of connectors and tasks, in the JSON shapes of Kafka Connect's REST
//! API.

use connect_api::config::ConfigMap;
use serde::Serialize;

/// The state of a connector or task (Kafka's `AbstractStatus.State`).
///
/// Serialized in upper case, as the REST API shows it.
///
/// ```
/// use connect_runtime::worker::State;
///
/// assert_eq!(serde_json::to_string(&State::Running)?, r#""RUNNING""#);
/// assert_eq!(serde_json::to_string(&State::Unassigned)?, r#""UNASSIGNED""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    /// Not running anywhere.
    Unassigned,
    /// Running.
    Running,
    /// Paused.
    Paused,
    /// Failed; the status carries the trace.
    Failed,
    /// Being restarted.
    Restarting,
    /// Stopped (connectors only).
    Stopped,
}

/// A connector's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateInfo {
    /// The state.
    pub state: State,
    /// The worker running it (`host:port`).
    pub worker_id: String,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// A task's state.
///
/// ```
/// use connect_runtime::worker::{State, TaskStatus};
///
/// let task = TaskStatus { id: 0, state: State::Running, worker_id: "10.0.0.5:8083".into(), trace: None };
/// assert_eq!(
///     serde_json::to_string(&task)?,
///     r#"{"id":0,"state":"RUNNING","worker_id":"10.0.0.5:8083"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskStatus {
    /// The task's number.
    pub id: u32,
    /// The state.
    pub state: State,
    /// The worker running it.
    pub worker_id: String,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// `GET /connectors/{name}/status`, as [`Runtime::connector_status`](crate::Runtime::connector_status)
/// returns it.
///
/// ```
/// use connect_runtime::worker::{ConnectorStatus, State, StateInfo, TaskStatus};
///
/// let worker_id = String::from("10.0.0.5:8083");
/// let status = ConnectorStatus {
///     name: "local-file-source".into(),
///     connector: StateInfo { state: State::Running, worker_id: worker_id.clone(), trace: None },
///     tasks: vec![TaskStatus { id: 0, state: State::Failed, worker_id, trace: Some("disk full".into()) }],
///     kind: "source".into(),
/// };
/// let failed: Vec<u32> = status.tasks.iter().filter(|t| t.state == State::Failed).map(|t| t.id).collect();
/// assert_eq!(failed, [0]);
/// let json = serde_json::to_value(&status)?;
/// assert_eq!(json["type"], "source");
/// assert_eq!(json["connector"]["state"], "RUNNING");
/// assert_eq!(json["tasks"][0]["trace"], "disk full");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorStatus {
    /// The connector's name.
    pub name: String,
    /// The connector's own state.
    pub connector: StateInfo,
    /// Its tasks' states.
    pub tasks: Vec<TaskStatus>,
    /// `source` or `sink`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A task's id in connector descriptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    /// The connector's name.
    pub connector: String,
    /// The task's number.
    pub task: u32,
}

/// `GET /connectors/{name}`, as [`Runtime::connector_info`](crate::Runtime::connector_info) and
/// [`Runtime::create_connector`](crate::Runtime::create_connector) return it.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::worker::{ConnectorInfo, TaskInfo};
///
/// let info = ConnectorInfo {
///     name: "local-file-sink".into(),
///     config: ConfigMap::from([
///         ("connector.class".into(), "FileStreamSink".into()),
///         ("name".into(), "local-file-sink".into()),
///     ]),
///     tasks: vec![TaskInfo { connector: "local-file-sink".into(), task: 0 }],
///     kind: "sink".into(),
/// };
/// assert_eq!(
///     serde_json::to_string(&info)?,
///     concat!(
///         r#"{"name":"local-file-sink","config":{"connector.class":"FileStreamSink","name":"local-file-sink"},"#,
///         r#""tasks":[{"connector":"local-file-sink","task":0}],"type":"sink"}"#
///     )
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorInfo {
    /// The connector's name.
    pub name: String,
    /// Its configuration.
    pub config: ConfigMap,
    /// Its tasks.
    pub tasks: Vec<TaskInfo>,
    /// `source` or `sink`.
    #[serde(rename = "type")]
    pub kind: String,
}
