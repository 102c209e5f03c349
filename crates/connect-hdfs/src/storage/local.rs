//! The local file system as a [`Storage`], for `file://` URLs and absolute paths.
//!
//! Used for tests and single-machine deployments. Blocking file-system calls run on tokio's
//! blocking pool, never on an async worker. Durability follows the HDFS contract as far as a
//! local disk allows: `hsync` and `close` call `fsync` on the file and on its directory, and
//! `rename` never replaces an existing target (hard link, then unlink of the source, then `fsync`
//! of the directories involved).

use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use super::{FileStatus, ReadRange, Storage, StorageError, StorageErrorKind, StorageFile};

/// A [`Storage`] rooted at a local directory.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use bytes::Bytes;
/// use connect_hdfs::storage::{LocalStorage, Storage};
///
/// let dir = tempfile::tempdir().unwrap();
/// let storage = LocalStorage::new(&format!("file://{}", dir.path().display())).unwrap();
///
/// let mut file = storage.create("topics/+tmp/a_tmp.txt").await.unwrap();
/// file.write(Bytes::from_static(b"hello\n")).await.unwrap();
/// file.hsync().await.unwrap();
/// file.close().await.unwrap();
///
/// storage.rename("topics/+tmp/a_tmp.txt", "topics/t/t+0+0+0.txt").await.unwrap_err(); // no parent yet
/// storage.mkdirs("topics/t").await.unwrap();
/// storage.rename("topics/+tmp/a_tmp.txt", "topics/t/t+0+0+0.txt").await.unwrap();
/// assert_eq!(storage.read("topics/t/t+0+0+0.txt").await.unwrap(), Bytes::from_static(b"hello\n"));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct LocalStorage {
    url: String,
    root: PathBuf,
    root_str: String,
}

impl LocalStorage {
    /// A store rooted at the path of `url`: `file:///data/connect`, `file://localhost/data`,
    /// Hadoop's `file:/data/connect`, or a plain absolute path `/data/connect`. The directory
    /// need not exist yet.
    pub fn new(url: &str) -> Result<Self, StorageError> {
        let invalid = |message: &str| {
            StorageError::new("open", url, StorageErrorKind::Other, message.to_owned())
        };
        let path = if let Some(rest) = url.strip_prefix("file://") {
            if rest.starts_with('/') {
                rest
            } else if let Some(rest) = rest.strip_prefix("localhost") {
                rest
            } else {
                return Err(invalid(
                    "a file:// URL must name a local absolute path (file:///path)",
                ));
            }
        } else if let Some(rest) = url.strip_prefix("file:") {
            rest
        } else {
            url
        };
        if !path.starts_with('/') {
            return Err(invalid(
                "the root of a local store must be an absolute path",
            ));
        }
        let root_str = match path.trim_end_matches('/') {
            "" => "/".to_owned(),
            trimmed => trimmed.to_owned(),
        };
        let url = match url.trim_end_matches('/') {
            "" | "file:" | "file://" => url.to_owned(),
            trimmed => trimmed.to_owned(),
        };
        Ok(LocalStorage {
            url,
            root: PathBuf::from(&root_str),
            root_str,
        })
    }

    /// The local directory every path is relative to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The local path of `path` (relative, or a full URL under this store's root).
    pub fn local_path(&self, path: &str) -> Result<PathBuf, StorageError> {
        let relative = self.relative_path(path);
        if relative.contains("://") || relative.starts_with("file:") {
            return Err(StorageError::new(
                "resolve",
                path,
                StorageErrorKind::Other,
                format!("the path is not under this store's root {}", self.url),
            ));
        }
        let relative = Path::new(relative);
        if relative
            .components()
            .any(|component| !matches!(component, Component::Normal(_) | Component::CurDir))
        {
            return Err(StorageError::new(
                "resolve",
                path,
                StorageErrorKind::Other,
                "`..` and absolute components are not allowed in store paths",
            ));
        }
        Ok(self.root.join(relative))
    }

