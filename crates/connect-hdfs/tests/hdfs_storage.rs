//! The storage contract the commit protocol relies on, checked against every backend:
//! the local file system always, HDFS when `HDFS_URL` names a writable directory on a cluster
//! (e.g. `HDFS_URL=hdfs://namenode:8020/tmp/connect-hdfs-test`; `HADOOP_CONF_DIR` is honoured).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use bytes::Bytes;
use connect_hdfs::storage::{FileStatus, Storage, StorageErrorKind, StorageOptions, open_storage};

/// Runs every contract check against `storage`, under the directory `base`.
async fn contract(storage: Arc<dyn Storage>, base: &str) {
    create_write_hsync_close_read(&storage, base).await;
    create_replaces(&storage, base).await;
    rename_never_overwrites(&storage, base).await;
    rename_of_a_missing_file(&storage, base).await;
    list(&storage, base).await;
    delete(&storage, base).await;
    mkdirs_and_exists(&storage, base).await;
    full_and_relative_paths(&storage, base).await;
    lease_of_a_closed_file(&storage, base).await;
    storage.delete(base).await.unwrap();
}

async fn write_file(storage: &Arc<dyn Storage>, path: &str, data: &'static [u8]) {
    let mut file = storage.create(path).await.unwrap();
    file.write(Bytes::from_static(data)).await.unwrap();
    file.close().await.unwrap();
}

async fn create_write_hsync_close_read(storage: &Arc<dyn Storage>, base: &str) {
    let path = format!("{base}/a/b/c/file.bin");
    let mut file = storage.create(&path).await.unwrap();
    file.write(Bytes::from_static(b"hello ")).await.unwrap();
    file.hsync().await.unwrap();
    file.write(Bytes::from_static(b"world")).await.unwrap();
    file.hsync().await.unwrap();
    file.close().await.unwrap();
    assert_eq!(
        storage.read(&path).await.unwrap(),
        Bytes::from_static(b"hello world")
    );
    // An empty file.
    let empty = format!("{base}/empty");
    storage.create(&empty).await.unwrap().close().await.unwrap();
    assert_eq!(storage.read(&empty).await.unwrap(), Bytes::new());
    // Reading a missing file.
    let error = storage.read(&format!("{base}/missing")).await.unwrap_err();
    assert_eq!(error.kind, StorageErrorKind::NotFound, "{error}");
}

async fn create_replaces(storage: &Arc<dyn Storage>, base: &str) {
    let path = format!("{base}/replaced");
    write_file(storage, &path, b"a longer first version").await;
    write_file(storage, &path, b"second").await;
    assert_eq!(
        storage.read(&path).await.unwrap(),
        Bytes::from_static(b"second")
    );
}

async fn rename_never_overwrites(storage: &Arc<dyn Storage>, base: &str) {
    let from = format!("{base}/+tmp/x_tmp.txt");
    let to = format!("{base}/committed/t+0+0+9.txt");
    write_file(storage, &from, b"new").await;
    write_file(storage, &to, b"old").await;
    let error = storage.rename(&from, &to).await.unwrap_err();
    assert_eq!(error.kind, StorageErrorKind::AlreadyExists, "{error}");
    assert_eq!(storage.read(&to).await.unwrap(), Bytes::from_static(b"old"));
    assert_eq!(
        storage.read(&from).await.unwrap(),
        Bytes::from_static(b"new")
    );

    let free = format!("{base}/committed/t+0+10+19.txt");
    storage.rename(&from, &free).await.unwrap();
    assert!(!storage.exists(&from).await.unwrap());
    assert_eq!(
        storage.read(&free).await.unwrap(),
        Bytes::from_static(b"new")
    );
}

