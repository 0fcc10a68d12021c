//! `transferhub reindex`: rebuilds the search index from the store (after `generate`, a restore,
//! or a change of backend). The embedded index is locked by a running `serve`: stop it first.

use super::CliError;
use crate::app::config::Config;
use crate::search::service::{self, Search};
use crate::search::SearchError;
use std::io::IsTerminal;

/// Records read and indexed per batch.
const PAGE: usize = 20_000;

/// Rebuilds and prints the count, the rate and (embedded) the index size.
pub async fn run(config: &Config) -> Result<(), CliError> {
    let db = super::open_store(config).await?;
    let search = Search::open_bulk(db, config).map_err(|e| match e {
        SearchError::Locked(dir) => CliError::Runtime(anyhow::anyhow!(
            "the search index at {dir} is in use by a running `transferhub serve`; stop it first"
        )),
        e => CliError::Runtime(anyhow::anyhow!(e.to_string())),
    })?;
    let total = crate::search::outbox::pending(&search).await.ok();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_message("indexing");
        b
    });
    let report = service::rebuild(&search, PAGE, |n| {
        if let Some(b) = &bar {
            b.set_position(n);
            b.set_message(format!("{n} achievements indexed"));
        }
    })
    .await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let rate = report.documents as f64 / report.seconds.max(1e-9);
    let size = if config.search.backend == "embedded" {
        let bytes =
            crate::search::tantivy_backend::TantivyIndex::size_on_disk(&service::index_dir(config));
        format!("; index size {:.1} MiB", bytes as f64 / 1_048_576.0)
    } else {
        String::new()
    };
    tracing::debug!(
        outbox.before = total.unwrap_or(0),
        "outbox covered by rebuild"
    );
    println!(
        "reindexed {} achievements into the {} index in {:.1}s ({:.0} docs/s){size}",
        report.documents,
        search.index().backend(),
        report.seconds,
        rate
    );
    Ok(())
}
