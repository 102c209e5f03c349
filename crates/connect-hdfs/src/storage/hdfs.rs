//! HDFS (`hdfs://`, `viewfs://`) as a [`Storage`], through the pure-Rust hdfs-native client.
//!
//! This layer only translates paths and errors; hdfs-native does the protocol work:
//!
//! - **Name services and HA**: a URL such as `hdfs://nameservice1/data` is resolved through
//!   `dfs.ha.namenodes.*` and `dfs.namenode.rpc-address.*`, with failover between the name
//!   nodes. ViewFS mount tables (`fs.viewfs.mounttable.*`) are honoured for `viewfs://` URLs.
//! - **`hadoop.conf.dir`**: `core-site.xml` and `hdfs-site.xml` are loaded from it by
//!   hdfs-native's own configuration loader; without it, hdfs-native falls back to
//!   `HADOOP_CONF_DIR`, then `HADOOP_HOME/etc/hadoop`. Only the keys hdfs-native knows are
//!   used; other Hadoop client tuning is ignored.
//! - **Kerberos**: GSSAPI is loaded at run time (`libgssapi_krb5`, MIT Kerberos). With a keytab
//!   (`connect.hdfs.keytab`) the client logs in from it as `connect.hdfs.principal` into a
//!   private in-memory credential cache, and MIT Kerberos obtains fresh tickets from the keytab
//!   when they expire, so no renewal thread is needed. Without a keytab the principal's tickets
//!   are taken from the default ticket cache (`KRB5CCNAME`, kept fresh by `kinit`/`k5start`).
//!   The name node's principal (`hdfs.namenode.principal`) is not needed: hdfs-native takes the
//!   server's principal from the SASL negotiation; it is still passed on as
//!   `dfs.namenode.kerberos.principal`. Delegation tokens (`HADOOP_TOKEN_FILE_LOCATION`) work too.
//!   Kerberos on a system without `libgssapi_krb5` fails when the first call is made.
//! - **Leases**: `create` uses `overwrite`, which the name node honours even when a writer that
//!   went away still holds the lease on the old file (the old file is deleted). Readers of a file
//!   whose writer died should first call [`Storage::recover_lease`] until it returns `true`: until
//!   the lease is recovered, the name node reports only the length of the complete blocks.

use async_trait::async_trait;
use bytes::Bytes;
use hdfs_native::{Client, ClientBuilder, HdfsError, WriteOptions};

use super::{
    FileStatus, ReadRange, Storage, StorageError, StorageErrorKind, StorageFile, StorageOptions,
};

/// Hadoop's default directory permission (0777 less the usual 022 umask).
const DIRECTORY_PERMISSION: u32 = 0o755;

/// A [`Storage`] on an HDFS cluster (or a ViewFS mount table), rooted at the path of its URL.
///
/// Building one does not contact the cluster; the first operation does.
#[derive(Debug, Clone)]
pub struct HdfsStorage {
    url: String,
    /// The scheme and authority, e.g. `hdfs://nameservice1`.
    authority_url: String,
    /// The absolute path of the root, without a trailing `/` (empty for `/`).
    root: String,
    client: Client,
}

impl HdfsStorage {
    /// Connects (lazily) to the store at `url`, e.g. `hdfs://namenode:8020/data` or
    /// `hdfs://nameservice1` (HA, from the Hadoop configuration in
    /// [`StorageOptions::hadoop_conf_dir`]), with the Kerberos login in
    /// [`StorageOptions::kerberos`].
    pub fn open(url: &str, options: &StorageOptions) -> Result<Self, StorageError> {
        let invalid =
            |message: String| StorageError::new("open", url, StorageErrorKind::Other, message);
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| invalid("not a URL".to_owned()))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "hdfs" && scheme != "viewfs" {
            return Err(invalid(format!(
                "HDFS storage takes hdfs:// or viewfs:// URLs, not {scheme}://"
            )));
        }
        let (authority, path) = match rest.find('/') {
            Some(slash) => rest.split_at(slash),
            None => (rest, ""),
        };
        let root = path.trim_end_matches('/').to_owned();
        let authority_url = format!("{scheme}://{authority}");

