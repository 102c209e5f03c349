//! [`KafkaConfig`]: the Kafka client settings, read from Kafka's own client config keys.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::protocol::{SaslConfig, SaslMechanism, split_host_port};
use crate::LogError;

const PLAIN_LOGIN_MODULE: &str = "org.apache.kafka.common.security.plain.PlainLoginModule";
const SCRAM_LOGIN_MODULE: &str = "org.apache.kafka.common.security.scram.ScramLoginModule";

/// How a [`KafkaLog`](super::KafkaLog) connects to the cluster.
///
/// Build it with [`KafkaConfig::from_properties`] from the usual Kafka client keys, or with
/// [`KafkaConfig::new`] and the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaConfig {
    /// `bootstrap.servers`: `host:port` of one or more brokers.
    pub bootstrap_servers: Vec<String>,
    /// `client.id` sent to the brokers (default `kconnect`).
    pub client_id: String,
    /// TLS settings, for `security.protocol` `SSL` and `SASL_SSL`.
    pub tls: Option<TlsConfig>,
    /// SASL credentials, for `security.protocol` `SASL_PLAINTEXT` and `SASL_SSL`.
    pub sasl: Option<SaslConfig>,
    /// `request.timeout.ms` (default 30 s): how long one request may wait for its response.
    pub request_timeout: Duration,
    /// `default.api.timeout.ms` (default 30 s, the Java client's is 60 s): how long an
    /// operation keeps retrying transient failures (a broker down, a leader or coordinator
    /// moving) before it fails with [`LogError::Retriable`].
    pub api_timeout: Duration,
    /// `retry.backoff.ms` (default 100 ms): the first wait between retries; it doubles.
    pub retry_backoff: Duration,
    /// `retry.backoff.max.ms` (default 1 s): the longest wait between retries.
    pub retry_backoff_max: Duration,
    /// `compression.type` for appended records (default `none`).
    pub compression: CompressionType,
}

/// The codec records are compressed with when appended (`compression.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompressionType {
    /// `none`.
    #[default]
    None,
    /// `gzip`.
    Gzip,
    /// `snappy`.
    Snappy,
    /// `lz4`.
    Lz4,
    /// `zstd`.
    Zstd,
}

/// TLS settings (`ssl.*`); certificates and keys are PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// The certificates trusted to sign the brokers' certificates.
    pub trust: TrustStore,
    /// The client certificate and key, for brokers that require client authentication.
    pub identity: Option<ClientIdentity>,
    /// Whether the broker certificate must name the host connected to
    /// (`ssl.endpoint.identification.algorithm=https`, the default; empty disables it).
    pub verify_hostname: bool,
}

/// Trusted certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustStore {
    /// The operating system's trusted certificates (when no truststore is configured).
    System,
    /// PEM certificates: `ssl.truststore.location` or `ssl.truststore.certificates`.
    Pem(PemSource),
}

/// Where PEM text comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum PemSource {
    /// A file, read when connecting.
    File(PathBuf),
    /// The PEM text itself (from a config value).
    Inline(String),
}

impl std::fmt::Debug for PemSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            // May hold a private key.
            Self::Inline(_) => f.write_str("Inline(..)"),
        }
    }
}

/// A client certificate chain and its private key (mutual TLS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The certificate chain, leaf first.
    pub certificate_chain: PemSource,
    /// The unencrypted private key (PKCS#8, PKCS#1 or SEC1).
    pub private_key: PemSource,
}

/// The protocol of the broker listener (`security.protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityProtocol {
    /// `PLAINTEXT`.
    Plaintext,
    /// `SSL`.
    Ssl,
    /// `SASL_PLAINTEXT`.
    SaslPlaintext,
    /// `SASL_SSL`.
    SaslSsl,
}

fn invalid(key: &str, message: impl std::fmt::Display) -> LogError {
    LogError::Invalid(format!("{key}: {message}"))
}

/// Reads a duration in milliseconds.
fn millis(props: &BTreeMap<String, String>, key: &str, default: u64) -> Result<Duration, LogError> {
    match props.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(Duration::from_millis(default)),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis)
            .ok_or_else(|| {
                invalid(
                    key,
                    format!("{v:?} is not a positive number of milliseconds"),
                )
            }),
    }
}

