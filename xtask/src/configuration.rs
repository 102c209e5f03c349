//! `docs/reference/configuration.md`: every configuration key of the worker, of connectors and of
//! the built-in plugins, from their `ConfigDef`s, laid out like Kafka's generated configuration
//! documentation (`ConfigDef.toHtml`).

use anyhow::{Context, Result};
use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, ConfigValue};
use connect_runtime::config::{ConnectorConfig, ConnectorType, WorkerConfig};
use connect_runtime::plugins::{ConnectorFactory, PluginDesc, PluginKind, Plugins};

use crate::markdown::{Doc, code, text};

/// Where the document is written, relative to the workspace root.
pub const PATH: &str = "docs/reference/configuration.md";

/// Stands for a transform's or predicate's alias in key names.
const ALIAS: &str = "<alias>";

/// One kind of plugin, as a section of the document.
struct Section {
    kind: PluginKind,
    title: &'static str,
    intro: &'static str,
}

const SECTIONS: [Section; 6] = [
    Section {
        kind: PluginKind::Source,
        title: "Source connectors",
        intro: "`connector.class` takes the class name or one of the aliases. A source connector's \
                keys are written in its configuration next to the keys of the \
                [connector configuration](#@connector) and its [source-only keys](#@source-only).",
    },
    Section {
        kind: PluginKind::Sink,
        title: "Sink connectors",
        intro: "`connector.class` takes the class name or one of the aliases. A sink connector's \
                keys are written in its configuration next to the keys of the \
                [connector configuration](#@connector) and its [sink-only keys](#@sink-only).",
    },
    Section {
        kind: PluginKind::Converter,
        title: "Converters",
        intro: "`key.converter` and `value.converter` take the class name or one of the aliases, \
                in the [worker configuration](#@worker) or in a \
                [connector's configuration](#@common), which overrides the worker's. A converter's \
                keys are written after the key that names it, for example \
                `value.converter.schemas.enable=false`. `converter.type` is set by the runtime \
                (`key` or `value`) and is not written by users.",
    },
    Section {
        kind: PluginKind::HeaderConverter,
        title: "Header converters",
        intro: "`header.converter` takes the class name or one of the aliases, in the \
                [worker configuration](#@worker) or in a [connector's configuration](#@common). A \
                header converter's keys are written after `header.converter.`, for example \
                `header.converter.schemas.enable=false`. `converter.type` defaults to `header`.",
    },
    Section {
        kind: PluginKind::Transformation,
        title: "Transformations",
        intro: "A connector applies the transforms whose aliases `transforms` lists, in order. \
                The keys below are shown as they are written after `transforms.<alias>.`: for \
                `transforms=mask`, `transforms.mask.type` names the class (or an alias) and \
                `transforms.mask.fields` is the `fields` key of the transform. Every transform \
                also takes `transforms.<alias>.predicate` and `transforms.<alias>.negate` (see \
                [per transform and predicate alias](#@per-alias)).",
    },
    Section {
        kind: PluginKind::Predicate,
        title: "Transformation predicates",
        intro: "A transform applies only to the records its predicate matches \
                (`transforms.<alias>.predicate` names a predicate alias listed in `predicates`). \
                The keys below are shown as they are written after `predicates.<alias>.`: for \
                `predicates=tombstones`, `predicates.tombstones.type` names the class (or an \
                alias).",
    },
];

/// A plugin with its configuration definition.
struct PluginDoc {
    desc: PluginDesc,
    aliases: Vec<String>,
    def: ConfigDef,
}

/// One entry of a section: a plugin, or the `$Key` and `$Value` variants of a transformation
/// when they take the same keys (Kafka's documentation lists them together too).
struct Entry {
    title: String,
    link_key: String,
    members: Vec<PluginDoc>,
    /// The entry of another section whose keys are the same (a converter that is also a header
    /// converter), as its title and link key.
    same_as: Option<(String, String)>,
}

impl Entry {
    fn def(&self) -> &ConfigDef {
        // An entry has at least one member.
        &self.members[0].def
    }

    fn classes(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.desc.class.as_str()).collect()
    }
}

