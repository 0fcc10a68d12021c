//! Builds the connector for a stored source from its kind and settings.

use super::service::Settings;
use crate::error::{AppError, AppResult};
use std::path::Path;
use std::sync::Arc;
use transferhub_connectors::json_api::{JsonApiConfig, JsonApiConnector};
use transferhub_connectors::jsonl::JsonlConnector;
use transferhub_connectors::oai_pmh::OaiPmhConnector;
use transferhub_connectors::peer_hub::PeerHubConnector;
use transferhub_connectors::tabular::{Mapping, TabularConnector};
use transferhub_connectors::{Connector, ConnectorError, Fetcher};
use transferhub_schema::entity::source;

fn config_error(e: ConnectorError) -> AppError {
    AppError::bad_input("source", e.to_string())
}

/// The connector for `src`, using `fetcher` for network access.
pub fn build(src: &source::Model, fetcher: Arc<dyn Fetcher>) -> AppResult<Box<dyn Connector>> {
    let s: Settings = serde_json::from_str(&src.settings)
        .map_err(|e| AppError::Internal(format!("source {} settings: {e}", src.key)))?;
    Ok(match src.kind.as_str() {
        "oai_pmh" => Box::new(OaiPmhConnector::new(
            s.url.clone(),
            if s.metadata_prefix.is_empty() {
                "oai_dc".into()
            } else {
                s.metadata_prefix.clone()
            },
            (!s.set.is_empty()).then(|| s.set.clone()),
            fetcher,
        )),
        "tabular" => {
            let mapping = if s.mapping.trim().is_empty() {
                None
            } else {
                Some(Mapping::load(Path::new(&s.mapping)).map_err(config_error)?)
            };
            Box::new(TabularConnector::open(Path::new(&s.path), mapping).map_err(config_error)?)
        }
        "jsonl" => Box::new(JsonlConnector::open(Path::new(&s.path)).map_err(config_error)?),
        "json_api" => {
            let text = std::fs::read_to_string(&s.mapping).map_err(|e| {
                AppError::bad_input("mapping", format!("cannot read {}: {e}", s.mapping))
            })?;
            let mut table: toml::Table = text
                .parse()
                .map_err(|e| AppError::bad_input("mapping", format!("{}: {e}", s.mapping)))?;
            // The source's URL wins over one written in the mapping file.
            if !s.url.is_empty() {
                table.insert("url".into(), toml::Value::String(s.url.clone()));
            }
            let config: JsonApiConfig =
                toml::Value::Table(table)
                    .try_into()
                    .map_err(|e: toml::de::Error| {
                        AppError::bad_input("mapping", format!("{}: {e}", s.mapping))
                    })?;
            Box::new(JsonApiConnector::new(config, fetcher).map_err(config_error)?)
        }
        "peer_hub" => Box::new(PeerHubConnector::new(s.url.clone(), fetcher)),
        other => {
            return Err(AppError::bad_input(
                "kind",
                format!("unknown source kind {other:?}"),
            ))
        }
    })
}
