//! [`RegistryClient`]: the few Confluent Schema Registry REST calls a converter needs, with
//! Confluent's failover, retries and error reporting (`RestService` and `RetryExecutor`).
//!
//! The HTTP calls are made by the `schema_registry_converter` crate's async client
//! (`perform_sr_call` with an `SrSettings` per base URL: `SrCall::PostNew` registers,
//! `SrCall::PostForVersion` looks up, `SrCall::GetLatest` and `SrCall::GetById` fetch); failover,
//! retries and error reporting are done here, on top of it.
//!
//! Every call goes to the current base URL; when a URL cannot be reached the next one is tried
//! (and becomes the current one), as Confluent's `UrlList` does. A call that failed in a way that
//! may pass (no URL reachable, a timeout, HTTP 408, 429 or 5xx) is retried up to `max.retries`
//! times, waiting a random time up to `retries.wait.ms * 2^retry` (at most
//! `retries.max.wait.ms`) in between. Other HTTP errors (4xx) are final. Errors carry the
//! registry's `error_code` and `message` (`{"error_code":40403,"message":"Schema not found"}`);
//! an error body that is not the registry's JSON gets Confluent's error code 50005 (the crate
//! does not pass such a body on, so it is not quoted).

use std::collections::hash_map::RandomState;
use std::error::Error as _;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use schema_registry_converter::async_impl::schema_registry::{SrSettings, perform_sr_call};
use schema_registry_converter::error::SRCError;
use schema_registry_converter::schema_registry_common::{RawError, RawRegisteredSchema, SrCall};
use serde::Deserialize;

use crate::config::{AvroConverterConfig, RegistryAuth, RetryPolicy, check_url};

/// The Schema Registry's media type, sent as `Content-Type` with a schema.
pub const SCHEMA_REGISTRY_V1_JSON: &str = "application/vnd.schemaregistry.v1+json";
/// The `Accept` header Confluent's client sends (on `GET`s; `schema_registry_converter` sends
/// [`SCHEMA_REGISTRY_V1_JSON`] with a schema).
const ACCEPT_WEIGHTED: &str = "application/vnd.schemaregistry.v1+json, \
                               application/vnd.schemaregistry+json; qs=0.9, \
                               application/json; qs=0.5";
/// Confluent's error code for an error body that is not the registry's JSON.
pub const JSON_PARSE_ERROR_CODE: i32 = 50005;
/// Error code: the subject does not exist.
pub const SUBJECT_NOT_FOUND_ERROR_CODE: i32 = 40401;
/// Error code: the version does not exist.
pub const VERSION_NOT_FOUND_ERROR_CODE: i32 = 40402;
/// Error code: the schema (by id, or under a subject) does not exist.
pub const SCHEMA_NOT_FOUND_ERROR_CODE: i32 = 40403;
/// What `schema_registry_converter` puts in the `RawError` of an error answer whose body is not
/// the registry's JSON.
const UNPARSED_ERROR_MESSAGE: &str = "couldn't parse schema registry error json";
/// Where `schema_registry_converter` puts the HTTP status of an error answer, in `SRCError.error`
/// (`HTTP request to schema registry failed with status 404 Not Found`).
const STATUS_MARKER: &str = "with status ";
/// The whole-call limit when the connect or read timeout is 0 (none). The crate always sets
/// one (30 s by default); `http.connect.timeout.ms` and `http.read.timeout.ms` bound the phases.
const NO_CALL_LIMIT: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// What is percent-encoded in a subject in a URL path: what the `url` crate encodes in a path
/// segment of an http(s) URL. `schema_registry_converter` only replaces `/` by `%2F`, so the
/// subject is handed to it encoded.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// Which registry call failed, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryRequest {
    /// `POST /subjects/{subject}/versions`.
    Register {
        /// The subject.
        subject: String,
    },
    /// `POST /subjects/{subject}`.
    Lookup {
        /// The subject.
        subject: String,
    },
    /// `GET /subjects/{subject}/versions/latest`.
    Latest {
        /// The subject.
        subject: String,
    },
    /// `GET /schemas/ids/{id}`.
    SchemaById {
        /// The schema id.
        id: u32,
    },
}