/// The document.
///
/// # Errors
///
/// When a definition is itself invalid (see `ConfigDef::check`), or a plugin cannot be made.
pub fn generate() -> Result<String> {
    let plugins = Plugins::builtin();
    let mut sections: Vec<(&Section, Vec<Entry>)> = Vec::with_capacity(SECTIONS.len());
    for section in &SECTIONS {
        let plugins = plugins_of_kind(&plugins, section.kind)?;
        for plugin in &plugins {
            check(&plugin.def, &plugin.desc.class)?;
        }
        sections.push((section, entries(section.kind, plugins)));
    }
    link_same_keys(&mut sections);

    let mut doc = Doc::new();
    doc.heading(1, "Configuration reference", None)?;
    doc.paragraph(
        "<!-- Generated by `cargo xtask docs` from the configuration definitions in the code; \
         do not edit by hand. `cargo xtask docs --check` fails when this file is out of date. -->",
    );
    doc.paragraph(
        "Every configuration key of the worker, of connectors, and of the plugins built into \
         `connect-runtime` (`Plugins::builtin()` with the default features `hdfs` and \
         `schema-registry`), generated from the same definitions the runtime parses and \
         validates configurations with. The REST API serves the same definitions: `GET \
         /connector-plugins/{plugin}/config` lists a plugin's keys and `PUT \
         /connector-plugins/{plugin}/config/validate` checks a connector configuration.",
    );
    doc.paragraph("Each key lists:");
    for line in [
        "- **Type**: how the value is read: `boolean`, `string`, `int`, `short`, `long`, \
         `double`, `list` (comma-separated), `class` (a class name or alias) or `password` (a \
         string shown as `[hidden]` by the REST API and in logs).",
        "- **Default**: the value used when the key is not set, written as in a properties \
         file: lists comma-separated, `\"\"` for an empty string, `null` for no value. \
         *required* keys have no default and must be set. Defaults of keys ending in `.ms` or \
         `.bytes` are followed by the duration or size they stand for.",
        "- **Valid values**: what the key's validator accepts, as Kafka's documentation prints \
         it (`[1,...]` is 1 or more, `[a, b]` one of the strings). Left out when every value of \
         the type is accepted.",
        "- **Importance**: high, medium or low.",
        "- **Group**: the group the key is shown in by the REST API's validation, where it has \
         one.",
    ] {
        doc.line(line);
    }
    doc.paragraph(
        "Within each definition the keys are in the order of Kafka's generated configuration \
         documentation (`ConfigDef.sortedConfigs`): keys without a group first, then group by \
         group in the order the groups are defined; within a group by declared position, \
         required keys before keys with a default, then by importance (high first) and by \
         name. Internal keys, which the runtime sets, are left out. Plugins of a kind are \
         listed by simple class name; the `$Key` and `$Value` classes of a transformation \
         share an entry when they take the same keys, and a header converter that takes the \
         same keys as the converter of the same class refers to it.",
    );

    doc.heading(2, "Contents", None)?;
    doc.line(&format!(
        "- {}: {}, {}",
        Doc::link("Worker configuration", "worker"),
        Doc::link("standalone worker", "standalone"),
        Doc::link("distributed worker only", "distributed"),
    ));
    doc.line(&format!(
        "- {}: {}, {}, {}, {}",
        Doc::link("Connector configuration", "connector"),
        Doc::link("common to all connectors", "common"),
        Doc::link("source connectors only", "source-only"),
        Doc::link("sink connectors only", "sink-only"),
        Doc::link("per transform and predicate alias", "per-alias"),
    ));
    for (section, plugins) in &sections {
        let links: Vec<String> = plugins
            .iter()
            .map(|entry| Doc::link(&text(&entry.title), &entry.link_key))
            .collect();
        doc.line(&format!(
            "- {}: {}",
            Doc::link(section.title, section.kind.name()),
            links.join(", ")
        ));
    }

    write_worker(&mut doc)?;
    write_connector(&mut doc)?;
    for (section, plugins) in &sections {
        write_section(&mut doc, section, plugins)?;
    }
    doc.finish()
}

