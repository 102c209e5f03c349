//! `/connector-plugins` (Kafka's `ConnectorPluginsResource`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, ConfigValueInfo};
use serde::Serialize;
use serde_json::Value;

use super::AppState;
use super::error::RestError;
use super::extract::{JsonBody, bool_param, config_map, query_pairs};
use crate::plugins::{ConnectorFactory, PluginKind};

type Result<T> = std::result::Result<T, RestError>;

/// One plugin of `GET /connector-plugins` (Kafka's `PluginInfo`).
#[derive(Debug, Serialize)]
struct PluginInfo<'a> {
    class: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

/// `GET /connector-plugins?connectorsOnly=true`.
pub(crate) async fn list(State(state): State<AppState>, uri: Uri) -> Result<Response> {
    let pairs = query_pairs(&uri)?;
    let connectors_only = bool_param(&pairs, "connectorsOnly", true)?;
    let kinds: &[PluginKind] = if connectors_only {
        &[PluginKind::Sink, PluginKind::Source]
    } else {
        &[
            PluginKind::Sink,
            PluginKind::Source,
            PluginKind::Transformation,
            PluginKind::Predicate,
            PluginKind::Converter,
            PluginKind::HeaderConverter,
        ]
    };
    let plugins = state.runtime.plugins();
    let mut out = Vec::new();
    for kind in kinds {
        let mut of_kind: Vec<_> = plugins.descriptions().filter(|d| d.kind == *kind).collect();
        of_kind.sort_by(|a, b| a.class.cmp(&b.class));
        out.extend(of_kind.into_iter().map(|desc| PluginInfo {
            class: &desc.class,
            kind: desc.kind.name(),
            version: Some(desc.version.as_str()).filter(|v| !v.is_empty() && *v != "undefined"),
        }));
    }
    Ok(Json(out).into_response())
}

/// One key of a configuration definition (Kafka's `ConfigKeyInfo`).
#[derive(Debug, Serialize)]
pub(crate) struct ConfigKeyInfo<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    type_: connect_api::config::ConfigType,
    required: bool,
    default_value: Option<String>,
    importance: connect_api::config::Importance,
    documentation: Option<&'a str>,
    group: Option<&'a str>,
    order: i32,
    width: connect_api::config::Width,
    display_name: &'a str,
    dependents: &'a [String],
}

impl<'a> ConfigKeyInfo<'a> {
    pub(crate) fn of(key: &'a ConfigKey) -> Self {
        Self {
            name: key.name(),
            type_: key.type_(),
            required: key.is_required(),
            default_value: key.default_value().map(ToString::to_string),
            importance: key.importance(),
            documentation: key.documentation(),
            group: key.group(),
            order: key.order_in_group(),
            width: key.width(),
            display_name: key.display_name(),
            dependents: key.dependents(),
        }
    }
}

/// Runs a plugin's code, turning a panic into a 500.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        RestError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("The plugin's {what} panicked"),
        )
    })
}

/// The configuration definition of the plugin named `name`, of any kind.
fn plugin_def(state: &AppState, name: &str) -> Result<Option<ConfigDef>> {
    let plugins = state.runtime.plugins();
    if let Ok((_, factory)) = plugins.connector(name) {
        return guarded("config()", || match factory {
            ConnectorFactory::Source(make) => make().config(),
            ConnectorFactory::Sink(make) => make().config(),
        })
        .map(Some);
    }
    if let Ok(transform) = plugins.source_transform(name) {
        return guarded("config()", || transform.config()).map(Some);
    }
    if let Ok(predicate) = plugins.source_predicate(name) {
        return guarded("config()", || predicate.config()).map(Some);
    }
    if let Ok(converter) = plugins.converter(name) {
        return guarded("config()", || converter.config()).map(Some);
    }
    if let Ok(converter) = plugins.header_converter(name) {
        return guarded("config()", || converter.config()).map(Some);
    }
    Ok(None)
}

/// `GET /connector-plugins/{plugin}/config`.
pub(crate) async fn config(
    State(state): State<AppState>,
    Path(plugin): Path<String>,
) -> Result<Response> {
    let def = plugin_def(&state, &plugin)?
        .ok_or_else(|| RestError::not_found(format!("Unknown plugin {plugin}.")))?;
    let keys: Vec<ConfigKeyInfo<'_>> = def.keys().map(ConfigKeyInfo::of).collect();
    Ok(Json(keys).into_response())
}

/// One entry of `configs` in a validation result (Kafka's `ConfigInfo`).
#[derive(Debug, Serialize)]
struct ConfigInfo<'a> {
    definition: Option<ConfigKeyInfo<'a>>,
    value: Option<&'a ConfigValueInfo>,
}

/// A validation result (Kafka's `ConfigInfos`).
#[derive(Debug, Serialize)]
struct ConfigInfos<'a> {
    name: &'a str,
    error_count: usize,
    groups: &'a [String],
    configs: Vec<ConfigInfo<'a>>,
}

/// Kafka's `normalizedPluginName`: the name without a trailing `Connector`.
fn normalized(name: &str) -> &str {
    match name.strip_suffix("Connector") {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => name,
    }
}

/// Java's `Map.toString()` of a configuration, as Kafka's messages show it.
fn java_map(config: &ConfigMap) -> String {
    let entries: Vec<String> = config.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", entries.join(", "))
}

/// `PUT /connector-plugins/{plugin}/config/validate`.
pub(crate) async fn validate(
    State(state): State<AppState>,
    Path(plugin): Path<String>,
    body: JsonBody,
) -> Result<Response> {
    let config = config_map(body.0.unwrap_or(Value::Object(Default::default())))?;
    let Some(class) = config.get("connector.class") else {
        return Err(RestError::bad_request(format!(
            "Connector config {} contains no connector type",
            java_map(&config)
        )));
    };
    if !normalized(class).ends_with(normalized(&plugin)) {
        return Err(RestError::bad_request(format!(
            "Included connector type {class} does not match request type {plugin}"
        )));
    }
    let (_, values) = state.runtime.validate_connector_config(&config).await?;
    let (_, def) = state.runtime.connector_config_def(&config)?;
    let mut error_count = 0;
    let mut configs = Vec::new();
    // Kafka's `generateResult`: values without a definition first, then every definition.
    for value in &values {
        if !def.contains(&value.name) {
            error_count += value.errors.len();
            configs.push(ConfigInfo {
                definition: None,
                value: Some(value),
            });
        }
    }
    for key in def.keys() {
        let value = values.iter().find(|v| v.name == key.name());
        if let Some(value) = value {
            error_count += value.errors.len();
        }
        configs.push(ConfigInfo {
            definition: Some(ConfigKeyInfo::of(key)),
            value,
        });
    }
    let infos = ConfigInfos {
        name: class,
        error_count,
        groups: def.group_names(),
        configs,
    };
    Ok(Json(infos).into_response())
}
