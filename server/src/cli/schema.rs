//! `transferhub schema`: prints the GraphQL SDL (what schema/transferhub.graphql holds).

use super::CliError;

/// Prints the SDL to stdout.
pub fn run() -> Result<(), CliError> {
    print!("{}", crate::graphql::sdl());
    Ok(())
}
