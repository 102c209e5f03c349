//! The built-in converters by name: Java class names from existing configurations
//! (`org.apache.kafka.connect.json.JsonConverter`) and the short aliases Kafka Connect also
//! accepts (`JsonConverter`, `Json`).

use super::json::JsonConverter;
use super::{
    BooleanConverter, ByteArrayConverter, Converter, DoubleConverter, FloatConverter,
    HeaderConverter, IntegerConverter, LongConverter, ShortConverter, SimpleHeaderConverter,
    StringConverter,
};

/// A built-in converter: its Java class name, and how to make one as a key/value converter
/// and as a header converter.
#[derive(Debug, Clone, Copy)]
pub struct ConverterPlugin {
    class: &'static str,
    converter: Option<fn() -> Box<dyn Converter>>,
    header_converter: Option<fn() -> Box<dyn HeaderConverter>>,
}

impl ConverterPlugin {
    /// The Java class name, e.g. `org.apache.kafka.connect.json.JsonConverter`.
    pub fn class(&self) -> &'static str {
        self.class
    }

    /// The class name without its package, e.g. `JsonConverter`.
    pub fn simple_name(&self) -> &'static str {
        self.class.rsplit('.').next().unwrap_or(self.class)
    }

    /// The simple name without the `Converter` suffix, e.g. `Json` (Kafka's pruned alias).
    pub fn pruned_name(&self) -> &'static str {
        let simple = self.simple_name();
        simple.strip_suffix("Converter").unwrap_or(simple)
    }

    /// Whether `name` is this plugin's class name or one of its aliases (case-sensitive, as in
    /// Kafka).
    pub fn matches(&self, name: &str) -> bool {
        name == self.class || name == self.simple_name() || name == self.pruned_name()
    }

    /// Whether it can convert keys and values.
    pub fn is_converter(&self) -> bool {
        self.converter.is_some()
    }

    /// Whether it can convert headers.
    pub fn is_header_converter(&self) -> bool {
        self.header_converter.is_some()
    }

    /// The function making key/value converters, if this plugin is one (for registries that
    /// instantiate plugins by name later).
    pub fn converter_factory(&self) -> Option<fn() -> Box<dyn Converter>> {
        self.converter
    }

    /// The function making header converters, if this plugin is one.
    pub fn header_converter_factory(&self) -> Option<fn() -> Box<dyn HeaderConverter>> {
        self.header_converter
    }

    /// A new, unconfigured key/value converter, if this plugin is one.
    pub fn new_converter(&self) -> Option<Box<dyn Converter>> {
        self.converter.map(|make| make())
    }

    /// A new, unconfigured header converter, if this plugin is one.
    pub fn new_header_converter(&self) -> Option<Box<dyn HeaderConverter>> {
        self.header_converter.map(|make| make())
    }
}

macro_rules! plugin {
    ($class:literal, $ty:ty, both) => {
        ConverterPlugin {
            class: $class,
            converter: Some(|| Box::new(<$ty>::default())),
            header_converter: Some(|| Box::new(<$ty>::default())),
        }
    };
    ($class:literal, $ty:ty, header_only) => {
        ConverterPlugin {
            class: $class,
            converter: None,
            header_converter: Some(|| Box::new(<$ty>::default())),
        }
    };
}

static BUILTIN: [ConverterPlugin; 10] = [
    plugin!(
        "org.apache.kafka.connect.json.JsonConverter",
        JsonConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.storage.StringConverter",
        StringConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        ByteArrayConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.converters.BooleanConverter",
        BooleanConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.converters.ShortConverter",
        ShortConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.converters.IntegerConverter",
        IntegerConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.converters.LongConverter",
        LongConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.converters.FloatConverter",
        FloatConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.converters.DoubleConverter",
        DoubleConverter,
        both
    ),
    plugin!(
        "org.apache.kafka.connect.storage.SimpleHeaderConverter",
        SimpleHeaderConverter,
        header_only
    ),
];

/// Every built-in converter.
pub fn builtin_converters() -> &'static [ConverterPlugin] {
    &BUILTIN
}

/// A new key/value converter by class name or alias, if one is built in.
///
/// ```
/// use connect_api::storage::builtin_converter;
/// assert!(builtin_converter("org.apache.kafka.connect.json.JsonConverter").is_some());
/// assert!(builtin_converter("JsonConverter").is_some());
/// assert!(builtin_converter("Json").is_some());
/// assert!(builtin_converter("SimpleHeaderConverter").is_none()); // a header converter only
/// ```
pub fn builtin_converter(name: &str) -> Option<Box<dyn Converter>> {
    BUILTIN
        .iter()
        .find(|p| p.matches(name))
        .and_then(ConverterPlugin::new_converter)
}

/// A new header converter by class name or alias, if one is built in.
///
/// ```
/// use connect_api::storage::builtin_header_converter;
/// assert!(builtin_header_converter("org.apache.kafka.connect.storage.SimpleHeaderConverter").is_some());
/// assert!(builtin_header_converter("StringConverter").is_some());
/// assert!(builtin_header_converter("NoSuchConverter").is_none());
/// ```
pub fn builtin_header_converter(name: &str) -> Option<Box<dyn HeaderConverter>> {
    BUILTIN
        .iter()
        .find(|p| p.matches(name))
        .and_then(ConverterPlugin::new_header_converter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigMap;
    use crate::data::{Schema, Value};
    use crate::header::Headers;
    use futures::executor::block_on;

    #[test]
    fn every_plugin_resolves_by_all_three_names() {
        for plugin in builtin_converters() {
            for name in [plugin.class(), plugin.simple_name(), plugin.pruned_name()] {
                let found = BUILTIN.iter().find(|p| p.matches(name)).map(|p| p.class());
                assert_eq!(found, Some(plugin.class()), "{name}");
            }
            assert!(plugin.is_header_converter(), "{}", plugin.class());
        }
        assert_eq!(BUILTIN[0].pruned_name(), "Json");
        assert!(
            builtin_converter("jsonconverter").is_none(),
            "names are case-sensitive"
        );
    }

    #[test]
    fn resolved_converters_are_the_right_ones() {
        let mut conv = builtin_converter("org.apache.kafka.connect.storage.StringConverter")
            .expect("StringConverter is built in");
        conv.configure(&ConfigMap::new(), false).unwrap();
        let bytes = block_on(conv.from_connect_data(
            "t",
            &mut Headers::new(),
            Some(&Schema::string()),
            &Value::from("héllo"),
        ))
        .unwrap();
        assert_eq!(bytes.as_deref(), Some("héllo".as_bytes()));

        let mut long = builtin_converter("Long").expect("LongConverter is built in");
        long.configure(&ConfigMap::new(), true).unwrap();
        let back =
            block_on(long.to_connect_data("t", &Headers::new(), Some(&[0, 0, 0, 0, 0, 0, 1, 0])))
                .unwrap();
        assert_eq!(back.value, Value::Int64(256));
    }
}
