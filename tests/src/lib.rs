//! The one test-app builder for end-to-end tests: `TestHub::start(backend, demo)` boots the real
//! router on an ephemeral loopback port over a fresh database (a temp SQLite file, or a new
//! PostgreSQL database per test), with helpers for GraphQL calls and tokens. `binary()` finds
//! the real `transferhub` executable for CLI tests.
//!
//! PostgreSQL runs whenever 127.0.0.1:5432 (or `TEST_DATABASE_URL`) answers; with
//! `THUB_TEST_REQUIRE_POSTGRES=1` (set by the test script when the server is up) an
//! unreachable PostgreSQL fails the test instead of skipping it.

pub mod oidc_peer;

use anyhow::Context;
use rand::Rng;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};
use std::path::PathBuf;
use transferhub_schema::enums::Role;
use transferhub_server::app::config::Config;
use transferhub_server::app::state::AppState;

/// A storage backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh database on the local PostgreSQL.
    Postgres,
}

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The backends to run: SQLite always, PostgreSQL when reachable (or required).
pub async fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    let reachable = match Database::connect(admin_url()).await {
        Ok(db) => db.execute_unprepared("SELECT 1").await.is_ok(),
        Err(_) => false,
    };
    if reachable {
        out.push(Backend::Postgres);
    } else if std::env::var("THUB_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!(
            "PostgreSQL is required (THUB_TEST_REQUIRE_POSTGRES=1) but {} is unreachable",
            admin_url()
        );
    } else {
        eprintln!("backend postgres: SKIPPED (unreachable at {})", admin_url());
    }
    out
}

/// A fresh, empty database; dropped (PostgreSQL) or deleted (SQLite) at the end.
pub struct TestDb {
    /// URL to give the hub.
    pub url: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// Creates a database for `backend`.
    pub async fn create(backend: Backend) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        match backend {
            Backend::Sqlite => Ok(Self {
                url: format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display()),
                pg_name: None,
                _dir: dir,
            }),
            Backend::Postgres => {
                let name = format!("th_test_{:016x}", rand::thread_rng().gen::<u64>());
                let admin = Database::connect(admin_url()).await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await?;
                let base = admin_url();
                let root = base.rsplit_once('/').map_or(base.as_str(), |(r, _)| r);
                Ok(Self {
                    url: format!("{root}/{name}"),
                    pg_name: Some(name),
                    _dir: dir,
                })
            }
        }
    }

    /// Directory for files the test needs (data dir, config).
    pub fn dir(&self) -> PathBuf {
        self._dir.path().to_path_buf()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Best effort, on a fresh thread: the test's runtime may already be shutting down.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(admin_url()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A running hub on loopback.
pub struct TestHub {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The store, for assertions that nothing changed.
    pub db: DatabaseConnection,
    /// Which backend.
    pub backend: Backend,
    client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    _testdb: TestDb,
}

impl TestHub {
    /// Boots a hub on `backend`, optionally with the demo data.
    pub async fn start(backend: Backend, demo: bool) -> anyhow::Result<Self> {
        Self::start_with(backend, demo, |_| {}).await
    }

    /// Boots a hub with a configuration tweak.
    pub async fn start_with(
        backend: Backend,
        demo: bool,
        tweak: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        // The hub's own log, when asked for (`RUST_LOG=error cargo test …`): test output shows
        // what an INTERNAL answer hid.
        if std::env::var_os("RUST_LOG").is_some() {
            transferhub_server::telemetry::init(&Default::default());
        }
        let testdb = TestDb::create(backend).await?;
        // Bound first, so the configuration can carry the hub's own URL (login redirects).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut config = Config::default();
        config.server.public_url = format!("http://{addr}");
        config.storage.database_url = testdb.url.clone();
        config.storage.data_dir = testdb.dir().join("data").display().to_string();
        config.storage.max_connections = 4;
        // Test peers (OAI-PMH providers, JSON APIs) listen on loopback.
        config.outbound.allow_private_addresses = true;
        tweak(&mut config);
        let db = transferhub_server::db::connect(&config).await?;
        transferhub_server::db::migrate(&db).await?;
        if demo {
            transferhub_server::demo::seed(&db)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
        }
        let state = AppState::new(db.clone(), config).map_err(anyhow::Error::msg)?;
        if let Some(f) = &state.fanout {
            // On PostgreSQL live events arrive through LISTEN: be subscribed before requests.
            f.wait_ready(std::time::Duration::from_secs(10)).await;
        }
        let app = transferhub_server::app::router::router(state);
        let server = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await;
        });
        eprintln!("backend {backend:?}: hub at http://{addr}");
        Ok(Self {
            url: format!("http://{addr}"),
            db,
            backend,
            client: reqwest::Client::new(),
            server,
            _testdb: testdb,
        })
    }

    /// Creates a bearer token for an organisation and role.
    pub async fn token(&self, org: &str, role: Role) -> String {
        transferhub_server::auth::token::create(&self.db, org, role, "test")
            .await
            .unwrap_or_else(|e| panic!("token for {org}: {}", e.message()))
    }

    /// Posts a GraphQL request and returns the whole JSON response.
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        self.gql_raw(query, variables, token).await.1
    }

    /// Posts a GraphQL request and returns status and JSON.
    pub async fn gql_raw(
        &self,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.expect("json body");
        (status, body)
    }

    /// A raw HTTP client for non-GraphQL calls.
    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The first error's `extensions.code` of a GraphQL response.
pub fn error_code(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["code"].as_str()
}

/// The path of the real `transferhub` binary built next to the test executable.
pub fn binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(|d| {
            if d.ends_with("deps") {
                d.parent()
            } else {
                Some(d)
            }
        })
        .context("test executable has no directory")?;
    let bin = dir.join(format!("transferhub{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        bin.exists(),
        "{} not built; run `cargo build -p transferhub-server --bin transferhub` first (the test script does)",
        bin.display()
    );
    Ok(bin)
}