    /// The store-relative form of a local path below the root.
    fn relative_of(&self, local: &Path) -> String {
        let relative = local.strip_prefix(&self.root).unwrap_or(local);
        relative
            .components()
            .filter_map(|component| match component {
                Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Maps an I/O error of `operation` on `path` to a [`StorageError`].
fn io_error(operation: &'static str, path: impl Into<String>, error: io::Error) -> StorageError {
    let kind = match error.kind() {
        io::ErrorKind::NotFound => StorageErrorKind::NotFound,
        io::ErrorKind::AlreadyExists => StorageErrorKind::AlreadyExists,
        _ => StorageErrorKind::Other,
    };
    StorageError::new(operation, path, kind, error.to_string())
}

/// Runs the blocking `work` on the blocking pool, mapping its I/O error.
async fn blocking<T, F>(operation: &'static str, path: String, work: F) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce() -> io::Result<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(io_error(operation, path, error)),
        Err(error) => Err(StorageError::new(
            operation,
            path,
            StorageErrorKind::Other,
            format!("the blocking task failed: {error}"),
        )),
    }
}

/// `fsync`s the directory `dir`, making the names in it durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Renames `from` to `to` without ever replacing `to`.
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    let metadata = std::fs::symlink_metadata(from)?;
    let linked = if metadata.is_dir() {
        false
    } else {
        match std::fs::hard_link(from, to) {
            Ok(()) => true,
            // File systems without hard links (EPERM or ENOTSUP): fall back below.
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::Unsupported
                ) =>
            {
                false
            }
            Err(error) => return Err(error),
        }
    };
    if linked {
        std::fs::remove_file(from)?;
    } else {
        // Directories cannot be hard-linked: check, then rename. Not atomic against a
        // concurrent creator of `to`, which the commit protocol never has (it renames files).
        if std::fs::symlink_metadata(to).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the rename target exists",
            ));
        }
        std::fs::rename(from, to)?;
    }
    let to_parent = to.parent();
    if let Some(parent) = to_parent {
        sync_dir(parent)?;
    }
    if let Some(parent) = from.parent()
        && Some(parent) != to_parent
    {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Lists `dir` into `out`, descending into sub-directories when `recursive`.
fn list_dir(
    storage: &LocalStorage,
    dir: &Path,
    recursive: bool,
    out: &mut Vec<FileStatus>,
) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            // Deleted since the directory was read.
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        };
        if metadata.is_dir() {
            if recursive {
                list_dir(storage, &path, true, out)?;
            } else {
                out.push(FileStatus {
                    path: storage.relative_of(&path),
                    is_dir: true,
                    len: 0,
                });
            }
        } else {
            out.push(FileStatus {
                path: storage.relative_of(&path),
                is_dir: false,
                len: metadata.len(),
            });
        }
    }
    Ok(())
}

#[async_trait]
impl Storage for LocalStorage {
    fn url(&self) -> &str {
        &self.url
    }

