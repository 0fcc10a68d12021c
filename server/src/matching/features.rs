//! Structured compatibility between one need and one achievement: industry and IPC overlap,
//! maturity against required maturity, transfer modes, price against budget (面议 allowed),
//! region, recency and the owner's responsiveness. Each check yields a value in 0..=1 (or
//! nothing when a side does not say), whether the constraint was met, and a sentence in Chinese.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use transferhub_schema::entity::{achievement, need};
use transferhub_schema::enums::TransferMode;

/// What a check is about; the GraphQL enum mirrors it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[graphql(name = "MatchCheckKind")]
pub enum CheckKind {
    /// GB/T 4754 industry.
    Industry,
    /// IPC codes.
    Ipc,
    /// TRL against required TRL.
    Maturity,
    /// Transfer modes.
    TransferMode,
    /// Price against budget.
    Price,
    /// Region.
    Region,
    /// Age of the candidate record.
    Recency,
    /// The candidate owner's record of answering.
    Responsiveness,
}

/// One evaluated constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// What was compared.
    pub kind: CheckKind,
    /// 0..=1, or `None` when a side gives no data (scored as neutral).
    pub value: Option<f64>,
    /// Met, missed, or not decidable.
    pub met: Option<bool>,
    /// The sentence shown to people, e.g. `成熟度 TRL 6 ≥ 需求 TRL 5`.
    pub text: String,
}

fn check(kind: CheckKind, value: Option<f64>, met: Option<bool>, text: String) -> Check {
    Check {
        kind,
        value,
        met,
        text,
    }
}

/// The matchable facts of a need.
#[derive(Debug, Clone)]
pub struct NeedFacts {
    /// Row id.
    pub id: i64,
    /// Owning organisation.
    pub organisation_id: i64,
    /// Most specific GB/T 4754 code.
    pub industry: Option<String>,
    /// Normalised IPC symbols.
    pub ipc: Vec<String>,
    /// Required TRL.
    pub required_trl: Option<i32>,
    /// Wanted transfer modes (bit mask; 0 = any).
    pub modes: i32,
    /// Budget bounds in yuan; both `None` = 面议.
    pub budget: (Option<i64>, Option<i64>),
    /// GB/T 2260 code.
    pub region: Option<String>,
    /// Last change.
    pub updated: DateTime<Utc>,
}

/// The matchable facts of an achievement.
#[derive(Debug, Clone)]
pub struct AchievementFacts {
    /// Row id.
    pub id: i64,
    /// Owning organisation.
    pub organisation_id: i64,
    /// Most specific GB/T 4754 code.
    pub industry: Option<String>,
    /// Normalised IPC symbols.
    pub ipc: Vec<String>,
    /// TRL.
    pub trl: Option<i32>,
    /// Offered transfer modes (bit mask).
    pub modes: i32,
    /// Asking price in yuan; `None` = 面议.
    pub price: Option<i64>,
    /// GB/T 2260 code.
    pub region: Option<String>,
    /// Publication (or last change).
    pub updated: DateTime<Utc>,
}

/// JSON list column to strings; a malformed column is treated as empty.
pub fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

impl From<&need::Model> for NeedFacts {
    fn from(n: &need::Model) -> Self {
        Self {
            id: n.id,
            organisation_id: n.organisation_id,
            industry: n
                .industry_code
                .clone()
                .or_else(|| n.industry_group.clone())
                .or_else(|| n.industry_division.clone())
                .or_else(|| n.industry_section.clone()),
            ipc: json_list(&n.ipc_codes),
            required_trl: n.required_trl,
            modes: n.transfer_modes,
            budget: (n.budget_min_yuan, n.budget_max_yuan),
            region: n.region_code.clone(),
            updated: n.updated_at,
        }
    }
}

impl From<&achievement::Model> for AchievementFacts {
    fn from(a: &achievement::Model) -> Self {
        Self {
            id: a.id,
            organisation_id: a.organisation_id,
            industry: a
                .industry_code
                .clone()
                .or_else(|| a.industry_group.clone())
                .or_else(|| a.industry_division.clone())
                .or_else(|| a.industry_section.clone()),
            ipc: json_list(&a.ipc_codes),
            trl: a.trl,
            modes: a.transfer_modes,
            price: a.asking_price_yuan,
            region: a.region_code.clone(),
            updated: a.published_at.unwrap_or(a.updated_at),
        }
    }
}

/// Which record is the candidate (its age and owner are judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Achievements ranked for a need.
    AchievementsForNeed,
    /// Needs ranked for an achievement.
    NeedsForAchievement,
}

