//! The plugin registry: connectors, converters, transforms and predicates, registered at compile
//! time under their Java class names, so that existing configs resolve.
//!
//! A name resolves as Kafka Connect resolves `connector.class` and friends: the full class name,
//! the simple name (after the last `.`), or the simple name without its kind's suffix
//! (`FileStreamSource` for `org.apache.kafka.connect.file.FileStreamSourceConnector`).

use std::fmt;
use std::sync::Arc;

use connect_api::config::ConfigMap;
use connect_api::connector::{SinkConnector, SourceConnector};
use connect_api::error::{ConfigError, ConnectError};
use connect_api::record::{SinkRecord, SourceRecord};
use connect_api::storage::{Converter, HeaderConverter, builtin_converters};
use connect_api::transform::{Predicate, Transform};
use connect_file::{FileStreamSinkConnector, FileStreamSourceConnector};

use crate::config::ConnectorType;

type Factory<T> = Arc<dyn Fn() -> T + Send + Sync>;

/// A connector plugin: how to make one, and which kind it is.
///
/// ```
/// use connect_api::connector::Connector;
/// use connect_runtime::config::ConnectorType;
/// use connect_runtime::plugins::{ConnectorFactory, Plugins};
///
/// let (_, factory) = Plugins::builtin().connector("FileStreamSink")?;
/// assert_eq!(factory.kind(), ConnectorType::Sink);
/// let def = match &factory {
///     ConnectorFactory::Source(make) => make().config(),
///     ConnectorFactory::Sink(make) => make().config(),
/// };
/// assert!(def.contains("file"));
/// # Ok::<(), connect_runtime::plugins::UnknownPlugin>(())
/// ```
#[derive(Clone)]
pub enum ConnectorFactory {
    /// A source connector.
    Source(Factory<Box<dyn SourceConnector>>),
    /// A sink connector.
    Sink(Factory<Box<dyn SinkConnector>>),
}

impl ConnectorFactory {
    /// Source or sink.
    pub fn kind(&self) -> ConnectorType {
        match self {
            ConnectorFactory::Source(_) => ConnectorType::Source,
            ConnectorFactory::Sink(_) => ConnectorType::Sink,
        }
    }
}

/// The kinds of plugin, as Kafka's REST API names them.
///
/// ```
/// use connect_runtime::plugins::{PluginKind, Plugins};
///
/// let plugins = Plugins::builtin();
/// let predicates: Vec<&str> = plugins
///     .descriptions()
///     .filter(|desc| desc.kind == PluginKind::Predicate)
///     .map(|desc| desc.simple_name())
///     .collect();
/// assert!(predicates.contains(&"TopicNameMatches"));
/// assert_eq!(PluginKind::HeaderConverter.name(), "header_converter");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluginKind {
    /// A source connector.
    Source,
    /// A sink connector.
    Sink,
    /// A converter.
    Converter,
    /// A header converter.
    HeaderConverter,
    /// A transformation.
    Transformation,
    /// A predicate.
    Predicate,
}

impl PluginKind {
    /// The REST API's name for the kind (`source`, `converter`, ...).
    pub fn name(self) -> &'static str {
        match self {
            PluginKind::Source => "source",
            PluginKind::Sink => "sink",
            PluginKind::Converter => "converter",
            PluginKind::HeaderConverter => "header_converter",
            PluginKind::Transformation => "transformation",
            PluginKind::Predicate => "predicate",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            PluginKind::Source | PluginKind::Sink => "Connector",
            PluginKind::Converter => "Converter",
            PluginKind::HeaderConverter => "HeaderConverter",
            PluginKind::Transformation => "Transformation",
            PluginKind::Predicate => "Predicate",
        }
    }

    fn interface(self) -> &'static str {
        match self {
            PluginKind::Source | PluginKind::Sink => "Connector",
            PluginKind::Converter => "Converter",
            PluginKind::HeaderConverter => "HeaderConverter",
            PluginKind::Transformation => "Transformation",
            PluginKind::Predicate => "Predicate",
        }
    }
}

