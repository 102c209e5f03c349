//! `cargo xtask bench`: runs every benchmark of `connect-benches` and prints one table.
//!
//! Each bench prints its own human-readable report, which is passed through to stderr, and one
//! `BENCH-RESULT {json}` line per workload (`connect_benches::BenchResult::print`), which is
//! collected. A workload a bench could not measure (no broker, say) is announced with a
//! `BENCH-SKIPPED {"group", "workload", "reason"}` line. At the end one markdown table of every
//! row goes to stdout, with the machine and the date.
//!
//! Nothing is started here: the benches that need the test broker start it themselves through
//! `connect-testkit` (`NISSHI_BIN`).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The package whose bench targets are run.
pub const PACKAGE: &str = "connect-benches";

/// The order in which benches run and groups are listed; others follow, by name.
const BENCH_ORDER: &[&str] = &[
    "pipeline",
    "json_converter",
    "avro_converter",
    "hdfs_sink",
    "transforms",
    "resources",
    "scaling",
];
const GROUP_ORDER: &[&str] = &[
    "pipeline",
    "converters",
    "hdfs sink",
    "transforms",
    "resources",
    "scaling",
];

/// The size knobs `--quick` sets, for a smoke run in about a minute. `BENCH_QUICK=1` is set too,
/// for benches that choose their own small sizes.
pub const QUICK_ENV: &[(&str, &str)] = &[
    ("BENCH_QUICK", "1"),
    ("PIPELINE_LINES", "20000"),
    ("PIPELINE_RUNS", "1"),
    ("HDFS_ROWS", "10000"),
    ("HDFS_RUNS", "1"),
    ("RESOURCES_RUNS", "1"),
    ("RESOURCES_STARTS", "3"),
    ("RESOURCES_SETTLE_MS", "1000"),
    ("RESOURCES_CONNECTOR_PAIRS", "5"),
    ("SCALING_RECORDS", "20000"),
    ("SCALING_RUNS", "1"),
];

/// Criterion's own options for `--quick`, given to the benches that use criterion.
const QUICK_CRITERION_ARGS: &[&str] = &[
    "--warm-up-time",
    "0.5",
    "--measurement-time",
    "1",
    "--sample-size",
    "10",
    // A smoke run is no baseline for criterion's next comparison.
    "--discard-baseline",
];

pub const USAGE: &str = "\
  bench [--only NAME]... [--quick] [--json FILE]
                 run every bench of connect-benches (or only NAME, repeatable) and print one
                 markdown table of the results on stdout; the benches' own reports go to
                 stderr. --quick sets small sizes for a smoke run; --json FILE also writes the
                 rows as JSON";

/// The command line of `cargo xtask bench`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The benches to run; every bench when empty.
    pub only: Vec<String>,
    /// Small sizes, for a smoke run.
    pub quick: bool,
    /// Where to write the rows as JSON as well.
    pub json: Option<PathBuf>,
}

impl Options {
    /// Parses the arguments after `bench`.
    ///
    /// # Errors
    ///
    /// On an unknown argument or a missing value.
    pub fn parse(args: &[&str]) -> Result<Self> {
        let mut options = Self::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--quick" => options.quick = true,
                "--only" => match args.next() {
                    Some(name) => options.only.push((*name).to_owned()),
                    None => bail!("--only needs a bench name"),
                },
                "--json" => match args.next() {
                    Some(path) => options.json = Some(PathBuf::from(path)),
                    None => bail!("--json needs a file"),
                },
                other => match (other.strip_prefix("--only="), other.strip_prefix("--json=")) {
                    (Some(name), _) => options.only.push(name.to_owned()),
                    (_, Some(path)) => options.json = Some(PathBuf::from(path)),
                    _ => bail!("unknown argument {other:?}"),
                },
            }
        }
        Ok(options)
    }
}

/// One bench target of [`PACKAGE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchTarget {
    pub name: String,
    pub src_path: PathBuf,
}

