//! `paystate sandbox`: starts the local five-seed gateway of the `paystate-sandbox` crate.
//! The flags and the server live there; this is only the subcommand's entry.

use std::process::ExitCode;

pub use paystate_sandbox::Args;

/// Runs the sandbox until it is killed; a bad flag is exit 2.
pub fn run(args: Args) -> ExitCode {
    match paystate_sandbox::run_blocking(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ paystate_sandbox::StartError::Usage(_)) => {
            eprintln!("paystate sandbox: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("paystate sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