impl RegistryRequest {
    /// The subject the request concerns, if any.
    pub fn subject(&self) -> Option<&str> {
        match self {
            RegistryRequest::Register { subject }
            | RegistryRequest::Lookup { subject }
            | RegistryRequest::Latest { subject } => Some(subject),
            RegistryRequest::SchemaById { .. } => None,
        }
    }

    /// The schema id the request concerns, if any.
    pub fn id(&self) -> Option<u32> {
        match self {
            RegistryRequest::SchemaById { id } => Some(*id),
            _ => None,
        }
    }
}

impl fmt::Display for RegistryRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryRequest::Register { subject } => {
                write!(f, "registering a schema under subject '{subject}'")
            }
            RegistryRequest::Lookup { subject } => {
                write!(f, "looking up a schema under subject '{subject}'")
            }
            RegistryRequest::Latest { subject } => {
                write!(f, "fetching the latest schema of subject '{subject}'")
            }
            RegistryRequest::SchemaById { id } => write!(f, "fetching schema id {id}"),
        }
    }
}

/// A registry call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The registry answered with an error that retrying will not fix (4xx).
    #[error(
        "Schema Registry {url} rejected {request}: HTTP {status}, error code {error_code}: {message}"
    )]
    Rejected {
        /// The call.
        request: RegistryRequest,
        /// The base URL that answered (without credentials).
        url: String,
        /// The HTTP status.
        status: u16,
        /// The registry's `error_code` (50005 when the body was not the registry's JSON).
        error_code: i32,
        /// The registry's `message`.
        message: String,
    },
    /// No answer that could be used, after every retry: no URL reachable, timeouts, or
    /// HTTP 408, 429 or 5xx.
    #[error(
        "Schema Registry unavailable for {request} after {attempts} attempt(s) at {urls}: {cause}"
    )]
    Unavailable {
        /// The call.
        request: RegistryRequest,
        /// The base URLs tried (without credentials).
        urls: String,
        /// How many times every URL was tried.
        attempts: u32,
        /// The last failure.
        cause: String,
        /// The last HTTP status, when the last failure was an HTTP error.
        status: Option<u16>,
        /// The last registry `error_code`, when the last failure was an HTTP error.
        error_code: Option<i32>,
    },
    /// A successful answer that is not what the API promises.
    #[error("Schema Registry {url} sent an invalid answer to {request}: {message}")]
    InvalidResponse {
        /// The call.
        request: RegistryRequest,
        /// The base URL that answered.
        url: String,
        /// What is wrong with it.
        message: String,
    },
}

impl RegistryError {
    /// The call that failed.
    pub fn request(&self) -> &RegistryRequest {
        match self {
            RegistryError::Rejected { request, .. }
            | RegistryError::Unavailable { request, .. }
            | RegistryError::InvalidResponse { request, .. } => request,
        }
    }

    /// The registry's `error_code`, when it answered with an error.
    pub fn error_code(&self) -> Option<i32> {
        match self {
            RegistryError::Rejected { error_code, .. } => Some(*error_code),
            RegistryError::Unavailable { error_code, .. } => *error_code,
            RegistryError::InvalidResponse { .. } => None,
        }
    }

    /// The HTTP status, when the registry answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            RegistryError::Rejected { status, .. } => Some(*status),
            RegistryError::Unavailable { status, .. } => *status,
            RegistryError::InvalidResponse { .. } => None,
        }
    }

    /// Whether the thing asked for does not exist (HTTP 404: subject, version or schema).
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::Rejected { status: 404, .. })
    }

    /// Whether the registry could not be used at all; the same call may pass later.
    pub fn is_retriable(&self) -> bool {
        matches!(self, RegistryError::Unavailable { .. })
    }
}

/// A schema and where it is registered (`POST /subjects/{s}` and
/// `GET /subjects/{s}/versions/{v}` answers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubjectSchema {
    /// The subject.
    #[serde(default)]
    pub subject: String,
    /// The version under the subject.
    pub version: i32,
    /// The global schema id.
    pub id: u32,
    /// The schema text.
    #[serde(default)]
    pub schema: String,
}

/// A schema by id (`GET /schemas/ids/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RegisteredSchema {
    /// The schema text.
    pub schema: String,
    /// `AVRO` (absent), `JSON` or `PROTOBUF`.
    #[serde(default, rename = "schemaType")]
    pub schema_type: Option<String>,
    /// Schemas this one refers to by name; this client does not resolve them.
    #[serde(default)]
    pub references: Vec<serde_json::Value>,
}

