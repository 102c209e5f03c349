//! `/connectors` (Kafka's `ConnectorsResource`).

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use connect_api::config::ConfigMap;
use connect_api::error::ConnectError;
use connect_api::record::OffsetMap;
use serde_json::{Map, Value, json};

use super::AppState;
use super::error::RestError;
use super::extract::{
    JsonBody, bool_param, config_map, config_patch, encode_path_segment, query_pairs,
};
use super::secrets;
use crate::distributed::signature::{ALGORITHM_HEADER, SIGNATURE_HEADER, Signature};
use crate::worker::TargetState;

type Result<T> = std::result::Result<T, RestError>;

/// `GET /connectors[?expand=status&expand=info]`.
pub(crate) async fn list(State(state): State<AppState>, uri: Uri) -> Result<Response> {
    let pairs = query_pairs(&uri)?;
    let expand: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "expand")
        .map(|(_, value)| value.as_str())
        .collect();
    let names = state.runtime.connectors().await;
    if expand.is_empty() {
        return Ok(Json(names).into_response());
    }
    let mut out = Map::new();
    for name in names {
        let mut expansions = Map::new();
        let mut gone = false;
        for expansion in &expand {
            let value = match *expansion {
                "status" => state
                    .runtime
                    .connector_status(&name)
                    .await
                    .map(|status| serde_json::to_value(status).unwrap_or(Value::Null)),
                "info" => state
                    .runtime
                    .connector_info(&name)
                    .await
                    .map(|info| secrets::hide_info(&state.runtime, info))
                    .map(|info| serde_json::to_value(info).unwrap_or(Value::Null)),
                other => {
                    tracing::info!("Ignoring unknown expansion type {other}");
                    continue;
                }
            };
            match value {
                Ok(value) => {
                    expansions.insert((*expansion).to_owned(), value);
                }
                // Deleted while listing: left out.
                Err(ConnectError::NotFound(_)) => gone = true,
                Err(error) => return Err(error.into()),
            }
        }
        if !gone {
            out.insert(name, Value::Object(expansions));
        }
    }
    Ok(Json(Value::Object(out)).into_response())
}

/// Kafka's `checkAndPutConnectorConfigName`.
fn check_and_put_name(name: &str, config: &mut ConfigMap) -> Result<()> {
    match config.get("name") {
        Some(included) if included != name => Err(RestError::bad_request(format!(
            "Connector name configuration ({included}) doesn't match connector name in the URL ({name})"
        ))),
        Some(_) => Ok(()),
        None => {
            config.insert("name".to_owned(), name.to_owned());
            Ok(())
        }
    }
}

/// `/connectors/<name>`, the name percent-encoded.
fn location(name: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("/connectors/{}", encode_path_segment(name))).ok()
}

fn created(info: impl serde::Serialize, name: &str) -> Response {
    let mut response = (StatusCode::CREATED, Json(info)).into_response();
    if let Some(location) = location(name) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn need_body(body: JsonBody) -> Result<Value> {
    body.0
        .ok_or_else(|| RestError::bad_request("A JSON request body is required"))
}

/// `POST /connectors`: `{"name", "config", "initial_state"}`.
pub(crate) async fn create(State(state): State<AppState>, body: JsonBody) -> Result<Response> {
    let Value::Object(mut request) = need_body(body)? else {
        return Err(RestError::bad_request(
            "The request body must be a JSON object with \"name\" and \"config\"",
        ));
    };
    let name = match request.remove("name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(name)) => name.trim().to_owned(),
        Some(_) => return Err(RestError::bad_request("\"name\" must be a string")),
    };
    let mut config = match request.remove("config") {
        None | Some(Value::Null) => ConfigMap::new(),
        Some(config) => config_map(config)?,
    };
    let initial_state = match request.remove("initial_state") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => {
            Some(TargetState::from_initial_state(&text).ok_or_else(|| {
                RestError::bad_request(format!(
                    "Invalid initial_state '{text}': expected RUNNING, PAUSED or STOPPED"
                ))
            })?)
        }
        Some(_) => {
            return Err(RestError::bad_request("\"initial_state\" must be a string"));
        }
    };
    check_and_put_name(&name, &mut config)?;
    let info = state
        .runtime
        .create_connector(config, initial_state)
        .await?;
    let name = info.name.clone();
    Ok(created(secrets::hide_info(&state.runtime, info), &name))
}

/// `GET /connectors/{name}`.
pub(crate) async fn info(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    let info = state.runtime.connector_info(&name).await?;
    Ok(Json(secrets::hide_info(&state.runtime, info)).into_response())
}