/// A config value, `None` when absent or blank.
fn get<'a>(props: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    props.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

impl KafkaConfig {
    /// A plaintext configuration for these bootstrap servers, with the defaults.
    pub fn new(bootstrap_servers: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            bootstrap_servers: bootstrap_servers.into_iter().map(Into::into).collect(),
            client_id: "kconnect".to_owned(),
            tls: None,
            sasl: None,
            request_timeout: Duration::from_secs(30),
            api_timeout: Duration::from_secs(30),
            retry_backoff: Duration::from_millis(100),
            retry_backoff_max: Duration::from_secs(1),
            compression: CompressionType::None,
        }
    }

    /// The listener protocol these settings speak.
    pub fn security_protocol(&self) -> SecurityProtocol {
        match (&self.tls, &self.sasl) {
            (None, None) => SecurityProtocol::Plaintext,
            (Some(_), None) => SecurityProtocol::Ssl,
            (None, Some(_)) => SecurityProtocol::SaslPlaintext,
            (Some(_), Some(_)) => SecurityProtocol::SaslSsl,
        }
    }

    /// Reads the Kafka client keys: `bootstrap.servers` (required), `client.id`,
    /// `security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, `ssl.truststore.*`,
    /// `ssl.keystore.*`, `ssl.endpoint.identification.algorithm`, `request.timeout.ms`,
    /// `default.api.timeout.ms`, `retry.backoff.ms`, `retry.backoff.max.ms` and
    /// `compression.type`. Other keys are ignored. Files are only named here; they are read
    /// when connecting.
    ///
    /// Not supported, each with an error naming the key: SASL `GSSAPI` (Kerberos, the Java
    /// client's default mechanism) and `OAUTHBEARER`; JKS and PKCS12 stores (convert them to
    /// PEM); encrypted private keys (`ssl.key.password`).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use connect_log::kafka::{KafkaConfig, SecurityProtocol};
    ///
    /// let props: BTreeMap<String, String> = [
    ///     ("bootstrap.servers", "kafka-1:9093,kafka-2:9093"),
    ///     ("security.protocol", "SASL_SSL"),
    ///     ("sasl.mechanism", "SCRAM-SHA-512"),
    ///     (
    ///         "sasl.jaas.config",
    ///         r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="s3cret";"#,
    ///     ),
    ///     ("ssl.truststore.type", "PEM"),
    ///     ("ssl.truststore.location", "/etc/kafka/ca.pem"),
    /// ]
    /// .into_iter()
    /// .map(|(k, v)| (k.to_owned(), v.to_owned()))
    /// .collect();
    /// let config = KafkaConfig::from_properties(&props)?;
    /// assert_eq!(config.bootstrap_servers, ["kafka-1:9093", "kafka-2:9093"]);
    /// assert_eq!(config.security_protocol(), SecurityProtocol::SaslSsl);
    /// assert_eq!(config.sasl.unwrap().username, "connect");
    /// # Ok::<(), connect_log::LogError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`LogError::Invalid`] naming the offending key.
    pub fn from_properties(props: &BTreeMap<String, String>) -> Result<KafkaConfig, LogError> {
        const BOOTSTRAP: &str = "bootstrap.servers";
        let bootstrap = get(props, BOOTSTRAP).ok_or_else(|| invalid(BOOTSTRAP, "is required"))?;
        let mut servers = Vec::new();
        for server in bootstrap
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if split_host_port(server).is_none() {
                return Err(invalid(BOOTSTRAP, format!("{server:?} is not host:port")));
            }
            servers.push(server.to_owned());
        }
        if servers.is_empty() {
            return Err(invalid(BOOTSTRAP, "is required"));
        }
        let mut config = KafkaConfig::new(servers);
        if let Some(id) = get(props, "client.id") {
            id.clone_into(&mut config.client_id);
        }
        config.request_timeout = millis(props, "request.timeout.ms", 30_000)?;
        config.api_timeout = millis(props, "default.api.timeout.ms", 30_000)?;
        config.retry_backoff = millis(props, "retry.backoff.ms", 100)?;
        config.retry_backoff_max =
            millis(props, "retry.backoff.max.ms", 1_000)?.max(config.retry_backoff);
        config.compression = match get(props, "compression.type")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("none") => CompressionType::None,
            Some("gzip") => CompressionType::Gzip,
            Some("snappy") => CompressionType::Snappy,
            Some("lz4") => CompressionType::Lz4,
            Some("zstd") => CompressionType::Zstd,
            Some(other) => {
                return Err(invalid(
                    "compression.type",
                    format!("{other:?} is not one of none, gzip, snappy, lz4, zstd"),
                ));
            }
        };
        const PROTOCOL: &str = "security.protocol";
        let protocol = match get(props, PROTOCOL).map(str::to_ascii_uppercase).as_deref() {
            None | Some("PLAINTEXT") => SecurityProtocol::Plaintext,
            Some("SSL") => SecurityProtocol::Ssl,
            Some("SASL_PLAINTEXT") => SecurityProtocol::SaslPlaintext,
            Some("SASL_SSL") => SecurityProtocol::SaslSsl,
            Some(other) => {
                return Err(invalid(
                    PROTOCOL,
                    format!("{other:?} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"),
                ));
            }
        };
        if matches!(protocol, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl) {
            config.tls = Some(tls_from_properties(props)?);
        }
        if matches!(
            protocol,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        ) {
            config.sasl = Some(sasl_from_properties(props)?);
        }
        Ok(config)
    }

    /// `kafka (host:port,...)`.
    pub fn describe(&self) -> String {
        format!("kafka ({})", self.bootstrap_servers.join(","))
    }

    /// Builds the rustls client configuration of [`KafkaConfig::tls`], reading the PEM files
    /// (and the system's trusted certificates when no truststore is configured).
    ///
    /// # Errors
    ///
    /// [`LogError::Invalid`] naming the config key whose file or PEM text is unusable.
    pub async fn rustls_config(&self) -> Result<Option<Arc<rustls::ClientConfig>>, LogError> {
        match &self.tls {
            None => Ok(None),
            Some(tls) => super::tls::client_config(tls).await.map(Some),
        }
    }
}