/// Credentials for one base URL.
#[derive(PartialEq, Eq)]
enum Credentials {
    /// HTTP basic authentication.
    Basic {
        user: String,
        password: Option<String>,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(String),
}

/// One base URL, as configured: without credentials, with its own basic authentication if it
/// had some.
struct Endpoint {
    shown: String,
    credentials: Option<Credentials>,
}

/// One base URL and the `schema_registry_converter` settings (HTTP client, credentials) for it.
struct BaseUrl {
    shown: String,
    settings: SrSettings,
}

/// Why one round over the URLs failed.
enum Failure {
    /// A 4xx answer, or an invalid success answer: final.
    Final(RegistryError),
    /// May pass when tried again.
    Retriable {
        cause: String,
        status: Option<u16>,
        error_code: Option<i32>,
    },
}

/// What an `SRCError` from one URL says happened.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The registry answered with an HTTP error.
    Answered {
        status: u16,
        error_code: i32,
        message: String,
    },
    /// No answer: the URL cannot be reached, or the call or the answer timed out.
    Unreachable(String),
    /// A success answer that cannot be used.
    Invalid(String),
}

/// A Schema Registry REST client: base URLs with failover, retries, authentication.
///
/// Cheap to share: the HTTP connection pools are inside.
pub struct RegistryClient {
    urls: Vec<BaseUrl>,
    current: AtomicUsize,
    retry: RetryPolicy,
    jitter: RandomState,
    jitter_counter: AtomicU64,
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("urls", &self.urls().collect::<Vec<_>>())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl RegistryClient {
    /// A client for the URLs, authentication, timeouts, retries and headers of `config`.
    ///
    /// # Errors
    ///
    /// A message when a URL is invalid, a header cannot be sent, or the HTTP client cannot be
    /// built.
    pub fn new(config: &AvroConverterConfig) -> Result<Self, String> {
        let endpoints = endpoints(config)?;
        // Checked here: schema_registry_converter cannot report a header value it cannot send.
        let mut request_headers = Vec::with_capacity(config.request_headers.len());
        for (name, value) in &config.request_headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("Invalid request header name {name:?}: {e}"))?;
            HeaderValue::from_str(value)
                .map_err(|e| format!("Invalid value of request header {header}: {e}"))?;
            request_headers.push((name.as_str(), value.as_str()));
        }
        let mut urls = Vec::with_capacity(endpoints.len());
        for endpoint in endpoints {
            let mut builder = SrSettings::new_builder(endpoint.shown.clone());
            match &endpoint.credentials {
                Some(Credentials::Basic { user, password }) => {
                    builder.set_basic_authorization(user, password.as_deref());
                }
                Some(Credentials::Bearer(token)) => {
                    builder.set_token_authorization(token);
                }
                None => {}
            }
            for (name, value) in &request_headers {
                builder.add_header(name, value);
            }
            builder.set_timeout(call_limit(config));
            if config.normalize_schemas {
                builder.with_middleware(NormalizeSchemas);
            }
            let settings = builder.build_with(http_client(config)).map_err(|e| {
                format!("Cannot build the Schema Registry HTTP client: {}", e.error)
            })?;
            urls.push(BaseUrl {
                shown: endpoint.shown,
                settings,
            });
        }
        Ok(Self {
            urls,
            current: AtomicUsize::new(0),
            retry: config.retry,
            jitter: RandomState::new(),
            jitter_counter: AtomicU64::new(0),
        })
    }

    /// The base URLs, without credentials.
    pub fn urls(&self) -> impl Iterator<Item = &str> + '_ {
        self.urls.iter().map(|u| u.shown.as_str())
    }

    /// Registers `schema` (Avro schema text) under `subject` and returns its id; registering a
    /// schema that is already there returns its id again (`POST /subjects/{s}/versions`).
    pub async fn register(&self, subject: &str, schema: &str) -> Result<u32, RegistryError> {
        let request = RegistryRequest::Register {
            subject: subject.to_owned(),
        };
        let path_subject = encode_subject(subject);
        let body = schema_body(schema);
        let (url, raw) = self
            .call(&request, SrCall::PostNew(&path_subject, &body))
            .await?;
        match raw.id {
            Some(id) => Ok(id),
            None => Err(missing(&request, &url, "id", &raw)),
        }
    }

    /// Finds `schema` under `subject` (`POST /subjects/{s}`): its id and version. A schema that
    /// is not registered there is a [`RegistryError::Rejected`] with error code 40403 (40401
    /// when the subject does not exist).
    pub async fn lookup(
        &self,
        subject: &str,
        schema: &str,
    ) -> Result<SubjectSchema, RegistryError> {
        let request = RegistryRequest::Lookup {
            subject: subject.to_owned(),
        };
        let path_subject = encode_subject(subject);
        let body = schema_body(schema);
        let (url, raw) = self
            .call(&request, SrCall::PostForVersion(&path_subject, &body))
            .await?;
        subject_schema(&request, &url, raw)
    }

    /// The latest schema of `subject` (`GET /subjects/{s}/versions/latest`).
    pub async fn latest(&self, subject: &str) -> Result<SubjectSchema, RegistryError> {
        let request = RegistryRequest::Latest {
            subject: subject.to_owned(),
        };
        let path_subject = encode_subject(subject);
        let (url, raw) = self
            .call(&request, SrCall::GetLatest(&path_subject))
            .await?;
        subject_schema(&request, &url, raw)
    }

    /// The schema with the global id `id` (`GET /schemas/ids/{id}`).
    pub async fn schema_by_id(&self, id: u32) -> Result<RegisteredSchema, RegistryError> {
        let request = RegistryRequest::SchemaById { id };
        let (url, raw) = self.call(&request, SrCall::GetById(id)).await?;
        let Some(schema) = raw.schema.clone() else {
            return Err(missing(&request, &url, "schema", &raw));
        };
        let references = raw
            .references
            .unwrap_or_default()
            .into_iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RegistryError::InvalidResponse {
                request: request.clone(),
                url: url.clone(),
                message: format!("invalid schema references: {e}"),
            })?;
        Ok(RegisteredSchema {
            schema,
            schema_type: raw.schema_type,
            references,
        })
    }

    /// Sends one call with failover and retries; the base URL that answered and the answer.
    async fn call(
        &self,
        request: &RegistryRequest,
        sr_call: SrCall<'_>,
    ) -> Result<(String, RawRegisteredSchema), RegistryError> {
        let mut retry = 0;
        loop {
            match self.round(request, sr_call).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retriable {
                    cause,
                    status,
                    error_code,
                }) => {
                    if retry >= self.retry.max_retries {
                        return Err(RegistryError::Unavailable {
                            request: request.clone(),
                            urls: self.urls().collect::<Vec<_>>().join(", "),
                            attempts: retry + 1,
                            cause,
                            status,
                            error_code,
                        });
                    }
                    let wait = self.backoff(retry);
                    tracing::warn!(
                        "Schema Registry call failed ({request}): {cause}; retry {} of {} in {} ms",
                        retry + 1,
                        self.retry.max_retries,
                        wait.as_millis()
                    );
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
            }
        }
    }

    /// Tries the base URLs in turn, from the current one, until one answers.
    async fn round(
        &self,
        request: &RegistryRequest,
        sr_call: SrCall<'_>,
    ) -> Result<(String, RawRegisteredSchema), Failure> {
        let count = self.urls.len();
        let start = self.current.load(Ordering::Relaxed) % count;
        let mut unreachable = Vec::new();
        for step in 0..count {
            let index = (start + step) % count;
            let base = &self.urls[index];
            tracing::debug!("Schema Registry {}: {request}", base.shown);
            let error = match perform_sr_call(&base.settings, sr_call).await {
                Ok(raw) => return Ok((base.shown.clone(), raw)),
                Err(error) => error,
            };
            match classify(&error) {
                Outcome::Answered {
                    status,
                    error_code,
                    message,
                } => {
                    if retriable_status(status) {
                        return Err(Failure::Retriable {
                            cause: format!(
                                "{} answered HTTP {status}, error code {error_code}: {message}",
                                base.shown
                            ),
                            status: Some(status),
                            error_code: Some(error_code),
                        });
                    }
                    return Err(Failure::Final(RegistryError::Rejected {
                        request: request.clone(),
                        url: base.shown.clone(),
                        status,
                        error_code,
                        message,
                    }));
                }
                Outcome::Invalid(message) => {
                    return Err(Failure::Final(RegistryError::InvalidResponse {
                        request: request.clone(),
                        url: base.shown.clone(),
                        message,
                    }));
                }
                Outcome::Unreachable(cause) => {
                    // Confluent's UrlList: a URL that failed is not the first to try next time.
                    self.current.store((index + 1) % count, Ordering::Relaxed);
                    unreachable.push(format!("{}: {cause}", base.shown));
                }
            }
        }
        Err(Failure::Retriable {
            cause: unreachable.join("; "),
            status: None,
            error_code: None,
        })
    }

    /// A random wait between 1 ms and the policy's ceiling for this retry (full jitter).
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.retry.ceiling(retry).as_millis();
        if ceiling == 0 {
            return Duration::ZERO;
        }
        let mut hasher = self.jitter.build_hasher();
        hasher.write_u64(self.jitter_counter.fetch_add(1, Ordering::Relaxed));
        let random = u128::from(hasher.finish());
        let millis = random % ceiling + 1;
        Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
    }
}

