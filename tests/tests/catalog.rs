//! Reading the catalog over GraphQL on every backend: the demo data, paging, every filter
//! (checked against counts computed independently from the demo files), visibility, `node`.

use serde_json::{json, Value};
use transferhub_schema::enums::{AchievementStatus, AchievementType, Role, TransferMode};
use transferhub_server::demo::demo_set;
use transferhub_tests::{backends, error_code, Backend, TestHub};

const LIST: &str = r#"query($first:Int,$after:String,$filter:AchievementFilter){
  achievements(first:$first, after:$after, filter:$filter){
    totalCount
    pageInfo{ hasNextPage endCursor }
    edges{ cursor node{ id title type maturity transferModes regionCode status askingPriceYuan priceNegotiable
      industry{ code section sectionNameZh } organisation{ key nameZh } patents{ applicationNumber publicationNumber type granted } } }
  }}"#;

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

async fn all_pages(hub: &TestHub, filter: Value, token: Option<&str>) -> (u64, Vec<Value>) {
    let mut after: Option<String> = None;
    let mut nodes = Vec::new();
    let total;
    loop {
        let r = hub
            .gql(
                LIST,
                json!({"first": 100, "after": after, "filter": filter}),
                token,
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let c = &r["data"]["achievements"];
        let count = c["totalCount"].as_u64().expect("totalCount");
        for e in c["edges"].as_array().expect("edges") {
            nodes.push(e["node"].clone());
        }
        if !c["pageInfo"]["hasNextPage"].as_bool().expect("hasNext") {
            total = count;
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    (total, nodes)
}

#[tokio::test]
async fn demo_catalog_first_page_is_chinese_on_every_backend() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let r = hub.gql(LIST, json!({"first": 20}), None).await;
        let edges = r["data"]["achievements"]["edges"]
            .as_array()
            .expect("edges");
        assert_eq!(edges.len(), 20, "{backend:?}: {r}");
        for e in edges {
            let n = &e["node"];
            assert!(has_cjk(n["title"].as_str().unwrap_or_default()), "{n}");
            assert!(has_cjk(
                n["organisation"]["nameZh"].as_str().unwrap_or_default()
            ));
            assert_eq!(n["status"], "PUBLISHED");
        }
        let published = demo_set()
            .expect("demo")
            .achievements
            .iter()
            .filter(|a| a.status == AchievementStatus::Published)
            .count() as u64;
        assert_eq!(
            r["data"]["achievements"]["totalCount"].as_u64(),
            Some(published)
        );
        eprintln!("backend {backend:?}: demo catalog ran");
    }
}

#[tokio::test]
async fn paging_visits_every_public_record_once() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let (total, nodes) = all_pages(&hub, json!({}), None).await;
        assert_eq!(nodes.len() as u64, total);
        let mut ids: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len() as u64,
            total,
            "{backend:?}: duplicates across pages"
        );
    }
}

