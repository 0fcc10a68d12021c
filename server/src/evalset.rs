//! A generated, labelled relevance set for search and matching (issue 16): ≥ 500 achievements,
//! ≥ 150 search queries in eight categories and ≥ 150 needs in four, built deterministically
//! from a seed and split once into a tuning and a held-out part.
//!
//! **The grading rule** (written down before any ranking was run, and computed from the
//! generator's own ground truth, never from a ranking): every record is generated from one
//! technology *topic* and one *facet* of it; every query and need is generated from one topic
//! and, optionally, one facet. An achievement's grade for a query is
//! - 2 when it has the query's topic and (the query names no facet, or the same facet),
//! - 1 when it has the query's topic and another facet,
//! - 0 otherwise (including records that merely mention the topic's words in passing);
//!
//! and for a need with stated requirements (minimum TRL, acceptable transfer modes, budget
//! ceiling) an achievement violating any one of them is graded 0 whatever its topic.
//!
//! Surface forms vary as they do in real catalogues: a record names its topic by the full term,
//! the abbreviation or a synonym; some records carry an English title; summaries mention other
//! topics in passing. Queries use the surface form their category is about (a one-character
//! typo, the abbreviation, a synonym, English, traditional characters / full-width forms, a
//! technical notation, or a long sentence of a firm's problem). The hub's own term lists are
//! not derived from this table.

use crate::matching::eval::{DevAchievement, DevNeed, DevOrg, DevSet};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use transferhub_schema::enums::{OrganisationKind, TransferMode};

/// Seed of the published set.
pub const SEED: u64 = 20261207;
/// Seed of the tuning / held-out split.
pub const SPLIT_SEED: u64 = 16;
/// Share of queries and needs kept for tuning; the rest is held out.
pub const TUNING_SHARE: f64 = 0.4;

/// The search query categories.
pub const SEARCH_CATEGORIES: [&str; 8] = [
    "plain",
    "typo",
    "abbreviation",
    "synonym",
    "english",
    "traditional",
    "notation",
    "long",
];

/// The matching need categories.
pub const NEED_CATEGORIES: [&str; 4] = ["plain", "long", "paraphrase", "requirements"];