/// One `BENCH-RESULT` row, as the bench printed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The bench target that printed it.
    pub bench: String,
    pub group: String,
    pub workload: String,
    pub unit: String,
    pub ours: f64,
    pub baseline: Option<f64>,
    pub baseline_name: Option<String>,
    pub ratio: Option<f64>,
    /// `min_ratio`, `at_most` or `none`.
    pub target_kind: String,
    pub target: Option<f64>,
    pub met: Option<bool>,
    /// The JSON object as printed, for `--json`.
    pub raw: Value,
}

impl Row {
    /// Parses the JSON of a `BENCH-RESULT` line.
    ///
    /// # Errors
    ///
    /// When it is not JSON or lacks `group`, `workload` or `ours`.
    pub fn parse(bench: &str, json: &str) -> Result<Self> {
        let raw: Value = serde_json::from_str(json).context("not JSON")?;
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
        let number = |key: &str| raw.get(key).and_then(Value::as_f64);
        Ok(Self {
            bench: bench.to_owned(),
            group: text("group").context("no group")?,
            workload: text("workload").context("no workload")?,
            unit: text("unit").unwrap_or_default(),
            ours: number("ours").context("no figure (ours)")?,
            baseline: number("baseline"),
            baseline_name: text("baseline_name"),
            ratio: number("ratio"),
            target_kind: text("target_kind").unwrap_or_else(|| "none".to_owned()),
            target: number("target"),
            met: raw.get("met").and_then(Value::as_bool),
            raw,
        })
    }
}

/// A workload a bench announced it could not measure. A bench that only says so in its report
/// (a `(... skipped: reason)` line) gives one with an empty group and workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub bench: String,
    pub group: String,
    pub workload: String,
    pub reason: String,
}

impl Skipped {
    /// Parses the JSON of a `BENCH-SKIPPED` line.
    ///
    /// # Errors
    ///
    /// When it is not JSON.
    pub fn parse(bench: &str, json: &str) -> Result<Self> {
        let raw: Value = serde_json::from_str(json).context("not JSON")?;
        let text = |key: &str| {
            raw.get(key)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        };
        Ok(Self {
            bench: bench.to_owned(),
            group: text("group"),
            workload: text("workload"),
            reason: text("reason"),
        })
    }
}

/// A bench that did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub bench: String,
    pub what: String,
}

/// Where the figures were measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory: String,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
}

