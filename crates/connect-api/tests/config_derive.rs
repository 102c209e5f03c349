//! `#[derive(ConnectConfig)]`: declaring a configuration once and reading it typed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use connect_api::config::{
    ConfigMap, ConfigType, ConfigValue, ConnectConfig, Importance, NonEmptyString, ParsedConfig,
    Password, Range, Recommender, ValidString, Width,
};
use connect_api::error::ConfigError;

fn props(entries: &[(&str, &str)]) -> ConfigMap {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[derive(Debug, Clone, PartialEq, ConnectConfig)]
struct FileSourceConfig {
    /// Source filename. If not specified, the standard input will be used.
    #[config(name = "file", importance = "high")]
    file: Option<String>,
    /// The topic to publish data to.
    #[config(name = "topic", importance = "high", validator = NonEmptyString)]
    topic: String,
    /// The maximum number of records the source task can read from the file each time it is
    /// polled.
    ///
    /// Larger batches use more memory.
    #[config(name = "batch.size", default = 2000, importance = "low", validator = Range::at_least(1))]
    batch_size: i32,
    #[config(name = "topics", default = "")]
    topics: Vec<String>,
    #[config(name = "connection.password")]
    password: Option<Password>,
    #[config(name = "poll.ms", default = 1000)]
    poll: i64,
    #[config(
        group = "Common",
        order = 1,
        display_name = "Mode",
        width = "medium",
        doc = "How to read."
    )]
    read_mode: Option<String>,
}

#[test]
fn the_derived_definition_matches_the_declaration() {
    let def = FileSourceConfig::config_def();
    assert_eq!(
        def.names().collect::<Vec<_>>(),
        [
            "file",
            "topic",
            "batch.size",
            "topics",
            "connection.password",
            "poll.ms",
            "read.mode"
        ]
    );

    let file = def.key("file").unwrap();
    assert_eq!(file.type_(), ConfigType::String);
    assert!(file.has_default() && file.default_value().is_none());
    assert_eq!(file.importance(), Importance::High);
    assert_eq!(
        file.documentation(),
        Some("Source filename. If not specified, the standard input will be used.")
    );

    let topic = def.key("topic").unwrap();
    assert!(topic.is_required());
    assert_eq!(topic.validator().unwrap().to_string(), "non-empty string");

    let batch = def.key("batch.size").unwrap();
    assert_eq!(batch.type_(), ConfigType::Int);
    assert_eq!(batch.default_value(), Some(&ConfigValue::Int(2000)));
    assert_eq!(batch.importance(), Importance::Low);
    assert_eq!(
        batch.documentation(),
        Some(
            "The maximum number of records the source task can read from the file each time it \
             is polled.\n\nLarger batches use more memory."
        )
    );

    assert_eq!(def.key("topics").unwrap().type_(), ConfigType::List);
    assert_eq!(
        def.key("topics").unwrap().default_value(),
        Some(&ConfigValue::List(Vec::new()))
    );
    assert_eq!(
        def.key("connection.password").unwrap().type_(),
        ConfigType::Password
    );
    assert_eq!(def.key("poll.ms").unwrap().type_(), ConfigType::Long);
    assert_eq!(
        def.key("poll.ms").unwrap().default_value(),
        Some(&ConfigValue::Long(1000))
    );

    let mode = def.key("read.mode").unwrap();
    assert_eq!(mode.group(), Some("Common"));
    assert_eq!(mode.order_in_group(), 1);
    assert_eq!(mode.display_name(), "Mode");
    assert_eq!(mode.width(), Width::Medium);
    assert_eq!(mode.documentation(), Some("How to read."));
    assert_eq!(mode.importance(), Importance::Medium);
    def.check().unwrap();
}

#[test]
fn a_full_configuration_round_trips() {
    let config = FileSourceConfig::from_props(&props(&[
        ("file", "/tmp/in.txt"),
        ("topic", "lines"),
        ("batch.size", "10"),
        ("topics", "a, b ,c"),
        ("connection.password", "s3cr3t"),
        ("poll.ms", "250"),
        ("read.mode", "tail"),
        ("unrelated", "ignored"),
    ]))
    .unwrap();
    assert_eq!(
        config,
        FileSourceConfig {
            file: Some("/tmp/in.txt".into()),
            topic: "lines".into(),
            batch_size: 10,
            topics: vec!["a".into(), "b".into(), "c".into()],
            password: Some(Password::new("s3cr3t")),
            poll: 250,
            read_mode: Some("tail".into()),
        }
    );
    assert!(!format!("{config:?}").contains("s3cr3t"));
}

