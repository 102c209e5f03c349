//! `GET /openapi.json`: an OpenAPI 3.1 document describing every endpoint of the REST API, its
//! parameters, request bodies, and responses with their status codes and JSON schemas.
//!
//! The document is written by hand to match what the handlers in `connectors.rs`, `plugins.rs`
//! and `mod.rs` answer; `tests/rest_openapi.rs` checks it against a live server with
//! schemathesis.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// `GET /openapi.json`.
pub(crate) async fn handler() -> Response {
    Json(document()).into_response()
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A JSON response with this description and schema.
fn json_response(description: &str, schema: Value) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema } },
    })
}

/// A response without a body.
fn empty(description: &str) -> Value {
    json!({ "description": description })
}

fn error_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

/// The `{name}` path parameter.
fn name_param() -> Value {
    json!({
        "name": "name",
        "in": "path",
        "required": true,
        "description": "The connector's name.",
        "schema": { "type": "string" },
    })
}

/// The `{task}` path parameter.
fn task_param() -> Value {
    json!({
        "name": "task",
        "in": "path",
        "required": true,
        "description": "The task's number; anything but a number answers 404.",
        "schema": { "type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64 },
    })
}

/// The `{plugin}` path parameter.
fn plugin_param() -> Value {
    json!({
        "name": "plugin",
        "in": "path",
        "required": true,
        "description": "A plugin's class name or alias.",
        "schema": { "type": "string" },
    })
}

fn bool_query(name: &str, default: bool, description: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
        "description": description,
        "schema": { "type": "boolean", "default": default },
    })
}

/// A JSON request body.
fn body(required: bool, schema: Value) -> Value {
    json!({
        "required": required,
        "content": { "application/json": { "schema": schema } },
    })
}

/// One operation: its id, summary, parameters, request body and responses. Every operation
/// also documents the JSON error body under `default`.
fn operation(
    id: &str,
    summary: &str,
    parameters: Vec<Value>,
    request_body: Option<Value>,
    responses: Vec<(&str, Value)>,
) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(id));
    op.insert("summary".into(), json!(summary));
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(request_body) = request_body {
        op.insert("requestBody".into(), request_body);
    }
    let mut out = Map::new();
    for (status, response) in responses {
        out.insert(status.to_owned(), response);
    }
    out.insert("default".into(), error_ref("Error"));
    op.insert("responses".into(), Value::Object(out));
    Value::Object(op)
}

