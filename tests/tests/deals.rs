//! The deal room's first slice (issue 20), on SQLite and PostgreSQL: a verified firm expresses
//! interest in a university's published achievement, the parties write both ways (the seller's
//! first answer moves INTENT → NEGOTIATING), unread counts and read receipts follow, attachments
//! must be the sender's own uploads, a third organisation sees nothing and changes nothing, a
//! second open deal is a CONFLICT, an unverified organisation is refused, and a withdrawn deal
//! takes no more messages. Every mutation leaves an audit entry.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};
use transferhub_schema::entity::{audit_log, deal, deal_message, organisation, uploaded_file};
use transferhub_schema::enums::{OrganisationStatus, Role};
use transferhub_server::organisations::service as orgs;
use transferhub_tests::{backends, error_code, TestHub};

const ACHIEVEMENTS: &str = "query($org:String!){ achievements(first: 3, filter:{organisation:$org, status: PUBLISHED}){ edges{ node{ id status } } } }";

const INTEREST: &str = "mutation($input: ExpressInterestInput!){ expressInterest(input:$input){ deal{ id status buyer{ key } seller{ key } unreadCount messages{ body authorOrganisation{ key } } } } }";

const SEND: &str = "mutation($input: SendDealMessageInput!){ sendDealMessage(input:$input){ deal{ status unreadCount } message{ body attachment readByOtherParty } } }";

const DEAL: &str = "query($id:ID!){ deal(id:$id){ id status unreadCount lastMessageAt achievement{ id } messages{ body readByOtherParty authorOrganisation{ key } } } }";

const DEALS: &str =
    "query($f: DealFilter){ deals(first: 10, filter:$f){ totalCount edges{ node{ id status } } } }";

const READ: &str = "mutation($id:ID!){ markDealRead(dealId:$id){ deal{ unreadCount } } }";

const WITHDRAW: &str =
    "mutation($id:ID!, $r:String!){ withdrawDeal(id:$id, reason:$r){ deal{ status } } }";

async fn published(hub: &TestHub, org: &str, n: usize) -> String {
    let r = hub.gql(ACHIEVEMENTS, json!({"org": org}), None).await;
    r["data"]["achievements"]["edges"][n]["node"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no published achievement {n} of {org}: {r}"))
        .to_string()
}

async fn upload(hub: &TestHub, org_key: &str, public_id: &str) {
    let org = orgs::by_key(&hub.db, org_key)
        .await
        .unwrap_or_else(|e| panic!("{org_key}: {}", e.message()));
    uploaded_file::ActiveModel {
        public_id: Set(public_id.into()),
        organisation_id: Set(org.id),
        uploaded_by: Set("token:0".into()),
        file_name: Set("offer.pdf".into()),
        content_type: Set("application/pdf".into()),
        size_bytes: Set(4),
        sha256: Set("00".into()),
        storage_key: Set(public_id.into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&hub.db)
    .await
    .expect("upload row");
}

async fn audits(hub: &TestHub, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(&hub.db)
        .await
        .expect("audit")
}

async fn store(hub: &TestHub) -> (u64, u64) {
    (
        deal::Entity::find().count(&hub.db).await.expect("deals"),
        deal_message::Entity::find()
            .count(&hub.db)
            .await
            .expect("messages"),
    )
}

fn ok<'a>(r: &'a Value, what: &str) -> &'a Value {
    assert!(r["errors"].is_null(), "{what}: {r}");
    &r["data"]
}

