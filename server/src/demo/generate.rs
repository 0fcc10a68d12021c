//! Deterministic synthetic achievements and needs for benchmarks (up to millions of rows):
//! the same `--seed` gives the same records on every machine (ChaCha8). Records are composed
//! from per-cluster vocabularies so they read plausibly and carry valid codes and patent numbers.

use super::{DemoAchievement, DemoNeed, DemoPatent};
use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use transferhub_schema::enums::{AchievementStatus, AchievementType, NeedStatus, TransferMode};
use transferhub_schema::types::PatentApplicationNumber;

/// One industrial cluster's vocabulary.
struct Cluster {
    subjects: &'static [&'static str],
    methods: &'static [&'static str],
    qualities: &'static [&'static str],
    industries: &'static [&'static str],
    ipcs: &'static [&'static str],
    keywords: &'static [&'static str],
}

const CLUSTERS: [Cluster; 6] = [
    Cluster {
        subjects: &[
            "羊乳粉",
            "发酵乳",
            "牛肉干",
            "马铃薯全粉",
            "燕麦β-葡聚糖",
            "沙棘果汁",
            "奶酪",
            "羊绒纤维",
            "苜蓿青贮饲料",
            "乳清蛋白",
        ],
        methods: &[
            "制备方法",
            "加工工艺",
            "保鲜技术",
            "生产线",
            "检测方法",
            "提取工艺",
        ],
        qualities: &["低温", "高效", "绿色", "连续化", "高得率", "无添加"],
        industries: &[
            "C1441", "C1442", "C1351", "C1391", "C1523", "C1721", "C1320",
        ],
        ipcs: &[
            "A23C 9/12",
            "A23L 13/00",
            "A23L 19/12",
            "A23K 30/15",
            "D01C 3/00",
        ],
        keywords: &[
            "乳制品",
            "益生菌",
            "冷链",
            "肉羊",
            "马铃薯",
            "燕麦",
            "沙棘",
            "羊绒",
        ],
    },
    Cluster {
        subjects: &[
            "蒙药复方制剂",
            "黄芪多糖",
            "肉苁蓉提取物",
            "甘草酸",
            "疫苗佐剂",
            "诊断试剂盒",
            "单克隆抗体",
            "中药配方颗粒",
        ],
        methods: &["制备方法", "质量控制方法", "纯化工艺", "检测方法", "应用"],
        qualities: &["高纯度", "缓释", "靶向", "快速", "稳定"],
        industries: &["C2740", "C2710", "C2761", "C2762", "C2770"],
        ipcs: &[
            "A61K 36/00",
            "A61K 31/7048",
            "A61P 35/00",
            "C07K 16/00",
            "G01N 33/53",
        ],
        keywords: &["蒙药", "中药", "抗体", "疫苗", "提取", "制剂"],
    },
    Cluster {
        subjects: &[
            "稀土永磁材料",
            "钕铁硼磁体",
            "稀土抛光粉",
            "高强度钢板",
            "铝合金型材",
            "石墨烯复合材料",
            "稀土储氢合金",
            "耐磨衬板",
        ],
        methods: &[
            "制备方法",
            "热处理工艺",
            "成形装置",
            "表面处理方法",
            "回收方法",
        ],
        qualities: &["高矫顽力", "低成本", "轻量化", "耐腐蚀", "高性能"],
        industries: &["C3240", "C3140", "C3393", "C3985", "C3311", "C3099"],
        ipcs: &[
            "H01F 1/057",
            "C22C 38/00",
            "C22F 1/04",
            "B22F 3/00",
            "C01B 32/184",
        ],
        keywords: &["稀土", "永磁", "钢铁", "合金", "石墨烯", "装备制造"],
    },
    Cluster {
        subjects: &[
            "蒙古文识别系统",
            "工业互联网平台",
            "智能巡检机器人",
            "遥感影像分析软件",
            "边缘计算网关",
            "草原生态监测系统",
            "数据安全中间件",
        ],
        methods: &["设计方法", "实现方法", "软件", "系统", "装置"],
        qualities: &["基于深度学习的", "分布式", "实时", "低功耗", "智能"],
        industries: &["I6513", "I6511", "I6540", "C3919", "C3971"],
        ipcs: &[
            "G06F 40/53",
            "G06N 3/08",
            "G06V 30/22",
            "H04L 67/12",
            "G06Q 50/02",
        ],
        keywords: &["人工智能", "蒙古文", "大数据", "物联网", "遥感", "软件"],
    },
    Cluster {
        subjects: &[
            "锂离子电池正极材料",
            "光伏组件",
            "风电机组叶片",
            "氢燃料电池",
            "储能系统",
            "太阳能电池",
            "电解水制氢装置",
            "钠离子电池",
        ],
        methods: &["制备方法", "控制方法", "运维系统", "检测装置", "回收工艺"],
        qualities: &["高效", "长寿命", "高功率", "智能", "低温"],
        industries: &["C3841", "C3825", "D4415", "D4416", "C3849", "D4419"],
        ipcs: &[
            "H01M 4/525",
            "H01L 31/18",
            "F03D 7/00",
            "C25B 1/04",
            "H02J 3/32",
        ],
        keywords: &["锂电池", "光伏", "风电", "氢能", "储能", "新能源"],
    },
    Cluster {
        subjects: &[
            "煤制烯烃催化剂",
            "二氧化碳捕集材料",
            "煤气化废水",
            "聚氯乙烯",
            "电石渣",
            "粉煤灰",
            "甲醇制芳烃工艺",
        ],
        methods: &[
            "处理方法",
            "资源化利用方法",
            "制备方法",
            "节能工艺",
            "反应装置",
        ],
        qualities: &["低碳", "节能", "高选择性", "循环", "清洁"],
        industries: &["C2614", "C2651", "C2521", "C2662", "N7724"],
        ipcs: &[
            "B01J 29/85",
            "C02F 9/00",
            "C07C 1/20",
            "B01D 53/62",
            "C04B 18/08",
        ],
        keywords: &["煤化工", "碳捕集", "固废利用", "催化剂", "节能减排"],
    },
];

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "高", "孙", "马", "郭", "乌", "包",
];
const GIVEN: [&str; 16] = [
    "建国",
    "丽",
    "伟",
    "敏",
    "力格尔",
    "其其格",
    "巴特尔",
    "芳",
    "强",
    "海峰",
    "娜",
    "晓东",
    "宝音",
    "静",
    "明",
    "斯琴",
];
const REGIONS: [&str; 10] = [
    "150100", "150100", "150100", "150200", "150600", "150400", "150700", "152500", "110000",
    "330100",
];