fn paths() -> Value {
    let not_found = || ("404", error_ref("NotFound"));
    let bad_request = || ("400", error_ref("BadRequest"));
    let too_large = || ("413", error_ref("TooLarge"));
    json!({
        "/": {
            "get": operation("serverInfo", "The worker's version, commit and Kafka cluster id", vec![], None, vec![
                ("200", json_response("The server's information", schema_ref("ServerInfo"))),
            ]),
        },
        "/health": {
            "get": operation("health", "Whether the worker is ready to handle requests", vec![], None, vec![
                ("200", json_response("The worker is healthy", schema_ref("Health"))),
            ]),
        },
        "/metrics": {
            "get": operation("metrics", "The worker's metrics per connector and task, in Prometheus' text format (OpenMetrics)", vec![], None, vec![
                ("200", json!({
                    "description": "Records polled, converted, written, failed and sent to the dead letter queue; offsets committed; commit latency; task states",
                    "content": { "application/openmetrics-text": { "schema": { "type": "string" } } },
                })),
            ]),
        },
        "/admin/loggers": {
            "get": operation("listLoggers", "The root level and every logger with a level of its own", vec![], None, vec![
                ("200", json_response("Logger names mapped to their levels", json!({ "type": "object", "additionalProperties": schema_ref("LoggerLevel") }))),
                not_found(),
            ]),
        },
        "/admin/loggers/{name}": {
            "parameters": [{
                "name": "name",
                "in": "path",
                "required": true,
                "description": "A tracing target (module path such as `connect_runtime::task`) or `root`.",
                "schema": { "type": "string" },
            }],
            "get": operation("getLogger", "A logger's level", vec![], None, vec![
                ("200", json_response("The level", schema_ref("LoggerLevel"))),
                not_found(),
            ]),
            "put": operation("setLoggerLevel", "Sets a logger's level", vec![
                json!({
                    "name": "scope",
                    "in": "query",
                    "required": false,
                    "description": "`worker` (the default) answers the loggers affected; `cluster` answers 204.",
                    "schema": { "type": "string" },
                }),
            ], Some(body(true, schema_ref("LoggerLevelRequest"))), vec![
                ("200", json_response("The loggers affected", json!({ "type": "array", "items": { "type": "string" } }))),
                ("204", empty("Set (scope=cluster)")),
                bad_request(),
                ("404", error_ref("NotFound")),
                too_large(),
            ]),
        },
        "/openapi.json": {
            "get": operation("openapi", "This document", vec![], None, vec![
                ("200", json_response("The OpenAPI document", json!({ "type": "object" }))),
            ]),
        },
        "/connectors": {
            "get": operation("listConnectors", "The connectors' names, or their expanded status and information", vec![
                json!({
                    "name": "expand",
                    "in": "query",
                    "required": false,
                    "description": "`status` and/or `info`: answer an object keyed by connector name instead of a list of names. Unknown values are ignored.",
                    "style": "form",
                    "explode": true,
                    "schema": { "type": "array", "items": { "type": "string", "enum": ["status", "info"] } },
                }),
            ], None, vec![
                ("200", json_response(
                    "Without `expand`, the names; with it, for each connector an object with the requested expansions",
                    json!({ "anyOf": [
                        { "type": "array", "items": { "type": "string" } },
                        { "type": "object", "additionalProperties": schema_ref("ConnectorExpansions") },
                    ] }),
                )),
                bad_request(),
            ]),
            "post": operation("createConnector", "Creates a connector", vec![],
                Some(body(true, schema_ref("CreateConnectorRequest"))), vec![
                ("201", json!({
                    "description": "Created; `Location` names the new connector",
                    "headers": { "Location": { "schema": { "type": "string" } } },
                    "content": { "application/json": { "schema": schema_ref("ConnectorInfo") } },
                })),
                bad_request(),
                ("409", error_ref("Conflict")),
                too_large(),
            ]),
        },
        "/connectors/{name}": {
            "parameters": [name_param()],
            "get": operation("getConnector", "A connector's configuration and tasks", vec![], None, vec![
                ("200", json_response("The connector", schema_ref("ConnectorInfo"))),
                not_found(),
            ]),
            "delete": operation("deleteConnector", "Deletes a connector", vec![], None, vec![
                ("204", empty("Deleted")),
                not_found(),
            ]),
        },
        "/connectors/{name}/config": {
            "parameters": [name_param()],
            "get": operation("getConnectorConfig", "A connector's configuration", vec![], None, vec![
                ("200", json_response("The configuration", schema_ref("ConnectorConfig"))),
                not_found(),
            ]),
            "put": operation("putConnectorConfig", "Creates a connector or replaces its configuration", vec![],
                Some(body(true, schema_ref("ConnectorConfigInput"))), vec![
                ("200", json_response("Updated", schema_ref("ConnectorInfo"))),
                ("201", json!({
                    "description": "Created",
                    "headers": { "Location": { "schema": { "type": "string" } } },
                    "content": { "application/json": { "schema": schema_ref("ConnectorInfo") } },
                })),
                bad_request(),
                too_large(),
            ]),
            "patch": operation("patchConnectorConfig", "Changes some keys of a connector's configuration; null removes a key", vec![],
                Some(body(true, schema_ref("ConnectorConfigInput"))), vec![
                ("200", json_response("Updated", schema_ref("ConnectorInfo"))),
                bad_request(),
                not_found(),
                too_large(),
            ]),
        },
        "/connectors/{name}/status": {
            "parameters": [name_param()],
            "get": operation("getConnectorStatus", "The state of a connector and its tasks", vec![], None, vec![
                ("200", json_response("The status", schema_ref("ConnectorStatus"))),
                not_found(),
            ]),
        },
        "/connectors/{name}/tasks": {
            "parameters": [name_param()],
            "get": operation("getConnectorTasks", "A connector's tasks and their configurations", vec![], None, vec![
                ("200", json_response("The tasks", json!({ "type": "array", "items": schema_ref("TaskDescription") }))),
                not_found(),
            ]),
        },
        "/connectors/{name}/tasks-config": {
            "parameters": [name_param()],
            "get": operation("getConnectorTasksConfig", "The tasks' configurations keyed by `<name>-<task>` (deprecated)", vec![], None, vec![
                ("200", json_response("The configurations", json!({ "type": "object", "additionalProperties": schema_ref("ConnectorConfig") }))),
                not_found(),
            ]),
        },
        "/connectors/{name}/tasks/{task}/status": {
            "parameters": [name_param(), task_param()],
            "get": operation("getTaskStatus", "A task's state", vec![], None, vec![
                ("200", json_response("The task's status", schema_ref("TaskStatus"))),
                not_found(),
            ]),
        },
        "/connectors/{name}/tasks/{task}/restart": {
            "parameters": [name_param(), task_param()],
            "post": operation("restartTask", "Restarts a task", vec![], None, vec![
                ("204", empty("Restarted")),
                not_found(),
            ]),
        },
        "/connectors/{name}/restart": {
            "parameters": [name_param()],
            "post": operation("restartConnector", "Restarts a connector and, optionally, its tasks", vec![
                bool_query("includeTasks", false, "Restart the tasks too."),
                bool_query("onlyFailed", false, "Restart only the failed instances."),
            ], None, vec![
                ("202", json_response("With `includeTasks` or `onlyFailed`: the status, instances being restarted marked RESTARTING", schema_ref("ConnectorStatus"))),
                ("204", empty("The connector (only) was restarted")),
                bad_request(),
                not_found(),
            ]),
        },
        "/connectors/{name}/pause": {
            "parameters": [name_param()],
            "put": operation("pauseConnector", "Pauses a connector and its tasks", vec![], None, vec![
                ("202", empty("Pausing")),
                not_found(),
            ]),
        },
        "/connectors/{name}/resume": {
            "parameters": [name_param()],
            "put": operation("resumeConnector", "Resumes a paused or stopped connector", vec![], None, vec![
                ("202", empty("Resuming")),
                not_found(),
            ]),
        },
        "/connectors/{name}/stop": {
            "parameters": [name_param()],
            "put": operation("stopConnector", "Stops a connector and shuts its tasks down", vec![], None, vec![
                ("204", empty("Stopped")),
                not_found(),
            ]),
        },
        "/connectors/{name}/topics": {
            "parameters": [name_param()],
            "get": operation("getConnectorTopics", "The topics a connector has used", vec![], None, vec![
                ("200", json_response("The connector's name mapped to its topics", json!({
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["topics"],
                        "properties": { "topics": { "type": "array", "items": { "type": "string" } } },
                    },
                }))),
                ("403", error_ref("Forbidden")),
                not_found(),
            ]),
        },
        "/connectors/{name}/topics/reset": {
            "parameters": [name_param()],
            "put": operation("resetConnectorTopics", "Forgets the topics a connector has used", vec![], None, vec![
                ("202", empty("Reset")),
                ("403", error_ref("Forbidden")),
                not_found(),
            ]),
        },
        "/connectors/{name}/offsets": {
            "parameters": [name_param()],
            "get": operation("getConnectorOffsets", "A connector's committed offsets", vec![], None, vec![
                ("200", json_response("The offsets", schema_ref("ConnectorOffsets"))),
                not_found(),
            ]),
            "patch": operation("alterConnectorOffsets", "Alters a stopped connector's offsets", vec![],
                Some(body(true, schema_ref("AlterOffsetsRequest"))), vec![
                ("200", json_response("Altered", schema_ref("Message"))),
                bad_request(),
                not_found(),
                too_large(),
            ]),
            "delete": operation("resetConnectorOffsets", "Resets a stopped connector's offsets", vec![], None, vec![
                ("200", json_response("Reset", schema_ref("Message"))),
                bad_request(),
                not_found(),
            ]),
        },
        "/connector-plugins": {
            "get": operation("listPlugins", "The installed plugins", vec![
                bool_query("connectorsOnly", true, "List only connectors, not transformations, predicates or converters."),
            ], None, vec![
                ("200", json_response("The plugins", json!({ "type": "array", "items": schema_ref("PluginInfo") }))),
                bad_request(),
            ]),
        },
        "/connector-plugins/{plugin}/config": {
            "parameters": [plugin_param()],
            "get": operation("getPluginConfig", "A plugin's configuration definition", vec![], None, vec![
                ("200", json_response("The definition's keys", json!({ "type": "array", "items": schema_ref("ConfigKeyInfo") }))),
                not_found(),
            ]),
        },
        "/connector-plugins/{plugin}/config/validate": {
            "parameters": [plugin_param()],
            "put": operation("validateConfig", "Validates a connector configuration", vec![],
                Some(body(false, schema_ref("ConnectorConfigInput"))), vec![
                ("200", json_response("The validation result", schema_ref("ConfigInfos"))),
                bad_request(),
                too_large(),
            ]),
        },
    })
}

