//! Errors raised by connectors, tasks, converters, transforms and the data model.
//!
//! The hierarchy follows Kafka Connect's exceptions so that the runtime can make the same decisions:
//! a [`DataError`] is a problem with one record (tolerable, may go to a dead letter queue), a
//! [`ConfigError`] is a problem with configuration, and [`ConnectError::Retriable`] marks an
//! operation that may succeed when tried again.

use std::error::Error as StdError;
use std::fmt;

/// A boxed error used as the `source` of a [`ConnectError`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Result alias used throughout the API.
pub type Result<T, E = ConnectError> = std::result::Result<T, E>;

/// What kind of data problem a [`DataError`] describes, mirroring Kafka's `DataException` subclasses.
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder, project};
/// use connect_api::error::{DataError, DataErrorKind};
///
/// let misuse = SchemaBuilder::int32().field("id", Schema::int64()).build().unwrap_err();
/// assert_eq!(misuse.kind(), DataErrorKind::SchemaBuilder);
/// let incompatible = project(&Schema::string(), &"7".into(), &Schema::int32()).unwrap_err();
/// assert_eq!(incompatible.kind(), DataErrorKind::SchemaProjector);
/// assert_eq!(DataError::new("bad record").kind(), DataErrorKind::Data);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataErrorKind {
    /// A value or schema is invalid, or a conversion failed (`DataException`).
    Data,
    /// A schema builder was used incorrectly (`SchemaBuilderException`).
    SchemaBuilder,
    /// A value could not be projected onto another schema (`SchemaProjectorException`).
    SchemaProjector,
}

/// A problem with one piece of data: a value that does not match its schema, bytes a converter
/// cannot read, an invalid schema.
///
/// The message says what was wrong; [`DataError::context`] prefixes where it happened.
///
/// ```
/// use connect_api::error::DataError;
/// let err = DataError::new("Invalid value: null used for required field").context("field \"id\"");
/// assert_eq!(err.to_string(), "field \"id\": Invalid value: null used for required field");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    kind: DataErrorKind,
    message: String,
}

impl DataError {
    /// A general data error (`DataException`).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            kind: DataErrorKind::Data,
            message: message.into(),
        }
    }

    /// A schema builder misuse (`SchemaBuilderException`).
    pub fn schema_builder(message: impl Into<String>) -> Self {
        Self {
            kind: DataErrorKind::SchemaBuilder,
            message: message.into(),
        }
    }

    /// A schema projection failure (`SchemaProjectorException`).
    pub fn schema_projector(message: impl Into<String>) -> Self {
        Self {
            kind: DataErrorKind::SchemaProjector,
            message: message.into(),
        }
    }

    /// The kind of data error.
    pub fn kind(&self) -> DataErrorKind {
        self.kind
    }

    /// The message, without any kind prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prefixes the message with where the error happened (a field path, a topic, a converter).
    #[must_use]
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for DataError {}

/// A configuration problem, with Kafka's `ConfigException` wording.
///
/// ```
/// use connect_api::error::ConfigError;
/// let err = ConfigError::missing("topic");
/// assert_eq!(
///     err.to_string(),
///     "Missing required configuration \"topic\" which has no default value."
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A value was given but is not acceptable.
    #[error("Invalid value {value} for configuration {name}: {message}")]
    InvalidValue {
        /// The configuration key.
        name: String,
        /// The offending value as text; `[hidden]` for passwords.
        value: String,
        /// Why the value is not acceptable.
        message: String,
    },
    /// A required key without a default is absent.
    #[error("Missing required configuration \"{name}\" which has no default value.")]
    Missing {
        /// The configuration key.
        name: String,
    },
    /// Any other configuration problem, already worded.
    #[error("{0}")]
    Other(String),
    /// Several problems found at once, for example by a validation that checks every key.
    #[error("{}", join_errors(.0))]
    Multiple(Vec<ConfigError>),
}

fn join_errors(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConfigError {
    /// An invalid value for `name`.
    pub fn invalid(
        name: impl Into<String>,
        value: impl fmt::Display,
        message: impl Into<String>,
    ) -> Self {
        Self::InvalidValue {
            name: name.into(),
            value: value.to_string(),
            message: message.into(),
        }
    }

    /// A required key `name` is missing.
    pub fn missing(name: impl Into<String>) -> Self {
        Self::Missing { name: name.into() }
    }

    /// Any other configuration problem.
    pub fn other(message: impl Into<String>) -> Self {
        Self::Other(message.into())
    }
}

/// The error type of every connector, task, converter, transform and predicate operation.
///
/// ```
/// use connect_api::error::{ConnectError, DataError};
/// let err: ConnectError = DataError::new("bad record").into();
/// assert!(!err.is_retriable());
/// assert!(ConnectError::retriable("broker unavailable").is_retriable());
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A problem with one record or value (`DataException`).
    #[error(transparent)]
    Data(#[from] DataError),
    /// A configuration problem (`ConfigException`).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The operation may succeed if tried again (`RetriableException`).
    #[error("{message}")]
    Retriable {
        /// What failed.
        message: String,
        /// The underlying cause, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A named thing does not exist (`NotFoundException`).
    #[error("{0}")]
    NotFound(String),
    /// A named thing exists already (`AlreadyExistsException`).
    #[error("{0}")]
    AlreadyExists(String),
    /// A call that is not allowed in the current state (`IllegalWorkerStateException`).
    #[error("{0}")]
    IllegalWorkerState(String),
    /// Any other failure (`ConnectException`).
    #[error("{message}")]
    Other {
        /// What failed.
        message: String,
        /// The underlying cause, if any.
        #[source]
        source: Option<BoxError>,
    },
}

impl ConnectError {
    /// A failure that may succeed when retried.
    pub fn retriable(message: impl Into<String>) -> Self {
        Self::Retriable {
            message: message.into(),
            source: None,
        }
    }

    /// A failure that should not be retried.
    pub fn other(message: impl Into<String>) -> Self {
        Self::Other {
            message: message.into(),
            source: None,
        }
    }

    /// A retriable failure caused by `source`.
    pub fn retriable_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Retriable {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// A non-retriable failure caused by `source`.
    pub fn other_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Other {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// Whether the runtime may retry the operation that produced this error.
    pub fn is_retriable(&self) -> bool {
        matches!(self, Self::Retriable { .. })
    }

    /// Whether this is a data error (a problem with one record).
    pub fn is_data(&self) -> bool {
        matches!(self, Self::Data(_))
    }

    /// Prefixes the message with where the error happened (a connector, task, topic-partition
    /// or offset), keeping its kind, so that retriable stays retriable and data stays data.
    ///
    /// ```
    /// use connect_api::error::ConnectError;
    /// let err = ConnectError::retriable("timed out").context("task orders-0");
    /// assert!(err.is_retriable());
    /// assert_eq!(err.to_string(), "task orders-0: timed out");
    /// ```
    #[must_use]
    pub fn context(self, context: impl fmt::Display) -> Self {
        let prefix = |message: String| format!("{context}: {message}");
        match self {
            Self::Data(e) => Self::Data(e.context(context)),
            Self::Config(e) => Self::Config(ConfigError::Other(prefix(e.to_string()))),
            Self::Retriable { message, source } => Self::Retriable {
                message: prefix(message),
                source,
            },
            Self::NotFound(m) => Self::NotFound(prefix(m)),
            Self::AlreadyExists(m) => Self::AlreadyExists(prefix(m)),
            Self::IllegalWorkerState(m) => Self::IllegalWorkerState(prefix(m)),
            Self::Other { message, source } => Self::Other {
                message: prefix(message),
                source,
            },
        }
    }
}
