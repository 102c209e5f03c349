//! Parsing configured strings into typed values: every type, its errors and Kafka's messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use connect_api::config::{ConfigType, ConfigValue, Importance, Password, Width};
use connect_api::error::ConfigError;
use proptest::prelude::*;

fn parse(type_: ConfigType, value: &str) -> Result<ConfigValue, ConfigError> {
    type_.parse("key", value)
}

fn error_text(type_: ConfigType, value: &str) -> String {
    parse(type_, value).unwrap_err().to_string()
}

#[test]
fn type_names_are_kafkas() {
    let names: Vec<String> = ConfigType::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD"
        ]
    );
    assert_eq!(Importance::Low.to_string(), "LOW");
    assert_eq!(Importance::default(), Importance::Medium);
    assert_eq!(Width::Long.to_string(), "LONG");
    assert_eq!(
        serde_json::to_string(&(ConfigType::Int, Importance::High, Width::Short)).unwrap(),
        r#"["INT","HIGH","SHORT"]"#
    );
}

#[test]
fn booleans_are_case_insensitive_and_trimmed() {
    for (text, expected) in [
        ("true", true),
        ("TRUE", true),
        (" True ", true),
        ("false", false),
        ("fAlSe", false),
    ] {
        assert_eq!(
            parse(ConfigType::Boolean, text).unwrap(),
            ConfigValue::Boolean(expected)
        );
    }
    assert_eq!(
        error_text(ConfigType::Boolean, "yes"),
        "Invalid value yes for configuration key: Expected value to be either true or false"
    );
    assert!(parse(ConfigType::Boolean, "").is_err());
    assert!(parse(ConfigType::Boolean, "1").is_err());
}

#[test]
fn strings_and_passwords_are_trimmed() {
    assert_eq!(
        parse(ConfigType::String, "  a b  ").unwrap(),
        ConfigValue::String("a b".into())
    );
    assert_eq!(
        parse(ConfigType::String, "").unwrap(),
        ConfigValue::String(String::new())
    );
    assert_eq!(
        parse(ConfigType::Password, " secret\n").unwrap(),
        ConfigValue::Password(Password::new("secret"))
    );
}

