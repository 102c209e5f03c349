//! Secrets never appear in formatted output: Debug, Display, errors, validation results.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigValue, LambdaValidator, NonEmptyString, Password,
    ValidString, invalid_value,
};

const SECRET: &str = "correct-horse-battery-staple";

fn props(entries: &[(&str, &str)]) -> ConfigMap {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn assert_hidden(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked in: {text}");
}

#[test]
fn password_debug_and_display_are_hidden() {
    let password = Password::new(SECRET);
    assert_eq!(format!("{password}"), "[hidden]");
    assert_eq!(format!("{password:?}"), "[hidden]");
    assert_eq!(format!("{password:#?}"), "[hidden]");
    assert_eq!(password.value(), SECRET);
    assert_eq!(password, Password::from(SECRET));
    assert_ne!(password, Password::new("other"));

    let value = ConfigValue::Password(password);
    assert_hidden(&format!("{value}"));
    assert_hidden(&format!("{value:?}"));
    assert_hidden(&serde_json::to_string(&value).unwrap());
}

#[test]
fn parsed_config_debug_hides_typed_and_original_passwords() {
    let def = ConfigDef::new()
        .define(ConfigKey::password("db.password"))
        .define(ConfigKey::string("db.user"));
    let parsed = def
        .parse(&props(&[("db.password", SECRET), ("db.user", "admin")]))
        .unwrap();
    let debug = format!("{parsed:?}");
    assert_hidden(&debug);
    assert_hidden(&format!("{parsed:#?}"));
    assert!(debug.contains("admin"), "{debug}");
    assert!(debug.contains("\"db.password\": [hidden]"), "{debug}");
    assert_eq!(parsed.get_password("db.password").unwrap().value(), SECRET);
    // The originals themselves are the caller's strings, unchanged.
    assert_eq!(parsed.originals()["db.password"], SECRET);
}

#[test]
fn validation_results_and_errors_hide_passwords() {
    let def = ConfigDef::new()
        .define(ConfigKey::password("p1").validator(ValidString::in_(["nope"])))
        .define(ConfigKey::password("p2").validator(LambdaValidator::with(
            |name, value| Err(invalid_value(name, value, "rejected")),
            "always rejects",
        )))
        .define(ConfigKey::password("p3").validator(NonEmptyString));
    let map = props(&[("p1", SECRET), ("p2", SECRET), ("p3", " ")]);
    let infos = def.validate(&map);
    assert_hidden(&format!("{infos:?}"));
    assert_hidden(&serde_json::to_string(&infos).unwrap());
    assert_eq!(
        infos[0].errors,
        ["Invalid value [hidden] for configuration p1: String must be one of: nope"]
    );
    assert_eq!(
        infos[1].errors,
        ["Invalid value [hidden] for configuration p2: rejected"]
    );
    assert_eq!(
        infos[2].errors,
        ["Invalid value [hidden] for configuration p3: String must be non-empty"]
    );

    let error = def.parse(&map).unwrap_err();
    assert_hidden(&error.to_string());
    assert_hidden(&format!("{error:?}"));
}

#[test]
fn key_definitions_hide_password_defaults() {
    let def = ConfigDef::new().define(ConfigKey::password("p").default_value(SECRET));
    let key = def.key("p").unwrap();
    assert_eq!(key.default_value().unwrap().to_string(), "[hidden]");
    assert_hidden(&format!("{def:?}"));
}
