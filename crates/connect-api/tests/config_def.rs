//! Definitions, defaults, parsing, validation and recommenders.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigType, ConfigValue, ConfigValueInfo, Importance,
    LambdaValidator, NonEmptyString, NonNullValidator, ParsedConfig, Password, Range, Recommender,
    ValidString, Width,
};
use connect_api::error::ConfigError;

fn props(entries: &[(&str, &str)]) -> ConfigMap {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn info<'a>(infos: &'a [ConfigValueInfo], name: &str) -> &'a ConfigValueInfo {
    infos
        .iter()
        .find(|info| info.name == name)
        .unwrap_or_else(|| panic!("no result for {name}"))
}

#[test]
fn keys_have_kafkas_defaults_and_accessors() {
    let def = ConfigDef::new().define(ConfigKey::new("plain", ConfigType::String));
    let key = def.key("plain").unwrap();
    assert_eq!(key.name(), "plain");
    assert_eq!(key.type_(), ConfigType::String);
    assert!(key.is_required());
    assert!(!key.has_default());
    assert_eq!(key.default_value(), None);
    assert_eq!(key.importance(), Importance::Medium);
    assert_eq!(key.documentation(), None);
    assert_eq!(key.group(), None);
    assert_eq!(key.order_in_group(), -1);
    assert_eq!(key.width(), Width::None);
    assert_eq!(key.display_name(), "plain");
    assert!(key.dependents().is_empty());
    assert!(key.validator().is_none());
    assert!(key.recommender().is_none());
    assert!(!key.internal());
}

#[test]
fn every_builder_setting_is_kept() {
    let key: ConfigKey = ConfigKey::int("tasks.max")
        .default_value(1)
        .validator(Range::at_least(1))
        .importance(Importance::High)
        .documentation("Maximum number of tasks.")
        .group("Common")
        .order_in_group(3)
        .width(Width::Short)
        .display_name("Tasks max")
        .dependents(["a", "b"])
        .recommender(Fixed(vec![ConfigValue::Int(1)]))
        .internal()
        .build();
    assert_eq!(key.default_value(), Some(&ConfigValue::Int(1)));
    assert!(key.has_default());
    assert_eq!(key.validator().unwrap().to_string(), "[1,...]");
    assert_eq!(key.importance(), Importance::High);
    assert_eq!(key.documentation(), Some("Maximum number of tasks."));
    assert_eq!(key.group(), Some("Common"));
    assert_eq!(key.order_in_group(), 3);
    assert_eq!(key.width(), Width::Short);
    assert_eq!(key.display_name(), "Tasks max");
    assert_eq!(key.dependents(), ["a", "b"]);
    assert!(key.recommender().is_some());
    assert!(key.internal());
}

#[test]
fn defaults_are_converted_to_the_key_type() {
    let def = ConfigDef::new()
        .define(ConfigKey::long("long.from.int").default_value(5))
        .define(ConfigKey::short("short.from.int").default_value(5))
        .define(ConfigKey::double("double.from.int").default_value(2))
        .define(ConfigKey::int("int.from.text").default_value(" 7 "))
        .define(ConfigKey::list("list.from.text").default_value("a, b"))
        .define(ConfigKey::list("list.from.vec").default_value(vec!["a,b"]))
        .define(ConfigKey::string("string.trimmed").default_value(" x "))
        .define(ConfigKey::class("class.from.text").default_value("org.Foo"))
        .define(ConfigKey::password("password.from.text").default_value("pw"))
        .define(ConfigKey::boolean("bool.from.text").default_value("TRUE"));
    def.check().unwrap();
    let defaults: Vec<ConfigValue> = def
        .keys()
        .map(|k| k.default_value().unwrap().clone())
        .collect();
    assert_eq!(
        defaults,
        [
            ConfigValue::Long(5),
            ConfigValue::Short(5),
            ConfigValue::Double(2.0),
            ConfigValue::Int(7),
            ConfigValue::from(vec!["a", "b"]),
            ConfigValue::from(vec!["a,b"]),
            ConfigValue::String("x".into()),
            ConfigValue::Class("org.Foo".into()),
            ConfigValue::Password(Password::new("pw")),
            ConfigValue::Boolean(true),
        ]
    );
}

