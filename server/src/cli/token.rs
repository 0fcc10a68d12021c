//! `transferhub token create`: makes a bearer token for an organisation and role, printed once.

use super::CliError;
use crate::app::config::Config;
use clap::Subcommand;
use transferhub_schema::enums::Role;

/// Token subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token and print it once.
    Create {
        /// Organisation key, e.g. `imu`.
        #[arg(long)]
        org: String,
        /// platform-admin, org-admin, member, organiser or portal.
        #[arg(long)]
        role: String,
        /// A name to tell tokens apart.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// Runs a token subcommand.
pub async fn run(config: &Config, cmd: TokenCommand) -> Result<(), CliError> {
    match cmd {
        TokenCommand::Create { org, role, name } => {
            let role = Role::from_cli(&role).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown role {role:?}; use platform-admin, org-admin, member, organiser or portal"
                ))
            })?;
            let db = super::open_store(config).await?;
            let token = crate::auth::token::create(&db, &org, role, &name).await?;
            println!("{token}");
            Ok(())
        }
    }
}
