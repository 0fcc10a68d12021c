//! The contract every `SearchIndex` backend passes, run against embedded tantivy always and
//! against Meilisearch when one is configured (tests/tests/search.rs). It works on the trait
//! alone, with a small fixed set of documents: Chinese and English matching, synonyms, field
//! weights, highlights, filters, facets, visibility, order, paging, deletion and hostile input.

use super::index::{
    Facet, Filters, SearchDoc, SearchIndex, SearchRequest, SearchResponse, Sort, Visibility,
};

/// A published document of organisation `imu` (id 1) in Hohhot; the other fields empty.
pub(crate) fn doc(id: i64, title: &str, summary: &str) -> SearchDoc {
    SearchDoc {
        id,
        title: title.into(),
        title_en: String::new(),
        keywords: Vec::new(),
        summary: summary.into(),
        summary_en: String::new(),
        inventors: Vec::new(),
        organisation: "imu".into(),
        organisation_name: "内蒙古大学".into(),
        organisation_id: 1,
        achievement_type: "PATENT".into(),
        industry: Vec::new(),
        industry_section: String::new(),
        maturity: String::new(),
        trl: 0,
        transfer_modes: Vec::new(),
        region: vec!["150000".into(), "150100".into()],
        region_prefecture: "150100".into(),
        collections: Vec::new(),
        status: "PUBLISHED".into(),
        recency: 1_700_000_000 + id,
    }
}

/// The fixed documents of the contract.
pub fn fixtures() -> Vec<SearchDoc> {
    let mut battery = doc(
        1,
        "一种高效锂离子电池正极材料的制备方法",
        "本发明公开了一种高镍三元正极材料，循环寿命长，适用于动力电池。",
    );
    battery.keywords = vec!["锂离子电池".into(), "正极材料".into()];
    battery.title_en =
        "Preparation of a high-efficiency cathode material for lithium-ion batteries".into();
    battery.industry = vec!["C".into(), "C38".into(), "C384".into(), "C3841".into()];
    battery.industry_section = "C".into();
    battery.maturity = "6".into();
    battery.trl = 6;
    battery.transfer_modes = vec!["LICENCE".into(), "ASSIGNMENT".into()];
    battery.collections = vec!["clean-energy".into()];

    let mut magnet = doc(
        2,
        "高矫顽力稀土永磁材料及其热处理工艺",
        "通过晶界扩散提高钕铁硼磁体的矫顽力，重稀土用量降低40%。",
    );
    magnet.keywords = vec!["稀土".into(), "永磁".into()];
    magnet.title_en = "Rare earth permanent magnets with high coercivity".into();
    magnet.organisation = "imust".into();
    magnet.organisation_name = "内蒙古科技大学".into();
    magnet.organisation_id = 2;
    magnet.industry = vec!["C".into(), "C32".into(), "C324".into(), "C3240".into()];
    magnet.industry_section = "C".into();
    magnet.maturity = "8".into();
    magnet.trl = 8;
    magnet.transfer_modes = vec!["LICENCE".into()];
    magnet.region = vec!["150000".into(), "150200".into()];
    magnet.region_prefecture = "150200".into();
    magnet.collections = vec!["new-materials".into()];

    let mut polishing = doc(
        3,
        "铈基抛光粉回收再利用技术",
        "针对稀土抛光粉废料，采用酸浸和焙烧工艺回收氧化铈，回收率超过90%。",
    );
    polishing.achievement_type = "KNOW_HOW".into();
    polishing.industry = vec!["C".into(), "C32".into()];
    polishing.industry_section = "C".into();
    polishing.maturity = "9".into();
    polishing.trl = 9;
    polishing.transfer_modes = vec!["SELF_IMPLEMENTATION".into()];
    polishing.collections = vec!["new-materials".into(), "low-carbon-chemicals".into()];

    let mut solar = doc(
        4,
        "双面太阳能电池组件的封装结构",
        "一种双面发电的组件封装结构，背面增益可达25%，适合高反射率的沙漠地区。",
    );
    solar.industry = vec!["C".into(), "C38".into(), "C382".into(), "C3825".into()];
    solar.industry_section = "C".into();
    solar.maturity = "7".into();
    solar.trl = 7;
    solar.collections = vec!["clean-energy".into()];

    let mut draft = doc(
        5,
        "草原生态监测系统（草稿）",
        "基于遥感影像的草原退化监测软件，尚未公开。",
    );
    draft.status = "DRAFT".into();
    draft.organisation = "imnu".into();
    draft.organisation_name = "内蒙古师范大学".into();
    draft.organisation_id = 3;
    draft.achievement_type = "SOFTWARE_COPYRIGHT".into();

    let mut yoghurt = doc(
        6,
        "一种高产胞外多糖的干酪乳杆菌及其在低脂酸奶中的应用",
        "从传统发酵乳中分离获得菌株，低脂酸奶无需外加稳定剂。",
    );
    yoghurt.organisation = "imau".into();
    yoghurt.organisation_name = "内蒙古农业大学".into();
    yoghurt.organisation_id = 4;
    yoghurt.industry = vec!["C".into(), "C14".into(), "C144".into(), "C1441".into()];
    yoghurt.industry_section = "C".into();
    yoghurt.collections = vec!["agri-food".into()];
    yoghurt.region = vec!["150000".into(), "150100".into(), "150102".into()];

    vec![battery, magnet, polishing, solar, draft, yoghurt]
}