#[test]
fn invalid_defaults_are_definition_errors_naming_the_key() {
    let def = ConfigDef::new()
        .define(ConfigKey::int("a").default_value("x"))
        .define(ConfigKey::short("b").default_value(100_000))
        .define(ConfigKey::int("c").default_value(true))
        .define(
            ConfigKey::int("d")
                .default_value(0)
                .validator(Range::at_least(1)),
        )
        .define(
            ConfigKey::int("e")
                .default_null()
                .validator(Range::at_least(1)),
        )
        .define(
            ConfigKey::string("ok")
                .default_null()
                .validator(NonEmptyString),
        );
    let ConfigError::Multiple(errors) = def.check().unwrap_err() else {
        panic!("expected several errors")
    };
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "Invalid default value x for configuration a: Not a number of type INT",
            "Invalid default value 100000 for configuration b: Expected value to be a 16-bit integer (short), but it was a INT",
            "Invalid default value true for configuration c: Expected value to be a 32-bit integer, but it was a BOOLEAN",
            "Invalid default value 0 for configuration d: Value must be at least 1",
            "Invalid default value null for configuration e: Value must be non-null",
        ]
    );
    assert!(errors.iter().all(|e| matches!(e, ConfigError::Other(_))));
    // parse refuses a broken definition; validate reports it on the key.
    assert_eq!(
        def.parse(&ConfigMap::new()).unwrap_err(),
        ConfigError::Multiple(errors)
    );
    let infos = def.validate(&props(&[("a", "1")]));
    assert_eq!(
        info(&infos, "a").errors,
        ["Invalid default value x for configuration a: Not a number of type INT"]
    );
    assert_eq!(info(&infos, "a").value, Some(ConfigValue::Int(1)));
    assert!(info(&infos, "ok").errors.is_empty());
}

#[test]
fn the_last_default_setting_wins() {
    let key = ConfigKey::int("x")
        .default_value("bad")
        .default_value(3)
        .build();
    assert_eq!(key.default_value(), Some(&ConfigValue::Int(3)));
    let key = ConfigKey::int("x").default_value(3).no_default().build();
    assert!(key.is_required());
    let key = ConfigKey::int("x").default_null().build();
    assert!(key.has_default() && key.default_value().is_none());
}

#[test]
fn defining_a_key_twice_keeps_the_first_and_reports_it() {
    let def = ConfigDef::new()
        .define(ConfigKey::int("x").default_value(1))
        .define(ConfigKey::string("x"));
    assert_eq!(def.len(), 1);
    assert_eq!(def.key("x").unwrap().type_(), ConfigType::Int);
    assert_eq!(
        def.check().unwrap_err(),
        ConfigError::Other("Configuration x is defined twice.".into())
    );
    assert_eq!(
        def.validate(&ConfigMap::new())[0].errors,
        ["Configuration x is defined twice."]
    );
}

#[test]
fn keys_names_and_groups_keep_definition_order() {
    let mut def = ConfigDef::new()
        .define(ConfigKey::string("z").group("B"))
        .define(ConfigKey::string("a").group("A"))
        .define(ConfigKey::string("m").group("B"));
    def.add(ConfigKey::string("n"));
    assert_eq!(def.names().collect::<Vec<_>>(), ["z", "a", "m", "n"]);
    assert_eq!(
        def.keys().map(ConfigKey::name).collect::<Vec<_>>(),
        ["z", "a", "m", "n"]
    );
    assert_eq!(def.group_names(), ["B", "A"]);
    assert!(def.contains("m") && !def.contains("q"));
    assert!(!def.is_empty());
    assert!(ConfigDef::new().is_empty());
}

#[test]
fn with_def_merges_a_base_definition() {
    let base = ConfigDef::new()
        .define(ConfigKey::string("name").group("Common"))
        .define(ConfigKey::int("tasks.max").default_value(1));
    let def = ConfigDef::new()
        .with_def(&base)
        .define(ConfigKey::list("topics").default_value("").group("Sink"));
    assert_eq!(
        def.names().collect::<Vec<_>>(),
        ["name", "tasks.max", "topics"]
    );
    assert_eq!(def.group_names(), ["Common", "Sink"]);
    let duplicated = ConfigDef::new().with_def(&base).with_def(&base);
    assert!(duplicated.check().is_err());
}

