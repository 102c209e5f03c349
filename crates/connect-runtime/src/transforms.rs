//! The chain of transformations a connector's records go through, each guarded by an optional
//! predicate (Kafka's `TransformationChain` and `TransformationStage`).

use connect_api::error::{ConfigError, ConnectError};
use connect_api::record::{Record, SinkRecord, SourceRecord};
use connect_api::transform::{Predicate, Transform};

use connect_api::config::{ConfigDef, ConfigMap, ConfigValueInfo};

use crate::config::{ConnectorConfig, aliases};
use crate::errors::{Next, Origin, RetryWithTolerance, Stage as ErrorStage};
use crate::plugins::{Plugins, UnknownPlugin};

/// Records the registry can make transformations and predicates for.
pub trait ChainRecord: Record + Sized + 'static {
    /// Makes a transformation for this kind of record.
    ///
    /// # Errors
    ///
    /// When no such transformation is registered.
    fn make_transform(
        plugins: &Plugins,
        class: &str,
    ) -> Result<Box<dyn Transform<Self>>, UnknownPlugin>;

    /// Makes a predicate for this kind of record.
    ///
    /// # Errors
    ///
    /// When no such predicate is registered.
    fn make_predicate(
        plugins: &Plugins,
        class: &str,
    ) -> Result<Box<dyn Predicate<Self>>, UnknownPlugin>;

    /// What a failure of this record is reported with: the record itself, or the consumed
    /// record it came from.
    fn origin<'a>(&'a self, consumed: Origin<'a>) -> Origin<'a>;
}

impl ChainRecord for SourceRecord {
    fn make_transform(
        plugins: &Plugins,
        class: &str,
    ) -> Result<Box<dyn Transform<Self>>, UnknownPlugin> {
        plugins.source_transform(class)
    }

    fn make_predicate(
        plugins: &Plugins,
        class: &str,
    ) -> Result<Box<dyn Predicate<Self>>, UnknownPlugin> {
        plugins.source_predicate(class)
    }

    fn origin<'a>(&'a self, _consumed: Origin<'a>) -> Origin<'a> {
        Origin::Source(self)
    }
}

impl ChainRecord for SinkRecord {
    fn make_transform(
        plugins: &Plugins,
        class: &str,
    ) -> Result<Box<dyn Transform<Self>>, UnknownPlugin> {
        plugins.sink_transform(class)
    }

    fn make_predicate(
        plugins: &Plugins,
        class: &str,
    ) -> Result<Box<dyn Predicate<Self>>, UnknownPlugin> {
        plugins.sink_predicate(class)
    }

    fn origin<'a>(&'a self, consumed: Origin<'a>) -> Origin<'a> {
        consumed
    }
}

struct Stage<R: ChainRecord> {
    class: String,
    transform: Box<dyn Transform<R>>,
    predicate: Option<(Box<dyn Predicate<R>>, bool)>,
}

/// A transformation failure: the error and the failing transformation's class.
#[derive(Debug)]
pub struct TransformFailure {
    /// The transformation's class.
    pub class: String,
    /// The error.
    pub error: ConnectError,
}

/// The configured transformations of one task, in order.
pub struct TransformationChain<R: ChainRecord> {
    stages: Vec<Stage<R>>,
}

impl<R: ChainRecord> TransformationChain<R> {
    /// Makes and configures the connector's transformations and their predicates.
    ///
    /// # Errors
    ///
    /// A configuration error naming `transforms.<alias>.type` or `predicates.<alias>.type` when a
    /// class is unknown, or the transformation's own error when it rejects its settings.
    pub fn build(plugins: &Plugins, config: &ConnectorConfig) -> Result<Self, ConnectError> {
        let predicates = config.predicates();
        let mut stages = Vec::new();
        for (alias, class, predicate_alias, negate, own) in config.transforms() {
            let mut transform = R::make_transform(plugins, &class).map_err(|e| {
                ConnectError::Config(ConfigError::invalid(
                    format!("transforms.{alias}.type"),
                    class.clone(),
                    e.to_string(),
                ))
            })?;
            transform.configure(&own).map_err(|e| {
                e.context(format!("configuring transformation '{alias}' ({class})"))
            })?;
            let predicate = match predicate_alias {
                None => None,
                Some(name) => {
                    let Some((_, predicate_class, predicate_own)) =
                        predicates.iter().find(|(a, _, _)| *a == name)
                    else {
                        return Err(ConnectError::Config(ConfigError::invalid(
                            format!("transforms.{alias}.predicate"),
                            name,
                            "undefined predicate",
                        )));
                    };
                    let mut predicate =
                        R::make_predicate(plugins, predicate_class).map_err(|e| {
                            ConnectError::Config(ConfigError::invalid(
                                format!("predicates.{name}.type"),
                                predicate_class.clone(),
                                e.to_string(),
                            ))
                        })?;
                    predicate.configure(predicate_own).map_err(|e| {
                        e.context(format!(
                            "configuring predicate '{name}' ({predicate_class})"
                        ))
                    })?;
                    Some((predicate, negate))
                }
            };
            stages.push(Stage {
                class,
                transform,
                predicate,
            });
        }
        Ok(Self { stages })
    }

