//! Configuration: defaults that run on a laptop < TOML file < `TRANSFERHUB_SECTION__KEY`
//! environment overrides (and `DATABASE_URL`) < command-line flags. Secrets never print.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

/// `[security]`: the browser-facing hardening (`app/security_headers.rs`, `app/cors.rs`,
/// `files/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Origins allowed to show the hub's pages in a frame (CSP `frame-ancestors`); empty means
    /// `'none'` (and `X-Frame-Options: DENY`).
    pub frame_ancestors: Vec<String>,
    /// `Strict-Transport-Security` max-age; sent only when `server.public_url` is https.
    pub hsts_max_age_secs: u64,
    /// Origins (`https://portal.example.cn`) whose pages may call `/graphql` cross-origin with
    /// a bearer token or API key; never with cookies.
    pub cors_allowed_origins: Vec<String>,
    /// How long a browser may cache a preflight answer.
    pub cors_max_age_secs: u64,
    /// Largest upload accepted by `POST /files`; larger bodies are refused before being read.
    pub upload_max_bytes: u64,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            frame_ancestors: Vec::new(),
            hsts_max_age_secs: 31_536_000,
            cors_allowed_origins: Vec::new(),
            cors_max_age_secs: 600,
            upload_max_bytes: 20 * 1024 * 1024,
        }
    }
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

/// `[storage]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Where the SQLite file, search index and other local state live.
    pub data_dir: String,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/transferhub.db?mode=rwc".into(),
            data_dir: "data".into(),
            max_connections: 16,
        }
    }
}

/// `[search]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// `embedded` (tantivy) or `meilisearch`.
    pub backend: String,
    /// Meilisearch URL when that backend is chosen.
    pub meilisearch_url: String,
    /// Meilisearch API key (secret).
    pub meilisearch_key: String,
    /// Meilisearch index uid holding the achievements.
    pub meilisearch_index: String,
    /// Groups of equivalent terms; a query for one finds the others (锂电池 ↔ 锂离子电池).
    pub synonyms: Vec<Vec<String>>,
    /// Industry words the Chinese segmenter must keep whole (钕铁硼, 锂离子电池, 蒙药 …).
    pub vocabulary: Vec<String>,
    /// Thematic collections (专题数据库); the six Inner Mongolia clusters by default.
    pub collections: Vec<CollectionConfig>,
    /// Outbox rows the background indexer takes per batch.
    pub indexer_batch: usize,
    /// How often the indexer looks for changes written by other processes.
    pub indexer_poll_ms: u64,
    /// Embedded index only: outbox rows older than this are deleted (every replica reads the
    /// outbox as a log with its own cursor; a replica away longer rebuilds its index).
    pub outbox_retention_secs: u64,
    /// Embedded index only: how long after being written an outbox row is still looked for
    /// below the cursor (a row from a transaction that committed after later rows did).
    pub outbox_settle_secs: u64,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            backend: "embedded".into(),
            meilisearch_url: String::new(),
            meilisearch_key: String::new(),
            meilisearch_index: "achievements".into(),
            synonyms: crate::search::collections::default_synonyms(),
            vocabulary: crate::search::collections::default_vocabulary(),
            collections: crate::search::collections::default_collections(),
            indexer_batch: 500,
            indexer_poll_ms: 1000,
            outbox_retention_secs: 7 * 86400,
            outbox_settle_secs: 300,
        }
    }
}

/// One `[[search.collections]]` entry: a record belongs when any criterion matches.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CollectionConfig {
    /// Stable key used in filters and `collection(key)`.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// One-line Chinese description.
    pub description_zh: String,
    /// GB/T 4754 code prefixes (`C38`, `D4415`); a record's industry code starting with one matches.
    pub industry_prefixes: Vec<String>,
    /// IPC prefixes (`H01M`, `A61K 36`); any of a record's IPC symbols starting with one matches.
    pub ipc_prefixes: Vec<String>,
    /// Words; a record whose title or keywords contain one matches.
    pub keywords: Vec<String>,
}

/// `[outbound]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboundConfig {
    /// Let connectors and link checks reach private and loopback addresses (tests set true).
    pub allow_private_addresses: bool,
    /// Whole-request timeout.
    pub timeout_secs: u64,
    /// Largest response body read (after decompression); larger responses fail the request.
    pub max_body_bytes: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            timeout_secs: 60,
            max_body_bytes: 64 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// `[harvest]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HarvestConfig {
    /// Run the interval scheduler inside `serve`.
    pub scheduler: bool,
    /// How often the scheduler looks for due sources.
    pub tick_secs: u64,
    /// A harvest lease lasts this long unless renewed (each committed page renews it); a killed
    /// process's sources become free again after it.
    pub lease_secs: u64,
}

impl Default for HarvestConfig {
    fn default() -> Self {
        Self {
            scheduler: true,
            tick_secs: 30,
            lease_secs: 120,
        }
    }
}

/// `[log]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `auto` (JSON when stderr is not a terminal), `json` or `pretty`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `transferhub_server=debug`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "auto".into(),
            level: "info".into(),
        }
    }
}