/// The worker's keys: all those of a standalone worker, then those a distributed worker has
/// besides or defines differently.
fn write_worker(doc: &mut Doc) -> Result<()> {
    let standalone = WorkerConfig::standalone_def();
    let distributed = WorkerConfig::distributed_def();
    check(&standalone, "the standalone worker configuration")?;
    check(&distributed, "the distributed worker configuration")?;
    doc.heading(2, "Worker configuration", Some("worker"))?;
    doc.paragraph(&resolve_links(
        "The worker's properties file (the first argument of `connect-standalone`), or the map \
         given to `WorkerConfig::standalone` or `WorkerConfig::distributed`. The converters it \
         names are configured by the keys after their prefix, for example \
         `key.converter.schemas.enable` (see [converters](#@converter)).",
    ));

    doc.heading(3, "Standalone worker", Some("standalone"))?;
    doc.paragraph(
        "The keys of a standalone worker (definition: `WorkerConfig::standalone_def()`).",
    );
    write_keys(doc, 4, &visible_keys(&standalone, |_| true));

    doc.heading(3, "Distributed worker only", Some("distributed"))?;
    let differ = |name: &str| match (standalone.key(name), distributed.key(name)) {
        (Some(a), Some(b)) => key_fingerprint(a) != key_fingerprint(b),
        _ => true,
    };
    doc.paragraph(&resolve_links(&format!(
        "A distributed worker (definition: `WorkerConfig::distributed_def()`) takes the keys of \
         a [standalone worker](#@standalone) except {}, and those below: the keys of the worker \
         group and of its internal topics, and the keys it defines differently from a \
         standalone worker ({}).",
        names(
            standalone
                .names()
                .filter(|name| !distributed.contains(name))
        ),
        names(
            standalone
                .names()
                .filter(|name| distributed.contains(name) && differ(name))
        ),
    )));
    write_keys(doc, 4, &visible_keys(&distributed, differ));
    Ok(())
}

/// The keys every connector takes, those of one kind, and the per-alias keys.
fn write_connector(doc: &mut Doc) -> Result<()> {
    let common = ConnectorConfig::common_def();
    let source = ConnectorConfig::def(ConnectorType::Source, &ConfigMap::new());
    let sink = ConnectorConfig::def(ConnectorType::Sink, &ConfigMap::new());
    let with_aliases = ConfigMap::from([
        ("transforms".to_owned(), ALIAS.to_owned()),
        ("predicates".to_owned(), ALIAS.to_owned()),
    ]);
    let per_alias = ConnectorConfig::def(ConnectorType::Sink, &with_aliases);
    for (def, what) in [
        (&common, "the common connector configuration"),
        (&source, "the source connector configuration"),
        (&sink, "the sink connector configuration"),
        (&per_alias, "the per-alias connector configuration"),
    ] {
        check(def, what)?;
    }

    doc.heading(2, "Connector configuration", Some("connector"))?;
    doc.paragraph(&resolve_links(
        "A connector's configuration: a connector properties or JSON file given to \
         `connect-standalone`, the `config` of `POST /connectors` and `PUT \
         /connectors/{name}/config`, or the map given to `Runtime::create_connector` \
         (definitions: `ConnectorConfig::common_def()` and `ConnectorConfig::def`). Besides \
         these keys a connector takes its own (see [source connectors](#@source) and \
         [sink connectors](#@sink)), and each of its transforms and predicates takes its own \
         under its alias (see [transformations](#@transformation) and \
         [predicates](#@predicate)).",
    ));

    doc.heading(3, "Common to all connectors", Some("common"))?;
    write_keys(doc, 4, &visible_keys(&common, |_| true));

    doc.heading(3, "Source connectors only", Some("source-only"))?;
    write_keys(
        doc,
        4,
        &visible_keys(&source, |name| !common.contains(name)),
    );

    doc.heading(3, "Sink connectors only", Some("sink-only"))?;
    write_keys(doc, 4, &visible_keys(&sink, |name| !common.contains(name)));

    doc.heading(3, "Per transform and predicate alias", Some("per-alias"))?;
    doc.paragraph(&resolve_links(
        "For each alias listed in `transforms` and in `predicates`; `<alias>` stands for the \
         alias. A transformation's and a predicate's own keys follow the same prefix (see \
         [transformations](#@transformation) and [predicates](#@predicate)).",
    ));
    write_keys(
        doc,
        4,
        &visible_keys(&per_alias, |name| !sink.contains(name)),
    );
    Ok(())
}

