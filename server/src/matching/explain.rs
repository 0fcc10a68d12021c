//! The explanation every match carries, in words a person can read: the terms both records
//! share, the classification codes they share, and each constraint met or missed.

use super::features::{Check, CheckKind};
use serde::{Deserialize, Serialize};

/// Why a pair was suggested.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Terms of the query record found in the candidate.
    pub matched_terms: Vec<String>,
    /// Codes both share (`GB/T 4754 C38`, `IPC H01M 4`).
    pub matched_codes: Vec<String>,
    /// Each constraint with its sentence.
    pub constraints: Vec<Check>,
    /// Text relevance, 0..=1 relative to the best text match of the query.
    pub text_score: f64,
}

/// The checks that are a need's stated requirements (minimum maturity, acceptable transfer
/// modes, budget): a candidate that misses one ranks below every candidate that meets them all.
/// Region stays a preference: a need records where the firm is, not where it may buy.
pub const REQUIREMENTS: [CheckKind; 3] = [
    CheckKind::Maturity,
    CheckKind::TransferMode,
    CheckKind::Price,
];

impl Explanation {
    /// The stated requirements this pair misses (empty when it meets them or they are unknown).
    pub fn unmet(&self) -> Vec<&Check> {
        self.constraints
            .iter()
            .filter(|c| REQUIREMENTS.contains(&c.kind) && c.met == Some(false))
            .collect()
    }

    /// One line for lists and notifications, e.g. `共同词: 稀土、永磁；成熟度 TRL 6 ≥ 需求 TRL 5 ✓`;
    /// a pair missing a stated requirement starts with `不满足需求条件: …`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let unmet = self.unmet();
        if !unmet.is_empty() {
            parts.push(format!(
                "不满足需求条件: {}",
                unmet
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
        if !self.matched_terms.is_empty() {
            parts.push(format!("共同词: {}", self.matched_terms.join("、")));
        }
        if !self.matched_codes.is_empty() {
            parts.push(format!("共同分类: {}", self.matched_codes.join("、")));
        }
        parts.extend(
            self.constraints
                .iter()
                .filter(|c| c.met.is_some() && !unmet.iter().any(|u| std::ptr::eq(*u, *c)))
                .map(|c| c.text.clone()),
        );
        if parts.is_empty() {
            "仅按时间与完整度排序".into()
        } else {
            parts.join("；")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::features::maturity;

    #[test]
    fn summary_lists_terms_codes_and_decided_constraints() {
        let e = Explanation {
            matched_terms: vec!["稀土".into(), "永磁".into()],
            matched_codes: vec!["IPC H01F 1".into()],
            constraints: vec![maturity(Some(5), Some(6)), maturity(None, None)],
            text_score: 1.0,
        };
        assert_eq!(
            e.summary(),
            "共同词: 稀土、永磁；共同分类: IPC H01F 1；成熟度 TRL 6 ≥ 需求 TRL 5 ✓"
        );
        let missed = Explanation {
            constraints: vec![maturity(Some(7), Some(4))],
            ..Default::default()
        };
        assert_eq!(missed.unmet().len(), 1);
        assert!(
            missed
                .summary()
                .starts_with("不满足需求条件: 成熟度 TRL 4 < 需求 TRL 7 ✗"),
            "{}",
            missed.summary()
        );
    }
}
