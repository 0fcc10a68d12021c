//! The statistics centre against a known dataset: achievements of several organisations,
//! types, regions, collections and months (some drafts and withdrawn ones that must not count),
//! page views, needs, sources of known freshness, and the matching and events tables created
//! in the test. Every figure is compared with a count computed here from the dataset itself.

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use transferhub_schema::entity::{achievement, harvest_run, organisation, source};
use transferhub_schema::enums::{AchievementType, Role};
use transferhub_server::demo::{demo_set, seed_organisations};
use transferhub_server::relay;
use transferhub_server::search::config::CollectionConfig;
use transferhub_tests::{backends, error_code, Backend, TestHub};

/// One achievement of the dataset.
struct Spec {
    org: &'static str,
    kind: AchievementType,
    industry: Option<&'static str>,
    keywords: &'static [&'static str],
    region: &'static str,
    /// `None`: stays a draft; `Some(None)`: published now; `Some(Some((y, m)))`: published then.
    published: Option<Option<(i32, u32)>>,
    withdrawn: bool,
    views: u32,
}

fn dataset() -> Vec<Spec> {
    use AchievementType::*;
    let s = |org, kind, industry, keywords, region, published, withdrawn, views| Spec {
        org,
        kind,
        industry,
        keywords,
        region,
        published,
        withdrawn,
        views,
    };
    vec![
        s(
            "imu",
            Patent,
            Some("C3841"),
            &["稀土"],
            "150100",
            Some(Some((2025, 3))),
            false,
            3,
        ),
        s(
            "imu",
            Patent,
            Some("C2710"),
            &["生物医药"],
            "150100",
            Some(Some((2025, 3))),
            false,
            1,
        ),
        s(
            "imu",
            SoftwareCopyright,
            Some("I6513"),
            &["软件"],
            "150100",
            Some(Some((2025, 7))),
            false,
            0,
        ),
        s(
            "imau",
            PlantVariety,
            Some("A0111"),
            &["生物育种"],
            "150200",
            Some(Some((2025, 7))),
            false,
            2,
        ),
        s(
            "imau",
            KnowHow,
            Some("C1441"),
            &["乳业"],
            "150200",
            Some(None),
            false,
            0,
        ),
        s(
            "imut",
            Other,
            None,
            &[],
            "152500",
            Some(Some((2024, 12))),
            false,
            0,
        ),
        s(
            "imut",
            Patent,
            Some("C3841"),
            &["生物"],
            "152500",
            None,
            false,
            2,
        ),
        s(
            "imu",
            Patent,
            Some("C3841"),
            &[],
            "150100",
            Some(None),
            true,
            0,
        ),
    ]
}

fn counted(s: &Spec) -> bool {
    s.published.is_some() && !s.withdrawn
}

fn type_code(t: AchievementType) -> &'static str {
    match t {
        AchievementType::Patent => "PATENT",
        AchievementType::SoftwareCopyright => "SOFTWARE_COPYRIGHT",
        AchievementType::PlantVariety => "PLANT_VARIETY",
        AchievementType::KnowHow => "KNOW_HOW",
        AchievementType::Other => "OTHER",
    }
}

fn rows(r: &Value, table: &str) -> Vec<Vec<String>> {
    r["data"]["stats"][table]["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{table}: {r}"))
        .iter()
        .map(|row| {
            row.as_array()
                .expect("row")
                .iter()
                .map(|c| c.as_str().expect("cell").to_string())
                .collect()
        })
        .collect()
}

