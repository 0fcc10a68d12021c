//! `transferhub harvest (--source KEY | --all) [--full]`: harvests now, with a progress bar on a
//! terminal and a summary line per source. Sources come from the store and `[[sources]]`.

use super::CliError;
use crate::app::config::Config;
use crate::outbound::Outbound;
use crate::sources::harvest::Harvester;
use crate::sources::progress::Progress;
use std::io::IsTerminal;
use std::sync::Arc;
use transferhub_schema::entity::harvest_run;

/// Flags of `harvest`.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Args {
    /// Harvest this source.
    #[arg(long)]
    source: Option<String>,
    /// Harvest every enabled source.
    #[arg(long)]
    all: bool,
    /// Ignore the incremental lower bound and fetch everything.
    #[arg(long, requires = "source")]
    full: bool,
}

/// A harvester for CLI use.
pub fn harvester(config: &Config, db: &sea_orm::DatabaseConnection) -> Result<Harvester, CliError> {
    let outbound =
        Outbound::new(&config.outbound).map_err(|e| CliError::Runtime(anyhow::anyhow!(e)))?;
    Ok(Harvester::new(
        db.clone(),
        Arc::new(outbound),
        Progress::default(),
        config.harvest.lease_secs,
    ))
}

/// Runs one source with live progress; returns the finished run.
pub async fn run_with_progress(
    h: &Harvester,
    key: &str,
    full: bool,
) -> Result<harvest_run::Model, CliError> {
    let mut rx = h.progress.subscribe();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b.set_prefix(key.to_string());
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        b
    });
    let watch = bar.clone().map(|b| {
        let key = key.to_string();
        tokio::spawn(async move {
            while let Ok(e) = rx.recv().await {
                if e.source_key == key {
                    b.set_message(format!(
                        "{} seen · {} new · {} updated · {} unchanged · {} deleted · {} rejected",
                        e.seen, e.created, e.updated, e.unchanged, e.deleted, e.rejected
                    ));
                }
            }
        })
    });
    let result = h.run(key, full).await;
    if let Some(w) = watch {
        w.abort();
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(result?)
}

/// Prints the one-line summary of a run.
pub fn summary(key: &str, r: &harvest_run::Model) {
    let secs = r
        .finished_at
        .map(|f| (f - r.started_at).num_milliseconds() as f64 / 1000.0)
        .unwrap_or_default();
    println!(
        "{key}: {} — {} seen, {} created, {} updated, {} unchanged, {} deleted, {} rejected in {secs:.1}s ({:.0} records/s)",
        r.status,
        r.seen,
        r.created,
        r.updated,
        r.unchanged,
        r.deleted,
        r.rejected,
        r.seen as f64 / secs.max(1e-3)
    );
}

/// Harvests the chosen sources.
pub async fn run(config: &Config, args: Args) -> Result<(), CliError> {
    let db = super::open_store(config).await?;
    crate::sources::service::sync_config(&db, &config.sources).await?;
    let h = harvester(config, &db)?;
    let keys: Vec<String> = match (&args.source, args.all) {
        (Some(k), _) => vec![crate::sources::service::get(&db, k).await?.key],
        (None, _) => crate::sources::service::list(&db)
            .await?
            .into_iter()
            .filter(|s| s.enabled)
            .map(|s| s.key)
            .collect(),
    };
    if keys.is_empty() {
        println!("no sources to harvest");
        return Ok(());
    }
    let mut failed = 0;
    for key in keys {
        match run_with_progress(&h, &key, args.full).await {
            Ok(r) => summary(&key, &r),
            Err(e) => {
                failed += 1;
                eprintln!("{key}: {e}");
            }
        }
    }
    if failed > 0 {
        return Err(CliError::Runtime(anyhow::anyhow!(
            "{failed} source(s) failed"
        )));
    }
    Ok(())
}