/// Institutions that own synthetic achievements, and firms that post synthetic needs.
pub struct Owners {
    /// Keys of universities and institutes.
    pub institutions: Vec<String>,
    /// Keys of firms.
    pub firms: Vec<String>,
}

fn pick<'a, R: Rng>(rng: &mut R, list: &'a [&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or_default()
}

fn person<R: Rng>(rng: &mut R) -> String {
    format!("{}{}", pick(rng, &SURNAMES), pick(rng, &GIVEN))
}

fn modes<R: Rng>(rng: &mut R) -> Vec<TransferMode> {
    let mut m: Vec<TransferMode> = TransferMode::ALL
        .into_iter()
        .filter(|_| rng.gen_bool(0.3))
        .collect();
    if m.is_empty() {
        m.push(TransferMode::Licence);
    }
    m
}

/// A valid new-format application number with a correct check digit.
fn application_number<R: Rng>(rng: &mut R, serial: u64) -> String {
    // The index decides year and serial, so numbers stay unique across runs up to 140M records.
    let year = 2012 + (serial / 10_000_000) % 14;
    let kind = if rng.gen_bool(0.8) { 1 } else { 2 };
    let body = format!("{year}{kind}{:07}", (serial + 5_000_000) % 10_000_000);
    let check = PatentApplicationNumber::check_digit(&body).unwrap_or('0');
    format!("{body}.{check}")
}

/// The `i`-th synthetic achievement of a run.
pub fn achievement(rng: &mut ChaCha8Rng, i: u64, owners: &Owners) -> DemoAchievement {
    let c = &CLUSTERS[(i % CLUSTERS.len() as u64) as usize];
    let subject = pick(rng, c.subjects);
    let title = format!(
        "一种{}{}的{}（{}）",
        pick(rng, c.qualities),
        subject,
        pick(rng, c.methods),
        i + 1
    );
    let patent = rng.gen_bool(0.65);
    let serial = i;
    let patents = if patent {
        vec![DemoPatent {
            application_number: application_number(rng, serial),
            publication_number: Some(format!("CN{:09}A", 100_000_000 + (i % 900_000_000))),
            granted: Some(rng.gen_bool(0.5)),
        }]
    } else {
        vec![]
    };
    let trl = rng.gen_range(2..=9);
    let kw: Vec<String> = c
        .keywords
        .choose_multiple(rng, 3)
        .map(|s| s.to_string())
        .collect();
    DemoAchievement {
        org: owners.institutions[(i as usize) % owners.institutions.len().max(1)].clone(),
        summary: format!(
            "本成果针对{subject}领域的关键技术难题，提出了{}的新方案。经试验验证，主要技术指标较现有工艺提升{}%，能耗降低{}%，已完成{}，适合在{}推广应用。",
            pick(rng, c.qualities),
            rng.gen_range(10..60),
            rng.gen_range(5..40),
            ["实验室验证", "小试", "中试", "示范应用"][rng.gen_range(0..4)],
            kw.first().map_or("相关行业", String::as_str),
        ),
        title,
        title_en: None,
        achievement_type: if patent { AchievementType::Patent } else { AchievementType::KnowHow },
        inventors: (0..rng.gen_range(1..4)).map(|_| person(rng)).collect(),
        summary_en: None,
        keywords: kw,
        industry_code: Some(pick(rng, c.industries).to_string()),
        ipc_codes: vec![pick(rng, c.ipcs).to_string()],
        trl: Some(trl),
        transfer_modes: modes(rng),
        asking_price_yuan: if rng.gen_bool(0.4) { None } else { Some(rng.gen_range(10..2000) * 10_000) },
        contact_name: Some(person(rng)),
        contact_phone: Some(format!("0471-{}", rng.gen_range(3_000_000..7_000_000))),
        contact_email: None,
        region_code: Some(pick(rng, &REGIONS).to_string()),
        status: if rng.gen_bool(0.95) { AchievementStatus::Published } else { AchievementStatus::Draft },
        published_on: NaiveDate::from_ymd_opt(2020 + (i % 6) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32),
        patents,
    }
}