/// The plugins of one kind.
fn write_section(doc: &mut Doc, section: &Section, entries: &[Entry]) -> Result<()> {
    doc.heading(2, section.title, Some(section.kind.name()))?;
    doc.paragraph(&resolve_links(section.intro));
    for entry in entries {
        doc.heading(3, &text(&entry.title), Some(&entry.link_key))?;
        if let [only] = entry.members.as_slice() {
            doc.line(&format!("- Class: {}", code(&only.desc.class)));
            if !only.aliases.is_empty() {
                let aliases: Vec<String> = only.aliases.iter().map(|a| code(a)).collect();
                let label = if aliases.len() == 1 {
                    "Alias"
                } else {
                    "Aliases"
                };
                doc.line(&format!("- {label}: {}", aliases.join(", ")));
            }
        } else {
            for member in &entry.members {
                let aliases: Vec<String> = member.aliases.iter().map(|a| code(a)).collect();
                let aliases = match aliases.len() {
                    0 => String::new(),
                    1 => format!(", alias {}", aliases.join(", ")),
                    _ => format!(", aliases {}", aliases.join(", ")),
                };
                doc.line(&format!("- Class: {}{aliases}", code(&member.desc.class)));
            }
            let names: Vec<&str> = entry.members.iter().map(|m| m.desc.simple_name()).collect();
            let key_and_value = [
                format!("{}$Key", entry.title),
                format!("{}$Value", entry.title),
            ];
            if names == key_and_value {
                doc.paragraph(&format!(
                    "{} applies to record keys and {} to record values; both take these keys.",
                    code(names[0]),
                    code(names[1])
                ));
            } else {
                doc.paragraph("These classes take the same keys.");
            }
        }
        if let Some((title, key)) = &entry.same_as {
            doc.paragraph(&format!(
                "The same keys as the {}: see {}.",
                match section.kind {
                    PluginKind::HeaderConverter => "converter",
                    _ => "plugin",
                },
                Doc::link(&text(title), key)
            ));
            continue;
        }
        let keys = visible_keys(entry.def(), |_| true);
        write_keys(doc, 4, &keys);
    }
    Ok(())
}

/// The entries of one section: one per plugin, except that classes named `<Name>$<Variant>`
/// whose keys are the same share an entry titled `<Name>`.
fn entries(kind: PluginKind, plugins: Vec<PluginDoc>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for plugin in plugins {
        let simple = plugin.desc.simple_name().to_owned();
        if let Some((base, _variant)) = simple.split_once('$')
            && let Some(last) = entries.last_mut()
            && last.title == base
            && last
                .members
                .iter()
                .all(|m| m.desc.simple_name().contains('$'))
            && fingerprint(last.def()) == fingerprint(&plugin.def)
        {
            last.members.push(plugin);
            continue;
        }
        let base = simple
            .split_once('$')
            .map_or(simple.as_str(), |(base, _)| base);
        entries.push(Entry {
            title: base.to_owned(),
            link_key: format!("{}:{}", kind.name(), plugin.desc.class),
            members: vec![plugin],
            same_as: None,
        });
    }
    // A `$Variant` class alone keeps its full simple name.
    for entry in &mut entries {
        if let [only] = entry.members.as_slice() {
            entry.title = only.desc.simple_name().to_owned();
        }
    }
    entries
}