        let mut config: Vec<(String, String)> = Vec::new();
        let mut builder = ClientBuilder::new().with_url(format!("{authority_url}/"));
        if let Some(dir) = &options.hadoop_conf_dir {
            builder = builder.with_config_dir(dir.clone());
        }
        if let Some(kerberos) = &options.kerberos {
            config.push((
                "hadoop.security.authentication".to_owned(),
                "kerberos".to_owned(),
            ));
            if let Some(namenode) = &kerberos.namenode_principal {
                config.push((
                    "dfs.namenode.kerberos.principal".to_owned(),
                    namenode.clone(),
                ));
            }
            builder = builder.with_kerberos_principal(kerberos.principal.clone());
            if let Some(keytab) = &kerberos.keytab {
                builder = builder.with_kerberos_keytab(keytab.clone());
            }
        }
        if !config.is_empty() {
            builder = builder.with_config(config);
        }
        let client = builder
            .build()
            .map_err(|error| hdfs_error("open", url, error))?;
        Ok(HdfsStorage {
            url: url.trim_end_matches('/').to_owned(),
            authority_url,
            root,
            client,
        })
    }

    /// The hdfs-native client, for operations this interface does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The absolute path in the file system of `path` (relative, or a full URL of this store).
    fn absolute(&self, path: &str) -> Result<String, StorageError> {
        let relative = self.relative_path(path);
        if let Some(rest) = relative.strip_prefix(self.authority_url.as_str())
            && (rest.is_empty() || rest.starts_with('/'))
        {
            // A full URL of this file system outside the root: use its path as is.
            return Ok(if rest.is_empty() {
                "/".to_owned()
            } else {
                collapse_slashes(rest)
            });
        }
        if relative.contains("://") {
            return Err(StorageError::new(
                "resolve",
                path,
                StorageErrorKind::Other,
                format!(
                    "the path is not on this file system ({})",
                    self.authority_url
                ),
            ));
        }
        // Confluent's WAL entries contain `//` (`<topics.dir>//+tmp/...`): Hadoop's Path
        // collapses it, the namenode does not.
        let collapsed = collapse_slashes(relative.trim_end_matches('/'));
        let relative = collapsed.as_str();
        Ok(match (self.root.is_empty(), relative.is_empty()) {
            (true, true) => "/".to_owned(),
            (false, true) => self.root.clone(),
            _ => format!("{}/{relative}", self.root),
        })
    }

    /// The store-relative form of an absolute path from a listing.
    fn relative_of(&self, absolute: &str) -> String {
        absolute
            .strip_prefix(self.root.as_str())
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(absolute)
            .trim_start_matches('/')
            .to_owned()
    }
}

/// Maps an hdfs-native error of `operation` on `path` to a [`StorageError`].
///
/// hdfs-native already turns `FileAlreadyExistsException` and `AlreadyBeingCreatedException` (a
/// lease held by another writer) into `AlreadyExists`; `FileNotFoundException` arrives either as
/// `FileNotFound` or as a remote exception of that class.
fn hdfs_error(operation: &'static str, path: impl Into<String>, error: HdfsError) -> StorageError {
    let kind = match &error {
        HdfsError::FileNotFound(_) => StorageErrorKind::NotFound,
        HdfsError::AlreadyExists(_) => StorageErrorKind::AlreadyExists,
        HdfsError::RPCError(class, _) | HdfsError::FatalRPCError(class, _) => {
            match class.as_str() {
                "java.io.FileNotFoundException" => StorageErrorKind::NotFound,
                "org.apache.hadoop.fs.FileAlreadyExistsException"
                | "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException" => {
                    StorageErrorKind::AlreadyExists
                }
                _ => StorageErrorKind::Other,
            }
        }
        _ => StorageErrorKind::Other,
    };
    StorageError::new(operation, path, kind, error.to_string())
}

#[async_trait]
impl Storage for HdfsStorage {
    fn url(&self) -> &str {
        &self.url
    }

    async fn exists(&self, path: &str) -> Result<bool, StorageError> {
        let absolute = self.absolute(path)?;
        match self.client.get_file_info(&absolute).await {
            Ok(_) => Ok(true),
            Err(error) => {
                let error = hdfs_error("exists", path, error);
                if error.is_not_found() {
                    Ok(false)
                } else {
                    Err(error)
                }
            }
        }
    }

