//! Configuration: defaults that run on a laptop < TOML file < `TRANSFERHUB_SECTION__KEY`
//! environment overrides (and `DATABASE_URL`) < command-line flags. Secrets never print.
//!
//! Each section's type, defaults and checks live beside the code that reads them
//! (`search/config.rs`, `auth/config.rs`, `db.rs`, …); this module composes them into one
//! [`Config`], loads the file and environment, and asks every section to validate itself.

use crate::app::security_headers::SecurityConfig;
use crate::auth::config::AuthConfig;
use crate::db::StorageConfig;
use crate::links::config::{LinkCheckConfig, LinkList};
use crate::matching::config::MatchingConfig;
use crate::outbound::OutboundConfig;
use crate::search::config::SearchConfig;
use crate::sources::config::{HarvestConfig, SourceConfig};
use crate::telemetry::LogConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why a configuration could not be loaded; every variant is a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML (after overrides) does not fit the schema.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The whole effective configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// HTTP listener and API limits.
    pub server: ServerConfig,
    /// Database and data directory.
    pub storage: StorageConfig,
    /// Search backend.
    pub search: SearchConfig,
    /// Outbound HTTP guard.
    pub outbound: OutboundConfig,
    /// Harvest scheduling and leases.
    pub harvest: HarvestConfig,
    /// Logging.
    pub log: LogConfig,
    /// Harvest sources (federation issue).
    pub sources: Vec<SourceConfig>,
    /// Login providers (identity issue).
    pub auth: AuthConfig,
    /// Supply-demand matching weights and limits (matching issue).
    pub matching: MatchingConfig,
    /// The link directory (`[[links]]`): CNIPA services, peer portals, local services.
    pub links: LinkList,
    /// `[link_check]`: the scheduled reachability checker of the link directory.
    pub link_check: LinkCheckConfig,
    /// `[security]`: response headers, cross-origin access, uploads.
    pub security: SecurityConfig,
}

/// `[server]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: String,
    /// URL users reach the hub at (links, redirects).
    pub public_url: String,
    /// Largest accepted request body; larger requests get 413.
    pub body_limit_bytes: usize,
    /// Requests running longer are cut off with 408.
    pub request_timeout_secs: u64,
    /// Deepest GraphQL selection accepted.
    pub graphql_depth_limit: usize,
    /// Largest GraphQL complexity accepted.
    pub graphql_complexity_limit: usize,
    /// Directory of the built front end (`frontend/dist`), served with SPA fallback; when it
    /// is empty or holds no `index.html`, a built-in landing page says how to build it.
    pub frontend_dir: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            graphql_depth_limit: 12,
            graphql_complexity_limit: 5000,
            frontend_dir: "frontend/dist".into(),
        }
    }
}

impl ServerConfig {
    /// Checks `[server]` at load time.
    pub fn validate(&self) -> Result<(), String> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!(
                "server.listen {:?} is not an address like 127.0.0.1:8080",
                self.listen
            ));
        }
        Ok(())
    }
}

const MASK: &str = "********";

