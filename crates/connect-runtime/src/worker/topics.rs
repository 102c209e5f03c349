//! The topics each connector has used (Kafka's active topic tracking, KIP-558), for
//! `GET /connectors/{name}/topics`.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Topics used by each connector since it was created or its topics were last reset.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActiveTopics(Arc<Mutex<HashMap<String, BTreeSet<String>>>>);

impl ActiveTopics {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, BTreeSet<String>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes that `connector` used `topic`.
    pub(crate) fn record(&self, connector: &str, topic: &str) {
        let mut topics = self.lock();
        let used = topics.entry(connector.to_owned()).or_default();
        if !used.contains(topic) {
            used.insert(topic.to_owned());
        }
    }

    /// The topics `connector` used.
    pub(crate) fn of(&self, connector: &str) -> BTreeSet<String> {
        self.lock().get(connector).cloned().unwrap_or_default()
    }

    /// Forgets the topics of `connector`.
    pub(crate) fn reset(&self, connector: &str) {
        self.lock().remove(connector);
    }
}
