//! [`AvroConverter`]: Confluent's `io.confluent.connect.avro.AvroConverter`.
//!
//! Writing: the Connect schema becomes an Avro schema through [`AvroData`], the subject is named
//! by the configured strategy, the schema id comes from the registry (registered, the latest
//! version, or looked up) and is cached, and the value is encoded by connect-avro's
//! [`AvroEncoder`](connect_avro::AvroEncoder) straight after the 5-byte header. Reading: the id
//! in the header names the writer schema (fetched once, then cached), and connect-avro's
//! [`AvroDecoder`](connect_avro::AvroDecoder) for it decodes the body straight into the Connect
//! data [`AvroData`] gives for it. Once a schema has been seen, neither direction makes an HTTP
//! call.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use async_trait::async_trait;
use bytes::Bytes;
use connect_api::config::{ConfigDef, ConfigMap};
use connect_api::data::{Schema, SchemaAndValue, Value};
use connect_api::error::Result;
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_avro::{AvroData, AvroDecoder, AvroSchema, CONNECT_VERSION_PROP};

use crate::client::RegistryClient;
use crate::config::{AvroConverterConfig, SubjectNameStrategy};
use crate::error::AvroConverterError;

/// Confluent's wire format: magic byte 0, a 4-byte big-endian schema id, the Avro body.
pub const MAGIC_BYTE: u8 = 0;
/// The length of the wire format header.
pub const HEADER_LEN: usize = 5;

/// How many (topic, schema) → id pairs are answered without hashing a schema.
const RECENT_SLOTS: usize = 8;
/// The largest buffer size carried over from one message to the next.
const MAX_SIZE_HINT: usize = 64 * 1024;
/// The fewest schemas by id kept, whatever `max.schemas.per.subject` says.
const MIN_ID_CACHE: usize = 1000;

/// Converts Connect data to and from Avro in Confluent's Schema Registry wire format, as
/// Confluent's `io.confluent.connect.avro.AvroConverter` does; as a key or as a value converter.
///
/// Configure it with [`Converter::configure`] (Confluent's keys: `schema.registry.url`,
/// `auto.register.schemas`, `use.latest.version`, `key.subject.name.strategy`,
/// `value.subject.name.strategy`, `basic.auth.*`, AvroData's `connect.meta.data`,
/// `enhanced.avro.schema.support`, ...; see [`AvroConverterConfig`]) or build it with
/// [`AvroConverter::with_config`]. The runtime resolves it by class name
/// (`io.confluent.connect.avro.AvroConverter`) and by the aliases `AvroConverter` and `Avro`.
///
/// - A null value is written as a null (a tombstone), whatever its schema; Confluent writes a
///   required schema's default instead, or fails when it has none.
/// - Values need a schema: schemaless data has no Avro form here.
/// - Reading null gives [`SchemaAndValue::NULL`]; bytes that do not start with the wire format
///   header are an error naming the topic and this converter.
/// - A Connect schema read back without `connect.version` gets the version under which the
///   registry holds it in the subject, as Confluent's does.
/// - Registry failures that may pass (unreachable, timeouts, 5xx) are retriable errors, after
///   the client's own retries; everything else is a data error.
///
/// ```no_run
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, SchemaBuilder, Struct};
/// use connect_api::header::Headers;
/// use connect_api::storage::Converter;
/// use connect_schema_registry::AvroConverter;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let mut converter = AvroConverter::new();
/// let props = ConfigMap::from([(
///     "schema.registry.url".to_owned(),
///     "http://localhost:8081".to_owned(),
/// )]);
/// converter.configure(&props, false)?; // a value converter: subject `users-value`
///
/// let schema = SchemaBuilder::struct_()
///     .name("User")
///     .field("name", Schema::string())
///     .field("age", Schema::int32())
///     .build()?;
/// let ann = Struct::new(schema.clone())?.with("name", "Ann")?.with("age", 30)?;
/// let mut headers = Headers::new();
/// let bytes = converter
///     .from_connect_data("users", &mut headers, Some(&schema), &ann.clone().into())
///     .await?;
/// let Some(bytes) = bytes else { return Ok(()) };
/// // Magic byte 0, the schema id the registry gave, then the Avro body: "Ann" and 30.
/// assert_eq!(bytes[0], 0);
/// assert_eq!(&bytes[5..], [0x06, b'A', b'n', b'n', 0x3c]);
///
/// let back = converter.to_connect_data("users", &headers, Some(&bytes)).await?;
/// assert_eq!(back.value.as_struct().map(|s| s.values().to_vec()), Some(ann.values().to_vec()));
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct AvroConverter {
    state: Option<Arc<State>>,
}