#[test]
fn defaults_and_nulls_apply() {
    let config = FileSourceConfig::from_props(&props(&[("topic", "lines")])).unwrap();
    assert_eq!(config.file, None);
    assert_eq!(config.batch_size, 2000);
    assert!(config.topics.is_empty());
    assert_eq!(config.password, None);
    assert_eq!(config.poll, 1000);
    assert_eq!(config.read_mode, None);
}

#[test]
fn errors_name_every_bad_key() {
    let error = FileSourceConfig::from_props(&props(&[("batch.size", "0"), ("poll.ms", "soon")]))
        .unwrap_err();
    assert_eq!(
        error,
        ConfigError::Multiple(vec![
            ConfigError::missing("topic"),
            ConfigError::invalid("batch.size", "0", "Value must be at least 1"),
            ConfigError::invalid("poll.ms", "soon", "Not a number of type LONG"),
        ])
    );
    let infos = FileSourceConfig::validate(&props(&[("topic", "")]));
    assert_eq!(
        infos
            .iter()
            .flat_map(|i| i.errors.clone())
            .collect::<Vec<_>>(),
        ["Invalid value  for configuration topic: String must be non-empty"]
    );
}

/// Every supported field type, with and without `Option`.
#[derive(Debug, PartialEq, ConnectConfig)]
struct AllTypes {
    flag: bool,
    text: String,
    int: i32,
    short: i16,
    long: i64,
    double: f64,
    list: Vec<String>,
    #[config(type = "class")]
    class: String,
    secret: Password,
    opt_flag: Option<bool>,
    opt_text: std::option::Option<std::string::String>,
    opt_int: Option<i32>,
    opt_short: Option<i16>,
    opt_long: Option<i64>,
    opt_double: Option<f64>,
    opt_list: Option<Vec<String>>,
    #[config(type = "CLASS")]
    opt_class: Option<String>,
    opt_secret: Option<Password>,
    #[config(skip)]
    cache: Vec<u8>,
    r#type: String,
}

#[test]
fn every_field_type_maps_to_its_config_type() {
    let def = AllTypes::config_def();
    let types: Vec<(String, ConfigType, bool)> = def
        .keys()
        .map(|k| (k.name().to_owned(), k.type_(), k.is_required()))
        .collect();
    let expected = [
        ("flag", ConfigType::Boolean, true),
        ("text", ConfigType::String, true),
        ("int", ConfigType::Int, true),
        ("short", ConfigType::Short, true),
        ("long", ConfigType::Long, true),
        ("double", ConfigType::Double, true),
        ("list", ConfigType::List, true),
        ("class", ConfigType::Class, true),
        ("secret", ConfigType::Password, true),
        ("opt.flag", ConfigType::Boolean, false),
        ("opt.text", ConfigType::String, false),
        ("opt.int", ConfigType::Int, false),
        ("opt.short", ConfigType::Short, false),
        ("opt.long", ConfigType::Long, false),
        ("opt.double", ConfigType::Double, false),
        ("opt.list", ConfigType::List, false),
        ("opt.class", ConfigType::Class, false),
        ("opt.secret", ConfigType::Password, false),
        ("type", ConfigType::String, true),
    ];
    let expected: Vec<(String, ConfigType, bool)> = expected
        .iter()
        .map(|(n, t, r)| ((*n).to_owned(), *t, *r))
        .collect();
    assert_eq!(types, expected);

    let config = AllTypes::from_props(&props(&[
        ("flag", "true"),
        ("text", "t"),
        ("int", "1"),
        ("short", "2"),
        ("long", "3"),
        ("double", "4.5"),
        ("list", "x,y"),
        ("class", "org.X"),
        ("secret", "s"),
        ("opt.int", "7"),
        ("opt.list", ""),
        ("opt.class", "org.Y"),
        ("opt.secret", "t"),
        ("type", "kind"),
    ]))
    .unwrap();
    assert_eq!(
        config,
        AllTypes {
            flag: true,
            text: "t".into(),
            int: 1,
            short: 2,
            long: 3,
            double: 4.5,
            list: vec!["x".into(), "y".into()],
            class: "org.X".into(),
            secret: Password::new("s"),
            opt_flag: None,
            opt_text: None,
            opt_int: Some(7),
            opt_short: None,
            opt_long: None,
            opt_double: None,
            opt_list: Some(Vec::new()),
            opt_class: Some("org.Y".into()),
            opt_secret: Some(Password::new("t")),
            cache: Vec::new(),
            r#type: "kind".into(),
        }
    );
}