#[test]
fn sorted_keys_follow_kafkas_documentation_order() {
    let def = ConfigDef::new()
        .define(ConfigKey::string("g2").group("Second").order_in_group(1))
        .define(ConfigKey::string("g1.b").group("First").order_in_group(2))
        .define(ConfigKey::string("g1.a").group("First").order_in_group(1))
        .define(
            ConfigKey::string("low")
                .default_value("")
                .importance(Importance::Low),
        )
        .define(ConfigKey::string("required").importance(Importance::Low))
        .define(
            ConfigKey::string("high.b")
                .default_value("")
                .importance(Importance::High),
        )
        .define(
            ConfigKey::string("high.a")
                .default_value("")
                .importance(Importance::High),
        );
    let names: Vec<&str> = def.sorted_keys().into_iter().map(ConfigKey::name).collect();
    assert_eq!(
        names,
        ["required", "high.a", "high.b", "low", "g2", "g1.a", "g1.b"]
    );
}

#[test]
fn parse_types_every_defined_key_and_keeps_unknown_keys_as_originals() {
    let def = ConfigDef::new()
        .define(ConfigKey::boolean("b").default_value(false))
        .define(ConfigKey::string("s"))
        .define(ConfigKey::int("i").default_value(1))
        .define(ConfigKey::short("sh").default_value(2))
        .define(ConfigKey::long("l").default_value(3))
        .define(ConfigKey::double("d").default_value(4.5))
        .define(ConfigKey::list("li").default_value("x,y"))
        .define(ConfigKey::class("c").default_null())
        .define(ConfigKey::password("p").default_null());
    let parsed = def
        .parse(&props(&[
            ("s", "text"),
            ("i", "10"),
            ("p", "pw"),
            ("unknown", "u"),
        ]))
        .unwrap();
    assert!(!parsed.get_bool("b").unwrap());
    assert_eq!(parsed.get_string("s").unwrap(), "text");
    assert_eq!(parsed.get_int("i").unwrap(), 10);
    assert_eq!(parsed.get_short("sh").unwrap(), 2);
    assert_eq!(parsed.get_long("l").unwrap(), 3);
    assert_eq!(parsed.get_double("d").unwrap(), 4.5);
    assert_eq!(parsed.get_list("li").unwrap(), ["x", "y"]);
    assert_eq!(parsed.get_opt_class("c").unwrap(), None);
    assert_eq!(parsed.get_password("p").unwrap().value(), "pw");
    assert_eq!(parsed.get_opt_int("i").unwrap(), Some(10));

    assert_eq!(parsed.get("unknown"), None);
    assert!(!parsed.contains_key("unknown"));
    assert_eq!(parsed.originals()["unknown"], "u");
    assert_eq!(parsed.type_of("d"), Some(ConfigType::Double));
    assert_eq!(parsed.values().len(), 9);
    assert_eq!(
        parsed.values().next(),
        Some(("b", Some(&ConfigValue::Boolean(false))))
    );
}

#[test]
fn typed_getters_explain_what_is_wrong() {
    let def = ConfigDef::new()
        .define(ConfigKey::string("s").default_null())
        .define(ConfigKey::int("i").default_value(1));
    let parsed = def.parse(&ConfigMap::new()).unwrap();
    assert_eq!(
        parsed.get_string("missing").unwrap_err().to_string(),
        "Unknown configuration 'missing'"
    );
    assert_eq!(
        parsed.get_long("i").unwrap_err().to_string(),
        "Configuration 'i' has type INT, not LONG"
    );
    assert_eq!(
        parsed.get_string("s").unwrap_err().to_string(),
        "Configuration 's' has no value"
    );
    assert_eq!(parsed.get_opt_string("s").unwrap(), None);
    assert_eq!(
        parsed.get_opt_bool("s").unwrap_err().to_string(),
        "Configuration 's' has type STRING, not BOOLEAN"
    );
}

#[test]
fn parse_reports_missing_required_keys() {
    let def = ConfigDef::new().define(ConfigKey::string("topic"));
    assert_eq!(
        def.parse(&ConfigMap::new()).unwrap_err(),
        ConfigError::missing("topic")
    );
    assert_eq!(
        def.parse(&ConfigMap::new()).unwrap_err().to_string(),
        "Missing required configuration \"topic\" which has no default value."
    );
}