/// `[matching]`: how the matcher weighs text relevance against structured compatibility, and
/// how much work one request or one background batch may do. The default weights are the ones
/// `match-eval` measured best on the development set (BENCHMARKS.md, "## Matching").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MatchingConfig {
    /// Text relevance (BM25 from the search index, normalised per query).
    pub weight_text: f64,
    /// GB/T 4754 industry agreement.
    pub weight_industry: f64,
    /// IPC overlap.
    pub weight_ipc: f64,
    /// Achievement TRL against the need's required TRL.
    pub weight_maturity: f64,
    /// Offered against wanted transfer modes.
    pub weight_transfer_mode: f64,
    /// Asking price against budget (面议 on either side is neutral-positive).
    pub weight_price: f64,
    /// GB/T 2260 region proximity.
    pub weight_region: f64,
    /// Newer records first, all else equal.
    pub weight_recency: f64,
    /// Owners who answered before (contacted / interested feedback) first.
    pub weight_responsiveness: f64,
    /// Candidates taken from the search index per query before re-ranking.
    pub candidates: usize,
    /// Open needs scanned when matching an achievement to needs.
    pub max_needs_scanned: usize,
    /// Suggestions kept per record by the background recompute.
    pub keep_per_record: usize,
    /// Lowest score a suggestion must reach to be kept and announced.
    pub min_score: f64,
    /// Outbox rows the recompute worker takes per batch.
    pub recompute_batch: usize,
    /// How often the worker looks for changes written by other processes.
    pub recompute_poll_ms: u64,
    /// Run the background recompute inside `serve`.
    pub recompute: bool,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        Self {
            weight_text: 0.45,
            weight_industry: 0.15,
            weight_ipc: 0.12,
            weight_maturity: 0.06,
            weight_transfer_mode: 0.06,
            weight_price: 0.04,
            weight_region: 0.04,
            weight_recency: 0.04,
            weight_responsiveness: 0.04,
            candidates: 200,
            max_needs_scanned: 20_000,
            keep_per_record: 20,
            min_score: 0.3,
            recompute_batch: 50,
            recompute_poll_ms: 1000,
            recompute: true,
        }
    }
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceConfig {
    /// Stable source key.
    pub key: String,
    /// `oai_pmh`, `tabular`, `json_api` or `peer_hub`.
    pub kind: String,
    /// Owning organisation key.
    pub org: String,
    /// Endpoint URL for network sources.
    pub url: String,
    /// File path for tabular sources.
    pub path: String,
    /// Mapping file for tabular/JSON sources.
    pub mapping: String,
    /// OAI-PMH metadata prefix.
    pub metadata_prefix: String,
    /// OAI-PMH set.
    pub set: String,
    /// Harvest interval, e.g. `6h`, `30m`, `1d`.
    pub interval: String,
    /// Harvested records wait for review (DRAFT) instead of being published.
    pub requires_review: bool,
}

/// `[auth]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// `[[auth.providers]]` entries.
    pub providers: Vec<AuthProviderConfig>,
    /// A browser session lasts this long after login.
    pub session_ttl_secs: u64,
    /// A browser session unused for this long is closed (checked to the minute).
    pub session_idle_timeout_secs: u64,
    /// Logins begun or finished from one client address per minute (this replica's count).
    pub login_attempts_per_address_per_minute: u32,
    /// Logins finished for one account per minute (this replica's count).
    pub login_attempts_per_account_per_minute: u32,
    /// A login must come back from the provider within this time.
    pub login_ttl_secs: u64,
    /// E-mail addresses that are platform admins when they log in.
    pub platform_admin_emails: Vec<String>,
    /// Requests per minute for a bearer token without its own limit.
    pub default_rate_limit_per_minute: u32,
    /// Where request budgets are counted: `memory` (per process), `database` (one budget shared
    /// by every replica) or `auto` (database on PostgreSQL, memory on SQLite).
    pub rate_limit_store: String,
    /// Anonymous callers may introspect the schema.
    pub anonymous_introspection: bool,
    /// Deepest query an anonymous caller or portal key may send.
    pub anonymous_depth_limit: usize,
    /// Largest complexity an anonymous caller or portal key may send.
    pub anonymous_complexity_limit: usize,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            providers: Vec::new(),
            session_ttl_secs: 8 * 3600,
            session_idle_timeout_secs: 3600,
            login_attempts_per_address_per_minute: 60,
            login_attempts_per_account_per_minute: 5,
            login_ttl_secs: 600,
            platform_admin_emails: Vec::new(),
            default_rate_limit_per_minute: 600,
            rate_limit_store: "auto".into(),
            anonymous_introspection: true,
            anonymous_depth_limit: 10,
            anonymous_complexity_limit: 4000,
        }
    }
}

/// One OpenID Connect provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthProviderConfig {
    /// Provider key used in `/auth/login/{key}`.
    pub key: String,
    /// Issuer URL.
    pub issuer: String,
    /// OAuth2 client id.
    pub client_id: String,
    /// OAuth2 client secret (secret).
    pub client_secret: String,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// Organisation membership by e-mail domain.
    pub org_by_email_domain: BTreeMap<String, String>,
    /// Name shown on the login button (Chinese first).
    pub display_name: String,
}

