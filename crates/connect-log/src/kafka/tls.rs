//! Builds the rustls client configuration (ring provider) from a [`TlsConfig`].

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::config::{PemSource, TlsConfig, TrustStore};
use crate::LogError;

fn invalid(key: &str, message: impl std::fmt::Display) -> LogError {
    LogError::Invalid(format!("{key}: {message}"))
}

/// Reads PEM text from a file or takes it inline; errors name `key`.
async fn pem_bytes(source: &PemSource, key: &str) -> Result<Vec<u8>, LogError> {
    match source {
        PemSource::Inline(text) => Ok(text.as_bytes().to_vec()),
        PemSource::File(path) => tokio::fs::read(path)
            .await
            .map_err(|e| invalid(key, format!("cannot read {}: {e}", path.display()))),
    }
}

fn key_names(source: &PemSource, file_key: &'static str, inline_key: &'static str) -> &'static str {
    match source {
        PemSource::File(_) => file_key,
        PemSource::Inline(_) => inline_key,
    }
}

async fn certificates(
    source: &PemSource,
    key: &str,
) -> Result<Vec<CertificateDer<'static>>, LogError> {
    let pem = pem_bytes(source, key).await?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(key, format!("invalid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(invalid(
            key,
            "contains no PEM certificate (-----BEGIN CERTIFICATE-----); JKS and PKCS12 stores \
             are not supported, convert them to PEM",
        ));
    }
    Ok(certs)
}

/// The rustls configuration for `tls`, with the ring crypto provider (as rskafka uses).
pub(crate) async fn client_config(tls: &TlsConfig) -> Result<Arc<rustls::ClientConfig>, LogError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    match &tls.trust {
        TrustStore::System => {
            let loaded = tokio::task::spawn_blocking(rustls_native_certs::load_native_certs)
                .await
                .map_err(|e| LogError::Other(format!("loading the system certificates: {e}")))?;
            let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            if added == 0 {
                return Err(invalid(
                    "ssl.truststore.location",
                    "is not set and no system CA certificates were found; set \
                     ssl.truststore.location or ssl.truststore.certificates",
                ));
            }
        }
        TrustStore::Pem(source) => {
            let key = key_names(
                source,
                "ssl.truststore.location",
                "ssl.truststore.certificates",
            );
            for cert in certificates(source, key).await? {
                roots
                    .add(cert)
                    .map_err(|e| invalid(key, format!("unusable CA certificate: {e}")))?;
            }
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| LogError::Other(format!("TLS setup: {e}")))?;
    let builder = if tls.verify_hostname {
        builder.with_root_certificates(roots)
    } else {
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| invalid("ssl.truststore.location", e))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoHostnameVerification(inner)))
    };
    let config = match &tls.identity {
        None => builder.with_no_client_auth(),
        Some(identity) => {
            let chain_key = key_names(
                &identity.certificate_chain,
                "ssl.keystore.location",
                "ssl.keystore.certificate.chain",
            );
            let chain = certificates(&identity.certificate_chain, chain_key).await?;
            let key_key = key_names(
                &identity.private_key,
                "ssl.keystore.location",
                "ssl.keystore.key",
            );
            let pem = pem_bytes(&identity.private_key, key_key).await?;
            let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
                invalid(
                    key_key,
                    format!("no usable unencrypted PEM private key ({e}); encrypted keys are not supported"),
                )
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| invalid(key_key, format!("unusable client certificate or key: {e}")))?
        }
    };
    Ok(Arc::new(config))
}

