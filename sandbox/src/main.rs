//! `paystate-sandbox`: the same server as `paystate sandbox`, as a binary of this package
//! (its crash test starts and kills it).

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "paystate-sandbox",
    about = "A local USDT gateway speaking the five provider APIs, with a test clock."
)]
struct Cli {
    #[command(flatten)]
    args: paystate_sandbox::Args,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match paystate_sandbox::run_blocking(cli.args) {
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
