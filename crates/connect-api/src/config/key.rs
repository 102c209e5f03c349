//! The definition of one configuration key, and its builder.

use std::sync::Arc;

use super::recommender::Recommender;
use super::types::{ConfigType, Importance, Width};
use super::validators::Validator;
use super::value::ConfigValue;
use crate::error::ConfigError;

/// What a key falls back to when it is not configured.
#[derive(Debug, Clone)]
pub(super) enum KeyDefault {
    /// No default: the key is required.
    Required,
    /// A null default: the key is optional and has no value when not configured.
    Null,
    /// A typed default.
    Value(ConfigValue),
    /// A default that does not fit the key's type: a definition error, reported by
    /// [`ConfigDef::check`](super::ConfigDef::check).
    Invalid,
}

/// The definition of one configuration key (Kafka's `ConfigDef.ConfigKey`): its name, type,
/// default, validator, documentation and display hints.
///
/// Keys are built with [`ConfigKey::new`] (or a shorthand per type such as [`ConfigKey::int`]),
/// which returns a [`ConfigKeyBuilder`], and added to a [`ConfigDef`](super::ConfigDef) with
/// [`define`](super::ConfigDef::define). The accessors here are what documentation and the REST
/// API show.
///
/// ```
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Importance, Range};
///
/// let def = ConfigDef::new().define(
///     ConfigKey::new("batch.size", ConfigType::Int)
///         .default_value(2000)
///         .validator(Range::at_least(1))
///         .importance(Importance::Low)
///         .documentation("The maximum number of records per batch."),
/// );
/// let key = def.key("batch.size").unwrap();
/// assert_eq!(key.type_(), ConfigType::Int);
/// assert_eq!(key.default_value(), Some(&ConfigValue::Int(2000)));
/// assert!(key.has_default());
/// assert_eq!(key.validator().map(ToString::to_string).as_deref(), Some("[1,...]"));
/// assert_eq!(key.display_name(), "batch.size");
/// assert_eq!(key.order_in_group(), -1);
/// ```
#[derive(Debug, Clone)]
pub struct ConfigKey {
    pub(super) name: String,
    pub(super) type_: ConfigType,
    pub(super) default: KeyDefault,
    pub(super) validator: Option<Arc<dyn Validator>>,
    pub(super) importance: Importance,
    pub(super) documentation: Option<String>,
    pub(super) group: Option<String>,
    pub(super) order_in_group: i32,
    pub(super) width: Width,
    pub(super) display_name: Option<String>,
    pub(super) dependents: Vec<String>,
    pub(super) recommender: Option<Arc<dyn Recommender>>,
    pub(super) internal: bool,
    /// Why the default is unusable, if it is: it does not fit the type or fails the validator.
    pub(super) definition_error: Option<ConfigError>,
}

impl ConfigKey {
    /// Starts the definition of key `name` of type `type_`: required (no default), medium
    /// importance, no documentation, no group. Finish it by passing the builder to
    /// [`ConfigDef::define`](super::ConfigDef::define), or with [`ConfigKeyBuilder::build`].
    #[allow(clippy::new_ret_no_self)]
    pub fn new(name: impl Into<String>, type_: ConfigType) -> ConfigKeyBuilder {
        ConfigKeyBuilder {
            key: ConfigKey {
                name: name.into(),
                type_,
                default: KeyDefault::Required,
                validator: None,
                importance: Importance::default(),
                documentation: None,
                group: None,
                order_in_group: -1,
                width: Width::None,
                display_name: None,
                dependents: Vec::new(),
                recommender: None,
                internal: false,
                definition_error: None,
            },
        }
    }