/// The `[[links]]` entries; CNIPA's services and the known peer portals unless configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct LinkList(pub Vec<LinkConfig>);

impl Default for LinkList {
    fn default() -> Self {
        Self(crate::links::defaults::default_links())
    }
}

/// One `[[links]]` entry of the link directory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    /// Stable key (`cnipa-epub`); admins edit the entry by it.
    pub key: String,
    /// `cnipa`, `peer_portal` or `local_service`.
    pub category: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Chinese description.
    pub description_zh: String,
    /// English description.
    pub description_en: String,
    /// GB/T 2260 code of the region the portal serves (empty: national).
    pub region_code: String,
    /// URL, or template with `{publication_number}`, `{application_number}`, `{application_body}`.
    pub url: String,
    /// Position in lists (ascending).
    pub sort_order: i64,
    /// Shown and checked.
    pub enabled: bool,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            key: String::new(),
            category: String::new(),
            name_zh: String::new(),
            name_en: String::new(),
            description_zh: String::new(),
            description_en: String::new(),
            region_code: String::new(),
            url: String::new(),
            sort_order: 100,
            enabled: true,
        }
    }
}

/// `[link_check]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkCheckConfig {
    /// Run the scheduled checker inside `serve`.
    pub scheduler: bool,
    /// Each link is checked again after this many seconds.
    pub interval_secs: u64,
    /// One check gives up after this many seconds (a slow site counts as broken).
    pub timeout_secs: u64,
    /// Failed checks in a row before a link is flagged BROKEN (one failure may be a blip).
    pub failures_before_broken: u32,
    /// Check results kept per link.
    pub history: u32,
}

impl Default for LinkCheckConfig {
    fn default() -> Self {
        Self {
            scheduler: true,
            interval_secs: 6 * 3600,
            timeout_secs: 10,
            failures_before_broken: 1,
            history: 100,
        }
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

    fn validate(&self) -> Result<(), ConfigError> {
        if !(self.storage.database_url.starts_with("sqlite:")
            || self.storage.database_url.starts_with("postgres://")
            || self.storage.database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(
                "storage.database_url must start with sqlite:, postgres:// or postgresql://".into(),
            ));
        }
        if self.server.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "server.listen {:?} is not an address like 127.0.0.1:8080",
                self.server.listen
            )));
        }
        if !matches!(self.search.backend.as_str(), "embedded" | "meilisearch") {
            return Err(ConfigError::Invalid(
                "search.backend must be \"embedded\" or \"meilisearch\"".into(),
            ));
        }
        if !matches!(
            self.auth.rate_limit_store.as_str(),
            "auto" | "memory" | "database"
        ) {
            return Err(ConfigError::Invalid(
                "auth.rate_limit_store must be \"auto\", \"memory\" or \"database\"".into(),
            ));
        }
        if self.search.outbox_retention_secs < 2 * self.search.outbox_settle_secs.max(1) {
            return Err(ConfigError::Invalid(
                "search.outbox_retention_secs must be at least twice search.outbox_settle_secs"
                    .into(),
            ));
        }
        crate::app::security_headers::validate_config(&self.security)
            .map_err(ConfigError::Invalid)?;
        crate::search::collections::validate_config(&self.search).map_err(ConfigError::Invalid)?;
        crate::auth::oidc::validate_config(&self.auth).map_err(ConfigError::Invalid)?;
        crate::matching::score::validate_config(&self.matching).map_err(ConfigError::Invalid)?;
        crate::links::service::validate_config(&self.links.0).map_err(ConfigError::Invalid)?;
        if !matches!(self.log.format.as_str(), "auto" | "json" | "pretty") {
            return Err(ConfigError::Invalid(
                "log.format must be \"auto\", \"json\" or \"pretty\"".into(),
            ));
        }
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
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
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
    fn collections_and_synonyms_come_from_the_file_and_print_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("hub.toml");
        std::fs::write(
            &path,
            "[search]\nsynonyms = [[\"乳业\", \"奶业\"]]\n\n[[search.collections]]\nkey = \"dairy\"\nname_zh = \"乳业\"\nindustry_prefixes = [\"C144\"]\n",
        )
        .expect("write");
        let c = Config::load_with_env(Some(&path), &[]).expect("load");
        assert_eq!(c.search.collections.len(), 1);
        assert_eq!(c.search.collections[0].key, "dairy");
        assert_eq!(
            c.search.synonyms,
            vec![vec!["乳业".to_string(), "奶业".to_string()]]
        );
        let printed = Config::default().to_masked_toml();
        std::fs::write(&path, printed).expect("write");
        let again = Config::load_with_env(Some(&path), &[]).expect("printed config loads");
        assert_eq!(again.search.collections.len(), 6);
        std::fs::write(
            &path,
            "[[search.collections]]\nkey = \"x\"\nname_zh = \"空\"\n",
        )
        .expect("write");
        let e = Config::load_with_env(Some(&path), &[]).expect_err("no criteria");
        assert!(e.to_string().contains("search.collections[0]"), "{e}");
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