#[tokio::test]
async fn every_filter_matches_an_independent_count() {
    let set = demo_set().expect("demo");
    let public: Vec<_> = set
        .achievements
        .iter()
        .filter(|a| a.status == AchievementStatus::Published)
        .collect();
    let region_of = |a: &transferhub_server::demo::DemoAchievement| {
        a.region_code.clone().or_else(|| {
            set.organisations
                .iter()
                .find(|o| o.key == a.org)
                .and_then(|o| o.region_code.clone())
        })
    };
    let code = |a: &transferhub_server::demo::DemoAchievement| {
        a.industry_code
            .as_deref()
            .and_then(|c| transferhub_schema::types::IndustryCode::parse(c).ok())
            .map(|c| c.as_str().to_string())
            .unwrap_or_default()
    };
    let cases: Vec<(Value, usize)> = vec![
        (
            json!({"industry": "C"}),
            public.iter().filter(|a| code(a).starts_with('C')).count(),
        ),
        (
            json!({"industry": "C38"}),
            public.iter().filter(|a| code(a).starts_with("C38")).count(),
        ),
        (
            json!({"industry": "C3841"}),
            public.iter().filter(|a| code(a) == "C3841").count(),
        ),
        (
            json!({"type": "PATENT"}),
            public
                .iter()
                .filter(|a| a.achievement_type == AchievementType::Patent)
                .count(),
        ),
        (
            json!({"maturityMin": 7}),
            public
                .iter()
                .filter(|a| a.trl.is_some_and(|t| t >= 7))
                .count(),
        ),
        (
            json!({"maturityMin": 4, "maturityMax": 6}),
            public
                .iter()
                .filter(|a| a.trl.is_some_and(|t| (4..=6).contains(&t)))
                .count(),
        ),
        (
            json!({"transferMode": "LICENCE"}),
            public
                .iter()
                .filter(|a| a.transfer_modes.contains(&TransferMode::Licence))
                .count(),
        ),
        (
            json!({"region": "150200"}),
            public
                .iter()
                .filter(|a| region_of(a).is_some_and(|r| r.starts_with("1502")))
                .count(),
        ),
        (
            json!({"region": "150000"}),
            public
                .iter()
                .filter(|a| region_of(a).is_some_and(|r| r.starts_with("15")))
                .count(),
        ),
        (
            json!({"organisation": "imu"}),
            public.iter().filter(|a| a.org == "imu").count(),
        ),
        (
            json!({"organisation": "imau", "type": "PATENT", "maturityMin": 5}),
            public
                .iter()
                .filter(|a| {
                    a.org == "imau"
                        && a.achievement_type == AchievementType::Patent
                        && a.trl.is_some_and(|t| t >= 5)
                })
                .count(),
        ),
        (
            json!({"updatedSince": "2000-01-01T00:00:00Z"}),
            public.len(),
        ),
        (json!({"updatedSince": "2999-01-01T00:00:00Z"}), 0),
    ];
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        for (filter, expected) in &cases {
            let (total, nodes) = all_pages(&hub, filter.clone(), None).await;
            assert_eq!(total as usize, *expected, "{backend:?} {filter}");
            assert_eq!(nodes.len(), *expected, "{backend:?} {filter}");
        }
        // Results really satisfy the filter they were asked with.
        let (_, nodes) = all_pages(
            &hub,
            json!({"transferMode": "LICENCE", "maturityMin": 6}),
            None,
        )
        .await;
        for n in &nodes {
            assert!(n["maturity"].as_i64().is_some_and(|t| t >= 6), "{n}");
            assert!(n["transferModes"]
                .as_array()
                .is_some_and(|m| m.contains(&json!("LICENCE"))));
        }
    }
}

#[tokio::test]
async fn bad_filters_are_bad_input_naming_the_field() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    for (filter, field) in [
        (json!({"industry": "Z99"}), "filter.industry"),
        (json!({"region": "990000"}), "filter.region"),
        (json!({"maturityMin": 12}), "filter.maturityMin"),
        (
            json!({"maturityMin": 8, "maturityMax": 3}),
            "filter.maturityMin",
        ),
        (json!({"organisation": "nope"}), "filter.organisation"),
    ] {
        let r = hub.gql(LIST, json!({"filter": filter}), None).await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{filter}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
    }
    let r = hub.gql(LIST, json!({"first": 101}), None).await;
    assert_eq!(error_code(&r), Some("BAD_INPUT"));
    let r = hub.gql(LIST, json!({"after": "not-a-cursor"}), None).await;
    assert_eq!(error_code(&r), Some("BAD_INPUT"));
    // A wrong enum is rejected by validation, not a crash.
    let r = hub
        .gql(LIST, json!({"filter": {"type": "SPACESHIP"}}), None)
        .await;
    assert!(r["errors"].is_array(), "{r}");
}

