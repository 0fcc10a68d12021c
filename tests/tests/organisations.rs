//! Organisations joining the hub (issue 19), on SQLite and PostgreSQL: a logged-in person
//! without an organisation applies (PENDING), publishes nothing until a platform admin approves,
//! a rejected application is fixed and resubmitted, other people's organisations are refused,
//! bad 统一社会信用代码 are BAD_INPUT naming the problem, deactivated organisations neither publish
//! nor act, and the `transferhub org` CLI. The person's browser session is opened directly in the
//! store (the OpenID login itself is `auth.rs`'s), then used as a browser would: cookie + CSRF.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};
use transferhub_schema::entity::{audit_log, membership, organisation, user};
use transferhub_schema::enums::{OrganisationKind, Role};
use transferhub_server::organisations::service::{self, Application, By};
use transferhub_tests::{backends, binary, error_code, Backend, TestDb, TestHub};

/// A logged-in person's browser session.
struct Person {
    cookie: String,
    csrf: String,
}

async fn person(hub: &TestHub, email: &str) -> Person {
    let u = user::ActiveModel {
        email: Set(Some(email.to_string())),
        display_name: Set(email.to_string()),
        issuer: Set(Some("https://idp.test".into())),
        subject: Set(Some(email.to_string())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&hub.db)
    .await
    .expect("user");
    let (secret, row) =
        transferhub_server::auth::session::open(&hub.db, u.id, None, "test", 3600, None)
            .await
            .unwrap_or_else(|e| panic!("session: {}", e.message()));
    Person {
        cookie: format!("thub_session={secret}"),
        csrf: row.csrf_token,
    }
}

async fn as_person(hub: &TestHub, p: &Person, query: &str, variables: Value) -> Value {
    hub.http()
        .post(format!("{}/graphql", hub.url))
        .header("cookie", &p.cookie)
        .header("x-csrf-token", &p.csrf)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// A hub without demo data, with one configured (verified) organisation whose platform-admin
/// token is returned.
async fn hub_with_admin(backend: Backend) -> (TestHub, String) {
    let hub = TestHub::start(backend, false).await.expect("hub");
    let org = service::create(
        &hub.db,
        By::Cli,
        Application {
            kind: Some(OrganisationKind::Agency),
            name_zh: Some("呼和浩特技术转移中心".into()),
            name_en: Some("Hohhot Technology Transfer Centre".into()),
            credit_code: Some("91110000802100433B".into()),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("admin org: {}", e.message()));
    assert_eq!(org.key, "hohhot-technology-transfer-centre");
    let token = hub.token(&org.key, Role::PlatformAdmin).await;
    (hub, token)
}

const CREATE_ORG: &str = "mutation($input: CreateOrganisationInput!){ createOrganisation(input: $input){ organisation{ id key status creditCode nameZh active application{ address contactName rejectionReason submittedAt } } } }";

fn application(credit_code: &str) -> Value {
    json!({
        "kind": "FIRM",
        "nameZh": "内蒙古草原乳业有限公司",
        "nameEn": "Inner Mongolia Grassland Dairy Co., Ltd.",
        "creditCode": credit_code,
        "regionCode": "150100",
        "address": "呼和浩特市赛罕区大学西街 1 号",
        "contactName": "王经理",
        "contactPhone": "0471-1234567"
    })
}

const VERIFY: &str = "mutation($input: VerifyOrganisationInput!){ verifyOrganisation(input: $input){ organisation{ key status application{ rejectionReason reviewedAt } } } }";

const DRAFT: &str = "mutation{ createAchievement(input:{title:\"一种牛乳蛋白分离方法\", type: KNOW_HOW, summary:\"从乳清中分离高纯度乳铁蛋白的工艺。\"}){ achievement{ id status organisation{ key } } } }";

const PUBLISH: &str = "mutation($id:ID!){ publishAchievement(id:$id){ achievement{ status } } }";

async fn audit_count(hub: &TestHub, action: &str, org_id: i64) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::EntityId.eq(org_id))
        .count(&hub.db)
        .await
        .expect("audit")
}

async fn org_row(hub: &TestHub, key: &str) -> organisation::Model {
    service::by_key(&hub.db, key)
        .await
        .unwrap_or_else(|e| panic!("{key}: {}", e.message()))
}

#[tokio::test]
async fn an_application_is_pending_publishes_nothing_until_approved() {
    for backend in backends().await {
        let (hub, admin) = hub_with_admin(backend).await;
        let p = person(&hub, "wang@grassland-dairy.cn").await;
        // Without an organisation the person has no viewer yet, but is logged in.
        let r = as_person(
            &hub,
            &p,
            "{ viewer { role } account { email hasOrganisation csrfToken } }",
            json!({}),
        )
        .await;
        assert!(r["data"]["viewer"].is_null(), "{backend:?}: {r}");
        // `account` tells the web app why: a person, but no organisation yet.
        assert_eq!(r["data"]["account"]["email"], "wang@grassland-dairy.cn");
        assert_eq!(r["data"]["account"]["hasOrganisation"], false, "{r}");
        assert!(r["data"]["account"]["csrfToken"].is_string(), "{r}");

        let r = as_person(
            &hub,
            &p,
            CREATE_ORG,
            json!({"input": application("91350100M000100Y43")}),
        )
        .await;
        let org = &r["data"]["createOrganisation"]["organisation"];
        assert_eq!(org["status"], "PENDING", "{backend:?}: {r}");
        assert_eq!(org["creditCode"], "91350100M000100Y43");
        assert_eq!(org["application"]["contactName"], "王经理");
        let key = org["key"].as_str().expect("key").to_string();
        let id = org["id"].as_str().expect("id").to_string();
        assert_eq!(key, "inner-mongolia-grassland-dairy-co-ltd");
        let row = org_row(&hub, &key).await;
        assert_eq!(audit_count(&hub, "organisation.apply", row.id).await, 1);
        let admins = membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(row.id))
            .all(&hub.db)
            .await
            .expect("members");
        assert_eq!(admins.len(), 1);
        assert_eq!(admins[0].role, Role::OrgAdmin);

        // The same session now acts as the new organisation's admin.
        let r = as_person(
            &hub,
            &p,
            "{ viewer { role organisation { key status } } account { hasOrganisation } }",
            json!({}),
        )
        .await;
        assert_eq!(r["data"]["viewer"]["role"], "ORG_ADMIN", "{r}");
        assert_eq!(r["data"]["account"]["hasOrganisation"], true, "{r}");
        assert_eq!(r["data"]["viewer"]["organisation"]["status"], "PENDING");

        // Drafts may be prepared; publishing is refused with a stable reason.
        let r = as_person(&hub, &p, DRAFT, json!({})).await;
        let a = &r["data"]["createAchievement"]["achievement"];
        assert_eq!(a["status"], "DRAFT", "{r}");
        assert_eq!(a["organisation"]["key"], key.as_str());
        let achievement = a["id"].as_str().expect("id").to_string();
        let r = as_person(&hub, &p, PUBLISH, json!({"id": achievement})).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        assert_eq!(
            r["errors"][0]["extensions"]["reason"], "ORGANISATION_NOT_VERIFIED",
            "{r}"
        );
        let r = as_person(
            &hub,
            &p,
            "mutation{ createNeed(input:{title:\"乳清蛋白提纯\", description:\"寻求膜分离技术\"}){ need{ id } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            r["errors"][0]["extensions"]["reason"], "ORGANISATION_NOT_VERIFIED",
            "a need is public once posted: {r}"
        );

        // An event is public once created: an organiser token of the organisation is refused.
        let organiser = hub.token(&key, Role::Organiser).await;
        let r = hub
            .gql(
                "mutation($input: CreateEventInput!){ createEvent(input:$input){ event{ id } } }",
                json!({"input": {
                    "title": "乳业技术对接会",
                    "tables": 4,
                    "sessions": [{"name": "上午场", "startsAt": "2027-06-18T01:00:00Z", "endsAt": "2027-06-18T03:00:00Z"}]
                }}),
                Some(&organiser),
            )
            .await;
        assert_eq!(
            r["errors"][0]["extensions"]["reason"], "ORGANISATION_NOT_VERIFIED",
            "{r}"
        );

        // Taking part in a verified organiser's event shows the organisation on its public
        // pages: refused too, until approved (below).
        let host = hub
            .token("hohhot-technology-transfer-centre", Role::Organiser)
            .await;
        let r = hub
            .gql(
                "mutation($input: CreateEventInput!){ createEvent(input:$input){ event{ id } } }",
                json!({"input": {
                    "title": "呼和浩特科技成果对接会",
                    "tables": 4,
                    "sessions": [{"name": "上午场", "startsAt": "2027-06-18T01:00:00Z", "endsAt": "2027-06-18T03:00:00Z"}]
                }}),
                Some(&host),
            )
            .await;
        let event = r["data"]["createEvent"]["event"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("event: {r}"))
            .to_string();
        let register =
            "mutation($e: ID!){ registerForEvent(eventId:$e, input:{}){ participant{ id organisation{ key } } } }";
        let r = as_person(&hub, &p, register, json!({"e": event})).await;
        assert_eq!(
            r["errors"][0]["extensions"]["reason"], "ORGANISATION_NOT_VERIFIED",
            "{r}"
        );

        // Not on the public list; in the platform admin's queue; the queue is theirs alone.
        let list = "{ organisations(first: 50){ totalCount edges{ node{ key } } } }";
        let r = hub.gql(list, json!({}), None).await;
        assert_eq!(r["data"]["organisations"]["totalCount"], 1, "{r}");
        let queue = "{ organisationApplications(first: 10){ totalCount edges{ node{ key status application{ contactPhone } } } } }";
        let r = hub.gql(queue, json!({}), Some(&admin)).await;
        let q = &r["data"]["organisationApplications"];
        assert_eq!(q["totalCount"], 1, "{r}");
        assert_eq!(q["edges"][0]["node"]["key"], key.as_str());
        assert_eq!(
            q["edges"][0]["node"]["application"]["contactPhone"],
            "0471-1234567"
        );
        let r = as_person(&hub, &p, queue, json!({})).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = hub.gql(queue, json!({}), None).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");

        // Approved: the draft is published, and the organisation is listed.
        let r = hub
            .gql(
                VERIFY,
                json!({"input": {"id": id, "decision": "APPROVE"}}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            r["data"]["verifyOrganisation"]["organisation"]["status"], "VERIFIED",
            "{r}"
        );
        assert_eq!(audit_count(&hub, "organisation.verify", row.id).await, 1);
        let r = as_person(&hub, &p, PUBLISH, json!({"id": achievement})).await;
        assert_eq!(
            r["data"]["publishAchievement"]["achievement"]["status"], "PUBLISHED",
            "{r}"
        );
        let r = hub.gql(list, json!({}), None).await;
        assert_eq!(r["data"]["organisations"]["totalCount"], 2, "{r}");
        let r = as_person(&hub, &p, register, json!({"e": event})).await;
        assert_eq!(
            r["data"]["registerForEvent"]["participant"]["organisation"]["key"],
            key.as_str(),
            "{r}"
        );
        // Deciding twice is a conflict.
        let r = hub
            .gql(
                VERIFY,
                json!({"input": {"id": id, "decision": "REJECT", "reason": "late"}}),
                Some(&admin),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        eprintln!("backend {backend:?}: apply → pending → publish refused → approve → published");
    }
}

#[tokio::test]
async fn a_rejected_application_is_fixed_and_resubmitted() {
    for backend in backends().await {
        let (hub, admin) = hub_with_admin(backend).await;
        let p = person(&hub, "li@steppe-materials.cn").await;
        let mut input = application("9144030071526726XG");
        input["nameEn"] = json!("Steppe Materials");
        let r = as_person(&hub, &p, CREATE_ORG, json!({ "input": input })).await;
        let org = &r["data"]["createOrganisation"]["organisation"];
        let id = org["id"].as_str().expect("id").to_string();
        let key = org["key"].as_str().expect("key").to_string();

        // A rejection needs a reason.
        let r = hub
            .gql(
                VERIFY,
                json!({"input": {"id": id, "decision": "REJECT", "reason": "  "}}),
                Some(&admin),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{backend:?}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "input.reason");
        let reason = "营业执照与名称不符 / the licence names another firm";
        let r = hub
            .gql(
                VERIFY,
                json!({"input": {"id": id, "decision": "REJECT", "reason": reason}}),
                Some(&admin),
            )
            .await;
        let o = &r["data"]["verifyOrganisation"]["organisation"];
        assert_eq!(o["status"], "REJECTED", "{r}");
        assert_eq!(o["application"]["rejectionReason"], reason);
        let row = org_row(&hub, &key).await;
        assert_eq!(audit_count(&hub, "organisation.reject", row.id).await, 1);

        // The applicant sees the reason, still publishes nothing.
        let r = as_person(
            &hub,
            &p,
            "{ viewer { organisation { status application { rejectionReason } } } }",
            json!({}),
        )
        .await;
        assert_eq!(r["data"]["viewer"]["organisation"]["status"], "REJECTED");
        assert_eq!(
            r["data"]["viewer"]["organisation"]["application"]["rejectionReason"],
            reason
        );
        let r = as_person(&hub, &p, DRAFT, json!({})).await;
        let achievement = r["data"]["createAchievement"]["achievement"]["id"]
            .as_str()
            .expect("draft")
            .to_string();
        let r = as_person(&hub, &p, PUBLISH, json!({"id": achievement})).await;
        assert_eq!(
            r["errors"][0]["extensions"]["reason"], "ORGANISATION_NOT_VERIFIED",
            "{r}"
        );

        // The business licence: uploaded by the applicant (now the org admin), then attached.
        let upload = |name: &'static str, body: &'static [u8]| {
            hub.http()
                .post(format!("{}/files?name={name}", hub.url))
                .header("cookie", &p.cookie)
                .header("x-csrf-token", &p.csrf)
                .body(body)
                .send()
        };
        let r: Value = upload(
            "营业执照.pdf",
            b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
        )
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
        let file = r["id"].as_str().expect("file id").to_string();
        let r = as_person(
            &hub,
            &p,
            "mutation($id:ID!, $f:String!){ resubmitOrganisation(id:$id, input:{businessLicenceFile:$f}){ organisation{ status application{ businessLicence{ id contentType url } } } } }",
            json!({"id": id, "f": file}),
        )
        .await;
        let o = &r["data"]["resubmitOrganisation"]["organisation"];
        assert_eq!(o["status"], "PENDING", "{r}");
        assert_eq!(
            o["application"]["businessLicence"]["contentType"],
            "application/pdf"
        );
        assert_eq!(
            o["application"]["businessLicence"]["url"],
            format!("/files/{file}")
        );
        let r = hub
            .gql(
                VERIFY,
                json!({"input": {"id": id, "decision": "REJECT", "reason": "营业执照模糊 / the licence is unreadable"}}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            r["data"]["verifyOrganisation"]["organisation"]["status"], "REJECTED",
            "{r}"
        );
        // Somebody else's upload id is not accepted.
        let r = as_person(
            &hub,
            &p,
            "mutation($id:ID!){ resubmitOrganisation(id:$id, input:{businessLicenceFile:\"no-such-file\"}){ organisation{ status } } }",
            json!({"id": id}),
        )
        .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(
            r["errors"][0]["extensions"]["field"],
            "input.businessLicenceFile"
        );

        // Fixes the name and resubmits: PENDING again, reason cleared; a bad code is refused.
        let resubmit = "mutation($id:ID!, $input: ResubmitOrganisationInput!){ resubmitOrganisation(id:$id, input:$input){ organisation{ status nameZh creditCode application{ rejectionReason } } } }";
        let r = as_person(
            &hub,
            &p,
            resubmit,
            json!({"id": id, "input": {"creditCode": "9144030071526726XH"}}),
        )
        .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        let r = as_person(
            &hub,
            &p,
            resubmit,
            json!({"id": id, "input": {"nameZh": "草原新材料有限公司"}}),
        )
        .await;
        let o = &r["data"]["resubmitOrganisation"]["organisation"];
        assert_eq!(o["status"], "PENDING", "{r}");
        assert_eq!(o["nameZh"], "草原新材料有限公司");
        assert_eq!(o["creditCode"], "9144030071526726XG");
        assert!(o["application"]["rejectionReason"].is_null(), "{r}");
        assert_eq!(audit_count(&hub, "organisation.resubmit", row.id).await, 2);

        let r = hub
            .gql(
                VERIFY,
                json!({"input": {"id": id, "decision": "APPROVE"}}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            r["data"]["verifyOrganisation"]["organisation"]["status"], "VERIFIED",
            "{r}"
        );
        let r = as_person(&hub, &p, PUBLISH, json!({"id": achievement})).await;
        assert_eq!(
            r["data"]["publishAchievement"]["achievement"]["status"], "PUBLISHED",
            "{r}"
        );
        // A verified organisation has nothing to resubmit.
        let r = as_person(&hub, &p, resubmit, json!({"id": id, "input": {}})).await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        eprintln!("backend {backend:?}: reject with reason → resubmit → approve");
    }
}

#[tokio::test]
async fn other_peoples_organisations_and_second_applications_are_refused() {
    for backend in backends().await {
        let (hub, admin) = hub_with_admin(backend).await;
        let a = person(&hub, "a@firm-a.cn").await;
        let b = person(&hub, "b@firm-b.cn").await;
        let r = as_person(
            &hub,
            &a,
            CREATE_ORG,
            json!({"input": application("91350100M000100Y43")}),
        )
        .await;
        let a_id = r["data"]["createOrganisation"]["organisation"]["id"]
            .as_str()
            .expect("a")
            .to_string();
        let a_key = r["data"]["createOrganisation"]["organisation"]["key"]
            .as_str()
            .expect("a")
            .to_string();
        // The same credit code cannot be claimed twice.
        let mut other = application("91350100M000100Y43");
        other["nameEn"] = json!("Firm B");
        let r = as_person(&hub, &b, CREATE_ORG, json!({ "input": other })).await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{backend:?}: {r}");
        other["creditCode"] = json!("91150100MA0N1B2C38");
        let r = as_person(&hub, &b, CREATE_ORG, json!({ "input": other })).await;
        assert_eq!(
            r["data"]["createOrganisation"]["organisation"]["status"], "PENDING",
            "{r}"
        );

        // B may not touch A's application, see it, or decide it.
        let r = as_person(
            &hub,
            &b,
            "mutation($id:ID!){ resubmitOrganisation(id:$id, input:{nameZh:\"篡改\"}){ organisation{ nameZh } } }",
            json!({"id": a_id}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = as_person(
            &hub,
            &b,
            VERIFY,
            json!({"input": {"id": a_id, "decision": "APPROVE"}}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = as_person(
            &hub,
            &b,
            "mutation($id:ID!){ deactivateOrganisation(id:$id, reason:\"x\"){ organisation{ active } } }",
            json!({"id": a_id}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = as_person(
            &hub,
            &b,
            "query($k:String!){ organisation(key:$k){ status application{ address } } }",
            json!({"k": a_key}),
        )
        .await;
        assert!(
            r["data"]["organisation"]["application"].is_null(),
            "another organisation's application is not shown: {r}"
        );
        assert_eq!(
            org_row(&hub, &a_key).await.name_zh,
            "内蒙古草原乳业有限公司"
        );

        // A person who already belongs to an organisation does not apply again; anonymous
        // callers and tokens of ordinary organisations do not create organisations.
        let mut second = application("9144030071526726XG");
        second["nameEn"] = json!("Second Firm");
        let r = as_person(&hub, &a, CREATE_ORG, json!({ "input": second })).await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        let r = hub.gql(CREATE_ORG, json!({ "input": second }), None).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let member = hub.token(&a_key, Role::OrgAdmin).await;
        let r = hub
            .gql(CREATE_ORG, json!({ "input": second }), Some(&member))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        // A platform admin creates it verified at once, inviting its first admin.
        second["adminEmail"] = json!("boss@second-firm.cn");
        let r = hub
            .gql(CREATE_ORG, json!({ "input": second }), Some(&admin))
            .await;
        assert_eq!(
            r["data"]["createOrganisation"]["organisation"]["status"], "VERIFIED",
            "{r}"
        );
        eprintln!("backend {backend:?}: other people's organisations refused");
    }
}

#[tokio::test]
async fn bad_credit_codes_are_bad_input_naming_the_problem() {
    for backend in backends().await {
        let (hub, _admin) = hub_with_admin(backend).await;
        let p = person(&hub, "zhao@example.cn").await;
        for (code, says) in [
            ("91350100M000100Y44", "check character should be 3, not 4"),
            (
                "9135I100M000100Y43",
                "character 5 'I' is not allowed (I, O, Z, S, V are never used)",
            ),
            ("91350100M000100Y4", "is 17 characters long"),
            ("91350100M000100Y430", "is 19 characters long"),
            (
                "９1350100M000100Y43",
                "character 1 '９' is a full-width digit",
            ),
        ] {
            let r = as_person(&hub, &p, CREATE_ORG, json!({"input": application(code)})).await;
            assert_eq!(error_code(&r), Some("BAD_INPUT"), "{backend:?} {code}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "input.creditCode");
            let message = r["errors"][0]["message"].as_str().expect("message");
            assert!(message.contains(says), "{code}: {message}");
        }
        let r = as_person(
            &hub,
            &p,
            CREATE_ORG,
            json!({"input": application("91350100M000100Y44")}),
        )
        .await;
        assert_eq!(r["errors"][0]["extensions"]["expectedCheckDigit"], "3");
        let mut missing = application("");
        missing["creditCode"] = Value::Null;
        let r = as_person(&hub, &p, CREATE_ORG, json!({ "input": missing })).await;
        assert_eq!(
            error_code(&r),
            Some("BAD_INPUT"),
            "a firm carries a code: {r}"
        );
        // Nothing was created by any of these.
        assert_eq!(
            organisation::Entity::find()
                .count(&hub.db)
                .await
                .expect("count"),
            1
        );
        eprintln!("backend {backend:?}: bad credit codes refused");
    }
}

#[tokio::test]
async fn a_deactivated_organisation_neither_publishes_nor_acts() {
    for backend in backends().await {
        let (hub, admin) = hub_with_admin(backend).await;
        let mut input = application("91350100M000100Y43");
        input["nameEn"] = json!("Closing Firm");
        let r = hub
            .gql(CREATE_ORG, json!({ "input": input }), Some(&admin))
            .await;
        let org = &r["data"]["createOrganisation"]["organisation"];
        assert_eq!(org["status"], "VERIFIED", "{backend:?}: {r}");
        let id = org["id"].as_str().expect("id").to_string();
        let key = org["key"].as_str().expect("key").to_string();
        let token = hub.token(&key, Role::OrgAdmin).await;
        let r = hub.gql(DRAFT, json!({}), Some(&token)).await;
        assert!(r["errors"].is_null(), "{r}");

        let deactivate = "mutation($id:ID!, $r:String!){ deactivateOrganisation(id:$id, reason:$r){ organisation{ active application{ deactivationReason } } } }";
        let r = hub
            .gql(deactivate, json!({"id": id, "r": " "}), Some(&admin))
            .await;
        assert_eq!(
            error_code(&r),
            Some("BAD_INPUT"),
            "a reason is required: {r}"
        );
        let r = hub
            .gql(deactivate, json!({"id": id, "r": "重复注册"}), Some(&admin))
            .await;
        let o = &r["data"]["deactivateOrganisation"]["organisation"];
        assert_eq!(o["active"], false, "{r}");
        assert_eq!(o["application"]["deactivationReason"], "重复注册");
        let row = org_row(&hub, &key).await;
        assert_eq!(
            audit_count(&hub, "organisation.deactivate", row.id).await,
            1
        );

        // Its tokens stop working; it publishes nothing; it leaves the public list.
        let r = hub.gql(DRAFT, json!({}), Some(&token)).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let e = service::require_publishing(&hub.db, row.id)
            .await
            .expect_err("deactivated");
        assert_eq!(e.code(), transferhub_server::error::Code::Forbidden);
        assert!(e.message().contains("deactivated"), "{}", e.message());
        let r = hub
            .gql(
                "{ organisations(first: 50){ totalCount } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(r["data"]["organisations"]["totalCount"], 1, "{r}");

        // Reactivated (a reason is required; only a deactivated one): it acts and publishes again.
        let reactivate = "mutation($id:ID!, $r:String!){ reactivateOrganisation(id:$id, reason:$r){ organisation{ active application{ deactivationReason } } } }";
        let r = hub
            .gql(reactivate, json!({"id": id, "r": ""}), Some(&admin))
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        let r = hub
            .gql(reactivate, json!({"id": id, "r": "误停用"}), Some(&token))
            .await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let r = hub
            .gql(reactivate, json!({"id": id, "r": "误停用"}), Some(&admin))
            .await;
        let o = &r["data"]["reactivateOrganisation"]["organisation"];
        assert_eq!(o["active"], true, "{r}");
        assert!(o["application"]["deactivationReason"].is_null(), "{r}");
        assert_eq!(
            audit_count(&hub, "organisation.reactivate", row.id).await,
            1
        );
        let r = hub.gql(DRAFT, json!({}), Some(&token)).await;
        assert!(r["errors"].is_null(), "the token acts again: {r}");
        service::require_publishing(&hub.db, row.id)
            .await
            .unwrap_or_else(|e| panic!("publishes again: {}", e.message()));
        let r = hub
            .gql(reactivate, json!({"id": id, "r": "again"}), Some(&admin))
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "already active: {r}");
        eprintln!("backend {backend:?}: deactivated organisation refused, then reactivated");
    }
}

#[tokio::test]
async fn the_org_cli_creates_verifies_rejects_and_deactivates() {
    for backend in backends().await {
        let db = TestDb::create(backend).await.expect("db");
        let run = |args: &[&str]| {
            let mut c = std::process::Command::new(binary().expect("binary"));
            c.current_dir(db.dir())
                .env_remove("DATABASE_URL")
                .env_remove("TRANSFERHUB_CONFIG")
                .env("TRANSFERHUB_LOG__LEVEL", "warn")
                .args(args);
            if backend == Backend::Postgres {
                c.env("DATABASE_URL", &db.url);
            }
            c.output().expect("run")
        };
        let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
        let create = |code: &'static str, name: &'static str| {
            vec![
                "org",
                "create",
                "--kind",
                "firm",
                "--name-zh",
                "包头稀土新材料有限公司",
                "--name-en",
                name,
                "--credit-code",
                code,
                "--region",
                "150200",
            ]
        };
        let out = run(&create("91350100M000100Y44", "Baotou Rare Earth"));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{backend:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("check character should be 3, not 4"),
            "{}",
            text(&out.stderr)
        );
        let out = run(&[
            "org",
            "create",
            "--kind",
            "emperor",
            "--name-zh",
            "x",
            "--name-en",
            "y",
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("unknown kind"),
            "{}",
            text(&out.stderr)
        );

        let out = run(&create("91350100M000100Y43", "Baotou Rare Earth"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let key = text(&out.stdout);
        assert_eq!(key, "baotou-rare-earth");
        let out = run(&["org", "list", "--status", "verified"]);
        assert!(text(&out.stdout).contains("baotou-rare-earth\tFirm\t91350100M000100Y43"));
        // Only pending organisations are decided; a rejection needs --reason.
        let out = run(&["org", "verify", &key]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("not PENDING"),
            "{}",
            text(&out.stderr)
        );
        let out = run(&["org", "reject", &key]);
        assert_eq!(out.status.code(), Some(2));
        let out = run(&["org", "verify", "no-such-org"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let out = run(&[
            "org",
            "deactivate",
            &key,
            "--reason",
            "duplicate of another",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(&["org", "deactivate", &key, "--reason", "again"]);
        assert_eq!(out.status.code(), Some(1));

        // A pending application from the store is decided by the CLI.
        let store = sea_orm::Database::connect(if backend == Backend::Postgres {
            db.url.clone()
        } else {
            format!(
                "sqlite://{}?mode=rwc",
                db.dir().join("data/transferhub.db").display()
            )
        })
        .await
        .expect("store");
        let pending = organisation::ActiveModel {
            key: Set("pending-firm".into()),
            name_zh: Set("待审企业".into()),
            name_en: Set("Pending Firm".into()),
            kind: Set(OrganisationKind::Firm),
            status: Set(transferhub_schema::enums::OrganisationStatus::Pending),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&store)
        .await
        .expect("pending");
        let out = run(&["org", "list"]);
        assert_eq!(
            text(&out.stdout).lines().count(),
            1,
            "{}",
            text(&out.stdout)
        );
        assert!(text(&out.stdout).starts_with("pending-firm\t"));
        let out = run(&["org", "reject", "pending-firm", "--reason", "no licence"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let row = organisation::Entity::find_by_id(pending.id)
            .one(&store)
            .await
            .expect("row")
            .expect("row");
        assert_eq!(row.rejection_reason.as_deref(), Some("no licence"));
        // A duplicate merged by the CLI: what moved is printed.
        let out = run(&create("91150200MA0Q5X7K8N", "Baotou Rare Earth Group"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(&[
            "org",
            "merge",
            "baotou-rare-earth-group",
            "pending-firm",
            "--reason",
            "same firm",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).ends_with("pending-firm merged into baotou-rare-earth-group"),
            "{}",
            text(&out.stdout)
        );
        let out = run(&[
            "org",
            "merge",
            "baotou-rare-earth-group",
            "baotou-rare-earth-group",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        // A merged duplicate stays deactivated: its records are in the survivor.
        let out = run(&["org", "reactivate", "pending-firm", "--reason", "oops"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("merged"),
            "{}",
            text(&out.stderr)
        );
        let cli_entries = audit_log::Entity::find()
            .filter(audit_log::Column::Actor.eq("cli"))
            .filter(audit_log::Column::Action.starts_with("organisation."))
            .count(&store)
            .await
            .expect("audit");
        assert_eq!(cli_entries, 5, "create, deactivate, reject, create, merge");
        eprintln!("backend {backend:?}: org CLI");
    }
}

/// Rows of `table` whose `column` is `id`, or all rows when `id` is `None`.
async fn rows(hub: &TestHub, table: &str, column: &str, id: Option<i64>) -> i64 {
    use sea_orm::ConnectionTrait;
    let sql = match id {
        Some(id) => format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = {id}"),
        None => format!("SELECT COUNT(*) AS n FROM {table}"),
    };
    hub.db
        .query_one(sea_orm::Statement::from_string(
            hub.db.get_database_backend(),
            sql,
        ))
        .await
        .expect("count")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n")
}

/// Every column of the schema that names an organisation, as (table, column).
async fn organisation_columns(hub: &TestHub) -> Vec<(String, String)> {
    use sea_orm::ConnectionTrait;
    let sql = match hub.backend {
        Backend::Sqlite => "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
        Backend::Postgres => "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns WHERE table_schema = current_schema()",
    };
    hub.db
        .query_all(sea_orm::Statement::from_string(
            hub.db.get_database_backend(),
            sql,
        ))
        .await
        .expect("columns")
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "t").expect("t"),
                r.try_get::<String>("", "c").expect("c"),
            )
        })
        .filter(|(_, c)| {
            c.ends_with("organisation_id") || c == "organiser_id" || c == "merged_into_id"
        })
        .collect()
}

#[tokio::test]
async fn a_merge_moves_every_record_and_loses_none() {
    use sea_orm::ConnectionTrait;
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        // The merge knows every column that references an organisation.
        let columns = organisation_columns(&hub).await;
        assert!(columns.len() >= service::REFERENCES.len(), "{columns:?}");
        for (t, c) in &columns {
            assert!(
                service::REFERENCES.contains(&(t.as_str(), c.as_str())),
                "{t}.{c} references an organisation but a merge would not move it"
            );
        }
        let admin = hub.token("imu", Role::PlatformAdmin).await;
        let survivor = org_row(&hub, "imu").await;

        // Two organisations at one event cannot merge (their registrations would collide).
        let backend_ = hub.db.get_database_backend();
        let pair = hub
            .db
            .query_one(sea_orm::Statement::from_string(
                backend_,
                "SELECT p1.organisation_id AS a, p2.organisation_id AS b FROM event_participants p1 \
                 JOIN event_participants p2 ON p1.event_id = p2.event_id AND p1.organisation_id < p2.organisation_id",
            ))
            .await
            .expect("pair");
        if let Some(pair) = pair {
            let a: i64 = pair.try_get("", "a").expect("a");
            let b: i64 = pair.try_get("", "b").expect("b");
            let before = rows(&hub, "achievements", "organisation_id", Some(b)).await;
            let e = service::merge(&hub.db, By::Cli, a, b, None)
                .await
                .expect_err("shared event");
            assert_eq!(
                e.code(),
                transferhub_server::error::Code::Conflict,
                "{}",
                e.message()
            );
            assert_eq!(
                rows(&hub, "achievements", "organisation_id", Some(b)).await,
                before
            );
            eprintln!("backend {backend:?}: two organisations at one event not merged");
        }

        // The duplicate: the demo organisation with the most referencing rows that shares no
        // event with the survivor.
        let mut best: Option<(i64, organisation::Model)> = None;
        for o in organisation::Entity::find()
            .all(&hub.db)
            .await
            .expect("orgs")
        {
            if o.id == survivor.id {
                continue;
            }
            let shared = hub
                .db
                .query_one(sea_orm::Statement::from_string(
                    backend_,
                    format!(
                        "SELECT COUNT(*) AS n FROM event_participants p1 JOIN event_participants p2 \
                         ON p1.event_id = p2.event_id WHERE p1.organisation_id = {} AND p2.organisation_id = {}",
                        survivor.id, o.id
                    ),
                ))
                .await
                .expect("shared")
                .expect("row")
                .try_get::<i64>("", "n")
                .expect("n");
            if shared > 0 {
                continue;
            }
            let mut n = 0;
            for (t, c) in service::REFERENCES {
                n += rows(&hub, t, c, Some(o.id)).await;
            }
            if best.as_ref().is_none_or(|(m, _)| n > *m) {
                best = Some((n, o));
            }
        }
        let (_, dup) = best.expect("a duplicate candidate");
        // People, an invitation, a file and a token of the duplicate; one person is in both.
        for email in ["only@dup.example", "both@dup.example"] {
            let _ = person(&hub, email).await;
        }
        for (email, orgs) in [
            ("only@dup.example", vec![dup.id]),
            ("both@dup.example", vec![dup.id, survivor.id]),
        ] {
            let u = user::Entity::find()
                .filter(user::Column::Email.eq(email))
                .one(&hub.db)
                .await
                .expect("user")
                .expect("user");
            for org in orgs {
                membership::ActiveModel {
                    user_id: Set(u.id),
                    organisation_id: Set(org),
                    role: Set(Role::Member),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(&hub.db)
                .await
                .expect("membership");
            }
            transferhub_server::auth::session::open(
                &hub.db,
                u.id,
                Some((dup.id, Role::Member)),
                "test",
                3600,
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("session: {}", e.message()));
        }
        transferhub_schema::entity::invitation::ActiveModel {
            organisation_id: Set(dup.id),
            email: Set("new@dup.example".into()),
            role: Set(Role::Member),
            invited_by: Set("cli".into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&hub.db)
        .await
        .expect("invitation");
        transferhub_schema::entity::uploaded_file::ActiveModel {
            public_id: Set("dup-licence".into()),
            organisation_id: Set(dup.id),
            uploaded_by: Set("cli".into()),
            file_name: Set("licence.pdf".into()),
            content_type: Set("application/pdf".into()),
            size_bytes: Set(10),
            sha256: Set("00".into()),
            storage_key: Set("dup-licence".into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&hub.db)
        .await
        .expect("file");
        let dup_token = hub.token(&dup.key, Role::Member).await;

        let mut before = Vec::new();
        for (t, c) in service::REFERENCES {
            before.push((
                rows(&hub, t, c, Some(survivor.id)).await,
                rows(&hub, t, c, Some(dup.id)).await,
                rows(&hub, t, c, None).await,
            ));
        }
        let dup_rows: i64 = before.iter().map(|b| b.1).sum();
        assert!(
            dup_rows >= 8,
            "the duplicate has records to move: {before:?}"
        );

        let r = hub
            .gql(
                "mutation($s:ID!, $m:ID!){ mergeOrganisations(input:{survivor:$s, merged:$m, reason:\"同一单位重复注册\"}){ survivor{ key } merged{ key active } moved{ table column count } duplicateMemberships } }",
                json!({
                    "s": transferhub_server::relay::encode_id("Organisation", survivor.id).0,
                    "m": transferhub_server::relay::encode_id("Organisation", dup.id).0,
                }),
                Some(&admin),
            )
            .await;
        let p = &r["data"]["mergeOrganisations"];
        assert_eq!(p["survivor"]["key"], "imu", "{backend:?}: {r}");
        assert_eq!(p["merged"]["active"], false, "{r}");
        assert_eq!(p["duplicateMemberships"], 1, "{r}");
        let reported: i64 = p["moved"]
            .as_array()
            .expect("moved")
            .iter()
            .map(|m| m["count"].as_i64().expect("count"))
            .sum();
        assert_eq!(
            reported,
            dup_rows - 1,
            "every row but the duplicate membership: {r}"
        );

        // Nothing references the duplicate; the survivor holds both sets; no row was lost.
        for ((t, c), (s0, d0, all0)) in service::REFERENCES.iter().zip(&before) {
            // The duplicate membership is dropped; the merge's audit entry and the duplicate's
            // own `merged_into_id` are new references to the survivor.
            let (survivor_delta, total_delta) = match (*t, *c) {
                ("memberships", _) => (-1, -1),
                ("audit_log", _) => (1, 1),
                ("organisations", "merged_into_id") => (1, 0),
                _ => (0, 0),
            };
            assert_eq!(
                rows(&hub, t, c, Some(dup.id)).await,
                0,
                "{t}.{c} still names the duplicate"
            );
            assert_eq!(
                rows(&hub, t, c, Some(survivor.id)).await,
                s0 + d0 + survivor_delta,
                "{t}.{c}: survivor's rows"
            );
            assert_eq!(
                rows(&hub, t, c, None).await,
                all0 + total_delta,
                "{t}.{c}: total"
            );
        }
        let row = org_row(&hub, &dup.key).await;
        assert_eq!(row.merged_into_id, Some(survivor.id));
        assert_eq!(
            audit_count(&hub, "organisation.merge", survivor.id).await,
            1
        );
        // The duplicate's token now acts for the survivor.
        let r = hub
            .gql(
                "{ viewer { organisation { key } } }",
                json!({}),
                Some(&dup_token),
            )
            .await;
        assert_eq!(r["data"]["viewer"]["organisation"]["key"], "imu", "{r}");
        // Merging it again is a conflict.
        let e = service::merge(&hub.db, By::Cli, survivor.id, dup.id, None)
            .await
            .expect_err("again");
        assert_eq!(e.code(), transferhub_server::error::Code::Conflict);
        eprintln!(
            "backend {backend:?}: merged {} into imu, {dup_rows} rows, none lost",
            dup.key
        );
    }
}

#[tokio::test]
async fn a_person_logged_in_through_openid_connect_applies_and_acts_for_the_new_organisation() {
    use transferhub_tests::oidc_peer::{hub_with_provider, Browser};
    for backend in backends().await {
        let (hub, _peer) = hub_with_provider(backend, |_| {}).await;
        let b = Browser::new();
        // An address no e-mail-domain rule maps: the person belongs to no organisation.
        let (_, csrf) = b
            .login(&hub.url, "campus", "founder@steppe-firm.cn")
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: login failed: {e:#}"));
        let post = |query: &'static str, variables: Value, csrf: String| {
            let client = b.client.clone();
            let url = format!("{}/graphql", hub.url);
            async move {
                client
                    .post(url)
                    .header("x-csrf-token", csrf)
                    .json(&json!({ "query": query, "variables": variables }))
                    .send()
                    .await
                    .expect("request")
                    .json::<Value>()
                    .await
                    .expect("json")
            }
        };
        let r = post("{ viewer { role } }", json!({}), csrf.clone()).await;
        assert!(r["data"]["viewer"].is_null(), "{backend:?}: {r}");
        let mut input = application("91150100MA0N1B2C38");
        input["nameEn"] = json!("Steppe Firm");
        let r = post(CREATE_ORG, json!({ "input": input }), csrf.clone()).await;
        assert_eq!(
            r["data"]["createOrganisation"]["organisation"]["status"], "PENDING",
            "{r}"
        );
        let r = post(
            "{ viewer { role email organisation { key status } } }",
            json!({}),
            csrf.clone(),
        )
        .await;
        assert_eq!(r["data"]["viewer"]["role"], "ORG_ADMIN", "{r}");
        assert_eq!(r["data"]["viewer"]["email"], "founder@steppe-firm.cn");
        assert_eq!(r["data"]["viewer"]["organisation"]["key"], "steppe-firm");

        // A later login acts for it too (the membership, not the session, carries it).
        let b2 = Browser::new();
        let (_, csrf2) = b2
            .login(&hub.url, "campus", "founder@steppe-firm.cn")
            .await
            .expect("second login");
        let r: Value = b2
            .client
            .post(format!("{}/graphql", hub.url))
            .header("x-csrf-token", csrf2)
            .json(&json!({ "query": "{ viewer { role organisation { key status } } }" }))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        assert_eq!(r["data"]["viewer"]["role"], "ORG_ADMIN", "{r}");
        assert_eq!(r["data"]["viewer"]["organisation"]["status"], "PENDING");
        let row = org_row(&hub, "steppe-firm").await;
        let apply = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("organisation.apply"))
            .filter(audit_log::Column::EntityId.eq(row.id))
            .one(&hub.db)
            .await
            .expect("audit")
            .expect("entry");
        assert_eq!(
            apply.actor,
            format!("user:{}", row.applied_by_user_id.expect("applicant"))
        );
        eprintln!("backend {backend:?}: OpenID login → apply → org admin");
    }
}