#[test]
fn parse_reports_every_bad_key_in_definition_order() {
    let def = ConfigDef::new()
        .define(ConfigKey::int("first"))
        .define(ConfigKey::string("fine").default_value("ok"))
        .define(ConfigKey::boolean("second").default_value(true))
        .define(
            ConfigKey::int("third")
                .default_value(5)
                .validator(Range::between(1, 10)),
        )
        .define(ConfigKey::string("fourth"));
    let error = def
        .parse(&props(&[
            ("second", "maybe"),
            ("third", "11"),
            ("first", "1"),
        ]))
        .unwrap_err();
    assert_eq!(
        error,
        ConfigError::Multiple(vec![
            ConfigError::invalid(
                "second",
                "maybe",
                "Expected value to be either true or false"
            ),
            ConfigError::invalid("third", "11", "Value must be no more than 10"),
            ConfigError::missing("fourth"),
        ])
    );
    assert_eq!(
        error.to_string(),
        "Invalid value maybe for configuration second: Expected value to be either true or false; \
         Invalid value 11 for configuration third: Value must be no more than 10; \
         Missing required configuration \"fourth\" which has no default value."
    );
}

#[test]
fn parse_runs_validators_on_configured_default_and_null_values() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = {
        let seen = Arc::clone(&seen);
        LambdaValidator::with(
            move |name, value| {
                let shown = value.map_or_else(|| "null".to_owned(), ToString::to_string);
                seen.lock().unwrap().push(format!("{name}={shown}"));
                Ok(())
            },
            "records what it sees",
        )
    };
    let def = ConfigDef::new()
        .define(
            ConfigKey::int("default")
                .default_value(3)
                .validator(recorder.clone()),
        )
        .define(
            ConfigKey::int("null")
                .default_null()
                .validator(recorder.clone()),
        )
        .define(ConfigKey::int("configured").validator(recorder));
    // Defining the keys checked the defaults.
    assert_eq!(*seen.lock().unwrap(), ["default=3", "null=null"]);
    seen.lock().unwrap().clear();

    def.parse(&props(&[("configured", "1")])).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["default=3", "null=null", "configured=1"]
    );
}

#[test]
fn a_null_default_must_pass_the_validator() {
    let def = ConfigDef::new().define(
        ConfigKey::class("converter")
            .default_null()
            .validator(NonNullValidator),
    );
    assert_eq!(
        def.check().unwrap_err().to_string(),
        "Invalid default value null for configuration converter: entry must be non null"
    );
}

#[test]
fn validate_reports_every_error_of_every_key_at_once() {
    let def = ConfigDef::new()
        .define(ConfigKey::string("name").validator(NonEmptyString))
        .define(
            ConfigKey::int("tasks.max")
                .default_value(1)
                .validator(Range::at_least(1)),
        )
        .define(
            ConfigKey::string("errors.tolerance")
                .default_value("none")
                .validator(ValidString::in_(["none", "all"])),
        )
        .define(ConfigKey::int("port").validator(Range::at_least(1)))
        .define(ConfigKey::list("topics").default_value(""));
    let infos = def.validate(&props(&[
        ("tasks.max", "x"),
        ("errors.tolerance", "some"),
        ("topics", "a,b"),
    ]));
    assert_eq!(
        infos.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["name", "tasks.max", "errors.tolerance", "port", "topics"]
    );
    assert_eq!(
        info(&infos, "name").errors,
        ["Missing required configuration \"name\" which has no default value."]
    );
    assert_eq!(
        info(&infos, "tasks.max").errors,
        [
            "Invalid value x for configuration tasks.max: Not a number of type INT",
            "Invalid value null for configuration tasks.max: Value must be non-null",
        ]
    );
    assert_eq!(info(&infos, "tasks.max").value, None);
    assert_eq!(
        info(&infos, "errors.tolerance").errors,
        ["Invalid value some for configuration errors.tolerance: String must be one of: none, all"]
    );
    assert_eq!(
        info(&infos, "errors.tolerance").value,
        Some(ConfigValue::String("some".into()))
    );
    assert_eq!(
        info(&infos, "port").errors,
        [
            "Missing required configuration \"port\" which has no default value.",
            "Invalid value null for configuration port: Value must be non-null",
        ]
    );
    assert!(info(&infos, "topics").errors.is_empty());
    assert!(!info(&infos, "topics").has_errors());
    assert_eq!(
        info(&infos, "topics").value,
        Some(ConfigValue::from(vec!["a", "b"]))
    );
    assert!(infos.iter().all(|i| i.visible));

    let error = def.validate_all(&props(&[("tasks.max", "x")])).unwrap_err();
    let ConfigError::Multiple(errors) = error else {
        panic!("expected several errors")
    };
    assert_eq!(errors.len(), 5);
    assert_eq!(errors[0], ConfigError::missing("name"));
}

