//! `/admin/loggers` (Kafka's `LoggingResource`): log levels read and changed at run time.
//!
//! The process's tracing subscriber is global, so the levels are too: the binary (or an
//! embedding application) calls [`install_log_levels`] once with a [`LogLevels`], for example
//! an [`EnvFilterLevels`] over a `tracing_subscriber::reload` handle. Until then every logger
//! answers 404.
//!
//! Logger names are tracing targets (module paths such as `connect_runtime::task`), plus
//! `root` for the default level. Levels are Kafka's: `OFF`, `FATAL` (= `ERROR`), `ERROR`,
//! `WARN`, `INFO`, `DEBUG`, `TRACE`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::reload;

use super::error::RestError;
use super::extract::{JsonBody, query_pairs};

/// The name of the default level.
pub const ROOT_LOGGER: &str = "root";

/// A logger's level (Kafka's `LoggerLevel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggerLevel {
    /// `OFF`, `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: String,
    /// When the level was last set through the API, in milliseconds since the epoch.
    pub last_modified: Option<u64>,
}

/// Reads and changes the process's log levels.
pub trait LogLevels: Send + Sync {
    /// Every logger with a level of its own, and [`ROOT_LOGGER`].
    fn levels(&self) -> BTreeMap<String, LoggerLevel>;

    /// Sets `logger`'s level (already validated and upper-cased, `FATAL` mapped to `ERROR`)
    /// and answers the loggers affected: `logger` and those below it with a level of their
    /// own (every logger for [`ROOT_LOGGER`]).
    ///
    /// # Errors
    ///
    /// When the new filter cannot be applied.
    fn set_level(&self, logger: &str, level: &str) -> Result<Vec<String>, String>;
}

static LOG_LEVELS: OnceLock<Arc<dyn LogLevels>> = OnceLock::new();

/// Makes `/admin/loggers` read and change levels through `levels`. Only the first call in a
/// process has an effect; it answers whether this one did.
pub fn install_log_levels(levels: Arc<dyn LogLevels>) -> bool {
    LOG_LEVELS.set(levels).is_ok()
}

/// [`LogLevels`] over a reloadable [`EnvFilter`]: the filter becomes the root level followed
/// by one `target=level` directive per logger set through the API.
pub struct EnvFilterLevels<S> {
    handle: reload::Handle<EnvFilter, S>,
    state: Mutex<FilterState>,
}

struct FilterState {
    /// The filter's directives as started (`RUST_LOG`), used until the root level is set.
    initial: String,
    root: LoggerLevel,
    loggers: BTreeMap<String, LoggerLevel>,
}

impl<S: 'static> EnvFilterLevels<S> {
    /// Levels over `handle`, whose filter was built from the directives `initial` (such as
    /// `RUST_LOG`'s value, or `info`).
    pub fn new(handle: reload::Handle<EnvFilter, S>, initial: &str) -> Self {
        // The root level: the directive without a target, INFO when there is none.
        let root = initial
            .split(',')
            .map(str::trim)
            .filter(|d| !d.contains('=') && !d.contains('[') && !d.is_empty())
            .filter_map(|d| kafka_level(d))
            .next_back()
            .unwrap_or("INFO");
        Self {
            handle,
            state: Mutex::new(FilterState {
                initial: initial.to_owned(),
                root: LoggerLevel {
                    level: root.to_owned(),
                    last_modified: None,
                },
                loggers: BTreeMap::new(),
            }),
        }
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl<S: 'static> LogLevels for EnvFilterLevels<S> {
    fn levels(&self) -> BTreeMap<String, LoggerLevel> {
        let Ok(state) = self.state.lock() else {
            return BTreeMap::new();
        };
        let mut out = state.loggers.clone();
        out.insert(ROOT_LOGGER.to_owned(), state.root.clone());
        out
    }

    fn set_level(&self, logger: &str, level: &str) -> Result<Vec<String>, String> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| "the log levels' lock is poisoned".to_owned())?;
        let set = LoggerLevel {
            level: level.to_owned(),
            last_modified: Some(now_millis()),
        };
        let prefix = format!("{logger}::");
        let mut affected: Vec<String> = if logger == ROOT_LOGGER {
            state.root = set;
            state.initial.clear();
            std::iter::once(ROOT_LOGGER.to_owned())
                .chain(state.loggers.keys().cloned())
                .collect()
        } else {
            state.loggers.insert(logger.to_owned(), set);
            state
                .loggers
                .keys()
                .filter(|name| *name == logger || name.starts_with(&prefix))
                .cloned()
                .collect()
        };
        affected.sort();
        let mut directives = if state.initial.is_empty() {
            vec![state.root.level.to_ascii_lowercase()]
        } else {
            vec![state.initial.clone()]
        };
        directives.extend(
            state
                .loggers
                .iter()
                .map(|(name, level)| format!("{name}={}", level.level.to_ascii_lowercase())),
        );
        let filter = EnvFilter::try_new(directives.join(","))
            .map_err(|e| format!("Invalid log filter: {e}"))?;
        self.handle
            .reload(filter)
            .map_err(|e| format!("Could not change the log levels: {e}"))?;
        Ok(affected)
    }
}

