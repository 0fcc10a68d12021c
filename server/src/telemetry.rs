//! Sets tracing up once: JSON lines when stderr is not a terminal (or when asked), readable
//! text otherwise; the filter comes from `RUST_LOG` or `log.level`.

use serde::{Deserialize, Serialize};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

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

impl LogConfig {
    /// Checks `[log]` at load time.
    pub fn validate(&self) -> Result<(), String> {
        if !matches!(self.format.as_str(), "auto" | "json" | "pretty") {
            return Err("log.format must be \"auto\", \"json\" or \"pretty\"".into());
        }
        Ok(())
    }
}

/// Installs the global subscriber; later calls are ignored (tests call it repeatedly).
pub fn init(log: &LogConfig) {
    // tantivy logs every index commit at info; keep it at warn unless asked for explicitly.
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(format!("tantivy=warn,{}", log.level)))
        .unwrap_or_else(|_| EnvFilter::new("tantivy=warn,info"));
    let json = match log.format.as_str() {
        "json" => true,
        "pretty" => false,
        _ => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}
