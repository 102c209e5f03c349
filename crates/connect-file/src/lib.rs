//! # connect-file
//!
//! Kafka Connect's FileStream connectors, with Kafka's configuration keys, offsets and error
//! messages:
//!
//! * [`FileStreamSourceConnector`] (`org.apache.kafka.connect.file.FileStreamSourceConnector`,
//!   alias `FileStreamSource`) reads the lines of a file, or of standard input, into a topic,
//!   one record per line. Its [`FileStreamSourceTask`] remembers how many bytes it has consumed
//!   as the source offset `{"position": n}` of the partition `{"filename": "<file>"}`, and resumes
//!   from there after a restart.
//! * [`FileStreamSinkConnector`] (`org.apache.kafka.connect.file.FileStreamSinkConnector`, alias
//!   `FileStreamSink`) appends the value of each record of its topics to a file, or writes it to
//!   standard output, one line per record, through its [`FileStreamSinkTask`].
//!
//! Like Kafka's, these connectors are examples and test tools: one file, one source task, no
//! handling of files that are rotated or truncated.
//!
//! ```
//! use connect_api::config::{ConfigMap, ConfigValueInfo};
//! use connect_api::connector::Connector;
//! use connect_file::{FileStreamSinkConnector, FileStreamSourceConnector};
//!
//! let source = ConfigMap::from([
//!     ("name".to_owned(), "local-file-source".to_owned()),
//!     ("connector.class".to_owned(), "FileStreamSource".to_owned()),
//!     ("tasks.max".to_owned(), "1".to_owned()),
//!     ("file".to_owned(), "test.txt".to_owned()),
//!     ("topic".to_owned(), "connect-test".to_owned()),
//! ]);
//! let sink = ConfigMap::from([
//!     ("name".to_owned(), "local-file-sink".to_owned()),
//!     ("connector.class".to_owned(), "FileStreamSink".to_owned()),
//!     ("tasks.max".to_owned(), "1".to_owned()),
//!     ("file".to_owned(), "test.sink.txt".to_owned()),
//!     ("topics".to_owned(), "connect-test".to_owned()),
//! ]);
//! let errors = |infos: Vec<ConfigValueInfo>| -> Vec<String> {
//!     infos.into_iter().flat_map(|info| info.errors).collect()
//! };
//! assert!(errors(FileStreamSourceConnector::new().validate(&source)).is_empty());
//! assert!(errors(FileStreamSinkConnector::new().validate(&sink)).is_empty());
//!
//! let mut no_topic = source.clone();
//! no_topic.remove("topic");
//! assert_eq!(
//!     errors(FileStreamSourceConnector::new().validate(&no_topic)),
//!     ["Missing required configuration \"topic\" which has no default value."]
//! );
//! ```
//!
//! The tasks use only asynchronous I/O (`tokio::fs`, `tokio::io`), and their `poll`, `put` and
//! `flush` futures are cancel-safe: a dropped call loses and duplicates nothing.
//!
//! When reading standard input, records have the source partition `{"filename": null}` (or
//! `{"filename": ""}` when `file` is set to the empty string) and the source offset
//! `{"position": null}`, exactly the maps Kafka's task builds.
//!
//! Differences from Kafka, all deliberate:
//! * positions count bytes, Kafka's count UTF-16 characters (and then skip that many bytes on
//!   restart, which goes wrong for non-ASCII text); invalid UTF-8 is replaced by U+FFFD, as
//!   Kafka's decoder does;
//! * `batch.size` must be at least 1 (validated with `Range.atLeast(1)`; Kafka has no validator
//!   and treats values below 1 as 1);
//! * complete lines left in the buffer after a full batch are returned by the next poll even
//!   when no more data arrives (Kafka only looks at the buffer after reading more);
//! * read and write errors fail the task instead of being ignored;
//! * a committed position beyond the end of the file makes the task wait for the file to grow
//!   (Kafka spins), and a negative one is treated as 0.

#![deny(missing_docs)]

mod config;
mod lines;
mod sink;
mod source;

pub use config::{
    DEFAULT_TASK_BATCH_SIZE, FILE_CONFIG, FILENAME_FIELD, FileStreamSinkConfig,
    FileStreamSourceConfig, POSITION_FIELD, TASK_BATCH_SIZE_CONFIG, TOPIC_CONFIG,
};
pub use sink::{FileStreamSinkConnector, FileStreamSinkTask};
pub use source::{FileStreamSourceConnector, FileStreamSourceTask};
