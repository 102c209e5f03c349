//! Config providers (KIP-297): see [`ConfigProviders`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, LazyLock};

use connect_api::config::ConfigMap;
use connect_api::error::ConfigError;
use regex::Regex;

use super::{ConnectorConfig, WorkerConfig};

/// Kafka's `ConfigTransformer.DEFAULT_PATTERN`.
static PATTERN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").ok());

/// The key listing the worker's providers.
pub const CONFIG_PROVIDERS: &str = "config.providers";

/// Whether `value` holds a `${provider:path:key}` reference.
pub fn has_reference(value: &str) -> bool {
    PATTERN.as_ref().is_some_and(|p| p.is_match(value))
}

/// One `${provider:path:key}` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Variable {
    provider: String,
    path: String,
    key: String,
}

fn variables(value: &str) -> Vec<(std::ops::Range<usize>, Variable)> {
    let Some(pattern) = PATTERN.as_ref() else {
        return Vec::new();
    };
    pattern
        .captures_iter(value)
        .filter_map(|c| {
            let whole = c.get(0)?;
            Some((
                whole.range(),
                Variable {
                    provider: c.get(1)?.as_str().to_owned(),
                    path: c.get(3).map(|m| m.as_str()).unwrap_or("").to_owned(),
                    key: c.get(4)?.as_str().to_owned(),
                },
            ))
        })
        .collect()
}

/// A source of config values (Kafka's `ConfigProvider`).
trait Provider: Send + Sync {
    /// The values of `keys` under `path` that exist; a failure to read the source is an error.
    fn get(
        &self,
        path: &str,
        keys: &BTreeSet<String>,
    ) -> Result<HashMap<String, String>, ConfigError>;
}

/// Kafka's `allowed.paths` parameter of the file and directory providers (KIP-993).
#[derive(Debug, Clone, Default)]
struct AllowedPaths(Option<Vec<PathBuf>>);

impl AllowedPaths {
    fn parse(params: &ConfigMap) -> Result<Self, ConfigError> {
        let Some(list) = params.get("allowed.paths") else {
            return Ok(Self(None));
        };
        let mut paths = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let path = normalize(Path::new(item));
            if !path.is_absolute() {
                return Err(ConfigError::invalid(
                    "allowed.paths",
                    list,
                    format!("Path {item} is not absolute"),
                ));
            }
            paths.push(path);
        }
        Ok(Self(Some(paths)))
    }

    /// The normalised path when it may be read.
    fn check(&self, path: &str) -> Option<PathBuf> {
        let normalized = normalize(Path::new(path));
        match &self.0 {
            None => Some(PathBuf::from(path)),
            Some(allowed) if allowed.iter().any(|a| normalized.starts_with(a)) => Some(normalized),
            Some(_) => {
                tracing::warn!("The path {path} is not allowed to be accessed");
                None
            }
        }
    }
}

/// `..` and `.` removed lexically (Java's `Path.normalize`).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Kafka's `FileConfigProvider`: the keys of a Java properties file.
struct FileProvider {
    allowed: AllowedPaths,
}

impl Provider for FileProvider {
    fn get(
        &self,
        path: &str,
        keys: &BTreeSet<String>,
    ) -> Result<HashMap<String, String>, ConfigError> {
        if path.is_empty() {
            return Ok(HashMap::new());
        }
        let Some(path) = self.allowed.check(path) else {
            return Ok(HashMap::new());
        };
        let properties = super::load_properties(&path).map_err(|_| {
            ConfigError::other(format!(
                "Could not read properties from file {}",
                path.display()
            ))
        })?;
        Ok(keys
            .iter()
            .filter_map(|key| properties.get(key).map(|v| (key.clone(), v.clone())))
            .collect())
    }
}

/// Kafka's `DirectoryConfigProvider`: the contents of the regular files of a directory, by name.
struct DirectoryProvider {
    allowed: AllowedPaths,
}

