//! TLS and HTTP basic authentication for the REST listeners: see [`ListenerSecurity`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use connect_api::error::ConfigError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::RestError;
use crate::config::{WorkerConfig, load_properties};

/// The key naming the basic authentication credentials file.
pub const BASIC_AUTH_CREDENTIALS_FILE: &str = "rest.basic.auth.credentials.file";

/// How long a client has to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The users and passwords of HTTP basic authentication.
#[derive(Clone)]
pub struct BasicAuth {
    users: Arc<BTreeMap<String, String>>,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl BasicAuth {
    /// These users, by name, with their passwords.
    pub fn new(users: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            users: Arc::new(users.into_iter().collect()),
        }
    }

    /// Reads a properties file of `user=password` lines.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or holds no user.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let users = load_properties(path)?;
        if users.is_empty() {
            return Err(ConfigError::invalid(
                BASIC_AUTH_CREDENTIALS_FILE,
                path.display(),
                "the credentials file holds no user=password line",
            ));
        }
        Ok(Self::new(users))
    }

    /// Whether an `Authorization` header value holds valid credentials.
    fn allows(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some(encoded) = authorization.and_then(|v| v.to_str().ok()).and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        }) else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(decoded) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = decoded.split_once(':') else {
            return false;
        };
        self.users
            .get(user)
            .is_some_and(|expected| constant_time_eq(expected.as_bytes(), password.as_bytes()))
    }

    /// `router` with every request checked for these credentials.
    pub fn protect(&self, router: Router) -> Router {
        router.layer(from_fn_with_state(self.clone(), check))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Task configs sent by another worker of a Connect cluster (`POST /connectors/{name}/tasks`):
/// as with Kafka's basic authentication extension they carry no user credentials; under the
/// `sessioned` protocol they are verified by their signature instead.
fn is_internal_request(request: &Request) -> bool {
    let segments: Vec<&str> = request.uri().path().trim_matches('/').split('/').collect();
    request.method() == axum::http::Method::POST
        && matches!(segments.as_slice(), ["connectors", _, "tasks"])
}

async fn check(State(auth): State<BasicAuth>, request: Request, next: Next) -> Response {
    if is_internal_request(&request) || auth.allows(request.headers().get(header::AUTHORIZATION)) {
        return next.run(request).await;
    }
    let mut response = RestError::new(
        StatusCode::UNAUTHORIZED,
        "Credentials are required: use HTTP basic authentication",
    )
    .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"connect\""),
    );
    response
}

/// The security of the REST listeners: TLS for `https://` listeners and basic authentication.
///
/// Worker keys (a small, documented subset of Kafka's):
///
/// * `listeners=https://host:port` serves that listener over TLS (rustls; TLS 1.2 and 1.3,
///   HTTP/1.1). Its key and certificate chain come from a PEM file, as with Kafka's
///   `ssl.keystore.type=PEM`: `listeners.https.ssl.keystore.location`, or else
///   `ssl.keystore.location`, names one file holding the private key (PKCS#8, PKCS#1 or SEC1)
///   and the certificate chain, leaf first. `ssl.keystore.type` may only be `PEM`; JKS and
///   PKCS12 keystores are not read. Client certificates are not requested.
/// * `rest.basic.auth.credentials.file` turns on HTTP basic authentication for every path but
///   the one distributed workers send task configs to (signed instead, as with Kafka): a
///   Java properties file of `user=password` lines. A request without valid credentials gets
///   401 with `WWW-Authenticate: Basic realm="connect"` and the JSON error shape. (Kafka
///   configures this through the `BasicAuthSecurityRestExtension` and a JAAS file instead.)
#[derive(Clone, Default)]
pub struct ListenerSecurity {
    tls: Option<TlsAcceptor>,
    auth: Option<BasicAuth>,
}

impl std::fmt::Debug for ListenerSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerSecurity")
            .field("tls", &self.tls.is_some())
            .field("auth", &self.auth)
            .finish()
    }
}