/// The `i`-th synthetic need of a run.
pub fn need(rng: &mut ChaCha8Rng, i: u64, owners: &Owners) -> DemoNeed {
    let c = &CLUSTERS[(i % CLUSTERS.len() as u64) as usize];
    let subject = pick(rng, c.subjects);
    let min = rng.gen_range(5..200) * 10_000;
    let negotiable = rng.gen_bool(0.3);
    DemoNeed {
        org: owners.firms[(i as usize) % owners.firms.len().max(1)].clone(),
        title: format!("{}{}技术需求（{}）", pick(rng, c.qualities), subject, i + 1),
        title_en: None,
        description: format!(
            "我公司在{subject}生产中面临效率和成本问题，现寻求{}相关技术，要求关键指标提升{}%以上，可采用技术许可、合作开发等方式。",
            pick(rng, c.qualities),
            rng.gen_range(10..50)
        ),
        industry_code: Some(pick(rng, c.industries).to_string()),
        ipc_codes: vec![pick(rng, c.ipcs).to_string()],
        required_trl: Some(rng.gen_range(4..=8)),
        transfer_modes: modes(rng),
        budget_min_yuan: (!negotiable).then_some(min),
        budget_max_yuan: (!negotiable).then_some(min * 3),
        region_code: Some(pick(rng, &REGIONS).to_string()),
        deadline: NaiveDate::from_ymd_opt(2027, 1 + (i % 12) as u32, 28),
        status: if rng.gen_bool(0.9) { NeedStatus::Open } else { NeedStatus::Closed },
        keywords: c.keywords.choose_multiple(rng, 3).map(|s| s.to_string()).collect(),
        contact_name: Some(person(rng)),
    }
}

/// A fresh generator for a seed.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners() -> Owners {
        Owners {
            institutions: vec!["imu".into(), "imau".into()],
            firms: vec!["f1".into()],
        }
    }

    #[test]
    fn same_seed_same_records() {
        let (mut a, mut b) = (rng(7), rng(7));
        for i in 0..50 {
            assert_eq!(
                serde_json::to_string(&achievement(&mut a, i, &owners())).expect("json"),
                serde_json::to_string(&achievement(&mut b, i, &owners())).expect("json")
            );
        }
        let mut c = rng(8);
        assert_ne!(
            serde_json::to_string(&achievement(&mut c, 0, &owners())).expect("json"),
            serde_json::to_string(&achievement(&mut rng(7), 0, &owners())).expect("json")
        );
    }

    #[test]
    fn generated_codes_pass_validation() {
        let mut r = rng(1);
        for i in 0..600 {
            let a = achievement(&mut r, i, &owners());
            for p in &a.patents {
                PatentApplicationNumber::parse(&p.application_number).expect("patent number");
                transferhub_schema::types::PublicationNumber::parse(
                    p.publication_number.as_deref().unwrap_or_default(),
                )
                .expect("publication number");
            }
            for ipc in &a.ipc_codes {
                transferhub_schema::types::IpcSymbol::parse(ipc).expect("ipc");
            }
            transferhub_schema::types::IndustryCode::parse(
                a.industry_code.as_deref().unwrap_or_default(),
            )
            .expect("industry");
            transferhub_schema::types::RegionCode::parse(
                a.region_code.as_deref().unwrap_or_default(),
            )
            .expect("region");
            let n = need(&mut r, i, &owners());
            assert!(n.budget_min_yuan <= n.budget_max_yuan);
        }
    }
}