impl Provider for DirectoryProvider {
    fn get(
        &self,
        path: &str,
        keys: &BTreeSet<String>,
    ) -> Result<HashMap<String, String>, ConfigError> {
        if path.is_empty() {
            return Ok(HashMap::new());
        }
        let Some(dir) = self.allowed.check(path) else {
            return Ok(HashMap::new());
        };
        if !dir.is_dir() {
            return Err(ConfigError::other(format!(
                "Could not list directory {}",
                dir.display()
            )));
        }
        let mut out = HashMap::new();
        for key in keys {
            // Only plain file names: no way out of the directory.
            if key.is_empty() || key.contains('/') || key.contains('\\') || key == ".." {
                continue;
            }
            let file = dir.join(key);
            if !file.is_file() {
                continue;
            }
            let content = std::fs::read_to_string(&file).map_err(|_| {
                ConfigError::other(format!("Could not read file {}", file.display()))
            })?;
            out.insert(key.clone(), content);
        }
        Ok(out)
    }
}

/// Kafka's `EnvVarConfigProvider`: environment variables, with an empty path.
struct EnvProvider {
    allowlist: Option<Regex>,
}

impl Provider for EnvProvider {
    fn get(
        &self,
        path: &str,
        keys: &BTreeSet<String>,
    ) -> Result<HashMap<String, String>, ConfigError> {
        if !path.is_empty() {
            return Err(ConfigError::other(format!(
                "Path is not supported for EnvVarConfigProvider, invalid value '{path}'"
            )));
        }
        Ok(keys
            .iter()
            .filter(|key| self.allowlist.as_ref().is_none_or(|re| re.is_match(key)))
            .filter_map(|key| std::env::var(key).ok().map(|v| (key.clone(), v)))
            .collect())
    }
}

/// The worker's config providers, by alias (Kafka's `ConfigTransformer` over the providers of
/// `config.providers`). Cheap to clone.
///
/// Connector configs refer to secrets with `${provider:path:key}` instead of holding them, and
/// the runtime replaces the references right before it starts the connector and its tasks. The
/// stored config, `GET /connectors/{name}/config`, the task configs shown by
/// `GET /connectors/{name}/tasks` and statuses keep the references.
///
/// The worker declares its providers:
///
/// ```properties
/// config.providers=file,env,dir
/// config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
/// config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
/// config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider
/// # optional, as in Kafka: paths the file and directory providers may read
/// config.providers.file.param.allowed.paths=/etc/kafka/secrets
/// # optional, as in Kafka: the environment variables the env provider may read
/// config.providers.env.param.allowlist.pattern=DB_.*
/// ```
///
/// and a connector uses them: `${file:/etc/kafka/secrets/db.properties:password}` (a key of a
/// Java properties file), `${env:DB_USER}` or `${env::DB_USER}` (an environment variable; Kafka's
/// form has an empty path), `${dir:/run/secrets:db-password}` (the content of a file in a
/// directory). The short class names (`FileConfigProvider`, ...) are accepted too.
///
/// As in Kafka, a reference to an unknown provider, or to a key the provider does not have, is
/// left as it is; a provider that cannot read its source (an unreadable file, a path given to the
/// env provider) is an error, which fails the connector.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::config::{ConfigProviders, WorkerConfig};
///
/// let dir = std::env::temp_dir().join(format!("providers-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let secrets = dir.join("secrets.properties");
/// std::fs::write(&secrets, "db.password=s3cret\n").unwrap();
/// let worker = WorkerConfig::standalone(ConfigMap::from([
///     ("key.converter".into(), "StringConverter".into()),
///     ("value.converter".into(), "StringConverter".into()),
///     ("offset.storage.file.filename".into(), "/tmp/connect.offsets".into()),
///     ("config.providers".into(), "file".into()),
///     ("config.providers.file.class".into(), "FileConfigProvider".into()),
/// ]))?;
/// let providers = ConfigProviders::from_worker(&worker)?;
/// let reference = format!("${{file:{}:db.password}}", secrets.display());
/// let config = ConfigMap::from([
///     ("connection.password".into(), reference),
///     ("other".into(), "${vault:x:y}".into()),
/// ]);
/// let resolved = providers.resolve(&config)?;
/// assert_eq!(resolved["connection.password"], "s3cret");
/// assert_eq!(resolved["other"], "${vault:x:y}"); // no such provider: unchanged
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Clone, Default)]
pub struct ConfigProviders {
    providers: Arc<BTreeMap<String, Arc<dyn Provider>>>,
}

