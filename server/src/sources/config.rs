//! `[harvest]` (scheduling and leases) and `[[sources]]` (the configured harvest sources);
//! composed by `app/config.rs`.

use serde::{Deserialize, Serialize};

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