/// The base URLs of `config` without credentials, each with the credentials to send to it:
/// the configured ones, else those in the URL.
fn endpoints(config: &AvroConverterConfig) -> Result<Vec<Endpoint>, String> {
    if config.urls.is_empty() {
        return Err("At least one Schema Registry URL is needed".to_owned());
    }
    let shared = match &config.auth {
        RegistryAuth::Url => None,
        RegistryAuth::UserInfo(user_info) => Some(basic(user_info.value())),
        RegistryAuth::BearerToken(token) => {
            // schema_registry_converter cannot report a token it cannot send.
            HeaderValue::from_str(&format!("Bearer {}", token.value()))
                .map_err(|_| "The registry credentials cannot be sent in an HTTP header")?;
            Some(Credentials::Bearer(token.value().to_owned()))
        }
    };
    let mut endpoints = Vec::with_capacity(config.urls.len());
    for raw in &config.urls {
        let mut url = check_url(raw)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "The Schema Registry URL {} cannot have a query or a fragment",
                crate::config::redact(raw)
            ));
        }
        let in_url = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            Some(Credentials::Basic {
                user: decode(url.username()),
                password: Some(url.password().map(decode).unwrap_or_default()),
            })
        };
        // Neither error can happen for an http(s) URL with a host.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let credentials = match &shared {
            Some(Credentials::Basic { user, password }) => Some(Credentials::Basic {
                user: user.clone(),
                password: password.clone(),
            }),
            Some(Credentials::Bearer(token)) => Some(Credentials::Bearer(token.clone())),
            None => in_url,
        };
        endpoints.push(Endpoint {
            shown: url.as_str().trim_end_matches('/').to_owned(),
            credentials,
        });
    }
    Ok(endpoints)
}