impl std::fmt::Debug for ConfigProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigProviders")
            .field("aliases", &self.providers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ConfigProviders {
    /// The providers the worker declares: `config.providers=<alias>,...`, each with
    /// `config.providers.<alias>.class` and its parameters `config.providers.<alias>.param.<name>`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] when an alias has no class, names an unknown class, or has an invalid
    /// parameter (Kafka silently skips an alias without a class; this is stricter).
    pub fn from_worker(worker: &WorkerConfig) -> Result<Self, ConfigError> {
        Self::from_props(worker.originals())
    }

    /// As [`ConfigProviders::from_worker`], from the worker's properties.
    ///
    /// # Errors
    ///
    /// As [`ConfigProviders::from_worker`].
    pub fn from_props(props: &ConfigMap) -> Result<Self, ConfigError> {
        let mut providers: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
        let Some(list) = props.get(CONFIG_PROVIDERS) else {
            return Ok(Self::default());
        };
        for alias in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let class_key = format!("{CONFIG_PROVIDERS}.{alias}.class");
            let Some(class) = props.get(&class_key) else {
                return Err(ConfigError::missing(class_key));
            };
            let prefix = format!("{CONFIG_PROVIDERS}.{alias}.param.");
            let params: ConfigMap = props
                .iter()
                .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_owned(), v.clone())))
                .collect();
            let simple = class.trim().rsplit('.').next().unwrap_or_default();
            let provider: Arc<dyn Provider> = match simple {
                "FileConfigProvider" => Arc::new(FileProvider {
                    allowed: AllowedPaths::parse(&params)?,
                }),
                "DirectoryConfigProvider" => Arc::new(DirectoryProvider {
                    allowed: AllowedPaths::parse(&params)?,
                }),
                "EnvVarConfigProvider" => {
                    let allowlist = match params.get("allowlist.pattern") {
                        None => None,
                        Some(pattern) => {
                            Some(Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                                ConfigError::invalid(
                                    format!("{prefix}allowlist.pattern"),
                                    pattern,
                                    e.to_string(),
                                )
                            })?)
                        }
                    };
                    Arc::new(EnvProvider { allowlist })
                }
                _ => {
                    return Err(ConfigError::invalid(
                        class_key,
                        class,
                        "Unknown config provider class: expected FileConfigProvider, \
                         EnvVarConfigProvider or DirectoryConfigProvider \
                         (org.apache.kafka.common.config.provider)",
                    ));
                }
            };
            providers.insert(alias.to_owned(), provider);
        }
        Ok(Self {
            providers: Arc::new(providers),
        })
    }

    /// Whether no provider is configured.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// `config` with every `${provider:path:key}` reference replaced by its value (Kafka's
    /// `ConfigTransformer.transform`). References to an unknown provider or a missing key stay as
    /// they are. This reads files: from async code use [`ConfigProviders::resolve_async`].
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] when a provider cannot read its source.
    pub fn resolve(&self, config: &ConfigMap) -> Result<ConfigMap, ConfigError> {
        if self.is_empty() {
            return Ok(config.clone());
        }
        // What to look up, by provider and path.
        let mut wanted: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for value in config.values() {
            for (_, var) in variables(value) {
                if self.providers.contains_key(&var.provider) {
                    wanted
                        .entry((var.provider, var.path))
                        .or_default()
                        .insert(var.key);
                }
            }
        }
        if wanted.is_empty() {
            return Ok(config.clone());
        }
        let mut found: HashMap<(String, String), HashMap<String, String>> = HashMap::new();
        for ((provider, path), keys) in wanted {
            if let Some(p) = self.providers.get(&provider) {
                let data = p.get(&path, &keys)?;
                found.insert((provider, path), data);
            }
        }
        Ok(config
            .iter()
            .map(|(key, value)| (key.clone(), replace(value, &found)))
            .collect())
    }

    /// [`ConfigProviders::resolve`] on the blocking thread pool.
    ///
    /// # Errors
    ///
    /// As [`ConfigProviders::resolve`].
    pub async fn resolve_async(&self, config: &ConfigMap) -> Result<ConfigMap, ConfigError> {
        if self.is_empty() || !config.values().any(|v| has_reference(v)) {
            return Ok(config.clone());
        }
        let providers = self.clone();
        let config = config.clone();
        tokio::task::spawn_blocking(move || providers.resolve(&config))
            .await
            .map_err(|e| ConfigError::other(format!("Resolving config providers failed: {e}")))?
    }
}