impl Config {
    /// Loads the file (if any), applies environment overrides, and validates.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_with_env(path, &vars)
    }

    /// Same as [`Config::load`] with an explicit environment, so tests need not mutate the process.
    pub fn load_with_env(
        path: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let mut table = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError::Invalid(format!("{}: {e}", p.display())))?
            }
            None => toml::Table::new(),
        };
        for (name, value) in env {
            if name == "DATABASE_URL" && !value.is_empty() {
                set_key(
                    &mut table,
                    "storage",
                    "database_url",
                    toml::Value::String(value.clone()),
                );
                continue;
            }
            let Some(rest) = name.strip_prefix("TRANSFERHUB_") else {
                continue;
            };
            if rest == "CONFIG" {
                continue;
            }
            let Some((section, key)) = rest.split_once("__") else {
                return Err(ConfigError::Invalid(format!(
                    "environment variable {name} must look like TRANSFERHUB_<SECTION>__<KEY>"
                )));
            };
            set_key(
                &mut table,
                &section.to_ascii_lowercase(),
                &key.to_ascii_lowercase(),
                env_value(value),
            );
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Each section checks itself, beside its code; the first error names the key.
    fn validate(&self) -> Result<(), ConfigError> {
        self.storage.validate().map_err(ConfigError::Invalid)?;
        self.server.validate().map_err(ConfigError::Invalid)?;
        self.search.validate().map_err(ConfigError::Invalid)?;
        self.auth.validate().map_err(ConfigError::Invalid)?;
        self.security.validate().map_err(ConfigError::Invalid)?;
        self.matching.validate().map_err(ConfigError::Invalid)?;
        self.links.validate().map_err(ConfigError::Invalid)?;
        self.log.validate().map_err(ConfigError::Invalid)?;
        Ok(())
    }

    /// The effective configuration as TOML with every secret (passwords in URLs, keys) masked.
    pub fn to_masked_toml(&self) -> String {
        let mut c = self.clone();
        c.storage.database_url = mask_url_password(&c.storage.database_url);
        if !c.search.meilisearch_key.is_empty() {
            c.search.meilisearch_key = MASK.into();
        }
        for p in &mut c.auth.providers {
            if !p.client_secret.is_empty() {
                p.client_secret = MASK.into();
            }
        }
        toml::to_string_pretty(&c).unwrap_or_else(|e| format!("# cannot render config: {e}\n"))
    }

    /// True when the store is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.storage.database_url.starts_with("postgres")
    }
}

fn set_key(table: &mut toml::Table, section: &str, key: &str, value: toml::Value) {
    let entry = table
        .entry(section.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(t) = entry {
        t.insert(key.to_string(), value);
    }
}

/// Reads an environment value as a TOML scalar (`true`, `42`, `["a"]`) and falls back to a string.
fn env_value(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .filter(|v| !v.is_str() || raw.starts_with('"'))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// Replaces the password in `scheme://user:password@host` with a mask.
fn mask_url_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:{MASK}@{host}");
            }
        }
    }
    url.to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Environment pairs as `Config::load_with_env` takes them (used by each section's tests).
    pub(crate) fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn defaults_run_on_a_laptop() {
        let c = Config::load_with_env(None, &[]).expect("defaults");
        assert_eq!(c.server.listen, "127.0.0.1:8080");
        assert!(c.storage.database_url.starts_with("sqlite://"));
        assert_eq!(c.search.backend, "embedded");
    }

    #[test]
    fn environment_overrides_file_and_types_are_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("hub.toml");
        std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:9000\"\n").expect("write");
        let c = Config::load_with_env(
            Some(&path),
            &env(&[
                ("TRANSFERHUB_SERVER__BODY_LIMIT_BYTES", "2048"),
                ("TRANSFERHUB_OUTBOUND__ALLOW_PRIVATE_ADDRESSES", "true"),
                ("DATABASE_URL", "postgres://u:pw@127.0.0.1/db"),
            ]),
        )
        .expect("load");
        assert_eq!(c.server.listen, "127.0.0.1:9000");
        assert_eq!(c.server.body_limit_bytes, 2048);
        assert!(c.outbound.allow_private_addresses);
        assert!(c.is_postgres());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_rejected_with_reason() {
        let e = Config::load_with_env(None, &env(&[("TRANSFERHUB_SERVER__LISTN", "x")]))
            .expect_err("typo");
        assert!(e.to_string().contains("listn"), "{e}");
        let e = Config::load_with_env(
            None,
            &env(&[("TRANSFERHUB_STORAGE__DATABASE_URL", "mysql://x")]),
        )
        .expect_err("mysql");
        assert!(e.to_string().contains("database_url"), "{e}");
    }

    #[test]
    fn secrets_are_masked() {
        let mut c = Config::default();
        c.storage.database_url = "postgres://hub:s3cret@db/hub".into();
        c.search.meilisearch_key = "masterkey".into();
        let text = c.to_masked_toml();
        assert!(
            !text.contains("s3cret") && !text.contains("masterkey"),
            "{text}"
        );
        assert!(text.contains("hub:********@db"));
    }
}
