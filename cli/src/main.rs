//! `paystate`: the command-line face of the core. Every subcommand reads files, stdin or
//! arguments, calls the core, and prints; exit 2 is a usage error.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use paystate_cli::webhook::{SignArgs, VerifyArgs};

mod sandbox;

#[derive(Parser)]
#[command(
    name = "paystate",
    version,
    about = "Deterministic USDT invoice payments: demo, conformance, webhook debugging, replay.",
    after_help = "Start with `paystate demo`. When a webhook does not verify: `paystate verify --help`."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// A narrated walk through the whole product on built-in data.
    ///
    /// Example: paystate demo
    Demo,
    /// Runs conformance scenario files or directories; prints `N passed, N failed`.
    ///
    /// Example: paystate conformance tests/scenarios my-scenarios/
    Conformance {
        /// Scenario files or directories (every *.json below them, sorted by path).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    #[command(verbatim_doc_comment)]
    /// Verifies a webhook and, when it fails, says which usual mistake explains it.
    ///
    /// Exit 0 when valid, 1 when not, 2 for usage errors.
    ///
    /// Secrets: `--secret-file PATH` (one per line; several lines = key rotation), or the
    /// environment variable PAYSTATE_SECRETS (comma-separated), or `--secret` (repeatable;
    /// visible in `ps` and shell history, so prefer the other two). A file and flags
    /// combine (file first); the environment is read only when neither is given.
    ///
    /// Examples:
    ///   paystate verify --scheme usdt_gateway --secret "$SECRET" \
    ///       --header 'X-Webhook-Signature: 70d9...' --body-file body.json
    ///   PAYSTATE_SECRETS=whsec_new,whsec_old paystate verify --scheme standard_webhooks \
    ///       --header 'webhook-id: msg_1' ... --body-file body.json
    ///   curl ... | paystate verify --scheme standard_webhooks --secret-file secrets.txt \
    ///       --header 'webhook-id: msg_1' --header 'webhook-timestamp: 1614265330' \
    ///       --header 'webhook-signature: v1,g0hM...' --at 2021-02-25T15:02:11Z --json
    Verify(VerifyArgs),
    #[command(verbatim_doc_comment)]
    /// Prints the headers (or the signed JSON) a provider would send for a body.
    ///
    /// Inputs the scheme needs come as headers: `webhook-id`/`webhook-timestamp`
    /// (standard_webhooks), `X-GatePay-Nonce`/`X-GatePay-Timestamp` (gatepay), `t` (stripe).
    ///
    /// Secrets as for `verify`: --secret-file PATH, PAYSTATE_SECRETS or --secret.
    ///
    /// Example: paystate sign --scheme gatepay --secret-file key.txt --header 'X-GatePay-Nonce: n1' \
    ///     --header 'X-GatePay-Timestamp: 1700000000000' --body-file body.json
    Sign(SignArgs),
    /// Replays JSON-lines steps (conformance step format, no `expect`) and prints a timeline.
    ///
    /// Example: paystate replay examples/replay/underpaid.jsonl
    Replay {
        /// The JSON-lines file.
        file: PathBuf,
    },
    /// Explains in plain words why a stored invoice state has its status.
    ///
    /// Example: paystate explain invoice.json
    Explain {
        /// An invoice state as serialised by the core (`Invoice::to_json`).
        file: PathBuf,
    },
    /// Prints the invoice transition table from the core.
    ///
    /// Example: paystate states --format mermaid
    States {
        /// `json` or `mermaid`.
        #[arg(long, default_value = "json", value_parser = ["json", "mermaid"])]
        format: String,
    },
    /// Prints the core's vocabulary (codes, statuses, events, schemes, assets, ...) and
    /// transition table; `scripts/gen-vocabulary.py` generates the bindings' lists from it.
    ///
    /// Example: paystate contract --format json > conformance/contract.json
    Contract {
        /// `json`.
        #[arg(long, default_value = "json", value_parser = ["json"])]
        format: String,
    },
    /// Parses one request of a seed API (JSON on stdin) and prints the core's reading of it.
    ///
    /// NAME/KIND: gatenoc checkout-session, usdt_gateway invoice, gatepay order,
    /// monetix purchase|refund|payout, keypair_invoice invoice.
    ///
    /// Example: echo '{"amount": 10.50}' | paystate dialect gatenoc checkout-session --at 2026-03-24T12:00:00Z
    Dialect {
        /// The dialect (seed API) name.
        name: String,
        /// The request kind.
        kind: String,
        /// The request time (RFC 3339).
        #[arg(long)]
        at: Option<String>,
    },
    /// A local USDT gateway speaking the five provider APIs, with a test clock, a checkout page and signed webhook deliveries.
    ///
    /// Example: paystate sandbox --port 8080 --forward-to http://127.0.0.1:3000/webhook
    Sandbox(sandbox::Args),
    /// Checks a receiving address for an asset (TRON base58check, EVM with EIP-55) and
    /// prints its normalised form. Exit 0 when valid, 1 when not, 2 for usage errors.
    ///
    /// Example: paystate address USDT_ERC20 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed --json
    Address {
        /// USDT_TRC20, USDT_ERC20, USDT_BSC, USDT_POLYGON (USDT_BYBIT has no address).
        #[arg(value_parser = paystate_cli::address::parse_asset)]
        asset: paystate::Asset,
        /// The address to check, exactly as given (nothing is trimmed).
        address: String,
        /// Print `{"valid", "normalized", "asset", "error", "reason", "detail"}`.
        #[arg(long)]
        json: bool,
    },
    /// Prints the payment request URI a wallet opens (EIP-681 on EVM chains, Trust
    /// Wallet's send link on TRON). Exit 1 with the core's error for invalid input.
    ///
    /// Example: paystate uri USDT_BSC 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed 10.50
    Uri {
        /// USDT_TRC20, USDT_ERC20, USDT_BSC or USDT_POLYGON.
        #[arg(value_parser = paystate_cli::address::parse_asset)]
        asset: paystate::Asset,
        /// The receiving address.
        address: String,
        /// The amount in USDT (`10.50`), at most the asset's decimals.
        amount: String,
    },
}

