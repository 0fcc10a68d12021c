//! `transferhub serve`: runs the HTTP server until SIGTERM/Ctrl-C, draining in-flight requests.

use super::CliError;
use crate::app::config::Config;
use crate::app::state::AppState;
use anyhow::Context;

/// Flags of `serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on (overrides server.listen); port 0 picks a free port.
    #[arg(long)]
    listen: Option<String>,
    /// Migrate and seed the demo data when the database is empty.
    #[arg(long)]
    demo: bool,
}

/// Serves until asked to stop.
pub async fn run(mut config: Config, args: Args) -> Result<(), CliError> {
    if let Some(l) = args.listen {
        if l.parse::<std::net::SocketAddr>().is_err() {
            return Err(CliError::Usage(format!(
                "--listen {l:?} is not an address like 127.0.0.1:8080"
            )));
        }
        config.server.listen = l;
    }
    let db = crate::db::connect(&config).await?;
    // Start-up writes (schema, demo data, configured sources and links) run under the cluster
    // lock, so replicas started together take turns instead of racing on the same rows.
    let lock = crate::cluster::startup_lock::StartupLock::acquire(&db).await?;
    crate::db::migrate_locked(&db).await?;
    if args.demo {
        let report = crate::demo::seed_if_empty(&db).await?;
        if let Some(r) = report {
            tracing::info!(%r, "demo data seeded");
        }
    }
    crate::sources::service::sync_config(&db, &config.sources).await?;
    crate::links::service::sync_config(&db, &config.links.0).await?;
    lock.release().await?;
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    let addr = listener.local_addr().context("local address")?;
    let tick = std::time::Duration::from_secs(config.harvest.tick_secs);
    let scheduler_on = config.harvest.scheduler;
    let link_checker = crate::links::spawn_checker(db.clone(), &config).await?;
    let state = AppState::new(db, config).map_err(|e| CliError::Runtime(anyhow::anyhow!(e)))?;
    let scheduler = scheduler_on.then(|| {
        tokio::spawn(crate::sources::scheduler::run(
            state.harvester.clone(),
            tick,
        ))
    });
    if let Some(f) = &state.fanout {
        // Live events published from now on reach this replica's subscribers.
        f.wait_ready(std::time::Duration::from_secs(10)).await;
    }
    let app = crate::app::router::router(state);
    // The URL goes to stdout so scripts and tests can read where the hub listens.
    println!("TransferHub listening on http://{addr}/ (GraphQL: http://{addr}/graphql)");
    tracing::info!(listen = %addr, "serving");
    // Connection info gives the audit log each request's client address.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(crate::app::shutdown::signal())
    .await
    .context("server failed")?;
    if let Some(s) = scheduler {
        s.abort();
    }
    if let Some(c) = link_checker {
        c.abort();
    }
    Ok(())
}