/// Points each header converter entry whose classes and keys are those of a converter entry
/// at that entry.
fn link_same_keys(sections: &mut [(&Section, Vec<Entry>)]) {
    let converters: Vec<(Vec<String>, String, String, String)> = sections
        .iter()
        .filter(|(section, _)| section.kind == PluginKind::Converter)
        .flat_map(|(_, entries)| entries)
        .map(|entry| {
            (
                entry.classes().into_iter().map(str::to_owned).collect(),
                fingerprint(entry.def()),
                entry.title.clone(),
                entry.link_key.clone(),
            )
        })
        .collect();
    for (section, entries) in sections.iter_mut() {
        if section.kind != PluginKind::HeaderConverter {
            continue;
        }
        for entry in entries.iter_mut() {
            let classes = entry.classes();
            let fingerprint = fingerprint(entry.def());
            entry.same_as = converters
                .iter()
                .find(|(c, f, _, _)| *c == classes && *f == fingerprint)
                .map(|(_, _, title, key)| (title.clone(), key.clone()));
        }
    }
}

/// Key names as code, comma-separated.
fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(code).collect::<Vec<_>>().join(", ")
}

/// What the document shows of a definition, to tell whether two plugins take the same keys.
fn fingerprint(def: &ConfigDef) -> String {
    visible_keys(def, |_| true)
        .into_iter()
        .map(key_fingerprint)
        .collect()
}

/// What the document shows of a key.
fn key_fingerprint(key: &ConfigKey) -> String {
    format!(
        "{}|{}|{}|{:?}|{}|{:?}|{:?}|{:?}\n",
        key.name(),
        key.type_(),
        default_text(key),
        key.validator().map(ToString::to_string),
        key.importance(),
        key.group(),
        key.documentation(),
        key.dependents(),
    )
}

