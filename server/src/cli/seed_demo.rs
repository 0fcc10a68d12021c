//! `transferhub seed-demo`: loads the Chinese demo data set; running it again adds nothing.

use super::CliError;
use crate::app::config::Config;

/// Seeds and reports what was added.
pub async fn run(config: &Config) -> Result<(), CliError> {
    let db = super::open_store(config).await?;
    let report = crate::demo::seed(&db).await?;
    println!("{report}");
    Ok(())
}