#[test]
fn validate_all_returns_the_parsed_values_when_everything_is_valid() {
    let def = ConfigDef::new().define(ConfigKey::int("n").default_value(1));
    let parsed = def.validate_all(&props(&[("n", "2")])).unwrap();
    assert_eq!(parsed.get_int("n").unwrap(), 2);
}

#[test]
fn validation_results_serialize_like_kafkas_rest_api() {
    let def = ConfigDef::new()
        .define(ConfigKey::int("n"))
        .define(ConfigKey::password("p").default_null());
    let infos = def.validate(&props(&[("p", "hunter2")]));
    assert_eq!(
        serde_json::to_value(&infos).unwrap(),
        serde_json::json!([
            {
                "name": "n",
                "value": null,
                "recommended_values": [],
                "errors": ["Missing required configuration \"n\" which has no default value."],
                "visible": true
            },
            {
                "name": "p",
                "value": "[hidden]",
                "recommended_values": [],
                "errors": [],
                "visible": true
            }
        ])
    );
    assert!(ConfigValueInfo::new("x").visible);
}

/// Recommends a fixed list, always visible.
#[derive(Debug)]
struct Fixed(Vec<ConfigValue>);

impl Recommender for Fixed {
    fn valid_values(&self, _name: &str, _parsed: &ParsedConfig) -> Vec<ConfigValue> {
        self.0.clone()
    }
    fn visible(&self, _name: &str, _parsed: &ParsedConfig) -> bool {
        true
    }
}

/// Recommends formats for the selected storage, and is visible only when one is selected;
/// counts its calls.
#[derive(Debug, Default)]
struct FormatForStorage {
    calls: AtomicUsize,
}

impl Recommender for FormatForStorage {
    fn valid_values(&self, name: &str, parsed: &ParsedConfig) -> Vec<ConfigValue> {
        assert_eq!(name, "format");
        self.calls.fetch_add(1, Ordering::SeqCst);
        match parsed.get("storage").and_then(ConfigValue::as_str) {
            Some("s3") => vec!["parquet".into(), "json".into()],
            Some("hdfs") => vec!["avro".into()],
            _ => Vec::new(),
        }
    }
    fn visible(&self, _name: &str, parsed: &ParsedConfig) -> bool {
        self.calls.fetch_add(1, Ordering::SeqCst);
        parsed.get_opt_string("storage").ok().flatten().is_some()
    }
}

#[test]
fn recommenders_see_every_parsed_value() {
    let recommender = Arc::new(FormatForStorage::default());
    let def = ConfigDef::new()
        .define(
            ConfigKey::string("storage")
                .default_null()
                .dependents(["format"]),
        )
        .define(
            ConfigKey::string("format")
                .default_null()
                .recommender(Arc::clone(&recommender)),
        )
        .define(
            ConfigKey::int("n")
                .default_value(1)
                .recommender(Fixed(vec![1.into(), 2.into()])),
        );

    let infos = def.validate(&props(&[("storage", "s3"), ("format", "csv")]));
    let format = info(&infos, "format");
    assert!(format.visible);
    assert_eq!(
        format.recommended_values,
        [ConfigValue::from("parquet"), ConfigValue::from("json")]
    );
    // Recommendations do not reject other values.
    assert!(format.errors.is_empty());
    assert_eq!(
        info(&infos, "n").recommended_values,
        [ConfigValue::Int(1), ConfigValue::Int(2)]
    );
    assert!(info(&infos, "storage").recommended_values.is_empty());

    let infos = def.validate(&ConfigMap::new());
    assert!(!info(&infos, "format").visible);
    assert!(info(&infos, "format").recommended_values.is_empty());
    assert_eq!(recommender.calls.load(Ordering::SeqCst), 4);

    // parse does not consult recommenders.
    def.parse(&ConfigMap::new()).unwrap();
    assert_eq!(recommender.calls.load(Ordering::SeqCst), 4);
}

#[test]
fn undefined_dependents_are_reported() {
    let def = ConfigDef::new()
        .define(
            ConfigKey::string("a")
                .default_value("")
                .dependents(["b", "c"]),
        )
        .define(ConfigKey::string("b").default_value("").dependents(["c"]));
    assert_eq!(
        def.parse(&ConfigMap::new()).unwrap_err().to_string(),
        "Some configurations in are referred in the dependents, but not defined: c"
    );
    let infos = def.validate(&ConfigMap::new());
    assert_eq!(infos.len(), 3);
    let c = info(&infos, "c");
    assert_eq!(
        c.errors,
        ["c is referred in the dependents, but not defined."]
    );
    assert!(!c.visible);
    assert_eq!(c.value, None);
}

