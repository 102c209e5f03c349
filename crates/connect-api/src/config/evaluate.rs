//! Turning a string map into typed values against a definition: [`ConfigDef::parse`], which
//! stops each key at its first problem, and [`ConfigDef::validate`], which reports every problem
//! of every key and consults recommenders (Kafka's `ConfigDef.parse` and `ConfigDef.validate`).

use serde::Serialize;

use super::ConfigMap;
use super::def::{ConfigDef, combine_errors};
use super::key::{ConfigKey, KeyDefault};
use super::parsed::ParsedConfig;
use super::value::ConfigValue;
use crate::error::ConfigError;

/// The validation result of one key (Kafka's `ConfigValue`, serialized like the REST API's
/// `ConfigValueInfo`: `{"name", "value", "recommended_values", "errors", "visible"}`).
///
/// Values serialize as Kafka's strings, so a password shows as `[hidden]`.
///
/// ```
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, ConfigValue};
///
/// let def = ConfigDef::new().define(ConfigKey::int("tasks.max").default_value(1));
/// let props = ConfigMap::from([("tasks.max".to_owned(), "4".to_owned())]);
/// let info = &def.validate(&props)[0];
/// assert_eq!(info.name, "tasks.max");
/// assert_eq!(info.value, Some(ConfigValue::Int(4)));
/// assert!(info.errors.is_empty() && info.visible);
/// assert_eq!(
///     serde_json::to_string(info).unwrap(),
///     r#"{"name":"tasks.max","value":"4","recommended_values":[],"errors":[],"visible":true}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigValueInfo {
    /// The key's name.
    pub name: String,
    /// The parsed value, or the default; `None` when null, missing or invalid.
    pub value: Option<ConfigValue>,
    /// The values the key's recommender suggests.
    pub recommended_values: Vec<ConfigValue>,
    /// Every problem found with the key, as Kafka words them.
    pub errors: Vec<String>,
    /// Whether the key is relevant given the other keys' values.
    pub visible: bool,
}

impl ConfigValueInfo {
    /// A result for key `name` with no value, no recommendations, no errors, visible.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: None,
            recommended_values: Vec::new(),
            errors: Vec::new(),
            visible: true,
        }
    }

    /// Whether any problem was found with the key.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// How far a key is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Stop at the key's first problem, like Kafka's `parse`.
    Parse,
    /// Find every problem of the key, like Kafka's `validate`.
    Validate,
}

/// The value of one key and the problems found with it.
struct KeyOutcome {
    value: Option<ConfigValue>,
    errors: Vec<ConfigError>,
}

/// Parses, defaults and validates one key (Kafka's `parseValue` and `parseForValidate`).
fn evaluate_key(key: &ConfigKey, props: &ConfigMap, mode: Mode) -> KeyOutcome {
    let name = key.name();
    let mut errors = Vec::new();
    let value = match props.get(name) {
        Some(raw) => key
            .type_()
            .parse(name, raw)
            .map_err(|error| errors.push(error))
            .ok(),
        None => match &key.default {
            KeyDefault::Required => {
                errors.push(ConfigError::missing(name));
                None
            }
            KeyDefault::Value(value) => Some(value.clone()),
            KeyDefault::Null | KeyDefault::Invalid => None,
        },
    };
    if (mode == Mode::Validate || errors.is_empty())
        && let Some(validator) = key.validator()
        && let Err(error) = validator.ensure_valid(name, value.as_ref())
    {
        errors.push(error);
    }
    KeyOutcome { value, errors }
}

/// The full validation result of one key, errors still typed.
struct KeyReport {
    name: String,
    value: Option<ConfigValue>,
    recommended_values: Vec<ConfigValue>,
    errors: Vec<ConfigError>,
    visible: bool,
}

impl ConfigDef {
    /// Parses `props` into typed values for every defined key (Kafka's `ConfigDef.parse`):
    /// configured values are parsed per type, absent keys take their default, and every value,
    /// default included, must pass the key's validator. Keys not defined stay in
    /// [`ParsedConfig::originals`] only.
    ///
    /// Every key is checked; each reports its first problem.
    ///
    /// # Errors
    ///
    /// A mistake in the definition itself (see [`check`](ConfigDef::check)); otherwise the
    /// problems found, in definition order: a single [`ConfigError`] (for example
    /// [`ConfigError::Missing`] or [`ConfigError::InvalidValue`]) or a
    /// [`ConfigError::Multiple`] of them.
    ///
    /// ```
    /// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Range};
    /// use connect_api::error::ConfigError;
    ///
    /// let def = ConfigDef::new()
    ///     .define(ConfigKey::string("topic"))
    ///     .define(ConfigKey::int("batch.size").default_value(100).validator(Range::at_least(1)));
    /// let props = ConfigMap::from([("batch.size".to_owned(), "0".to_owned())]);
    /// assert_eq!(
    ///     def.parse(&props).unwrap_err(),
    ///     ConfigError::Multiple(vec![
    ///         ConfigError::missing("topic"),
    ///         ConfigError::invalid("batch.size", "0", "Value must be at least 1"),
    ///     ])
    /// );
    /// ```
    pub fn parse(&self, props: &ConfigMap) -> Result<ParsedConfig, ConfigError> {
        self.check()?;
        let mut parsed = ParsedConfig::new(props.clone());
        let mut errors = Vec::new();
        for key in self.keys() {
            let outcome = evaluate_key(key, props, Mode::Parse);
            errors.extend(outcome.errors);
            parsed.insert(key.name(), key.type_(), outcome.value);
        }
        combine_errors(errors).map(|()| parsed)
    }