/// One registered plugin's description.
///
/// ```
/// use connect_runtime::plugins::{PluginKind, Plugins};
///
/// let (desc, _) = Plugins::builtin().connector("FileStreamSource")?;
/// assert_eq!(desc.class, "org.apache.kafka.connect.file.FileStreamSourceConnector");
/// assert_eq!(desc.kind, PluginKind::Source);
/// assert_eq!(desc.simple_name(), "FileStreamSourceConnector");
/// assert!(desc.matches("FileStreamSource") && !desc.matches("FileStream"));
/// # Ok::<(), connect_runtime::plugins::UnknownPlugin>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginDesc {
    /// The class name.
    pub class: String,
    /// The kind.
    pub kind: PluginKind,
    /// The version.
    pub version: String,
}

impl PluginDesc {
    /// The simple name: the class name after its last `.`.
    pub fn simple_name(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(&self.class)
    }

    /// Whether `name` is this plugin's class, simple name, or simple name without the kind's
    /// suffix.
    pub fn matches(&self, name: &str) -> bool {
        let simple = self.simple_name();
        name == self.class
            || name == simple
            || simple
                .strip_suffix(self.kind.suffix())
                .is_some_and(|pruned| !pruned.is_empty() && pruned == name)
    }
}

/// A transformation for both source and sink records.
pub trait AnyTransform: Transform<SourceRecord> + Transform<SinkRecord> {}
impl<T: Transform<SourceRecord> + Transform<SinkRecord>> AnyTransform for T {}

/// A predicate for both source and sink records.
pub trait AnyPredicate: Predicate<SourceRecord> + Predicate<SinkRecord> {}
impl<T: Predicate<SourceRecord> + Predicate<SinkRecord>> AnyPredicate for T {}

#[derive(Clone)]
enum Make {
    Connector(ConnectorFactory),
    Converter(Factory<Box<dyn Converter>>),
    HeaderConverter(Factory<Box<dyn HeaderConverter>>),
    Transform(
        Factory<Box<dyn Transform<SourceRecord>>>,
        Factory<Box<dyn Transform<SinkRecord>>>,
    ),
    Predicate(
        Factory<Box<dyn Predicate<SourceRecord>>>,
        Factory<Box<dyn Predicate<SinkRecord>>>,
    ),
}

#[derive(Clone)]
struct Entry {
    desc: PluginDesc,
    make: Make,
}

/// Why a plugin name did not resolve.
///
/// ```
/// use connect_runtime::plugins::Plugins;
///
/// let err = Plugins::builtin().converter("Protobuf").err().expect("not a built-in converter");
/// assert_eq!(err.name, "Protobuf");
/// assert!(err.to_string().starts_with(
///     "Failed to find any class that implements Converter and which name matches Protobuf, \
///      available converters are: "
/// ));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Failed to find any class that implements {interface} and which name matches {name}, available {plural} are: {available}"
)]
pub struct UnknownPlugin {
    /// The name asked for.
    pub name: String,
    interface: &'static str,
    plural: &'static str,
    available: String,
}

/// The plugins a runtime can instantiate.
///
/// ```
/// use connect_runtime::plugins::Plugins;
///
/// let plugins = Plugins::builtin();
/// assert!(plugins.connector("FileStreamSource").is_ok());
/// assert!(plugins.connector("org.apache.kafka.connect.file.FileStreamSinkConnector").is_ok());
/// assert!(plugins.converter("JsonConverter").is_ok());
/// let err = plugins.connector("Nope").err().unwrap();
/// assert!(err.to_string().contains("FileStreamSourceConnector"));
/// ```
#[derive(Clone, Default)]
pub struct Plugins {
    entries: Vec<Entry>,
}

impl fmt::Debug for Plugins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| &e.desc.class))
            .finish()
    }
}

