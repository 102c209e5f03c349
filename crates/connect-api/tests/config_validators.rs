//! Every validator's verdicts, messages and descriptions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use connect_api::config::{
    CaseInsensitiveValidString, CompositeValidator, ConfigValue, LambdaValidator, ListSize,
    NonEmptyString, NonEmptyStringWithoutControlChars, NonNullValidator, Password, Range,
    RangeBound, ValidList, ValidString, Validator, invalid_value,
};

fn message(validator: &dyn Validator, value: Option<ConfigValue>) -> String {
    validator
        .ensure_valid("key", value.as_ref())
        .expect_err("the value should be rejected")
        .to_string()
}

fn accepts(validator: &dyn Validator, value: Option<ConfigValue>) -> bool {
    validator.ensure_valid("key", value.as_ref()).is_ok()
}

#[test]
fn range_at_least() {
    let range = Range::at_least(1);
    assert!(accepts(&range, Some(ConfigValue::Int(1))));
    assert!(accepts(&range, Some(ConfigValue::Long(i64::MAX))));
    assert_eq!(
        message(&range, Some(ConfigValue::Int(0))),
        "Invalid value 0 for configuration key: Value must be at least 1"
    );
    assert_eq!(
        message(&range, None),
        "Invalid value null for configuration key: Value must be non-null"
    );
    assert_eq!(range.to_string(), "[1,...]");
    assert_eq!(range.min(), Some(RangeBound::Integer(1)));
    assert_eq!(range.max(), None);
}

#[test]
fn range_between() {
    let range = Range::between(-1, 10);
    assert!(accepts(&range, Some(ConfigValue::Short(-1))));
    assert!(accepts(&range, Some(ConfigValue::Int(10))));
    assert_eq!(
        message(&range, Some(ConfigValue::Long(11))),
        "Invalid value 11 for configuration key: Value must be no more than 10"
    );
    assert_eq!(
        message(&range, Some(ConfigValue::Int(-2))),
        "Invalid value -2 for configuration key: Value must be at least -1"
    );
    assert_eq!(range.to_string(), "[-1,...,10]");
}

#[test]
fn range_with_doubles() {
    let range = Range::between(0.0, 1.0);
    assert!(accepts(&range, Some(ConfigValue::Double(0.5))));
    assert!(accepts(&range, Some(ConfigValue::Int(1))));
    assert_eq!(
        message(&range, Some(ConfigValue::Double(1.5))),
        "Invalid value 1.5 for configuration key: Value must be no more than 1.0"
    );
    assert_eq!(range.to_string(), "[0.0,...,1.0]");
    assert!(accepts(&Range::at_least(1), Some(ConfigValue::Double(1.0))));
    assert!(!accepts(
        &Range::at_least(1),
        Some(ConfigValue::Double(0.99))
    ));
    assert_eq!(
        message(&Range::at_least(1), Some(ConfigValue::String("x".into()))),
        "Invalid value x for configuration key: Value must be a number"
    );
}

#[test]
fn range_compares_large_longs_exactly() {
    let range = Range::at_least(i64::MAX);
    assert!(!accepts(&range, Some(ConfigValue::Long(i64::MAX - 1))));
    assert!(accepts(&range, Some(ConfigValue::Long(i64::MAX))));
}

#[test]
fn valid_string() {
    let validator = ValidString::in_(["none", "all"]);
    assert!(accepts(&validator, Some("none".into())));
    assert_eq!(
        message(&validator, Some("All".into())),
        "Invalid value All for configuration key: String must be one of: none, all"
    );
    assert_eq!(
        message(&validator, None),
        "Invalid value null for configuration key: String must be one of: none, all"
    );
    assert_eq!(validator.to_string(), "[none, all]");
    assert_eq!(validator.valid_strings(), ["none", "all"]);
    assert!(accepts(
        &ValidString::in_(vec!["x".to_owned()]),
        Some(ConfigValue::Class("x".into()))
    ));
}

#[test]
fn case_insensitive_valid_string() {
    let validator = CaseInsensitiveValidString::in_(&["hybrid_warn", "only_scan", "HYBRID_WARN"]);
    assert!(accepts(&validator, Some("Hybrid_Warn".into())));
    assert!(accepts(&validator, Some("ONLY_SCAN".into())));
    assert_eq!(
        message(&validator, Some("scan".into())),
        "Invalid value scan for configuration key: String must be one of (case insensitive): HYBRID_WARN, ONLY_SCAN"
    );
    assert_eq!(
        message(&validator, None),
        "Invalid value null for configuration key: String must be one of (case insensitive): HYBRID_WARN, ONLY_SCAN"
    );
    assert_eq!(
        validator.to_string(),
        "(case insensitive) [HYBRID_WARN, ONLY_SCAN]"
    );
}

