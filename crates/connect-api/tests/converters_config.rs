//! The configuration definitions of the built-in converters (`config()`), as Kafka declares them:
//! `ConverterConfig`, `StringConverterConfig`, `JsonConverterConfig`, and the empty definition of
//! `SimpleHeaderConverter`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use connect_api::config::{ConfigDef, ConfigMap, ConfigType, Importance, Width};
use connect_api::storage::json::{JsonConverter, JsonConverterConfig};
use connect_api::storage::{
    BooleanConverter, ByteArrayConverter, Converter, DoubleConverter, FloatConverter,
    HeaderConverter, IntegerConverter, LongConverter, ShortConverter, SimpleHeaderConverter,
    StringConverter,
};

/// One key as documentation shows it.
#[derive(Debug, PartialEq)]
struct Key {
    name: String,
    type_: ConfigType,
    /// `None` for a required key.
    default: Option<String>,
    importance: Importance,
    validator: Option<String>,
    documentation: String,
}

fn key(
    name: &str,
    type_: ConfigType,
    default: Option<&str>,
    importance: Importance,
    validator: Option<&str>,
    documentation: &str,
) -> Key {
    Key {
        name: name.to_owned(),
        type_,
        default: default.map(str::to_owned),
        importance,
        validator: validator.map(str::to_owned),
        documentation: documentation.to_owned(),
    }
}

fn keys(def: &ConfigDef) -> Vec<Key> {
    def.keys()
        .map(|k| {
            assert_eq!(k.is_required(), k.default_value().is_none(), "{}", k.name());
            Key {
                name: k.name().to_owned(),
                type_: k.type_(),
                default: k.default_value().map(ToString::to_string),
                importance: k.importance(),
                validator: k.validator().map(ToString::to_string),
                documentation: k.documentation().unwrap_or_default().to_owned(),
            }
        })
        .collect()
}

fn converter_type() -> Key {
    key(
        "converter.type",
        ConfigType::String,
        None,
        Importance::Low,
        Some("[key, value, header]"),
        "How this converter will be used.",
    )
}

/// Both traits give the same definition, and it is the expected one.
fn assert_config<C: Converter + HeaderConverter + Default>(expected: &[Key]) {
    let converter = C::default();
    let def = Converter::config(&converter);
    def.check().unwrap();
    assert_eq!(keys(&def), expected);
    assert_eq!(keys(&HeaderConverter::config(&converter)), expected);
}

#[test]
fn byte_array_converter_defines_converter_type() {
    assert_config::<ByteArrayConverter>(&[converter_type()]);
}

#[test]
fn number_and_boolean_converters_define_converter_type() {
    assert_config::<ShortConverter>(&[converter_type()]);
    assert_config::<IntegerConverter>(&[converter_type()]);
    assert_config::<LongConverter>(&[converter_type()]);
    assert_config::<FloatConverter>(&[converter_type()]);
    assert_config::<DoubleConverter>(&[converter_type()]);
    assert_config::<BooleanConverter>(&[converter_type()]);
}

#[test]
fn string_converter_defines_its_encoding() {
    assert_config::<StringConverter>(&[
        converter_type(),
        key(
            "converter.encoding",
            ConfigType::String,
            Some("UTF-8"),
            Importance::High,
            None,
            "The name of the Java character set to use for encoding strings as byte arrays.",
        ),
    ]);
    let def = Converter::config(&StringConverter::new());
    let encoding = def.key("converter.encoding").unwrap();
    assert_eq!(
        (encoding.display_name(), encoding.width()),
        ("Encoding", Width::Medium)
    );
}

#[test]
fn simple_header_converter_defines_nothing() {
    // Kafka's SimpleHeaderConverter returns an empty ConfigDef, without `converter.type`.
    let def = SimpleHeaderConverter::new().config();
    assert!(def.is_empty());
    def.parse(&ConfigMap::new()).unwrap();
}

#[test]
fn json_converter_defines_kafkas_json_converter_config() {
    let expected = [
        converter_type(),
        key(
            "schemas.enable",
            ConfigType::Boolean,
            Some("true"),
            Importance::High,
            None,
            "Include schemas within each of the serialized values and keys.",
        ),
        key(
            "schemas.cache.size",
            ConfigType::Int,
            Some("1000"),
            Importance::High,
            None,
            "The maximum number of schemas that can be cached in this converter instance.",
        ),
        key(
            "decimal.format",
            ConfigType::String,
            Some("BASE64"),
            Importance::Low,
            Some("(case insensitive) [NUMERIC, BASE64]"),
            "Controls which format this converter will serialize decimals in. This value is case \
             insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
        ),
        key(
            "replace.null.with.default",
            ConfigType::Boolean,
            Some("true"),
            Importance::Low,
            None,
            "Whether to replace fields that have a default value and that are null to the \
             default value. When set to true, the default value is used, otherwise null is used.",
        ),
    ];
    assert_config::<JsonConverter>(&expected);
    assert_eq!(keys(&JsonConverterConfig::config_def()), expected);

    let def = JsonConverterConfig::config_def();
    assert_eq!(def.group_names(), ["Schemas", "Serialization"]);
    let layout: Vec<_> = def
        .keys()
        .map(|key| {
            (
                key.group(),
                key.order_in_group(),
                key.width(),
                key.display_name(),
            )
        })
        .collect();
    assert_eq!(
        layout,
        [
            (None, -1, Width::None, "converter.type"),
            (Some("Schemas"), 0, Width::Medium, "Enable Schemas"),
            (Some("Schemas"), 1, Width::Medium, "Schema Cache Size"),
            (Some("Serialization"), 0, Width::Medium, "Decimal Format"),
            (
                Some("Serialization"),
                1,
                Width::Medium,
                "Replace null with default"
            ),
        ]
    );
}

#[test]
fn json_converter_config_parses_what_the_definition_declares() {
    // The typed settings and the definition agree on every default.
    let props = ConfigMap::from([("converter.type".to_owned(), "value".to_owned())]);
    let parsed = JsonConverterConfig::config_def().parse(&props).unwrap();
    let config = JsonConverterConfig::from_props(&props).unwrap();
    assert_eq!(config, JsonConverterConfig::default());
    assert_eq!(
        parsed.get_bool("schemas.enable").unwrap(),
        config.schemas_enable
    );
    assert_eq!(
        parsed.get_int("schemas.cache.size").unwrap(),
        config.schemas_cache_size
    );
    assert_eq!(
        parsed.get_string("decimal.format").unwrap(),
        config.decimal_format.name()
    );
    assert_eq!(
        parsed.get_bool("replace.null.with.default").unwrap(),
        config.replace_null_with_default
    );
}
