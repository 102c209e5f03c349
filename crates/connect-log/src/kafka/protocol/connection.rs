//! One connection to one broker: TCP (optionally TLS), SASL, ApiVersions, framing.

use std::collections::HashMap;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::messages::{
    CreateTopicsRequest, CreateTopicsResponse, DescribeConfigsRequest, DescribeConfigsResponse,
    FindCoordinatorRequest, FindCoordinatorResponse, HeartbeatRequest, HeartbeatResponse,
    JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse, MetadataRequest,
    MetadataResponse, OffsetCommitRequest, OffsetCommitResponse, OffsetDeleteRequest,
    OffsetDeleteResponse, OffsetFetchRequest, OffsetFetchResponse, SaslAuthenticateRequest,
    SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse, SyncGroupRequest,
    SyncGroupResponse,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Message, StrBytes};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use super::error::{ClientError, ErrorCode};
use super::sasl::{SaslConfig, authenticate};

/// A request this client can send (kafka-protocol's own `Request` trait needs its `broker`
/// feature too): its API key and response type.
pub trait ApiRequest: Encodable + HeaderVersion + Message {
    /// The API key.
    const KEY: ApiKey;
    /// The response message.
    type Response: Decodable + HeaderVersion;
}

macro_rules! api_requests {
    ($($key:ident: $request:ty => $response:ty,)*) => {
        $(impl ApiRequest for $request {
            const KEY: ApiKey = ApiKey::$key;
            type Response = $response;
        })*
    };
}

api_requests! {
    ApiVersions: ApiVersionsRequest => ApiVersionsResponse,
    SaslHandshake: SaslHandshakeRequest => SaslHandshakeResponse,
    SaslAuthenticate: SaslAuthenticateRequest => SaslAuthenticateResponse,
    Metadata: MetadataRequest => MetadataResponse,
    FindCoordinator: FindCoordinatorRequest => FindCoordinatorResponse,
    JoinGroup: JoinGroupRequest => JoinGroupResponse,
    SyncGroup: SyncGroupRequest => SyncGroupResponse,
    Heartbeat: HeartbeatRequest => HeartbeatResponse,
    LeaveGroup: LeaveGroupRequest => LeaveGroupResponse,
    OffsetCommit: OffsetCommitRequest => OffsetCommitResponse,
    OffsetFetch: OffsetFetchRequest => OffsetFetchResponse,
    OffsetDelete: OffsetDeleteRequest => OffsetDeleteResponse,
    CreateTopics: CreateTopicsRequest => CreateTopicsResponse,
    DescribeConfigs: DescribeConfigsRequest => DescribeConfigsResponse,
}

/// The largest response frame accepted (as rskafka's default `max_message_size`).
const MAX_FRAME: usize = 100 * 1024 * 1024;

/// ApiVersions versions this client speaks (v3+ is flexible and names the client software).
const API_VERSIONS: RangeInclusive<i16> = 0..=3;

/// How to open connections: identity, security, time limits.
#[derive(Clone)]
pub struct ConnectionConfig {
    /// The `client.id` sent in every request header.
    pub client_id: String,
    /// TLS, when the listener is `SSL` or `SASL_SSL`.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// SASL, when the listener is `SASL_PLAINTEXT` or `SASL_SSL`.
    pub sasl: Option<SaslConfig>,
    /// How long one request may wait for its response (Kafka's `request.timeout.ms`); also
    /// the limit for establishing a connection.
    pub request_timeout: Duration,
}

impl ConnectionConfig {
    /// A plaintext configuration with this client id and request timeout.
    pub fn new(client_id: impl Into<String>, request_timeout: Duration) -> Self {
        Self {
            client_id: client_id.into(),
            tls: None,
            sasl: None,
            request_timeout,
        }
    }
}

impl fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("client_id", &self.client_id)
            .field("tls", &self.tls.is_some())
            .field("sasl", &self.sasl)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

