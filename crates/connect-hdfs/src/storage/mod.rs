//! The file systems the sink writes to, behind one small interface.
//!
//! Paths are relative to the store's root URL (`store.url`, else `hdfs.url`), `/`-separated,
//! without a leading slash: `topics/orders/partition=0/orders+0+0000000000+0000000099.avro`.
//! [`Storage::full_path`] gives the URL form that goes into the write-ahead log, as Confluent's
//! connector writes it.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

pub mod hdfs;
pub mod local;

pub use hdfs::HdfsStorage;
pub use local::LocalStorage;

/// A failed storage operation, naming the operation and the path.
#[derive(Debug, thiserror::Error)]
#[error("{operation} {path} failed: {message}")]
pub struct StorageError {
    /// What was attempted: `create`, `rename`, ...
    pub operation: &'static str,
    /// The path (for a rename, `from -> to`).
    pub path: String,
    /// Why it failed.
    pub message: String,
    /// What kind of failure it was.
    pub kind: StorageErrorKind,
}

/// The kinds of storage failure the commit protocol reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageErrorKind {
    /// The path does not exist.
    NotFound,
    /// The target of a create or rename exists.
    AlreadyExists,
    /// Anything else (permissions, network, ...).
    Other,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    /// The path, relative to the store's root like every path.
    pub path: String,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Its length in bytes (0 for directories).
    pub len: u64,
}

/// A part of a file to read: where a format keeps its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadRange {
    /// The first bytes (an Avro header).
    Head(usize),
    /// The last bytes (a Parquet footer).
    Tail(usize),
}

impl ReadRange {
    /// The range's bytes of a whole file.
    pub fn cut(self, file: Bytes) -> Bytes {
        match self {
            Self::Head(len) => file.slice(..len.min(file.len())),
            Self::Tail(len) => file.slice(file.len().saturating_sub(len)..),
        }
    }

    /// The offset and length of the range in a file of `file_len` bytes.
    pub fn within(self, file_len: u64) -> (u64, u64) {
        match self {
            Self::Head(len) => (0, (len as u64).min(file_len)),
            Self::Tail(len) => {
                let len = (len as u64).min(file_len);
                (file_len - len, len)
            }
        }
    }
}

/// A file system with the operations the commit protocol needs.
#[async_trait]
pub trait Storage: Send + Sync + fmt::Debug {
    /// The root URL, without a trailing `/`.
    fn url(&self) -> &str;

    /// The full URL of `path`, as written into the write-ahead log.
    fn full_path(&self, path: &str) -> String {
        format!("{}/{}", self.url(), path.trim_start_matches('/'))
    }

    /// The path relative to the root of a full URL read back from the write-ahead log; paths that
    /// are already relative are returned unchanged.
    fn relative_path<'a>(&self, full_path: &'a str) -> &'a str {
        full_path
            .strip_prefix(self.url())
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(full_path)
            .trim_start_matches('/')
    }

    /// Whether `path` exists.
    async fn exists(&self, path: &str) -> Result<bool, StorageError>;

    /// Creates `path` and its missing parents as directories.
    async fn mkdirs(&self, path: &str) -> Result<(), StorageError>;

    /// Creates (or replaces) the file `path`, creating missing parent directories.
    async fn create(&self, path: &str) -> Result<Box<dyn StorageFile>, StorageError>;

    /// Reads the whole file `path`.
    async fn read(&self, path: &str) -> Result<Bytes, StorageError>;

    /// Reads the first or last bytes of `path` (the whole file when it is shorter), where file
    /// formats keep their schema. By default the whole file is read and cut.
    async fn read_range(&self, path: &str, range: ReadRange) -> Result<Bytes, StorageError> {
        let file = self.read(path).await?;
        Ok(range.cut(file))
    }

    /// Renames `from` to `to` atomically; fails with [`StorageErrorKind::AlreadyExists`] if `to`
    /// exists (never overwrites) and [`StorageErrorKind::NotFound`] if `from` does not.
    async fn rename(&self, from: &str, to: &str) -> Result<(), StorageError>;

    /// Deletes the file or directory (recursively) `path`; a missing path is not an error.
    async fn delete(&self, path: &str) -> Result<(), StorageError>;

    /// The entries under the directory `path` (all files below it when `recursive`, directories
    /// included only when not); a missing directory lists as empty.
    async fn list(&self, path: &str, recursive: bool) -> Result<Vec<FileStatus>, StorageError>;

    /// Makes sure no writer still holds the file `path` open, recovering the lease of a writer
    /// that went away (HDFS) so that a read sees everything that writer synced. Returns `true`
    /// once the file is closed; `false` means recovery is under way and the call should be
    /// repeated after a pause. A missing file fails with [`StorageErrorKind::NotFound`]. Stores
    /// without leases return `true`.
    async fn recover_lease(&self, path: &str) -> Result<bool, StorageError> {
        let _ = path;
        Ok(true)
    }
}