/// `user:password` as basic credentials (a user info without `:` is a user without password).
fn basic(user_info: &str) -> Credentials {
    match user_info.split_once(':') {
        Some((user, password)) => Credentials::Basic {
            user: user.to_owned(),
            password: Some(password.to_owned()),
        },
        None => Credentials::Basic {
            user: user_info.to_owned(),
            password: None,
        },
    }
}

/// The HTTP client handed to schema_registry_converter: Confluent's `Accept`, a user agent, the
/// connect and read timeouts. The crate adds the request headers and the whole-call limit.
fn http_client(config: &AvroConverterConfig) -> reqwest::ClientBuilder {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_WEIGHTED));
    let mut builder = reqwest::Client::builder()
        .default_headers(headers)
        .user_agent(concat!(
            "kconnect-avro-converter/",
            env!("CARGO_PKG_VERSION")
        ))
        .tcp_nodelay(true);
    if !config.connect_timeout.is_zero() {
        builder = builder.connect_timeout(config.connect_timeout);
    }
    if !config.read_timeout.is_zero() {
        builder = builder.read_timeout(config.read_timeout);
    }
    builder
}

/// The limit on a whole call, which schema_registry_converter always sets: connecting plus
/// reading, so that it never cuts a call the two timeouts allow.
fn call_limit(config: &AvroConverterConfig) -> Duration {
    if config.connect_timeout.is_zero() || config.read_timeout.is_zero() {
        NO_CALL_LIMIT
    } else {
        config.connect_timeout.saturating_add(config.read_timeout)
    }
}

