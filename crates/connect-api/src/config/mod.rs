//! Configuration definitions (being built).

use std::collections::BTreeMap;

/// Configuration as it arrives: string keys and string values (a properties file, a REST body).
pub type ConfigMap = BTreeMap<String, String>;

/// Placeholder definition.
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {}

impl ConfigDef {
    /// An empty definition.
    pub fn new() -> Self {
        Self {}
    }

    /// Validates every key.
    pub fn validate(&self, _props: &ConfigMap) -> Vec<ConfigValueInfo> {
        Vec::new()
    }
}

/// The validation result of one key.
#[derive(Debug, Clone, Default)]
pub struct ConfigValueInfo {}