fn schemas() -> Value {
    let string = || json!({ "type": "string" });
    let strings = || json!({ "type": "array", "items": { "type": "string" } });
    let nullable_string = || json!({ "type": ["string", "null"] });
    let state = || {
        json!({
            "type": "string",
            "enum": ["UNASSIGNED", "RUNNING", "PAUSED", "FAILED", "RESTARTING", "STOPPED"],
        })
    };
    json!({
        "Error": {
            "type": "object",
            "description": "Every error: `error_code` is the HTTP status.",
            "required": ["error_code", "message"],
            "properties": {
                "error_code": { "type": "integer" },
                "message": string(),
            },
        },
        "ServerInfo": {
            "type": "object",
            "required": ["version", "commit", "kafka_cluster_id"],
            "properties": {
                "version": string(),
                "commit": string(),
                "kafka_cluster_id": nullable_string(),
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "message"],
            "properties": { "status": string(), "message": string() },
        },
        "Message": {
            "type": "object",
            "required": ["message"],
            "properties": { "message": string() },
        },
        "ConnectorConfig": {
            "type": "object",
            "description": "A configuration: string keys and values.",
            "additionalProperties": string(),
        },
        "ConnectorConfigInput": {
            "type": "object",
            "description": "A configuration; numbers and booleans are taken as their text, null values are dropped (PATCH: removed).",
            "additionalProperties": { "type": ["string", "number", "boolean", "null"] },
        },
        "CreateConnectorRequest": {
            "type": "object",
            "properties": {
                "name": nullable_string(),
                "config": { "anyOf": [schema_ref("ConnectorConfigInput"), { "type": "null" }] },
                "initial_state": {
                    "anyOf": [
                        { "type": "string", "enum": ["RUNNING", "PAUSED", "STOPPED"] },
                        { "type": "null" },
                    ],
                },
            },
        },
        "TaskId": {
            "type": "object",
            "required": ["connector", "task"],
            "properties": {
                "connector": string(),
                "task": { "type": "integer", "minimum": 0 },
            },
        },
        "ConnectorInfo": {
            "type": "object",
            "required": ["name", "config", "tasks", "type"],
            "properties": {
                "name": string(),
                "config": schema_ref("ConnectorConfig"),
                "tasks": { "type": "array", "items": schema_ref("TaskId") },
                "type": string(),
            },
        },
        "StateInfo": {
            "type": "object",
            "required": ["state", "worker_id"],
            "properties": {
                "state": state(),
                "worker_id": string(),
                "trace": string(),
            },
        },
        "TaskStatus": {
            "type": "object",
            "required": ["id", "state", "worker_id"],
            "properties": {
                "id": { "type": "integer", "minimum": 0 },
                "state": state(),
                "worker_id": string(),
                "trace": string(),
            },
        },
        "ConnectorStatus": {
            "type": "object",
            "required": ["name", "connector", "tasks", "type"],
            "properties": {
                "name": string(),
                "connector": schema_ref("StateInfo"),
                "tasks": { "type": "array", "items": schema_ref("TaskStatus") },
                "type": string(),
            },
        },
        "ConnectorExpansions": {
            "type": "object",
            "properties": {
                "status": schema_ref("ConnectorStatus"),
                "info": schema_ref("ConnectorInfo"),
            },
        },
        "TaskDescription": {
            "type": "object",
            "required": ["id", "config"],
            "properties": {
                "id": schema_ref("TaskId"),
                "config": schema_ref("ConnectorConfig"),
            },
        },
        "ConnectorOffsets": {
            "type": "object",
            "required": ["offsets"],
            "properties": {
                "offsets": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["partition", "offset"],
                        "properties": {
                            "partition": { "type": "object" },
                            "offset": { "type": "object" },
                        },
                    },
                },
            },
        },
        "AlterOffsetsRequest": {
            "type": "object",
            "required": ["offsets"],
            "properties": {
                "offsets": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["partition"],
                        "properties": {
                            "partition": { "type": "object" },
                            "offset": { "type": ["object", "null"] },
                        },
                    },
                },
            },
        },
        "LoggerLevel": {
            "type": "object",
            "required": ["level", "last_modified"],
            "properties": {
                "level": { "type": "string", "enum": ["OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"] },
                "last_modified": { "type": ["integer", "null"], "minimum": 0 },
            },
        },
        "LoggerLevelRequest": {
            "type": "object",
            "required": ["level"],
            "properties": {
                "level": { "type": "string", "description": "OFF, FATAL, ERROR, WARN, INFO, DEBUG or TRACE (case-insensitive)" },
            },
        },
        "PluginInfo": {
            "type": "object",
            "required": ["class", "type"],
            "properties": {
                "class": string(),
                "type": {
                    "type": "string",
                    "enum": ["sink", "source", "transformation", "predicate", "converter", "header_converter"],
                },
                "version": string(),
            },
        },
        "ConfigKeyInfo": {
            "type": "object",
            "required": [
                "name", "type", "required", "default_value", "importance", "documentation",
                "group", "order", "width", "display_name", "dependents",
            ],
            "properties": {
                "name": string(),
                "type": {
                    "type": "string",
                    "enum": ["BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD"],
                },
                "required": { "type": "boolean" },
                "default_value": nullable_string(),
                "importance": { "type": "string", "enum": ["HIGH", "MEDIUM", "LOW"] },
                "documentation": nullable_string(),
                "group": nullable_string(),
                "order": { "type": "integer" },
                "width": { "type": "string", "enum": ["NONE", "SHORT", "MEDIUM", "LONG"] },
                "display_name": string(),
                "dependents": strings(),
            },
        },
        "ConfigValueInfo": {
            "type": "object",
            "required": ["name", "value", "recommended_values", "errors", "visible"],
            "properties": {
                "name": string(),
                "value": nullable_string(),
                "recommended_values": strings(),
                "errors": strings(),
                "visible": { "type": "boolean" },
            },
        },
        "ConfigInfo": {
            "type": "object",
            "required": ["definition", "value"],
            "properties": {
                "definition": { "anyOf": [schema_ref("ConfigKeyInfo"), { "type": "null" }] },
                "value": { "anyOf": [schema_ref("ConfigValueInfo"), { "type": "null" }] },
            },
        },
        "ConfigInfos": {
            "type": "object",
            "required": ["name", "error_count", "groups", "configs"],
            "properties": {
                "name": string(),
                "error_count": { "type": "integer", "minimum": 0 },
                "groups": strings(),
                "configs": { "type": "array", "items": schema_ref("ConfigInfo") },
            },
        },
    })
}

fn error_response(description: &str) -> Value {
    json_response(description, schema_ref("Error"))
}

/// The OpenAPI document.
pub(crate) fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kafka Connect REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Apache Kafka Connect's REST API, served by connect-runtime. Every error answers `{\"error_code\": N, \"message\": \"...\"}` with HTTP status N.",
        },
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "responses": {
                "Error": error_response("An error"),
                "BadRequest": error_response("An invalid request or configuration"),
                "NotFound": error_response("No such connector, task, plugin or logger (or an invalid log level)"),
                "Conflict": error_response("A connector with this name already exists"),
                "Forbidden": error_response("Topic tracking (or its reset) is disabled"),
                "TooLarge": error_response("The request body is larger than the limit"),
            },
        },
    })
}
