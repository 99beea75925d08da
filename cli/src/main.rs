//! `paystate`: the command-line face of the core.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "paystate", version, about = "Deterministic USDT invoice payments: demo, conformance, webhook debugging.")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs conformance scenario files or directories and prints `N passed, N failed`.
    ///
    /// Example: paystate conformance tests/scenarios ../shared/conformance/examples
    Conformance {
        /// Scenario files or directories (every *.json below them).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// A narrated walk through the whole product on built-in data.
    Demo,
    /// Prints the invoice transition table from the core.
    ///
    /// Example: paystate states --format mermaid
    States {
        /// `json` or `mermaid`.
        #[arg(long, default_value = "json")]
        format: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Conformance { paths } => match paystate_cli::conformance::run_paths(&paths) {
            Ok(report) => {
                for (file, failure) in &report.failed {
                    println!("FAIL {}: {failure}", file.display());
                }
                println!("{}", report.summary());
                if report.failed.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(e) => {
                eprintln!("paystate conformance: {e}");
                ExitCode::from(2)
            }
        },
        Cmd::Demo => {
            print!("{}", paystate_cli::demo::run());
            ExitCode::SUCCESS
        }
        Cmd::States { format } => match format.as_str() {
            "json" => {
                println!("{}", paystate_cli::states::json());
                ExitCode::SUCCESS
            }
            "mermaid" => {
                print!("{}", paystate::invoice::table::mermaid());
                ExitCode::SUCCESS
            }
            other => {
                eprintln!("paystate states: unknown format {other:?} (json or mermaid)");
                ExitCode::from(2)
            }
        },
    }
}
