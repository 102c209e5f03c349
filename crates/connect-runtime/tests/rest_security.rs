//! Secrets over HTTP: PASSWORD-type values are `[hidden]` in every response that shows a
//! connector or task config, while the connector gets the real value; config provider
//! references are shown as they are and resolved for the connector.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::props;
use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::connector::{Connector, SourceConnector, SourceConnectorContext};
use connect_api::error::Result;
use connect_api::record::SourceRecord;
use connect_api::task::SourceTask;
use connect_runtime::config::WorkerConfig;
use connect_runtime::plugins::Plugins;
use connect_runtime::{Runtime, rest};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// A source connector with a PASSWORD key that remembers the props it was started with.
#[derive(Clone, Default)]
struct Secretive {
    started: Arc<Mutex<Vec<ConfigMap>>>,
}

#[async_trait]
impl Connector for Secretive {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        self.started.lock().unwrap().push(props.clone());
        Ok(())
    }
    fn task_configs(&self, _max: usize) -> Result<Vec<ConfigMap>> {
        Ok(vec![
            self.started
                .lock()
                .unwrap()
                .last()
                .cloned()
                .unwrap_or_default(),
        ])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
            .define(ConfigKey::string("connection.user").importance(Importance::High))
            .define(ConfigKey::password("connection.password").importance(Importance::High))
    }
}

impl SourceConnector for Secretive {
    fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(Idle)
    }
}

struct Idle;