/// Adds `normalize=true` to the registrations and lookups (the `POST`s), for
/// `normalize.schemas=true`: schema_registry_converter's calls have no query parameter for it.
struct NormalizeSchemas;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for NormalizeSchemas {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if request.method() == reqwest::Method::POST {
            request
                .url_mut()
                .query_pairs_mut()
                .append_pair("normalize", "true");
        }
        next.run(request, extensions).await
    }
}

/// What went wrong, from what schema_registry_converter keeps in its error: an HTTP error answer
/// has a `RawError` source (the registry's `error_code` and `message`) and the status in
/// `error`; a call that got no answer, or an answer that could not be read, has the reqwest
/// error as source.
fn classify(error: &SRCError) -> Outcome {
    let source = error.source();
    if let Some(raw) = source.and_then(|s| s.downcast_ref::<RawError>()) {
        let (error_code, message) = if raw.error_code == 0 && raw.message == UNPARSED_ERROR_MESSAGE
        {
            (
                JSON_PARSE_ERROR_CODE,
                "the error body is not the registry's JSON".to_owned(),
            )
        } else {
            (
                i32::try_from(raw.error_code).unwrap_or(i32::MAX),
                raw.message.clone(),
            )
        };
        let status = status_in(&error.error).unwrap_or_else(|| status_of_code(error_code));
        return Outcome::Answered {
            status,
            error_code,
            message,
        };
    }
    if let Some(http) = source.and_then(reqwest_error) {
        return if http.is_decode() {
            Outcome::Invalid(chain(http))
        } else {
            Outcome::Unreachable(describe(http))
        };
    }
    let text = match &error.cause {
        Some(cause) => format!("{}: {cause}", error.error),
        None => error.error.clone(),
    };
    if error.retriable {
        Outcome::Unreachable(text)
    } else {
        Outcome::Invalid(text)
    }
}

/// The reqwest error of a failed call: the source itself, or inside the middleware's error.
fn reqwest_error<'a>(source: &'a (dyn std::error::Error + 'static)) -> Option<&'a reqwest::Error> {
    if let Some(error) = source.downcast_ref::<reqwest::Error>() {
        return Some(error);
    }
    match source.downcast_ref::<reqwest_middleware::Error>() {
        Some(reqwest_middleware::Error::Reqwest(error)) => Some(error),
        _ => None,
    }
}

/// The HTTP status in `... failed with status 404 Not Found`.
fn status_in(text: &str) -> Option<u16> {
    let at = text.find(STATUS_MARKER)? + STATUS_MARKER.len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The HTTP status an error code stands for (`40403` → 404, `401` → 401), when the status
/// itself is missing.
fn status_of_code(error_code: i32) -> u16 {
    let status = if error_code >= 10_000 {
        error_code / 100
    } else {
        error_code
    };
    u16::try_from(status)
        .ok()
        .filter(|s| (400..600).contains(s))
        .unwrap_or(500)
}

/// HTTP 408, 429 and 5xx may pass when tried again (Confluent retries 408, 429, 502, 503 and
/// 504; any 5xx is retried here).
fn retriable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}

/// `{"schema": "<text>"}`.
fn schema_body(schema: &str) -> String {
    serde_json::json!({ "schema": schema }).to_string()
}

/// `subject` as one URL path segment.
fn encode_subject(subject: &str) -> String {
    utf8_percent_encode(subject, PATH_SEGMENT).to_string()
}

/// A subject's schema from a lookup or latest answer (`subject` and `schema` may be absent).
fn subject_schema(
    request: &RegistryRequest,
    url: &str,
    raw: RawRegisteredSchema,
) -> Result<SubjectSchema, RegistryError> {
    let Some(id) = raw.id else {
        return Err(missing(request, url, "id", &raw));
    };
    let Some(version) = raw.version else {
        return Err(missing(request, url, "version", &raw));
    };
    let version = i32::try_from(version).map_err(|_| RegistryError::InvalidResponse {
        request: request.clone(),
        url: url.to_owned(),
        message: format!("version {version} is out of range"),
    })?;
    Ok(SubjectSchema {
        subject: raw.subject.unwrap_or_default(),
        version,
        id,
        schema: raw.schema.unwrap_or_default(),
    })
}

/// An answer without `field`, with what was understood of it.
fn missing(
    request: &RegistryRequest,
    url: &str,
    field: &str,
    raw: &RawRegisteredSchema,
) -> RegistryError {
    let answer = serde_json::to_string(raw).unwrap_or_default();
    RegistryError::InvalidResponse {
        request: request.clone(),
        url: url.to_owned(),
        message: format!("missing field `{field}` in {answer}"),
    }
}

/// An error and its causes, without repeats.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut last = text.clone();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if message != last {
            text.push_str(": ");
            text.push_str(&message);
            last = message;
        }
        source = cause.source();
    }
    text
}

