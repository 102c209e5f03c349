//! A set of key definitions: what a connector, converter or transform accepts.

use indexmap::IndexMap;

use super::key::ConfigKey;
use crate::error::ConfigError;

/// The configuration a component accepts: its keys in definition order, and the groups they are
/// shown in (Kafka's `ConfigDef`).
///
/// Build it once with [`define`](ConfigDef::define), then turn string maps into typed values with
/// [`parse`](ConfigDef::parse), or report every problem of every key with
/// [`validate`](ConfigDef::validate). Mistakes in the definition itself (a key defined twice, an
/// invalid default, a dependent that is not defined) are collected rather than panicking, and
/// reported by [`check`](ConfigDef::check), `parse` and `validate`.
///
/// ```
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance, NonEmptyString};
///
/// let base = ConfigDef::new()
///     .define(ConfigKey::string("name").validator(NonEmptyString).importance(Importance::High));
/// let def = ConfigDef::new()
///     .with_def(&base)
///     .define(ConfigKey::list("topics").default_value("").group("Common"))
///     .define(ConfigKey::int("tasks.max").default_value(1).group("Common"));
///
/// assert_eq!(def.names().collect::<Vec<_>>(), ["name", "topics", "tasks.max"]);
/// assert_eq!(def.group_names(), ["Common"]);
///
/// let props = ConfigMap::from([("name".to_owned(), "orders".to_owned())]);
/// let parsed = def.parse(&props)?;
/// assert_eq!(parsed.get_int("tasks.max")?, 1);
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    keys: IndexMap<String, ConfigKey>,
    groups: Vec<String>,
    defined_twice: Vec<String>,
}

impl ConfigDef {
    /// An empty definition.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key. Defining a name twice keeps the first definition and is reported as
    /// `Configuration <name> is defined twice.`
    #[must_use]
    pub fn define(mut self, key: impl Into<ConfigKey>) -> Self {
        self.add(key);
        self
    }

    /// Adds a key in place; see [`define`](ConfigDef::define).
    pub fn add(&mut self, key: impl Into<ConfigKey>) -> &mut Self {
        let key = key.into();
        if self.keys.contains_key(&key.name) {
            self.defined_twice.push(key.name);
            return self;
        }
        if let Some(group) = &key.group
            && !self.groups.contains(group)
        {
            self.groups.push(group.clone());
        }
        self.keys.insert(key.name.clone(), key);
        self
    }

    /// Adds every key of `base`, in its order (Kafka's `new ConfigDef(base)`).
    #[must_use]
    pub fn with_def(mut self, base: &ConfigDef) -> Self {
        for key in base.keys() {
            self.add(key.clone());
        }
        self.defined_twice
            .extend(base.defined_twice.iter().cloned());
        self
    }

    /// The keys, in definition order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &ConfigKey> + '_ {
        self.keys.values()
    }

    /// The key named `name`, if defined.
    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.get(name)
    }

    /// The key names, in definition order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.keys.keys().map(String::as_str)
    }

    /// Whether a key named `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.keys.contains_key(name)
    }

    /// How many keys are defined.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is defined.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The groups, in the order they were first used.
    pub fn group_names(&self) -> &[String] {
        &self.groups
    }

    /// The keys in documentation order (Kafka's `sortedConfigs`): keys without a group first,
    /// then by group in [`group_names`](ConfigDef::group_names) order, then by order in group,
    /// required keys before keys with defaults, by importance, and by name.
    pub fn sorted_keys(&self) -> Vec<&ConfigKey> {
        let group_rank = |key: &ConfigKey| {
            key.group
                .as_ref()
                .map(|group| self.groups.iter().position(|g| g == group))
        };
        let mut keys: Vec<&ConfigKey> = self.keys.values().collect();
        keys.sort_by(|a, b| {
            group_rank(a)
                .cmp(&group_rank(b))
                .then(a.order_in_group.cmp(&b.order_in_group))
                .then(b.is_required().cmp(&a.is_required()))
                .then(a.importance.cmp(&b.importance))
                .then_with(|| a.name.cmp(&b.name))
        });
        keys
    }

    /// Dependents named by some key but not defined, in the order first named.
    pub(super) fn undefined_dependents(&self) -> Vec<&str> {
        let mut undefined: Vec<&str> = Vec::new();
        for dependent in self.keys.values().flat_map(|key| &key.dependents) {
            if !self.keys.contains_key(dependent) && !undefined.contains(&dependent.as_str()) {
                undefined.push(dependent);
            }
        }
        undefined
    }

    /// Mistakes in the definition of particular keys, with the key each is about, in
    /// definition order.
    pub(super) fn key_definition_errors(&self) -> Vec<(&str, ConfigError)> {
        let invalid_defaults = self.keys.values().filter_map(|key| {
            key.definition_error()
                .map(|error| (key.name.as_str(), error.clone()))
        });
        let duplicates = self.defined_twice.iter().map(|name| {
            (
                name.as_str(),
                ConfigError::Other(format!("Configuration {name} is defined twice.")),
            )
        });
        invalid_defaults.chain(duplicates).collect()
    }

    /// Checks the definition itself: keys defined twice, defaults that do not fit their type or
    /// fail their validator, and dependents that are not defined.
    ///
    /// # Errors
    ///
    /// Every mistake found, as one [`ConfigError::Other`] or a [`ConfigError::Multiple`] of them.
    pub fn check(&self) -> Result<(), ConfigError> {
        let mut errors: Vec<ConfigError> = self
            .key_definition_errors()
            .into_iter()
            .map(|(_, error)| error)
            .collect();
        let undefined = self.undefined_dependents();
        if !undefined.is_empty() {
            errors.push(ConfigError::Other(format!(
                "Some configurations in are referred in the dependents, but not defined: {}",
                undefined.join(",")
            )));
        }
        combine_errors(errors)
    }
}

/// `Ok` for no errors, the error itself for one, [`ConfigError::Multiple`] for several (nested
/// `Multiple`s are flattened).
pub(super) fn combine_errors(errors: Vec<ConfigError>) -> Result<(), ConfigError> {
    fn flatten(error: ConfigError, into: &mut Vec<ConfigError>) {
        match error {
            ConfigError::Multiple(inner) => inner.into_iter().for_each(|e| flatten(e, into)),
            error => into.push(error),
        }
    }
    let mut flat: Vec<ConfigError> = Vec::with_capacity(errors.len());
    for error in errors {
        flatten(error, &mut flat);
    }
    if flat.len() > 1 {
        Err(ConfigError::Multiple(flat))
    } else {
        flat.pop().map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combining_errors_flattens_and_unwraps_single_errors() {
        assert_eq!(combine_errors(Vec::new()), Ok(()));
        let missing = ConfigError::missing("a");
        assert_eq!(combine_errors(vec![missing.clone()]), Err(missing.clone()));
        let other = ConfigError::other("b");
        let nested = ConfigError::Multiple(vec![
            missing.clone(),
            ConfigError::Multiple(vec![other.clone()]),
        ]);
        assert_eq!(
            combine_errors(vec![nested, missing.clone()]),
            Err(ConfigError::Multiple(vec![missing.clone(), other, missing]))
        );
    }
}