/// One topic: `key|industry|ipc|full|abbr|synonym|english|traditional|typo|notation|facets`,
/// facets as `中文:english;…`; `-` for none.
const TOPICS: &str = "\
li-ion|C3841|H01M 10/0525|锂离子电池|锂电|可充电锂电池|lithium-ion battery|鋰離子電池|理离子电池|Li-ion|正极材料:cathode material;电解液:electrolyte;梯次利用:second-life reuse
ndfeb|C3240|H01F 1/057|钕铁硼永磁材料|钕铁硼|稀土永磁体|neodymium magnet|釹鐵硼永磁材料|钕铁棚永磁材料|Nd-Fe-B|晶界扩散:grain boundary diffusion;矫顽力:coercivity;废料回收:scrap recycling
pv|C3825|H02S 40/00|光伏组件|光伏|太阳能电池板|photovoltaic module|光伏組件|光扶组件|PV|封装:encapsulation;清洗:cleaning;逆变器:inverter
whey|C1441|A23J 1/20|乳清蛋白|-|乳蛋白粉|whey protein|-|乳清蛋百|-|分离:isolation;水解:hydrolysis;婴幼儿配方:infant formula
cashmere|C1723|D01G 9/00|羊绒|-|山羊绒|cashmere|羊絨|羊戎|-|分梳:dehairing;染色:dyeing;纺纱:spinning
pla|C2651|C08G 63/08|聚乳酸|-|生物降解塑料|polylactic acid|-|聚孺酸|PLA|改性:modification;薄膜:film;纤维:fiber
sic|C3985|H01L 29/16|碳化硅|-|金刚砂|silicon carbide|碳化矽|碳化桂|SiC|衬底:substrate;外延:epitaxy;功率器件:power device
gan|C3973|H01L 33/32|氮化镓|-|宽禁带半导体|gallium nitride|氮化鎵|氮化家|GaN|外延片:epitaxial wafer;射频器件:RF device;发光芯片:LED chip
lfp|C3985|H01M 4/58|磷酸铁锂|铁锂|锂铁磷酸盐|lithium iron phosphate|磷酸鐵鋰|磷酸铁里|LiFePO4|前驱体:precursor;碳包覆:carbon coating;低温性能:low-temperature performance
fuelcell|C3849|H01M 8/10|燃料电池|-|氢燃料电堆|fuel cell|燃料電池|燃料电驰|PEMFC|质子交换膜:proton exchange membrane;催化剂:catalyst;双极板:bipolar plate
supercap|C3839|H01G 11/00|超级电容器|超容|电化学电容器|supercapacitor|超級電容器|超级电容气|-|电极材料:electrode material;储能模块:energy storage module;隔膜:separator
wind|C3415|F03D 7/00|风力发电机组|风机|风电机组|wind turbine|風力發電機組|风力发电机租|-|叶片:blade;变桨:pitch control;故障诊断:fault diagnosis
nev|C3612|B60L 50/00|新能源汽车|新能源车|电动汽车|new energy vehicle|新能源汽車|新能原汽车|NEV|电驱动:electric drive;热管理:thermal management;充电桩:charging pile
graphene|C3099|C01B 32/182|石墨烯|-|单层石墨|graphene|-|石墨稀|-|导热膜:thermal film;涂料:coating;粉体:powder
polish|C3240|C09K 3/14|稀土抛光粉|抛光粉|铈基抛光材料|rare earth polishing powder|稀土拋光粉|稀土抛光份|CeO2|粒度控制:particle size control;玻璃抛光:glass polishing;回收:recovery
lab|C1440|C12N 1/20|乳酸菌|-|益生菌|lactic acid bacteria|-|乳酸茵|-|发酵剂:starter culture;冻干:freeze drying;酸奶:yogurt
starch|C1391|C08B 30/00|马铃薯淀粉|-|土豆淀粉|potato starch|馬鈴薯澱粉|马玲薯淀粉|-|变性:modified;废水处理:wastewater treatment;粉条:noodles
grid|D4420|H02J 3/00|智能电网|-|智慧电网|smart grid|智能電網|智能电纲|-|负荷预测:load forecasting;配电自动化:distribution automation;储能调度:storage dispatch
robot|C3491|B25J 9/16|工业机器人|-|机械臂|industrial robot|工業機器人|工业机器仁|-|视觉定位:vision positioning;焊接:welding;减速器:reducer
uav|C3749|B64C 39/02|无人机|-|无人驾驶飞行器|unmanned aerial vehicle|無人機|吴人机|UAV|植保:crop protection;巡检:inspection;航测:aerial survey
beidou|C3922|G01S 19/00|北斗导航|北斗|卫星导航定位|BeiDou navigation|北斗導航|北抖导航|BDS|高精度定位:high-precision positioning;农机自动驾驶:tractor autopilot;授时:timing
dl|I6520|G06N 3/08|深度学习|-|深度神经网络|deep learning|深度學習|深度学系|-|图像识别:image recognition;缺陷检测:defect detection;语音识别:speech recognition
chain|I6519|G06Q 20/00|区块链|-|分布式账本|blockchain|區塊鏈|区快链|-|溯源:traceability;供应链金融:supply chain finance;存证:evidence storage
sewage|N7722|C02F 3/00|污水处理|-|废水处理|wastewater treatment|汙水處理|污水处里|-|膜生物反应器:membrane bioreactor;脱氮除磷:nitrogen and phosphorus removal;污泥:sludge
fgd|N7722|B01D 53/50|脱硫脱硝|脱硫|烟气净化|flue gas desulfurization|脫硫脫硝|脱流脱硝|SCR|催化剂:catalyst;超低排放:ultra-low emission;石灰石:limestone
coalchem|C2523|C10J 3/00|煤化工|-|煤炭深加工|coal chemical industry|-|煤化功|-|煤制烯烃:coal to olefins;气化:gasification;废水零排放:zero liquid discharge
fibre|C3976|G01D 5/353|光纤传感|-|光纤测量|fiber optic sensing|光纖傳感|光先传感|-|温度监测:temperature monitoring;应变:strain;管道泄漏:pipeline leakage
manure|C2625|C05F 17/00|有机肥|-|生物有机肥料|organic fertilizer|有機肥|有鸡肥|-|秸秆:straw;发酵:fermentation;土壤改良:soil improvement
irrigation|A0190|A01G 25/02|节水灌溉|-|高效灌溉|water-saving irrigation|節水灌溉|节水灌概|-|滴灌:drip irrigation;智能控制:intelligent control;水肥一体化:fertigation
dairy|A0311|A01K 29/00|奶牛养殖|-|奶牛饲养|dairy cattle farming|奶牛養殖|奶牛养植|-|饲料配方:feed formula;乳房炎:mastitis;繁殖:breeding
mongolmed|C2740|A61K 36/00|蒙药|-|蒙医药|Mongolian medicine|蒙藥|蒙要|-|制剂:formulation;质量标准:quality standard;药材种植:herb cultivation
herbal|C2730|A61K 36/185|中药提取|-|中草药提取|herbal extraction|中藥提取|中药题取|-|黄酮:flavonoids;多糖:polysaccharide;超临界萃取:supercritical extraction
am|C3569|B33Y 10/00|增材制造|-|3D打印|additive manufacturing|增材製造|增才制造|-|金属粉末:metal powder;激光熔覆:laser cladding;钛合金:titanium alloy
superalloy|C3240|C22C 19/05|高温合金|-|耐热合金|superalloy|高溫合金|高温合今|-|单晶叶片:single crystal blade;铸造:casting;涂层:coating
alu|C3252|C22C 21/00|铝合金|-|铝基合金|aluminium alloy|鋁合金|吕合金|-|挤压型材:extrusion profile;热处理:heat treatment;轻量化:lightweighting
monosi|C3985|C30B 15/00|单晶硅|-|硅单晶|monocrystalline silicon|單晶矽|单晶桂|-|切片:wafering;拉晶:crystal pulling;少子寿命:minority carrier lifetime
h2store|C2619|C01B 3/00|储氢材料|-|氢储存材料|hydrogen storage material|儲氫材料|储氢材科|MgH2|镁基:magnesium based;固态储氢:solid state storage;放氢:dehydrogenation
ccus|N7722|B01D 53/62|二氧化碳捕集|碳捕集|碳捕获|carbon capture|-|二氧化碳捕急|CO2|胺吸收:amine absorption;矿化利用:mineralization;封存:sequestration
perovskite|C3825|H10K 30/00|钙钛矿太阳能电池|钙钛矿电池|钙钛矿光伏|perovskite solar cell|鈣鈦礦太陽能電池|钙钛旷太阳能电池|-|稳定性:stability;叠层:tandem;大面积:large area
mulch|C2921|C08L 67/02|生物降解地膜|降解地膜|可降解农膜|biodegradable mulch film|-|生物降解地模|PBAT|配方:formulation;吹膜:film blowing;降解速率:degradation rate
cnc|C3421|B23Q 15/00|数控机床|数控|计算机数字控制机床|CNC machine tool|數控機床|数空机床|CNC|主轴:spindle;误差补偿:error compensation;五轴:five axis
lidar|C3976|G01S 17/89|激光雷达|-|光学雷达|lidar|激光雷達|激光雷打|LiDAR|点云:point cloud;自动驾驶:autonomous driving;测距:ranging
iot|I6450|H04W 4/70|物联网|-|传感网|internet of things|物聯網|物连网|IoT|网关:gateway;低功耗:low power;农业监测:agricultural monitoring
mg|C3252|C22C 23/00|镁合金|-|镁基合金|magnesium alloy|鎂合金|美合金|AZ91|压铸:die casting;腐蚀防护:corrosion protection;稀土改性:rare earth modification
electrolysis|C2619|C25B 1/04|电解水制氢|电解制氢|绿氢制备|water electrolysis hydrogen|電解水製氫|电解水制轻|-|电解槽:electrolyzer;碱性:alkaline;析氧催化剂:oxygen evolution catalyst
gangue|C3039|C04B 18/12|煤矸石|-|煤矿固废|coal gangue|-|煤干石|-|建材:building materials;发电:power generation;充填:backfilling
flyash|C3039|C04B 18/08|粉煤灰|-|飞灰|fly ash|-|粉媒灰|-|提铝:alumina extraction;水泥掺合料:cement admixture;陶粒:ceramsite
buckthorn|C1523|A23L 2/02|沙棘|-|醋柳|sea buckthorn|-|沙即|-|果汁:juice;黄酮提取:flavonoid extraction;种植:cultivation";

