//! Changing the catalog over GraphQL: the happy path with its audit trail, and every refusal —
//! bad input naming the field, other organisations' records, missing or bad tokens, unknown
//! ids, conflicts — each with its code and nothing changed in the store.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use transferhub_schema::entity::{achievement, audit_log, need, patent};
use transferhub_schema::enums::Role;
use transferhub_tests::{backends, error_code, Backend, TestHub};

const CREATE: &str = r#"mutation($input: CreateAchievementInput!){
  createAchievement(input:$input){ achievement{ id title status organisation{ key } patents{ applicationNumber type granted } maturity maturityLabel priceNegotiable industry{ code section } } } }"#;

fn sample(org: Option<&str>) -> Value {
    json!({
        "organisation": org,
        "title": "一种高效锂离子电池正极材料的制备方法",
        "type": "PATENT",
        "inventors": ["张伟", "乌力吉"],
        "summary": "本发明提供一种高镍三元正极材料的制备方法，循环寿命提升30%。",
        "keywords": ["锂电池", "正极材料"],
        "industryCode": "C3841",
        "ipcCodes": ["H01M4/525"],
        "maturity": 6,
        "transferModes": ["LICENCE", "ASSIGNMENT"],
        "patents": [{"applicationNumber": "ZL 2017 1 0601862.3", "publicationNumber": "CN107445223B"}]
    })
}

/// Row counts of the tables mutations touch, to prove refusals change nothing.
async fn snapshot(hub: &TestHub) -> (u64, u64, u64, u64, Vec<achievement::Model>) {
    (
        achievement::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        patent::Entity::find().count(&hub.db).await.expect("count"),
        need::Entity::find().count(&hub.db).await.expect("count"),
        audit_log::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        achievement::Entity::find()
            .all(&hub.db)
            .await
            .expect("rows"),
    )
}

#[tokio::test]
async fn member_creates_updates_publishes_and_withdraws_with_an_audit_trail() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let token = hub.token("imut", Role::Member).await;
        let audit_before = audit_log::Entity::find()
            .count(&hub.db)
            .await
            .expect("count");
        let r = hub
            .gql(CREATE, json!({"input": sample(None)}), Some(&token))
            .await;
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        let a = &r["data"]["createAchievement"]["achievement"];
        assert_eq!(a["status"], "DRAFT");
        assert_eq!(a["organisation"]["key"], "imut");
        assert_eq!(a["patents"][0]["applicationNumber"], "201710601862.3");
        assert_eq!(a["patents"][0]["type"], "INVENTION");
        assert_eq!(a["patents"][0]["granted"], true);
        assert_eq!(a["industry"]["section"], "C");
        assert_eq!(a["priceNegotiable"], true);
        let id = a["id"].as_str().expect("id").to_string();

        let r = hub
            .gql(
                "mutation($id:ID!){ updateAchievement(id:$id, input:{askingPriceYuan: 500000, maturity: 7, titleEn: \"Cathode\"}){ achievement{ askingPriceYuan priceNegotiable maturity titleEn title } } }",
                json!({"id": id}),
                Some(&token),
            )
            .await;
        let a = &r["data"]["updateAchievement"]["achievement"];
        assert_eq!(a["askingPriceYuan"], 500000, "{r}");
        assert_eq!(a["maturity"], 7);
        assert_eq!(
            a["title"], "一种高效锂离子电池正极材料的制备方法",
            "omitted fields stay"
        );
        let r = hub
            .gql(
                "mutation($id:ID!){ updateAchievement(id:$id, input:{askingPriceYuan: null}){ achievement{ priceNegotiable } } }",
                json!({"id": id}),
                Some(&token),
            )
            .await;
        assert_eq!(
            r["data"]["updateAchievement"]["achievement"]["priceNegotiable"], true,
            "{r}"
        );

        // Not public until published.
        let r = hub
            .gql(
                "query($id:ID!){ achievement(id:$id){ title } }",
                json!({"id": id}),
                None,
            )
            .await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
        let r = hub
            .gql("mutation($id:ID!){ publishAchievement(id:$id){ achievement{ status publishedAt } } }", json!({"id": id}), Some(&token))
            .await;
        assert_eq!(
            r["data"]["publishAchievement"]["achievement"]["status"], "PUBLISHED",
            "{r}"
        );
        let r = hub
            .gql(
                "query($id:ID!){ achievement(id:$id){ title } }",
                json!({"id": id}),
                None,
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let r = hub
            .gql(
                "mutation($id:ID!){ publishAchievement(id:$id){ achievement{ status } } }",
                json!({"id": id}),
                Some(&token),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "publishing twice: {r}");
        let r = hub
            .gql(
                "mutation($id:ID!){ withdrawAchievement(id:$id){ achievement{ status } } }",
                json!({"id": id}),
                Some(&token),
            )
            .await;
        assert_eq!(
            r["data"]["withdrawAchievement"]["achievement"]["status"], "WITHDRAWN",
            "{r}"
        );

        let audit_after = audit_log::Entity::find()
            .count(&hub.db)
            .await
            .expect("count");
        assert_eq!(
            audit_after - audit_before,
            5,
            "create, 2 updates, publish, withdraw"
        );
    }
}

