//! [`TestRegistry`]: an in-process Confluent Schema Registry for tests, on a free loopback port.
//!
//! It serves the part of Confluent's REST API that serializers and converters use, with
//! Confluent's status codes, error codes and messages, and the content type
//! `application/vnd.schemaregistry.v1+json`:
//!
//! | request | answer |
//! |---|---|
//! | `POST /subjects/{s}/versions` `{"schema": "..."}` | `{"id": N}`; the same schema again gives the same id and no new version |
//! | `POST /subjects/{s}` `{"schema": "..."}` | `{"subject","version","id","schema"}`; 40401 unknown subject, 40403 schema not under it |
//! | `GET /subjects` | the subjects, sorted |
//! | `GET /subjects/{s}/versions` | `[1, 2, ...]`; 40401 |
//! | `GET /subjects/{s}/versions/{v}` (`latest` or `-1` for the latest) | `{"subject","version","id","schema"}`; 40401, 40402, 42202 for an invalid version |
//! | `GET /schemas/ids/{id}` | `{"schema": "..."}`; 40403 `Schema 7 not found` |
//! | `POST /compatibility/subjects/{s}/versions/{v}` | `{"is_compatible": bool}`; 40401, 40402 |
//!
//! Invalid Avro schemas are rejected with 422 and error code 42201. Ids are global and
//! increasing from 1, and a schema registered under several subjects keeps one id, as in
//! Confluent's registry. Schemas are compared after parsing: property order and whitespace do
//! not matter, and `{"type": "int"}` is the same schema as `"int"`; everything else counts
//! (names, docs, defaults, `connect.*` properties), because Confluent's registry compares the
//! parsed schema's full text, not Avro's parsing canonical form.
//!
//! Compatibility is a simple stand-in for Confluent's default `BACKWARD` level, applied on
//! registration (unless turned off with [`TestRegistry::set_compatibility_checks`]) and by the
//! compatibility endpoint. Schemas are compared by shape (types, names, fields, items, values,
//! symbols, sizes and logical types; docs, defaults and custom properties such as
//! `connect.version` do not count). A new schema is compatible with an old one when they have
//! the same shape, when the new one is a union with the old one as a member, or when both are
//! records and every field of the new one either has a field of the same name in the old one
//! whose type it has (alone or in a union), or has a default. An incompatible registration is
//! refused with HTTP 409, error code 409.
//!
//! For tests of failure handling: [`TestRegistry::stop`] and [`TestRegistry::restart`] take the
//! registry down and bring it back on the same port with the same schemas,
//! [`TestRegistry::fail_next`] answers the next requests with an HTTP error, and
//! [`TestRegistry::request_count`] counts requests. [`TestRegistryBuilder::basic_auth`] makes
//! every request need HTTP basic authentication (401, error code 401 without it).
//!
//! ```
//! use connect_testkit::schema_registry::TestRegistry;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let registry = TestRegistry::start().await?;
//! let id = registry.register("users-value", r#"{"type":"record","name":"User","fields":[]}"#);
//! assert_eq!(id, Ok(1));
//! assert_eq!(registry.subjects(), ["users-value"]);
//! assert!(registry.url().starts_with("http://127.0.0.1:"));
//! registry.stop().await;
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value as Json, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The registry's media type.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// How long [`TestRegistry::stop`] waits for open connections to close before cutting them.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds a [`TestRegistry`] with options.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct TestRegistryBuilder {
    basic_auth: Option<(String, String)>,
}

impl TestRegistryBuilder {
    /// Requires HTTP basic authentication with this user and password on every request.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// Starts the registry on a free loopback port.
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub async fn start(self) -> io::Result<TestRegistry> {
        let expected_auth = self.basic_auth.as_ref().map(|(user, password)| {
            format!("Basic {}", BASE64.encode(format!("{user}:{password}")))
        });
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::default()),
            requests: AtomicU64::new(0),
            expected_auth,
            failures: Mutex::new(VecDeque::new()),
            compatibility_checks: AtomicBool::new(true),
        });
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let server = serve(listener, shared.clone());
        Ok(TestRegistry {
            shared,
            addr,
            basic_auth: self.basic_auth,
            server: Mutex::new(Some(server)),
        })
    }
}