impl Plugins {
    /// No plugins at all.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The built-in converters, transforms and predicates, the FileStream connectors, (with
    /// the `hdfs` feature, on by default) the HDFS sink connector and (with the
    /// `schema-registry` feature, on by default) Confluent's Avro converter.
    pub fn builtin() -> Self {
        let mut plugins = Self::empty();
        for converter in builtin_converters() {
            if let Some(make) = converter.converter_factory() {
                plugins.push(
                    converter.class(),
                    PluginKind::Converter,
                    Make::Converter(Arc::new(make)),
                );
            }
            if let Some(make) = converter.header_converter_factory() {
                let make = Make::HeaderConverter(Arc::new(make));
                plugins.push(converter.class(), PluginKind::HeaderConverter, make);
            }
        }
        plugins = register_transforms(plugins)
            .with_source_connector(FileStreamSourceConnector::CLASS, || {
                Box::new(FileStreamSourceConnector::default())
            })
            .with_sink_connector(FileStreamSinkConnector::CLASS, || {
                Box::new(FileStreamSinkConnector::default())
            });
        #[cfg(feature = "hdfs")]
        let plugins = plugins.with_sink_connector(connect_hdfs::HdfsSinkConnector::CLASS, || {
            Box::new(connect_hdfs::HdfsSinkConnector::new())
        });
        #[cfg(feature = "schema-registry")]
        let plugins = plugins.with_converter(connect_schema_registry::AvroConverter::CLASS, || {
            Box::new(connect_schema_registry::AvroConverter::new())
        });
        plugins
    }

    fn push(&mut self, class: &str, kind: PluginKind, make: Make) {
        self.entries
            .retain(|e| !(e.desc.class == class && e.desc.kind == kind));
        self.entries.push(Entry {
            desc: PluginDesc {
                class: class.to_owned(),
                kind,
                version: connect_api::VERSION.to_owned(),
            },
            make,
        });
    }

    /// Registers a source connector under its class name.
    #[must_use]
    pub fn with_source_connector<F>(mut self, class: &str, make: F) -> Self
    where
        F: Fn() -> Box<dyn SourceConnector> + Send + Sync + 'static,
    {
        self.push(
            class,
            PluginKind::Source,
            Make::Connector(ConnectorFactory::Source(Arc::new(make))),
        );
        self
    }

    /// Registers a sink connector under its class name.
    #[must_use]
    pub fn with_sink_connector<F>(mut self, class: &str, make: F) -> Self
    where
        F: Fn() -> Box<dyn SinkConnector> + Send + Sync + 'static,
    {
        self.push(
            class,
            PluginKind::Sink,
            Make::Connector(ConnectorFactory::Sink(Arc::new(make))),
        );
        self
    }

    /// Registers a converter.
    #[must_use]
    pub fn with_converter<F>(mut self, class: &str, make: F) -> Self
    where
        F: Fn() -> Box<dyn Converter> + Send + Sync + 'static,
    {
        self.push(
            class,
            PluginKind::Converter,
            Make::Converter(Arc::new(make)),
        );
        self
    }

    /// Registers a header converter.
    #[must_use]
    pub fn with_header_converter<F>(mut self, class: &str, make: F) -> Self
    where
        F: Fn() -> Box<dyn HeaderConverter> + Send + Sync + 'static,
    {
        self.push(
            class,
            PluginKind::HeaderConverter,
            Make::HeaderConverter(Arc::new(make)),
        );
        self
    }

    /// Registers a transformation that handles both source and sink records.
    #[must_use]
    pub fn with_transform<T, F>(mut self, class: &str, make: F) -> Self
    where
        T: AnyTransform + 'static,
        F: Fn() -> T + Send + Sync + 'static,
    {
        let make = Arc::new(make);
        let for_sink = make.clone();
        self.push(
            class,
            PluginKind::Transformation,
            Make::Transform(
                Arc::new(move || Box::new(make()) as Box<dyn Transform<SourceRecord>>),
                Arc::new(move || Box::new(for_sink()) as Box<dyn Transform<SinkRecord>>),
            ),
        );
        self
    }

    /// Registers a predicate that handles both source and sink records.
    #[must_use]
    pub fn with_predicate<P, F>(mut self, class: &str, make: F) -> Self
    where
        P: AnyPredicate + 'static,
        F: Fn() -> P + Send + Sync + 'static,
    {
        let make = Arc::new(make);
        let for_sink = make.clone();
        self.push(
            class,
            PluginKind::Predicate,
            Make::Predicate(
                Arc::new(move || Box::new(make()) as Box<dyn Predicate<SourceRecord>>),
                Arc::new(move || Box::new(for_sink()) as Box<dyn Predicate<SinkRecord>>),
            ),
        );
        self
    }

