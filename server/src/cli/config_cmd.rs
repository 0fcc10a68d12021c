//! `transferhub config`: prints the effective configuration, secrets masked.

use super::CliError;
use crate::app::config::Config;

/// Prints the masked TOML to stdout.
pub fn run(config: &Config) -> Result<(), CliError> {
    print!("{}", config.to_masked_toml());
    Ok(())
}