/// A Confluent-compatible Schema Registry serving on `127.0.0.1` until stopped or dropped.
/// See the [module documentation](self) for what it implements.
pub struct TestRegistry {
    shared: Arc<Shared>,
    addr: SocketAddr,
    basic_auth: Option<(String, String)>,
    server: Mutex<Option<Server>>,
}

impl std::fmt::Debug for TestRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestRegistry")
            .field("addr", &self.addr)
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

/// A running server task and the way to stop it.
struct Server {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// What the handlers share.
struct Shared {
    store: Mutex<Store>,
    requests: AtomicU64,
    expected_auth: Option<String>,
    /// HTTP statuses to answer the next requests with, one each.
    failures: Mutex<VecDeque<u16>>,
    compatibility_checks: AtomicBool,
}

/// The registered schemas.
#[derive(Default)]
struct Store {
    /// Id → schema; ids start at 1.
    schemas: BTreeMap<u32, Stored>,
    /// Canonical text → id.
    ids: HashMap<String, u32>,
    /// Subject → the id of each version (version = index + 1).
    subjects: BTreeMap<String, Vec<u32>>,
}

struct Stored {
    /// The text as first registered.
    text: String,
    /// The parsed schema, normalized.
    json: Json,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TestRegistry {
    /// Starts a registry without authentication on a free loopback port.
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub async fn start() -> io::Result<Self> {
        Self::builder().start().await
    }

    /// A builder, for options such as basic authentication.
    pub fn builder() -> TestRegistryBuilder {
        TestRegistryBuilder::default()
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL with credentials in it, `http://user:password@127.0.0.1:<port>`
    /// (Confluent's `basic.auth.credentials.source=URL`).
    pub fn url_with_credentials(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@{}", self.addr)
    }

    /// The user and password required, if basic authentication is on.
    pub fn basic_auth(&self) -> Option<(&str, &str)> {
        self.basic_auth
            .as_ref()
            .map(|(user, password)| (user.as_str(), password.as_str()))
    }

    /// The port it listens on (kept across [`TestRegistry::restart`]).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Whether it is serving.
    pub fn is_running(&self) -> bool {
        lock(&self.server).is_some()
    }

    /// Stops serving: the port refuses connections until [`TestRegistry::restart`]. Schemas are
    /// kept. Open connections are closed once their current request is answered (or cut after
    /// a few seconds).
    pub async fn stop(&self) {
        let server = lock(&self.server).take();
        if let Some(Server { shutdown, mut task }) = server {
            let _ = shutdown.send(());
            if tokio::time::timeout(STOP_TIMEOUT, &mut task).await.is_err() {
                task.abort();
                let _ = task.await;
            }
        }
    }

    /// Serves again on the same port, with the same schemas; does nothing when running.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound again (another process took it).
    pub async fn restart(&self) -> io::Result<()> {
        if self.is_running() {
            return Ok(());
        }
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let server = serve(listener, self.shared.clone());
        let previous = lock(&self.server).replace(server);
        if let Some(previous) = previous {
            // Lost a race with another restart: keep one server only.
            let _ = previous.shutdown.send(());
        }
        Ok(())
    }

    /// How many HTTP requests arrived (whatever their answer), since the start or the last
    /// [`TestRegistry::reset_request_count`].
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Sets the request count back to zero.
    pub fn reset_request_count(&self) {
        self.shared.requests.store(0, Ordering::SeqCst);
    }

    /// Answers each of the next `count` requests with HTTP `status` (and a registry error body:
    /// error code 50001 for 500, 50003 for 503, `status * 100 + 1` otherwise) instead of
    /// serving them; for tests of retries.
    pub fn fail_next(&self, count: usize, status: u16) {
        lock(&self.shared.failures).extend(std::iter::repeat_n(status, count));
    }

    /// Turns the compatibility check on registration on (the default) or off.
    pub fn set_compatibility_checks(&self, on: bool) {
        self.shared.compatibility_checks.store(on, Ordering::SeqCst);
    }

    /// Registers `schema` under `subject` without HTTP, as `POST /subjects/{s}/versions` would;
    /// the id, or the registry's error message.
    ///
    /// # Errors
    ///
    /// The error message the registry would answer with (invalid or incompatible schema).
    pub fn register(&self, subject: &str, schema: &str) -> Result<u32, String> {
        let checks = self.shared.compatibility_checks.load(Ordering::SeqCst);
        lock(&self.shared.store)
            .register(subject, schema, checks)
            .map_err(|(_, _, message)| message)
    }

    /// The subjects, sorted.
    pub fn subjects(&self) -> Vec<String> {
        lock(&self.shared.store).subjects.keys().cloned().collect()
    }

    /// The schema ids of a subject's versions, oldest first (empty for an unknown subject).
    pub fn subject_ids(&self, subject: &str) -> Vec<u32> {
        lock(&self.shared.store)
            .subjects
            .get(subject)
            .cloned()
            .unwrap_or_default()
    }

    /// The text of the schema with id `id`, as first registered.
    pub fn schema(&self, id: u32) -> Option<String> {
        lock(&self.shared.store)
            .schemas
            .get(&id)
            .map(|s| s.text.clone())
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let server = self
            .server
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(server) = server {
            let _ = server.shutdown.send(());
            server.task.abort();
        }
    }
}

fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) -> Server {
    let app = Router::new()
        .route("/subjects", get(list_subjects))
        .route("/subjects/{subject}", post(lookup))
        .route(
            "/subjects/{subject}/versions",
            get(list_versions).post(register),
        )
        .route("/subjects/{subject}/versions/{version}", get(get_version))
        .route("/schemas/ids/{id}", get(schema_by_id))
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(compatibility),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared);
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = signal.await;
            })
            .await;
    });
    Server { shutdown, task }
}

