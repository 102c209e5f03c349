//! SASL authentication (SaslHandshake v1 + SaslAuthenticate), with rsasl for the mechanisms.

use std::fmt;
use std::io::Cursor;
use std::ops::RangeInclusive;

use bytes::Bytes;
use kafka_protocol::messages::{SaslAuthenticateRequest, SaslHandshakeRequest};
use kafka_protocol::protocol::StrBytes;
use rsasl::config::SASLConfig;
use rsasl::mechname::Mechname;
use rsasl::prelude::SASLClient;

use super::connection::BrokerConnection;
use super::error::{ClientError, ErrorCode};

/// SaslHandshake v1: the tokens then travel in SaslAuthenticate requests (v0 would send them
/// raw, outside Kafka framing).
const SASL_HANDSHAKE: RangeInclusive<i16> = 1..=1;
const SASL_AUTHENTICATE: RangeInclusive<i16> = 0..=2;

/// A SASL mechanism this client can authenticate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    /// `PLAIN` (RFC 4616): the password travels as is; use it over TLS.
    Plain,
    /// `SCRAM-SHA-256` (RFC 7677).
    ScramSha256,
    /// `SCRAM-SHA-512`.
    ScramSha512,
}

impl SaslMechanism {
    /// The mechanism's name, as in `sasl.mechanism`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

/// SASL credentials for one mechanism.
#[derive(Clone, PartialEq, Eq)]
pub struct SaslConfig {
    /// The mechanism.
    pub mechanism: SaslMechanism,
    /// The user name.
    pub username: String,
    /// The password (never printed by `Debug`).
    pub password: String,
}

impl fmt::Debug for SaslConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaslConfig")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Authenticates `conn` (right after ApiVersions).
pub(crate) async fn authenticate(
    conn: &BrokerConnection,
    sasl: &SaslConfig,
) -> Result<(), ClientError> {
    let fail = |message: String| ClientError::Sasl {
        broker: conn.addr().to_owned(),
        message,
    };
    let mechanism = sasl.mechanism.name();
    let handshake =
        SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(mechanism));
    let version = conn.version::<SaslHandshakeRequest>(SASL_HANDSHAKE)?;
    let response = conn.send(&handshake, version).await?;
    if let Some(code) = ErrorCode::from_code(response.error_code) {
        let offered: Vec<&str> = response.mechanisms.iter().map(|m| m.as_str()).collect();
        return Err(fail(format!(
            "the broker refused mechanism {mechanism} ({code}); it offers {}",
            offered.join(", ")
        )));
    }