#[async_trait]
impl SourceTask for Idle {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(Vec::new())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

async fn get(client: &Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn passwords_are_hidden_in_responses_and_references_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.properties");
    std::fs::write(&secrets, "db.password=from-file-s3cret\n").unwrap();
    let worker = WorkerConfig::standalone(props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        (
            "offset.storage.file.filename",
            dir.path().join("offsets").to_str().unwrap(),
        ),
        ("embedded.log.dir", dir.path().join("log").to_str().unwrap()),
        ("config.providers", "file"),
        ("config.providers.file.class", "FileConfigProvider"),
    ]))
    .unwrap();
    let connector = Secretive::default();
    let started = connector.started.clone();
    let plugins = Plugins::builtin()
        .with_source_connector("com.example.SecretiveSourceConnector", move || {
            Box::new(connector.clone())
        });
    let runtime = Runtime::builder(worker)
        .plugins(plugins)
        .build()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(rest::serve(runtime.clone(), listener, async move {
        let _ = stopped.await;
    }));
    let client = Client::new();

    // A plain password: hidden everywhere, given to the connector.
    let response = client
        .post(format!("{base}/connectors"))
        .json(&json!({"name": "plain", "config": {
            "connector.class": "com.example.SecretiveSourceConnector",
            "connection.user": "admin",
            "connection.password": "hunter2",
            // A converter's PASSWORD key is hidden as well.
            "value.converter": "io.confluent.connect.avro.AvroConverter",
            "value.converter.schema.registry.url": "http://127.0.0.1:9",
            "value.converter.basic.auth.credentials.source": "USER_INFO",
            "value.converter.basic.auth.user.info": "ann:conv-s3cret",
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["config"]["connection.password"], "[hidden]");
    assert_eq!(body["config"]["connection.user"], "admin");
    assert_eq!(
        started.lock().unwrap().last().unwrap()["connection.password"],
        "hunter2"
    );
    for path in [
        "/connectors/plain",
        "/connectors/plain/config",
        "/connectors?expand=info",
        "/connectors/plain/tasks",
        "/connectors/plain/tasks-config",
    ] {
        let (status, text) = get(&client, &format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        assert!(!text.contains("hunter2"), "{path}: {text}");
        assert!(!text.contains("conv-s3cret"), "{path}: {text}");
        assert!(text.contains("[hidden]"), "{path}: {text}");
        assert!(text.contains("admin"), "{path}: {text}");
    }

    // The validation endpoint shows PASSWORD values hidden too.
    let response = client
        .put(format!(
            "{base}/connector-plugins/com.example.SecretiveSourceConnector/config/validate"
        ))
        .json(&json!({
            "connector.class": "com.example.SecretiveSourceConnector",
            "connection.user": "admin",
            "connection.password": "hunter2",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(!text.contains("hunter2"), "{text}");

    // PATCH merges into the real config: the connector keeps its password.
    let response = client
        .patch(format!("{base}/connectors/plain/config"))
        .json(&json!({"connection.user": "root"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["config"]["connection.password"], "[hidden]");
    let last = started.lock().unwrap().last().unwrap().clone();
    assert_eq!(last["connection.password"], "hunter2");
    assert_eq!(last["connection.user"], "root");

    // A reference: shown as it is, resolved for the connector.
    let reference = format!("${{file:{}:db.password}}", secrets.display());
    let response = client
        .put(format!("{base}/connectors/referenced/config"))
        .json(&json!({
            "connector.class": "com.example.SecretiveSourceConnector",
            "connection.user": "app",
            "connection.password": reference,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["config"]["connection.password"], reference.as_str());
    assert_eq!(
        started.lock().unwrap().last().unwrap()["connection.password"],
        "from-file-s3cret"
    );
    for path in [
        "/connectors/referenced/config",
        "/connectors/referenced/tasks",
        "/connectors/referenced/tasks-config",
        "/connectors?expand=info",
    ] {
        let (status, text) = get(&client, &format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        assert!(!text.contains("from-file-s3cret"), "{path}: {text}");
        assert!(text.contains("db.password}"), "{path}: {text}");
    }

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    runtime.shutdown().await;
}

fn worker_with(dir: &std::path::Path, extra: &[(&str, &str)]) -> WorkerConfig {
    let mut map = props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        (
            "offset.storage.file.filename",
            dir.join("offsets").to_str().unwrap(),
        ),
        ("embedded.log.dir", dir.join("log").to_str().unwrap()),
    ]);
    map.extend(props(extra));
    WorkerConfig::standalone(map).unwrap()
}

/// One HTTP/1.1 GET over TLS trusting `cert`; the status code and the whole response.
async fn https_get(
    port: u16,
    cert: &rustls::pki_types::CertificateDer<'static>,
    path: &str,
    authorization: Option<&str>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut response = Vec::new();
    // The server may close without close_notify: keep what was read.
    let _ = tls.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn https_listener_with_basic_authentication() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let pem = dir.path().join("server.pem");
    std::fs::write(
        &pem,
        format!(
            "{}{}",
            generated.key_pair.serialize_pem(),
            generated.cert.pem()
        ),
    )
    .unwrap();
    let credentials = dir.path().join("credentials.properties");
    std::fs::write(&credentials, "alice=s3cret\n").unwrap();

    // An https:// listener without a keystore is refused with a clear message.
    let error = rest::ListenerSecurity::from_worker(&worker_with(
        dir.path(),
        &[("listeners", "https://127.0.0.1:0")],
    ))
    .unwrap_err()
    .to_string();
    assert!(error.contains("ssl.keystore.location"), "{error}");

    let worker = worker_with(
        dir.path(),
        &[
            ("listeners", "https://127.0.0.1:0"),
            (
                "listeners.https.ssl.keystore.location",
                pem.to_str().unwrap(),
            ),
            (
                "rest.basic.auth.credentials.file",
                credentials.to_str().unwrap(),
            ),
        ],
    );
    let security = rest::ListenerSecurity::from_worker(&worker).unwrap();
    let runtime = Runtime::builder(worker).build().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = {
        let (runtime, security) = (runtime.clone(), security.clone());
        tokio::spawn(async move {
            security
                .serve(runtime, listener, true, async move {
                    let _ = stopped.await;
                })
                .await
        })
    };
    let cert = generated.cert.der().clone();
    let basic = |user_password: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_password)
        )
    };

    let (status, text) = https_get(port, &cert, "/connectors", None).await;
    assert_eq!(status, 401, "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("www-authenticate: basic realm=\"connect\""),
        "{text}"
    );
    assert!(text.contains("\"error_code\":401"), "{text}");
    let (status, text) = https_get(port, &cert, "/connectors", Some(&basic("alice:wrong"))).await;
    assert_eq!(status, 401, "{text}");
    let (status, text) = https_get(port, &cert, "/connectors", Some(&basic("alice:s3cret"))).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.ends_with("[]"), "{text}");

    // Plain HTTP is not answered on the TLS listener.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/connectors"))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    runtime.shutdown().await;
}
