//! `[matching]`: the matcher's weights and limits; composed by `app/config.rs`.

use serde::{Deserialize, Serialize};

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

impl MatchingConfig {
    /// Checks `[matching]` at load time: the weights make sense, score and candidate bounds.
    pub fn validate(&self) -> Result<(), String> {
        let c = self;
        let ws = super::score::weights(c);
        if ws.iter().any(|(_, w)| !w.is_finite() || *w < 0.0)
            || !c.weight_text.is_finite()
            || c.weight_text < 0.0
        {
            return Err("matching weights must be finite and not negative".into());
        }
        if c.weight_text + ws.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
            return Err("at least one matching weight must be positive".into());
        }
        if !(0.0..=1.0).contains(&c.min_score) {
            return Err("matching.min_score must be between 0 and 1".into());
        }
        if c.candidates == 0 || c.candidates > 2000 {
            return Err("matching.candidates must be between 1 and 2000".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_weights_are_refused() {
        let cfg = MatchingConfig {
            weight_text: -1.0,
            ..Default::default()
        };
        assert!(cfg.validate().is_err());
        assert!(MatchingConfig::default().validate().is_ok());
    }
}