fn store_type(props: &BTreeMap<String, String>, key: &str, store: &str) -> Result<(), LogError> {
    match get(props, key).map(str::to_ascii_uppercase).as_deref() {
        None | Some("PEM") => Ok(()),
        Some(other @ ("JKS" | "PKCS12")) => Err(invalid(
            key,
            format!(
                "{other} {store}s are not supported; convert the {store} to PEM \
                 (for example with keytool -exportcert -rfc, or openssl pkcs12) and set {key}=PEM"
            ),
        )),
        Some(other) => Err(invalid(key, format!("{other:?} is not supported; use PEM"))),
    }
}

/// A file named in `key`, refused when its name says JKS/PKCS12.
fn pem_file(key: &str, path: &str) -> Result<PemSource, LogError> {
    let lower = path.to_ascii_lowercase();
    if [".jks", ".p12", ".pfx", ".keystore", ".truststore"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        return Err(invalid(
            key,
            format!(
                "{path} looks like a JKS/PKCS12 store, which is not supported; convert it to PEM"
            ),
        ));
    }
    Ok(PemSource::File(PathBuf::from(path)))
}

fn tls_from_properties(props: &BTreeMap<String, String>) -> Result<TlsConfig, LogError> {
    store_type(props, "ssl.truststore.type", "truststore")?;
    store_type(props, "ssl.keystore.type", "keystore")?;
    let trust = match (
        get(props, "ssl.truststore.location"),
        get(props, "ssl.truststore.certificates"),
    ) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "ssl.truststore.certificates",
                "set either ssl.truststore.location or ssl.truststore.certificates, not both",
            ));
        }
        (Some(path), None) => TrustStore::Pem(pem_file("ssl.truststore.location", path)?),
        (None, Some(pem)) => TrustStore::Pem(PemSource::Inline(pem.to_owned())),
        (None, None) => TrustStore::System,
    };
    if get(props, "ssl.key.password").is_some() {
        return Err(invalid(
            "ssl.key.password",
            "encrypted private keys are not supported; provide an unencrypted PEM key",
        ));
    }
    let identity = match (
        get(props, "ssl.keystore.location"),
        get(props, "ssl.keystore.key"),
        get(props, "ssl.keystore.certificate.chain"),
    ) {
        (None, None, None) => None,
        (Some(path), None, None) => {
            let source = pem_file("ssl.keystore.location", path)?;
            Some(ClientIdentity {
                certificate_chain: source.clone(),
                private_key: source,
            })
        }
        (None, Some(key), Some(chain)) => Some(ClientIdentity {
            certificate_chain: PemSource::Inline(chain.to_owned()),
            private_key: PemSource::Inline(key.to_owned()),
        }),
        (None, Some(_), None) => {
            return Err(invalid(
                "ssl.keystore.certificate.chain",
                "is required when ssl.keystore.key is set",
            ));
        }
        (None, None, Some(_)) => {
            return Err(invalid(
                "ssl.keystore.key",
                "is required when ssl.keystore.certificate.chain is set",
            ));
        }
        (Some(_), _, _) => {
            return Err(invalid(
                "ssl.keystore.location",
                "set either ssl.keystore.location or ssl.keystore.key with \
                 ssl.keystore.certificate.chain, not both",
            ));
        }
    };
    const ENDPOINT: &str = "ssl.endpoint.identification.algorithm";
    let verify_hostname = match props
        .get(ENDPOINT)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("https") => true,
        Some("") => false,
        Some(other) => {
            return Err(invalid(
                ENDPOINT,
                format!("{other:?} is not supported; use https or an empty value"),
            ));
        }
    };
    Ok(TlsConfig {
        trust,
        identity,
        verify_hostname,
    })
}