impl ListenerSecurity {
    /// Reads the worker's keys (see the [type documentation](ListenerSecurity)): the keystore when a
    /// listener is `https://` or a keystore is configured, and the credentials file.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the key whose file cannot be read or used.
    pub fn from_worker(worker: &WorkerConfig) -> Result<Self, ConfigError> {
        let props = worker.originals();
        let get = |key: &str| {
            props
                .get(&format!("listeners.https.{key}"))
                .or_else(|| props.get(key))
                .filter(|v| !v.trim().is_empty())
        };
        let https = props
            .get("listeners")
            .is_some_and(|l| l.to_ascii_lowercase().contains("https://"));
        if let Some(kind) = get("ssl.keystore.type")
            && !kind.eq_ignore_ascii_case("PEM")
        {
            return Err(ConfigError::invalid(
                "ssl.keystore.type",
                kind,
                "only PEM keystores are supported",
            ));
        }
        let tls = match get("ssl.keystore.location") {
            Some(location) => Some(tls_acceptor(Path::new(location))?),
            None if https => {
                return Err(ConfigError::other(
                    "An https:// listener needs ssl.keystore.location (or \
                     listeners.https.ssl.keystore.location): a PEM file with the private key and \
                     the certificate chain",
                ));
            }
            None => None,
        };
        let auth = match props
            .get(BASIC_AUTH_CREDENTIALS_FILE)
            .filter(|v| !v.trim().is_empty())
        {
            Some(path) => Some(BasicAuth::from_file(Path::new(path))?),
            None => None,
        };
        Ok(Self { tls, auth })
    }

    /// With TLS from this acceptor.
    #[must_use]
    pub fn with_tls(mut self, acceptor: TlsAcceptor) -> Self {
        self.tls = Some(acceptor);
        self
    }

    /// With basic authentication.
    #[must_use]
    pub fn with_basic_auth(mut self, auth: BasicAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The router with basic authentication when configured.
    pub fn protect(&self, router: Router) -> Router {
        match &self.auth {
            Some(auth) => auth.protect(router),
            None => router,
        }
    }

    /// Serves the REST API of `runtime` on `listener`, over TLS when `https`, until `shutdown`
    /// completes (as [`super::serve`]).
    ///
    /// # Errors
    ///
    /// When `https` is asked without a keystore, or accepting connections fails.
    pub async fn serve(
        &self,
        runtime: crate::Runtime,
        listener: TcpListener,
        https: bool,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.protect(super::router(runtime));
        if !https {
            return axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await;
        }
        let Some(acceptor) = self.tls.clone() else {
            return Err(std::io::Error::other(
                "an https:// listener needs ssl.keystore.location",
            ));
        };
        let listener = TlsListener::new(listener, acceptor)?;
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// A TLS acceptor from a PEM file holding the private key and the certificate chain.
///
/// # Errors
///
/// A [`ConfigError`] when the file cannot be read or holds no usable key and certificate.
pub fn tls_acceptor(pem: &Path) -> Result<TlsAcceptor, ConfigError> {
    let invalid =
        |message: String| ConfigError::invalid("ssl.keystore.location", pem.display(), message);
    let bytes = std::fs::read(pem).map_err(|e| invalid(format!("cannot read it: {e}")))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("invalid PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(invalid("it holds no CERTIFICATE".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| invalid(format!("it holds no usable PRIVATE KEY: {e}")))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| invalid(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| invalid(format!("the key and certificate cannot be used: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener whose connections complete their TLS handshake in the background, so that a
/// slow client delays no other.
pub struct TlsListener {
    accepted: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Accepts TLS connections on `listener`.
    ///
    /// # Errors
    ///
    /// When the listener's address cannot be read.
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let (sender, accepted) = mpsc::channel(64);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::debug!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let sender = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "TLS handshake failed");
                        }
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            accepted,
            local,
            acceptor_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(accepted) => accepted,
            // The acceptor task ended (it does not): accept nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_basic_credentials() {
        let auth = BasicAuth::new([("alice".to_owned(), "s3cret".to_owned())]);
        let header = |user_password: &str| {
            HeaderValue::from_str(&format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(user_password)
            ))
            .ok()
        };
        assert!(auth.allows(header("alice:s3cret").as_ref()));
        assert!(!auth.allows(header("alice:wrong").as_ref()));
        assert!(!auth.allows(header("bob:s3cret").as_ref()));
        assert!(!auth.allows(header("alice").as_ref()));
        assert!(!auth.allows(None));
        assert!(!auth.allows(Some(&HeaderValue::from_static("Bearer x"))));
    }
}
