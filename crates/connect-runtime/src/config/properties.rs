//! Reading worker and connector files: Java `.properties`, and the JSON forms
//! `connect-standalone` accepts.

use std::path::Path;

use connect_api::config::ConfigMap;
use connect_api::error::ConfigError;
use serde_json::Value as Json;

use crate::worker::TargetState;

/// A connector as given in a file: its name, properties and initial state, from
/// [`parse_connector_file`].
///
/// ```
/// use connect_runtime::TargetState;
/// use connect_runtime::config::parse_connector_file;
///
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("local-file-source.json");
/// std::fs::write(&path, r#"{
///     "name": "local-file-source",
///     "config": {"connector.class": "FileStreamSource", "topic": "lines"},
///     "initial_state": "PAUSED"
/// }"#)?;
/// let file = parse_connector_file(&path)?;
/// assert_eq!(file.name, "local-file-source");
/// assert_eq!(file.config["name"], "local-file-source"); // added from the outer name
/// assert_eq!(file.initial_state, Some(TargetState::Paused));
/// // runtime.create_connector(file.config, file.initial_state) creates it as given.
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorFile {
    /// The connector's name.
    pub name: String,
    /// Its properties (including `name`).
    pub config: ConfigMap,
    /// `initial_state`, when the JSON form gave one.
    pub initial_state: Option<TargetState>,
}

/// Reads a Java properties file.
///
/// # Errors
///
/// A [`ConfigError`] naming the path when it cannot be read or parsed.
pub fn load_properties(path: &Path) -> Result<ConfigMap, ConfigError> {
    let file = std::fs::File::open(path).map_err(|e| {
        ConfigError::other(format!(
            "Could not read properties file {}: {e}",
            path.display()
        ))
    })?;
    let map = java_properties::read(std::io::BufReader::new(file)).map_err(|e| {
        ConfigError::other(format!(
            "Could not parse properties file {}: {e}",
            path.display()
        ))
    })?;
    Ok(map.into_iter().collect())
}

/// Reads a connector file as `connect-standalone` does: a `.json` file holds either a flat map of
/// strings with `name`, or `{"name": ..., "config": {...}, "initial_state": ...}`; any other file
/// is a properties file.
///
/// # Errors
///
/// A [`ConfigError`] naming the path and what is wrong with it.
pub fn parse_connector_file(path: &Path) -> Result<ConnectorFile, ConfigError> {
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    if !is_json {
        let config = load_properties(path)?;
        let name = config.get("name").cloned().ok_or_else(|| {
            ConfigError::other(format!(
                "Connector file {} has no 'name' property",
                path.display()
            ))
        })?;
        return Ok(ConnectorFile {
            name,
            config,
            initial_state: None,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::other(format!(
            "Could not read connector file {}: {e}",
            path.display()
        ))
    })?;
    parse_connector_json(&text)
        .map_err(|e| ConfigError::other(format!("Connector file {}: {e}", path.display())))
}

/// Parses the JSON form of a connector file.
fn parse_connector_json(text: &str) -> Result<ConnectorFile, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Json::Object(object) = json else {
        return Err("expected a JSON object".into());
    };
    if let Some(Json::Object(config)) = object.get("config") {
        let name = match object.get("name") {
            Some(Json::String(name)) => name.clone(),
            _ => return Err("expected a string 'name' beside 'config'".into()),
        };
        let mut config = string_map(config)?;
        config.entry("name".into()).or_insert_with(|| name.clone());
        let initial_state = match object.get("initial_state") {
            None | Some(Json::Null) => None,
            Some(Json::String(state)) => {
                Some(TargetState::from_initial_state(state).ok_or_else(|| {
                    format!("invalid initial_state '{state}': expected RUNNING, PAUSED or STOPPED")
                })?)
            }
            Some(other) => return Err(format!("invalid initial_state {other}")),
        };
        return Ok(ConnectorFile {
            name,
            config,
            initial_state,
        });
    }
    let config = string_map(&object)?;
    let name = config
        .get("name")
        .cloned()
        .ok_or_else(|| "the connector config has no 'name'".to_owned())?;
    Ok(ConnectorFile {
        name,
        config,
        initial_state: None,
    })
}

fn string_map(object: &serde_json::Map<String, Json>) -> Result<ConfigMap, String> {
    object
        .iter()
        .map(|(key, value)| match value {
            Json::String(s) => Ok((key.clone(), s.clone())),
            Json::Number(n) => Ok((key.clone(), n.to_string())),
            Json::Bool(b) => Ok((key.clone(), b.to_string())),
            other => Err(format!(
                "the value of '{key}' must be a string, not {other}"
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_json_forms() {
        let flat = parse_connector_json(
            r#"{"name":"a","connector.class":"FileStreamSource","tasks.max":1}"#,
        )
        .unwrap();
        assert_eq!(flat.name, "a");
        assert_eq!(flat.config["tasks.max"], "1");
        let nested = parse_connector_json(
            r#"{"name":"b","config":{"connector.class":"FileStreamSink"},"initial_state":"PAUSED"}"#,
        )
        .unwrap();
        assert_eq!(nested.config["name"], "b");
        assert_eq!(nested.initial_state, Some(TargetState::Paused));
        assert!(
            parse_connector_json(r#"{"connector.class":"x"}"#)
                .unwrap_err()
                .contains("no 'name'")
        );
        assert!(parse_connector_json("[1]").is_err());
    }

    #[test]
    fn reads_properties_with_java_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.properties");
        std::fs::write(&path, "# comment\nname=local-file-source\nconnector.class = FileStreamSource\nfile=/tmp/a\\\n  b.txt\n").unwrap();
        let file = parse_connector_file(&path).unwrap();
        assert_eq!(file.name, "local-file-source");
        assert_eq!(file.config["connector.class"], "FileStreamSource");
        assert_eq!(file.config["file"], "/tmp/ab.txt");
        let missing = parse_connector_file(&dir.path().join("nope.properties")).unwrap_err();
        assert!(missing.to_string().contains("nope.properties"), "{missing}");
    }
}