/// One topic of the generator's table.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Key.
    pub key: String,
    /// GB/T 4754 class.
    pub industry: String,
    /// IPC symbol.
    pub ipc: String,
    /// The full Chinese term.
    pub full: String,
    /// The abbreviation people use.
    pub abbr: Option<String>,
    /// A synonym or paraphrase.
    pub synonym: String,
    /// English name.
    pub english: String,
    /// Traditional characters (when they differ).
    pub traditional: Option<String>,
    /// The term with one wrong character.
    pub typo: String,
    /// A technical notation.
    pub notation: Option<String>,
    /// `(中文, english)` facets.
    pub facets: Vec<(String, String)>,
}

fn opt(s: &str) -> Option<String> {
    (s != "-").then(|| s.to_string())
}

/// Parses the topic table.
pub fn topics() -> Vec<Topic> {
    TOPICS
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            if f.len() != 11 {
                return None;
            }
            Some(Topic {
                key: f[0].into(),
                industry: f[1].into(),
                ipc: f[2].into(),
                full: f[3].into(),
                abbr: opt(f[4]),
                synonym: f[5].into(),
                english: f[6].into(),
                traditional: opt(f[7]),
                typo: f[8].into(),
                notation: opt(f[9]),
                facets: f[10]
                    .split(';')
                    .filter_map(|p| {
                        p.split_once(':')
                            .map(|(z, e)| (z.to_string(), e.to_string()))
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A labelled search query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalQuery {
    /// Key.
    pub key: String,
    /// One of [`SEARCH_CATEGORIES`].
    pub category: String,
    /// What the user typed.
    pub text: String,
    /// Achievement key → grade (1 or 2); absent = 0.
    pub relevant: HashMap<String, u8>,
}

/// The whole generated set.
#[derive(Debug, Clone)]
pub struct EvalSet {
    /// Organisations, achievements and needs (needs carry their category in `cluster`).
    pub dev: DevSet,
    /// Search queries.
    pub queries: Vec<EvalQuery>,
    /// Achievement key → (topic, facet index).
    pub truth: HashMap<String, (usize, usize)>,
}

const ORGS: [(&str, &str, &str); 8] = [
    ("imu", "内蒙古大学", "150104"),
    ("imust", "内蒙古科技大学", "150203"),
    ("imau", "内蒙古农业大学", "150102"),
    ("imut", "内蒙古工业大学", "150105"),
    ("bre", "包头稀土研究院", "150204"),
    ("ipe", "中科院过程工程研究所", "110108"),
    ("sjtu", "上海某理工大学", "310110"),
    ("firm", "呼和浩特某科技有限公司", "150100"),
];

const TITLE_TEMPLATES: [&str; 6] = [
    "一种{term}{facet}的制备方法",
    "{term}{facet}关键技术及应用",
    "高性能{term}{facet}工艺",
    "基于{facet}的{term}技术",
    "{term}的{facet}装置",
    "面向产业化的{term}{facet}成套技术",
];

const PAINS: [&str; 6] = [
    "现有工艺能耗高、成本高",
    "产品一致性差",
    "关键设备依赖进口",
    "环境污染严重",
    "生产效率低",
    "性能难以满足下游需求",
];

const METHODS: [&str; 6] = [
    "优化工艺参数",
    "引入在线检测",
    "采用新型配方",
    "设计模块化结构",
    "结合数值模拟",
    "开发专用控制算法",
];

const BENEFITS: [&str; 5] = [
    "综合成本降低约百分之二十",
    "产品合格率显著提高",
    "已完成中试验证",
    "能耗明显下降",
    "具备规模化生产条件",
];

const GENERIC_WORDS: [&str; 8] = [
    "高效",
    "低成本",
    "绿色",
    "智能",
    "新型",
    "环保",
    "节能",
    "稳定",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, v: &'a [T]) -> &'a T {
    &v[rng.gen_range(0..v.len())]
}

fn random_modes(rng: &mut ChaCha8Rng) -> Vec<TransferMode> {
    let mut all = TransferMode::ALL[..5].to_vec();
    all.shuffle(rng);
    let n = rng.gen_range(1..=3);
    all.truncate(n);
    all
}

/// Generates the set from `seed`.
pub fn generate(seed: u64) -> EvalSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let topics = topics();
    let organisations: Vec<DevOrg> = ORGS
        .iter()
        .map(|(k, n, r)| DevOrg {
            key: (*k).into(),
            name_zh: (*n).into(),
            kind: if *k == "firm" {
                OrganisationKind::Firm
            } else {
                OrganisationKind::University
            },
            region: (*r).into(),
        })
        .collect();
    let mut achievements = Vec::new();
    let mut truth = HashMap::new();
    for (ti, t) in topics.iter().enumerate() {
        for (fi, (facet, facet_en)) in t.facets.iter().enumerate() {
            for v in 0..4 {
                let term = match v {
                    0 | 1 => t.full.clone(),
                    2 => t.abbr.clone().unwrap_or_else(|| t.full.clone()),
                    _ => t.synonym.clone(),
                };
                let title = pick(&mut rng, &TITLE_TEMPLATES)
                    .replace("{term}", &term)
                    .replace("{facet}", facet);
                let other = &topics[rng.gen_range(0..topics.len())];
                let other_facet = &t.facets[(fi + 1 + v % 2) % t.facets.len()].0;
                let mut summary = format!(
                    "本成果针对{}中{}{}的问题，通过{}，提出了{}{}{}的新方法。{}。",
                    term,
                    facet,
                    pick(&mut rng, &PAINS),
                    pick(&mut rng, &METHODS),
                    pick(&mut rng, &GENERIC_WORDS),
                    term,
                    facet,
                    pick(&mut rng, &BENEFITS),
                );
                if rng.gen_bool(0.5) {
                    summary.push_str(&format!("同时兼顾{other_facet}环节。"));
                }
                if rng.gen_bool(0.5) {
                    summary.push_str(&format!("技术可推广至{}等相关领域。", other.full));
                }
                if let (Some(n), true) = (&t.notation, rng.gen_bool(0.5)) {
                    summary.push_str(&format!("适用于{n}体系。"));
                }
                let mut keywords = vec![term.clone(), facet.clone()];
                if rng.gen_bool(0.3) && term != t.full {
                    keywords.push(t.full.clone());
                }
                let english = rng.gen_bool(0.4);
                let key = format!("{}-{fi}-{v}", t.key);
                truth.insert(key.clone(), (ti, fi));
                let org = pick(&mut rng, &ORGS[..7]).0.to_string();
                let region = ORGS.iter().find(|o| o.0 == org).map(|o| o.2.to_string());
                achievements.push(DevAchievement {
                    key,
                    org,
                    cluster: t.key.clone(),
                    title,
                    summary,
                    keywords,
                    inventors: vec![format!(
                        "{}{}",
                        pick(&mut rng, &["王", "李", "张", "刘", "陈"]),
                        pick(&mut rng, &["伟", "芳", "强", "敏", "军", "磊"])
                    )],
                    industry: Some(t.industry.clone()),
                    ipc: vec![t.ipc.clone()],
                    trl: Some(rng.gen_range(3..=9)),
                    modes: random_modes(&mut rng),
                    price: rng.gen_bool(0.7).then(|| rng.gen_range(5..=500) * 10_000),
                    region,
                    age_days: rng.gen_range(1..1500),
                    title_en: english.then(|| {
                        let mut s = format!("{facet_en} for {}", t.english);
                        if let Some(c) = s.get_mut(0..1) {
                            c.make_ascii_uppercase();
                        }
                        s
                    }),
                    summary_en: None,
                });
            }
        }
    }
    let grades = |ti: usize, fi: Option<usize>| -> HashMap<String, u8> {
        truth
            .iter()
            .filter(|(_, (t, _))| *t == ti)
            .map(|(k, (_, f))| (k.clone(), if fi.is_none_or(|q| q == *f) { 2 } else { 1 }))
            .collect()
    };
    let mut queries = Vec::new();
    for (ti, t) in topics.iter().enumerate() {
        let fi = rng.gen_range(0..t.facets.len());
        let (facet, facet_en) = &t.facets[fi];
        let mut push_keyed = |category: &str, key: String, text: String, facet: Option<usize>| {
            queries.push(EvalQuery {
                key,
                category: category.into(),
                text,
                relevant: grades(ti, facet),
            });
        };
        let key = |category: &str| format!("{}-{category}", t.key);
        push_keyed(
            "plain",
            key("plain"),
            format!("{} {facet}", t.full),
            Some(fi),
        );
        push_keyed("typo", key("typo"), t.typo.clone(), None);
        if let Some(a) = &t.abbr {
            // Every facet: only a third of the topics have a common abbreviation.
            for (k, (f, _)) in t.facets.iter().enumerate() {
                push_keyed(
                    "abbreviation",
                    format!("{}-abbreviation-{k}", t.key),
                    format!("{a}{f}"),
                    Some(k),
                );
            }
        }
        push_keyed("synonym", key("synonym"), t.synonym.clone(), None);
        push_keyed(
            "english",
            key("english"),
            format!("{facet_en} {}", t.english),
            Some(fi),
        );
        match &t.traditional {
            Some(tr) => push_keyed("traditional", key("traditional"), tr.clone(), None),
            None => push_keyed(
                "traditional",
                key("traditional"),
                full_width(&format!("{} {facet}", t.full)),
                Some(fi),
            ),
        }
        if let Some(n) = &t.notation {
            push_keyed(
                "notation",
                key("notation"),
                format!("{n} {facet}"),
                Some(fi),
            );
        }
        let long = format!(
            "我们是一家{}企业，目前在{}{}方面{}，希望寻找成熟的技术和合作单位，帮助我们降低成本、提高产品质量并尽快实现产业化",
            pick(&mut rng, &["内蒙古", "包头的", "鄂尔多斯的", "民营"]),
            t.full,
            facet,
            pick(&mut rng, &PAINS),
        );
        push_keyed("long", key("long"), long, Some(fi));
    }
    let mut needs = Vec::new();
    for (ti, t) in topics.iter().enumerate() {
        for (ci, category) in NEED_CATEGORIES.iter().enumerate() {
            let fi = (ti + ci) % t.facets.len();
            let (facet, _) = &t.facets[fi];
            let term = if *category == "paraphrase" {
                &t.synonym
            } else {
                &t.full
            };
            let (title, description) = match *category {
                "long" => (
                    format!("寻求{facet}技术"),
                    format!(
                        "我公司主要从事{}相关产品的生产，现有生产线在{}环节{}，产品一致性和成本都不理想，希望与高校或科研院所合作，引进成熟可靠的技术，实现技术升级和产能提升，欢迎有相关成果的单位联系。",
                        term,
                        facet,
                        pick(&mut rng, &PAINS)
                    ),
                ),
                _ => (
                    format!("{term}{facet}技术需求"),
                    format!("需要{term}{facet}方面的技术，{}。", pick(&mut rng, &PAINS)),
                ),
            };
            let strict = *category == "requirements";
            let required_trl = strict.then(|| rng.gen_range(6..=8));
            let modes = if strict {
                random_modes(&mut rng)
            } else {
                Vec::new()
            };
            let budget_max = strict.then(|| rng.gen_range(20..=200) * 10_000);
            let mut relevant = grades(ti, Some(fi));
            if strict {
                let mask = TransferMode::mask(&modes);
                relevant.retain(|k, _| {
                    achievements.iter().find(|a| &a.key == k).is_some_and(|a| {
                        a.trl.unwrap_or(0) >= required_trl.unwrap_or(0)
                            && TransferMode::mask(&a.modes) & mask != 0
                            && a.price.is_none_or(|p| p <= budget_max.unwrap_or(i64::MAX))
                    })
                });
            }
            needs.push(DevNeed {
                key: format!("{}-need-{category}", t.key),
                org: "firm".into(),
                cluster: (*category).into(),
                keywords: if *category == "plain" {
                    vec![term.clone(), facet.clone()]
                } else {
                    Vec::new()
                },
                title,
                description,
                industry: Some(t.industry.clone()),
                ipc: Vec::new(),
                required_trl,
                modes,
                budget_max,
                region: None,
                relevant,
            });
        }
    }
    EvalSet {
        dev: DevSet {
            organisations,
            achievements,
            needs,
        },
        queries,
        truth,
    }
}

/// ASCII and the ideographic space as their full-width forms (what some input methods type).
pub fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// True when the key belongs to the tuning part (a fixed, seeded draw per key).
pub fn is_tuning(key: &str) -> bool {
    let mut h: u64 = SPLIT_SEED ^ 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(h);
    rng.gen_bool(TUNING_SHARE)
}

/// Which part of the set to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The tuning split.
    Tuning,
    /// The held-out split.
    HeldOut,
    /// Everything.
    All,
}

impl Part {
    /// True when `key` is in this part.
    pub fn contains(self, key: &str) -> bool {
        match self {
            Part::Tuning => is_tuning(key),
            Part::HeldOut => !is_tuning(key),
            Part::All => true,
        }
    }

    /// Parses `tuning`, `heldout` or `all`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "tuning" => Some(Part::Tuning),
            "heldout" | "held-out" => Some(Part::HeldOut),
            "all" => Some(Part::All),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_large_enough_deterministic_and_split() {
        let a = generate(SEED);
        let b = generate(SEED);
        assert!(
            a.dev.achievements.len() >= 500,
            "{}",
            a.dev.achievements.len()
        );
        assert!(a.queries.len() >= 150, "{}", a.queries.len());
        assert!(a.dev.needs.len() >= 150, "{}", a.dev.needs.len());
        assert_eq!(
            a.queries.iter().map(|q| &q.text).collect::<Vec<_>>(),
            b.queries.iter().map(|q| &q.text).collect::<Vec<_>>()
        );
        for c in SEARCH_CATEGORIES {
            let n = a.queries.iter().filter(|q| q.category == c).count();
            let held = a
                .queries
                .iter()
                .filter(|q| q.category == c && !is_tuning(&q.key))
                .count();
            assert!(n >= 10 && held >= 5, "{c}: {n} queries, {held} held out");
        }
        for q in &a.queries {
            assert!(
                q.relevant.values().any(|g| *g == 2),
                "{} has no answer",
                q.key
            );
        }
    }

    #[test]
    fn grades_follow_the_written_rule() {
        let s = generate(SEED);
        let q = s
            .queries
            .iter()
            .find(|q| q.key == "li-ion-plain")
            .expect("query");
        for (k, g) in &q.relevant {
            let (t, _) = s.truth[k];
            assert_eq!(
                s.dev
                    .achievements
                    .iter()
                    .find(|a| &a.key == k)
                    .map(|a| a.cluster.clone()),
                Some("li-ion".to_string())
            );
            assert_eq!(topics()[t].key, "li-ion");
            assert!(*g == 1 || *g == 2);
        }
        assert_eq!(full_width("Nd 1"), "Ｎｄ\u{3000}１");
    }
}
