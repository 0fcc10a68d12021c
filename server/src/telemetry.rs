//! Sets tracing up once: JSON lines when stderr is not a terminal (or when asked), readable
//! text otherwise; the filter comes from `RUST_LOG` or `log.level`.

use crate::app::config::LogConfig;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

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