    /// Starts a [`ConfigType::Boolean`] key.
    pub fn boolean(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::Boolean)
    }

    /// Starts a [`ConfigType::String`] key.
    pub fn string(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::String)
    }

    /// Starts a [`ConfigType::Int`] key.
    pub fn int(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::Int)
    }

    /// Starts a [`ConfigType::Short`] key.
    pub fn short(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::Short)
    }

    /// Starts a [`ConfigType::Long`] key.
    pub fn long(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::Long)
    }

    /// Starts a [`ConfigType::Double`] key.
    pub fn double(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::Double)
    }

    /// Starts a [`ConfigType::List`] key.
    pub fn list(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::List)
    }

    /// Starts a [`ConfigType::Class`] key.
    pub fn class(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::Class)
    }

    /// Starts a [`ConfigType::Password`] key.
    pub fn password(name: impl Into<String>) -> ConfigKeyBuilder {
        Self::new(name, ConfigType::Password)
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key's type.
    pub fn type_(&self) -> ConfigType {
        self.type_
    }

    /// The typed default; `None` for a required key and for a null default.
    pub fn default_value(&self) -> Option<&ConfigValue> {
        match &self.default {
            KeyDefault::Value(value) => Some(value),
            KeyDefault::Required | KeyDefault::Null | KeyDefault::Invalid => None,
        }
    }

    /// Whether the key has a default, possibly null (Kafka's `hasDefault`); a key without one
    /// is required.
    pub fn has_default(&self) -> bool {
        !self.is_required()
    }

    /// Whether the key must be configured because it has no default.
    pub fn is_required(&self) -> bool {
        matches!(self.default, KeyDefault::Required)
    }

    /// The validator, if any.
    pub fn validator(&self) -> Option<&Arc<dyn Validator>> {
        self.validator.as_ref()
    }

    /// How much a user should care about the key.
    pub fn importance(&self) -> Importance {
        self.importance
    }

    /// The documentation, if any.
    pub fn documentation(&self) -> Option<&str> {
        self.documentation.as_deref()
    }

    /// The group the key is shown in, if any.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// The position of the key within its group; `-1` when not given.
    pub fn order_in_group(&self) -> i32 {
        self.order_in_group
    }

    /// The width of the key's input field.
    pub fn width(&self) -> Width {
        self.width
    }

    /// The name to show to users; the key's name unless one was given.
    pub fn display_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }

    /// The keys whose recommendations or visibility depend on this key's value.
    pub fn dependents(&self) -> &[String] {
        &self.dependents
    }

    /// The recommender, if any.
    pub fn recommender(&self) -> Option<&Arc<dyn Recommender>> {
        self.recommender.as_ref()
    }

    /// Whether the key is internal: set by the framework rather than by users.
    pub fn internal(&self) -> bool {
        self.internal
    }

    /// Why the key's definition is unusable, if it is (a default that does not fit the type or
    /// fails the validator).
    pub(super) fn definition_error(&self) -> Option<&ConfigError> {
        self.definition_error.as_ref()
    }
}

/// Builds a [`ConfigKey`]; created by [`ConfigKey::new`] and the per-type shorthands, and
/// accepted by [`ConfigDef::define`](super::ConfigDef::define) as it is.
///
/// A default that does not fit the key's type, or that fails the key's validator, is a bug in
/// the definition: it is reported as a [`ConfigError::Other`] naming the key by
/// [`ConfigDef::check`](super::ConfigDef::check), [`ConfigDef::parse`](super::ConfigDef::parse)
/// and [`ConfigDef::validate`](super::ConfigDef::validate), never by a panic.
///
/// ```
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance, Range, Width};
///
/// let def = ConfigDef::new()
///     .define(
///         ConfigKey::long("poll.interval.ms")
///             .default_value(1000) // an INT literal is widened to LONG
///             .validator(Range::at_least(0))
///             .importance(Importance::Medium)
///             .documentation("How often to poll, in milliseconds.")
///             .group("Polling")
///             .order_in_group(1)
///             .width(Width::Short)
///             .display_name("Poll interval"),
///     )
///     .define(ConfigKey::int("broken").default_value("ten"));
/// assert_eq!(
///     def.check().unwrap_err().to_string(),
///     "Invalid default value ten for configuration broken: Not a number of type INT"
/// );
/// ```
#[derive(Debug, Clone)]
#[must_use = "a key builder does nothing until it is passed to ConfigDef::define"]
pub struct ConfigKeyBuilder {
    key: ConfigKey,
}