    async fn mkdirs(&self, path: &str) -> Result<(), StorageError> {
        let absolute = self.absolute(path)?;
        self.client
            .mkdirs(&absolute, DIRECTORY_PERMISSION, true)
            .await
            .map_err(|error| hdfs_error("mkdirs", path, error))
    }

    async fn create(&self, path: &str) -> Result<Box<dyn StorageFile>, StorageError> {
        let absolute = self.absolute(path)?;
        let options = WriteOptions::default().overwrite(true).create_parent(true);
        let writer = self
            .client
            .create(&absolute, options)
            .await
            .map_err(|error| hdfs_error("create", path, error))?;
        Ok(Box::new(HdfsFile {
            writer,
            path: path.to_owned(),
        }))
    }

    async fn read(&self, path: &str) -> Result<Bytes, StorageError> {
        let absolute = self.absolute(path)?;
        let reader = self
            .client
            .read(&absolute)
            .await
            .map_err(|error| hdfs_error("read", path, error))?;
        reader
            .read_range(0, reader.file_length())
            .await
            .map_err(|error| hdfs_error("read", path, error))
    }

    async fn read_range(&self, path: &str, range: ReadRange) -> Result<Bytes, StorageError> {
        let absolute = self.absolute(path)?;
        let reader = self
            .client
            .read(&absolute)
            .await
            .map_err(|error| hdfs_error("read", path, error))?;
        let (start, len) = range.within(reader.file_length() as u64);
        reader
            .read_range(start as usize, len as usize)
            .await
            .map_err(|error| hdfs_error("read", path, error))
    }

    async fn rename(&self, from: &str, to: &str) -> Result<(), StorageError> {
        let absolute_from = self.absolute(from)?;
        let absolute_to = self.absolute(to)?;
        self.client
            .rename(&absolute_from, &absolute_to, false)
            .await
            .map_err(|error| hdfs_error("rename", format!("{from} -> {to}"), error))
    }