    /// Validates `props` and reports, for every defined key, its value, every problem found,
    /// its recommended values and its visibility (Kafka's `ConfigDef.validate`).
    ///
    /// For each key, in definition order: a parse error, or "Missing required configuration"
    /// when absent without default; then the validator's verdict on the value (which is null
    /// after a parse error or when missing, as in Kafka). Then each key's recommender is asked
    /// for valid values and visibility, given every key's value. Mistakes in the definition are
    /// reported on the key they concern, and a dependent that is not defined gets an extra,
    /// invisible entry saying so.
    ///
    /// ```
    /// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Range};
    ///
    /// let def = ConfigDef::new()
    ///     .define(ConfigKey::string("topic"))
    ///     .define(ConfigKey::int("batch.size").validator(Range::at_least(1)));
    /// let props = ConfigMap::from([("batch.size".to_owned(), "lots".to_owned())]);
    /// let infos = def.validate(&props);
    /// assert_eq!(
    ///     infos[0].errors,
    ///     ["Missing required configuration \"topic\" which has no default value."]
    /// );
    /// assert_eq!(
    ///     infos[1].errors,
    ///     [
    ///         "Invalid value lots for configuration batch.size: Not a number of type INT",
    ///         "Invalid value null for configuration batch.size: Value must be non-null",
    ///     ]
    /// );
    /// ```
    pub fn validate(&self, props: &ConfigMap) -> Vec<ConfigValueInfo> {
        self.report(props)
            .0
            .into_iter()
            .map(|report| ConfigValueInfo {
                name: report.name,
                value: report.value,
                recommended_values: report.recommended_values,
                errors: report.errors.iter().map(ToString::to_string).collect(),
                visible: report.visible,
            })
            .collect()
    }

    /// Validates `props` like [`validate`](ConfigDef::validate) and returns the typed values
    /// when nothing is wrong.
    ///
    /// # Errors
    ///
    /// Every problem of every key, in definition order: one [`ConfigError`] or a
    /// [`ConfigError::Multiple`].
    ///
    /// ```
    /// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap};
    ///
    /// let def = ConfigDef::new().define(ConfigKey::boolean("enabled").default_value(false));
    /// let parsed = def.validate_all(&ConfigMap::from([("enabled".into(), "yes".into())]));
    /// assert_eq!(
    ///     parsed.unwrap_err().to_string(),
    ///     "Invalid value yes for configuration enabled: Expected value to be either true or false"
    /// );
    /// ```
    pub fn validate_all(&self, props: &ConfigMap) -> Result<ParsedConfig, ConfigError> {
        let (reports, parsed) = self.report(props);
        let errors = reports
            .into_iter()
            .flat_map(|report| report.errors)
            .collect();
        combine_errors(errors).map(|()| parsed)
    }

    /// The validation of every key, and the values the recommenders saw.
    fn report(&self, props: &ConfigMap) -> (Vec<KeyReport>, ParsedConfig) {
        let definition_errors = self.key_definition_errors();
        let mut parsed = ParsedConfig::new(props.clone());
        let mut reports: Vec<KeyReport> = self
            .keys()
            .map(|key| {
                let mut errors: Vec<ConfigError> = definition_errors
                    .iter()
                    .filter(|(name, _)| *name == key.name())
                    .map(|(_, error)| error.clone())
                    .collect();
                let outcome = evaluate_key(key, props, Mode::Validate);
                errors.extend(outcome.errors);
                parsed.insert(key.name(), key.type_(), outcome.value.clone());
                KeyReport {
                    name: key.name().to_owned(),
                    value: outcome.value,
                    recommended_values: Vec::new(),
                    errors,
                    visible: true,
                }
            })
            .collect();
        for (report, key) in reports.iter_mut().zip(self.keys()) {
            if let Some(recommender) = key.recommender() {
                report.recommended_values = recommender.valid_values(key.name(), &parsed);
                report.visible = recommender.visible(key.name(), &parsed);
            }
        }
        reports.extend(
            self.undefined_dependents()
                .into_iter()
                .map(|name| KeyReport {
                    name: name.to_owned(),
                    value: None,
                    recommended_values: Vec::new(),
                    errors: vec![ConfigError::Other(format!(
                        "{name} is referred in the dependents, but not defined."
                    ))],
                    visible: false,
                }),
        );
        (reports, parsed)
    }
}
