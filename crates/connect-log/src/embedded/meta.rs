//! Metadata kept beside the segments: topics with their configs, consumer-group offsets, names.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::segment::sync_dir;
use super::{EmbeddedLogOptions, io_error};
use crate::{LogError, Result};

/// Kafka's limit on topic name length.
pub(super) const MAX_TOPIC_NAME: usize = 249;
/// Partition directories are `<topic>-<partition>`: keeping partitions below 100 000 keeps the
/// name within 255 bytes, as Kafka's 249-character topic limit assumes.
pub(super) const MAX_PARTITIONS: i32 = 100_000;

/// Checks a topic name as Kafka does (`Topic.validate`).
pub(super) fn validate_topic_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(LogError::Invalid(
            "topic name is illegal, it can't be empty".into(),
        ));
    }
    if name == "." || name == ".." {
        return Err(LogError::Invalid(
            "topic name cannot be \".\" or \"..\"".into(),
        ));
    }
    if name.len() > MAX_TOPIC_NAME {
        return Err(LogError::Invalid(format!(
            "topic name {name:?} is illegal, it can't be longer than {MAX_TOPIC_NAME} characters"
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(LogError::Invalid(format!(
            "topic name {name:?} is illegal, it contains a character other than ASCII \
             alphanumerics, '.', '_' and '-'"
        )));
    }
    Ok(())
}

/// What a topic's configs and the log's options resolve to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TopicSettings {
    /// Roll to a new segment beyond this many bytes.
    pub segment_bytes: u64,
    /// Delete old segments while the partition is larger than this.
    pub retention_bytes: Option<u64>,
    /// Delete segments whose records are all older than this.
    pub retention_ms: Option<i64>,
    /// Whether `cleanup.policy` includes `delete` (a compacted topic keeps everything).
    pub delete: bool,
}

impl TopicSettings {
    /// Resolves `segment.bytes`, `retention.bytes`, `retention.ms` and `cleanup.policy`,
    /// falling back on the log's options. Other configs are kept but have no effect.
    pub fn resolve(
        configs: &BTreeMap<String, String>,
        options: &EmbeddedLogOptions,
    ) -> Result<Self> {
        let int = |key: &str| -> Result<Option<i64>> {
            configs
                .get(key)
                .map(|v| {
                    v.trim().parse::<i64>().map_err(|_| {
                        LogError::Invalid(format!(
                            "invalid value {v:?} for topic config {key}: not an integer"
                        ))
                    })
                })
                .transpose()
        };
        let unlimited_or_positive = |key: &str, v: i64| -> Result<Option<u64>> {
            match v {
                -1 => Ok(None),
                v if v >= 0 => Ok(Some(v.unsigned_abs())),
                v => Err(LogError::Invalid(format!(
                    "invalid value {v} for topic config {key}: must be -1 (unlimited) or at least 0"
                ))),
            }
        };
        let segment_bytes = match int("segment.bytes")? {
            None => options.segment_bytes.max(1),
            Some(v) if v >= 1 => v.unsigned_abs(),
            Some(v) => {
                return Err(LogError::Invalid(format!(
                    "invalid value {v} for topic config segment.bytes: must be at least 1"
                )));
            }
        };
        let retention_bytes = match int("retention.bytes")? {
            None => options.retention_bytes,
            Some(v) => unlimited_or_positive("retention.bytes", v)?,
        };
        let retention_ms = match int("retention.ms")? {
            None => options.retention.map(duration_ms),
            Some(v) => unlimited_or_positive("retention.ms", v)?.map(|v| v as i64),
        };
        let delete = match configs.get("cleanup.policy") {
            None => true,
            Some(policy) => {
                let mut delete = false;
                for p in policy.split(',').map(str::trim) {
                    match p {
                        "delete" => delete = true,
                        "compact" => {}
                        other => {
                            return Err(LogError::Invalid(format!(
                                "invalid value {other:?} for topic config cleanup.policy: \
                                 expected delete, compact or both"
                            )));
                        }
                    }
                }
                delete
            }
        };
        Ok(TopicSettings {
            segment_bytes,
            retention_bytes,
            retention_ms,
            delete,
        })
    }
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A topic as stored in `topics/<topic>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct TopicMeta {
    /// The name.
    pub name: String,
    /// The number of partitions.
    pub partitions: i32,
    /// The configs it was created with.
    pub configs: BTreeMap<String, String>,
}

pub(super) fn topics_dir(root: &Path) -> PathBuf {
    root.join("topics")
}

pub(super) fn groups_dir(root: &Path) -> PathBuf {
    root.join("groups")
}

/// Writes a file atomically: a temporary file (`.write-*.tmp`) beside it, then a rename. With `sync`, the data
/// and the directory entry are synced too.
pub(super) fn write_atomic(path: &Path, data: &[u8], sync: bool) -> Result<()> {
    // A short name: `<topic>.json` may already use 254 of the 255 bytes a name may have.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".write-{}-{n}.tmp", std::process::id()));
    let mut file = File::create(&tmp).map_err(io_error(format!("creating {}", tmp.display())))?;
    file.write_all(data)
        .map_err(io_error(format!("writing {}", tmp.display())))?;
    if sync {
        file.sync_all()
            .map_err(io_error(format!("syncing {}", tmp.display())))?;
    }
    drop(file);
    fs::rename(&tmp, path).map_err(io_error(format!(
        "renaming {} to {}",
        tmp.display(),
        path.display()
    )))?;
    if sync && let Some(parent) = path.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Removes temporary files left by an interrupted [`write_atomic`] and lists the `.json` files.
pub(super) fn remove_tmp_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => {
            return Err(LogError::Io {
                context: format!("listing {}", dir.display()),
                source: e,
            });
        }
    };
    for entry in entries {
        let path = entry
            .map_err(io_error(format!("listing {}", dir.display())))?
            .path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => files.push(path),
            Some("tmp") => {
                fs::remove_file(&path).map_err(io_error(format!("removing {}", path.display())))?
            }
            _ => {}
        }
    }
    files.sort();
    Ok(files)
}

/// Loads every topic of `topics/`.
pub(super) fn load_topics(root: &Path) -> Result<Vec<TopicMeta>> {
    let mut topics = Vec::new();
    for path in remove_tmp_files(&topics_dir(root))? {
        let bytes = fs::read(&path).map_err(io_error(format!("reading {}", path.display())))?;
        let meta: TopicMeta = serde_json::from_slice(&bytes).map_err(|e| {
            LogError::Other(format!("invalid topic metadata {}: {e}", path.display()))
        })?;
        let expected = path.file_stem().and_then(|s| s.to_str());
        if expected != Some(meta.name.as_str()) || validate_topic_name(&meta.name).is_err() {
            return Err(LogError::Other(format!(
                "topic metadata {} names topic {:?}",
                path.display(),
                meta.name
            )));
        }
        if !(1..=MAX_PARTITIONS).contains(&meta.partitions) {
            return Err(LogError::Other(format!(
                "topic metadata {} has {} partitions",
                path.display(),
                meta.partitions
            )));
        }
        topics.push(meta);
    }
    Ok(topics)
}

/// Writes `topics/<topic>.json`.
pub(super) fn store_topic(root: &Path, meta: &TopicMeta, sync: bool) -> Result<()> {
    let path = topics_dir(root).join(format!("{}.json", meta.name));
    let bytes = serde_json::to_vec_pretty(meta)
        .map_err(|e| LogError::Other(format!("encoding topic metadata: {e}")))?;
    write_atomic(&path, &bytes, sync)
}

/// A consumer group's committed offsets as stored in `groups/<encoded group>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct GroupFile {
    /// The group's name, exactly.
    pub group: String,
    /// The offsets, sorted by topic and partition.
    pub offsets: Vec<GroupOffset>,
}

/// One committed offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct GroupOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// The file name of a group: bytes other than ASCII alphanumerics, `_` and `-` percent-encoded
/// (so `.` and `..` cannot occur); a long name keeps an encoded prefix and gets a hash of the
/// full name, as file names are limited to 255 bytes.
pub(super) fn group_file_name(group: &str) -> String {
    fn encode(b: u8, out: &mut String) {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    let mut encoded = String::with_capacity(group.len());
    for b in group.bytes() {
        encode(b, &mut encoded);
    }
    if encoded.len() <= 200 {
        return format!("group-{encoded}.json");
    }
    let mut prefix = String::with_capacity(160);
    for b in group.bytes() {
        let before = prefix.len();
        encode(b, &mut prefix);
        if prefix.len() > 150 {
            prefix.truncate(before);
            break;
        }
    }
    format!("group-{prefix}~{:016x}.json", fnv1a64(group.as_bytes()))
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Loads every group of `groups/`.
pub(super) fn load_groups(root: &Path) -> Result<Vec<GroupFile>> {
    let mut groups = Vec::new();
    for path in remove_tmp_files(&groups_dir(root))? {
        let bytes = fs::read(&path).map_err(io_error(format!("reading {}", path.display())))?;
        let group: GroupFile = serde_json::from_slice(&bytes).map_err(|e| {
            LogError::Other(format!(
                "invalid group offsets file {}: {e}",
                path.display()
            ))
        })?;
        groups.push(group);
    }
    Ok(groups)
}

/// Writes a group's offsets atomically.
pub(super) fn store_group(root: &Path, group: &GroupFile, sync: bool) -> Result<()> {
    let path = groups_dir(root).join(group_file_name(&group.group));
    if let Ok(bytes) = fs::read(&path)
        && let Ok(existing) = serde_json::from_slice::<GroupFile>(&bytes)
        && existing.group != group.group
    {
        return Err(LogError::Other(format!(
            "group offsets file {} already holds group {:?}, whose file name collides with {:?}",
            path.display(),
            existing.group,
            group.group
        )));
    }
    let bytes = serde_json::to_vec_pretty(group)
        .map_err(|e| LogError::Other(format!("encoding group offsets: {e}")))?;
    write_atomic(&path, &bytes, sync)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_follow_kafka_rules() {
        for ok in ["a", "connect-offsets", "A.b_c-9", &"x".repeat(249)] {
            validate_topic_name(ok).unwrap();
        }
        for bad in ["", ".", "..", "a b", "a/b", "é", "a:b", &"x".repeat(250)] {
            assert!(
                matches!(validate_topic_name(bad), Err(LogError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn group_file_names_are_safe_and_distinct() {
        let names = [
            "",
            ".",
            "..",
            "connect-sink",
            "a/b",
            "a%2Fb",
            "a b",
            "ünï",
            "a.b",
            "a\0b",
            &"x".repeat(300),
            &"x".repeat(301),
            &"/".repeat(300),
            &format!("{}/", "y".repeat(149)),
        ];
        let mut seen = std::collections::HashSet::new();
        for name in names {
            let file = group_file_name(name);
            assert!(file.len() <= 255, "{file}");
            assert!(
                file.starts_with("group-") && file.ends_with(".json"),
                "{file}"
            );
            let stem = &file["group-".len()..file.len() - ".json".len()];
            assert!(
                stem.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-%~".contains(&b)),
                "{file}"
            );
            assert!(seen.insert(file.clone()), "duplicate {file}");
        }
        assert_eq!(group_file_name("a/b"), "group-a%2Fb.json");
        assert_eq!(group_file_name("a%2Fb"), "group-a%252Fb.json");
    }

    #[test]
    fn topic_settings_resolve_overrides_and_reject_bad_values() {
        let options = EmbeddedLogOptions::default();
        let defaults = TopicSettings::resolve(&BTreeMap::new(), &options).unwrap();
        assert_eq!(defaults.segment_bytes, 64 << 20);
        assert_eq!(defaults.retention_ms, Some(7 * 24 * 3600 * 1000));
        assert_eq!(defaults.retention_bytes, None);
        assert!(defaults.delete);
        let configs: BTreeMap<String, String> = [
            ("segment.bytes", "1000"),
            ("retention.ms", "-1"),
            ("retention.bytes", "5000"),
            ("cleanup.policy", "compact"),
            ("min.insync.replicas", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let s = TopicSettings::resolve(&configs, &options).unwrap();
        assert_eq!(
            s,
            TopicSettings {
                segment_bytes: 1000,
                retention_bytes: Some(5000),
                retention_ms: None,
                delete: false
            }
        );
        for (k, v) in [
            ("segment.bytes", "0"),
            ("segment.bytes", "x"),
            ("retention.ms", "-2"),
            ("cleanup.policy", "remove"),
        ] {
            let configs = BTreeMap::from([(k.to_string(), v.to_string())]);
            assert!(matches!(
                TopicSettings::resolve(&configs, &options),
                Err(LogError::Invalid(_))
            ));
        }
        let both = BTreeMap::from([("cleanup.policy".to_string(), "compact, delete".to_string())]);
        assert!(TopicSettings::resolve(&both, &options).unwrap().delete);
    }
}