/// Feedback counts on the candidate owner's records: (answered = interested + contacted, all).
pub type Responsiveness = (u32, u32);

/// Every check for one pair, plus the codes both sides share.
pub fn compare(
    n: &NeedFacts,
    a: &AchievementFacts,
    dir: Direction,
    owner: Responsiveness,
    now: DateTime<Utc>,
) -> (Vec<Check>, Vec<String>) {
    let mut codes = Vec::new();
    let (industry, shared) = industry(n.industry.as_deref(), a.industry.as_deref());
    codes.extend(shared);
    let (ipc, shared) = ipc(&n.ipc, &a.ipc);
    codes.extend(shared);
    let updated = match dir {
        Direction::AchievementsForNeed => a.updated,
        Direction::NeedsForAchievement => n.updated,
    };
    let checks = vec![
        industry,
        ipc,
        maturity(n.required_trl, a.trl),
        modes(n.modes, a.modes),
        price(n.budget, a.price),
        region(n.region.as_deref(), a.region.as_deref()),
        recency(updated, now),
        responsiveness(owner),
    ];
    (checks, codes)
}

/// Industry agreement by the deepest shared GB/T 4754 level.
pub fn industry(need: Option<&str>, ach: Option<&str>) -> (Check, Vec<String>) {
    let (Some(n), Some(a)) = (need, ach) else {
        return (
            check(
                CheckKind::Industry,
                None,
                None,
                "行业: 一方未填写行业代码".into(),
            ),
            Vec::new(),
        );
    };
    let common = n.chars().zip(a.chars()).take_while(|(x, y)| x == y).count();
    // A code that is a prefix of the other (a need for all of C38) agrees fully.
    let full = common > 0 && (common == n.chars().count() || common == a.chars().count());
    let value = match common {
        _ if full => 1.0,
        4 => 0.8,
        3 => 0.6,
        1 | 2 => 0.25,
        _ => 0.0,
    };
    if value == 0.0 {
        return (
            check(
                CheckKind::Industry,
                Some(0.0),
                Some(false),
                format!("行业: 成果 {a} ≠ 需求 {n} ✗"),
            ),
            Vec::new(),
        );
    }
    let level = match common {
        c if c >= 5 => "小类",
        4 => "中类",
        3 => "大类",
        _ => "门类",
    };
    let code: String = n.chars().take(common.max(1)).collect();
    let met = value >= 0.6;
    (
        check(
            CheckKind::Industry,
            Some(value),
            Some(met),
            format!(
                "行业: 同属{level} {code}{}",
                if met { " ✓" } else { "（仅门类相同）" }
            ),
        ),
        vec![format!("GB/T 4754 {code}")],
    )
}

/// IPC overlap: same main group, same subclass, or same class.
pub fn ipc(need: &[String], ach: &[String]) -> (Check, Vec<String>) {
    if need.is_empty() || ach.is_empty() {
        return (
            check(
                CheckKind::Ipc,
                None,
                None,
                "IPC: 一方未填写 IPC 分类号".into(),
            ),
            Vec::new(),
        );
    }
    let main_group = |s: &str| s.split('/').next().unwrap_or(s).trim().to_string();
    let subclass = |s: &str| s.chars().take(4).collect::<String>();
    let class = |s: &str| s.chars().take(3).collect::<String>();
    let mut best = 0.0f64;
    let mut shared = Vec::new();
    for n in need {
        for a in ach {
            let (v, code) = if main_group(n) == main_group(a) {
                (1.0, main_group(n))
            } else if subclass(n).len() == 4 && subclass(n) == subclass(a) {
                (0.8, subclass(n))
            } else if class(n).len() == 3 && class(n) == class(a) {
                (0.4, class(n))
            } else {
                continue;
            };
            best = best.max(v);
            let code = format!("IPC {code}");
            if !shared.contains(&code) {
                shared.push(code);
            }
        }
    }
    let text = if shared.is_empty() {
        format!(
            "IPC: 成果 {} 与需求 {} 无交集 ✗",
            ach.join(", "),
            need.join(", ")
        )
    } else {
        format!(
            "IPC: 共同分类 {} {}",
            shared
                .iter()
                .map(|c| c.trim_start_matches("IPC "))
                .collect::<Vec<_>>()
                .join(", "),
            if best >= 0.8 {
                "✓"
            } else {
                "（仅大类相同）"
            }
        )
    };
    (
        check(CheckKind::Ipc, Some(best), Some(best >= 0.8), text),
        shared,
    )
}