impl std::fmt::Debug for AvroConverter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.state {
            Some(state) => f
                .debug_struct("AvroConverter")
                .field("is_key", &state.is_key)
                .field("config", &state.config)
                .finish_non_exhaustive(),
            None => f.write_str("AvroConverter(unconfigured)"),
        }
    }
}

/// Everything a configured converter holds.
struct State {
    config: AvroConverterConfig,
    is_key: bool,
    strategy: SubjectNameStrategy,
    client: RegistryClient,
    avro_data: AvroData,
    /// The last (topic, Avro schema) pairs written and their ids, compared by pointer.
    recent: Mutex<VecDeque<RecentWrite>>,
    /// Subject → Avro schema text → id.
    ids: Mutex<HashMap<String, SubjectIds>>,
    /// Registry schemas by id.
    schemas: Mutex<HashMap<u32, Arc<AvroSchema>>>,
    /// Topic → schema id → what reading needs.
    reads: RwLock<HashMap<String, HashMap<u32, Arc<ReadEntry>>>>,
    /// The size of the last message written, to size the next buffer.
    size_hint: AtomicUsize,
}

struct RecentWrite {
    topic: String,
    avro: Arc<AvroSchema>,
    id: u32,
}

/// One subject's schema ids, oldest first for eviction.
#[derive(Default)]
struct SubjectIds {
    ids: HashMap<String, u32>,
    order: VecDeque<String>,
}

/// A writer schema's id and the decoder of its data into the Connect schema it is read with.
struct ReadEntry {
    id: u32,
    decoder: Arc<AvroDecoder>,
}

impl AvroConverter {
    /// The Java class name this converter answers to.
    pub const CLASS: &'static str = "io.confluent.connect.avro.AvroConverter";

    /// An unconfigured converter; [`Converter::configure`] makes it usable.
    pub fn new() -> Self {
        Self::default()
    }

    /// A converter with the given settings, as a key converter when `is_key`.
    ///
    /// # Errors
    ///
    /// [`AvroConverterError::Config`] when the registry client cannot be built from the
    /// settings (an invalid URL or header).
    pub fn with_config(
        config: AvroConverterConfig,
        is_key: bool,
    ) -> Result<Self, AvroConverterError> {
        let client =
            RegistryClient::new(&config).map_err(connect_api::error::ConfigError::other)?;
        let state = State {
            strategy: config.subject_name_strategy(is_key),
            avro_data: AvroData::new(config.avro_data.clone()),
            client,
            is_key,
            recent: Mutex::new(VecDeque::with_capacity(RECENT_SLOTS)),
            ids: Mutex::new(HashMap::new()),
            schemas: Mutex::new(HashMap::new()),
            reads: RwLock::new(HashMap::new()),
            size_hint: AtomicUsize::new(64),
            config,
        };
        Ok(Self {
            state: Some(Arc::new(state)),
        })
    }

    /// The settings in use, once configured.
    pub fn settings(&self) -> Option<&AvroConverterConfig> {
        self.state.as_deref().map(|s| &s.config)
    }

    /// Whether it converts keys (`Some(true)`) or values, once configured.
    pub fn is_key(&self) -> Option<bool> {
        self.state.as_deref().map(|s| s.is_key)
    }

    /// The registry client, once configured.
    pub fn registry(&self) -> Option<&RegistryClient> {
        self.state.as_deref().map(|s| &s.client)
    }