    /// Whether there are no transformations.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Runs the record through every transformation whose predicate lets it; `Ok(None)` when one
    /// dropped it.
    ///
    /// # Errors
    ///
    /// The first transformation's error, with its class.
    pub fn apply(&mut self, mut record: R) -> Result<Option<R>, TransformFailure> {
        for stage in &mut self.stages {
            if let Some((predicate, negate)) = &stage.predicate
                && predicate.test(&record) == *negate
            {
                continue;
            }
            match stage.transform.apply(record) {
                Ok(Some(next)) => record = next,
                Ok(None) => return Ok(None),
                Err(error) => {
                    return Err(TransformFailure {
                        class: stage.class.clone(),
                        error,
                    });
                }
            }
        }
        Ok(Some(record))
    }
}

impl<R: ChainRecord + Clone + Sync> TransformationChain<R> {
    /// [`apply`](Self::apply) with retries and tolerance: `Ok(None)` when the record was dropped
    /// or skipped. `keep_copy` keeps a copy of the input to retry with and to report.
    ///
    /// # Errors
    ///
    /// The error that fails the task.
    pub(crate) async fn transform(
        &mut self,
        record: R,
        errors: &RetryWithTolerance,
        keep_copy: bool,
        consumed: Origin<'_>,
    ) -> Result<Option<R>, ConnectError> {
        if self.is_empty() {
            return Ok(Some(record));
        }
        let mut attempt = None;
        let mut next = Some(record);
        while let Some(current) = next.take() {
            let copy = keep_copy.then(|| current.clone());
            match self.apply(current) {
                Ok(out) => return Ok(out),
                Err(failure) => {
                    let attempt = attempt.get_or_insert_with(|| {
                        errors.begin(ErrorStage::Transformation, failure.class.clone())
                    });
                    let origin = copy.as_ref().map_or(consumed, |c| c.origin(consumed));
                    if errors.failed(attempt, failure.error, origin).await? == Next::Retry {
                        next = copy;
                    }
                }
            }
        }
        Ok(None)
    }
}

impl<R: ChainRecord> Drop for TransformationChain<R> {
    fn drop(&mut self) {
        for stage in &mut self.stages {
            stage.transform.close();
            if let Some((predicate, _)) = &mut stage.predicate {
                predicate.close();
            }
        }
    }
}

/// The definitions of every transformation's and predicate's own keys, embedded under their
/// prefixes (`transforms.<alias>.`, `predicates.<alias>.`), for the connector's full definition.
pub(crate) fn chain_defs<R: ChainRecord>(plugins: &Plugins, props: &ConfigMap) -> ConfigDef {
    let mut def = ConfigDef::new();
    for (list, transform) in [("transforms", true), ("predicates", false)] {
        for alias in aliases(props, list) {
            let prefix = format!("{list}.{alias}.");
            let Some(class) = props.get(&format!("{prefix}type")) else {
                continue;
            };
            let own = if transform {
                R::make_transform(plugins, class).map(|t| t.config())
            } else {
                R::make_predicate(plugins, class).map(|p| p.config())
            };
            if let Ok(own) = own {
                let group = prefix.trim_end_matches('.').to_owned();
                def = def.embed(&prefix, &group, 0, &own);
            }
        }
    }
    def
}

/// Validates each transformation's and predicate's own settings (`transforms.<alias>.*`,
/// `predicates.<alias>.*`) with its own definition, as Kafka's `ConnectorConfig.enrich` does,
/// and reports unknown classes on their `type` key. Names carry the prefix.
pub(crate) fn validate_chain<R: ChainRecord>(
    plugins: &Plugins,
    props: &ConfigMap,
) -> Vec<ConfigValueInfo> {
    let mut infos = Vec::new();
    let mut check = |prefix: String, def: Result<ConfigDef, UnknownPlugin>| {
        let type_key = format!("{prefix}type");
        let Some(class) = props.get(&type_key) else {
            return;
        };
        match def {
            Err(error) => {
                let mut info = ConfigValueInfo::new(type_key);
                info.errors.push(format!(
                    "Invalid value {class} for configuration {prefix}type: {error}"
                ));
                infos.push(info);
            }
            Ok(def) => {
                // Embedded under the prefix, as Kafka's ConnectorConfig.enrich does, so that a
                // missing key is named in full (`transforms.a.field`).
                let group = prefix.trim_end_matches('.').to_owned();
                let embedded = ConfigDef::new().embed(&prefix, &group, 0, &def);
                infos.extend(embedded.validate(props));
            }
        }
    };
    for alias in aliases(props, "transforms") {
        let prefix = format!("transforms.{alias}.");
        let def = props
            .get(&format!("{prefix}type"))
            .map(|class| R::make_transform(plugins, class).map(|t| t.config()));
        if let Some(def) = def {
            check(prefix, def);
        }
    }
    for alias in aliases(props, "predicates") {
        let prefix = format!("predicates.{alias}.");
        let def = props
            .get(&format!("{prefix}type"))
            .map(|class| R::make_predicate(plugins, class).map(|p| p.config()));
        if let Some(def) = def {
            check(prefix, def);
        }
    }
    infos
}
