//! Repository tasks. `cargo xtask docs` generates the reference documentation in
//! `docs/reference/` from the code; `cargo xtask docs --check` fails when the committed files
//! differ from what the code generates.
//!
//! * [`configuration`]: `configuration.md`, every configuration key of the worker, of connectors
//!   and of the built-in plugins;
//! * [`rest`]: `rest-api.md` and `openapi.json`, the REST API from its OpenAPI document.
//!
//! `cargo xtask bench` runs every benchmark of `connect-benches` and prints one table of the
//! results: see [`bench`](mod@bench).
//!
//! The binary and the test in `tests/` share this library, so the test checks exactly what the
//! command writes.

pub mod bench;
pub mod configuration;
pub mod markdown;
pub mod rest;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The command that regenerates the reference documentation.
pub const FIX_COMMAND: &str = "cargo xtask docs";

/// One generated file: where it goes, relative to the workspace root, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The path relative to the workspace root, with `/` separators.
    pub path: &'static str,
    /// The file's contents.
    pub contents: String,
}

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Every generated file, in memory.
///
/// # Errors
///
/// When a configuration definition is invalid, a plugin cannot be made, or the OpenAPI document
/// refers to something it does not define.
pub fn generate() -> Result<Vec<Generated>> {
    let openapi = connect_runtime::rest::openapi();
    Ok(vec![
        Generated {
            path: configuration::PATH,
            contents: configuration::generate()
                .context("generating the configuration reference")?,
        },
        Generated {
            path: rest::MARKDOWN_PATH,
            contents: rest::markdown(&openapi).context("generating the REST API reference")?,
        },
        Generated {
            path: rest::OPENAPI_PATH,
            contents: rest::openapi_json(&openapi)?,
        },
    ])
}

/// Writes every generated file under `root`, creating directories as needed; returns the files
/// written.
///
/// # Errors
///
/// When generating fails or a file cannot be written.
pub fn write(root: &Path) -> Result<Vec<Generated>> {
    let files = generate()?;
    for file in &files {
        let path = root.join(file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(files)
}

/// A committed file that differs from what the code generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The path relative to the workspace root.
    pub path: &'static str,
    /// Where and how it differs first.
    pub difference: Difference,
}

/// The first difference between a committed file and the generated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The file does not exist.
    Missing,
    /// Line `line` (1-based) differs; `None` where one file has ended.
    Line {
        /// The line number, from 1.
        line: usize,
        /// The committed line.
        committed: Option<String>,
        /// The generated line.
        generated: Option<String>,
    },
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.difference {
            Difference::Missing => write!(f, "{} is missing", self.path),
            Difference::Line {
                line,
                committed,
                generated,
            } => {
                let show = |text: &Option<String>| match text {
                    Some(text) => format!("{text:?}"),
                    None => "(end of file)".to_owned(),
                };
                write!(
                    f,
                    "{} is stale: line {line} is {} but the code generates {}",
                    self.path,
                    show(committed),
                    show(generated)
                )
            }
        }
    }
}

/// The first line where `committed` and `generated` differ, if any. Line endings do not count,
/// so a checkout with CRLF line endings is not stale.
pub fn first_difference(committed: &str, generated: &str) -> Option<Difference> {
    let committed = committed.replace("\r\n", "\n");
    let mut old = committed.split('\n');
    let mut new = generated.split('\n');
    let mut line = 0;
    loop {
        line += 1;
        match (old.next(), new.next()) {
            (None, None) => return None,
            (a, b) if a == b => {}
            (a, b) => {
                return Some(Difference::Line {
                    line,
                    committed: a.map(str::to_owned),
                    generated: b.map(str::to_owned),
                });
            }
        }
    }
}

/// The generated files whose committed copy under `root` is missing or differs.
///
/// # Errors
///
/// When generating fails, or a committed file exists but cannot be read.
pub fn check(root: &Path) -> Result<Vec<Stale>> {
    let mut stale = Vec::new();
    for file in generate()? {
        let path = root.join(file.path);
        let difference = match std::fs::read_to_string(&path) {
            Ok(committed) => first_difference(&committed, &file.contents),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Some(Difference::Missing),
            Err(error) => {
                return Err(error).with_context(|| format!("reading {}", path.display()));
            }
        };
        if let Some(difference) = difference {
            stale.push(Stale {
                path: file.path,
                difference,
            });
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_names_the_line() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(first_difference("a\r\nb\r\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\n", "a\nc\n"),
            Some(Difference::Line {
                line: 2,
                committed: Some("b".into()),
                generated: Some("c".into()),
            })
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n"),
            Some(Difference::Line {
                line: 2,
                committed: Some(String::new()),
                generated: Some("b".into()),
            })
        );
        assert_eq!(
            first_difference("a", "a\n"),
            Some(Difference::Line {
                line: 2,
                committed: None,
                generated: Some(String::new()),
            })
        );
    }

    #[test]
    fn every_bundled_plugin_kind_is_documented() {
        let files = generate().unwrap();
        let configuration = &files[0].contents;
        for expected in [
            "## Worker configuration",
            "### Common to all connectors",
            "### FileStreamSourceConnector",
            "### HdfsSinkConnector",
            "### AvroConverter",
            "### SimpleHeaderConverter",
            "### Cast",
            "`org.apache.kafka.connect.transforms.Cast$Value`",
            "### TopicNameMatches",
            "#### `schema.registry.url`",
            "#### `transforms.<alias>.type`",
        ] {
            assert!(configuration.contains(expected), "{expected}");
        }
        let rest = &files[1].contents;
        for expected in [
            "### `POST /connectors`",
            "### `PUT /connector-plugins/{plugin}/config/validate`",
            "### ConnectorInfo",
        ] {
            assert!(rest.contains(expected), "{expected}");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate().unwrap(), generate().unwrap());
    }
}
