//! Suggested meetings: scores pairs of registrants by structured overlap between what one
//! offers (achievements) and the other seeks (needs) — same GB/T 4754 industry (group >
//! division > section), shared IPC subclasses, shared keywords. Kept in one small file so the
//! matching engine can replace it behind the same signature.

use std::collections::BTreeSet;

/// The facets of an achievement or a need that suggestions compare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// The achievement's or need's row id (0 when not stored).
    pub id: i64,
    /// GB/T 4754 code (any level).
    pub industry: Option<String>,
    /// IPC symbols.
    pub ipc: Vec<String>,
    /// Keywords.
    pub keywords: Vec<String>,
}

impl Profile {
    /// A profile from a stored row's columns (IPC symbols and keywords as JSON lists).
    pub fn from_stored(
        id: i64,
        industry: Option<String>,
        ipc_json: &str,
        keywords_json: &str,
    ) -> Self {
        let list = |s: &str| -> Vec<String> { serde_json::from_str(s).unwrap_or_default() };
        Self {
            id,
            industry,
            ipc: list(ipc_json),
            keywords: list(keywords_json),
        }
    }
}

/// What a registrant brings: profiles of its offered achievements and sought needs.
#[derive(Debug, Clone, Default)]
pub struct Registrant {
    /// Participant row id.
    pub id: i64,
    /// Offered achievements.
    pub offers: Vec<Profile>,
    /// Sought needs.
    pub seeks: Vec<Profile>,
}

/// A suggested pair: `offerer` has something `seeker` looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The side with the achievement.
    pub offerer: i64,
    /// The side with the need.
    pub seeker: i64,
    /// Overlap score (higher is better).
    pub score: u32,
    /// The offerer's achievement behind the best score.
    pub achievement: i64,
    /// The seeker's need behind the best score.
    pub need: i64,
    /// Why, in words (Chinese first): the shared industry, IPC subclasses and keywords.
    pub reasons: Vec<String>,
}

/// Lowest score worth suggesting: at least an industry division or an IPC subclass in common.
pub const MIN_SCORE: u32 = 2;

/// What an achievement and a need have in common: the one computation behind both the score
/// and the reasons shown, so the words always say what was counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlap {
    /// The longest common prefix of the two GB/T 4754 codes (empty when none or either lacks one).
    pub industry: String,
    /// IPC subclasses (first four characters) both carry.
    pub ipc: Vec<String>,
    /// The need's keywords the achievement carries too, in the need's order.
    pub keywords: Vec<String>,
}

impl Overlap {
    /// Compares one achievement with one need.
    pub fn of(offer: &Profile, need: &Profile) -> Self {
        let industry = match (&offer.industry, &need.industry) {
            (Some(a), Some(b)) => a
                .chars()
                .zip(b.chars())
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| x)
                .collect(),
            _ => String::new(),
        };
        let sub = |v: &[String]| -> BTreeSet<String> {
            v.iter().map(|c| c.chars().take(4).collect()).collect()
        };
        let ipc = sub(&offer.ipc)
            .intersection(&sub(&need.ipc))
            .cloned()
            .collect();
        let kw: BTreeSet<&String> = offer.keywords.iter().collect();
        let keywords = need
            .keywords
            .iter()
            .filter(|k| kw.contains(k))
            .cloned()
            .collect();
        Self {
            industry,
            ipc,
            keywords,
        }
    }

    /// Industry group > division > section, 2 per IPC subclass, 1 per keyword.
    pub fn score(&self) -> u32 {
        let industry = match self.industry.chars().count() {
            0 => 0,
            1 => 1,
            2 | 3 => 2,
            _ => 3,
        };
        industry + 2 * self.ipc.len() as u32 + self.keywords.len() as u32
    }

    /// What `score` counted, as sentences a participant can read (Chinese, then English).
    pub fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        let common = &self.industry;
        match common.chars().count() {
            0 => {}
            1 => out.push(format!("同属行业门类 {common} (same industry section)")),
            2 | 3 => out.push(format!("同属行业大类 {common} (same industry division)")),
            _ => out.push(format!("同一行业 {common} (same industry group)")),
        }
        for c in &self.ipc {
            out.push(format!("IPC 小类相同 {c} (shared IPC subclass)"));
        }
        if !self.keywords.is_empty() {
            out.push(format!(
                "共同关键词：{} (shared keywords)",
                self.keywords.join("、")
            ));
        }
        out
    }
}