struct Wire {
    stream: Box<dyn Stream>,
    next_correlation_id: i32,
    /// Set while a request is in flight and left set when it does not complete (error,
    /// timeout, cancelled future): the stream is then out of step and never used again.
    broken: bool,
}

/// A connection to one broker, after ApiVersions (and SASL, when configured).
///
/// Requests on one connection are sent one at a time, in call order; the broker handles a
/// connection's requests one at a time anyway, so use several connections for concurrency
/// (for example a long JoinGroup and OffsetCommits). Any transport failure or timeout leaves
/// the connection unusable ([`ClientError::is_connection_error`]): drop it and connect again.
pub struct BrokerConnection {
    addr: String,
    client_id: StrBytes,
    request_timeout: Duration,
    versions: HashMap<i16, RangeInclusive<i16>>,
    wire: Mutex<Wire>,
}

impl fmt::Debug for BrokerConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrokerConnection")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Splits `host:port` (or `[v6]:port`).
pub(crate) fn split_host_port(addr: &str) -> Option<(&str, u16)> {
    let (host, port) = addr.rsplit_once(':')?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port = port.parse().ok()?;
    (!host.is_empty()).then_some((host, port))
}

impl BrokerConnection {
    /// Connects to `addr` (`host:port`), does the TLS handshake and SASL authentication when
    /// configured, and learns the broker's API versions.
    ///
    /// # Errors
    ///
    /// [`ClientError::Connect`] when the broker cannot be reached, [`ClientError::Sasl`] when
    /// authentication fails, [`ClientError::Timeout`] when the broker does not answer.
    pub async fn connect(addr: &str, config: &ConnectionConfig) -> Result<Self, ClientError> {
        let connect_err = |message: String| ClientError::Connect {
            broker: addr.to_owned(),
            message,
        };
        let (host, port) = split_host_port(addr)
            .ok_or_else(|| connect_err("not a host:port address".to_owned()))?;
        let tcp = tokio::time::timeout(config.request_timeout, TcpStream::connect((host, port)))
            .await
            .map_err(|_| connect_err(format!("no connection within {:?}", config.request_timeout)))?
            .map_err(|e| connect_err(e.to_string()))?;
        tcp.set_nodelay(true)
            .map_err(|e| connect_err(e.to_string()))?;
        let stream: Box<dyn Stream> = match &config.tls {
            None => Box::new(tcp),
            Some(tls) => {
                let name = rustls::pki_types::ServerName::try_from(host.to_owned())
                    .map_err(|e| connect_err(format!("invalid TLS server name {host:?}: {e}")))?;
                let connector = tokio_rustls::TlsConnector::from(Arc::clone(tls));
                let tls_stream =
                    tokio::time::timeout(config.request_timeout, connector.connect(name, tcp))
                        .await
                        .map_err(|_| connect_err("TLS handshake timed out".to_owned()))?
                        .map_err(|e| connect_err(format!("TLS handshake failed: {e}")))?;
                Box::new(tls_stream)
            }
        };
        let mut conn = Self {
            addr: addr.to_owned(),
            client_id: StrBytes::from_string(config.client_id.clone()),
            request_timeout: config.request_timeout,
            versions: HashMap::new(),
            wire: Mutex::new(Wire {
                stream,
                next_correlation_id: 1,
                broken: false,
            }),
        };
        conn.versions = conn.api_versions().await?;
        if let Some(sasl) = &config.sasl {
            authenticate(&conn, sasl).await?;
        }
        Ok(conn)
    }

