//! The worker: connectors and their tasks, their target states and statuses, and the embeddable
//! [`Runtime`] that manages them.

mod connector;
mod guard;
mod offsets;
mod runtime;
mod status;
mod supervisor;
mod topics;

pub(crate) use connector::{ManagedConnector, TaskSpec, spawn_task};
pub use offsets::OffsetsAltered;
pub(crate) use runtime::Shared;
pub use runtime::{Runtime, RuntimeBuilder};
pub use status::{ConnectorInfo, ConnectorStatus, State, StateInfo, TaskInfo, TaskStatus};
pub(crate) use supervisor::{TaskHandle, read_task_state};
pub(crate) use topics::ActiveTopics;

/// What a connector should be doing, as set by create, pause, resume and stop (Kafka's
/// `TargetState`).
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::{Runtime, TargetState};
///
/// /// Creates a connector that starts only when resumed.
/// async fn create_paused(runtime: &Runtime, props: ConfigMap) -> connect_api::error::Result<()> {
///     let info = runtime.create_connector(props, Some(TargetState::Paused)).await?;
///     // ... later:
///     runtime.resume_connector(&info.name).await
/// }
///
/// assert_eq!(TargetState::default(), TargetState::Started); // `create_connector(props, None)`
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TargetState {
    /// Running.
    #[default]
    Started,
    /// Tasks kept but not polling or consuming.
    Paused,
    /// The connector and its tasks shut down, with no task configs; offsets may be altered.
    Stopped,
}

impl TargetState {
    /// Parses `initial_state` of a connector creation request: `RUNNING`, `PAUSED` or `STOPPED`.
    ///
    /// ```
    /// use connect_runtime::worker::TargetState;
    /// assert_eq!(TargetState::from_initial_state("PAUSED"), Some(TargetState::Paused));
    /// assert_eq!(TargetState::from_initial_state("running"), Some(TargetState::Started));
    /// assert_eq!(TargetState::from_initial_state("BUSY"), None);
    /// ```
    pub fn from_initial_state(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "RUNNING" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }
}