/// Scores one achievement against one need.
pub fn score(offer: &Profile, need: &Profile) -> u32 {
    Overlap::of(offer, need).score()
}

/// Suggestions among registrants, best first, at most `per_participant` for each offerer and
/// each seeker; pairs in `exclude` (already requested, in either order) are skipped.
pub fn suggest(
    registrants: &[Registrant],
    exclude: &BTreeSet<(i64, i64)>,
    per_participant: usize,
) -> Vec<Suggestion> {
    let mut all = Vec::new();
    for o in registrants {
        for k in registrants {
            if o.id == k.id || exclude.contains(&(o.id.min(k.id), o.id.max(k.id))) {
                continue;
            }
            let best = o
                .offers
                .iter()
                .flat_map(|a| k.seeks.iter().map(move |n| (Overlap::of(a, n), a, n)))
                .max_by_key(|(ov, a, n)| (ov.score(), std::cmp::Reverse((a.id, n.id))));
            if let Some((overlap, a, n)) = best.filter(|(ov, _, _)| ov.score() >= MIN_SCORE) {
                all.push(Suggestion {
                    offerer: o.id,
                    seeker: k.id,
                    score: overlap.score(),
                    achievement: a.id,
                    need: n.id,
                    reasons: overlap.reasons(),
                });
            }
        }
    }
    all.sort_by_key(|s| (std::cmp::Reverse(s.score), s.offerer, s.seeker));
    let mut count = std::collections::BTreeMap::<i64, usize>::new();
    let mut pairs = BTreeSet::new();
    let mut out = Vec::new();
    for s in all {
        let key = (s.offerer.min(s.seeker), s.offerer.max(s.seeker));
        let (a, b) = (
            *count.get(&s.offerer).unwrap_or(&0),
            *count.get(&s.seeker).unwrap_or(&0),
        );
        if a >= per_participant || b >= per_participant || !pairs.insert(key) {
            continue;
        }
        *count.entry(s.offerer).or_default() += 1;
        *count.entry(s.seeker).or_default() += 1;
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ind: &str, ipc: &[&str], kw: &[&str]) -> Profile {
        Profile {
            id: 0,
            industry: Some(ind.into()),
            ipc: ipc.iter().map(|s| s.to_string()).collect(),
            keywords: kw.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_reasons_name_exactly_what_the_score_counted() {
        let battery = p("C3841", &["H01M4/525"], &["锂电池"]);
        let need = p("C3841", &["H01M10/05"], &["锂电池", "储能"]);
        let o = Overlap::of(&battery, &need);
        assert_eq!(o.score(), 3 + 2 + 1);
        assert_eq!(
            o.reasons(),
            vec![
                "同一行业 C3841 (same industry group)".to_string(),
                "IPC 小类相同 H01M (shared IPC subclass)".to_string(),
                "共同关键词：锂电池 (shared keywords)".to_string(),
            ]
        );
        let none = Overlap::of(&battery, &p("A0111", &[], &[]));
        assert_eq!((none.score(), none.reasons()), (0, Vec::<String>::new()));
    }

    #[test]
    fn overlap_scores_rank_close_matches_first() {
        let battery = p("C3841", &["H01M4/525"], &["锂电池"]);
        let need_battery = p("C3841", &["H01M10/05"], &["锂电池", "储能"]);
        let need_dairy = p("C1441", &["A23C9/12"], &["乳制品"]);
        assert!(score(&battery, &need_battery) >= 6);
        assert_eq!(score(&battery, &need_dairy), 1);
        let regs = vec![
            Registrant {
                id: 1,
                offers: vec![battery],
                seeks: vec![],
            },
            Registrant {
                id: 2,
                offers: vec![],
                seeks: vec![need_battery],
            },
            Registrant {
                id: 3,
                offers: vec![],
                seeks: vec![need_dairy],
            },
        ];
        let got = suggest(&regs, &BTreeSet::new(), 5);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].offerer, got[0].seeker), (1, 2));
        let mut exclude = BTreeSet::new();
        exclude.insert((1, 2));
        assert!(suggest(&regs, &exclude, 5).is_empty());
    }
}