async fn rename_of_a_missing_file(storage: &Arc<dyn Storage>, base: &str) {
    storage.mkdirs(&format!("{base}/committed")).await.unwrap();
    let error = storage
        .rename(
            &format!("{base}/+tmp/missing_tmp.txt"),
            &format!("{base}/committed/t+0+20+29.txt"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, StorageErrorKind::NotFound, "{error}");
    assert!(error.to_string().contains("missing_tmp.txt"), "{error}");
}

async fn list(storage: &Arc<dyn Storage>, base: &str) {
    let dir = format!("{base}/list");
    write_file(storage, &format!("{dir}/one.txt"), b"1").await;
    write_file(storage, &format!("{dir}/sub/two.txt"), b"22").await;
    write_file(storage, &format!("{dir}/sub/deeper/three.txt"), b"333").await;

    let flat = storage.list(&dir, false).await.unwrap();
    assert_eq!(
        flat,
        vec![
            FileStatus {
                path: format!("{dir}/one.txt"),
                is_dir: false,
                len: 1
            },
            FileStatus {
                path: format!("{dir}/sub"),
                is_dir: true,
                len: 0
            },
        ]
    );
    let deep = storage.list(&dir, true).await.unwrap();
    let mut paths: Vec<(String, u64)> = deep.into_iter().map(|s| (s.path, s.len)).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            (format!("{dir}/one.txt"), 1),
            (format!("{dir}/sub/deeper/three.txt"), 3),
            (format!("{dir}/sub/two.txt"), 2),
        ]
    );
    assert!(
        storage
            .list(&format!("{base}/no/such/dir"), true)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        storage
            .list(&format!("{base}/no/such/dir"), false)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn delete(storage: &Arc<dyn Storage>, base: &str) {
    let dir = format!("{base}/delete");
    write_file(storage, &format!("{dir}/f"), b"f").await;
    write_file(storage, &format!("{dir}/sub/g"), b"g").await;
    storage.delete(&format!("{dir}/f")).await.unwrap();
    assert!(!storage.exists(&format!("{dir}/f")).await.unwrap());
    storage.delete(&dir).await.unwrap();
    assert!(!storage.exists(&dir).await.unwrap());
    // Deleting what does not exist is not an error.
    storage.delete(&dir).await.unwrap();
}

async fn mkdirs_and_exists(storage: &Arc<dyn Storage>, base: &str) {
    let dir = format!("{base}/made/by/mkdirs");
    assert!(!storage.exists(&dir).await.unwrap());
    storage.mkdirs(&dir).await.unwrap();
    assert!(storage.exists(&dir).await.unwrap());
    // Idempotent.
    storage.mkdirs(&dir).await.unwrap();
    let listed = storage
        .list(&format!("{base}/made/by"), false)
        .await
        .unwrap();
    assert_eq!(
        listed,
        vec![FileStatus {
            path: dir.clone(),
            is_dir: true,
            len: 0
        }]
    );
}

async fn full_and_relative_paths(storage: &Arc<dyn Storage>, base: &str) {
    let path = format!("{base}/full/t+0+0+0.txt");
    write_file(storage, &path, b"x").await;
    let full = storage.full_path(&path);
    assert!(full.starts_with(storage.url()), "{full}");
    assert_eq!(storage.relative_path(&full), path);
    // Operations accept the full form read back from a write-ahead log.
    assert!(storage.exists(&full).await.unwrap());
    assert_eq!(storage.read(&full).await.unwrap(), Bytes::from_static(b"x"));
}

async fn lease_of_a_closed_file(storage: &Arc<dyn Storage>, base: &str) {
    let path = format!("{base}/lease");
    write_file(storage, &path, b"x").await;
    assert!(storage.recover_lease(&path).await.unwrap());
}

#[tokio::test]
async fn local_storage_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    let storage = open_storage(&url, &StorageOptions::default()).unwrap();
    assert_eq!(storage.url(), url);
    contract(storage, "contract").await;

    // A plain absolute path works the same.
    let storage = open_storage(
        &dir.path().display().to_string(),
        &StorageOptions::default(),
    )
    .unwrap();
    contract(storage, "plain").await;
}

#[tokio::test]
async fn local_storage_rejects_paths_outside_its_root() {
    let dir = tempfile::tempdir().unwrap();
    let storage = open_storage(
        &format!("file://{}", dir.path().display()),
        &StorageOptions::default(),
    )
    .unwrap();
    assert!(storage.exists("../escape").await.is_err());
    assert!(storage.exists("hdfs://namenode:8020/topics").await.is_err());
}

#[test]
fn object_stores_are_refused() {
    for url in [
        "s3a://bucket/topics",
        "abfs://c@a.dfs.core.windows.net/x",
        "gs://b/x",
    ] {
        let error = open_storage(url, &StorageOptions::default()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("hdfs://"), "{message}");
        assert!(message.contains("rename"), "{message}");
    }
    assert!(open_storage("relative/path", &StorageOptions::default()).is_err());
}

#[tokio::test]
async fn hdfs_storage_meets_the_contract() {
    let Ok(url) = std::env::var("HDFS_URL") else {
        println!(
            "SKIPPED hdfs_storage_meets_the_contract: set HDFS_URL (e.g. \
             hdfs://namenode:8020/tmp/connect-hdfs-test) to run it against a cluster"
        );
        return;
    };
    let options = StorageOptions {
        hadoop_conf_dir: std::env::var("HADOOP_CONF_DIR").ok(),
        kerberos: None,
    };
    let storage = open_storage(&url, &options).unwrap();
    let base = format!("contract-{}", std::process::id());
    contract(storage, &base).await;
}