fn sasl_from_properties(props: &BTreeMap<String, String>) -> Result<SaslConfig, LogError> {
    const MECHANISM: &str = "sasl.mechanism";
    const JAAS: &str = "sasl.jaas.config";
    let (mechanism, module) = match get(props, MECHANISM)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("PLAIN") => (SaslMechanism::Plain, PLAIN_LOGIN_MODULE),
        Some("SCRAM-SHA-256") => (SaslMechanism::ScramSha256, SCRAM_LOGIN_MODULE),
        Some("SCRAM-SHA-512") => (SaslMechanism::ScramSha512, SCRAM_LOGIN_MODULE),
        None | Some("GSSAPI") => {
            return Err(invalid(
                MECHANISM,
                "GSSAPI (Kerberos, the default when sasl.mechanism is not set) is not \
                 supported; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
            ));
        }
        Some("OAUTHBEARER") => {
            return Err(invalid(
                MECHANISM,
                "OAUTHBEARER is not supported; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
            ));
        }
        Some(other) => {
            return Err(invalid(
                MECHANISM,
                format!("{other:?} is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"),
            ));
        }
    };
    let jaas = get(props, JAAS).ok_or_else(|| {
        invalid(
            JAAS,
            format!(
                "is required for SASL {}: {module} required username=\"...\" password=\"...\";",
                mechanism.name()
            ),
        )
    })?;
    let (class, mut options) = parse_jaas(jaas).map_err(|e| invalid(JAAS, e))?;
    if class != module {
        return Err(invalid(
            JAAS,
            format!(
                "login module {class} does not fit sasl.mechanism={}; use {module}",
                mechanism.name()
            ),
        ));
    }
    let mut take = |name: &str| {
        options
            .remove(name)
            .ok_or_else(|| invalid(JAAS, format!("{module} needs a {name} option")))
    };
    let username = take("username")?;
    let password = take("password")?;
    Ok(SaslConfig {
        mechanism,
        username,
        password,
    })
}