#[tokio::test]
async fn a_firm_and_a_university_negotiate_in_a_private_thread() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let firm = hub.token("cyx-dairy", Role::Member).await;
        let uni = hub.token("imu", Role::Member).await;
        let third = hub.token("imau", Role::OrgAdmin).await;
        let ach = published(&hub, "imu", 0).await;

        // Own achievement: refused, naming the field.
        let r = hub
            .gql(
                INTEREST,
                json!({"input": {"achievementId": ach, "message": "自己的"}}),
                Some(&uni),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{backend:?}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "input.achievementId");

        // Empty first message: BAD_INPUT naming input.message.
        let r = hub
            .gql(
                INTEREST,
                json!({"input": {"achievementId": ach, "message": "  "}}),
                Some(&firm),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "input.message");

        let r = hub
            .gql(
                INTEREST,
                json!({"input": {"achievementId": ach, "message": "我司希望了解该成果的许可条件。"}}),
                Some(&firm),
            )
            .await;
        let d = &ok(&r, "expressInterest")["expressInterest"]["deal"];
        assert_eq!(d["status"], "INTENT");
        assert_eq!(d["buyer"]["key"], "cyx-dairy");
        assert_eq!(d["seller"]["key"], "imu");
        assert_eq!(d["unreadCount"], 0);
        assert_eq!(d["messages"][0]["authorOrganisation"]["key"], "cyx-dairy");
        let id = d["id"].as_str().expect("id").to_string();
        assert_eq!(audits(&hub, "deal.open").await, 1);

        // A second open deal for the same achievement and buyer names the first.
        let r = hub
            .gql(
                INTEREST,
                json!({"input": {"achievementId": ach, "message": "再问一次"}}),
                Some(&firm),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        assert!(
            r["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains(&id),
            "{r}"
        );

        // The seller sees one unread message; the buyer's own message is not unread for it.
        let r = hub.gql(DEAL, json!({"id": id}), Some(&uni)).await;
        let seen = &ok(&r, "deal as seller")["deal"];
        assert_eq!(seen["unreadCount"], 1);
        assert_eq!(seen["achievement"]["id"], ach);
        assert!(seen["lastMessageAt"].is_string());
        assert_eq!(seen["messages"][0]["readByOtherParty"], false);

        // The seller reads, then answers: INTENT → NEGOTIATING; the buyer's message is read.
        let r = hub.gql(READ, json!({"id": id}), Some(&uni)).await;
        assert_eq!(
            ok(&r, "markDealRead")["markDealRead"]["deal"]["unreadCount"],
            0
        );
        let r = hub.gql(DEAL, json!({"id": id}), Some(&firm)).await;
        assert_eq!(
            ok(&r, "deal")["deal"]["messages"][0]["readByOtherParty"],
            true
        );
        upload(&hub, "imu", "imu-offer").await;
        upload(&hub, "cyx-dairy", "dairy-spec").await;
        let r = hub
            .gql(
                SEND,
                json!({"input": {"dealId": id, "body": "可以许可，附报价单。", "attachment": "imu-offer"}}),
                Some(&uni),
            )
            .await;
        let sent = &ok(&r, "seller answers")["sendDealMessage"];
        assert_eq!(sent["deal"]["status"], "NEGOTIATING");
        assert_eq!(sent["message"]["attachment"], "imu-offer");

        // The buyer has one unread; writes back (its own upload), then reads.
        let r = hub.gql(DEAL, json!({"id": id}), Some(&firm)).await;
        assert_eq!(ok(&r, "deal")["deal"]["unreadCount"], 1);
        let r = hub
            .gql(
                SEND,
                json!({"input": {"dealId": id, "body": "请看我们的技术要求。", "attachment": "dairy-spec"}}),
                Some(&firm),
            )
            .await;
        assert_eq!(
            ok(&r, "buyer answers")["sendDealMessage"]["deal"]["status"],
            "NEGOTIATING"
        );
        let r = hub.gql(READ, json!({"id": id}), Some(&firm)).await;
        assert_eq!(ok(&r, "read")["markDealRead"]["deal"]["unreadCount"], 0);
        let r = hub.gql(DEAL, json!({"id": id}), Some(&uni)).await;
        let seen = &ok(&r, "deal")["deal"];
        assert_eq!(seen["unreadCount"], 1);
        assert_eq!(seen["messages"].as_array().map(Vec::len), Some(3));
        assert_eq!(
            seen["messages"][0]["body"],
            "我司希望了解该成果的许可条件。"
        );
        assert_eq!(seen["messages"][1]["readByOtherParty"], true);
        assert_eq!(seen["messages"][2]["readByOtherParty"], false);

        // Another organisation's upload, an empty and an over-long body: BAD_INPUT by field.
        for (body, attachment, field) in [
            ("附件", Some("imu-offer"), "input.attachment"),
            ("附件", Some("no-such-file"), "input.attachment"),
            ("", None, "input.body"),
            (&*"长".repeat(5001), None, "input.body"),
        ] {
            let r = hub
                .gql(
                    SEND,
                    json!({"input": {"dealId": id, "body": body, "attachment": attachment}}),
                    Some(&firm),
                )
                .await;
            assert_eq!(error_code(&r), Some("BAD_INPUT"), "{field}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
        }

        // A third organisation: the deal does not exist for it, and it changes nothing.
        let before = store(&hub).await;
        let r = hub.gql(DEAL, json!({"id": id}), Some(&third)).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
        assert!(r["data"].is_null() || r["data"]["deal"].is_null(), "{r}");
        let missing = transferhub_server::relay::encode_id("Deal", 999_999).0;
        let r2 = hub.gql(DEAL, json!({"id": missing}), Some(&third)).await;
        assert_eq!(error_code(&r2), Some("NOT_FOUND"));
        let strip = |v: &Value| {
            v["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .replace(&id, "")
                .replace(&missing, "")
        };
        assert_eq!(
            strip(&r).split('/').next().map(str::trim),
            strip(&r2).split('/').next().map(str::trim),
            "the refusal must not tell 'not yours' from 'absent'"
        );
        for (q, v) in [
            (SEND, json!({"input": {"dealId": id, "body": "我也想买"}})),
            (READ, json!({"id": id})),
            (WITHDRAW, json!({"id": id, "r": "捣乱"})),
        ] {
            let r = hub.gql(q, v, Some(&third)).await;
            assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
        }
        assert_eq!(store(&hub).await, before);
        let r = hub.gql(DEALS, json!({}), Some(&third)).await;
        assert_eq!(ok(&r, "deals")["deals"]["totalCount"], 0);

        // Parties list it; filters by status and organisation.
        for t in [&firm, &uni] {
            let r = hub
                .gql(DEALS, json!({"f": {"status": "NEGOTIATING"}}), Some(t))
                .await;
            assert_eq!(ok(&r, "deals")["deals"]["totalCount"], 1, "{r}");
            let r = hub
                .gql(DEALS, json!({"f": {"status": "INTENT"}}), Some(t))
                .await;
            assert_eq!(ok(&r, "deals")["deals"]["totalCount"], 0, "{r}");
        }
        let r = hub
            .gql(DEALS, json!({"f": {"organisation": "imau"}}), Some(&firm))
            .await;
        assert_eq!(ok(&r, "deals")["deals"]["totalCount"], 0);

        // Withdrawal by either party; then no more messages, and a new deal may be opened.
        let r = hub
            .gql(WITHDRAW, json!({"id": id, "r": "价格未谈拢"}), Some(&uni))
            .await;
        assert_eq!(
            ok(&r, "withdraw")["withdrawDeal"]["deal"]["status"],
            "WITHDRAWN"
        );
        let r = hub
            .gql(
                SEND,
                json!({"input": {"dealId": id, "body": "还在吗？"}}),
                Some(&firm),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        let r = hub
            .gql(WITHDRAW, json!({"id": id, "r": "再撤"}), Some(&firm))
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        let r = hub
            .gql(
                INTEREST,
                json!({"input": {"achievementId": ach, "message": "重新洽谈"}}),
                Some(&firm),
            )
            .await;
        ok(&r, "reopen after withdrawal");

        assert_eq!(audits(&hub, "deal.open").await, 2);
        assert_eq!(audits(&hub, "deal.message").await, 2);
        assert_eq!(audits(&hub, "deal.withdraw").await, 1);
        assert_eq!(audits(&hub, "deal.read").await, 2);
        // Anonymous callers see no deals at all.
        let r = hub.gql(DEALS, json!({}), None).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    }
}

#[tokio::test]
async fn an_unverified_organisation_opens_no_deal() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let ach = published(&hub, "imu", 0).await;
        let org = orgs::by_key(&hub.db, "mk-pharma")
            .await
            .unwrap_or_else(|e| panic!("mk-pharma: {}", e.message()));
        let mut m: organisation::ActiveModel = org.into();
        m.status = Set(OrganisationStatus::Pending);
        m.update(&hub.db).await.expect("pending");
        let token = hub.token("mk-pharma", Role::Member).await;
        let r = hub
            .gql(
                INTEREST,
                json!({"input": {"achievementId": ach, "message": "我们想谈谈"}}),
                Some(&token),
            )
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{backend:?}: {r}");
        assert_eq!(
            r["errors"][0]["extensions"]["reason"], "ORGANISATION_NOT_VERIFIED",
            "{r}"
        );
        assert_eq!(store(&hub).await, (0, 0));
        assert_eq!(audits(&hub, "deal.open").await, 0);
    }
}
