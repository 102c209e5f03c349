//! Embedding one definition inside another under a key prefix (Kafka's `ConfigDef.embed`), as
//! a connector configuration does for the settings of each transform.

use std::fmt;
use std::sync::Arc;

use super::def::ConfigDef;
use super::key::ConfigKey;
use super::parsed::ParsedConfig;
use super::recommender::Recommender;
use super::validators::Validator;
use super::value::ConfigValue;
use crate::error::ConfigError;

impl ConfigDef {
    /// Adds every key of `child` under `key_prefix`, in the child's documentation order
    /// ([`sorted_keys`](ConfigDef::sorted_keys)), numbered from `starting_order` in group
    /// `group_prefix` (or `"<group_prefix>: <child group>"`).
    ///
    /// Embedded validators and recommenders see the key names and values without the prefix,
    /// as the child would, so their messages name the child's keys.
    ///
    /// ```
    /// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, NonEmptyString};
    ///
    /// let transform = ConfigDef::new().define(ConfigKey::string("field").validator(NonEmptyString));
    /// let def = ConfigDef::new()
    ///     .define(ConfigKey::list("transforms").default_value(""))
    ///     .embed("transforms.mask.", "Transforms: mask", 0, &transform);
    /// let key = def.key("transforms.mask.field").unwrap();
    /// assert_eq!(key.group(), Some("Transforms: mask"));
    /// let props = ConfigMap::from([("transforms.mask.field".to_owned(), "".to_owned())]);
    /// assert_eq!(
    ///     def.parse(&props).unwrap_err().to_string(),
    ///     "Invalid value  for configuration field: String must be non-empty"
    /// );
    /// ```
    #[must_use]
    pub fn embed(
        mut self,
        key_prefix: &str,
        group_prefix: &str,
        starting_order: i32,
        child: &ConfigDef,
    ) -> Self {
        for (order, key) in (starting_order..).zip(child.sorted_keys()) {
            let mut embedded: ConfigKey = key.clone();
            embedded.name = format!("{key_prefix}{}", key.name);
            embedded.group = Some(match &key.group {
                Some(group) => format!("{group_prefix}: {group}"),
                None => group_prefix.to_owned(),
            });
            embedded.order_in_group = order;
            embedded.dependents = key
                .dependents
                .iter()
                .map(|dependent| format!("{key_prefix}{dependent}"))
                .collect();
            embedded.validator = key.validator.clone().map(|inner| {
                Arc::new(EmbeddedValidator {
                    key_prefix: key_prefix.to_owned(),
                    inner,
                }) as Arc<dyn Validator>
            });
            embedded.recommender = key.recommender.clone().map(|inner| {
                Arc::new(EmbeddedRecommender {
                    key_prefix: key_prefix.to_owned(),
                    inner,
                }) as Arc<dyn Recommender>
            });
            self.add(embedded);
        }
        self
    }
}

/// A child's validator, called with the child's key name.
#[derive(Debug)]
struct EmbeddedValidator {
    key_prefix: String,
    inner: Arc<dyn Validator>,
}

impl Validator for EmbeddedValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        let child_name = name.strip_prefix(&self.key_prefix).unwrap_or(name);
        self.inner.ensure_valid(child_name, value)
    }
}

impl fmt::Display for EmbeddedValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// A child's recommender, called with the child's key name and values.
#[derive(Debug)]
struct EmbeddedRecommender {
    key_prefix: String,
    inner: Arc<dyn Recommender>,
}

impl EmbeddedRecommender {
    fn child_name<'n>(&self, name: &'n str) -> &'n str {
        name.strip_prefix(&self.key_prefix).unwrap_or(name)
    }
}

impl Recommender for EmbeddedRecommender {
    fn valid_values(&self, name: &str, parsed: &ParsedConfig) -> Vec<ConfigValue> {
        let child = parsed.with_prefix_stripped(&self.key_prefix);
        self.inner.valid_values(self.child_name(name), &child)
    }

    fn visible(&self, name: &str, parsed: &ParsedConfig) -> bool {
        let child = parsed.with_prefix_stripped(&self.key_prefix);
        self.inner.visible(self.child_name(name), &child)
    }
}