fn strings(v: &[&[&str]]) -> Vec<Vec<String>> {
    v.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

const STATS: &str = "{ stats { byCollection{ rows } byType{ rows csv } byOrganisation{ rows } byRegion{ rows } byMonth{ rows } needs{ rows } needMatchRate{ available note rows } matchFunnel{ available note rows } eventOutcomes{ available note rows } harvestFreshness{ rows } pageViews{ rows } pageViewsByMonth{ rows } } }";

async fn build(backend: Backend) -> (TestHub, String, Vec<(String, String)>) {
    let hub = TestHub::start_with(backend, false, |c| {
        // Suggestions are written by the test below, not by the background recompute.
        c.matching.recompute = false;
        c.search.collections = vec![
            CollectionConfig {
                key: "mfg".into(),
                name_zh: "制造".into(),
                industry_prefixes: vec!["C".into()],
                ..Default::default()
            },
            CollectionConfig {
                key: "bio".into(),
                name_zh: "生物".into(),
                keywords: vec!["生物".into()],
                ..Default::default()
            },
        ];
    })
    .await
    .expect("hub");
    seed_organisations(&hub.db, &demo_set().expect("demo").organisations)
        .await
        .expect("organisations");
    let admin = hub.token("imu", Role::PlatformAdmin).await;
    let mut ids = Vec::new();
    for (i, s) in dataset().iter().enumerate() {
        let title = format!("统计测试成果{i}");
        let r = hub
            .gql(
                "mutation($i:CreateAchievementInput!){ createAchievement(input:$i){ achievement{ id } } }",
                json!({"i": {"organisation": s.org, "title": title, "type": type_code(s.kind), "summary": "用于统计。",
                    "industryCode": s.industry, "keywords": s.keywords, "regionCode": s.region}}),
                Some(&admin),
            )
            .await;
        let id = r["data"]["createAchievement"]["achievement"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_string();
        if let Some(when) = s.published {
            let r = hub
                .gql(
                    "mutation($id:ID!){ publishAchievement(id:$id){ achievement{ status } } }",
                    json!({"id": id}),
                    Some(&admin),
                )
                .await;
            assert!(r["errors"].is_null(), "{r}");
            if let Some((y, m)) = when {
                let n = relay::decode_any(&id).expect("id").1;
                let a = achievement::Entity::find_by_id(n)
                    .one(&hub.db)
                    .await
                    .expect("db")
                    .expect("row");
                let mut am: achievement::ActiveModel = a.into();
                am.published_at = Set(Some(
                    Utc.with_ymd_and_hms(y, m, 15, 12, 0, 0)
                        .single()
                        .expect("date"),
                ));
                am.update(&hub.db).await.expect("backdate");
            }
            if s.withdrawn {
                let r = hub
                    .gql(
                        "mutation($id:ID!){ withdrawAchievement(id:$id){ achievement{ status } } }",
                        json!({"id": id}),
                        Some(&admin),
                    )
                    .await;
                assert!(r["errors"].is_null(), "{r}");
            }
        }
        ids.push((id, title));
    }
    (hub, admin, ids)
}

#[tokio::test]
async fn every_figure_equals_an_independent_count_of_the_dataset() {
    for backend in backends().await {
        let (hub, admin, ids) = build(backend).await;
        let specs = dataset();
        let counted_specs: Vec<&Spec> = specs.iter().filter(|s| counted(s)).collect();

        // Page views: anonymous visitors of published records; drafts and withdrawn ones do
        // not count (the owner viewing a draft is not a public view).
        let imut = hub.token("imut", Role::Member).await;
        for ((id, _), s) in ids.iter().zip(&specs) {
            for _ in 0..s.views {
                let token = if s.published.is_none() {
                    Some(imut.as_str())
                } else {
                    None
                };
                let r = hub
                    .gql(
                        "query($id:ID!){ achievement(id:$id){ title } }",
                        json!({"id": id}),
                        token,
                    )
                    .await;
                assert!(r["errors"].is_null(), "{r}");
            }
        }
        let r = hub
            .gql(
                "query($id:ID!){ achievement(id:$id){ title } }",
                json!({"id": ids[7].0}),
                None,
            )
            .await;
        assert_eq!(
            error_code(&r),
            Some("NOT_FOUND"),
            "withdrawn is not public: {r}"
        );

        // Needs: three, one closed.
        let member = hub.token("imu", Role::Member).await;
        let mut need_ids = Vec::new();
        for i in 0..3 {
            let r = hub
                .gql(
                    "mutation($i:CreateNeedInput!){ createNeed(input:$i){ need{ id } } }",
                    json!({"i": {"title": format!("需求{i}"), "description": "寻求技术。"}}),
                    Some(&member),
                )
                .await;
            need_ids.push(
                r["data"]["createNeed"]["need"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{r}"))
                    .to_string(),
            );
        }
        let r = hub
            .gql(
                "mutation($id:ID!){ closeNeed(id:$id){ need{ id } } }",
                json!({"id": need_ids[2]}),
                Some(&member),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");

        // Sources of known freshness.
        let org = organisation::Entity::find()
            .one(&hub.db)
            .await
            .expect("db")
            .expect("org");
        let now = Utc::now();
        let mut source_ids = BTreeMap::new();
        for (key, success_hours_ago) in
            [("a-fresh", Some(1)), ("b-never", None), ("c-old", Some(20))]
        {
            let s = source::ActiveModel {
                key: Set(key.into()),
                kind: Set("tabular".into()),
                organisation_id: Set(org.id),
                settings: Set("{}".into()),
                interval_secs: Set(6 * 3600),
                requires_review: Set(false),
                enabled: Set(false),
                last_success_at: Set(success_hours_ago
                    .map(|h| now - ChronoDuration::hours(h) - ChronoDuration::minutes(5))),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&hub.db)
            .await
            .expect("source");
            source_ids.insert(key, s.id);
        }
        harvest_run::ActiveModel {
            source_id: Set(source_ids["a-fresh"]),
            status: Set("SUCCEEDED".into()),
            full: Set(true),
            started_at: Set(now),
            seen: Set(0),
            created: Set(0),
            updated: Set(0),
            unchanged: Set(0),
            deleted: Set(0),
            rejected: Set(0),
            pages: Set(0),
            ..Default::default()
        }
        .insert(&hub.db)
        .await
        .expect("run");

        // Only platform admins see the centre.
        let r = hub.gql(STATS, json!({}), None).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let r = hub.gql(STATS, json!({}), Some(&member)).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

        let r = hub.gql(STATS, json!({}), Some(&admin)).await;
        assert!(r["errors"].is_null(), "{r}");

        // Collections: "mfg" = industry starting with C; "bio" = a keyword containing 生物.
        let mfg = counted_specs
            .iter()
            .filter(|s| s.industry.is_some_and(|i| i.starts_with('C')))
            .count();
        let bio = counted_specs
            .iter()
            .filter(|s| s.keywords.iter().any(|k| k.contains("生物")))
            .count();
        assert_eq!(
            rows(&r, "byCollection"),
            strings(&[
                &["mfg", "制造", &mfg.to_string()],
                &["bio", "生物", &bio.to_string()]
            ])
        );

        // Types, in the enum's order, zeros included.
        let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &counted_specs {
            *by_type.entry(type_code(s.kind)).or_default() += 1;
        }
        let expect_types: Vec<Vec<String>> = [
            AchievementType::Patent,
            AchievementType::SoftwareCopyright,
            AchievementType::PlantVariety,
            AchievementType::KnowHow,
            AchievementType::Other,
        ]
        .iter()
        .map(|t| {
            vec![
                type_code(*t).to_string(),
                t.label_zh().to_string(),
                by_type.get(type_code(*t)).copied().unwrap_or(0).to_string(),
            ]
        })
        .collect();
        assert_eq!(rows(&r, "byType"), expect_types);

        // Organisations, most first then by key.
        let mut by_org: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &counted_specs {
            *by_org.entry(s.org).or_default() += 1;
        }
        let mut expect_orgs: Vec<(&str, usize)> = by_org.into_iter().collect();
        expect_orgs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let got_orgs: Vec<(String, String)> = rows(&r, "byOrganisation")
            .into_iter()
            .map(|r| (r[0].clone(), r[2].clone()))
            .collect();
        assert_eq!(
            got_orgs,
            expect_orgs
                .iter()
                .map(|(k, n)| (k.to_string(), n.to_string()))
                .collect::<Vec<_>>()
        );

        // Regions.
        let mut by_region: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &counted_specs {
            *by_region.entry(s.region).or_default() += 1;
        }
        assert_eq!(
            rows(&r, "byRegion"),
            by_region
                .iter()
                .map(|(k, n)| vec![k.to_string(), n.to_string()])
                .collect::<Vec<_>>()
        );

        // Months of publication.
        let this_month = now.format("%Y-%m").to_string();
        let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
        for s in &counted_specs {
            let m = match s.published {
                Some(Some((y, m))) => format!("{y}-{m:02}"),
                _ => this_month.clone(),
            };
            *by_month.entry(m).or_default() += 1;
        }
        assert_eq!(
            rows(&r, "byMonth"),
            by_month
                .iter()
                .map(|(k, n)| vec![k.clone(), n.to_string()])
                .collect::<Vec<_>>()
        );

        assert_eq!(
            rows(&r, "needs"),
            strings(&[&["OPEN", "2"], &["CLOSED", "1"]])
        );

        // No suggestions, feedback or meetings yet: zeros, not gaps.
        assert_eq!(rows(&r, "needMatchRate"), strings(&[&["3", "0", "0.0000"]]));
        assert_eq!(
            rows(&r, "matchFunnel"),
            strings(&[
                &["SUGGESTED", "0"],
                &["CONTACTED", "0"],
                &["MEETING", "0"],
                &["INTENTION", "0"],
                &["CONTRACT", "0"],
            ])
        );
        assert!(rows(&r, "eventOutcomes").is_empty());

        let fresh = rows(&r, "harvestFreshness");
        assert_eq!(fresh.len(), 3, "{fresh:?}");
        assert_eq!(
            (
                fresh[0][0].as_str(),
                fresh[0][3].as_str(),
                fresh[0][4].as_str(),
                fresh[0][5].as_str()
            ),
            ("a-fresh", "1", "SUCCEEDED", "false")
        );
        assert_eq!(
            (
                fresh[1][0].as_str(),
                fresh[1][3].as_str(),
                fresh[1][4].as_str(),
                fresh[1][5].as_str()
            ),
            ("b-never", "", "NEVER", "true")
        );
        assert_eq!(
            (
                fresh[2][0].as_str(),
                fresh[2][3].as_str(),
                fresh[2][5].as_str()
            ),
            ("c-old", "20", "true")
        );

        // Page views of public records only, most viewed first.
        let mut expect_views: Vec<(String, String, u32)> = ids
            .iter()
            .zip(&specs)
            .filter(|(_, s)| counted(s) && s.views > 0)
            .map(|((id, title), s)| (id.clone(), title.clone(), s.views))
            .collect();
        expect_views.sort_by_key(|v| std::cmp::Reverse(v.2));
        assert_eq!(
            rows(&r, "pageViews"),
            expect_views
                .iter()
                .map(|(i, t, n)| vec![i.clone(), t.clone(), n.to_string()])
                .collect::<Vec<_>>()
        );
        let total_views: u32 = expect_views.iter().map(|v| v.2).sum();
        assert_eq!(
            rows(&r, "pageViewsByMonth"),
            vec![vec![this_month.clone(), total_views.to_string()]]
        );

        // CSV: the GraphQL field and the download carry the same table.
        let csv = r["data"]["stats"]["byType"]["csv"].as_str().expect("csv");
        let mut expect_csv = String::from("type,label_zh,achievements\n");
        for row in &expect_types {
            expect_csv.push_str(&row.join(","));
            expect_csv.push('\n');
        }
        assert_eq!(csv, expect_csv);
        let resp = hub
            .http()
            .get(format!("{}/stats/by_type.csv", hub.url))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/csv"));
        assert_eq!(
            resp.text().await.expect("body"),
            format!("\u{feff}{expect_csv}")
        );
        for (path, token, status) in [
            ("by_type.csv", None, 401),
            ("by_type.csv", Some(member.as_str()), 403),
            ("by_type.csv", Some("not-a-token"), 401),
            ("nope.csv", Some(admin.as_str()), 404),
            ("by_type.json", Some(admin.as_str()), 400),
        ] {
            let mut req = hub.http().get(format!("{}/stats/{path}", hub.url));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            assert_eq!(
                req.send().await.expect("get").status(),
                status,
                "{path} {token:?}"
            );
        }
        for t in [
            "by_collection",
            "by_organisation",
            "by_region",
            "by_month",
            "needs",
            "harvest_freshness",
            "page_views",
            "page_views_by_month",
            "match_funnel",
        ] {
            let resp = hub
                .http()
                .get(format!("{}/stats/{t}.csv", hub.url))
                .bearer_auth(&admin)
                .send()
                .await
                .expect("get");
            assert_eq!(resp.status(), 200, "{t}");
        }

        // Suggestions, feedback and event meetings arrive (written here as the matching and
        // events domains write them); every figure is counted again from what was written.
        let db = &hub.db;
        let need_rows: Vec<i64> = need_ids
            .iter()
            .map(|n| relay::decode_any(n).expect("need id").1)
            .collect();
        let suggestions = [(need_rows[0], 1), (need_rows[0], 2), (need_rows[1], 3)];
        for (i, (n, a)) in suggestions.iter().enumerate() {
            db.execute_unprepared(&format!(
                "INSERT INTO match_suggestions (id, need_id, achievement_id, score, explanation, computed_at) \
                 VALUES ({}, {n}, {a}, 0.5, '{{}}', '2026-03-01 00:00:00+00:00')",
                i + 1
            ))
            .await
            .expect("suggestion");
        }
        let feedback = [
            (need_rows[0], 1, "CONTACTED"),
            (need_rows[0], 1, "CONTACTED"),
            (need_rows[1], 3, "CONTACTED"),
            (need_rows[0], 2, "INTERESTED"),
        ];
        for (i, (n, a, kind)) in feedback.iter().enumerate() {
            db.execute_unprepared(&format!(
                "INSERT INTO match_feedback (id, need_id, achievement_id, kind, need_organisation_id, \
                 achievement_organisation_id, given_by_organisation_id, token_id, created_at) \
                 VALUES ({}, {n}, {a}, '{kind}', 1, 1, 1, 1, '2026-03-01 00:00:00+00:00')",
                i + 1
            ))
            .await
            .expect("feedback");
        }
        let at = "'2026-03-01 00:00:00+00:00'";
        db.execute_unprepared(&format!(
            "INSERT INTO events (id, organiser_id, title, description, meeting_minutes, tables, \
             fixed_booths, request_mode, participant_types, schedule_version, created_at, updated_at) \
             VALUES (1, (SELECT MIN(id) FROM organisations), '对接会', '', 20, 4, false, 'ACCEPT_DECLINE', '[]', 1, {at}, {at})"
        ))
        .await
        .expect("event");
        for (pid, org) in [(1, "MIN"), (2, "MAX")] {
            db.execute_unprepared(&format!(
                "INSERT INTO event_participants (id, event_id, organisation_id, offers, seeks, \
                 availability, host, created_at) \
                 VALUES ({pid}, 1, (SELECT {org}(id) FROM organisations), '[]', '[]', '[]', false, {at})"
            ))
            .await
            .expect("participant");
        }
        let outcomes = [
            Some("INTENTION_TO_COOPERATE"),
            Some("NO_SHOW"),
            Some("CONTRACT_SIGNED"),
            Some("MET"),
            Some("INTENTION_TO_COOPERATE"),
            None,
        ];
        for (i, o) in outcomes.iter().enumerate() {
            let v = o.map_or("NULL".to_string(), |o| format!("'{o}'"));
            db.execute_unprepared(&format!(
                "INSERT INTO event_meetings (id, event_id, requester_id, invitee_id, pair_key, priority, \
                 status, origin, outcome, created_at, updated_at) \
                 VALUES ({id}, 1, 1, 2, 'pair-{id}', 1, 'ACCEPTED', 'REQUEST', {v}, {at}, {at})",
                id = i + 1
            ))
            .await
            .expect("meeting");
        }
        let r = hub.gql(STATS, json!({}), Some(&admin)).await;
        let distinct: std::collections::BTreeSet<i64> =
            suggestions.iter().map(|(n, _)| *n).collect();
        let rate = distinct.len() as f64 / 3.0;
        assert_eq!(
            rows(&r, "needMatchRate"),
            vec![vec![
                "3".to_string(),
                distinct.len().to_string(),
                format!("{rate:.4}")
            ]]
        );
        let contacted: std::collections::BTreeSet<(i64, i64)> = feedback
            .iter()
            .filter(|(_, _, k)| *k == "CONTACTED")
            .map(|(n, a, _)| (*n, *a))
            .collect();
        let held = |set: &[&str]| {
            outcomes
                .iter()
                .filter(|o| o.is_some_and(|o| set.contains(&o)))
                .count()
                .to_string()
        };
        assert_eq!(
            rows(&r, "matchFunnel"),
            vec![
                vec!["SUGGESTED".to_string(), suggestions.len().to_string()],
                vec!["CONTACTED".to_string(), contacted.len().to_string()],
                vec![
                    "MEETING".to_string(),
                    held(&[
                        "MET",
                        "FOLLOW_UP",
                        "INTENTION_TO_COOPERATE",
                        "CONTRACT_SIGNED"
                    ])
                ],
                vec![
                    "INTENTION".to_string(),
                    held(&["INTENTION_TO_COOPERATE", "CONTRACT_SIGNED"])
                ],
                vec!["CONTRACT".to_string(), held(&["CONTRACT_SIGNED"])],
            ]
        );
        let mut by_outcome: std::collections::BTreeMap<&str, usize> = Default::default();
        for o in outcomes.iter().flatten() {
            *by_outcome.entry(o).or_default() += 1;
        }
        assert_eq!(
            rows(&r, "eventOutcomes"),
            by_outcome
                .iter()
                .map(|(k, n)| vec![k.to_string(), n.to_string()])
                .collect::<Vec<_>>()
        );
        let r = hub
            .gql(
                "{ stats { table(name:\"DROP TABLE\"){ rows } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        let r = hub
            .gql(
                "{ stats { tableNames table(name:\"needs\"){ rows } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            rows_of(&r["data"]["stats"]["table"]),
            strings(&[&["OPEN", "2"], &["CLOSED", "1"]])
        );
    }
}

fn rows_of(v: &Value) -> Vec<Vec<String>> {
    v["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|c| c.as_str().expect("cell").to_string())
                .collect()
        })
        .collect()
}