/// A reqwest error with its causes (`cannot connect: ... Connection refused`).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    match error.source() {
        Some(source) => format!("{kind}: {}", chain(source)),
        None => kind.to_owned(),
    }
}

/// Percent-decodes the user or password of a URL.
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::{BufRead, BufReader, Read, Write};

    /// The error schema_registry_converter returns for an HTTP error answer.
    fn answered(status: &str, body: Option<(u32, &str)>) -> SRCError {
        let raw = match body {
            Some((error_code, message)) => {
                serde_json::json!({ "error_code": error_code, "message": message })
            }
            None => serde_json::json!({ "error_code": 0, "message": UNPARSED_ERROR_MESSAGE }),
        };
        let raw: RawError = serde_json::from_value(raw).unwrap();
        SRCError::non_retryable_with_cause(
            raw,
            &format!("HTTP request to schema registry failed with status {status}"),
        )
    }

    #[test]
    fn error_answers_keep_status_code_and_message() {
        assert_eq!(
            classify(&answered(
                "404 Not Found",
                Some((40403, "Schema not found"))
            )),
            Outcome::Answered {
                status: 404,
                error_code: 40403,
                message: "Schema not found".to_owned()
            }
        );
        assert_eq!(
            classify(&answered("502 Bad Gateway", None)),
            Outcome::Answered {
                status: 502,
                error_code: JSON_PARSE_ERROR_CODE,
                message: "the error body is not the registry's JSON".to_owned()
            }
        );
        assert_eq!(status_in("failed with status 401 Unauthorized"), Some(401));
        assert_eq!(status_in("failed"), None);
        assert_eq!(status_of_code(40403), 404);
        assert_eq!(status_of_code(401), 401);
        assert_eq!(status_of_code(0), 500);
    }

    #[test]
    fn url_credentials_become_basic_auth_and_leave_the_url() {
        let config = AvroConverterConfig::new(["http://ann:p%40ss@localhost:8081/", "http://b:1"]);
        let endpoints = endpoints(&config).unwrap();
        let client = RegistryClient::new(&config).unwrap();
        assert_eq!(
            client.urls().collect::<Vec<_>>(),
            ["http://localhost:8081", "http://b:1"]
        );
        assert!(
            endpoints[0].credentials
                == Some(Credentials::Basic {
                    user: "ann".to_owned(),
                    password: Some("p@ss".to_owned())
                })
        );
        assert!(endpoints[1].credentials.is_none());
        assert!(
            basic("ann:s3cr3t:!")
                == Credentials::Basic {
                    user: "ann".to_owned(),
                    password: Some("s3cr3t:!".to_owned())
                }
        );
    }

    #[test]
    fn invalid_headers_and_urls_are_configuration_errors() {
        let mut config = AvroConverterConfig::new(["http://r"]);
        config
            .request_headers
            .push(("X-Team".to_owned(), "a\nb".to_owned()));
        let err = RegistryClient::new(&config).unwrap_err();
        assert!(
            err.contains("Invalid value of request header x-team"),
            "{err}"
        );
        let config = AvroConverterConfig::new(["http://r/?x=1"]);
        let err = RegistryClient::new(&config).unwrap_err();
        assert!(err.contains("cannot have a query"), "{err}");
    }

    /// A one-thread HTTP server answering `answers` in turn, one per connection; the request
    /// heads it got.
    fn serve(answers: Vec<(u16, &'static str)>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut heads = Vec::new();
            for (status, body) in answers {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream);
                let mut head = String::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap();
                    }
                    if line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let mut content = vec![0; length];
                reader.read_exact(&mut content).unwrap();
                heads.push(head);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                reader.get_mut().write_all(answer.as_bytes()).unwrap();
            }
            heads
        });
        (url, handle)
    }

    #[tokio::test]
    async fn subjects_are_encoded_and_normalize_is_sent() {
        let (url, server) = serve(vec![
            (200, r#"{"id":7}"#),
            (
                200,
                r#"{"subject":"a/b c?","version":2,"id":7,"schema":"\"string\""}"#,
            ),
            (
                200,
                r#"{"subject":"a/b c?","version":2,"id":7,"schema":"\"string\""}"#,
            ),
        ]);
        let mut config = AvroConverterConfig::new([url.as_str()]);
        config.normalize_schemas = true;
        config
            .request_headers
            .push(("X-Team".to_owned(), "data".to_owned()));
        let client = RegistryClient::new(&config).unwrap();
        assert_eq!(client.register("a/b c?", r#""string""#).await.unwrap(), 7);
        let found = client.lookup("a/b c?", r#""string""#).await.unwrap();
        assert_eq!((found.id, found.version), (7, 2));
        assert_eq!(found.subject, "a/b c?");
        let latest = client.latest("a/b c?").await.unwrap();
        assert_eq!(latest.schema, r#""string""#);
        let heads = server.join().unwrap();
        let lines: Vec<&str> = heads.iter().filter_map(|h| h.lines().next()).collect();
        assert_eq!(
            lines,
            [
                "POST /subjects/a%2Fb%20c%3F/versions?normalize=true HTTP/1.1",
                "POST /subjects/a%2Fb%20c%3F?deleted=false&normalize=true HTTP/1.1",
                "GET /subjects/a%2Fb%20c%3F/versions/latest HTTP/1.1",
            ]
        );
        let get = heads[2].to_ascii_lowercase();
        assert!(get.contains("x-team: data"), "{get}");
        assert!(
            get.contains("accept: application/vnd.schemaregistry.v1+json, "),
            "{get}"
        );
        assert!(
            get.contains("user-agent: kconnect-avro-converter/"),
            "{get}"
        );
    }

    #[tokio::test]
    async fn bearer_tokens_non_json_errors_and_invalid_answers() {
        let (url, server) = serve(vec![
            (502, "<html>bad gateway</html>"),
            (200, r#"{"schemaType":"AVRO"}"#),
            (200, "not json"),
        ]);
        let mut config = AvroConverterConfig::new([url.as_str()]);
        config.auth = RegistryAuth::BearerToken(connect_api::config::Password::new("t0k3n"));
        config.retry.max_retries = 0;
        let client = RegistryClient::new(&config).unwrap();

        let err = client.schema_by_id(1).await.unwrap_err();
        assert!(err.is_retriable(), "{err}");
        assert_eq!(err.status(), Some(502));
        assert_eq!(err.error_code(), Some(JSON_PARSE_ERROR_CODE));

        let err = client.schema_by_id(1).await.unwrap_err();
        assert!(
            matches!(&err, RegistryError::InvalidResponse { message, .. }
                if message.contains("missing field `schema`")),
            "{err}"
        );
        let err = client.schema_by_id(1).await.unwrap_err();
        assert!(
            matches!(&err, RegistryError::InvalidResponse { message, .. }
                if message.contains("error decoding response body")),
            "{err}"
        );
        let heads = server.join().unwrap();
        assert!(
            heads[0].contains("GET /schemas/ids/1?deleted=true"),
            "{}",
            heads[0]
        );
        assert!(
            heads[0]
                .to_ascii_lowercase()
                .contains("authorization: bearer t0k3n"),
            "{}",
            heads[0]
        );
    }

    #[test]
    fn backoff_stays_under_the_ceiling() {
        let mut config = AvroConverterConfig::new(["http://r"]);
        config.retry = RetryPolicy {
            max_retries: 3,
            initial_wait: Duration::from_millis(10),
            max_wait: Duration::from_millis(25),
        };
        let client = RegistryClient::new(&config).unwrap();
        for retry in 0..5 {
            let wait = client.backoff(retry);
            assert!(wait >= Duration::from_millis(1));
            assert!(wait <= config.retry.ceiling(retry), "{wait:?}");
        }
    }

    #[test]
    fn requests_describe_themselves() {
        let r = RegistryRequest::Register {
            subject: "t-value".into(),
        };
        assert_eq!(
            r.to_string(),
            "registering a schema under subject 't-value'"
        );
        assert_eq!(r.subject(), Some("t-value"));
        assert_eq!(RegistryRequest::SchemaById { id: 7 }.id(), Some(7));
    }
}