    /// Serializes a value of `topic` (Confluent's `fromConnectData`); `Ok(None)` for a null.
    pub async fn serialize(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>, AvroConverterError> {
        let state = self.state()?;
        if value.is_null() {
            return Ok(None);
        }
        let schema = schema.ok_or(AvroConverterError::SchemaRequired)?;
        let encoder = state.avro_data.encoder(schema)?;
        let avro = state.avro_data.from_connect_schema(schema)?;
        // Encode first, so that data that does not match its schema registers nothing.
        let mut out = Vec::with_capacity(HEADER_LEN + state.size_hint.load(Ordering::Relaxed));
        out.extend_from_slice(&[MAGIC_BYTE, 0, 0, 0, 0]);
        encoder.encode(value, &mut out)?;
        // The slow path is boxed: it holds HTTP futures, which would make every call's future
        // large.
        let id = match state.recent_id(topic, &avro) {
            Some(id) => id,
            None => Box::pin(state.schema_id(topic, &avro)).await?,
        };
        out[1..HEADER_LEN].copy_from_slice(&id.to_be_bytes());
        state
            .size_hint
            .store(out.len().min(MAX_SIZE_HINT), Ordering::Relaxed);
        Ok(Some(Bytes::from(out)))
    }

    /// Deserializes bytes of `topic` (Confluent's `toConnectData`); `None` gives
    /// [`SchemaAndValue::NULL`].
    pub async fn deserialize(
        &self,
        topic: &str,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue, AvroConverterError> {
        let state = self.state()?;
        let Some(data) = data else {
            return Ok(SchemaAndValue::NULL);
        };
        let id = schema_id_of(data)?;
        let entry = match state.cached_read(topic, id) {
            Some(entry) => entry,
            None => Box::pin(state.load_read(topic, id)).await?,
        };
        let body = &data[HEADER_LEN..];
        let value = entry
            .decoder
            .decode(body)
            .map_err(|e| AvroConverterError::Decode {
                id: entry.id,
                length: body.len(),
                message: e.to_string(),
            })?;
        Ok(SchemaAndValue::new(
            Some(entry.decoder.schema().clone()),
            value,
        ))
    }

    fn state(&self) -> Result<&State, AvroConverterError> {
        self.state
            .as_deref()
            .ok_or(AvroConverterError::NotConfigured)
    }

    /// What an error message says was being converted.
    fn context(&self, verb: &str, topic: &str) -> String {
        let part = match self.is_key() {
            Some(true) => "key",
            Some(false) => "value",
            None => "data",
        };
        format!(
            "Failed to {verb} the {part} of a record of topic '{topic}' with {}",
            Self::CLASS
        )
    }
}

/// The schema id of wire-format bytes, or what is wrong with them.
fn schema_id_of(data: &[u8]) -> Result<u32, AvroConverterError> {
    match data {
        [MAGIC_BYTE, a, b, c, d, ..] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        [] => Err(AvroConverterError::WireFormat {
            found: "no bytes at all (an empty message, not a null)".to_owned(),
        }),
        [MAGIC_BYTE, ..] => Err(AvroConverterError::WireFormat {
            found: format!("only {} byte(s), too few for the header", data.len()),
        }),
        [first, ..] => Err(AvroConverterError::WireFormat {
            found: format!(
                "magic byte 0x{first:02x}{} in {} byte(s)",
                printable_hint(*first),
                data.len()
            ),
        }),
    }
}

/// `('{')`-style hint for a first byte that is printable text, which suggests JSON or strings.
fn printable_hint(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!(" ('{}')", char::from(byte))
    } else {
        String::new()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    /// The id of `avro` written to `topic` when it is not among the recent pairs: from the
    /// subject cache, or the registry.
    async fn schema_id(
        &self,
        topic: &str,
        avro: &Arc<AvroSchema>,
    ) -> Result<u32, AvroConverterError> {
        let subject = self
            .strategy
            .subject(topic, self.is_key, avro)
            .map_err(AvroConverterError::Subject)?;
        let id = match self.cached_id(&subject, avro.text()) {
            Some(id) => id,
            None => {
                let id = self.fetch_id(&subject, avro).await?;
                self.remember_id(subject, avro.text(), id);
                id
            }
        };
        self.remember_recent(topic, avro, id);
        Ok(id)
    }

    fn recent_id(&self, topic: &str, avro: &Arc<AvroSchema>) -> Option<u32> {
        lock(&self.recent)
            .iter()
            .find(|slot| Arc::ptr_eq(&slot.avro, avro) && slot.topic == topic)
            .map(|slot| slot.id)
    }

    fn remember_recent(&self, topic: &str, avro: &Arc<AvroSchema>, id: u32) {
        let mut recent = lock(&self.recent);
        if recent.len() >= RECENT_SLOTS {
            recent.pop_back();
        }
        recent.push_front(RecentWrite {
            topic: topic.to_owned(),
            avro: avro.clone(),
            id,
        });
    }

    fn cached_id(&self, subject: &str, schema: &str) -> Option<u32> {
        lock(&self.ids)
            .get(subject)
            .and_then(|s| s.ids.get(schema).copied())
    }

    fn remember_id(&self, subject: String, schema: &str, id: u32) {
        let mut ids = lock(&self.ids);
        let cache = ids.entry(subject).or_default();
        if cache.ids.insert(schema.to_owned(), id).is_none() {
            cache.order.push_back(schema.to_owned());
            while cache.ids.len() > self.config.max_schemas_per_subject {
                match cache.order.pop_front() {
                    Some(oldest) => {
                        cache.ids.remove(&oldest);
                    }
                    None => break,
                }
            }
        }
    }

    /// Asks the registry for the id, as Confluent's serializer: register, else the latest
    /// version, else look the schema up.
    async fn fetch_id(&self, subject: &str, avro: &AvroSchema) -> Result<u32, AvroConverterError> {
        if self.config.auto_register_schemas {
            return Ok(self.client.register(subject, avro.text()).await?);
        }
        if self.config.use_latest_version {
            let latest = self.client.latest(subject).await?;
            let latest_avro = AvroSchema::parse_str(&latest.schema)?;
            // Same parsing canonical form: the same bytes for the same datum.
            if latest_avro.schema().canonical_form() == avro.schema().canonical_form() {
                return Ok(latest.id);
            }
            return Err(AvroConverterError::LatestMismatch {
                subject: subject.to_owned(),
                id: latest.id,
                version: latest.version,
                latest: latest.schema,
                ours: avro.text().to_owned(),
            });
        }
        Ok(self.client.lookup(subject, avro.text()).await?.id)
    }

    fn cached_read(&self, topic: &str, id: u32) -> Option<Arc<ReadEntry>> {
        self.reads
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(topic)
            .and_then(|by_id| by_id.get(&id).cloned())
    }

    /// Fetches the writer schema of `id`, finds its version under the subject when the schema
    /// carries none, and caches the decoder of its data.
    async fn load_read(&self, topic: &str, id: u32) -> Result<Arc<ReadEntry>, AvroConverterError> {
        let avro = self.writer_schema(id).await?;
        let version = self.version_of(topic, &avro).await?;
        let connect = self.avro_data.to_connect_schema_versioned(&avro, version)?;
        let decoder = avro.decoder(&connect)?;
        let entry = Arc::new(ReadEntry { id, decoder });
        let mut reads = self.reads.write().unwrap_or_else(PoisonError::into_inner);
        let by_id = reads.entry(topic.to_owned()).or_default();
        if by_id.len() >= self.config.max_schemas_per_subject {
            by_id.clear();
        }
        by_id.insert(id, entry.clone());
        Ok(entry)
    }

    async fn writer_schema(&self, id: u32) -> Result<Arc<AvroSchema>, AvroConverterError> {
        let hit = lock(&self.schemas).get(&id).cloned();
        if let Some(hit) = hit {
            return Ok(hit);
        }
        let registered = self.client.schema_by_id(id).await.map_err(|e| {
            if e.is_not_found() {
                AvroConverterError::UnknownSchemaId { id, source: e }
            } else {
                AvroConverterError::Registry(e)
            }
        })?;
        if let Some(kind) = registered
            .schema_type
            .as_deref()
            .filter(|kind| !kind.eq_ignore_ascii_case("AVRO"))
        {
            return Err(AvroConverterError::UnsupportedSchema {
                id,
                reason: format!("it is a {kind} schema, not an Avro one"),
            });
        }
        if !registered.references.is_empty() {
            return Err(AvroConverterError::UnsupportedSchema {
                id,
                reason: "it refers to other registered schemas (schema references), which \
                         this converter does not resolve"
                    .to_owned(),
            });
        }
        let parsed = AvroSchema::parse_str(&registered.schema).map_err(|e| {
            AvroConverterError::UnsupportedSchema {
                id,
                reason: e.to_string(),
            }
        })?;
        let parsed = Arc::new(parsed);
        let mut schemas = lock(&self.schemas);
        if schemas.len() >= self.config.max_schemas_per_subject.max(MIN_ID_CACHE) {
            schemas.clear();
        }
        schemas.insert(id, parsed.clone());
        Ok(parsed)
    }

    /// The version of `avro` under its subject, when the schema has no `connect.version` of its
    /// own (Confluent's deserializer looks it up the same way). A schema that is not registered
    /// under the subject (written with another subject name strategy) gets no version.
    async fn version_of(
        &self,
        topic: &str,
        avro: &AvroSchema,
    ) -> Result<Option<i32>, AvroConverterError> {
        if avro.json().get(CONNECT_VERSION_PROP).is_some() {
            return Ok(None);
        }
        let Ok(subject) = self.strategy.subject(topic, self.is_key, avro) else {
            return Ok(None);
        };
        match self.client.lookup(&subject, avro.text()).await {
            Ok(found) => Ok(Some(found.version)),
            // Only "not registered under this subject" means no version; refused credentials
            // or a broken answer are errors, not a schema silently read without its version.
            Err(error) if error.is_not_found() => {
                tracing::debug!("No schema version for topic {topic}: {error}");
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }
}

#[async_trait]
impl Converter for AvroConverter {
    fn configure(&mut self, configs: &ConfigMap, is_key: bool) -> Result<()> {
        let config = AvroConverterConfig::from_props(configs)?;
        *self = Self::with_config(config, is_key)
            .map_err(|e| e.into_connect(&format!("Failed to configure {}", Self::CLASS)))?;
        Ok(())
    }

    async fn from_connect_data(
        &self,
        topic: &str,
        _headers: &mut Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>> {
        self.serialize(topic, schema, value)
            .await
            .map_err(|e| e.into_connect(&self.context("serialize", topic)))
    }

    async fn to_connect_data(
        &self,
        topic: &str,
        _headers: &Headers,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        self.deserialize(topic, data)
            .await
            .map_err(|e| e.into_connect(&self.context("deserialize", topic)))
    }

    fn config(&self) -> ConfigDef {
        AvroConverterConfig::definition()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_checked() {
        assert_eq!(schema_id_of(&[0, 0, 0, 1, 2, 9]).unwrap(), 258);
        assert_eq!(schema_id_of(&[0, 0, 0, 0, 7]).unwrap(), 7);
        let err = schema_id_of(b"{\"a\":1}").unwrap_err().to_string();
        assert!(
            err.contains("found magic byte 0x7b ('{') in 7 byte(s)"),
            "{err}"
        );
        assert!(err.contains(AvroConverter::CLASS), "{err}");
        let err = schema_id_of(&[0, 0, 1]).unwrap_err().to_string();
        assert!(err.contains("only 3 byte(s)"), "{err}");
        let err = schema_id_of(&[]).unwrap_err().to_string();
        assert!(err.contains("no bytes at all"), "{err}");
    }

    #[test]
    fn the_definition_validates_like_the_rest_api() {
        let def = AvroConverter::new().config();
        let errors: Vec<String> = def
            .validate(&ConfigMap::from([(
                "value.subject.name.strategy".to_owned(),
                "Nope".to_owned(),
            )]))
            .into_iter()
            .flat_map(|info| info.errors)
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("Missing required configuration \"schema.registry.url\""));
        assert!(
            errors[1].contains("Class Nope could not be found"),
            "{errors:?}"
        );
        for key in [
            "auto.register.schemas",
            "use.latest.version",
            "key.subject.name.strategy",
            "basic.auth.credentials.source",
            "basic.auth.user.info",
            "max.schemas.per.subject",
            "connect.meta.data",
            "enhanced.avro.schema.support",
            "schemas.cache.config",
            "scrub.invalid.names",
        ] {
            assert!(def.contains(key), "{key}");
        }
    }

    #[tokio::test]
    async fn unconfigured_converters_say_so() {
        let converter = AvroConverter::new();
        let err = converter
            .from_connect_data("t", &mut Headers::new(), None, &Value::Int32(1))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("is not configured"), "{err}");
        assert!(format!("{converter:?}").contains("unconfigured"));
    }
}