/// Verifies the broker's certificate chain but not that it names the host
/// (`ssl.endpoint.identification.algorithm=`).
#[derive(Debug)]
struct NoHostnameVerification(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for NoHostnameVerification {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The chain is checked before the name: a name error means the chain is trusted.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kafka::config::ClientIdentity;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    // A test CA, a server certificate for DNS name `localhost` and a client certificate, all
    // signed by the CA (EC P-256, valid until 2125), made with openssl for these tests.
    pub(crate) const CA: &str = include_str!("testdata/ca.pem");
    pub(crate) const SERVER_CERT: &str = include_str!("testdata/server.pem");
    pub(crate) const SERVER_KEY: &str = include_str!("testdata/server.key");
    pub(crate) const CLIENT_CERT: &str = include_str!("testdata/client.pem");
    pub(crate) const CLIENT_KEY: &str = include_str!("testdata/client.key");

    /// A TLS echo server of one byte; requires a client certificate signed by the CA when
    /// `mtls`.
    pub(crate) async fn tls_server(
        mtls: bool,
    ) -> (String, tokio::task::JoinHandle<Result<(), String>>) {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs = CertificateDer::pem_slice_iter(SERVER_CERT.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(SERVER_KEY.as_bytes()).unwrap();
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if mtls {
            let mut roots = RootCertStore::empty();
            for c in CertificateDer::pem_slice_iter(CA.as_bytes()) {
                roots.add(c.unwrap()).unwrap();
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = builder.with_single_cert(certs, key).unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.map_err(|e| e.to_string())?;
            let mut tls = acceptor.accept(tcp).await.map_err(|e| e.to_string())?;
            let mut byte = [0u8; 1];
            tls.read_exact(&mut byte).await.map_err(|e| e.to_string())?;
            tls.write_all(&byte).await.map_err(|e| e.to_string())?;
            tls.shutdown().await.map_err(|e| e.to_string())?;
            Ok(())
        });
        (format!("{port}"), task)
    }

    /// Connects to `host:port` with `config` and echoes one byte.
    async fn handshake(
        config: Arc<rustls::ClientConfig>,
        host: &str,
        port: &str,
    ) -> Result<(), String> {
        let tcp = TcpStream::connect(format!("127.0.0.1:{port}"))
            .await
            .map_err(|e| e.to_string())?;
        let name = ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
        let mut tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())?;
        tls.write_all(b"x").await.map_err(|e| e.to_string())?;
        let mut byte = [0u8; 1];
        tls.read_exact(&mut byte).await.map_err(|e| e.to_string())?;
        assert_eq!(&byte, b"x");
        Ok(())
    }

    fn pem_trust() -> TlsConfig {
        TlsConfig {
            trust: TrustStore::Pem(PemSource::Inline(CA.to_owned())),
            identity: None,
            verify_hostname: true,
        }
    }

    #[tokio::test]
    async fn trusts_the_configured_ca_and_checks_the_host_name() {
        let config = client_config(&pem_trust()).await.unwrap();
        let (port, server) = tls_server(false).await;
        handshake(Arc::clone(&config), "localhost", &port)
            .await
            .unwrap();
        server.await.unwrap().unwrap();

        // The certificate names `localhost`, not 127.0.0.1.
        let (port, server) = tls_server(false).await;
        let err = handshake(config, "127.0.0.1", &port).await.unwrap_err();
        assert!(err.contains("not valid for name"), "{err}");
        server.abort();
    }

    #[tokio::test]
    async fn an_empty_endpoint_identification_algorithm_skips_only_the_name_check() {
        let mut tls = pem_trust();
        tls.verify_hostname = false;
        let config = client_config(&tls).await.unwrap();
        let (port, server) = tls_server(false).await;
        handshake(config, "127.0.0.1", &port).await.unwrap();
        server.await.unwrap().unwrap();

        // An untrusted chain is still refused: trust the client certificate's... nothing.
        tls.trust = TrustStore::Pem(PemSource::Inline(CLIENT_CERT.to_owned()));
        let config = client_config(&tls).await.unwrap();
        let (port, server) = tls_server(false).await;
        let err = handshake(config, "127.0.0.1", &port).await.unwrap_err();
        assert!(err.contains("UnknownIssuer"), "{err}");
        server.abort();
    }

    #[tokio::test]
    async fn mutual_tls_with_a_client_certificate() {
        let mut tls = pem_trust();
        let (port, server) = tls_server(true).await;
        let without = client_config(&tls).await.unwrap();
        // TLS 1.3: the server's refusal arrives with the first read.
        assert!(handshake(without, "localhost", &port).await.is_err());
        assert!(server.await.unwrap().is_err());

        let dir = tempfile::tempdir().unwrap();
        let keystore = dir.path().join("client.pem");
        std::fs::write(&keystore, format!("{CLIENT_KEY}{CLIENT_CERT}")).unwrap();
        tls.identity = Some(ClientIdentity {
            certificate_chain: PemSource::File(keystore.clone()),
            private_key: PemSource::File(keystore),
        });
        let with = client_config(&tls).await.unwrap();
        let (port, server) = tls_server(true).await;
        handshake(with, "localhost", &port).await.unwrap();
        server.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn unusable_pem_names_the_key() {
        let message = |r: Result<Arc<rustls::ClientConfig>, LogError>| match r {
            Err(LogError::Invalid(m)) => m,
            other => panic!("expected Invalid, got {other:?}"),
        };
        let mut tls = pem_trust();
        tls.trust = TrustStore::Pem(PemSource::File("/nonexistent/ca.pem".into()));
        let m = message(client_config(&tls).await);
        assert!(
            m.starts_with("ssl.truststore.location: cannot read /nonexistent/ca.pem"),
            "{m}"
        );

        let dir = tempfile::tempdir().unwrap();
        let jks = dir.path().join("trust");
        std::fs::write(&jks, [0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]).unwrap();
        tls.trust = TrustStore::Pem(PemSource::File(jks));
        let m = message(client_config(&tls).await);
        assert!(
            m.starts_with("ssl.truststore.location: contains no PEM certificate"),
            "{m}"
        );

        tls.trust = TrustStore::Pem(PemSource::Inline("not pem".into()));
        let m = message(client_config(&tls).await);
        assert!(
            m.starts_with("ssl.truststore.certificates: contains no PEM certificate"),
            "{m}"
        );

        let mut tls = pem_trust();
        tls.identity = Some(ClientIdentity {
            certificate_chain: PemSource::Inline(CLIENT_CERT.into()),
            private_key: PemSource::Inline(CLIENT_CERT.into()),
        });
        let m = message(client_config(&tls).await);
        assert!(
            m.starts_with("ssl.keystore.key: no usable unencrypted PEM private key"),
            "{m}"
        );
    }
}
