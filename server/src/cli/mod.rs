//! The `transferhub` command line (API.md): a file per subcommand. Exit codes: 0 ok,
//! 1 runtime failure, 2 bad usage or bad input with a one-line reason on stderr.

mod config_cmd;
mod generate;
mod harvest;
mod import;
mod migrate;
mod org;
mod reindex;
mod schema;
mod seed_demo;
mod serve;
mod token;

use crate::app::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// How a command failed, which decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad usage or bad input (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something failed while running (exit 1).
    #[error("{0:#}")]
    Runtime(#[from] anyhow::Error),
}

impl From<crate::app::config::ConfigError> for CliError {
    fn from(e: crate::app::config::ConfigError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl From<crate::error::AppError> for CliError {
    fn from(e: crate::error::AppError) -> Self {
        match e.code() {
            crate::error::Code::BadInput | crate::error::Code::NotFound => {
                CliError::Usage(e.message())
            }
            _ => CliError::Runtime(anyhow::anyhow!(e.message())),
        }
    }
}

impl From<sea_orm::DbErr> for CliError {
    fn from(e: sea_orm::DbErr) -> Self {
        CliError::Runtime(anyhow::anyhow!("database: {e}"))
    }
}

/// TransferHub — technology-transfer collaboration hub (技术转移协作平台).
#[derive(Parser, Debug)]
#[command(name = "transferhub", version, about)]
pub struct Cli {
    /// Configuration file (TOML); also TRANSFERHUB_CONFIG, else ./transferhub.toml when present.
    #[arg(long, global = true, env = "TRANSFERHUB_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP server.
    Serve(serve::Args),
    /// Bring the database schema to the latest migration.
    Migrate,
    /// Load the realistic Chinese demo data set (idempotent).
    SeedDemo,
    /// Make deterministic synthetic achievements and needs (into the database, or a JSONL file).
    Generate(generate::Args),
    /// Harvest sources now (progress on a terminal, a summary line per source).
    Harvest(harvest::Args),
    /// Import a CSV, XLSX or JSONL file into an organisation's catalog.
    Import(import::Args),
    /// Rebuild the search index from the store.
    Reindex,
    /// Print the GraphQL SDL.
    Schema,
    /// Manage bearer tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Create, verify, reject, merge, deactivate and list organisations (platform admin).
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// Print the effective configuration with secrets masked.
    Config,
}

/// Parses arguments, runs the command and maps failures to exit codes.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("transferhub: cannot start runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(reason)) => {
            eprintln!("transferhub: {}", reason.lines().next().unwrap_or_default());
            ExitCode::from(2)
        }
        Err(CliError::Runtime(e)) => {
            eprintln!("transferhub: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Loads the configuration named on the command line, or `./transferhub.toml` when present.
pub fn load_config(path: Option<&PathBuf>) -> Result<Config, CliError> {
    let default = PathBuf::from("transferhub.toml");
    let path = path
        .cloned()
        .or_else(|| default.exists().then_some(default));
    Ok(Config::load(path.as_deref())?)
}

async fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Schema => schema::run(),
        Command::Config => config_cmd::run(&load_config(cli.config.as_ref())?),
        command => {
            let config = load_config(cli.config.as_ref())?;
            crate::telemetry::init(&config.log);
            match command {
                Command::Serve(args) => serve::run(config, args).await,
                Command::Migrate => migrate::run(&config).await,
                Command::SeedDemo => seed_demo::run(&config).await,
                Command::Generate(args) => generate::run(&config, args).await,
                Command::Harvest(args) => harvest::run(&config, args).await,
                Command::Import(args) => import::run(&config, args).await,
                Command::Reindex => reindex::run(&config).await,
                Command::Token(t) => token::run(&config, t).await,
                Command::Org(o) => org::run(&config, o).await,
                Command::Schema | Command::Config => Ok(()),
            }
        }
    }
}

/// Opens and migrates the configured store.
pub async fn open_store(config: &Config) -> Result<sea_orm::DatabaseConnection, CliError> {
    let db = crate::db::connect(config).await?;
    crate::db::migrate(&db).await?;
    Ok(db)
}