fn read_file(path: &PathBuf) -> Result<Vec<u8>, ExitCode> {
    std::fs::read(path).map_err(|e| {
        eprintln!("paystate: cannot read {}: {e}", path.display());
        ExitCode::from(2)
    })
}

fn run(cli: Cli) -> Result<ExitCode, ExitCode> {
    Ok(match cli.command {
        Cmd::Sandbox(args) => sandbox::run(args),
        Cmd::Demo => {
            print!("{}", paystate_cli::demo::run());
            ExitCode::SUCCESS
        }
        Cmd::Conformance { paths } => {
            let report = paystate_cli::conformance::run_paths(&paths).map_err(|e| {
                eprintln!("paystate conformance: {e}");
                ExitCode::from(2)
            })?;
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
        Cmd::Verify(args) => {
            let body = read_body(args.body_file.as_ref())?;
            let (text, valid) = paystate_cli::webhook::verify(&args, &body).map_err(|e| {
                eprintln!("paystate verify: {e}");
                ExitCode::from(2)
            })?;
            println!("{text}");
            if valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Cmd::Sign(args) => {
            let body = read_body(args.body_file.as_ref())?;
            let text = paystate_cli::webhook::sign(&args, &body).map_err(|e| {
                eprintln!("paystate sign: {e}");
                ExitCode::from(2)
            })?;
            println!("{text}");
            ExitCode::SUCCESS
        }
        Cmd::Replay { file } => {
            let bytes = read_file(&file)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                eprintln!("paystate replay: {} is not UTF-8", file.display());
                ExitCode::from(2)
            })?;
            match paystate_cli::replay::run(&text) {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("paystate replay: {}: {e}", file.display());
                    ExitCode::from(1)
                }
            }
        }
        Cmd::Explain { file } => {
            let bytes = read_file(&file)?;
            let text = String::from_utf8_lossy(&bytes);
            match paystate_cli::explain::run(&text) {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("paystate explain: {}: {} ({})", file.display(), e, e.code());
                    ExitCode::from(1)
                }
            }
        }
        Cmd::States { format } => {
            if format == "mermaid" {
                print!("{}", paystate::invoice::table::mermaid());
            } else {
                println!("{}", paystate_cli::states::json());
            }
            ExitCode::SUCCESS
        }
        Cmd::Contract { format } => {
            print!("{}", paystate_cli::contract::render(&format));
            ExitCode::SUCCESS
        }
        Cmd::Dialect { name, kind, at } => {
            let input = read_body(None)?;
            let out =
                paystate_cli::dialect::run(&name, &kind, at.as_deref(), &input).map_err(|e| {
                    eprintln!("paystate dialect: {e}");
                    ExitCode::from(2)
                })?;
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Cmd::Address {
            asset,
            address,
            json,
        } => {
            let (text, valid) = paystate_cli::address::check(asset, &address, json);
            println!("{text}");
            ExitCode::from(if valid { 0 } else { 1 })
        }
        Cmd::Uri {
            asset,
            address,
            amount,
        } => match paystate_cli::address::uri(asset, &address, &amount) {
            Ok(uri) => {
                println!("{uri}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("paystate uri: {e} ({})", e.code());
                ExitCode::from(1)
            }
        },
    })
}

fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, ExitCode> {
    match file {
        Some(path) => read_file(path),
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| {
                eprintln!("paystate: cannot read stdin: {e}");
                ExitCode::from(2)
            })?;
            Ok(buf)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) | Err(code) => code,
    }
}