/// Parses a one-module JAAS configuration: `class flag (name=value)* ;` with values quoted
/// (`"..."`, backslash escapes) or bare.
fn parse_jaas(text: &str) -> Result<(String, BTreeMap<String, String>), String> {
    let mut chars = text.chars().peekable();
    let mut tokens: Vec<(String, bool)> = Vec::new(); // (text, was quoted)
    let mut ended = false;
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if ended {
            return Err("only one login module is supported (text after ';')".to_owned());
        } else if c == ';' {
            chars.next();
            ended = true;
        } else if c == '=' {
            chars.next();
            tokens.push(("=".to_owned(), false));
        } else if c == '"' {
            chars.next();
            let mut value = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated quoted value".to_owned()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(escaped) => value.push(escaped),
                        None => return Err("unterminated quoted value".to_owned()),
                    },
                    Some(other) => value.push(other),
                }
            }
            tokens.push((value, true));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '=' || c == ';' || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            tokens.push((word, false));
        }
    }
    let mut tokens = tokens.into_iter();
    let class = match tokens.next() {
        Some((class, false)) => class,
        _ => return Err("expected a login module class name".to_owned()),
    };
    match tokens.next() {
        Some((flag, false))
            if ["required", "requisite", "sufficient", "optional"]
                .contains(&flag.to_ascii_lowercase().as_str()) => {}
        _ => {
            return Err(format!(
                "expected a control flag (required, requisite, sufficient, optional) after {class}"
            ));
        }
    }
    let mut options = BTreeMap::new();
    while let Some((name, quoted)) = tokens.next() {
        if quoted || name == "=" {
            return Err(format!("expected an option name, found {name:?}"));
        }
        if !matches!(tokens.next(), Some((eq, false)) if eq == "=") {
            return Err(format!("expected '=' after option {name}"));
        }
        let Some((value, _)) = tokens.next() else {
            return Err(format!("expected a value for option {name}"));
        };
        options.insert(name, value);
    }
    Ok((class, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        match KafkaConfig::from_properties(&props(pairs)) {
            Err(LogError::Invalid(message)) => message,
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    const BOOT: (&str, &str) = ("bootstrap.servers", "a:9092");
    const PLAIN_JAAS: &str = r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="p\"w;d";"#;

    #[test]
    fn defaults() {
        let config =
            KafkaConfig::from_properties(&props(&[("bootstrap.servers", " a:9092 , [::1]:9093,")]))
                .unwrap();
        assert_eq!(config.bootstrap_servers, ["a:9092", "[::1]:9093"]);
        assert_eq!(config.client_id, "kconnect");
        assert_eq!(config.security_protocol(), SecurityProtocol::Plaintext);
        assert_eq!(config.request_timeout, Duration::from_secs(30));
        assert_eq!(config.api_timeout, Duration::from_secs(30));
        assert_eq!(config.retry_backoff, Duration::from_millis(100));
        assert_eq!(config.retry_backoff_max, Duration::from_secs(1));
        assert_eq!(config.compression, CompressionType::None);
        assert_eq!(config.describe(), "kafka (a:9092,[::1]:9093)");
    }

    #[test]
    fn plain_settings() {
        let config = KafkaConfig::from_properties(&props(&[
            BOOT,
            ("client.id", "worker-1"),
            ("request.timeout.ms", "5000"),
            ("default.api.timeout.ms", "7000"),
            ("retry.backoff.ms", "50"),
            ("retry.backoff.max.ms", "2000"),
            ("compression.type", "ZSTD"),
            // ssl keys are ignored on a PLAINTEXT listener, as the Java client does.
            ("ssl.truststore.type", "JKS"),
        ]))
        .unwrap();
        assert_eq!(config.client_id, "worker-1");
        assert_eq!(config.request_timeout, Duration::from_secs(5));
        assert_eq!(config.api_timeout, Duration::from_secs(7));
        assert_eq!(config.retry_backoff, Duration::from_millis(50));
        assert_eq!(config.retry_backoff_max, Duration::from_secs(2));
        assert_eq!(config.compression, CompressionType::Zstd);
        assert!(config.tls.is_none());
    }

    #[test]
    fn basic_errors_name_their_key() {
        assert_eq!(error(&[]), "bootstrap.servers: is required");
        assert_eq!(
            error(&[("bootstrap.servers", " , ")]),
            "bootstrap.servers: is required"
        );
        assert_eq!(
            error(&[("bootstrap.servers", "a:9092,b")]),
            "bootstrap.servers: \"b\" is not host:port"
        );
        assert!(error(&[BOOT, ("request.timeout.ms", "soon")]).starts_with("request.timeout.ms: "));
        assert!(
            error(&[BOOT, ("default.api.timeout.ms", "0")]).starts_with("default.api.timeout.ms: ")
        );
        assert_eq!(
            error(&[BOOT, ("compression.type", "brotli")]),
            "compression.type: \"brotli\" is not one of none, gzip, snappy, lz4, zstd"
        );
        assert!(
            error(&[BOOT, ("security.protocol", "TLS")]).starts_with("security.protocol: \"TLS\"")
        );
    }

    #[test]
    fn sasl_plain() {
        let config = KafkaConfig::from_properties(&props(&[
            BOOT,
            ("security.protocol", "sasl_plaintext"),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.jaas.config", PLAIN_JAAS),
        ]))
        .unwrap();
        assert_eq!(config.security_protocol(), SecurityProtocol::SaslPlaintext);
        let sasl = config.sasl.unwrap();
        assert_eq!(sasl.mechanism, SaslMechanism::Plain);
        assert_eq!(sasl.username, "alice");
        assert_eq!(sasl.password, "p\"w;d");
        assert!(
            !format!("{sasl:?}").contains("p\\\"w"),
            "Debug must not show the password"
        );
    }

    #[test]
    fn sasl_scram() {
        for (mechanism, expected) in [
            ("SCRAM-SHA-256", SaslMechanism::ScramSha256),
            ("SCRAM-SHA-512", SaslMechanism::ScramSha512),
        ] {
            let config = KafkaConfig::from_properties(&props(&[
                BOOT,
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanism", mechanism),
                (
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=bob\n  password=\"x y\";",
                ),
            ]))
            .unwrap();
            assert_eq!(config.security_protocol(), SecurityProtocol::SaslSsl);
            let sasl = config.sasl.unwrap();
            assert_eq!(
                (
                    sasl.mechanism,
                    sasl.username.as_str(),
                    sasl.password.as_str()
                ),
                (expected, "bob", "x y")
            );
            assert_eq!(config.tls.unwrap().trust, TrustStore::System);
        }
    }

    #[test]
    fn sasl_errors() {
        let sasl = ("security.protocol", "SASL_PLAINTEXT");
        assert!(error(&[BOOT, sasl]).starts_with("sasl.mechanism: GSSAPI (Kerberos"));
        assert!(error(&[BOOT, sasl, ("sasl.mechanism", "GSSAPI")]).contains("not supported"));
        assert!(
            error(&[BOOT, sasl, ("sasl.mechanism", "OAUTHBEARER")])
                .starts_with("sasl.mechanism: OAUTHBEARER is not supported")
        );
        assert!(
            error(&[BOOT, sasl, ("sasl.mechanism", "PLAIN")])
                .starts_with("sasl.jaas.config: is required")
        );
        let wrong_module = error(&[
            BOOT,
            sasl,
            ("sasl.mechanism", "SCRAM-SHA-256"),
            ("sasl.jaas.config", PLAIN_JAAS),
        ]);
        assert!(wrong_module.starts_with("sasl.jaas.config: login module org.apache.kafka.common.security.plain.PlainLoginModule does not fit"), "{wrong_module}");
        let no_password = error(&[
            BOOT,
            sasl,
            ("sasl.mechanism", "PLAIN"),
            (
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\";",
            ),
        ]);
        assert!(
            no_password.starts_with("sasl.jaas.config: ") && no_password.contains("password"),
            "{no_password}"
        );
    }

    #[test]
    fn jaas_parsing() {
        let (class, options) = parse_jaas(PLAIN_JAAS).unwrap();
        assert_eq!(class, PLAIN_LOGIN_MODULE);
        assert_eq!(options["username"], "alice");
        // The trailing ';' may be left out; flags are case-insensitive.
        let (_, options) = parse_jaas("m.M Required a=1 b = \"2\"").unwrap();
        assert_eq!(options["a"], "1");
        assert_eq!(options["b"], "2");
        assert!(
            parse_jaas("m.M required a=\"x")
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(parse_jaas("m.M a=1;").unwrap_err().contains("control flag"));
        assert!(parse_jaas("m.M required a 1;").unwrap_err().contains("'='"));
        assert!(
            parse_jaas("m.M required a=;")
                .unwrap_err()
                .contains("value")
        );
        assert!(
            parse_jaas("m.M required; n.N required;")
                .unwrap_err()
                .contains("one login module")
        );
        assert!(parse_jaas("").unwrap_err().contains("class name"));
    }

    #[test]
    fn tls_settings() {
        let ssl = ("security.protocol", "SSL");
        let config = KafkaConfig::from_properties(&props(&[
            BOOT,
            ssl,
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.location", "/etc/ca.pem"),
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.location", "/etc/me.pem"),
            ("ssl.endpoint.identification.algorithm", ""),
        ]))
        .unwrap();
        let tls = config.tls.unwrap();
        assert_eq!(
            tls.trust,
            TrustStore::Pem(PemSource::File("/etc/ca.pem".into()))
        );
        let identity = tls.identity.unwrap();
        assert_eq!(
            identity.certificate_chain,
            PemSource::File("/etc/me.pem".into())
        );
        assert_eq!(identity.private_key, PemSource::File("/etc/me.pem".into()));
        assert!(!tls.verify_hostname);

        let config = KafkaConfig::from_properties(&props(&[
            BOOT,
            ssl,
            (
                "ssl.truststore.certificates",
                "-----BEGIN CERTIFICATE-----...",
            ),
            ("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----..."),
            (
                "ssl.keystore.certificate.chain",
                "-----BEGIN CERTIFICATE-----...",
            ),
        ]))
        .unwrap();
        let tls = config.tls.unwrap();
        assert!(matches!(tls.trust, TrustStore::Pem(PemSource::Inline(_))));
        assert!(tls.verify_hostname);
        assert!(
            matches!(tls.identity.unwrap().private_key, PemSource::Inline(ref k) if k.contains("PRIVATE KEY"))
        );
        assert!(!format!("{:?}", PemSource::Inline("secret".into())).contains("secret"));
    }

    #[test]
    fn tls_errors_name_their_key() {
        let ssl = ("security.protocol", "SSL");
        let jks = error(&[
            BOOT,
            ssl,
            ("ssl.truststore.type", "JKS"),
            ("ssl.truststore.location", "/t.jks"),
        ]);
        assert!(jks.starts_with("ssl.truststore.type: JKS truststores are not supported; convert the truststore to PEM"), "{jks}");
        let p12 = error(&[BOOT, ssl, ("ssl.keystore.type", "pkcs12")]);
        assert!(
            p12.starts_with("ssl.keystore.type: PKCS12 keystores are not supported")
                && p12.contains("ssl.keystore.type=PEM"),
            "{p12}"
        );
        let by_name = error(&[
            BOOT,
            ssl,
            (
                "ssl.truststore.location",
                "/etc/kafka/client.truststore.jks",
            ),
        ]);
        assert!(by_name.starts_with("ssl.truststore.location: /etc/kafka/client.truststore.jks looks like a JKS/PKCS12 store"), "{by_name}");
        assert!(
            error(&[
                BOOT,
                ssl,
                ("ssl.truststore.location", "/a.pem"),
                ("ssl.truststore.certificates", "x")
            ])
            .starts_with("ssl.truststore.certificates: ")
        );
        assert!(
            error(&[BOOT, ssl, ("ssl.keystore.key", "k")])
                .starts_with("ssl.keystore.certificate.chain: is required")
        );
        assert!(
            error(&[BOOT, ssl, ("ssl.keystore.certificate.chain", "c")])
                .starts_with("ssl.keystore.key: is required")
        );
        assert!(
            error(&[
                BOOT,
                ssl,
                ("ssl.keystore.location", "/k.pem"),
                ("ssl.keystore.key", "k")
            ])
            .starts_with("ssl.keystore.location: ")
        );
        assert!(
            error(&[BOOT, ssl, ("ssl.key.password", "pw")])
                .starts_with("ssl.key.password: encrypted private keys are not supported")
        );
        assert!(
            error(&[BOOT, ssl, ("ssl.endpoint.identification.algorithm", "ldap")])
                .starts_with("ssl.endpoint.identification.algorithm: ")
        );
    }
}
