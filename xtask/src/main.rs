//! `cargo xtask docs [--check]`: generates the reference documentation in `docs/reference/`, or
//! checks that the committed files match what the code generates. `cargo xtask bench`: runs the
//! benchmarks and prints one table of the results.

use std::process::ExitCode;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask docs [--check]
       cargo xtask bench [--only NAME]... [--quick] [--json FILE]

  docs           write docs/reference/configuration.md, rest-api.md and openapi.json
                 from the code
  docs --check   regenerate in memory and fail, naming each file, when a committed
                 file differs
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["docs"] => {
            let root = xtask::workspace_root();
            for file in xtask::write(&root)? {
                println!("wrote {} ({} bytes)", file.path, file.contents.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        ["docs", "--check"] => {
            let stale = xtask::check(&xtask::workspace_root())?;
            if stale.is_empty() {
                println!("docs/reference is up to date");
                return Ok(ExitCode::SUCCESS);
            }
            for file in &stale {
                eprintln!("{file}");
            }
            eprintln!("run `{}` to regenerate", xtask::FIX_COMMAND);
            Ok(ExitCode::FAILURE)
        }
        ["bench", rest @ ..] => {
            let options = xtask::bench::Options::parse(rest)?;
            xtask::bench::run(&xtask::workspace_root(), &options)
        }
        ["help" | "-h" | "--help"] | [] => {
            println!("{USAGE}{}", xtask::bench::USAGE);
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!(
            "unknown arguments {args:?}\n\n{USAGE}{}",
            xtask::bench::USAGE
        ),
    }
}
