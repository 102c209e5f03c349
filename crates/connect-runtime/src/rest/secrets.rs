//! Secrets kept out of responses: the values of PASSWORD-type keys of a connector's full
//! definition (its own keys, the common ones, and those of its transformations and predicates)
//! are shown as `[hidden]` wherever the API shows a connector or task config.
//!
//! A value that is a config provider reference (`${file:/path:key}`, `${env:NAME}`) is shown as
//! it is: the reference is not the secret, and showing it tells an operator where the secret
//! comes from. The runtime keeps the real values: a `PATCH` of the config merges into them.

use connect_api::config::ConfigMap;

use crate::Runtime;
use crate::config::has_reference;
use crate::worker::ConnectorInfo;

/// What a hidden value reads.
pub(crate) const HIDDEN: &str = "[hidden]";

/// `config` with the PASSWORD-type values of the connector configured by `connector` hidden.
pub(crate) fn hide(runtime: &Runtime, connector: &ConfigMap, mut config: ConfigMap) -> ConfigMap {
    // A connector that exists has a known class; when the definition is unavailable, every
    // value that looks like a password is hidden rather than none.
    let def = runtime
        .connector_config_def(connector)
        .ok()
        .map(|(_, def)| def);
    for (key, value) in config.iter_mut() {
        let sensitive = match &def {
            Some(def) => def.key(key).is_some_and(|k| k.type_().is_sensitive()),
            None => key.contains("password"),
        };
        if sensitive && !has_reference(value) {
            HIDDEN.clone_into(value);
        }
    }
    config
}

/// `info` with its config's secrets hidden.
pub(crate) fn hide_info(runtime: &Runtime, mut info: ConnectorInfo) -> ConnectorInfo {
    let config = std::mem::take(&mut info.config);
    info.config = hide(runtime, &config, config.clone());
    info
}

/// The task configs of connector `name` with their secrets hidden.
pub(crate) async fn hide_tasks(
    runtime: &Runtime,
    name: &str,
    tasks: Vec<ConfigMap>,
) -> Vec<ConfigMap> {
    let connector = runtime
        .connector_info(name)
        .await
        .map(|info| info.config)
        .unwrap_or_default();
    tasks
        .into_iter()
        .map(|task| {
            // A task config may lack connector.class; the connector's tells the definition.
            hide(runtime, &connector, task)
        })
        .collect()
}
