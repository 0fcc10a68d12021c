//! Turning text relevance and the structured checks into one score in 0..=1, the feedback
//! adjustment, and the small BM25 the reverse direction (achievement → needs) uses over the open
//! needs, which the search index does not hold.

use super::features::{Check, CheckKind};
use crate::matching::config::MatchingConfig;
use std::collections::HashMap;

/// The weight of each structured check.
pub fn weights(c: &MatchingConfig) -> [(CheckKind, f64); 8] {
    [
        (CheckKind::Industry, c.weight_industry),
        (CheckKind::Ipc, c.weight_ipc),
        (CheckKind::Maturity, c.weight_maturity),
        (CheckKind::TransferMode, c.weight_transfer_mode),
        (CheckKind::Price, c.weight_price),
        (CheckKind::Region, c.weight_region),
        (CheckKind::Recency, c.weight_recency),
        (CheckKind::Responsiveness, c.weight_responsiveness),
    ]
}

/// Value given to a check a side gives no data for: neither reward nor punish.
pub const NEUTRAL: f64 = 0.5;

/// Weighted mean of text relevance (0..=1) and the checks.
pub fn combine(c: &MatchingConfig, text: f64, checks: &[Check]) -> f64 {
    let mut total = c.weight_text;
    let mut sum = c.weight_text * text.clamp(0.0, 1.0);
    for (kind, w) in weights(c) {
        let v = checks
            .iter()
            .find(|k| k.kind == kind)
            .and_then(|k| k.value)
            .unwrap_or(NEUTRAL);
        sum += w * v;
        total += w;
    }
    if total <= 0.0 {
        0.0
    } else {
        sum / total
    }
}

/// Feedback already given on this exact pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairFeedback {
    /// Someone marked it interesting.
    pub interested: bool,
    /// Someone marked it not relevant.
    pub not_relevant: bool,
    /// The parties got in touch.
    pub contacted: bool,
}

/// Applies pair feedback: not relevant sinks a pair (it stays listed, last), interest and
/// contact lift it.
pub fn adjust(score: f64, f: PairFeedback) -> f64 {
    let mut s = score;
    if f.not_relevant {
        s *= 0.2;
    }
    if f.interested {
        s = s * 1.1 + 0.02;
    }
    if f.contacted {
        s = s * 1.15 + 0.03;
    }
    s.clamp(0.0, 1.0)
}

/// Okapi BM25 over a small in-memory corpus of token bags (k1 = 1.2, b = 0.75).
pub struct Bm25<'a> {
    docs: &'a [Vec<String>],
    df: HashMap<&'a str, usize>,
    avg_len: f64,
}

impl<'a> Bm25<'a> {
    /// Indexes the bags.
    pub fn new(docs: &'a [Vec<String>]) -> Self {
        let mut df: HashMap<&str, usize> = HashMap::new();
        let mut len = 0usize;
        for d in docs {
            len += d.len();
            let mut seen: Vec<&str> = d.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *df.entry(t).or_default() += 1;
            }
        }
        let avg_len = if docs.is_empty() {
            1.0
        } else {
            (len as f64 / docs.len() as f64).max(1.0)
        };
        Self { docs, df, avg_len }
    }

    /// Score of bag `i` for `query`.
    pub fn score(&self, i: usize, query: &[String]) -> f64 {
        let Some(doc) = self.docs.get(i) else {
            return 0.0;
        };
        let n = self.docs.len() as f64;
        let dl = doc.len() as f64;
        let mut s = 0.0;
        for q in query {
            let tf = doc.iter().filter(|t| *t == q).count() as f64;
            if tf == 0.0 {
                continue;
            }
            let df = *self.df.get(q.as_str()).unwrap_or(&0) as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            s += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / self.avg_len));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(kind: CheckKind, v: Option<f64>) -> Check {
        Check {
            kind,
            value: v,
            met: None,
            text: String::new(),
        }
    }

    #[test]
    fn combine_is_a_weighted_mean_with_neutral_gaps() {
        let cfg = MatchingConfig::default();
        let all_one: Vec<Check> = weights(&cfg)
            .iter()
            .map(|(k, _)| c(*k, Some(1.0)))
            .collect();
        assert!((combine(&cfg, 1.0, &all_one) - 1.0).abs() < 1e-9);
        let none: Vec<Check> = Vec::new();
        let s = combine(&cfg, 0.0, &none);
        let structured: f64 = weights(&cfg).iter().map(|(_, w)| w).sum();
        assert!((s - NEUTRAL * structured / (structured + cfg.weight_text)).abs() < 1e-9);
    }

    #[test]
    fn not_relevant_sinks_and_contact_lifts() {
        let base = 0.6;
        assert!(
            adjust(
                base,
                PairFeedback {
                    not_relevant: true,
                    ..Default::default()
                }
            ) < 0.2
        );
        assert!(
            adjust(
                base,
                PairFeedback {
                    contacted: true,
                    ..Default::default()
                }
            ) > base
        );
    }

    #[test]
    fn bm25_prefers_rare_matching_terms() {
        let docs = vec![
            vec!["稀土".to_string(), "永磁".to_string()],
            vec!["稀土".to_string(), "抛光粉".to_string()],
            vec!["乳酸菌".to_string()],
        ];
        let bm = Bm25::new(&docs);
        let q = vec!["永磁".to_string(), "稀土".to_string()];
        assert!(bm.score(0, &q) > bm.score(1, &q));
        assert_eq!(bm.score(2, &q), 0.0);
    }
}