    /// The broker's `host:port`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The default time limit of one request.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// The highest version of `Req` that the broker, kafka-protocol and the caller (`ours`)
    /// all support.
    ///
    /// # Errors
    ///
    /// [`ClientError::Protocol`] naming the API when there is none.
    pub fn version<Req: ApiRequest>(&self, ours: RangeInclusive<i16>) -> Result<i16, ClientError> {
        let codec = Req::VERSIONS;
        let name = api_name(Req::KEY);
        let broker = self.versions.get(&(Req::KEY as i16)).ok_or_else(|| {
            ClientError::Protocol(format!("broker {} does not support {name}", self.addr))
        })?;
        let low = (*ours.start()).max(codec.min).max(*broker.start());
        let high = (*ours.end()).min(codec.max).min(*broker.end());
        if low > high {
            return Err(ClientError::Protocol(format!(
                "no common {name} version: broker {} supports {}..={}, this client {}..={}",
                self.addr,
                broker.start(),
                broker.end(),
                ours.start().max(&codec.min),
                ours.end().min(&codec.max)
            )));
        }
        Ok(high)
    }

    /// Sends `request` at `version` and waits up to the configured request timeout for the
    /// response.
    ///
    /// # Errors
    ///
    /// See [`BrokerConnection::send_with_timeout`].
    pub async fn send<Req: ApiRequest>(
        &self,
        request: &Req,
        version: i16,
    ) -> Result<Req::Response, ClientError> {
        self.send_with_timeout(request, version, self.request_timeout)
            .await
    }

    /// Sends `request` at `version` and waits up to `timeout` for the response (use a longer
    /// one for JoinGroup, which the coordinator holds for up to the rebalance timeout).
    ///
    /// # Errors
    ///
    /// [`ClientError::Io`] or [`ClientError::Timeout`] (the connection is then unusable),
    /// [`ClientError::Protocol`] when the request cannot be encoded or the response decoded.
    /// Error codes inside the response are the caller's to check.
    pub async fn send_with_timeout<Req: ApiRequest>(
        &self,
        request: &Req,
        version: i16,
        timeout: Duration,
    ) -> Result<Req::Response, ClientError> {
        let api = api_name(Req::KEY);
        let mut body = BytesMut::new();
        request
            .encode(&mut body, version)
            .map_err(|e| ClientError::Protocol(format!("cannot encode {api} v{version}: {e}")))?;
        let exchange = async {
            let mut wire = self.wire.lock().await;
            let frame = self
                .exchange(
                    &mut wire,
                    Req::KEY,
                    version,
                    Req::header_version(version),
                    body,
                )
                .await?;
            Ok::<_, ClientError>(frame)
        };
        let mut frame = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| ClientError::Timeout {
                broker: self.addr.clone(),
                api,
                timeout,
            })??;
        let response_header_version = <Req::Response as HeaderVersion>::header_version(version);
        ResponseHeader::decode(&mut frame, response_header_version).map_err(|e| {
            ClientError::Protocol(format!("cannot decode the {api} response header: {e}"))
        })?;
        Req::Response::decode(&mut frame, version).map_err(|e| {
            ClientError::Protocol(format!("cannot decode the {api} v{version} response: {e}"))
        })
    }

    /// Writes one request frame and reads its response frame (positioned at the response
    /// header), checking the correlation id.
    async fn exchange(
        &self,
        wire: &mut Wire,
        key: ApiKey,
        version: i16,
        header_version: i16,
        body: BytesMut,
    ) -> Result<Bytes, ClientError> {
        let api = api_name(key);
        let io_err = |source| ClientError::Io {
            broker: self.addr.clone(),
            api,
            source,
        };
        if wire.broken {
            return Err(io_err(std::io::Error::other(
                "the connection is unusable after an earlier failed or abandoned request",
            )));
        }
        let correlation_id = wire.next_correlation_id;
        wire.next_correlation_id = wire.next_correlation_id.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(key as i16)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(self.client_id.clone()));
        let mut frame = BytesMut::with_capacity(body.len() + 64);
        frame.put_i32(0);
        header.encode(&mut frame, header_version).map_err(|e| {
            ClientError::Protocol(format!("cannot encode the {api} request header: {e}"))
        })?;
        frame.extend_from_slice(&body);
        let len = i32::try_from(frame.len() - 4)
            .map_err(|_| ClientError::Protocol(format!("{api} request is too large")))?;
        frame[..4].copy_from_slice(&len.to_be_bytes());

        wire.broken = true;
        wire.stream.write_all(&frame).await.map_err(io_err)?;
        wire.stream.flush().await.map_err(io_err)?;
        let len = wire.stream.read_i32().await.map_err(io_err)?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| (4..=MAX_FRAME).contains(&l))
            .ok_or_else(|| {
                io_err(std::io::Error::other(format!(
                    "invalid response size {len}"
                )))
            })?;
        let mut response = vec![0u8; len];
        wire.stream
            .read_exact(&mut response)
            .await
            .map_err(io_err)?;
        wire.broken = false;
        let response = Bytes::from(response);
        let got = (&response[..4]).get_i32();
        if got != correlation_id {
            wire.broken = true;
            return Err(io_err(std::io::Error::other(format!(
                "response correlation id {got} does not match request {correlation_id}"
            ))));
        }
        Ok(response)
    }

    /// ApiVersions: v3 first; a broker that does not know it answers UNSUPPORTED_VERSION (in
    /// the v0 layout), and then v0 is used.
    async fn api_versions(&self) -> Result<HashMap<i16, RangeInclusive<i16>>, ClientError> {
        let request = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("kconnect"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let response = match self.send(&request, *API_VERSIONS.end()).await {
            Ok(r) if r.error_code != ErrorCode::UNSUPPORTED_VERSION.0 => r,
            Ok(_) | Err(ClientError::Protocol(_)) => {
                self.send(&ApiVersionsRequest::default(), *API_VERSIONS.start())
                    .await?
            }
            Err(e) => return Err(e),
        };
        ClientError::broker("ApiVersions", response.error_code, None)?;
        Ok(versions_map(&response))
    }
}