#[tokio::test]
async fn wrong_check_digit_is_bad_input_naming_field_and_expected_digit() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let token = hub.token("imu", Role::Member).await;
        let before = snapshot(&hub).await;
        let mut input = sample(None);
        input["patents"][0]["applicationNumber"] = json!("201710601862.5");
        let r = hub.gql(CREATE, json!({"input": input}), Some(&token)).await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        let ext = &r["errors"][0]["extensions"];
        assert_eq!(ext["field"], "input.patents[0].applicationNumber");
        assert_eq!(ext["expectedCheckDigit"], "3");
        assert!(r["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains('3'));
        for (field, value, name) in [
            ("industryCode", json!("Z1234"), "input.industryCode"),
            ("ipcCodes", json!(["not ipc"]), "input.ipcCodes[0]"),
            ("maturity", json!(10), "input.maturity"),
            ("regionCode", json!("12345"), "input.regionCode"),
            ("title", json!("   "), "input.title"),
            ("askingPriceYuan", json!(-5), "input.askingPriceYuan"),
            ("title", json!("长".repeat(201)), "input.title"),
        ] {
            let mut input = sample(None);
            input[field] = value;
            let r = hub.gql(CREATE, json!({"input": input}), Some(&token)).await;
            assert_eq!(error_code(&r), Some("BAD_INPUT"), "{field}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], name, "{r}");
        }
        assert_eq!(
            snapshot(&hub).await,
            before,
            "{backend:?}: refused input changed the store"
        );
    }
}

#[tokio::test]
async fn other_organisations_records_are_forbidden_for_every_mutation() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let owner = hub.token("imu", Role::Member).await;
        let intruder = hub.token("imau", Role::OrgAdmin).await;
        let r = hub
            .gql(CREATE, json!({"input": sample(None)}), Some(&owner))
            .await;
        let id = r["data"]["createAchievement"]["achievement"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        let r = hub
            .gql(
                "{ needs(first:1){ edges{ node{ id organisation{ key } } } } }",
                json!({}),
                None,
            )
            .await;
        let need_id = r["data"]["needs"]["edges"][0]["node"]["id"]
            .as_str()
            .expect("need")
            .to_string();
        let need_org = r["data"]["needs"]["edges"][0]["node"]["organisation"]["key"]
            .as_str()
            .expect("org")
            .to_string();
        assert_ne!(need_org, "imau");
        let before = snapshot(&hub).await;
        let attempts: Vec<(&str, Value)> = vec![
            ("mutation($id:ID!){ updateAchievement(id:$id, input:{title:\"篡改\"}){ achievement{ id } } }", json!({"id": id})),
            ("mutation($id:ID!){ publishAchievement(id:$id){ achievement{ id } } }", json!({"id": id})),
            ("mutation($id:ID!){ withdrawAchievement(id:$id){ achievement{ id } } }", json!({"id": id})),
            (CREATE, json!({"input": sample(Some("imu"))})),
            ("mutation($id:ID!){ updateNeed(id:$id, input:{title:\"篡改\"}){ need{ id } } }", json!({"id": need_id})),
            ("mutation($id:ID!){ closeNeed(id:$id){ need{ id } } }", json!({"id": need_id})),
            (
                "mutation($org:String){ createNeed(input:{organisation:$org, title:\"x\", description:\"y\"}){ need{ id } } }",
                json!({"org": need_org}),
            ),
        ];
        for (q, vars) in &attempts {
            let r = hub.gql(q, vars.clone(), Some(&intruder)).await;
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{backend:?} {q}: {r}");
        }
        // Portal keys and organisers are read-only for the catalog; anonymous callers must log in.
        let portal = hub.token("nmg-portal", Role::Portal).await;
        for (q, vars) in &attempts {
            let r = hub.gql(q, vars.clone(), Some(&portal)).await;
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "portal {q}: {r}");
            let r = hub.gql(q, vars.clone(), None).await;
            assert_eq!(
                error_code(&r),
                Some("UNAUTHENTICATED"),
                "anonymous {q}: {r}"
            );
        }
        assert_eq!(
            snapshot(&hub).await,
            before,
            "{backend:?}: a refused mutation changed the store"
        );
    }
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let (status, r) = hub
        .gql_raw("{ viewer { role } }", json!({}), Some("thub_forged"))
        .await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));
    let token = hub.token("imu", Role::OrgAdmin).await;
    let r = hub
        .gql(
            "{ viewer { role tokenName organisation { key } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r["data"]["viewer"]["role"], "ORG_ADMIN", "{r}");
    assert_eq!(r["data"]["viewer"]["organisation"]["key"], "imu");
    let r = hub.gql("{ viewer { role } }", json!({}), None).await;
    assert!(r["data"]["viewer"].is_null());
}