type AppState = State<Arc<Shared>>;

/// A registry answer: status, error code, message.
type Failure = (StatusCode, i32, String);

fn reply(status: StatusCode, body: &Json) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        body.to_string(),
    )
        .into_response()
}

fn ok(body: &Json) -> Response {
    reply(StatusCode::OK, body)
}

fn error((status, code, message): Failure) -> Response {
    reply(status, &json!({ "error_code": code, "message": message }))
}

/// Counts the request, then answers an injected failure or a missing authentication, or serves.
async fn guard(State(shared): AppState, request: Request, next: Next) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let injected = lock(&shared.failures).pop_front();
    if let Some(status) = injected {
        let code = match status {
            500 => 50001,
            503 => 50003,
            other => i32::from(other) * 100 + 1,
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return error((status, code, "Injected failure".to_owned()));
    }
    if let Some(expected) = &shared.expected_auth {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if given != Some(expected.as_str()) {
            return error((StatusCode::UNAUTHORIZED, 401, "Unauthorized".to_owned()));
        }
    }
    next.run(request).await
}

async fn not_found() -> Response {
    error((StatusCode::NOT_FOUND, 404, "HTTP 404 Not Found".to_owned()))
}

async fn list_subjects(State(shared): AppState) -> Response {
    let subjects: Vec<String> = lock(&shared.store).subjects.keys().cloned().collect();
    ok(&json!(subjects))
}

async fn list_versions(State(shared): AppState, Path(subject): Path<String>) -> Response {
    let store = lock(&shared.store);
    match store.subjects.get(&subject) {
        Some(ids) => ok(&json!((1..=ids.len()).collect::<Vec<_>>())),
        None => error(subject_not_found(&subject)),
    }
}

async fn register(State(shared): AppState, Path(subject): Path<String>, body: Bytes) -> Response {
    let schema = match schema_of_body(&body) {
        Ok(schema) => schema,
        Err(failure) => return error(failure),
    };
    let checks = shared.compatibility_checks.load(Ordering::SeqCst);
    match lock(&shared.store).register(&subject, &schema, checks) {
        Ok(id) => ok(&json!({ "id": id })),
        Err(failure) => error(failure),
    }
}