#[test]
fn embedded_definitions_are_prefixed_and_see_their_own_names() {
    #[derive(Debug)]
    struct FieldNames;
    impl Recommender for FieldNames {
        fn valid_values(&self, name: &str, parsed: &ParsedConfig) -> Vec<ConfigValue> {
            vec![format!("{name}={}", parsed.get_string("mode").unwrap_or("?")).into()]
        }
        fn visible(&self, _name: &str, parsed: &ParsedConfig) -> bool {
            parsed.originals().contains_key("mode")
        }
    }
    let child = ConfigDef::new()
        .define(
            ConfigKey::string("mode")
                .default_value("a")
                .validator(ValidString::in_(["a", "b"]))
                .dependents(["field"]),
        )
        .define(
            ConfigKey::string("field")
                .default_null()
                .group("Fields")
                .recommender(FieldNames),
        );
    let def = ConfigDef::new()
        .define(ConfigKey::list("transforms").default_value(""))
        .embed("transforms.t.", "Transforms: t", 5, &child);

    assert_eq!(
        def.names().collect::<Vec<_>>(),
        ["transforms", "transforms.t.mode", "transforms.t.field"]
    );
    let mode = def.key("transforms.t.mode").unwrap();
    assert_eq!(mode.group(), Some("Transforms: t"));
    assert_eq!(mode.order_in_group(), 5);
    assert_eq!(mode.dependents(), ["transforms.t.field"]);
    assert_eq!(mode.validator().unwrap().to_string(), "[a, b]");
    let field = def.key("transforms.t.field").unwrap();
    assert_eq!(field.group(), Some("Transforms: t: Fields"));
    assert_eq!(field.order_in_group(), 6);
    assert_eq!(
        def.group_names(),
        ["Transforms: t", "Transforms: t: Fields"]
    );

    let infos = def.validate(&props(&[("transforms.t.mode", "c")]));
    assert_eq!(
        info(&infos, "transforms.t.mode").errors,
        ["Invalid value c for configuration mode: String must be one of: a, b"]
    );
    let infos = def.validate(&props(&[("transforms.t.mode", "b")]));
    let field_info = info(&infos, "transforms.t.field");
    assert_eq!(
        field_info.recommended_values,
        [ConfigValue::from("field=b")]
    );
    assert!(field_info.visible);
}

#[test]
fn originals_with_prefix() {
    let def = ConfigDef::new().define(ConfigKey::string("acks").default_value("all"));
    let parsed = def
        .parse(&props(&[
            ("acks", "all"),
            ("producer.acks", "1"),
            ("producer.", "empty"),
            ("producer.linger.ms", "5"),
            ("consumer.acks", "0"),
        ]))
        .unwrap();
    assert_eq!(
        parsed.originals_with_prefix("producer.", true),
        props(&[("acks", "1"), ("linger.ms", "5")])
    );
    assert_eq!(
        parsed.originals_with_prefix("producer.", false),
        props(&[("producer.acks", "1"), ("producer.linger.ms", "5")])
    );
    let overridden = parsed.originals_with_prefix_override("producer.");
    assert_eq!(overridden["acks"], "1");
    assert_eq!(
        def.parse(&overridden).unwrap().get_string("acks").unwrap(),
        "1"
    );
}

#[test]
fn parsing_arbitrary_input_never_panics() {
    let def = ConfigDef::new()
        .define(ConfigKey::boolean("b"))
        .define(ConfigKey::int("i").validator(Range::at_least(0)))
        .define(ConfigKey::double("d"))
        .define(ConfigKey::list("l"))
        .define(ConfigKey::class("c"))
        .define(ConfigKey::password("p"));
    for text in ["", " ", "\u{0}", "é", "-", "1e999", "NaN", ",,,", "\u{7f}"] {
        let map: ConfigMap = ["b", "i", "d", "l", "c", "p"]
            .iter()
            .map(|k| ((*k).to_owned(), text.to_owned()))
            .collect();
        let _ = def.parse(&map);
        assert_eq!(def.validate(&map).len(), 6);
    }
}

#[test]
fn definitions_can_be_shared_between_threads() {
    fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
    assert_shareable::<ConfigDef>();
    assert_shareable::<ConfigKey>();
    assert_shareable::<ParsedConfig>();
    assert_shareable::<ConfigValueInfo>();
}