    let config = SASLConfig::with_credentials(None, sasl.username.clone(), sasl.password.clone())
        .map_err(|e| fail(e.to_string()))?;
    let mechname = Mechname::parse(mechanism.as_bytes()).map_err(|e| fail(e.to_string()))?;
    let mut session = SASLClient::new(config)
        .start_suggested(&[mechname])
        .map_err(|e| fail(format!("cannot start {mechanism}: {e}")))?;
    let version = conn.version::<SaslAuthenticateRequest>(SASL_AUTHENTICATE)?;
    let mut received: Option<Bytes> = None;
    loop {
        let mut out = Cursor::new(Vec::new());
        let state = session
            .step(received.as_deref(), &mut out)
            .map_err(|e| fail(format!("{mechanism}: {e}")))?;
        if state.has_sent_message() {
            let request =
                SaslAuthenticateRequest::default().with_auth_bytes(out.into_inner().into());
            let response = conn.send(&request, version).await?;
            if let Some(code) = ErrorCode::from_code(response.error_code) {
                let detail = response
                    .error_message
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                return Err(fail(format!("{code}{detail}")));
            }
            received = Some(response.auth_bytes);
        }
        if state.is_finished() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::{Buf, BufMut, BytesMut};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::kafka::protocol::ConnectionConfig;
    use crate::kafka::protocol::connection::tests::{
        answer_api_versions, read_request, write_response,
    };

    fn read_str(b: &mut Bytes) -> String {
        let len = b.get_i16() as usize;
        let s = String::from_utf8(b[..len].to_vec()).unwrap();
        b.advance(len);
        s
    }

    /// Reads SaslHandshake v1 and answers with `error` and `offered`; returns the mechanism.
    async fn answer_handshake(s: &mut TcpStream, error: i16, offered: &[&str]) -> String {
        let (key, version, corr, mut rest) = read_request(s).await;
        assert_eq!((key, version), (17, 1));
        let _client_id = read_str(&mut rest);
        let mechanism = read_str(&mut rest);
        let mut body = BytesMut::new();
        body.put_i16(error);
        body.put_i32(offered.len() as i32);
        for m in offered {
            body.put_i16(m.len() as i16);
            body.put_slice(m.as_bytes());
        }
        write_response(s, corr, false, &body).await;
        mechanism
    }

    /// Reads SaslAuthenticate v0 and answers; returns the client's token.
    async fn answer_authenticate(s: &mut TcpStream, error: i16, message: Option<&str>) -> Vec<u8> {
        let (key, version, corr, mut rest) = read_request(s).await;
        assert_eq!((key, version), (36, 0));
        let _client_id = read_str(&mut rest);
        let len = rest.get_i32() as usize;
        let token = rest[..len].to_vec();
        let mut body = BytesMut::new();
        body.put_i16(error);
        match message {
            Some(m) => {
                body.put_i16(m.len() as i16);
                body.put_slice(m.as_bytes());
            }
            None => body.put_i16(-1),
        }
        body.put_i32(0);
        write_response(s, corr, false, &body).await;
        token
    }

    const APIS: &[(i16, i16, i16)] = &[(18, 0, 3), (17, 0, 1), (36, 0, 0)];

    #[tokio::test]
    async fn plain_sends_the_credentials() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let broker = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            answer_api_versions(&mut s, APIS).await;
            let mechanism = answer_handshake(&mut s, 0, &["PLAIN", "SCRAM-SHA-256"]).await;
            let token = answer_authenticate(&mut s, 0, None).await;
            (mechanism, token)
        });
        let mut config = ConnectionConfig::new("sasl-test", Duration::from_secs(5));
        config.sasl = Some(SaslConfig {
            mechanism: SaslMechanism::Plain,
            username: "alice".into(),
            password: "secret".into(),
        });
        BrokerConnection::connect(&addr, &config).await.unwrap();
        let (mechanism, token) = broker.await.unwrap();
        assert_eq!(mechanism, "PLAIN");
        assert_eq!(token, b"\0alice\0secret");
    }

    /// Runs a client with `mechanism` against `broker`, returning the client's result.
    async fn with_broker<F, Fut, T>(
        mechanism: SaslMechanism,
        broker: F,
    ) -> (Result<BrokerConnection, ClientError>, T)
    where
        F: FnOnce(TcpStream) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = T> + Send,
        T: Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let broker = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            answer_api_versions(&mut s, APIS).await;
            broker(s).await
        });
        let mut config = ConnectionConfig::new("sasl-test", Duration::from_secs(5));
        config.sasl = Some(SaslConfig {
            mechanism,
            username: "alice".into(),
            password: "secret".into(),
        });
        let result = BrokerConnection::connect(&addr, &config).await;
        (result, broker.await.unwrap())
    }

    #[tokio::test]
    async fn a_refused_password_is_a_sasl_error_with_the_brokers_message() {
        let (result, token) = with_broker(SaslMechanism::Plain, |mut s| async move {
            answer_handshake(&mut s, 0, &["PLAIN"]).await;
            answer_authenticate(
                &mut s,
                58,
                Some("Authentication failed: invalid credentials"),
            )
            .await
        })
        .await;
        assert_eq!(token, b"\0alice\0secret");
        let err = result.unwrap_err();
        assert!(matches!(err, ClientError::Sasl { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("SASL_AUTHENTICATION_FAILED") && text.contains("invalid credentials"),
            "{text}"
        );
        assert!(!err.is_retriable());
    }

    #[tokio::test]
    async fn a_mechanism_the_broker_does_not_offer_is_refused() {
        let (result, mechanism) = with_broker(SaslMechanism::ScramSha512, |mut s| async move {
            answer_handshake(&mut s, 33, &["PLAIN", "SCRAM-SHA-256"]).await
        })
        .await;
        assert_eq!(mechanism, "SCRAM-SHA-512");
        let text = result.unwrap_err().to_string();
        assert!(
            text.contains("refused mechanism SCRAM-SHA-512")
                && text.contains("offers PLAIN, SCRAM-SHA-256"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn scram_starts_with_the_client_first_message() {
        let (result, (mechanism, token)) =
            with_broker(SaslMechanism::ScramSha256, |mut s| async move {
                let mechanism = answer_handshake(&mut s, 0, &["SCRAM-SHA-256"]).await;
                let token = answer_authenticate(&mut s, 58, Some("no such user")).await;
                (mechanism, token)
            })
            .await;
        assert_eq!(mechanism, "SCRAM-SHA-256");
        let first = String::from_utf8(token).unwrap();
        assert!(first.starts_with("n,,n=alice,r="), "{first}");
        assert!(result.unwrap_err().to_string().contains("no such user"));
    }

    #[test]
    fn debug_hides_the_password() {
        let config = SaslConfig {
            mechanism: SaslMechanism::ScramSha512,
            username: "alice".into(),
            password: "secret".into(),
        };
        let text = format!("{config:?}");
        assert!(text.contains("alice") && !text.contains("secret"), "{text}");
        assert_eq!(SaslMechanism::ScramSha512.name(), "SCRAM-SHA-512");
    }
}