async fn lookup(State(shared): AppState, Path(subject): Path<String>, body: Bytes) -> Response {
    let schema = match schema_of_body(&body) {
        Ok(schema) => schema,
        Err(failure) => return error(failure),
    };
    match lock(&shared.store).lookup(&subject, &schema) {
        Ok(found) => ok(&found),
        Err(failure) => error(failure),
    }
}

async fn get_version(
    State(shared): AppState,
    Path((subject, version)): Path<(String, String)>,
) -> Response {
    let store = lock(&shared.store);
    match store.version(&subject, &version) {
        Ok((version, id)) => ok(&store.subject_schema(&subject, version, id)),
        Err(failure) => error(failure),
    }
}

async fn schema_by_id(State(shared): AppState, Path(id): Path<String>) -> Response {
    let store = lock(&shared.store);
    match id.parse::<u32>().ok().and_then(|n| store.schemas.get(&n)) {
        Some(stored) => ok(&json!({ "schema": stored.text })),
        None => error((
            StatusCode::NOT_FOUND,
            40403,
            format!("Schema {id} not found"),
        )),
    }
}

async fn compatibility(
    State(shared): AppState,
    Path((subject, version)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let schema = match schema_of_body(&body) {
        Ok(schema) => schema,
        Err(failure) => return error(failure),
    };
    let store = lock(&shared.store);
    let (_, id) = match store.version(&subject, &version) {
        Ok(found) => found,
        Err(failure) => return error(failure),
    };
    let new = match parse_schema(&schema) {
        Ok(json) => json,
        Err(failure) => return error(failure),
    };
    let compatible = store
        .schemas
        .get(&id)
        .is_some_and(|old| is_compatible(&new, &old.json));
    ok(&json!({ "is_compatible": compatible }))
}

/// The `schema` of a request body; only Avro schemas without references are supported.
fn schema_of_body(body: &[u8]) -> Result<String, Failure> {
    let request: Json = serde_json::from_slice(body).map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            400,
            format!("Unparseable request body: {e}"),
        )
    })?;
    if let Some(kind) = request.get("schemaType").and_then(Json::as_str)
        && !kind.eq_ignore_ascii_case("AVRO")
    {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
            format!("Invalid schema type {kind}: this registry holds Avro schemas only"),
        ));
    }
    if request
        .get("references")
        .and_then(Json::as_array)
        .is_some_and(|refs| !refs.is_empty())
    {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
            "Schema references are not supported by this registry".to_owned(),
        ));
    }
    match request.get("schema").and_then(Json::as_str) {
        Some(schema) if !schema.trim().is_empty() => Ok(schema.to_owned()),
        _ => Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
            "Empty schema".to_owned(),
        )),
    }
}

/// Parses and checks schema text; the normalized JSON.
fn parse_schema(text: &str) -> Result<Json, Failure> {
    let invalid = |detail: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
            format!("Invalid schema {text}, details: {detail}"),
        )
    };
    let json: Json = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    apache_avro::Schema::parse(&json).map_err(|e| invalid(e.to_string()))?;
    Ok(normalize(json))
}

/// `{"type": "<primitive>"}` (and nothing else) is the primitive itself.
fn normalize(json: Json) -> Json {
    match json {
        Json::Object(object) => {
            if object.len() == 1
                && let Some(Json::String(name)) = object.get("type")
                && is_primitive(name)
            {
                return Json::String(name.clone());
            }
            Json::Object(object.into_iter().map(|(k, v)| (k, normalize(v))).collect())
        }
        Json::Array(items) => Json::Array(items.into_iter().map(normalize).collect()),
        other => other,
    }
}

fn is_primitive(name: &str) -> bool {
    matches!(
        name,
        "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string"
    )
}