    /// Every registered plugin.
    pub fn descriptions(&self) -> impl Iterator<Item = &PluginDesc> {
        self.entries.iter().map(|e| &e.desc)
    }

    fn find(&self, name: &str, kinds: &[PluginKind]) -> Result<&Entry, UnknownPlugin> {
        let name = name.trim();
        self.entries
            .iter()
            .find(|e| kinds.contains(&e.desc.kind) && e.desc.class == name)
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|e| kinds.contains(&e.desc.kind) && e.desc.matches(name))
            })
            .or_else(|| {
                // Kafka's aliases name classes, whatever the kind they were derived from:
                // `String`, StringConverter's alias as a converter, names it as a header
                // converter too.
                let class = self
                    .entries
                    .iter()
                    .find(|e| e.desc.matches(name))
                    .map(|e| e.desc.class.as_str())?;
                self.entries
                    .iter()
                    .find(|e| kinds.contains(&e.desc.kind) && e.desc.class == class)
            })
            .ok_or_else(|| {
                let mut available: Vec<&str> = self
                    .entries
                    .iter()
                    .filter(|e| kinds.contains(&e.desc.kind))
                    .map(|e| e.desc.class.as_str())
                    .collect();
                available.sort_unstable();
                let kind = kinds.first().copied().unwrap_or(PluginKind::Source);
                UnknownPlugin {
                    name: name.to_owned(),
                    interface: kind.interface(),
                    plural: match kind {
                        PluginKind::Source | PluginKind::Sink => "connectors",
                        PluginKind::Converter => "converters",
                        PluginKind::HeaderConverter => "header converters",
                        PluginKind::Transformation => "transformations",
                        PluginKind::Predicate => "predicates",
                    },
                    available: if available.is_empty() {
                        "(none)".to_owned()
                    } else {
                        available.join(", ")
                    },
                }
            })
    }

    /// Resolves a connector class or alias.
    ///
    /// # Errors
    ///
    /// [`UnknownPlugin`], listing the connectors there are.
    pub fn connector(&self, name: &str) -> Result<(PluginDesc, ConnectorFactory), UnknownPlugin> {
        let entry = self.find(name, &[PluginKind::Source, PluginKind::Sink])?;
        match &entry.make {
            Make::Connector(factory) => Ok((entry.desc.clone(), factory.clone())),
            _ => Err(self.unknown(name, PluginKind::Source)),
        }
    }

    /// The connector plugin a connector configuration names in `connector.class`.
    ///
    /// # Errors
    ///
    /// A configuration error naming `connector.class` when it is missing or names no connector
    /// (listing the connectors there are).
    pub(crate) fn connector_of(
        &self,
        props: &ConfigMap,
    ) -> Result<(PluginDesc, ConnectorFactory), ConnectError> {
        let Some(class) = props.get("connector.class") else {
            return Err(ConnectError::Config(ConfigError::missing(
                "connector.class",
            )));
        };
        self.connector(class).map_err(|e| {
            ConnectError::Config(ConfigError::invalid(
                "connector.class",
                class.clone(),
                e.to_string(),
            ))
        })
    }

    /// Makes a converter.
    ///
    /// # Errors
    ///
    /// [`UnknownPlugin`], listing the converters there are.
    pub fn converter(&self, name: &str) -> Result<Box<dyn Converter>, UnknownPlugin> {
        self.make(name, PluginKind::Converter, |make| match make {
            Make::Converter(make) => Some(make()),
            _ => None,
        })
    }

    /// Makes a header converter.
    ///
    /// # Errors
    ///
    /// [`UnknownPlugin`], listing the header converters there are.
    pub fn header_converter(&self, name: &str) -> Result<Box<dyn HeaderConverter>, UnknownPlugin> {
        self.make(name, PluginKind::HeaderConverter, |make| match make {
            Make::HeaderConverter(make) => Some(make()),
            _ => None,
        })
    }

    /// Makes a transformation of source records.
    ///
    /// # Errors
    ///
    /// [`UnknownPlugin`], listing the transformations there are.
    pub fn source_transform(
        &self,
        name: &str,
    ) -> Result<Box<dyn Transform<SourceRecord>>, UnknownPlugin> {
        self.make(name, PluginKind::Transformation, |make| match make {
            Make::Transform(source, _) => Some(source()),
            _ => None,
        })
    }

    /// Makes a transformation of sink records.
    ///
    /// # Errors
    ///
    /// [`UnknownPlugin`], listing the transformations there are.
    pub fn sink_transform(
        &self,
        name: &str,
    ) -> Result<Box<dyn Transform<SinkRecord>>, UnknownPlugin> {
        self.make(name, PluginKind::Transformation, |make| match make {
            Make::Transform(_, sink) => Some(sink()),
            _ => None,
        })
    }

    /// Makes a predicate over source records.
    ///
    /// # Errors
    ///
    /// [`UnknownPlugin`], listing the predicates there are.
    pub fn source_predicate(
        &self,
        name: &str,
    ) -> Result<Box<dyn Predicate<SourceRecord>>, UnknownPlugin> {
        self.make(name, PluginKind::Predicate, |make| match make {
            Make::Predicate(source, _) => Some(source()),
            _ => None,
        })
    }

    /// Makes a predicate over sink records.
    ///
    /// # Errors
    ///
    /// [`UnknownPlugin`], listing the predicates there are.
    pub fn sink_predicate(
        &self,
        name: &str,
    ) -> Result<Box<dyn Predicate<SinkRecord>>, UnknownPlugin> {
        self.make(name, PluginKind::Predicate, |make| match make {
            Make::Predicate(_, sink) => Some(sink()),
            _ => None,
        })
    }

    /// Finds the plugin of `kind` named `name` and makes an instance with `extract`.
    fn make<T>(
        &self,
        name: &str,
        kind: PluginKind,
        extract: impl Fn(&Make) -> Option<T>,
    ) -> Result<T, UnknownPlugin> {
        let entry = self.find(name, &[kind])?;
        extract(&entry.make).ok_or_else(|| self.unknown(name, kind))
    }

    fn unknown(&self, name: &str, kind: PluginKind) -> UnknownPlugin {
        match self.find("\u{0}", &[kind]) {
            Err(err) => UnknownPlugin {
                name: name.to_owned(),
                ..err
            },
            Ok(_) => UnknownPlugin {
                name: name.to_owned(),
                interface: kind.interface(),
                plural: "plugins",
                available: String::new(),
            },
        }
    }
}