impl ConfigKeyBuilder {
    /// Sets the default. A text default is parsed like a configured value (`"2000"` for an
    /// `INT`, `"a,b"` for a `LIST`); an integer fits any integer type it is in range of, and
    /// `DOUBLE`.
    pub fn default_value(mut self, value: impl Into<ConfigValue>) -> Self {
        match self.key.type_.coerce(&self.key.name, value.into()) {
            Ok(value) => {
                self.key.default = KeyDefault::Value(value);
                self.key.definition_error = None;
            }
            Err(error) => {
                self.key.default = KeyDefault::Invalid;
                self.key.definition_error = Some(invalid_default(&self.key.name, error));
            }
        }
        self
    }

    /// Makes the key optional with a null default (Kafka's `null` default value).
    pub fn default_null(mut self) -> Self {
        self.key.default = KeyDefault::Null;
        self.key.definition_error = None;
        self
    }

    /// Makes the key required: it has no default (the initial state).
    pub fn no_default(mut self) -> Self {
        self.key.default = KeyDefault::Required;
        self.key.definition_error = None;
        self
    }

    /// Sets the validator that every value, configured or default, must pass.
    pub fn validator(mut self, validator: impl Validator + 'static) -> Self {
        self.key.validator = Some(Arc::new(validator));
        self
    }

    /// Sets the importance (medium unless set).
    pub fn importance(mut self, importance: Importance) -> Self {
        self.key.importance = importance;
        self
    }

    /// Sets the documentation.
    pub fn documentation(mut self, documentation: impl Into<String>) -> Self {
        self.key.documentation = Some(documentation.into());
        self
    }

    /// Sets the group the key is shown in.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.key.group = Some(group.into());
        self
    }

    /// Sets the position of the key within its group.
    pub fn order_in_group(mut self, order: i32) -> Self {
        self.key.order_in_group = order;
        self
    }

    /// Sets the width of the key's input field.
    pub fn width(mut self, width: Width) -> Self {
        self.key.width = width;
        self
    }

    /// Sets the name shown to users.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.key.display_name = Some(display_name.into());
        self
    }

    /// Sets the keys whose recommendations or visibility depend on this key's value.
    pub fn dependents<I>(mut self, dependents: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.key.dependents = dependents.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the recommender.
    pub fn recommender(mut self, recommender: impl Recommender + 'static) -> Self {
        self.key.recommender = Some(Arc::new(recommender));
        self
    }

    /// Marks the key as internal: set by the framework rather than by users.
    pub fn internal(mut self) -> Self {
        self.key.internal = true;
        self
    }

    /// Finishes the key, checking its default against its validator.
    pub fn build(self) -> ConfigKey {
        let mut key = self.key;
        if key.definition_error.is_none()
            && key.has_default()
            && let Some(validator) = &key.validator
            && let Err(error) = validator.ensure_valid(&key.name, key.default_value())
        {
            key.definition_error = Some(invalid_default(&key.name, error));
        }
        key
    }
}

impl From<ConfigKeyBuilder> for ConfigKey {
    fn from(builder: ConfigKeyBuilder) -> Self {
        builder.build()
    }
}

/// The definition error for a default of key `name` that failed with `error`.
fn invalid_default(name: &str, error: ConfigError) -> ConfigError {
    match error {
        ConfigError::InvalidValue { value, message, .. } => ConfigError::Other(format!(
            "Invalid default value {value} for configuration {name}: {message}"
        )),
        other => ConfigError::Other(format!(
            "Invalid default value for configuration {name}: {other}"
        )),
    }
}