/// Turns the `#@key` link targets of the hand-written section texts into document links.
fn resolve_links(intro: &str) -> String {
    let mut out = String::with_capacity(intro.len());
    let mut rest = intro;
    while let Some(start) = rest.find("](#@") {
        let Some(label_start) = rest[..start].rfind('[') else {
            break;
        };
        out.push_str(&rest[..label_start]);
        let label = &rest[label_start + 1..start];
        let after = &rest[start + "](#@".len()..];
        let end = after.find(')').unwrap_or(after.len());
        out.push_str(&Doc::link(label, &after[..end]));
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Fails on a definition with mistakes: the document would print them as if they were fine.
fn check(def: &ConfigDef, what: &str) -> Result<()> {
    def.check()
        .with_context(|| format!("the definition of {what} is invalid"))
}

/// The keys users write, in documentation order, among those `filter` accepts.
fn visible_keys(def: &ConfigDef, filter: impl Fn(&str) -> bool) -> Vec<&ConfigKey> {
    def.sorted_keys()
        .into_iter()
        .filter(|key| !key.internal() && filter(key.name()))
        .collect()
}

/// The registered plugins of `kind` with their definitions, by simple name then class name.
fn plugins_of_kind(plugins: &Plugins, kind: PluginKind) -> Result<Vec<PluginDoc>> {
    let mut descs: Vec<&PluginDesc> = plugins.descriptions().filter(|d| d.kind == kind).collect();
    descs.sort_by(|a, b| {
        a.simple_name()
            .cmp(b.simple_name())
            .then_with(|| a.class.cmp(&b.class))
    });
    descs
        .into_iter()
        .map(|desc| {
            let def = plugin_def(plugins, desc)
                .with_context(|| format!("cannot make the plugin {}", desc.class))?;
            Ok(PluginDoc {
                desc: desc.clone(),
                aliases: aliases(plugins, desc),
                def,
            })
        })
        .collect()
}

/// The configuration definition of a registered plugin, as `GET
/// /connector-plugins/{plugin}/config` answers it.
fn plugin_def(plugins: &Plugins, desc: &PluginDesc) -> Result<ConfigDef> {
    let class = desc.class.as_str();
    Ok(match desc.kind {
        PluginKind::Source | PluginKind::Sink => match plugins.connector(class)?.1 {
            ConnectorFactory::Source(make) => make().config(),
            ConnectorFactory::Sink(make) => make().config(),
        },
        PluginKind::Converter => plugins.converter(class)?.config(),
        PluginKind::HeaderConverter => plugins.header_converter(class)?.config(),
        PluginKind::Transformation => plugins.source_transform(class)?.config(),
        PluginKind::Predicate => plugins.source_predicate(class)?.config(),
    })
}

/// The short names that resolve to `desc` (its simple name, and that name without the kind's
/// suffix): those `desc` matches and no plugin registered before it, of a kind looked up
/// together with it, matches.
fn aliases(plugins: &Plugins, desc: &PluginDesc) -> Vec<String> {
    let together: &[PluginKind] = match desc.kind {
        PluginKind::Source | PluginKind::Sink => &[PluginKind::Source, PluginKind::Sink],
        PluginKind::Converter => &[PluginKind::Converter],
        PluginKind::HeaderConverter => &[PluginKind::HeaderConverter],
        PluginKind::Transformation => &[PluginKind::Transformation],
        PluginKind::Predicate => &[PluginKind::Predicate],
    };
    let simple = desc.simple_name();
    let mut candidates = vec![simple.to_owned()];
    for suffix in [
        "Connector",
        "HeaderConverter",
        "Converter",
        "Transformation",
        "Predicate",
    ] {
        if let Some(pruned) = simple.strip_suffix(suffix)
            && !pruned.is_empty()
            && desc.matches(pruned)
            && !candidates.iter().any(|c| c == pruned)
        {
            candidates.push(pruned.to_owned());
        }
    }
    candidates
        .into_iter()
        .filter(|alias| *alias != desc.class && desc.matches(alias))
        .filter(|alias| {
            let resolved = plugins
                .descriptions()
                .filter(|d| together.contains(&d.kind))
                .find(|d| d.class == *alias)
                .or_else(|| {
                    plugins
                        .descriptions()
                        .filter(|d| together.contains(&d.kind))
                        .find(|d| d.matches(alias))
                });
            resolved.is_some_and(|d| d.class == desc.class && d.kind == desc.kind)
        })
        .collect()
}

/// One entry per key: its name as a heading, its documentation, and its properties.
fn write_keys(doc: &mut Doc, level: usize, keys: &[&ConfigKey]) {
    if keys.is_empty() {
        doc.paragraph("No configuration keys.");
        return;
    }
    for key in keys {
        // Headings are never registered under a key here, so this cannot fail.
        let _ = doc.heading(level, &code(key.name()), None);
        if let Some(documentation) = key.documentation().filter(|d| !d.trim().is_empty()) {
            doc.paragraph(&text(documentation));
        }
        doc.line(&format!("- Type: {}", key.type_().name().to_lowercase()));
        doc.line(&format!("- Default: {}", default_text(key)));
        if let Some(validator) = key.validator() {
            let valid = validator.to_string();
            if !valid.trim().is_empty() {
                doc.line(&format!("- Valid values: {}", text(&valid)));
            }
        }
        doc.line(&format!(
            "- Importance: {}",
            key.importance().name().to_lowercase()
        ));
        if let Some(group) = key.group() {
            doc.line(&format!("- Group: {}", text(group)));
        }
        if !key.dependents().is_empty() {
            let dependents: Vec<String> = key.dependents().iter().map(|d| code(d)).collect();
            doc.line(&format!("- Dependents: {}", dependents.join(", ")));
        }
    }
}

/// The default as a user writes it in a properties file (Kafka's documentation: `""` for an
/// empty string, `null` for a null default), with the duration or size of `.ms` and `.bytes`
/// keys.
fn default_text(key: &ConfigKey) -> String {
    if key.is_required() {
        return "*required*".to_owned();
    }
    let Some(value) = key.default_value() else {
        return code("null");
    };
    let written = match value {
        // A default is no secret; an empty one is worth showing as such.
        ConfigValue::Password(password) if password.value().is_empty() => String::new(),
        value => value.to_string(),
    };
    if written.is_empty() {
        return code("\"\"");
    }
    let integer = match value {
        ConfigValue::Int(n) => Some(i64::from(*n)),
        ConfigValue::Short(n) => Some(i64::from(*n)),
        ConfigValue::Long(n) => Some(*n),
        _ => None,
    };
    let suffix = match integer {
        Some(n) if key.name().ends_with(".ms") => nice_time_units(n),
        Some(n) if key.name().ends_with(".bytes") => nice_memory_units(n),
        _ => String::new(),
    };
    format!("{}{suffix}", code(&written))
}

/// Kafka's `ConfigDef.niceTimeUnits`: ` (1 minute)` for 60000, nothing for a value that is not
/// a whole number of seconds.
fn nice_time_units(millis: i64) -> String {
    let divisors = [1000, 60, 60, 24];
    let units = ["second", "minute", "hour", "day"];
    let mut value = millis;
    let mut i = 0;
    while value != 0 && i < divisors.len() && value % divisors[i] == 0 {
        value /= divisors[i];
        i += 1;
    }
    if i == 0 {
        return String::new();
    }
    let plural = if value > 1 { "s" } else { "" };
    format!(" ({value} {}{plural})", units[i - 1])
}

/// Kafka's `ConfigDef.niceMemoryUnits`: ` (32 mebibytes)` for 33554432, nothing for a value
/// that is not a whole number of kibibytes.
fn nice_memory_units(bytes: i64) -> String {
    let units = ["kibibyte", "mebibyte", "gibibyte", "tebibyte"];
    let mut value = bytes;
    let mut i = 0;
    while value != 0 && i < units.len() && value % 1024 == 0 {
        value /= 1024;
        i += 1;
    }
    if i == 0 {
        return String::new();
    }
    let plural = if value == 1 { "" } else { "s" };
    format!(" ({value} {}{plural})", units[i - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_kafka() {
        assert_eq!(nice_time_units(60_000), " (1 minute)");
        assert_eq!(nice_time_units(604_800_000), " (7 days)");
        assert_eq!(nice_time_units(5000), " (5 seconds)");
        assert_eq!(nice_time_units(1500), "");
        assert_eq!(nice_time_units(0), "");
        assert_eq!(nice_time_units(-1), "");
        assert_eq!(nice_memory_units(33_554_432), " (32 mebibytes)");
        assert_eq!(nice_memory_units(1024), " (1 kibibyte)");
        assert_eq!(nice_memory_units(-1), "");
    }

    #[test]
    fn defaults_are_written_as_in_a_properties_file() {
        let def = ConfigDef::new()
            .define(ConfigKey::list("a").default_value("x,y"))
            .define(ConfigKey::string("b").default_value(""))
            .define(ConfigKey::string("c").default_null())
            .define(ConfigKey::string("d"))
            .define(ConfigKey::long("e.ms").default_value(60_000i64))
            .define(ConfigKey::password("f").default_value(""));
        let shown: Vec<String> = def.keys().map(default_text).collect();
        assert_eq!(
            shown,
            [
                "`x,y`",
                "`\"\"`",
                "`null`",
                "*required*",
                "`60000` (1 minute)",
                "`\"\"`"
            ]
        );
    }

    #[test]
    fn section_links_resolve_to_document_links() {
        assert_eq!(
            resolve_links("see [the worker](#@worker) and [x](#@y)."),
            format!(
                "see {} and {}.",
                Doc::link("the worker", "worker"),
                Doc::link("x", "y")
            )
        );
    }

    #[test]
    fn aliases_are_the_short_names_that_resolve() {
        let plugins = Plugins::builtin();
        let find = |kind: PluginKind, class: &str| {
            let desc = plugins
                .descriptions()
                .find(|d| d.kind == kind && d.class == class)
                .unwrap();
            aliases(&plugins, desc)
        };
        assert_eq!(
            find(
                PluginKind::Source,
                "org.apache.kafka.connect.file.FileStreamSourceConnector"
            ),
            ["FileStreamSourceConnector", "FileStreamSource"]
        );
        assert_eq!(
            find(
                PluginKind::Converter,
                "org.apache.kafka.connect.json.JsonConverter"
            ),
            ["JsonConverter", "Json"]
        );
        assert_eq!(
            find(
                PluginKind::HeaderConverter,
                "org.apache.kafka.connect.storage.SimpleHeaderConverter"
            ),
            ["SimpleHeaderConverter", "Simple"]
        );
        assert_eq!(
            find(
                PluginKind::Transformation,
                "org.apache.kafka.connect.transforms.Cast$Key"
            ),
            ["Cast$Key"]
        );
    }
}