/// `GET /connectors/{name}/config`.
pub(crate) async fn get_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    let info = state.runtime.connector_info(&name).await?;
    Ok(Json(secrets::hide_info(&state.runtime, info).config).into_response())
}

/// `PUT /connectors/{name}/config`: 201 when created, 200 when updated.
pub(crate) async fn put_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: JsonBody,
) -> Result<Response> {
    let mut config = config_map(need_body(body)?)?;
    check_and_put_name(&name, &mut config)?;
    let (was_created, info) = state.runtime.put_connector_config(&name, config).await?;
    let info = secrets::hide_info(&state.runtime, info);
    if was_created {
        Ok(created(info, &name))
    } else {
        Ok(Json(info).into_response())
    }
}

/// `PATCH /connectors/{name}/config`: null values remove keys.
pub(crate) async fn patch_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: JsonBody,
) -> Result<Response> {
    let patch = config_patch(need_body(body)?)?;
    let mut config = state.runtime.connector_info(&name).await?.config;
    for (key, value) in patch {
        match value {
            Some(value) => {
                config.insert(key, value);
            }
            None => {
                config.remove(&key);
            }
        }
    }
    check_and_put_name(&name, &mut config)?;
    let (_, info) = state.runtime.put_connector_config(&name, config).await?;
    Ok(Json(secrets::hide_info(&state.runtime, info)).into_response())
}

/// `GET /connectors/{name}/status`.
pub(crate) async fn status(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    Ok(Json(state.runtime.connector_status(&name).await?).into_response())
}

/// `GET /connectors/{name}/tasks`.
pub(crate) async fn tasks(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    let configs = state.runtime.task_configs(&name).await?;
    let configs = secrets::hide_tasks(&state.runtime, &name, configs).await;
    let tasks: Vec<Value> = configs
        .into_iter()
        .enumerate()
        .map(|(task, config)| json!({"id": {"connector": name, "task": task}, "config": config}))
        .collect();
    Ok(Json(tasks).into_response())
}

