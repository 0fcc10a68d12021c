//! `transferhub token create`: makes a bearer token printed once — for an organisation and role
//! (`--org --role`), for one member of an organisation (`--org --person EMAIL`), or for a person
//! not yet in an organisation (`--person EMAIL` alone; they may then apply for one).

use super::CliError;
use crate::app::config::Config;
use clap::Subcommand;
use transferhub_schema::enums::Role;

/// Token subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token and print it once.
    Create {
        /// Organisation key, e.g. `imu`; required unless `--person` is given.
        #[arg(long)]
        org: Option<String>,
        /// platform-admin, org-admin, member, organiser or portal; required for organisation
        /// tokens, with `--person` it defaults to the person's role in the organisation.
        #[arg(long)]
        role: Option<String>,
        /// E-mail of the person the token acts for (with `--org`: a member of it; without:
        /// a person not yet in an organisation).
        #[arg(long)]
        person: Option<String>,
        /// A name to tell tokens apart.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn parse_role(role: &str) -> Result<Role, CliError> {
    Role::from_cli(role).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown role {role:?}; use platform-admin, org-admin, member, organiser or portal"
        ))
    })
}

/// Runs a token subcommand.
pub async fn run(config: &Config, cmd: TokenCommand) -> Result<(), CliError> {
    match cmd {
        TokenCommand::Create {
            org,
            role,
            person,
            name,
        } => {
            let role = role.as_deref().map(parse_role).transpose()?;
            let token = match (org, person) {
                (None, None) => {
                    return Err(CliError::Usage(
                        "give --org ORG_KEY --role ROLE, or --person EMAIL (with or without --org)"
                            .into(),
                    ))
                }
                (Some(org), None) => {
                    let role = role.ok_or_else(|| {
                        CliError::Usage("--role is required for an organisation token".into())
                    })?;
                    let db = super::open_store(config).await?;
                    crate::auth::token::create(&db, &org, role, &name).await?
                }
                (org, Some(email)) => {
                    let db = super::open_store(config).await?;
                    crate::auth::token::create_for_person(&db, org.as_deref(), &email, role, &name)
                        .await?
                }
            };
            println!("{token}");
            Ok(())
        }
    }
}