/// A file being written.
#[async_trait]
pub trait StorageFile: Send {
    /// Appends `data`.
    async fn write(&mut self, data: Bytes) -> Result<(), StorageError>;

    /// Makes everything written so far durable (HDFS `hsync`, `fsync` locally).
    async fn hsync(&mut self) -> Result<(), StorageError>;

    /// Finishes the file; its contents are complete and visible once this returns.
    async fn close(self: Box<Self>) -> Result<(), StorageError>;
}

impl StorageError {
    /// An error of `kind` for `operation` on `path`.
    pub fn new(
        operation: &'static str,
        path: impl Into<String>,
        kind: StorageErrorKind,
        message: impl Into<String>,
    ) -> Self {
        StorageError {
            operation,
            path: path.into(),
            message: message.into(),
            kind,
        }
    }

    /// Whether the path did not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind == StorageErrorKind::NotFound
    }

    /// Whether the target existed.
    pub fn is_already_exists(&self) -> bool {
        self.kind == StorageErrorKind::AlreadyExists
    }
}

/// How to reach the store, beyond its URL: the Hadoop client configuration and Kerberos.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageOptions {
    /// `hadoop.conf.dir`: the directory holding `core-site.xml` and `hdfs-site.xml` (name
    /// services, HA name nodes, ViewFS mount tables, security settings). When unset, the
    /// `HADOOP_CONF_DIR` and `HADOOP_HOME/etc/hadoop` environment fallbacks apply.
    pub hadoop_conf_dir: Option<String>,
    /// Kerberos login (`hdfs.authentication.kerberos=true`); `None` for simple authentication
    /// (or Kerberos from the process-default ticket cache when the Hadoop configuration enables
    /// it).
    pub kerberos: Option<KerberosOptions>,
}

/// Kerberos settings, from `connect.hdfs.principal`, `connect.hdfs.keytab` and
/// `hdfs.namenode.principal`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KerberosOptions {
    /// The client principal, `connect.hdfs.principal` (e.g. `connect/host@EXAMPLE.COM`).
    pub principal: String,
    /// The keytab to log in from, `connect.hdfs.keytab`; `None` uses the ticket cache.
    pub keytab: Option<String>,
    /// The name node's principal, `hdfs.namenode.principal` (e.g. `nn/_HOST@EXAMPLE.COM`).
    pub namenode_principal: Option<String>,
}

/// The URL schemes [`open_storage`] accepts.
pub const SUPPORTED_SCHEMES: &str = "hdfs://, viewfs://, file:// or an absolute local path";

/// Opens the store at `url`: `hdfs://` and `viewfs://` URLs through [`HdfsStorage`], `file://`
/// URLs and absolute paths through [`LocalStorage`]. Object stores (`s3a://`, `abfs://`,
/// `gs://`, ...) are refused: the commit protocol needs an atomic rename that fails when the
/// target exists, which they do not offer.
///
/// ```
/// use connect_hdfs::storage::{open_storage, StorageOptions};
///
/// let dir = tempfile::tempdir().unwrap();
/// let url = format!("file://{}", dir.path().display());
/// let storage = open_storage(&url, &StorageOptions::default()).unwrap();
/// assert_eq!(storage.url(), url);
/// assert!(open_storage("s3a://bucket/data", &StorageOptions::default()).is_err());
/// ```
pub fn open_storage(url: &str, options: &StorageOptions) -> Result<Arc<dyn Storage>, StorageError> {
    let scheme = url
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("hdfs") | Some("viewfs") => Ok(Arc::new(HdfsStorage::open(url, options)?)),
        Some("file") => Ok(Arc::new(LocalStorage::new(url)?)),
        None if url.starts_with('/') || url.starts_with("file:/") => {
            Ok(Arc::new(LocalStorage::new(url)?))
        }
        Some(other) => Err(StorageError::new(
            "open",
            url,
            StorageErrorKind::Other,
            format!(
                "unsupported scheme `{other}://`; supported are {SUPPORTED_SCHEMES}. Object stores \
                 are not supported because they lack an atomic rename that refuses to overwrite"
            ),
        )),
        None => Err(StorageError::new(
            "open",
            url,
            StorageErrorKind::Other,
            format!("not a URL or an absolute path; supported are {SUPPORTED_SCHEMES}"),
        )),
    }
}