fn request(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        filters: Filters::default(),
        visibility: Visibility::Published,
        facets: Vec::new(),
        sort: Sort::Relevance,
        offset: 0,
        limit: 20,
        highlight: true,
        match_any: false,
    }
}

fn ids(r: &SearchResponse) -> Vec<i64> {
    r.hits.iter().map(|h| h.id).collect()
}

async fn run(index: &dyn SearchIndex, req: SearchRequest) -> Result<SearchResponse, String> {
    index
        .search(&req)
        .await
        .map_err(|e| format!("{:?} failed: {e}", req.text))
}

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Runs the whole contract; the error names the first clause that failed.
pub async fn run_contract(index: &dyn SearchIndex) -> Result<(), String> {
    let name = index.backend();
    index.prepare().await.map_err(|e| format!("prepare: {e}"))?;
    index.clear().await.map_err(|e| format!("clear: {e}"))?;
    index
        .apply(fixtures(), Vec::new())
        .await
        .map_err(|e| format!("apply: {e}"))?;
    let n = index.count().await.map_err(|e| format!("count: {e}"))?;
    check!(n == 6, "{name}: expected 6 documents, found {n}");

    // Chinese words inside longer words, and synonyms.
    let r = run(index, request("电池")).await?;
    check!(
        ids(&r).contains(&1),
        "{name}: 电池 must find the lithium-ion battery: {:?}",
        ids(&r)
    );
    let r = run(index, request("锂电池")).await?;
    check!(
        ids(&r).first() == Some(&1),
        "{name}: 锂电池 must find 锂离子电池 first (synonym): {:?}",
        ids(&r)
    );
    let r = run(index, request("光伏")).await?;
    check!(
        ids(&r).contains(&4),
        "{name}: 光伏 must find 太阳能电池 (synonym): {:?}",
        ids(&r)
    );

    // Field weights: title > summary.
    let r = run(index, request("稀土")).await?;
    let (pos_title, pos_summary) = (
        ids(&r).iter().position(|i| *i == 2),
        ids(&r).iter().position(|i| *i == 3),
    );
    check!(
        pos_title.is_some() && pos_summary.is_some() && pos_title < pos_summary,
        "{name}: 稀土 in title and keywords must rank above 稀土 in summary: {:?}",
        ids(&r)
    );

    // Highlights in Chinese.
    let r = run(index, request("永磁材料")).await?;
    let hit = r.hits.iter().find(|h| h.id == 2);
    check!(hit.is_some(), "{name}: 永磁材料 must find the magnet");
    let hl = hit.map(|h| h.highlights.clone()).unwrap_or_default();
    check!(
        hl.iter().any(|h| h.field == "title"
            && h.snippet.contains("<mark>")
            && h.snippet.contains("永磁")),
        "{name}: the title must be highlighted: {hl:?}"
    );

    // English, stemmed.
    let r = run(index, request("magnets coercivity")).await?;
    check!(
        ids(&r).first() == Some(&2),
        "{name}: English query must find the magnet: {:?}",
        ids(&r)
    );

    // Visibility.
    let r = run(index, request("草原")).await?;
    check!(
        r.total == 0,
        "{name}: drafts are invisible to the public: {:?}",
        ids(&r)
    );
    let mut own = request("草原");
    own.visibility = Visibility::PublishedOrOrganisation(3);
    check!(
        ids(&run(index, own).await?) == vec![5],
        "{name}: members see their own drafts"
    );
    let mut other = request("草原");
    other.visibility = Visibility::PublishedOrOrganisation(1);
    check!(
        run(index, other).await?.total == 0,
        "{name}: other members do not see the draft"
    );
    let mut admin = request("");
    admin.visibility = Visibility::All;
    check!(
        run(index, admin).await?.total == 6,
        "{name}: admins see everything"
    );

    // Filters.
    let cases: Vec<(Filters, Vec<i64>)> = vec![
        (
            Filters {
                organisation: Some("imust".into()),
                ..Default::default()
            },
            vec![2],
        ),
        (
            Filters {
                achievement_type: Some("KNOW_HOW".into()),
                ..Default::default()
            },
            vec![3],
        ),
        (
            Filters {
                industry: Some("C38".into()),
                ..Default::default()
            },
            vec![1, 4],
        ),
        (
            Filters {
                industry: Some("C".into()),
                ..Default::default()
            },
            vec![1, 2, 3, 4, 6],
        ),
        (
            Filters {
                maturity_min: Some(7),
                ..Default::default()
            },
            vec![2, 3, 4],
        ),
        (
            Filters {
                maturity_min: Some(6),
                maturity_max: Some(7),
                ..Default::default()
            },
            vec![1, 4],
        ),
        (
            Filters {
                transfer_mode: Some("LICENCE".into()),
                ..Default::default()
            },
            vec![1, 2],
        ),
        (
            Filters {
                region: Some("150200".into()),
                ..Default::default()
            },
            vec![2],
        ),
        (
            Filters {
                region: Some("150102".into()),
                ..Default::default()
            },
            vec![6],
        ),
        (
            Filters {
                region: Some("150000".into()),
                ..Default::default()
            },
            vec![1, 2, 3, 4, 6],
        ),
        (
            Filters {
                collection: Some("new-materials".into()),
                ..Default::default()
            },
            vec![2, 3],
        ),
    ];
    for (filters, expected) in cases {
        let mut req = request("");
        req.filters = filters.clone();
        let mut got = ids(&run(index, req).await?);
        got.sort_unstable();
        check!(
            got == expected,
            "{name}: filter {filters:?} gave {got:?}, expected {expected:?}"
        );
    }

    // Facets over all matches.
    let mut req = request("");
    req.facets = vec![Facet::Type, Facet::Collection, Facet::Maturity];
    req.limit = 1;
    let r = run(index, req).await?;
    check!(
        r.total == 5 && r.hits.len() == 1,
        "{name}: total 5, one hit per page"
    );
    let type_counts = &r.facets[0].values;
    check!(
        type_counts.first() == Some(&("PATENT".to_string(), 4))
            && type_counts.contains(&("KNOW_HOW".to_string(), 1)),
        "{name}: type facet {type_counts:?}"
    );
    let col = &r.facets[1].values;
    check!(
        col.contains(&("clean-energy".to_string(), 2))
            && col.contains(&("new-materials".to_string(), 2)),
        "{name}: collection facet {col:?}"
    );
    check!(
        r.facets[2].values.contains(&("8".to_string(), 1)),
        "{name}: maturity facet {:?}",
        r.facets[2].values
    );

    // Recency order and paging.
    let mut req = request("");
    req.sort = Sort::Recency;
    req.limit = 2;
    let first = run(index, req.clone()).await?;
    req.offset = 2;
    let second = run(index, req.clone()).await?;
    req.offset = 4;
    let third = run(index, req).await?;
    let all: Vec<i64> = [ids(&first), ids(&second), ids(&third)].concat();
    check!(
        all == vec![6, 4, 3, 2, 1],
        "{name}: recency pages gave {all:?}"
    );

    // Hostile input never fails.
    for q in [
        "🔋🔋🔋",
        "\"稀土 永磁",
        "title:稀土 OR 1=1; DROP TABLE achievements; --",
        "<script>alert(1)</script>",
        "*",
        "\\",
        "AND OR NOT",
        "((()))[]{}",
    ] {
        run(index, request(q)).await?;
    }
    let r = run(index, request("🔋🔋🔋")).await?;
    check!(r.total == 0, "{name}: emoji-only matches nothing");
    let r = run(index, request("\"稀土 永磁")).await?;
    check!(
        ids(&r).contains(&2),
        "{name}: an unbalanced quote is plain text: {:?}",
        ids(&r)
    );

    // Deletion and replacement.
    let mut renamed = fixtures().swap_remove(3);
    renamed.title = "双面光伏组件的封装结构".into();
    index
        .apply(vec![renamed], vec![6])
        .await
        .map_err(|e| format!("apply: {e}"))?;
    check!(
        index.count().await.map_err(|e| e.to_string())? == 5,
        "{name}: delete removes"
    );
    let r = run(index, request("低脂酸奶")).await?;
    check!(r.total == 0, "{name}: a deleted record is not found");
    let r = run(index, request("光伏组件")).await?;
    check!(
        ids(&r).first() == Some(&4),
        "{name}: a replaced record is found by its new title"
    );

    // Fingerprint round trip.
    index
        .set_fingerprint("contract-1")
        .await
        .map_err(|e| e.to_string())?;
    check!(
        index
            .fingerprint()
            .await
            .map_err(|e| e.to_string())?
            .as_deref()
            == Some("contract-1"),
        "{name}: fingerprint is stored"
    );
    index.clear().await.map_err(|e| format!("clear: {e}"))?;
    Ok(())
}