/// Recommends the usual modes.
#[derive(Debug)]
struct Modes;

impl Recommender for Modes {
    fn valid_values(&self, _name: &str, _parsed: &ParsedConfig) -> Vec<ConfigValue> {
        vec!["a".into(), "b".into()]
    }
    fn visible(&self, _name: &str, parsed: &ParsedConfig) -> bool {
        parsed.get_bool("enabled").unwrap_or(false)
    }
}

#[derive(Debug, ConnectConfig)]
struct Advanced {
    #[config(default = false, dependents = ["mode"])]
    enabled: bool,
    #[config(default = "a", validator = ValidString::in_(["a", "b"]), recommender = Modes, internal)]
    mode: String,
    #[config(default = 0.25, validator = Range::between(0.0, 1.0))]
    ratio: f64,
    #[config(default = 5)]
    retries: i16,
    #[config(default = 3)]
    backoff: f64,
    #[config(default = ["x", "y"])]
    hosts: Vec<String>,
    #[config(default = "  padded  ")]
    label: Option<String>,
}

#[test]
fn validators_recommenders_and_other_attributes() {
    let def = Advanced::config_def();
    def.check().unwrap();
    assert_eq!(def.key("enabled").unwrap().dependents(), ["mode"]);
    assert!(def.key("mode").unwrap().internal());
    assert_eq!(
        def.key("backoff").unwrap().default_value(),
        Some(&ConfigValue::Double(3.0))
    );

    let config = Advanced::from_props(&ConfigMap::new()).unwrap();
    assert!(!config.enabled);
    assert_eq!(config.mode, "a");
    assert_eq!(config.ratio, 0.25);
    assert_eq!(config.retries, 5);
    assert_eq!(config.backoff, 3.0);
    assert_eq!(config.hosts, ["x", "y"]);
    assert_eq!(config.label.as_deref(), Some("padded"));

    let infos = Advanced::validate(&props(&[("mode", "c"), ("ratio", "2")]));
    let mode = infos.iter().find(|i| i.name == "mode").unwrap();
    assert_eq!(
        mode.errors,
        ["Invalid value c for configuration mode: String must be one of: a, b"]
    );
    assert_eq!(
        mode.recommended_values,
        [ConfigValue::from("a"), ConfigValue::from("b")]
    );
    assert!(!mode.visible);
    let ratio = infos.iter().find(|i| i.name == "ratio").unwrap();
    assert_eq!(
        ratio.errors,
        ["Invalid value 2.0 for configuration ratio: Value must be no more than 1.0"]
    );

    let infos = Advanced::validate(&props(&[("enabled", "true")]));
    assert!(infos.iter().all(|i| i.visible && i.errors.is_empty()));
}

#[test]
fn from_parsed_reports_a_mismatched_configuration() {
    let parsed = Advanced::config_def().parse(&ConfigMap::new()).unwrap();
    assert_eq!(
        FileSourceConfig::from_parsed(&parsed)
            .unwrap_err()
            .to_string(),
        "Unknown configuration 'file'"
    );
}

#[derive(Debug, ConnectConfig)]
struct Empty {}

#[test]
fn an_empty_struct_has_an_empty_definition() {
    assert!(Empty::config_def().is_empty());
    Empty::from_props(&props(&[("anything", "x")])).unwrap();
}

/// A definition bug in a derived configuration is an error, not a panic.
#[derive(Debug, ConnectConfig)]
#[allow(dead_code)]
struct BrokenDefault {
    #[config(default = 0, validator = Range::at_least(1))]
    count: i32,
}

#[test]
fn a_default_failing_its_validator_is_reported() {
    assert_eq!(
        BrokenDefault::from_props(&ConfigMap::new())
            .unwrap_err()
            .to_string(),
        "Invalid default value 0 for configuration count: Value must be at least 1"
    );
}