/// TRL against the need's required TRL; one level short is half met.
pub fn maturity(required: Option<i32>, trl: Option<i32>) -> Check {
    match (required, trl) {
        (Some(r), Some(t)) if t >= r => check(
            CheckKind::Maturity,
            Some(1.0),
            Some(true),
            format!("成熟度 TRL {t} ≥ 需求 TRL {r} ✓"),
        ),
        (Some(r), Some(t)) => check(
            CheckKind::Maturity,
            Some(if t + 1 == r { 0.5 } else { 0.0 }),
            Some(false),
            format!("成熟度 TRL {t} < 需求 TRL {r} ✗"),
        ),
        (None, Some(t)) => check(
            CheckKind::Maturity,
            None,
            None,
            format!("成熟度 TRL {t}（需求未要求）"),
        ),
        (Some(r), None) => check(
            CheckKind::Maturity,
            None,
            None,
            format!("成熟度: 成果未填写（需求 TRL {r}）"),
        ),
        (None, None) => check(CheckKind::Maturity, None, None, "成熟度: 未填写".into()),
    }
}

fn labels(mask: i32) -> String {
    TransferMode::from_mask(mask)
        .iter()
        .map(|m| m.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// Offered against wanted transfer modes; 其他协商 on either side leaves room to agree.
pub fn modes(wanted: i32, offered: i32) -> Check {
    if wanted == 0 || offered == 0 {
        return check(
            CheckKind::TransferMode,
            None,
            None,
            "转化方式: 一方未限定".into(),
        );
    }
    let both = wanted & offered;
    if both != 0 {
        return check(
            CheckKind::TransferMode,
            Some(1.0),
            Some(true),
            format!("转化方式: {} ✓", labels(both)),
        );
    }
    let other = TransferMode::Other.bit();
    let value = if (wanted | offered) & other != 0 {
        0.4
    } else {
        0.0
    };
    check(
        CheckKind::TransferMode,
        Some(value),
        Some(false),
        format!(
            "转化方式: 需求 {}，成果提供 {} ✗",
            labels(wanted),
            labels(offered)
        ),
    )
}

/// Yuan as people write it: 80万元, 1.2亿元, 5000元.
pub fn yuan(v: i64) -> String {
    if v >= 100_000_000 {
        format!("{}亿元", trim(v as f64 / 100_000_000.0))
    } else if v >= 10_000 {
        format!("{}万元", trim(v as f64 / 10_000.0))
    } else {
        format!("{v}元")
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Asking price against the budget; 面议 on either side is acceptable but not a firm fit.
pub fn price(budget: (Option<i64>, Option<i64>), price: Option<i64>) -> Check {
    let max = budget.1.or(budget.0);
    match (max, price) {
        (_, None) => check(
            CheckKind::Price,
            Some(0.7),
            Some(true),
            "价格: 成果面议 ✓".into(),
        ),
        (None, Some(p)) => check(
            CheckKind::Price,
            Some(0.7),
            Some(true),
            format!("价格 {}，需求预算面议 ✓", yuan(p)),
        ),
        (Some(b), Some(p)) if p <= b => check(
            CheckKind::Price,
            Some(1.0),
            Some(true),
            format!("价格 {} ≤ 预算 {} ✓", yuan(p), yuan(b)),
        ),
        (Some(b), Some(p)) => {
            let over = p as f64 / (b.max(1)) as f64 - 1.0;
            check(
                CheckKind::Price,
                Some((1.0 - over).clamp(0.0, 0.6)),
                Some(false),
                format!("价格 {} > 预算 {} ✗", yuan(p), yuan(b)),
            )
        }
    }
}

/// Region proximity by GB/T 2260 level.
pub fn region(need: Option<&str>, ach: Option<&str>) -> Check {
    let (Some(n), Some(a)) = (need, ach) else {
        return check(CheckKind::Region, None, None, "地区: 一方未填写".into());
    };
    let same = |k: usize| match (n.get(..k), a.get(..k)) {
        (Some(x), Some(y)) if x == y => Some(x),
        _ => None,
    };
    let (value, text) = if n == a {
        (1.0, format!("地区: 同在 {n} ✓"))
    } else if let Some(p) = same(4) {
        (0.8, format!("地区: 同一地市 {p}00 ✓"))
    } else if let Some(p) = same(2) {
        (0.6, format!("地区: 同省 {p}0000 ✓"))
    } else {
        (0.2, format!("地区: 成果 {a}，需求 {n}（跨省）"))
    };
    check(CheckKind::Region, Some(value), Some(value >= 0.6), text)
}

/// Half-life of one year.
pub fn recency(updated: DateTime<Utc>, now: DateTime<Utc>) -> Check {
    let days = (now - updated).num_days().max(0);
    let value = 0.5f64.powf(days as f64 / 365.0);
    check(
        CheckKind::Recency,
        Some(value),
        None,
        format!("更新于 {} 天前", days),
    )
}

/// Laplace-smoothed share of the owner's suggestions that got an answer.
pub fn responsiveness((answered, all): Responsiveness) -> Check {
    if all == 0 {
        return check(
            CheckKind::Responsiveness,
            None,
            None,
            "响应度: 暂无反馈记录".into(),
        );
    }
    let value = (f64::from(answered) + 1.0) / (f64::from(all) + 2.0);
    check(
        CheckKind::Responsiveness,
        Some(value),
        Some(value >= 0.5),
        format!("响应度: {answered}/{all} 次对接有回应"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maturity_sentences_match_the_issue() {
        assert_eq!(
            maturity(Some(5), Some(6)).text,
            "成熟度 TRL 6 ≥ 需求 TRL 5 ✓"
        );
        let low = maturity(Some(6), Some(3));
        assert_eq!(low.met, Some(false));
        assert_eq!(low.value, Some(0.0));
        assert_eq!(maturity(Some(6), Some(5)).value, Some(0.5));
    }

    #[test]
    fn transfer_modes_name_the_shared_mode() {
        let c = modes(
            TransferMode::Licence.bit(),
            TransferMode::mask(&[TransferMode::Licence, TransferMode::Assignment]),
        );
        assert_eq!(c.text, "转化方式: 许可 ✓");
        let miss = modes(TransferMode::Assignment.bit(), TransferMode::Licence.bit());
        assert_eq!(miss.met, Some(false));
        assert_eq!(modes(0, TransferMode::Licence.bit()).value, None);
    }

    #[test]
    fn industry_levels_and_mismatch() {
        assert_eq!(industry(Some("C3841"), Some("C3841")).0.value, Some(1.0));
        assert_eq!(industry(Some("C3841"), Some("C3849")).0.value, Some(0.8));
        assert_eq!(industry(Some("C3841"), Some("C3825")).0.value, Some(0.6));
        assert_eq!(industry(Some("C3841"), Some("C1441")).0.value, Some(0.25));
        let (c, codes) = industry(Some("C3841"), Some("A0141"));
        assert_eq!((c.value, c.met), (Some(0.0), Some(false)));
        assert!(codes.is_empty());
        assert_eq!(industry(None, Some("C3841")).0.value, None);
        assert_eq!(industry(Some("C38"), Some("C3841")).0.value, Some(1.0));
    }

    #[test]
    fn ipc_overlap_by_group_and_subclass() {
        let (c, codes) = ipc(
            &["H01M 4/525".into()],
            &["H01M 4/131".into(), "C01G 53/00".into()],
        );
        assert_eq!(c.value, Some(1.0));
        assert_eq!(codes, vec!["IPC H01M 4".to_string()]);
        assert_eq!(
            ipc(&["H01M 10/05".into()], &["H01M 4/131".into()]).0.value,
            Some(0.8)
        );
        assert_eq!(
            ipc(&["A23C 9/12".into()], &["H01M 4/131".into()]).0.value,
            Some(0.0)
        );
    }

    #[test]
    fn price_allows_negotiable_and_compares_budget() {
        assert_eq!(price((None, None), None).met, Some(true));
        let ok = price((Some(100_000), Some(800_000)), Some(500_000));
        assert_eq!(ok.text, "价格 50万元 ≤ 预算 80万元 ✓");
        let over = price((None, Some(800_000)), Some(1_200_000));
        assert_eq!(over.met, Some(false));
        assert!(over.value.unwrap_or(1.0) < 0.7);
    }

    #[test]
    fn region_levels() {
        assert_eq!(region(Some("150102"), Some("150102")).value, Some(1.0));
        assert_eq!(region(Some("150102"), Some("150105")).value, Some(0.8));
        assert_eq!(region(Some("150102"), Some("150203")).value, Some(0.6));
        assert_eq!(region(Some("150102"), Some("110101")).value, Some(0.2));
        // Malformed codes (harvested data) never panic.
        assert_eq!(region(Some("15"), Some("1")).value, Some(0.2));
        assert_eq!(region(Some("内蒙古"), Some("内蒙")).value, Some(0.2));
    }

    #[test]
    fn responsiveness_is_smoothed() {
        assert_eq!(responsiveness((0, 0)).value, None);
        assert_eq!(responsiveness((3, 4)).value, Some(4.0 / 6.0));
    }
}