    /// Also strips the other spellings of the root: `file:///root`, `file:/root` and `/root`.
    fn relative_path<'a>(&self, full_path: &'a str) -> &'a str {
        let root = self.root_str.trim_end_matches('/');
        let stripped = full_path
            .strip_prefix(self.url.as_str())
            .or_else(|| {
                full_path
                    .strip_prefix("file://")
                    .and_then(|rest| rest.strip_prefix(root))
            })
            .or_else(|| {
                full_path
                    .strip_prefix("file:")
                    .and_then(|rest| rest.strip_prefix(root))
            })
            .or_else(|| full_path.strip_prefix(root).filter(|_| !root.is_empty()))
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(full_path);
        stripped.trim_start_matches('/')
    }

    async fn exists(&self, path: &str) -> Result<bool, StorageError> {
        let local = self.local_path(path)?;
        blocking("exists", path.to_owned(), move || local.try_exists()).await
    }

    async fn mkdirs(&self, path: &str) -> Result<(), StorageError> {
        let local = self.local_path(path)?;
        blocking("mkdirs", path.to_owned(), move || {
            std::fs::create_dir_all(&local)
        })
        .await
    }

    async fn create(&self, path: &str) -> Result<Box<dyn StorageFile>, StorageError> {
        let local = self.local_path(path)?;
        let target = local.clone();
        let file = blocking("create", path.to_owned(), move || {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&target)
        })
        .await?;
        Ok(Box::new(LocalFile {
            file: Arc::new(file),
            local,
            path: path.to_owned(),
            dir_synced: false,
        }))
    }

    async fn read(&self, path: &str) -> Result<Bytes, StorageError> {
        let local = self.local_path(path)?;
        let data = blocking("read", path.to_owned(), move || std::fs::read(&local)).await?;
        Ok(Bytes::from(data))
    }

    async fn read_range(&self, path: &str, range: ReadRange) -> Result<Bytes, StorageError> {
        let local = self.local_path(path)?;
        let data = blocking("read", path.to_owned(), move || {
            use std::io::{Read as _, Seek as _};
            let mut file = std::fs::File::open(&local)?;
            let (start, len) = range.within(file.metadata()?.len());
            file.seek(io::SeekFrom::Start(start))?;
            let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            file.take(len).read_to_end(&mut data)?;
            Ok(data)
        })
        .await?;
        Ok(Bytes::from(data))
    }

    async fn rename(&self, from: &str, to: &str) -> Result<(), StorageError> {
        let local_from = self.local_path(from)?;
        let local_to = self.local_path(to)?;
        let described = format!("{from} -> {to}");
        blocking("rename", described, move || {
            rename_no_replace(&local_from, &local_to)
        })
        .await
    }

    async fn delete(&self, path: &str) -> Result<(), StorageError> {
        let local = self.local_path(path)?;
        blocking("delete", path.to_owned(), move || {
            let result = match std::fs::symlink_metadata(&local) {
                Ok(metadata) if metadata.is_dir() => std::fs::remove_dir_all(&local),
                Ok(_) => std::fs::remove_file(&local),
                Err(error) => Err(error),
            };
            match result {
                Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
                other => other,
            }
        })
        .await
    }

    async fn list(&self, path: &str, recursive: bool) -> Result<Vec<FileStatus>, StorageError> {
        let local = self.local_path(path)?;
        let storage = self.clone();
        blocking("list", path.to_owned(), move || {
            let mut out = Vec::new();
            match std::fs::metadata(&local) {
                Ok(metadata) if !metadata.is_dir() => out.push(FileStatus {
                    path: storage.relative_of(&local),
                    is_dir: false,
                    len: metadata.len(),
                }),
                Ok(_) => list_dir(&storage, &local, recursive, &mut out)?,
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
            out.sort_by(|a, b| a.path.cmp(&b.path));
            Ok(out)
        })
        .await
    }
}

/// A local file being written. Each operation runs on the blocking pool with the data moved in,
/// so a write copies nothing.
#[derive(Debug)]
struct LocalFile {
    file: Arc<std::fs::File>,
    local: PathBuf,
    path: String,
    /// Whether the directory entry has been made durable.
    dir_synced: bool,
}

impl LocalFile {
    /// `fsync`s the file, and its directory the first time.
    async fn sync(&mut self, operation: &'static str) -> Result<(), StorageError> {
        let file = self.file.clone();
        let parent = (!self.dir_synced)
            .then(|| self.local.parent().map(Path::to_path_buf))
            .flatten();
        blocking(operation, self.path.clone(), move || {
            file.sync_data()?;
            match parent {
                Some(parent) => sync_dir(&parent),
                None => Ok(()),
            }
        })
        .await?;
        self.dir_synced = true;
        Ok(())
    }
}

#[async_trait]
impl StorageFile for LocalFile {
    async fn write(&mut self, data: Bytes) -> Result<(), StorageError> {
        let file = self.file.clone();
        blocking("write", self.path.clone(), move || {
            (&*file).write_all(&data)
        })
        .await
    }

    async fn hsync(&mut self) -> Result<(), StorageError> {
        self.sync("hsync").await
    }

    async fn close(mut self: Box<Self>) -> Result<(), StorageError> {
        self.sync("close").await
    }
}