fn versions_map(response: &ApiVersionsResponse) -> HashMap<i16, RangeInclusive<i16>> {
    response
        .api_keys
        .iter()
        .map(|k| (k.api_key, k.min_version..=k.max_version))
        .collect()
}

/// The API's name for messages, such as `JoinGroup`.
pub(crate) fn api_name(key: ApiKey) -> &'static str {
    match key {
        ApiKey::ApiVersions => "ApiVersions",
        ApiKey::SaslHandshake => "SaslHandshake",
        ApiKey::SaslAuthenticate => "SaslAuthenticate",
        ApiKey::Metadata => "Metadata",
        ApiKey::FindCoordinator => "FindCoordinator",
        ApiKey::JoinGroup => "JoinGroup",
        ApiKey::SyncGroup => "SyncGroup",
        ApiKey::Heartbeat => "Heartbeat",
        ApiKey::LeaveGroup => "LeaveGroup",
        ApiKey::OffsetCommit => "OffsetCommit",
        ApiKey::OffsetFetch => "OffsetFetch",
        ApiKey::OffsetDelete => "OffsetDelete",
        ApiKey::CreateTopics => "CreateTopics",
        ApiKey::DescribeConfigs => "DescribeConfigs",
        _ => "request",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn host_port_parsing() {
        assert_eq!(split_host_port("localhost:9092"), Some(("localhost", 9092)));
        assert_eq!(split_host_port("[::1]:9093"), Some(("::1", 9093)));
        assert_eq!(split_host_port("localhost"), None);
        assert_eq!(split_host_port(":9092"), None);
        assert_eq!(split_host_port("h:x"), None);
    }

    /// Reads one request frame; returns (api key, version, correlation id, rest).
    pub(crate) async fn read_request(s: &mut TcpStream) -> (i16, i16, i32, Bytes) {
        let len = s.read_i32().await.unwrap();
        let mut buf = vec![0u8; len as usize];
        s.read_exact(&mut buf).await.unwrap();
        let mut b = Bytes::from(buf);
        let key = b.get_i16();
        let version = b.get_i16();
        let correlation = b.get_i32();
        (key, version, correlation, b)
    }

    pub(crate) async fn write_response(
        s: &mut TcpStream,
        correlation: i32,
        flexible: bool,
        body: &[u8],
    ) {
        let mut frame = BytesMut::new();
        frame.put_i32(correlation);
        if flexible {
            frame.put_u8(0); // no tagged fields
        }
        frame.extend_from_slice(body);
        s.write_i32(frame.len() as i32).await.unwrap();
        s.write_all(&frame).await.unwrap();
    }

    /// Answers the client's ApiVersions as an old broker does (v3 refused, then v0), offering
    /// `apis` as (key, min, max).
    pub(crate) async fn answer_api_versions(s: &mut TcpStream, apis: &[(i16, i16, i16)]) {
        let (key, version, corr, _) = read_request(s).await;
        assert_eq!((key, version), (18, 3));
        let mut body = BytesMut::new();
        body.put_i16(35);
        body.put_i32(0);
        write_response(s, corr, false, &body).await;
        let (key, version, corr, _) = read_request(s).await;
        assert_eq!((key, version), (18, 0));
        let mut body = BytesMut::new();
        body.put_i16(0);
        body.put_i32(apis.len() as i32);
        for (k, lo, hi) in apis {
            body.put_i16(*k);
            body.put_i16(*lo);
            body.put_i16(*hi);
        }
        write_response(s, corr, false, &body).await;
    }

    /// A fake broker that answers ApiVersions (v3 refused, as an old broker would, then v0)
    /// and one Heartbeat, checking the framing and header versions on the way.
    #[tokio::test]
    async fn framing_negotiation_and_correlation() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let broker = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            answer_api_versions(&mut s, &[(18, 0, 3), (12, 0, 2)]).await;
            // Heartbeat: must be negotiated down to v2 (non-flexible, header v1).
            let (key, version, corr, mut rest) = read_request(&mut s).await;
            assert_eq!((key, version), (12, 2));
            let client_id_len = rest.get_i16() as usize;
            assert_eq!(&rest[..client_id_len], b"test-client");
            let mut body = BytesMut::new();
            body.put_i32(0); // throttle
            body.put_i16(27); // REBALANCE_IN_PROGRESS
            write_response(&mut s, corr, false, &body).await;
            // Then a response with the wrong correlation id.
            let (_, _, corr, _) = read_request(&mut s).await;
            write_response(&mut s, corr + 7, false, &body).await;
        });
        let config = ConnectionConfig::new("test-client", Duration::from_secs(5));
        let conn = BrokerConnection::connect(&addr, &config).await.unwrap();
        let version = conn.version::<HeartbeatRequest>(0..=4).unwrap();
        assert_eq!(version, 2);
        assert!(conn.version::<HeartbeatRequest>(3..=4).is_err());
        let response = conn
            .send(&HeartbeatRequest::default(), version)
            .await
            .unwrap();
        assert_eq!(response.error_code, 27);
        let err = conn
            .send(&HeartbeatRequest::default(), version)
            .await
            .unwrap_err();
        assert!(err.is_connection_error(), "{err}");
        assert!(err.to_string().contains("correlation id"), "{err}");
        // The connection is now unusable.
        let err = conn
            .send(&HeartbeatRequest::default(), version)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("unusable"), "{err}");
        broker.await.unwrap();
    }

    #[tokio::test]
    async fn a_silent_broker_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let _hold = tokio::spawn(async move {
            let (s, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(s);
        });
        let config = ConnectionConfig::new("c", Duration::from_millis(200));
        let err = BrokerConnection::connect(&addr, &config).await.unwrap_err();
        assert!(
            matches!(
                err,
                ClientError::Timeout {
                    api: "ApiVersions",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.is_retriable());
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_retriable_connect_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        drop(listener);
        let config = ConnectionConfig::new("c", Duration::from_secs(2));
        let err = BrokerConnection::connect(&addr, &config).await.unwrap_err();
        assert!(matches!(err, ClientError::Connect { .. }), "{err}");
        assert!(err.is_retriable());
        assert!(err.to_string().contains(&addr), "{err}");
    }
}