/// `POST /connectors/{name}/tasks` (internal): task configs generated by the worker running
/// the connector, for the leader of the cluster to write.
pub(crate) async fn put_task_configs(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(&body) else {
        return Err(RestError::bad_request(
            "The task configurations must be a JSON array of objects",
        ));
    };
    let configs = items
        .into_iter()
        .map(config_map)
        .collect::<Result<Vec<ConfigMap>>>()?;
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let signature = text(SIGNATURE_HEADER).map(|signature| Signature {
        algorithm: text(ALGORITHM_HEADER).unwrap_or_default(),
        signature,
    });
    state
        .runtime
        .accept_task_configs(&name, configs, signature.as_ref(), &body)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /connectors/{name}/tasks-config` (deprecated in Kafka).
pub(crate) async fn tasks_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    let configs = state.runtime.task_configs(&name).await?;
    let configs = secrets::hide_tasks(&state.runtime, &name, configs).await;
    let tasks: BTreeMap<String, ConfigMap> = configs
        .into_iter()
        .enumerate()
        .map(|(task, config)| (format!("{name}-{task}"), config))
        .collect();
    Ok(Json(tasks).into_response())
}

/// A task number from the path; like Jersey, anything but a number is 404.
fn task_number(text: &str) -> Result<u32> {
    text.parse()
        .map_err(|_| RestError::generic(StatusCode::NOT_FOUND))
}

/// `GET /connectors/{name}/tasks/{task}/status`.
pub(crate) async fn task_status(
    State(state): State<AppState>,
    Path((name, task)): Path<(String, String)>,
) -> Result<Response> {
    let task = task_number(&task)?;
    let not_found = || RestError::not_found(format!("No status found for task {name}-{task}"));
    let status = match state.runtime.connector_status(&name).await {
        Ok(status) => status,
        Err(ConnectError::NotFound(_)) => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    let task_status = status
        .tasks
        .into_iter()
        .find(|t| t.id == task)
        .ok_or_else(not_found)?;
    Ok(Json(task_status).into_response())
}

/// `POST /connectors/{name}/tasks/{task}/restart`.
pub(crate) async fn restart_task(
    State(state): State<AppState>,
    Path((name, task)): Path<(String, String)>,
) -> Result<Response> {
    let task = task_number(&task)?;
    state.runtime.restart_task(&name, task).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /connectors/{name}/restart?includeTasks=&onlyFailed=`.
pub(crate) async fn restart(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
) -> Result<Response> {
    let pairs = query_pairs(&uri)?;
    let include_tasks = bool_param(&pairs, "includeTasks", false)?;
    let only_failed = bool_param(&pairs, "onlyFailed", false)?;
    let status = state
        .runtime
        .restart_connector(&name, include_tasks, only_failed)
        .await?;
    if !include_tasks && !only_failed {
        // The legacy connector-only restart answers without a body.
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok((StatusCode::ACCEPTED, Json(status)).into_response())
    }
}

/// `PUT /connectors/{name}/pause`.
pub(crate) async fn pause(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    state.runtime.pause_connector(&name).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// `PUT /connectors/{name}/resume`.
pub(crate) async fn resume(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    state.runtime.resume_connector(&name).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// `PUT /connectors/{name}/stop`.
pub(crate) async fn stop(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    state.runtime.stop_connector(&name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /connectors/{name}`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    state.runtime.delete_connector(&name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn check_topic_tracking(state: &AppState, reset: bool) -> Result<()> {
    let worker = state.runtime.worker_config();
    if !worker.topic_tracking_enabled() {
        return Err(RestError::forbidden("Topic tracking is disabled."));
    }
    if reset && !worker.topic_tracking_reset_allowed() {
        return Err(RestError::forbidden("Topic tracking reset is disabled."));
    }
    Ok(())
}

/// `GET /connectors/{name}/topics`.
pub(crate) async fn topics(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    check_topic_tracking(&state, false)?;
    let topics = state.runtime.connector_topics(&name).await?;
    let mut out = Map::new();
    out.insert(name, json!({ "topics": topics }));
    Ok(Json(Value::Object(out)).into_response())
}

/// `PUT /connectors/{name}/topics/reset`.
pub(crate) async fn reset_topics(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    check_topic_tracking(&state, true)?;
    state.runtime.reset_connector_topics(&name).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// `GET /connectors/{name}/offsets`.
pub(crate) async fn offsets(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    let offsets: Vec<Value> = state
        .runtime
        .connector_offsets(&name)
        .await?
        .into_iter()
        .map(|(partition, offset)| json!({"partition": partition, "offset": offset}))
        .collect();
    Ok(Json(json!({ "offsets": offsets })).into_response())
}

const NO_OFFSETS: &str = "Partitions / offsets need to be provided for an alter offsets request";

fn offset_entries(body: Option<Value>) -> Result<Vec<(OffsetMap, Option<OffsetMap>)>> {
    let entries = match body {
        None | Some(Value::Null) => return Err(RestError::bad_request(NO_OFFSETS)),
        Some(Value::Object(mut body)) => match body.remove("offsets") {
            None | Some(Value::Null) => return Err(RestError::bad_request(NO_OFFSETS)),
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(RestError::bad_request("\"offsets\" must be a JSON array")),
        },
        Some(_) => {
            return Err(RestError::bad_request(
                "The request body must be a JSON object with \"offsets\"",
            ));
        }
    };
    if entries.is_empty() {
        return Err(RestError::bad_request(NO_OFFSETS));
    }
    entries
        .into_iter()
        .map(|entry| {
            let Value::Object(mut entry) = entry else {
                return Err(RestError::bad_request(
                    "Each element of \"offsets\" must be a JSON object with \"partition\" and \"offset\"",
                ));
            };
            let partition = match entry.remove("partition") {
                Some(Value::Object(partition)) => partition,
                _ => {
                    return Err(RestError::bad_request(
                        "Each element of \"offsets\" must have a \"partition\" JSON object",
                    ));
                }
            };
            let offset = match entry.remove("offset") {
                None | Some(Value::Null) => None,
                Some(Value::Object(offset)) => Some(offset),
                Some(_) => {
                    return Err(RestError::bad_request(
                        "An \"offset\" must be a JSON object or null",
                    ));
                }
            };
            Ok((partition, offset))
        })
        .collect()
}

/// `PATCH /connectors/{name}/offsets`.
pub(crate) async fn alter_offsets(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: JsonBody,
) -> Result<Response> {
    let offsets = offset_entries(body.0)?;
    let altered = state
        .runtime
        .alter_connector_offsets(&name, offsets)
        .await?;
    Ok(Json(json!({ "message": altered.message(false) })).into_response())
}

/// `DELETE /connectors/{name}/offsets`.
pub(crate) async fn reset_offsets(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    let reset = state.runtime.reset_connector_offsets(&name).await?;
    Ok(Json(json!({ "message": reset.message(true) })).into_response())
}
