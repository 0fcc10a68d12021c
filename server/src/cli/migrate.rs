//! `transferhub migrate`: brings the database to the latest schema.

use super::CliError;
use crate::app::config::Config;

/// Runs pending migrations.
pub async fn run(config: &Config) -> Result<(), CliError> {
    super::open_store(config).await?;
    println!("database is at the latest migration");
    Ok(())
}