/// JSON text with object keys sorted, whatever order the map keeps them in.
fn canonical(json: &Json) -> String {
    fn write(json: &Json, out: &mut String) {
        match json {
            Json::Object(object) => {
                let mut entries: Vec<(&String, &Json)> = object.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (key, value)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Json::String(key.clone()).to_string());
                    out.push(':');
                    write(value, out);
                }
                out.push('}');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(json, &mut out);
    out
}

/// The simple backward rule of the module documentation: can `new` read data written with
/// `old`? Types are compared by [`shape`], so documentation and custom properties such as
/// `connect.version` do not matter, as in Avro's own compatibility rules.
fn is_compatible(new: &Json, old: &Json) -> bool {
    let (new_shape, old_shape) = (shape(new), shape(old));
    if canonical(&new_shape) == canonical(&old_shape) {
        return true;
    }
    let (Some(new_fields), Some(old_fields)) = (record_fields(new), record_fields(old)) else {
        return same_or_widened(&new_shape, &old_shape);
    };
    new_fields.iter().all(|field| {
        let name = field.get("name");
        let old_field = old_fields.iter().find(|f| f.get("name") == name);
        match (old_field.and_then(|f| f.get("type")), field.get("type")) {
            (Some(old_type), Some(new_type)) => same_or_widened(&shape(new_type), &shape(old_type)),
            (None, Some(_)) => field.get("default").is_some(),
            (_, None) => false,
        }
    })
}

/// The fields of a record schema; `None` for other schemas.
fn record_fields(json: &Json) -> Option<&Vec<Json>> {
    if json.get("type").and_then(Json::as_str) == Some("record") {
        json.get("fields").and_then(Json::as_array)
    } else {
        None
    }
}

/// The same shape, or a union that has the old shape as a member (a type made optional).
fn same_or_widened(new: &Json, old: &Json) -> bool {
    let old_text = canonical(old);
    canonical(new) == old_text
        || new
            .as_array()
            .is_some_and(|members| members.iter().any(|m| canonical(m) == old_text))
}

/// What matters to the binary layout: types, names, fields (name and type), items, values,
/// symbols, sizes and logical types; docs, defaults, aliases and custom properties go.
fn shape(json: &Json) -> Json {
    const KEPT: [&str; 10] = [
        "type",
        "name",
        "namespace",
        "fields",
        "items",
        "values",
        "symbols",
        "size",
        "logicalType",
        "scale",
    ];
    match json {
        Json::Object(object) => {
            let kept: serde_json::Map<String, Json> = object
                .iter()
                .filter(|(k, _)| KEPT.contains(&k.as_str()))
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("fields", Json::Array(fields)) => Json::Array(
                            fields
                                .iter()
                                .map(|f| {
                                    json!({
                                        "name": f.get("name").cloned().unwrap_or(Json::Null),
                                        "type": f.get("type").map(shape).unwrap_or(Json::Null),
                                    })
                                })
                                .collect(),
                        ),
                        _ => shape(v),
                    };
                    (k.clone(), v)
                })
                .collect();
            normalize(Json::Object(kept))
        }
        Json::Array(items) => Json::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

fn subject_not_found(subject: &str) -> Failure {
    (
        StatusCode::NOT_FOUND,
        40401,
        format!("Subject '{subject}' not found."),
    )
}

impl Store {
    fn register(&mut self, subject: &str, text: &str, checks: bool) -> Result<u32, Failure> {
        let json = parse_schema(text)?;
        let key = canonical(&json);
        let existing = self.ids.get(&key).copied();
        if let Some(versions) = self.subjects.get(subject) {
            if let Some(id) = existing
                && versions.contains(&id)
            {
                return Ok(id);
            }
            let latest = versions.last().and_then(|id| self.schemas.get(id));
            if checks
                && let Some(latest) = latest
                && !is_compatible(&json, &latest.json)
            {
                return Err((
                    StatusCode::CONFLICT,
                    409,
                    format!(
                        "Schema being registered is incompatible with an earlier schema for \
                         subject \"{subject}\""
                    ),
                ));
            }
        }
        let id = match existing {
            Some(id) => id,
            None => {
                let id = self.schemas.keys().next_back().map_or(1, |last| last + 1);
                self.schemas.insert(
                    id,
                    Stored {
                        text: text.to_owned(),
                        json,
                    },
                );
                self.ids.insert(key, id);
                id
            }
        };
        self.subjects
            .entry(subject.to_owned())
            .or_default()
            .push(id);
        Ok(id)
    }