/// Kafka Connect's built-in transformations and predicates, under their Java class names.
fn register_transforms(plugins: Plugins) -> Plugins {
    use connect_transforms::predicates::has_header_key::HasHeaderKey;
    use connect_transforms::predicates::record_is_tombstone::RecordIsTombstone;
    use connect_transforms::predicates::topic_name_matches::TopicNameMatches;
    use connect_transforms::transforms::{
        cast::Cast, drop_headers::DropHeaders, extract_field::ExtractField, filter::Filter,
        flatten::Flatten, header_from::HeaderFrom, hoist_field::HoistField,
        insert_field::InsertField, insert_header::InsertHeader, mask_field::MaskField,
        regex_router::RegexRouter, replace_field::ReplaceField,
        set_schema_metadata::SetSchemaMetadata, timestamp_converter::TimestampConverter,
        timestamp_router::TimestampRouter, value_to_key::ValueToKey,
    };
    /// Registers the `$Key` and `$Value` variants of a transformation.
    macro_rules! key_and_value {
        ($plugins:expr, $($t:ty),* $(,)?) => {
            $plugins$(.with_transform(<$t>::KEY_CLASS, <$t>::key).with_transform(<$t>::VALUE_CLASS, <$t>::value))*
        };
    }
    key_and_value!(
        plugins,
        Cast,
        ExtractField,
        Flatten,
        HeaderFrom,
        HoistField,
        InsertField,
        MaskField,
        ReplaceField,
        SetSchemaMetadata,
        TimestampConverter,
    )
    .with_transform(DropHeaders::CLASS, DropHeaders::new)
    .with_transform(Filter::CLASS, Filter::new)
    .with_transform(InsertHeader::CLASS, InsertHeader::new)
    .with_transform(RegexRouter::CLASS, RegexRouter::new)
    .with_transform(TimestampRouter::CLASS, TimestampRouter::new)
    .with_transform(ValueToKey::CLASS, ValueToKey::new)
    .with_predicate(HasHeaderKey::CLASS, HasHeaderKey::new)
    .with_predicate(RecordIsTombstone::CLASS, RecordIsTombstone::new)
    .with_predicate(TopicNameMatches::CLASS, TopicNameMatches::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_names_resolve_by_class_simple_and_pruned_name() {
        let plugins = Plugins::builtin();
        for name in [
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "FileStreamSourceConnector",
            "FileStreamSource",
        ] {
            let (desc, factory) = plugins.connector(name).unwrap();
            assert_eq!(
                desc.class,
                "org.apache.kafka.connect.file.FileStreamSourceConnector"
            );
            assert_eq!(factory.kind(), ConnectorType::Source);
        }
        assert_eq!(
            plugins.connector("FileStreamSink").unwrap().1.kind(),
            ConnectorType::Sink
        );
        for name in [
            "org.apache.kafka.connect.json.JsonConverter",
            "JsonConverter",
            "Json",
        ] {
            assert!(plugins.converter(name).is_ok(), "{name}");
        }
        assert!(plugins.header_converter("SimpleHeaderConverter").is_ok());
        // Kafka's aliases are shared: `String` names StringConverter as a header converter too.
        for name in ["StringConverter", "String", "Json", "Simple"] {
            assert!(plugins.header_converter(name).is_ok(), "{name}");
        }
        assert!(plugins.header_converter("SimpleHeader").is_err());
        for name in [
            "org.apache.kafka.connect.transforms.InsertField$Value",
            "InsertField$Value",
        ] {
            assert!(plugins.source_transform(name).is_ok(), "{name}");
            assert!(plugins.sink_transform(name).is_ok(), "{name}");
        }
        assert!(plugins.sink_predicate("TopicNameMatches").is_ok());
        assert!(
            plugins
                .source_predicate("org.apache.kafka.connect.transforms.predicates.HasHeaderKey")
                .is_ok()
        );
    }

    #[cfg(feature = "schema-registry")]
    #[test]
    fn avro_converter_resolves_by_class_and_aliases() {
        let plugins = Plugins::builtin();
        for name in [
            "io.confluent.connect.avro.AvroConverter",
            "AvroConverter",
            "Avro",
        ] {
            let converter = plugins.converter(name).unwrap();
            assert!(converter.config().contains("schema.registry.url"), "{name}");
        }
        assert!(plugins.header_converter("AvroConverter").is_err());
        let converters: Vec<&str> = plugins
            .descriptions()
            .filter(|d| d.kind == PluginKind::Converter)
            .map(|d| d.class.as_str())
            .collect();
        assert!(converters.contains(&"io.confluent.connect.avro.AvroConverter"));
        assert!(converters.contains(&"org.apache.kafka.connect.json.JsonConverter"));
    }

    #[test]
    fn unknown_names_list_what_exists() {
        let plugins = Plugins::builtin();
        let err = plugins.connector("com.example.Missing").err().unwrap();
        let hdfs = if cfg!(feature = "hdfs") {
            "io.confluent.connect.hdfs.HdfsSinkConnector, "
        } else {
            ""
        };
        assert_eq!(
            err.to_string(),
            format!(
                "Failed to find any class that implements Connector and which name matches \
                 com.example.Missing, available connectors are: {hdfs}\
                 org.apache.kafka.connect.file.FileStreamSinkConnector, \
                 org.apache.kafka.connect.file.FileStreamSourceConnector"
            )
        );
        let err = plugins.source_transform("Mask").err().unwrap();
        assert!(
            err.to_string().contains(
                "available transformations are: org.apache.kafka.connect.transforms.Cast$Key, "
            ),
            "{err}"
        );
    }
}