#[tokio::test]
async fn unknown_ids_are_not_found_and_patent_reuse_is_a_conflict() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let token = hub.token("imu", Role::Member).await;
    let missing = transferhub_server::relay::encode_id("Achievement", 987_654).0;
    let r = hub
        .gql(
            "mutation($id:ID!){ publishAchievement(id:$id){ achievement{ id } } }",
            json!({"id": missing}),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let missing_need = transferhub_server::relay::encode_id("Need", 987_654).0;
    let r = hub
        .gql(
            "mutation($id:ID!){ closeNeed(id:$id){ need{ id } } }",
            json!({"id": missing_need}),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = hub
        .gql(CREATE, json!({"input": sample(None)}), Some(&token))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let before = snapshot(&hub).await;
    let r = hub
        .gql(CREATE, json!({"input": sample(None)}), Some(&token))
        .await;
    assert_eq!(
        error_code(&r),
        Some("CONFLICT"),
        "same patent on two achievements: {r}"
    );
    assert_eq!(snapshot(&hub).await, before);
}

#[tokio::test]
async fn firms_post_update_and_close_needs() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let r = hub
            .gql(
                "{ organisations(first:100, filter:{kind:FIRM}){ edges{ node{ key } } } }",
                json!({}),
                None,
            )
            .await;
        let firm = r["data"]["organisations"]["edges"][0]["node"]["key"]
            .as_str()
            .expect("firm")
            .to_string();
        let token = hub.token(&firm, Role::Member).await;
        let r = hub
            .gql(
                r#"mutation{ createNeed(input:{title:"高镍正极材料循环寿命提升", description:"需要将循环寿命提升至2000次以上。",
                    industryCode:"C3841", requiredMaturity:6, transferModes:[LICENCE], budgetMinYuan:500000, budgetMaxYuan:2000000, deadline:"2099-12-31"}){
                    need{ id status requiredMaturity budget{ minYuan maxYuan negotiable } industry{ code } } } }"#,
                json!({}),
                Some(&token),
            )
            .await;
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        let n = &r["data"]["createNeed"]["need"];
        assert_eq!(n["status"], "OPEN");
        assert_eq!(n["budget"]["negotiable"], false);
        let id = n["id"].as_str().expect("id").to_string();
        let r = hub
            .gql(
                "mutation($id:ID!){ updateNeed(id:$id, input:{budgetMinYuan:null, budgetMaxYuan:null}){ need{ budget{ negotiable } } } }",
                json!({"id": id}),
                Some(&token),
            )
            .await;
        assert_eq!(
            r["data"]["updateNeed"]["need"]["budget"]["negotiable"], true,
            "{r}"
        );
        let r = hub
            .gql("mutation($id:ID!){ updateNeed(id:$id, input:{budgetMinYuan:9, budgetMaxYuan:1}){ need{ id } } }", json!({"id": id}), Some(&token))
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        let r = hub
            .gql("mutation($id:ID!){ updateNeed(id:$id, input:{deadline:\"2001-01-01\"}){ need{ id } } }", json!({"id": id}), Some(&token))
            .await;
        assert_eq!(
            r["errors"][0]["extensions"]["field"], "input.deadline",
            "{r}"
        );
        let r = hub
            .gql(
                "mutation($id:ID!){ closeNeed(id:$id){ need{ status } } }",
                json!({"id": id}),
                Some(&token),
            )
            .await;
        assert_eq!(r["data"]["closeNeed"]["need"]["status"], "CLOSED", "{r}");
        let r = hub
            .gql(
                "mutation($id:ID!){ closeNeed(id:$id){ need{ status } } }",
                json!({"id": id}),
                Some(&token),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"));
    }
}