    fn lookup(&self, subject: &str, text: &str) -> Result<Json, Failure> {
        let versions = self
            .subjects
            .get(subject)
            .ok_or_else(|| subject_not_found(subject))?;
        let key = canonical(&parse_schema(text)?);
        let found = self.ids.get(&key).and_then(|id| {
            versions
                .iter()
                .position(|v| v == id)
                .map(|index| (index + 1, *id))
        });
        match found {
            Some((version, id)) => Ok(self.subject_schema(subject, version, id)),
            None => Err((StatusCode::NOT_FOUND, 40403, "Schema not found".to_owned())),
        }
    }

    /// A subject's version (`latest`, `-1` or a number): the version number and schema id.
    fn version(&self, subject: &str, version: &str) -> Result<(usize, u32), Failure> {
        let versions = self
            .subjects
            .get(subject)
            .ok_or_else(|| subject_not_found(subject))?;
        let wanted = match version {
            "latest" | "-1" => versions.len(),
            other => match other.parse::<i32>() {
                Ok(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
                _ => {
                    return Err((
                        StatusCode::UNPROCESSABLE_ENTITY,
                        42202,
                        format!(
                            "The specified version '{other}' is not a valid version id. Allowed \
                             values are between [1, 2^31-1] and the string \"latest\""
                        ),
                    ));
                }
            },
        };
        match versions.get(wanted.wrapping_sub(1)) {
            Some(id) => Ok((wanted, *id)),
            None => Err((
                StatusCode::NOT_FOUND,
                40402,
                format!("Version {version} not found."),
            )),
        }
    }

    fn subject_schema(&self, subject: &str, version: usize, id: u32) -> Json {
        let schema = self
            .schemas
            .get(&id)
            .map(|s| s.text.clone())
            .unwrap_or_default();
        json!({ "subject": subject, "version": version, "id": id, "schema": schema })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const USER: &str = r#"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}"#;

    #[test]
    fn schemas_are_compared_after_parsing() {
        let mut store = Store::default();
        assert_eq!(store.register("a", USER, true), Ok(1));
        let reordered = r#"{ "name": "User", "type": "record", "fields": [
            {"type": {"type": "string"}, "name": "name"}, {"name": "age", "type": "int"}] }"#;
        assert_eq!(store.register("a", reordered, true), Ok(1));
        assert_eq!(store.subjects["a"], [1]);
        // The same schema under another subject keeps its id.
        assert_eq!(store.register("b", reordered, true), Ok(1));
        // A doc makes another schema.
        let documented = USER.replace(r#""name":"User","#, r#""name":"User","doc":"d","#);
        assert_eq!(store.register("c", &documented, true), Ok(2));
        let err = store
            .register("a", "{\"type\":\"nope\"}", true)
            .unwrap_err();
        assert_eq!((err.0, err.1), (StatusCode::UNPROCESSABLE_ENTITY, 42201));
    }

    #[test]
    fn compatibility_needs_defaults_for_new_fields() {
        let old = parse_schema(USER).unwrap();
        let with_default = parse_schema(
            r#"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"},{"name":"email","type":["null","string"],"default":null}]}"#,
        )
        .unwrap();
        let without_default = parse_schema(
            r#"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"email","type":"string"}]}"#,
        )
        .unwrap();
        let optional_age = parse_schema(
            r#"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":["null","int"]}]}"#,
        )
        .unwrap();
        assert!(is_compatible(&with_default, &old));
        assert!(!is_compatible(&without_default, &old));
        assert!(is_compatible(&optional_age, &old));
        assert!(!is_compatible(&json!("string"), &json!("int")));
    }

    #[test]
    fn versions_and_lookups() {
        let mut store = Store::default();
        store.register("s", USER, true).unwrap();
        assert_eq!(store.version("s", "latest").unwrap(), (1, 1));
        assert_eq!(store.version("s", "2").unwrap_err().1, 40402);
        assert_eq!(store.version("s", "0").unwrap_err().1, 42202);
        assert_eq!(store.version("x", "1").unwrap_err().1, 40401);
        assert_eq!(store.lookup("s", USER).unwrap()["version"], 1);
        assert_eq!(store.lookup("s", "\"int\"").unwrap_err().1, 40403);
        assert_eq!(store.lookup("x", USER).unwrap_err().1, 40401);
    }
}
