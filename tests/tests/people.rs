//! People (issue 19), on SQLite and PostgreSQL: profiles edited by their person and shown by
//! visibility (anonymous callers never see hidden fields; hidden people are null), bad IPC /
//! GB/T 4754 codes and language tags are BAD_INPUT naming the item, `Organisation.people` and
//! `Achievement.inventorPeople`; member management (roles, removal, leaving, handing the org
//! admin role over, withdrawing invitations) with the last-admin refusal, a removed member
//! losing access on the next request; and `transferhub token create --person`.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};
use transferhub_schema::entity::{audit_log, membership, user};
use transferhub_schema::enums::{OrganisationKind, Role};
use transferhub_server::organisations::service::{self, Application, By};
use transferhub_tests::{backends, binary, error_code, Backend, TestDb, TestHub};

/// A person with a browser session.
struct Person {
    id: i64,
    gid: String,
    cookie: String,
    csrf: String,
}

/// Creates a person (and membership with `role` in `org`, when given) and opens their session.
async fn person(hub: &TestHub, name: &str, email: &str, org: Option<(i64, Role)>) -> Person {
    let u = user::ActiveModel {
        email: Set(Some(email.to_string())),
        display_name: Set(name.to_string()),
        issuer: Set(Some("https://idp.test".into())),
        subject: Set(Some(email.to_string())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&hub.db)
    .await
    .expect("user");
    if let Some((org_id, role)) = org {
        membership::ActiveModel {
            user_id: Set(u.id),
            organisation_id: Set(org_id),
            role: Set(role),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&hub.db)
        .await
        .expect("membership");
    }
    let (secret, row) =
        transferhub_server::auth::session::open(&hub.db, u.id, org, "test", 3600, None)
            .await
            .unwrap_or_else(|e| panic!("session: {}", e.message()));
    Person {
        id: u.id,
        gid: gid("Person", u.id),
        cookie: format!("thub_session={secret}"),
        csrf: row.csrf_token,
    }
}

fn gid(kind: &str, id: i64) -> String {
    transferhub_server::relay::encode_id(kind, id).to_string()
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

/// A verified organisation made by the CLI path; returns (id, key).
async fn org(hub: &TestHub, name_zh: &str, name_en: &str, code: &str) -> (i64, String) {
    let o = service::create(
        &hub.db,
        By::Cli,
        Application {
            kind: Some(OrganisationKind::University),
            name_zh: Some(name_zh.into()),
            name_en: Some(name_en.into()),
            credit_code: Some(code.into()),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("org: {}", e.message()));
    (o.id, o.key)
}

async fn audit_count(hub: &TestHub, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(&hub.db)
        .await
        .expect("audit")
}

const UPDATE: &str = "mutation($input: UpdateMyProfileInput!){ updateMyProfile(input:$input){ person{ id displayName title email ipcCodes industryCodes keywords languages bio visibility showEmail complete organisation{ key } } } }";
const PERSON: &str = "query($id: ID!){ person(id:$id){ displayName title email ipcCodes industryCodes keywords languages bio visibility complete organisation{ key } } }";

#[tokio::test]
async fn profiles_are_edited_by_their_person_and_shown_by_visibility() {
    for backend in backends().await {
        let hub = TestHub::start(backend, false).await.expect("hub");
        let (imu, imu_key) = org(
            &hub,
            "内蒙古大学",
            "Inner Mongolia University",
            "91350100M000100Y43",
        )
        .await;
        let (other, _) = org(
            &hub,
            "内蒙古农业大学",
            "Inner Mongolia Agricultural University",
            "91110000802100433B",
        )
        .await;
        let li = person(&hub, "李明", "liming@imu.edu.cn", Some((imu, Role::Member))).await;
        let admin = person(
            &hub,
            "王芳",
            "wangfang@imu.edu.cn",
            Some((imu, Role::OrgAdmin)),
        )
        .await;
        let stranger = person(
            &hub,
            "赵强",
            "zhao@imau.edu.cn",
            Some((other, Role::OrgAdmin)),
        )
        .await;

        let r = as_person(
            &hub,
            &li,
            UPDATE,
            json!({"input": {
                "title": "教授",
                "ipcCodes": ["g06f", "G06F 16/33"],
                "industryCodes": ["I65", "M73"],
                "keywords": ["知识图谱", "自然语言处理"],
                "languages": ["zh", "en", "mn-mong"],
                "bio": "长期从事蒙古文信息处理研究。"
            }}),
        )
        .await;
        let p = &r["data"]["updateMyProfile"]["person"];
        assert_eq!(p["title"], "教授", "{backend:?}: {r}");
        assert_eq!(p["ipcCodes"], json!(["G06F", "G06F 16/33"]));
        assert_eq!(p["languages"], json!(["zh", "en", "mn-Mong"]));
        assert_eq!(p["visibility"], "BASIC", "private-ish by default");
        assert_eq!(p["showEmail"], false);
        assert_eq!(p["complete"], true);
        assert_eq!(
            p["email"], "liming@imu.edu.cn",
            "the person sees their own e-mail"
        );
        assert_eq!(p["organisation"]["key"], imu_key.as_str());
        assert_eq!(audit_count(&hub, "person.update_profile").await, 1);
        let r = as_person(
            &hub,
            &li,
            "{ me { displayName } viewer { person { title } } }",
            json!({}),
        )
        .await;
        assert_eq!(r["data"]["me"]["displayName"], "李明", "{r}");
        assert_eq!(r["data"]["viewer"]["person"]["title"], "教授", "{r}");

        // Anonymous: name, organisation and title; no e-mail, no fields.
        let r = hub.gql(PERSON, json!({"id": li.gid}), None).await;
        let p = &r["data"]["person"];
        assert_eq!(p["displayName"], "李明", "{r}");
        assert_eq!(p["title"], "教授");
        assert_eq!(p["organisation"]["key"], imu_key.as_str());
        assert!(p["email"].is_null(), "{r}");
        assert_eq!(p["ipcCodes"], json!([]));
        assert!(p["bio"].is_null());
        assert_eq!(p["complete"], false);

        // PUBLIC shows the fields, the e-mail still hidden until showEmail.
        as_person(
            &hub,
            &li,
            UPDATE,
            json!({"input": {"visibility": "PUBLIC"}}),
        )
        .await;
        let r = hub.gql(PERSON, json!({"id": li.gid}), None).await;
        assert_eq!(
            r["data"]["person"]["keywords"],
            json!(["知识图谱", "自然语言处理"]),
            "{r}"
        );
        assert!(r["data"]["person"]["email"].is_null(), "{r}");
        as_person(&hub, &li, UPDATE, json!({"input": {"showEmail": true}})).await;
        let r = hub.gql(PERSON, json!({"id": li.gid}), None).await;
        assert_eq!(r["data"]["person"]["email"], "liming@imu.edu.cn", "{r}");

        // HIDDEN: null for the public and other organisations; the own org admin sees all.
        as_person(
            &hub,
            &li,
            UPDATE,
            json!({"input": {"visibility": "HIDDEN", "showEmail": false}}),
        )
        .await;
        let r = hub.gql(PERSON, json!({"id": li.gid}), None).await;
        assert!(
            r["data"]["person"].is_null() && r["errors"].is_null(),
            "{r}"
        );
        let r = as_person(&hub, &stranger, PERSON, json!({"id": li.gid})).await;
        assert!(r["data"]["person"].is_null(), "{r}");
        let r = as_person(&hub, &admin, PERSON, json!({"id": li.gid})).await;
        assert_eq!(r["data"]["person"]["complete"], true, "{r}");
        assert_eq!(r["data"]["person"]["email"], "liming@imu.edu.cn");
        // Unknown ids are null too.
        let r = hub
            .gql(PERSON, json!({"id": gid("Person", 999_999)}), None)
            .await;
        assert!(
            r["data"]["person"].is_null() && r["errors"].is_null(),
            "{r}"
        );

        // updateMyProfile changes only the caller's own profile; anonymous callers and
        // organisation tokens have none.
        let r = as_person(
            &hub,
            &stranger,
            UPDATE,
            json!({"input": {"title": "研究员"}}),
        )
        .await;
        assert_eq!(
            r["data"]["updateMyProfile"]["person"]["id"],
            stranger.gid.as_str(),
            "{r}"
        );
        let r = as_person(&hub, &admin, PERSON, json!({"id": li.gid})).await;
        assert_eq!(r["data"]["person"]["title"], "教授", "{r}");
        let r = hub
            .gql(UPDATE, json!({"input": {"title": "x"}}), None)
            .await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let token = hub.token(&imu_key, Role::OrgAdmin).await;
        let r = hub
            .gql(UPDATE, json!({"input": {"title": "x"}}), Some(&token))
            .await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");

        // Bad codes name the item.
        for (input, field) in [
            (json!({"ipcCodes": ["G06F", "X99Z"]}), "input.ipcCodes[1]"),
            (json!({"ipcCodes": ["G06"]}), "input.ipcCodes[0]"),
            (
                json!({"industryCodes": ["C39", "Z12"]}),
                "input.industryCodes[1]",
            ),
            (json!({"industryCodes": ["C65"]}), "input.industryCodes[0]"),
            (
                json!({"languages": ["zh", "chinese"]}),
                "input.languages[1]",
            ),
            (
                json!({"keywords": ["这是一个非常非常非常非常非常非常非常非常非常非常非常非常长的关键词"]}),
                "input.keywords[0]",
            ),
        ] {
            let r = as_person(&hub, &li, UPDATE, json!({"input": input})).await;
            assert_eq!(
                error_code(&r),
                Some("BAD_INPUT"),
                "{backend:?} {input}: {r}"
            );
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
        }
        assert_eq!(
            audit_count(&hub, "person.update_profile").await,
            5,
            "refusals write nothing"
        );

        // The organisation's people and an achievement's inventors.
        as_person(&hub, &li, UPDATE, json!({"input": {"visibility": "BASIC"}})).await;
        let r = hub
            .gql(
                "query($k:String!){ organisation(key:$k){ people{ displayName title email } } }",
                json!({"k": imu_key}),
                None,
            )
            .await;
        let people = r["data"]["organisation"]["people"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(people.len(), 2, "{r}");
        assert!(people.iter().all(|p| p["email"].is_null()), "{r}");
        let member = hub.token(&imu_key, Role::Member).await;
        let r = hub
            .gql(
                "mutation{ createAchievement(input:{title:\"蒙古文智能输入法\", type: SOFTWARE_COPYRIGHT, summary:\"基于深度学习的蒙古文输入法。\", inventors:[\"李明\",\"张三\"]}){ achievement{ id } } }",
                json!({}),
                Some(&member),
            )
            .await;
        let id = r["data"]["createAchievement"]["achievement"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        let r = hub
            .gql(
                "mutation($id:ID!){ publishAchievement(id:$id){ achievement{ status } } }",
                json!({"id": id}),
                Some(&member),
            )
            .await;
        assert_eq!(
            r["data"]["publishAchievement"]["achievement"]["status"], "PUBLISHED",
            "{r}"
        );
        let r = hub
            .gql("query($id:ID!){ achievement(id:$id){ inventors inventorPeople{ id displayName title } } }", json!({"id": id}), None)
            .await;
        let inv = &r["data"]["achievement"]["inventorPeople"];
        assert_eq!(inv.as_array().map(Vec::len), Some(1), "{r}");
        assert_eq!(inv[0]["id"], li.gid.as_str());
        assert_eq!(inv[0]["title"], "教授");
        eprintln!("backend {backend:?}: profiles edited and shown by visibility");
    }
}

const MEMBERS: &str = "query($k:String!){ organisation(key:$k){ members{ personId role } } }";
const SET_ROLE: &str = "mutation($o:ID!,$p:ID!,$r:Role!){ setMemberRole(organisationId:$o, personId:$p, role:$r){ membership{ personId role } } }";
const REMOVE: &str = "mutation($o:ID!,$p:ID!){ removeMember(organisationId:$o, personId:$p){ membership{ personId role } } }";
const LEAVE: &str =
    "mutation($o:ID!){ leaveOrganisation(organisationId:$o){ membership{ personId } } }";
const HAND_OVER: &str = "mutation($o:ID!,$p:ID!){ handOverOrgAdmin(organisationId:$o, toPersonId:$p){ previousAdmin{ personId role } newAdmin{ personId role } } }";
const VIEWER: &str = "{ viewer { role organisation { key } } }";

#[tokio::test]
async fn members_change_roles_leave_and_hand_over_but_an_organisation_keeps_an_admin() {
    for backend in backends().await {
        let hub = TestHub::start(backend, false).await.expect("hub");
        let (imu, key) = org(
            &hub,
            "内蒙古大学",
            "Inner Mongolia University",
            "91350100M000100Y43",
        )
        .await;
        let (other, _) = org(
            &hub,
            "内蒙古农业大学",
            "Inner Mongolia Agricultural University",
            "91110000802100433B",
        )
        .await;
        let o = gid("Organisation", imu);
        let a = person(
            &hub,
            "王芳",
            "wangfang@imu.edu.cn",
            Some((imu, Role::OrgAdmin)),
        )
        .await;
        let b = person(&hub, "李明", "liming@imu.edu.cn", Some((imu, Role::Member))).await;
        let c = person(
            &hub,
            "陈静",
            "chenjing@imu.edu.cn",
            Some((imu, Role::Member)),
        )
        .await;
        let stranger = person(
            &hub,
            "赵强",
            "zhao@imau.edu.cn",
            Some((other, Role::OrgAdmin)),
        )
        .await;

        // Only MEMBER or ORG_ADMIN; another organisation's admin and members are refused.
        let r = as_person(
            &hub,
            &a,
            SET_ROLE,
            json!({"o": o, "p": b.gid, "r": "PORTAL"}),
        )
        .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{backend:?}: {r}");
        let r = as_person(
            &hub,
            &stranger,
            SET_ROLE,
            json!({"o": o, "p": b.gid, "r": "ORG_ADMIN"}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = as_person(
            &hub,
            &c,
            SET_ROLE,
            json!({"o": o, "p": c.gid, "r": "ORG_ADMIN"}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = as_person(
            &hub,
            &a,
            SET_ROLE,
            json!({"o": o, "p": stranger.gid, "r": "MEMBER"}),
        )
        .await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "not a member: {r}");

        // The last org admin cannot be demoted, removed or leave.
        let r = as_person(
            &hub,
            &a,
            SET_ROLE,
            json!({"o": o, "p": a.gid, "r": "MEMBER"}),
        )
        .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        let msg = r["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            msg.contains("管理员") && msg.contains("last org admin"),
            "{msg}"
        );
        let r = as_person(&hub, &a, REMOVE, json!({"o": o, "p": a.gid})).await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        let r = as_person(&hub, &a, LEAVE, json!({"o": o})).await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");

        // Promotion takes effect on the promoted person's next request.
        let r = as_person(
            &hub,
            &a,
            SET_ROLE,
            json!({"o": o, "p": b.gid, "r": "ORG_ADMIN"}),
        )
        .await;
        assert_eq!(
            r["data"]["setMemberRole"]["membership"]["role"], "ORG_ADMIN",
            "{r}"
        );
        let r = as_person(&hub, &b, VIEWER, json!({})).await;
        assert_eq!(r["data"]["viewer"]["role"], "ORG_ADMIN", "{r}");
        assert_eq!(audit_count(&hub, "member.set_role").await, 1);

        // Handing over: a becomes MEMBER, c ORG_ADMIN, at once.
        let r = as_person(&hub, &a, HAND_OVER, json!({"o": o, "p": c.gid})).await;
        let h = &r["data"]["handOverOrgAdmin"];
        assert_eq!(h["previousAdmin"]["role"], "MEMBER", "{r}");
        assert_eq!(h["newAdmin"]["role"], "ORG_ADMIN", "{r}");
        assert_eq!(h["newAdmin"]["personId"], c.gid.as_str());
        let r = as_person(&hub, &a, VIEWER, json!({})).await;
        assert_eq!(r["data"]["viewer"]["role"], "MEMBER", "{r}");
        let r = as_person(&hub, &a, HAND_OVER, json!({"o": o, "p": b.gid})).await;
        assert_eq!(
            error_code(&r),
            Some("FORBIDDEN"),
            "a member hands nothing over: {r}"
        );
        assert_eq!(audit_count(&hub, "member.hand_over").await, 1);

        // A member leaves; an admin removes another; both lose access on the next request.
        let r = as_person(&hub, &a, LEAVE, json!({"o": o})).await;
        assert_eq!(
            r["data"]["leaveOrganisation"]["membership"]["personId"],
            a.gid.as_str(),
            "{r}"
        );
        let r = as_person(&hub, &a, VIEWER, json!({})).await;
        assert!(r["data"]["viewer"].is_null(), "{r}");
        let r = as_person(&hub, &c, REMOVE, json!({"o": o, "p": b.gid})).await;
        assert_eq!(
            r["data"]["removeMember"]["membership"]["role"], "ORG_ADMIN",
            "{r}"
        );
        let r = as_person(&hub, &b, VIEWER, json!({})).await;
        assert!(r["data"]["viewer"].is_null(), "{r}");
        let r = as_person(&hub, &b, "mutation{ createAchievement(input:{title:\"x\", type: OTHER, summary:\"y\"}){ achievement{ id } } }", json!({})).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let r = as_person(&hub, &c, MEMBERS, json!({"k": key})).await;
        let members = r["data"]["organisation"]["members"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(members.len(), 1, "{r}");
        assert_eq!(members[0]["personId"], c.gid.as_str());
        assert_eq!(audit_count(&hub, "member.leave").await, 1);
        assert_eq!(audit_count(&hub, "member.remove").await, 1);
        // c is now the last admin.
        let r = as_person(&hub, &c, LEAVE, json!({"o": o})).await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");

        // Invitations are withdrawn once; another organisation's admin cannot.
        let r = as_person(
            &hub,
            &c,
            "mutation{ inviteMember(input:{organisation:\"inner-mongolia-university\", email:\"new@imu.edu.cn\", role: MEMBER}){ invitation{ id } } }",
            json!({}),
        )
        .await;
        let inv = r["data"]["inviteMember"]["invitation"]["id"]
            .as_str()
            .expect("invitation")
            .to_string();
        let revoke = "mutation($id:ID!){ revokeInvitation(id:$id){ invitation{ email } } }";
        let r = as_person(&hub, &stranger, revoke, json!({"id": inv})).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = as_person(&hub, &c, revoke, json!({"id": inv})).await;
        assert_eq!(
            r["data"]["revokeInvitation"]["invitation"]["email"], "new@imu.edu.cn",
            "{r}"
        );
        let r = as_person(&hub, &c, revoke, json!({"id": inv})).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
        assert_eq!(audit_count(&hub, "member.revoke_invitation").await, 1);
        eprintln!("backend {backend:?}: roles, leaving, hand-over and the last-admin rule");
    }
}

#[tokio::test]
async fn person_tokens_act_for_a_member_or_a_person_without_organisation() {
    for backend in backends().await {
        let db = TestDb::create(backend).await.expect("db");
        let url = db.url.clone();
        let hub = TestHub::start_with(backend, false, |c| c.storage.database_url = url)
            .await
            .expect("hub");
        let (imu, key) = org(
            &hub,
            "内蒙古大学",
            "Inner Mongolia University",
            "91350100M000100Y43",
        )
        .await;
        let member = person(&hub, "李明", "liming@imu.edu.cn", Some((imu, Role::Member))).await;
        let admin = person(
            &hub,
            "王芳",
            "wangfang@imu.edu.cn",
            Some((imu, Role::OrgAdmin)),
        )
        .await;
        let newcomer = person(&hub, "高娃", "gaowa@grassland-dairy.cn", None).await;
        let run = |args: &[&str]| {
            std::process::Command::new(binary().expect("binary"))
                .current_dir(db.dir())
                .env_remove("TRANSFERHUB_CONFIG")
                .env("DATABASE_URL", &db.url)
                .env("TRANSFERHUB_LOG__LEVEL", "warn")
                .args(args)
                .output()
                .expect("run")
        };
        let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();

        let out = run(&["token", "create", "--person", "nobody@imu.edu.cn"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{backend:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("nobody@imu.edu.cn"),
            "{}",
            text(&out.stderr)
        );
        let out = run(&[
            "token",
            "create",
            "--org",
            &key,
            "--person",
            "gaowa@grassland-dairy.cn",
        ]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "not a member: {}",
            text(&out.stderr)
        );
        let out = run(&[
            "token",
            "create",
            "--org",
            &key,
            "--person",
            "liming@imu.edu.cn",
            "--role",
            "org-admin",
        ]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "more than the person's role: {}",
            text(&out.stderr)
        );

        // --org --person: acts as that member (their profile, their role).
        let out = run(&[
            "token",
            "create",
            "--org",
            &key,
            "--person",
            "liming@imu.edu.cn",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let t = text(&out.stdout);
        let r = hub
            .gql("{ viewer { role person { id } } }", json!({}), Some(&t))
            .await;
        assert_eq!(r["data"]["viewer"]["role"], "MEMBER", "{r}");
        assert_eq!(
            r["data"]["viewer"]["person"]["id"],
            member.gid.as_str(),
            "{r}"
        );
        let r = hub
            .gql(UPDATE, json!({"input": {"title": "副教授"}}), Some(&t))
            .await;
        assert_eq!(
            r["data"]["updateMyProfile"]["person"]["title"], "副教授",
            "{r}"
        );
        // Removed: the token stops on its next request.
        let r = as_person(
            &hub,
            &admin,
            REMOVE,
            json!({"o": gid("Organisation", imu), "p": member.gid}),
        )
        .await;
        assert!(r["errors"].is_null(), "{r}");
        let r = hub.gql(VIEWER, json!({}), Some(&t)).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");

        // --person alone: a person without organisation, who applies for one.
        let out = run(&[
            "token",
            "create",
            "--person",
            "gaowa@grassland-dairy.cn",
            "--name",
            "gaowa",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let t = text(&out.stdout);
        let r = hub
            .gql(
                "{ viewer { role } me { id displayName } }",
                json!({}),
                Some(&t),
            )
            .await;
        assert!(r["data"]["viewer"].is_null(), "{r}");
        assert_eq!(r["data"]["me"]["id"], newcomer.gid.as_str(), "{r}");
        let r = hub
            .gql(
                "mutation($input: CreateOrganisationInput!){ createOrganisation(input:$input){ organisation{ key status } } }",
                json!({"input": {
                    "kind": "FIRM",
                    "nameZh": "内蒙古草原乳业有限公司",
                    "nameEn": "Grassland Dairy",
                    "creditCode": "9144030071526726XG",
                    "regionCode": "150100",
                    "address": "呼和浩特市赛罕区",
                    "contactName": "高娃",
                    "contactPhone": "0471-1234567"
                }}),
                Some(&t),
            )
            .await;
        assert_eq!(
            r["data"]["createOrganisation"]["organisation"]["status"], "PENDING",
            "{r}"
        );
        let r = hub
            .gql(
                "{ viewer { role organisation { key } } }",
                json!({}),
                Some(&t),
            )
            .await;
        assert_eq!(
            r["data"]["viewer"]["role"], "ORG_ADMIN",
            "the token follows the new membership: {r}"
        );
        assert_eq!(
            r["data"]["viewer"]["organisation"]["key"],
            "grassland-dairy"
        );
        let applied = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("organisation.apply"))
            .one(&hub.db)
            .await
            .expect("audit")
            .expect("apply entry");
        assert_eq!(applied.actor, format!("user:{}", newcomer.id));
        eprintln!("backend {backend:?}: person tokens with and without organisation");
    }
}

#[tokio::test]
async fn demo_people_have_chinese_profiles() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let r = hub
        .gql(
            "{ organisation(key:\"imau\"){ people{ displayName title ipcCodes keywords } } }",
            json!({}),
            None,
        )
        .await;
    let people = r["data"]["organisation"]["people"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!people.is_empty(), "{r}");
    assert!(people.iter().any(|p| p["title"] == "教授"), "{r}");
    assert!(
        people
            .iter()
            .any(|p| !p["ipcCodes"].as_array().is_none_or(Vec::is_empty)),
        "{r}"
    );
}