fn replace(value: &str, found: &HashMap<(String, String), HashMap<String, String>>) -> String {
    let vars = variables(value);
    if vars.is_empty() {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for (range, var) in vars {
        let Some(data) = found.get(&(var.provider, var.path)) else {
            continue;
        };
        out.push_str(value.get(last..range.start).unwrap_or_default());
        match data.get(&var.key) {
            Some(replacement) => out.push_str(replacement),
            None => out.push_str(value.get(range.clone()).unwrap_or_default()),
        }
        last = range.end;
    }
    out.push_str(value.get(last..).unwrap_or_default());
    out
}

/// Kafka's `AbstractHerder.reverseTransform`: in task configs generated from the resolved
/// connector config, the keys whose raw connector value holds a reference get the raw value
/// back, so that stored and shown task configs hold no resolved secret.
pub(crate) fn reverse_transform(raw: &ConfigMap, configs: Vec<ConfigMap>) -> Vec<ConfigMap> {
    let with_refs: Vec<(&String, &String)> = raw.iter().filter(|(_, v)| has_reference(v)).collect();
    if with_refs.is_empty() {
        return configs;
    }
    configs
        .into_iter()
        .map(|mut config| {
            for (key, value) in &with_refs {
                if let Some(slot) = config.get_mut(*key) {
                    slot.clone_from(value);
                }
            }
            config
        })
        .collect()
}

/// The connector config with its references resolved, as the connector and its tasks get it.
pub(crate) async fn resolve_connector_config(
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<ConnectorConfig, ConfigError> {
    let providers = ConfigProviders::from_worker(worker)?;
    if providers.is_empty() || !config.originals().values().any(|v| has_reference(v)) {
        return Ok(config.clone());
    }
    let props = providers.resolve_async(config.originals()).await?;
    ConnectorConfig::parse(&props, config.kind())
}

/// A task config as the task gets it: the references that [`reverse_transform`] put back take
/// their value from the resolved connector config (so no file is read here).
pub(crate) fn resolve_task_config(
    raw: &ConfigMap,
    resolved: Option<&ConnectorConfig>,
    mut task: ConfigMap,
) -> ConfigMap {
    let Some(resolved) = resolved else {
        return task;
    };
    for (key, value) in task.iter_mut() {
        if has_reference(value)
            && raw.get(key) == Some(value)
            && let Some(resolved) = resolved.originals().get(key)
        {
            value.clone_from(resolved);
        }
    }
    task
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn all() -> ConfigProviders {
        ConfigProviders::from_props(&props(&[
            ("config.providers", "file, env,dir"),
            (
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider",
            ),
            (
                "config.providers.env.class",
                "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
            ),
            ("config.providers.dir.class", "DirectoryConfigProvider"),
        ]))
        .unwrap()
    }

    #[test]
    fn parses_references_like_kafka() {
        let vars = variables("a${file:/p/s.properties:db.password}b${env:NAME}c${env::X}");
        let got: Vec<_> = vars
            .iter()
            .map(|(_, v)| (v.provider.as_str(), v.path.as_str(), v.key.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("file", "/p/s.properties", "db.password"),
                ("env", "", "NAME"),
                ("env", "", "X")
            ]
        );
        assert!(!has_reference("${nocolon}"));
        assert!(!has_reference("plain"));
    }

    #[test]
    fn resolves_file_env_and_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secrets.properties");
        std::fs::write(&file, "db.password=s3cret\nuser = admin\n").unwrap();
        std::fs::write(dir.path().join("token"), "t0k").unwrap();
        let path = file.to_str().unwrap();
        let dir_path = dir.path().to_str().unwrap();
        // PATH is set in every test environment.
        let env_path = std::env::var("PATH").unwrap();
        let config = props(&[
            ("password", &format!("${{file:{path}:db.password}}")),
            (
                "url",
                &format!("jdbc://${{file:{path}:user}}@host/${{env:PATH}}"),
            ),
            ("env2", "${env::PATH}"),
            ("token", &format!("${{dir:{dir_path}:token}}")),
            ("missing", &format!("${{file:{path}:nope}}")),
            ("unknown", "${vault:a:b}"),
            ("plain", "x"),
        ]);
        let resolved = all().resolve(&config).unwrap();
        assert_eq!(resolved["password"], "s3cret");
        assert_eq!(resolved["url"], format!("jdbc://admin@host/{env_path}"));
        assert_eq!(resolved["env2"], env_path);
        assert_eq!(resolved["token"], "t0k");
        assert_eq!(resolved["missing"], config["missing"]);
        assert_eq!(resolved["unknown"], "${vault:a:b}");
        assert_eq!(resolved["plain"], "x");
    }

    #[test]
    fn errors_and_restrictions() {
        let missing = props(&[("p", "${file:/no/such/file.properties:k}")]);
        let error = all().resolve(&missing).unwrap_err().to_string();
        assert!(error.contains("/no/such/file.properties"), "{error}");
        let env_path = props(&[("p", "${env:/x:PATH}")]);
        let error = all().resolve(&env_path).unwrap_err().to_string();
        assert!(error.contains("Path is not supported"), "{error}");

        let unknown = ConfigProviders::from_props(&props(&[
            ("config.providers", "x"),
            ("config.providers.x.class", "com.example.Vault"),
        ]))
        .unwrap_err();
        assert!(
            unknown.to_string().contains("com.example.Vault"),
            "{unknown}"
        );
        assert!(ConfigProviders::from_props(&props(&[("config.providers", "x")])).is_err());

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.properties");
        std::fs::write(&file, "k=v\n").unwrap();
        let restricted = ConfigProviders::from_props(&props(&[
            ("config.providers", "file,env"),
            ("config.providers.file.class", "FileConfigProvider"),
            (
                "config.providers.file.param.allowed.paths",
                "/nonexistent-dir",
            ),
            ("config.providers.env.class", "EnvVarConfigProvider"),
            ("config.providers.env.param.allowlist.pattern", "NOT_PATH"),
        ]))
        .unwrap();
        let config = props(&[
            ("a", &format!("${{file:{}:k}}", file.display())),
            ("b", "${env:PATH}"),
        ]);
        assert_eq!(restricted.resolve(&config).unwrap(), config);
    }

    #[test]
    fn reverse_transform_puts_references_back() {
        let raw = props(&[("password", "${env:PATH}"), ("file", "/x")]);
        let tasks = vec![props(&[
            ("password", "resolved"),
            ("file", "/x"),
            ("t", "1"),
        ])];
        let back = reverse_transform(&raw, tasks);
        assert_eq!(back[0]["password"], "${env:PATH}");
        assert_eq!(back[0]["t"], "1");
    }
}
