//! Secrets kept out of responses: the values of PASSWORD-type keys of a connector's full
//! definition (its own keys, the common ones, and those of its transformations and predicates)
//! and of its converters (`value.converter.basic.auth.user.info`) are shown as `[hidden]`
//! wherever the API shows a connector or task config.
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
        } || converter_key_is_sensitive(runtime, connector, key);
        if sensitive && !has_reference(value) {
            HIDDEN.clone_into(value);
        }
    }
    config
}

/// Whether `key` is a PASSWORD-type key of one of the connector's converters, whose class is
/// the connector's override or else the worker's; unknown converters hide what looks like a
/// password.
fn converter_key_is_sensitive(runtime: &Runtime, connector: &ConfigMap, key: &str) -> bool {
    for prefix in ["key.converter", "value.converter", "header.converter"] {
        let Some(converter_key) = key
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('.'))
        else {
            continue;
        };
        let class = connector
            .get(prefix)
            .map(String::as_str)
            .or_else(|| runtime.worker_config().converter_class(prefix));
        let plugins = runtime.plugins();
        let def = class.and_then(|class| match prefix {
            "header.converter" => plugins.header_converter(class).ok().map(|c| c.config()),
            _ => plugins.converter(class).ok().map(|c| c.config()),
        });
        return match def {
            Some(def) => def
                .key(converter_key)
                .is_some_and(|k| k.type_().is_sensitive()),
            None => converter_key.contains("password"),
        };
    }
    false
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