#[test]
fn valid_list() {
    let validator = ValidList::in_(&["a", "b"]);
    assert!(accepts(
        &validator,
        Some(ConfigValue::from(vec!["b", "a", "b"]))
    ));
    assert!(accepts(&validator, Some(ConfigValue::List(Vec::new()))));
    assert!(accepts(&validator, None));
    assert_eq!(
        message(&validator, Some(ConfigValue::from(vec!["a", "x", "y"]))),
        "Invalid value x for configuration key: String must be one of: a, b"
    );
    assert_eq!(
        message(&validator, Some("a".into())),
        "Invalid value a for configuration key: Expected a comma separated list."
    );
    assert_eq!(validator.to_string(), "[a, b]");
}

#[test]
fn non_null() {
    assert!(accepts(&NonNullValidator, Some(ConfigValue::Int(0))));
    assert_eq!(
        message(&NonNullValidator, None),
        "Invalid value null for configuration key: entry must be non null"
    );
    assert_eq!(NonNullValidator.to_string(), "non-null value");
}

#[test]
fn non_empty_string() {
    assert!(accepts(&NonEmptyString, Some("x".into())));
    assert!(accepts(&NonEmptyString, None));
    assert_eq!(
        message(&NonEmptyString, Some("".into())),
        "Invalid value  for configuration key: String must be non-empty"
    );
    assert_eq!(NonEmptyString.to_string(), "non-empty string");
}

#[test]
fn non_empty_string_without_control_chars() {
    let validator = NonEmptyStringWithoutControlChars;
    assert!(accepts(&validator, Some("my-connector é".into())));
    assert!(accepts(&validator, None));
    assert_eq!(
        message(&validator, Some("".into())),
        "Invalid value  for configuration key: String may not be empty"
    );
    assert_eq!(
        message(&validator, Some("a\nb\u{7f}c\u{85}".into())),
        "Invalid value a\nb\u{7f}c\u{85} for configuration key: String may not contain control \
         sequences but had the following ASCII control sequences: [10, 127, 133]"
    );
    assert_eq!(
        validator.to_string(),
        "non-empty string without ISO control characters"
    );
}

#[test]
fn list_size() {
    let validator = ListSize::at_most_of_size(2);
    assert!(accepts(&validator, Some(ConfigValue::from(vec!["a", "b"]))));
    assert!(accepts(&validator, None));
    assert_eq!(
        message(&validator, Some(ConfigValue::from(vec!["a", "b", "c"]))),
        "Invalid value [a, b, c] for configuration key: exceeds maximum list size of [2]."
    );
    assert_eq!(
        validator.to_string(),
        "List containing maximum of 2 elements"
    );
    assert_eq!(validator.max_size(), 2);
}

#[test]
fn lambda() {
    let validator = LambdaValidator::with(
        |name, value| {
            if value
                .and_then(ConfigValue::as_str)
                .is_some_and(|s| s.starts_with('_'))
            {
                Err(invalid_value(
                    name,
                    value,
                    "may not start with an underscore",
                ))
            } else {
                Ok(())
            }
        },
        "a name not starting with an underscore",
    );
    assert!(accepts(&validator, Some("ok".into())));
    assert_eq!(
        message(&validator, Some("_x".into())),
        "Invalid value _x for configuration key: may not start with an underscore"
    );
    assert_eq!(
        validator.to_string(),
        "a name not starting with an underscore"
    );
    assert_eq!(
        format!("{validator:?}"),
        "LambdaValidator(\"a name not starting with an underscore\")"
    );
}

#[test]
fn composite_reports_the_first_failure() {
    let validator = CompositeValidator::of([
        Arc::new(NonNullValidator) as Arc<dyn Validator>,
        Arc::new(Range::between(1, 5)),
    ]);
    assert!(accepts(&validator, Some(ConfigValue::Int(3))));
    assert_eq!(
        message(&validator, None),
        "Invalid value null for configuration key: entry must be non null"
    );
    assert_eq!(
        message(&validator, Some(ConfigValue::Int(6))),
        "Invalid value 6 for configuration key: Value must be no more than 5"
    );
    assert_eq!(validator.to_string(), "non-null value, [1,...,5]");
    assert_eq!(validator.validators().len(), 2);
    assert_eq!(CompositeValidator::default().to_string(), "");
}

#[test]
fn shared_validators_are_validators() {
    let shared: Arc<dyn Validator> = Arc::new(NonEmptyString);
    assert!(!accepts(&shared, Some("".into())));
    let boxed: Box<dyn Validator> = Box::new(NonEmptyString);
    assert!(!accepts(&boxed, Some("".into())));
}

#[test]
fn password_values_are_hidden_in_messages() {
    let secret = ConfigValue::Password(Password::new("hunter2"));
    for validator in [
        &ValidString::in_(["a"]) as &dyn Validator,
        &CaseInsensitiveValidString::in_(["a"]),
        &Range::at_least(1),
    ] {
        let text = message(validator, Some(secret.clone()));
        assert!(
            text.starts_with("Invalid value [hidden] for configuration key"),
            "{text}"
        );
        assert!(!text.contains("hunter2"));
    }
    let empty = ConfigValue::Password(Password::new(""));
    assert_eq!(
        message(&NonEmptyString, Some(empty)),
        "Invalid value [hidden] for configuration key: String must be non-empty"
    );
}