#[test]
fn integers_parse_within_their_range() {
    assert_eq!(
        parse(ConfigType::Int, " 42 ").unwrap(),
        ConfigValue::Int(42)
    );
    assert_eq!(
        parse(ConfigType::Int, "-2147483648").unwrap(),
        ConfigValue::Int(i32::MIN)
    );
    assert_eq!(parse(ConfigType::Int, "+7").unwrap(), ConfigValue::Int(7));
    assert_eq!(
        parse(ConfigType::Short, "32767").unwrap(),
        ConfigValue::Short(i16::MAX)
    );
    assert_eq!(
        parse(ConfigType::Long, "9223372036854775807").unwrap(),
        ConfigValue::Long(i64::MAX)
    );

    assert_eq!(
        error_text(ConfigType::Int, "2147483648"),
        "Invalid value 2147483648 for configuration key: Not a number of type INT"
    );
    assert_eq!(
        error_text(ConfigType::Short, "40000"),
        "Invalid value 40000 for configuration key: Not a number of type SHORT"
    );
    assert_eq!(
        error_text(ConfigType::Long, "1.5"),
        "Invalid value 1.5 for configuration key: Not a number of type LONG"
    );
    for bad in ["", " ", "1 000", "0x10", "1e3", "ten"] {
        assert!(parse(ConfigType::Int, bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_error_shows_the_value_as_configured() {
    assert_eq!(
        error_text(ConfigType::Int, " x "),
        "Invalid value  x  for configuration key: Not a number of type INT"
    );
    assert_eq!(
        parse(ConfigType::Int, "x").unwrap_err(),
        ConfigError::InvalidValue {
            name: "key".into(),
            value: "x".into(),
            message: "Not a number of type INT".into(),
        }
    );
}

#[test]
fn doubles_accept_java_syntax() {
    assert_eq!(
        parse(ConfigType::Double, "0.5").unwrap(),
        ConfigValue::Double(0.5)
    );
    assert_eq!(
        parse(ConfigType::Double, "1e-3").unwrap(),
        ConfigValue::Double(0.001)
    );
    assert_eq!(
        parse(ConfigType::Double, "3").unwrap(),
        ConfigValue::Double(3.0)
    );
    assert_eq!(
        parse(ConfigType::Double, "2.5d").unwrap(),
        ConfigValue::Double(2.5)
    );
    assert_eq!(
        error_text(ConfigType::Double, "inf"),
        "Invalid value inf for configuration key: Not a number of type DOUBLE"
    );
    assert!(parse(ConfigType::Double, "").is_err());
}

#[test]
fn lists_split_on_commas_and_surrounding_whitespace() {
    let list = |items: &[&str]| ConfigValue::List(items.iter().map(|s| (*s).to_owned()).collect());
    assert_eq!(parse(ConfigType::List, "").unwrap(), list(&[]));
    assert_eq!(parse(ConfigType::List, "   ").unwrap(), list(&[]));
    assert_eq!(parse(ConfigType::List, "a").unwrap(), list(&["a"]));
    assert_eq!(
        parse(ConfigType::List, " a ,b\t, c ").unwrap(),
        list(&["a", "b", "c"])
    );
    assert_eq!(
        parse(ConfigType::List, "a,,b").unwrap(),
        list(&["a", "", "b"])
    );
    assert_eq!(parse(ConfigType::List, "a,").unwrap(), list(&["a", ""]));
    assert_eq!(parse(ConfigType::List, ",").unwrap(), list(&["", ""]));
    assert_eq!(
        parse(ConfigType::List, "a b,c").unwrap(),
        list(&["a b", "c"])
    );
}

#[test]
fn classes_are_non_empty_names() {
    assert_eq!(
        parse(ConfigType::Class, " org.example.MyConnector ").unwrap(),
        ConfigValue::Class("org.example.MyConnector".into())
    );
    assert_eq!(
        error_text(ConfigType::Class, ""),
        "Invalid value  for configuration key: Class  could not be found."
    );
    assert_eq!(
        error_text(ConfigType::Class, "my class"),
        "Invalid value my class for configuration key: Class my class could not be found."
    );
}

#[test]
fn values_display_as_kafka_strings() {
    assert_eq!(ConfigValue::Boolean(true).to_string(), "true");
    assert_eq!(ConfigValue::Int(-3).to_string(), "-3");
    assert_eq!(ConfigValue::Short(7).to_string(), "7");
    assert_eq!(ConfigValue::Long(1 << 40).to_string(), "1099511627776");
    assert_eq!(ConfigValue::Double(10.0).to_string(), "10.0");
    assert_eq!(ConfigValue::Double(1e20).to_string(), "1.0E20");
    assert_eq!(ConfigValue::from(vec!["a", "b"]).to_string(), "a,b");
    assert_eq!(ConfigValue::List(Vec::new()).to_string(), "");
    assert_eq!(ConfigValue::Class("x.Y".into()).to_string(), "x.Y");
    assert_eq!(
        ConfigValue::Password(Password::new("pw")).to_string(),
        "[hidden]"
    );
    assert_eq!(
        serde_json::to_string(&ConfigValue::from(vec!["a", "b"])).unwrap(),
        r#""a,b""#
    );
}

#[test]
fn accessors_match_only_their_variant() {
    let value = ConfigValue::Int(5);
    assert_eq!(value.type_(), ConfigType::Int);
    assert_eq!(value.as_int(), Some(5));
    assert_eq!(value.as_long(), None);
    assert_eq!(value.as_str(), None);
    assert_eq!(ConfigValue::Class("c".into()).as_class(), Some("c"));
    assert_eq!(ConfigValue::Class("c".into()).as_str(), None);
    assert_eq!(ConfigValue::from(true).as_bool(), Some(true));
    assert_eq!(ConfigValue::from(1i16).as_short(), Some(1));
    assert_eq!(ConfigValue::from(1i64).as_long(), Some(1));
    assert_eq!(ConfigValue::from(1.5).as_double(), Some(1.5));
    assert_eq!(
        ConfigValue::from(["x"]).as_list(),
        Some(&["x".to_owned()][..])
    );
    assert_eq!(
        ConfigValue::from(Password::new("p"))
            .as_password()
            .map(Password::value),
        Some("p")
    );
}

proptest! {
    #[test]
    fn parsing_never_panics(text in any::<String>()) {
        for type_ in ConfigType::ALL {
            let _ = type_.parse("key", &text);
        }
    }

    #[test]
    fn lists_round_trip_through_their_string_form(
        items in prop::collection::vec("[a-zA-Z0-9._-][a-zA-Z0-9._ -]{0,8}[a-zA-Z0-9._-]|[a-zA-Z0-9._-]", 1..8)
    ) {
        let value = ConfigValue::List(items.clone());
        let parsed = ConfigType::List.parse("key", &value.to_string()).unwrap();
        prop_assert_eq!(parsed, value);
    }

    #[test]
    fn integers_round_trip(n in any::<i64>()) {
        prop_assert_eq!(ConfigType::Long.parse("key", &n.to_string()).unwrap(), ConfigValue::Long(n));
    }

    #[test]
    fn doubles_round_trip_through_their_java_form(x in any::<f64>().prop_filter("not NaN", |x| !x.is_nan())) {
        let text = ConfigValue::Double(x).to_string();
        prop_assert_eq!(ConfigType::Double.parse("key", &text).unwrap(), ConfigValue::Double(x));
    }
}
