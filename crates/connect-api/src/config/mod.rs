//! Configuration definitions: declare the keys a connector, converter or transform accepts, parse
//! string maps into typed values, and report every problem of every key at once (Kafka's
//! `ConfigDef` and `AbstractConfig`).
//!
//! * A [`ConfigDef`] lists [`ConfigKey`]s: a name, a [`ConfigType`] (`BOOLEAN`, `STRING`, `INT`,
//!   `SHORT`, `LONG`, `DOUBLE`, `LIST`, `CLASS`, `PASSWORD`), a default or none (required), an
//!   [`Importance`], documentation, a group, a [`Validator`] and a [`Recommender`].
//! * [`ConfigDef::parse`] turns a [`ConfigMap`] into a [`ParsedConfig`] of [`ConfigValue`]s with
//!   typed getters, or fails with every bad key. [`ConfigDef::validate`] reports each key's value,
//!   errors, recommended values and visibility as [`ConfigValueInfo`]s, as the REST API's
//!   validation endpoint shows them.
//! * Parsing, defaults and error messages follow Kafka: values are trimmed, `true`/`false` are
//!   case-insensitive, lists split on commas, failures read
//!   `Invalid value <v> for configuration <name>: <reason>`.
//! * [`Password`] values print as `[hidden]` everywhere: `Debug`, `Display`, error messages,
//!   validation results and the `Debug` of [`ParsedConfig`].
//!
//! # Declaring a configuration with the derive
//!
//! `#[derive(ConnectConfig)]` makes every field a key, typed after the field (an `Option` has a
//! null default, a field without `default` is required) and documented by its doc comment.
//!
//! ```
//! use connect_api::config::{ConfigMap, ConnectConfig, NonEmptyString, Password, Range};
//!
//! #[derive(Debug, ConnectConfig)]
//! struct FileSourceConfig {
//!     /// Source filename. If not specified, the standard input will be used.
//!     #[config(importance = "high")]
//!     file: Option<String>,
//!     /// The topic to publish data to.
//!     #[config(importance = "high", validator = NonEmptyString)]
//!     topic: String,
//!     /// The maximum number of records the source task can read from the file each time it is
//!     /// polled.
//!     #[config(name = "batch.size", default = 2000, importance = "low", validator = Range::at_least(1))]
//!     batch_size: i32,
//!     /// Extra headers to add, as a list.
//!     #[config(default = "", group = "Common", order = 1, display_name = "Headers", width = "medium")]
//!     headers: Vec<String>,
//!     #[config(name = "connection.password")]
//!     password: Option<Password>,
//!     #[config(name = "poll.ms", default = 1000)]
//!     poll: i64,
//!     #[config(type = "class", default = "org.apache.kafka.connect.storage.StringConverter")]
//!     key_converter: String,
//! }
//!
//! let props = ConfigMap::from([
//!     ("topic".to_owned(), "lines".to_owned()),
//!     ("headers".to_owned(), "a, b".to_owned()),
//!     ("connection.password".to_owned(), "s3cr3t".to_owned()),
//! ]);
//! let config = FileSourceConfig::from_props(&props)?;
//! assert_eq!(config.file, None);
//! assert_eq!(config.topic, "lines");
//! assert_eq!(config.batch_size, 2000);
//! assert_eq!(config.headers, ["a", "b"]);
//! assert_eq!(config.password.as_ref().map(Password::value), Some("s3cr3t"));
//! assert_eq!(config.poll, 1000);
//! assert_eq!(config.key_converter, "org.apache.kafka.connect.storage.StringConverter");
//! assert!(!format!("{config:?}").contains("s3cr3t"));
//!
//! // The same declaration validates, reporting every problem of every key at once.
//! let bad = ConfigMap::from([("batch.size".to_owned(), "0".to_owned())]);
//! let errors: Vec<String> = FileSourceConfig::validate(&bad)
//!     .into_iter()
//!     .flat_map(|info| info.errors)
//!     .collect();
//! assert_eq!(errors, [
//!     "Missing required configuration \"topic\" which has no default value.",
//!     "Invalid value 0 for configuration batch.size: Value must be at least 1",
//! ]);
//! # Ok::<(), connect_api::error::ConfigError>(())
//! ```
//!
//! # Declaring the same configuration with the builder
//!
//! ```
//! use connect_api::config::{
//!     ConfigDef, ConfigKey, ConfigMap, Importance, NonEmptyString, Range, Width,
//! };
//!
//! let def = ConfigDef::new()
//!     .define(
//!         ConfigKey::string("file")
//!             .default_null()
//!             .importance(Importance::High)
//!             .documentation("Source filename. If not specified, the standard input will be used."),
//!     )
//!     .define(
//!         ConfigKey::string("topic")
//!             .validator(NonEmptyString)
//!             .importance(Importance::High)
//!             .documentation("The topic to publish data to."),
//!     )
//!     .define(
//!         ConfigKey::int("batch.size")
//!             .default_value(2000)
//!             .validator(Range::at_least(1))
//!             .importance(Importance::Low),
//!     )
//!     .define(
//!         ConfigKey::list("headers")
//!             .default_value("")
//!             .group("Common")
//!             .order_in_group(1)
//!             .display_name("Headers")
//!             .width(Width::Medium),
//!     )
//!     .define(ConfigKey::password("connection.password").default_null())
//!     .define(ConfigKey::long("poll.ms").default_value(1000))
//!     .define(
//!         ConfigKey::class("key.converter")
//!             .default_value("org.apache.kafka.connect.storage.StringConverter"),
//!     );
//!
//! let props = ConfigMap::from([("topic".to_owned(), "lines".to_owned())]);
//! let parsed = def.parse(&props)?;
//! assert_eq!(parsed.get_opt_string("file")?, None);
//! assert_eq!(parsed.get_string("topic")?, "lines");
//! assert_eq!(parsed.get_int("batch.size")?, 2000);
//! assert!(parsed.get_list("headers")?.is_empty());
//! assert_eq!(parsed.get_opt_password("connection.password")?, None);
//! assert_eq!(parsed.get_long("poll.ms")?, 1000);
//! assert_eq!(parsed.get_class("key.converter")?, "org.apache.kafka.connect.storage.StringConverter");
//! # Ok::<(), connect_api::error::ConfigError>(())
//! ```

use std::collections::BTreeMap;

mod def;
mod embed;
mod evaluate;
mod key;
mod parse;
mod parsed;
mod password;
mod recommender;
mod typed;
mod types;
mod validators;
mod value;

/// Derives [`ConnectConfig`](trait@ConnectConfig) for a struct; see the module documentation.
pub use connect_api_derive::ConnectConfig;
pub use def::ConfigDef;
pub use evaluate::ConfigValueInfo;
pub use key::{ConfigKey, ConfigKeyBuilder};
pub use parsed::ParsedConfig;
pub use password::{HIDDEN, Password};
pub use recommender::Recommender;
pub use typed::ConnectConfig;
pub use types::{ConfigType, Importance, Width};
pub use validators::{
    CaseInsensitiveValidString, CompositeValidator, LambdaValidator, ListSize, NonEmptyString,
    NonEmptyStringWithoutControlChars, NonNullValidator, Range, RangeBound, ValidList, ValidString,
    Validator, invalid_value,
};
pub use value::ConfigValue;

/// Configuration as it arrives: string keys and string values (a properties file, a REST body).
pub type ConfigMap = BTreeMap<String, String>;