#[tokio::test]
async fn drafts_are_visible_only_to_their_organisation_and_admins() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let set = demo_set().expect("demo");
    let Some(draft) = set
        .achievements
        .iter()
        .find(|a| a.status == AchievementStatus::Draft)
    else {
        panic!("demo set has no drafts");
    };
    let owner = hub.token(&draft.org, Role::Member).await;
    let other_org = set
        .organisations
        .iter()
        .find(|o| o.key != draft.org)
        .map(|o| o.key.clone())
        .expect("other");
    let other = hub.token(&other_org, Role::Member).await;
    let admin = hub.token("imu", Role::PlatformAdmin).await;
    let own_drafts = set
        .achievements
        .iter()
        .filter(|a| a.org == draft.org && a.status == AchievementStatus::Draft)
        .count() as u64;
    let all_drafts = set
        .achievements
        .iter()
        .filter(|a| a.status == AchievementStatus::Draft)
        .count() as u64;
    let f = json!({"status": "DRAFT"});
    assert_eq!(all_pages(&hub, f.clone(), None).await.0, 0);
    assert_eq!(all_pages(&hub, f.clone(), Some(&owner)).await.0, own_drafts);
    let seen_by_other = all_pages(&hub, f.clone(), Some(&other)).await.1;
    assert!(seen_by_other
        .iter()
        .all(|n| n["organisation"]["key"] == other_org.as_str()));
    assert_eq!(all_pages(&hub, f, Some(&admin)).await.0, all_drafts);
}

#[tokio::test]
async fn node_and_detail_queries_resolve_ids_and_refuse_bad_ones() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let r = hub
        .gql(
            LIST,
            json!({"first": 1, "filter": {"type": "PATENT"}}),
            None,
        )
        .await;
    let node = &r["data"]["achievements"]["edges"][0]["node"];
    let id = node["id"].as_str().expect("id");
    assert!(
        !node["patents"].as_array().expect("patents").is_empty(),
        "{node}"
    );
    let app = node["patents"][0]["applicationNumber"]
        .as_str()
        .expect("number");
    transferhub_schema::types::PatentApplicationNumber::parse(app)
        .expect("stored numbers are normalised");
    let r = hub
        .gql(
            "query($id:ID!){ node(id:$id){ id ... on Achievement { title } } achievement(id:$id){ title keywords inventors contact{ name } } }",
            json!({"id": id}),
            None,
        )
        .await;
    assert_eq!(r["data"]["node"]["id"], id, "{r}");
    assert_eq!(
        r["data"]["node"]["title"],
        r["data"]["achievement"]["title"]
    );
    // A well-formed id of a row that does not exist.
    let missing = transferhub_server::relay::encode_id("Achievement", 999_999_999).0;
    let r = hub
        .gql(
            "query($id:ID!){ achievement(id:$id){ title } }",
            json!({"id": missing}),
            None,
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = hub
        .gql("query{ node(id:\"@@@\"){ id } }", json!({}), None)
        .await;
    assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    let need_id = transferhub_server::relay::encode_id("Need", 1).0;
    let r = hub
        .gql(
            "query($id:ID!){ achievement(id:$id){ title } }",
            json!({"id": need_id}),
            None,
        )
        .await;
    assert_eq!(
        error_code(&r),
        Some("BAD_INPUT"),
        "an id of another type is refused: {r}"
    );
}

#[tokio::test]
async fn organisations_and_needs_are_listed_with_relations() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let set = demo_set().expect("demo");
        let r = hub
            .gql(
                "{ organisations(first:100){ totalCount edges{ node{ key nameZh kind } } }
                   organisation(key:\"imu\"){ nameZh achievements(first:5){ totalCount edges{ node{ organisation{ key } } } } }
                   needs(first:10, filter:{status:OPEN}){ totalCount edges{ node{ id title budget{ negotiable minYuan maxYuan } organisation{ kind } transferModes } } } }",
                json!({}),
                None,
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        assert_eq!(
            r["data"]["organisations"]["totalCount"].as_u64(),
            Some(set.organisations.len() as u64)
        );
        assert_eq!(r["data"]["organisation"]["nameZh"], "内蒙古大学");
        for e in r["data"]["organisation"]["achievements"]["edges"]
            .as_array()
            .expect("edges")
        {
            assert_eq!(e["node"]["organisation"]["key"], "imu");
        }
        let open = set
            .needs
            .iter()
            .filter(|n| n.status == transferhub_schema::enums::NeedStatus::Open)
            .count() as u64;
        assert_eq!(r["data"]["needs"]["totalCount"].as_u64(), Some(open));
        for e in r["data"]["needs"]["edges"].as_array().expect("edges") {
            assert_eq!(e["node"]["organisation"]["kind"], "FIRM");
        }
        let r = hub
            .gql(
                "{ organisation(key:\"no-such-org\"){ key } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"));
    }
}