impl Machine {
    /// This machine, now.
    pub fn current() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .filter_map(|line| line.split_once(':'))
                    .find(|(key, _)| key.trim() == "model name")
                    .map(|(_, value)| value.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|info| {
                let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
                let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(format!("{:.1} GiB", kib / (1024.0 * 1024.0)))
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            cpus,
            cpu_model,
            memory,
            date: utc(seconds),
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC` of a Unix time (the civil-from-days algorithm).
pub fn utc(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let (hour, minute) = ((seconds % 86_400) / 3600, (seconds % 3600) / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// Everything one run collected.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<Row>,
    pub skipped: Vec<Skipped>,
    pub failures: Vec<Failure>,
    pub quick: bool,
}

/// A figure with three significant digits or so: `1234`, `123`, `12.3`, `1.23`.
fn figure(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 || magnitude == 0.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

fn with_unit(value: f64, unit: &str) -> String {
    if unit.is_empty() {
        figure(value)
    } else {
        format!("{} {unit}", figure(value))
    }
}

/// A table cell: no `|` or line break breaks the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn group_rank(group: &str) -> usize {
    GROUP_ORDER
        .iter()
        .position(|g| *g == group)
        .unwrap_or(GROUP_ORDER.len())
}

/// The markdown report: the machine, the table, then what was skipped or failed.
pub fn render(report: &Report, machine: &Machine) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Benchmark results\n");
    let _ = writeln!(
        out,
        "Measured on {} CPUs ({}), {} memory, on {}, with `cargo xtask bench{}`.",
        machine.cpus,
        machine.cpu_model,
        machine.memory,
        machine.date,
        if report.quick { " --quick" } else { "" }
    );
    if report.quick {
        let _ = writeln!(
            out,
            "Quick run: small sizes, a smoke test of the benches; not figures to compare."
        );
    }
    let _ = writeln!(
        out,
        "Ratio = ours / baseline, both throughputs measured in the same run (higher is better).\n"
    );
    let _ = writeln!(
        out,
        "| group | workload | ours | baseline | ratio | target | met |"
    );
    let _ = writeln!(out, "|---|---|---:|---|---:|---|:---:|");

    // Rows keep the order the benches printed them in, by group (known groups first, others in
    // the order they were first seen); skipped rows follow their group's measured rows.
    let mut lines: Vec<(&str, String)> = Vec::new();
    for row in &report.rows {
        let baseline = match (row.baseline, &row.baseline_name) {
            (Some(value), Some(name)) => format!("{} ({name})", with_unit(value, &row.unit)),
            (Some(value), None) => with_unit(value, &row.unit),
            (None, _) => "—".to_owned(),
        };
        let ratio = row
            .ratio
            .map_or_else(|| "—".to_owned(), |r| format!("{r:.2}"));
        let target = match (row.target_kind.as_str(), row.target) {
            ("min_ratio", Some(min)) => format!("ratio ≥ {min}"),
            ("at_most", Some(max)) => format!("≤ {}", with_unit(max, &row.unit)),
            _ => "—".to_owned(),
        };
        let met = match row.met {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "—",
        };
        lines.push((
            &row.group,
            format!(
                "| {} | {} | {} | {} | {ratio} | {target} | {met} |",
                cell(&row.group),
                cell(&row.workload),
                cell(&with_unit(row.ours, &row.unit)),
                cell(&baseline),
            ),
        ));
    }
    for skipped in report.skipped.iter().filter(|s| !s.workload.is_empty()) {
        lines.push((
            &skipped.group,
            format!(
                "| {} | {} | skipped | — | — | — | — |",
                cell(&skipped.group),
                cell(&skipped.workload)
            ),
        ));
    }
    let first_seen = |group: &str| lines.iter().position(|(g, _)| *g == group).unwrap_or(0);
    let mut order: Vec<(usize, usize, usize)> = lines
        .iter()
        .enumerate()
        .map(|(index, (group, _))| (group_rank(group), first_seen(group), index))
        .collect();
    order.sort_unstable();
    for (_, _, index) in order {
        let _ = writeln!(out, "{}", lines[index].1);
    }

    if !report.skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped:\n");
        for skipped in &report.skipped {
            let reason = skipped.reason.replace('\n', " ");
            let _ = if skipped.workload.is_empty() {
                writeln!(out, "- bench `{}`: {reason}", skipped.bench)
            } else {
                writeln!(
                    out,
                    "- {} / {} (bench `{}`): {reason}",
                    skipped.group, skipped.workload, skipped.bench
                )
            };
        }
    }
    if !report.failures.is_empty() {
        let _ = writeln!(out, "\nFailed (their rows are missing):\n");
        for failure in &report.failures {
            let _ = writeln!(out, "- bench `{}`: {}", failure.bench, failure.what);
        }
    }
    out
}

/// The rows, the skipped workloads, the failures and the machine as one JSON document.
pub fn to_json(report: &Report, machine: &Machine) -> Value {
    serde_json::json!({
        "machine": {
            "cpus": machine.cpus,
            "cpu_model": machine.cpu_model,
            "memory": machine.memory,
        },
        "date": machine.date,
        "quick": report.quick,
        "rows": report.rows.iter().map(|row| {
            let mut raw = row.raw.clone();
            if let Some(object) = raw.as_object_mut() {
                object.insert("bench".to_owned(), Value::from(row.bench.clone()));
            }
            raw
        }).collect::<Vec<_>>(),
        "skipped": report.skipped.iter().map(|s| serde_json::json!({
            "bench": s.bench, "group": s.group, "workload": s.workload, "reason": s.reason,
        })).collect::<Vec<_>>(),
        "failed": report.failures.iter().map(|f| serde_json::json!({
            "bench": f.bench, "what": f.what,
        })).collect::<Vec<_>>(),
    })
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The bench targets of [`PACKAGE`], from `cargo metadata`, in `BENCH_ORDER` then by name.
///
/// # Errors
///
/// When `cargo metadata` fails or does not list the package.
pub fn bench_targets(root: &Path) -> Result<Vec<BenchTarget>> {
    let output = Command::new(cargo())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", output.status);
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).context("reading cargo metadata's output")?;
    let package = metadata
        .get("packages")
        .and_then(Value::as_array)
        .and_then(|packages| {
            packages
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(PACKAGE))
        })
        .with_context(|| format!("cargo metadata does not list {PACKAGE}"))?;
    let mut targets: Vec<BenchTarget> = package
        .get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| {
            t.get("kind")
                .and_then(Value::as_array)
                .is_some_and(|kinds| kinds.iter().any(|k| k.as_str() == Some("bench")))
        })
        .filter_map(|t| {
            Some(BenchTarget {
                name: t.get("name")?.as_str()?.to_owned(),
                src_path: PathBuf::from(t.get("src_path")?.as_str()?),
            })
        })
        .collect();
    targets.sort_by_key(|t| {
        (
            BENCH_ORDER
                .iter()
                .position(|b| *b == t.name)
                .unwrap_or(BENCH_ORDER.len()),
            t.name.clone(),
        )
    });
    Ok(targets)
}

/// Whether the bench's source uses criterion, which takes its own options.
fn uses_criterion(target: &BenchTarget) -> bool {
    std::fs::read_to_string(&target.src_path).is_ok_and(|source| source.contains("criterion::"))
}

/// The text of a `(... skipped: reason)` line of a bench's report.
fn skip_note(line: &str) -> Option<String> {
    let inner = line.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner.contains("skipped").then(|| inner.to_owned())
}

/// Builds the benches, all at once; when that fails, one by one, so that a bench that does not
/// build (one being written, say) does not stop the others. Returns the ones that built.
fn build<'a>(
    root: &Path,
    selected: &[&'a BenchTarget],
    report: &mut Report,
) -> Result<Vec<&'a BenchTarget>> {
    let build = |targets: &[&BenchTarget]| -> Result<bool> {
        let mut command = Command::new(cargo());
        command
            .args(["bench", "-p", PACKAGE, "--no-run"])
            .current_dir(root);
        for target in targets {
            command.args(["--bench", &target.name]);
        }
        Ok(command.status().context("building the benches")?.success())
    };
    if build(selected)? {
        return Ok(selected.to_vec());
    }
    let mut built = Vec::new();
    for target in selected {
        eprintln!("building {} alone", target.name);
        if build(&[target])? {
            built.push(*target);
        } else {
            report.failures.push(Failure {
                bench: target.name.clone(),
                what: "did not build".to_owned(),
            });
        }
    }
    Ok(built)
}

/// Runs one bench, passing its report through to stderr and collecting its rows.
fn run_one(root: &Path, target: &BenchTarget, quick: bool, report: &mut Report) -> Result<()> {
    let mut command = Command::new(cargo());
    command
        .args(["bench", "-p", PACKAGE, "--bench", &target.name])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if quick {
        command.envs(QUICK_ENV.iter().copied());
        if uses_criterion(target) {
            command.arg("--").args(QUICK_CRITERION_ARGS);
        }
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("starting the bench {}", target.name))?;
    let stdout = child.stdout.take().context("the bench's stdout")?;
    let announced = report.skipped.len();
    let mut notes = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading the bench's output")?;
        if let Some(json) = line.strip_prefix("BENCH-RESULT ") {
            match Row::parse(&target.name, json) {
                Ok(row) => report.rows.push(row),
                Err(error) => eprintln!("(unreadable result line of {}: {error:#})", target.name),
            }
        } else if let Some(json) = line.strip_prefix("BENCH-SKIPPED ") {
            match Skipped::parse(&target.name, json) {
                Ok(skipped) => report.skipped.push(skipped),
                Err(error) => eprintln!("(unreadable skip line of {}: {error:#})", target.name),
            }
        } else {
            if let Some(note) = skip_note(&line) {
                notes.push(note);
            }
            eprintln!("{line}");
        }
    }
    // A bench that does not announce its skipped rows one by one still says so in its report.
    if report.skipped.len() == announced {
        report
            .skipped
            .extend(notes.into_iter().map(|reason| Skipped {
                bench: target.name.clone(),
                group: String::new(),
                workload: String::new(),
                reason,
            }));
    }
    let status = child.wait().context("waiting for the bench")?;
    if !status.success() {
        report.failures.push(Failure {
            bench: target.name.clone(),
            what: format!("exited with {status}"),
        });
    }
    Ok(())
}

/// `cargo xtask bench`: builds the benches, runs them one after the other and prints the table.
///
/// # Errors
///
/// When an unknown bench is asked for, cargo cannot be run, or the JSON file cannot be written.
/// A bench that does not build or fails is listed under the table and makes the exit code a
/// failure.
pub fn run(root: &Path, options: &Options) -> Result<ExitCode> {
    let all = bench_targets(root)?;
    let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
    for name in &options.only {
        if !names.contains(&name.as_str()) {
            bail!(
                "no bench {name:?} in {PACKAGE}; there are: {}",
                names.join(", ")
            );
        }
    }
    let selected: Vec<&BenchTarget> = all
        .iter()
        .filter(|t| options.only.is_empty() || options.only.contains(&t.name))
        .collect();
    if selected.is_empty() {
        bail!("{PACKAGE} has no bench targets");
    }

    eprintln!(
        "building {}",
        selected
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut report = Report {
        quick: options.quick,
        ..Report::default()
    };
    let built = build(root, &selected, &mut report)?;
    for target in &built {
        eprintln!("\n=== {} ===", target.name);
        run_one(root, target, options.quick, &mut report)?;
    }

    let machine = Machine::current();
    println!("{}", render(&report, &machine));
    if let Some(path) = &options.json {
        let json = serde_json::to_string_pretty(&to_json(&report, &machine))?;
        std::fs::write(path, json + "\n").with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine {
            cpus: 2,
            cpu_model: "Example CPU @ 2.00GHz".to_owned(),
            memory: "7.8 GiB".to_owned(),
            date: "2026-01-02 03:04 UTC".to_owned(),
        }
    }

    const SAMPLE: &[(&str, &str)] = &[
        (
            "transforms",
            r#"{"group":"transforms","workload":"InsertField + ReplaceField + Cast chain","unit":"k rec/s","ours":812.4,"baseline":1490.0,"baseline_name":"the same edits by hand","ratio":0.5452,"target_kind":"min_ratio","target":0.5,"met":true}"#,
        ),
        (
            "pipeline",
            r#"{"group":"pipeline","workload":"file → embedded log → file","unit":"k rec/s","ours":301.0,"baseline":2400.0,"baseline_name":"line copy","ratio":0.1254,"target_kind":"min_ratio","target":0.5,"met":false}"#,
        ),
        (
            "pipeline",
            r#"{"group":"resources","workload":"idle connect-standalone RSS","unit":"MiB","ours":11.26,"baseline":null,"baseline_name":null,"ratio":null,"target_kind":"at_most","target":20.0,"met":true}"#,
        ),
        (
            "json_converter",
            r#"{"group":"converters","workload":"JsonConverter serialize, payload only","unit":"k rec/s","ours":1234.4,"baseline":2000.0,"baseline_name":"serde_json::to_vec of a Value","ratio":0.617,"target_kind":"none","target":null,"met":null}"#,
        ),
    ];

    fn report() -> Report {
        Report {
            rows: SAMPLE
                .iter()
                .map(|(bench, json)| Row::parse(bench, json).unwrap())
                .collect(),
            skipped: vec![Skipped::parse(
                "pipeline",
                r#"{"group":"pipeline","workload":"file → broker","reason":"nisshi is not installed"}"#,
            )
            .unwrap()],
            failures: vec![Failure {
                bench: "hdfs_sink".to_owned(),
                what: "exited with exit status: 101".to_owned(),
            }],
            quick: true,
        }
    }

    #[test]
    fn renders_rows_grouped_with_targets_and_verdicts() {
        let text = render(&report(), &machine());
        let table: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(
            table,
            [
                "| group | workload | ours | baseline | ratio | target | met |",
                "|---|---|---:|---|---:|---|:---:|",
                "| pipeline | file → embedded log → file | 301 k rec/s | 2400 k rec/s (line copy) | 0.13 | ratio ≥ 0.5 | ✗ |",
                "| pipeline | file → broker | skipped | — | — | — | — |",
                "| converters | JsonConverter serialize, payload only | 1234 k rec/s | 2000 k rec/s (serde_json::to_vec of a Value) | 0.62 | — | — |",
                "| transforms | InsertField + ReplaceField + Cast chain | 812 k rec/s | 1490 k rec/s (the same edits by hand) | 0.55 | ratio ≥ 0.5 | ✓ |",
                "| resources | idle connect-standalone RSS | 11.3 MiB | — | — | ≤ 20.0 MiB | ✓ |",
            ]
        );
        assert!(text.contains(
            "Measured on 2 CPUs (Example CPU @ 2.00GHz), 7.8 GiB memory, on 2026-01-02 03:04 UTC, \
             with `cargo xtask bench --quick`."
        ));
        assert!(
            text.contains("- pipeline / file → broker (bench `pipeline`): nisshi is not installed")
        );
        assert!(text.contains("- bench `hdfs_sink`: exited with exit status: 101"));
    }

    #[test]
    fn unknown_groups_follow_the_known_ones_and_pipes_are_escaped() {
        let mut report = report();
        report.rows.push(
            Row::parse(
                "scaling",
                r#"{"group":"scaling","workload":"1 | 2 tasks","unit":"k rec/s","ours":5.0,"baseline":null,"baseline_name":null,"ratio":null,"target_kind":"none","target":null,"met":null}"#,
            )
            .unwrap(),
        );
        report.rows.insert(
            0,
            Row::parse(
                "other",
                r#"{"group":"other","workload":"x","unit":"","ours":0.5,"target_kind":"none"}"#,
            )
            .unwrap(),
        );
        let text = render(&report, &machine());
        let table: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(table.len(), 8);
        assert_eq!(
            table[6],
            "| scaling | 1 \\| 2 tasks | 5.00 k rec/s | — | — | — | — |"
        );
        assert_eq!(table[7], "| other | x | 0.500 | — | — | — | — |");
    }

    #[test]
    fn json_keeps_every_row_with_its_bench() {
        let json = to_json(&report(), &machine());
        assert_eq!(json["rows"].as_array().unwrap().len(), SAMPLE.len());
        assert_eq!(json["rows"][2]["bench"], "pipeline");
        assert_eq!(json["rows"][2]["group"], "resources");
        assert_eq!(json["skipped"][0]["workload"], "file → broker");
        assert_eq!(json["failed"][0]["bench"], "hdfs_sink");
        assert_eq!(json["machine"]["cpus"], 2);
    }

    #[test]
    fn parses_the_options() {
        let options = Options::parse(&[
            "--only",
            "pipeline",
            "--quick",
            "--only=transforms",
            "--json",
            "r.json",
        ])
        .unwrap();
        assert_eq!(options.only, ["pipeline", "transforms"]);
        assert!(options.quick);
        assert_eq!(options.json, Some(PathBuf::from("r.json")));
        assert!(Options::parse(&["--only"]).is_err());
        assert!(Options::parse(&["--fast"]).is_err());
    }

    #[test]
    fn report_lines_saying_skipped_are_notes() {
        assert_eq!(
            skip_note("(broker rows skipped: nisshi is not installed; see docs/testing.md)"),
            Some("broker rows skipped: nisshi is not installed; see docs/testing.md".to_owned())
        );
        assert_eq!(skip_note("chain   812   1490   0.55  met"), None);
        let mut report = report();
        report.skipped.push(Skipped {
            bench: "scaling".to_owned(),
            group: String::new(),
            workload: String::new(),
            reason: "broker rows skipped: SCALING_BROKER=0".to_owned(),
        });
        let text = render(&report, &machine());
        assert!(text.contains("- bench `scaling`: broker rows skipped: SCALING_BROKER=0"));
        assert_eq!(
            text.lines().filter(|l| l.contains("| skipped |")).count(),
            1
        );
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400 + 3_661), "2000-02-29 01:01 UTC");
        assert_eq!(utc(1_767_225_600), "2026-01-01 00:00 UTC");
    }
}