/// Kafka's level name for `text` (case-insensitive), `FATAL` as `ERROR`.
fn kafka_level(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_uppercase().as_str() {
        "OFF" => Some("OFF"),
        "FATAL" | "ERROR" => Some("ERROR"),
        "WARN" => Some("WARN"),
        "INFO" => Some("INFO"),
        "DEBUG" => Some("DEBUG"),
        "TRACE" => Some("TRACE"),
        _ => None,
    }
}

fn installed() -> Result<&'static Arc<dyn LogLevels>, RestError> {
    LOG_LEVELS.get().ok_or_else(|| {
        RestError::not_found(
            "Log levels cannot be changed in this process: no logger is installed.",
        )
    })
}

/// `GET /admin/loggers`.
pub(crate) async fn list() -> Result<Response, RestError> {
    Ok(Json(installed()?.levels()).into_response())
}

/// `GET /admin/loggers/{name}`.
pub(crate) async fn get(Path(name): Path<String>) -> Result<Response, RestError> {
    let levels = installed()?.levels();
    let level = levels
        .get(&name)
        .ok_or_else(|| RestError::not_found(format!("Logger {name} not found.")))?;
    Ok(Json(level).into_response())
}

/// `PUT /admin/loggers/{name}?scope=worker|cluster` with `{"level": "DEBUG"}`.
pub(crate) async fn put(
    Path(name): Path<String>,
    uri: Uri,
    body: JsonBody,
) -> Result<Response, RestError> {
    let levels = installed()?;
    let pairs = query_pairs(&uri)?;
    let cluster = match pairs.iter().rev().find(|(key, _)| key == "scope") {
        None => false,
        Some((_, scope)) => scope.trim().eq_ignore_ascii_case("cluster"),
    };
    let level = match body.0 {
        Some(Value::Object(body)) => match body.get("level") {
            Some(Value::String(level)) => level.clone(),
            _ => return Err(missing_level()),
        },
        _ => return Err(missing_level()),
    };
    let level = kafka_level(&level)
        .ok_or_else(|| RestError::not_found(format!("invalid log level '{level}'.")))?;
    if !valid_target(&name) {
        return Err(RestError::bad_request(format!(
            "Invalid logger name '{name}': expected a tracing target such as connect_runtime::task, or root"
        )));
    }
    let affected = levels
        .set_level(&name, level)
        .map_err(|e| RestError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    if cluster {
        // One worker is the whole cluster in standalone mode.
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok(Json(affected).into_response())
    }
}

/// Whether `name` can be a directive's target: letters, digits, `_`, `:`, `.` and `-`, and
/// accepted by [`EnvFilter`].
fn valid_target(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:.-".contains(c))
        && EnvFilter::try_new(format!("{name}=info")).is_ok()
}

fn missing_level() -> RestError {
    RestError::bad_request("Desired 'level' parameter was not specified in request.")
}