    async fn delete(&self, path: &str) -> Result<(), StorageError> {
        let absolute = self.absolute(path)?;
        match self.client.delete(&absolute, true).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = hdfs_error("delete", path, error);
                if error.is_not_found() {
                    Ok(())
                } else {
                    Err(error)
                }
            }
        }
    }

    async fn list(&self, path: &str, recursive: bool) -> Result<Vec<FileStatus>, StorageError> {
        let absolute = self.absolute(path)?;
        let statuses = match self.client.list_status(&absolute, recursive).await {
            Ok(statuses) => statuses,
            Err(error) => {
                let error = hdfs_error("list", path, error);
                return if error.is_not_found() {
                    Ok(Vec::new())
                } else {
                    Err(error)
                };
            }
        };
        let mut out: Vec<FileStatus> = statuses
            .into_iter()
            .filter(|status| !(recursive && status.isdir))
            .map(|status| FileStatus {
                path: self.relative_of(&status.path),
                is_dir: status.isdir,
                len: if status.isdir {
                    0
                } else {
                    status.length as u64
                },
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Asks the name node to recover the lease of `path` (`recoverLease`): `true` when the file
    /// is closed, `false` while block recovery of an abandoned writer is still running.
    async fn recover_lease(&self, path: &str) -> Result<bool, StorageError> {
        let absolute = self.absolute(path)?;
        self.client
            .recover_lease(&absolute)
            .await
            .map_err(|error| hdfs_error("recover lease", path, error))
    }
}

/// An HDFS file being written; it holds the file's lease until closed.
struct HdfsFile {
    writer: hdfs_native::file::FileWriter,
    path: String,
}

#[async_trait]
impl StorageFile for HdfsFile {
    async fn write(&mut self, data: Bytes) -> Result<(), StorageError> {
        self.writer
            .write_bytes(data)
            .await
            .map(|_| ())
            .map_err(|error| hdfs_error("write", self.path.clone(), error))
    }

    /// `hsync` on the data node pipeline, then `fsync` on the name node with the new length.
    async fn hsync(&mut self) -> Result<(), StorageError> {
        self.writer
            .hsync()
            .await
            .map_err(|error| hdfs_error("hsync", self.path.clone(), error))
    }

    async fn close(mut self: Box<Self>) -> Result<(), StorageError> {
        self.writer
            .close()
            .await
            .map_err(|error| hdfs_error("close", self.path.clone(), error))
    }
}

/// `path` with every run of `/` made one, as Hadoop's `Path` normalises it.
fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::KerberosOptions;

    #[tokio::test]
    async fn builds_without_contacting_the_cluster() {
        let storage = HdfsStorage::open(
            "hdfs://localhost:1/data/connect/",
            &StorageOptions::default(),
        )
        .unwrap();
        assert_eq!(storage.url(), "hdfs://localhost:1/data/connect");
        assert_eq!(storage.absolute("").unwrap(), "/data/connect");
        assert_eq!(
            storage.absolute("topics/t").unwrap(),
            "/data/connect/topics/t"
        );
        assert_eq!(
            storage
                .absolute("hdfs://localhost:1/data/connect/logs/t/0/log")
                .unwrap(),
            "/data/connect/logs/t/0/log"
        );
        assert_eq!(
            storage.absolute("hdfs://localhost:1/elsewhere/x").unwrap(),
            "/elsewhere/x"
        );
        assert!(storage.absolute("hdfs://other:1/x").is_err());
        // Confluent's WAL writes temporary paths as `<topics.dir>//+tmp/...`.
        assert_eq!(
            storage
                .absolute("hdfs://localhost:1/data/connect/topics//+tmp/t/partition=0/a_tmp.avro")
                .unwrap(),
            "/data/connect/topics/+tmp/t/partition=0/a_tmp.avro"
        );
        assert_eq!(
            storage.absolute("topics//+tmp/t").unwrap(),
            "/data/connect/topics/+tmp/t"
        );
        assert_eq!(
            storage.relative_of("/data/connect/topics/t/f.avro"),
            "topics/t/f.avro"
        );
        assert_eq!(
            storage.full_path("topics/t/f.avro"),
            "hdfs://localhost:1/data/connect/topics/t/f.avro"
        );
    }

    #[tokio::test]
    async fn loads_an_ha_name_service_from_hadoop_conf_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("hdfs-site.xml"),
            r#"<?xml version="1.0"?>
<configuration>
  <property><name>dfs.nameservices</name><value>ns1</value></property>
  <property><name>dfs.ha.namenodes.ns1</name><value>nn1,nn2</value></property>
  <property><name>dfs.namenode.rpc-address.ns1.nn1</name><value>localhost:1</value></property>
  <property><name>dfs.namenode.rpc-address.ns1.nn2</name><value>localhost:2</value></property>
</configuration>"#,
        )
        .unwrap();
        let options = StorageOptions {
            hadoop_conf_dir: Some(dir.path().display().to_string()),
            kerberos: None,
        };
        let storage = HdfsStorage::open("hdfs://ns1/data", &options).unwrap();
        assert_eq!(storage.url(), "hdfs://ns1/data");
    }

    #[test]
    fn kerberos_without_a_principal_is_refused() {
        let options = StorageOptions {
            hadoop_conf_dir: None,
            kerberos: Some(KerberosOptions {
                principal: String::new(),
                keytab: Some("/etc/security/connect.keytab".to_owned()),
                namenode_principal: None,
            }),
        };
        assert!(HdfsStorage::open("hdfs://localhost:1/", &options).is_err());
    }

    #[test]
    fn maps_remote_exceptions() {
        let not_found = hdfs_error(
            "rename",
            "a -> b",
            HdfsError::RPCError("java.io.FileNotFoundException".to_owned(), "a".to_owned()),
        );
        assert_eq!(not_found.kind, StorageErrorKind::NotFound);
        let exists = hdfs_error("rename", "a -> b", HdfsError::AlreadyExists("b".to_owned()));
        assert_eq!(exists.kind, StorageErrorKind::AlreadyExists);
        let other = hdfs_error(
            "rename",
            "a -> b",
            HdfsError::RPCError(
                "org.apache.hadoop.security.AccessControlException".to_owned(),
                "denied".to_owned(),
            ),
        );
        assert_eq!(other.kind, StorageErrorKind::Other);
    }
}
