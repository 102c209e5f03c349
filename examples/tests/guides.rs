//! The guides show their code as excerpts (```` ```rust,ignore ```` blocks) and compile it
//! through complete programs (```` ```rust ```` blocks, run as doc tests by `src/lib.rs`). This
//! test keeps the excerpts true: every line of an excerpt, apart from blank lines and `// ...`
//! elisions, must be a line of one of the guide's compiled blocks.

#![allow(clippy::panic, clippy::expect_used)]

use std::collections::HashSet;
use std::path::Path;

/// The guides whose excerpts are checked, relative to the repository root.
const GUIDES: [&str; 3] = [
    "docs/writing-a-source-connector.md",
    "docs/writing-a-sink-connector.md",
    "docs/converters-and-transforms.md",
];

/// A fenced code block: its info string (`rust,ignore`) and its lines.
struct Block {
    info: String,
    lines: Vec<String>,
}

/// The fenced code blocks of a markdown text, indented fences included.
fn code_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, Vec<String>)> = None; // (fence, info, lines)
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        match open.as_mut() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let fence = line[..line.len() - trimmed.len()].to_owned();
                    open = Some((fence, info.trim().to_owned(), Vec::new()));
                }
            }
            Some((_, _, lines)) => {
                if trimmed.starts_with("```") {
                    if let Some((_, info, lines)) = open.take() {
                        blocks.push(Block { info, lines });
                    }
                } else {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    if let Some((fence, info, _)) = open {
        panic!(
            "a ```{info} block (fence indented by {:?}) is never closed",
            fence.len()
        );
    }
    blocks
}

/// Whether a block is compiled by rustdoc: `rust`, or `rust` with attributes that still compile
/// it (`no_run`, `should_panic`, ...). `ignore` and other languages are not.
fn is_compiled(info: &str) -> bool {
    let mut parts = info.split(',').map(str::trim);
    let first = parts.next().unwrap_or("");
    first == "rust" && parts.all(|attr| !matches!(attr, "ignore" | "text" | "compile_fail"))
}

/// Whether a line of an excerpt is exempt from the check.
fn is_exempt(line: &str) -> bool {
    line.is_empty() || line.starts_with("// ...")
}

/// Whether a line of a compiled block is hidden by rustdoc (`# `): such lines are test-harness
/// plumbing, and do not count as the code an excerpt shows.
fn is_hidden(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed == "#" || trimmed.starts_with("# ")
}

/// The problems of one guide: every excerpt line that no compiled block of it has.
fn missing_lines(guide: &str, markdown: &str) -> Vec<String> {
    let blocks = code_blocks(markdown);
    let compiled: HashSet<&str> = blocks
        .iter()
        .filter(|block| is_compiled(&block.info))
        .flat_map(|block| {
            block
                .lines
                .iter()
                .filter(|line| !is_hidden(line))
                .map(|l| l.trim())
        })
        .collect();
    let mut problems = Vec::new();
    for excerpt in blocks.iter().filter(|block| block.info == "rust,ignore") {
        let first = excerpt
            .lines
            .iter()
            .map(|line| line.trim())
            .find(|line| !line.is_empty());
        let first = first.unwrap_or("(an empty excerpt)");
        for line in excerpt.lines.iter().map(|line| line.trim()) {
            if !is_exempt(line) && !compiled.contains(line) {
                problems.push(format!(
                    "{guide}: the excerpt starting `{first}` has `{line}`, which no compiled \
                     block of the guide has"
                ));
            }
        }
    }
    problems
}

fn read_guide(guide: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(guide);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn every_excerpt_line_is_compiled() {
    let mut problems = Vec::new();
    for guide in GUIDES {
        let markdown = read_guide(guide);
        let blocks = code_blocks(&markdown);
        assert!(
            blocks.iter().any(|block| block.info == "rust,ignore"),
            "{guide} has no ```rust,ignore excerpt"
        );
        assert!(
            blocks.iter().any(|block| is_compiled(&block.info)),
            "{guide} has no compiled ```rust block"
        );
        problems.extend(missing_lines(guide, &markdown));
    }
    assert!(
        problems.is_empty(),
        "excerpts that drifted from the compiled code:\n{}",
        problems.join("\n")
    );
}

#[test]
fn excerpts_have_no_hidden_lines() {
    for guide in GUIDES {
        for excerpt in code_blocks(&read_guide(guide))
            .iter()
            .filter(|b| b.info == "rust,ignore")
        {
            let first = excerpt.lines.first().map_or("", |line| line.trim());
            let hidden = excerpt.lines.iter().find(|line| is_hidden(line));
            assert!(
                hidden.is_none(),
                "{guide}: the excerpt starting `{first}` has a hidden line `{}`",
                hidden.map_or("", |line| line.trim())
            );
        }
    }
}

#[test]
fn a_drifted_excerpt_is_reported() {
    let markdown = "```rust,ignore\nfn shown() {}\n// ... more\nlet x = 2;\n```\n\n\
                    ```rust\nfn shown() {}\n# let x = 2;\n```\n";
    let problems = missing_lines("guide.md", markdown);
    assert_eq!(
        problems,
        [
            "guide.md: the excerpt starting `fn shown() {}` has `let x = 2;`, which no compiled \
          block of the guide has"
        ]
    );
}
