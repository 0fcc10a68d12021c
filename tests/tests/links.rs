//! Link-outs end to end: patent links from real-format numbers (application and publication,
//! old and new formats) through `patentLinks` and `Patent.links`; the link directory and
//! `upsertLink` with its nasty inputs; the checker against local HTTP servers (up, 404, slow,
//! redirect loop) and a private address refused when the guard forbids it.

use axum::response::Redirect;
use axum::routing::get;
use serde_json::{json, Value};
use std::time::Duration;
use transferhub_schema::enums::Role;
use transferhub_schema::types::PatentApplicationNumber;
use transferhub_server::demo::{demo_set, seed_organisations};
use transferhub_server::links::config::LinkList;
use transferhub_tests::{backends, error_code, Backend, TestHub};

async fn hub(
    backend: Backend,
    tweak: impl FnOnce(&mut transferhub_server::app::config::Config),
) -> TestHub {
    let hub = TestHub::start_with(backend, false, tweak)
        .await
        .expect("hub");
    seed_organisations(&hub.db, &demo_set().expect("demo").organisations)
        .await
        .expect("organisations");
    hub
}

const LINKS: &str = "query($n:String!){ patentLinks(number:$n){ applicationNumber publicationNumber kind kindLabelZh note links{ key url perPatent status broken } } }";

fn urls(r: &Value) -> Vec<String> {
    r["data"]["patentLinks"]["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["url"].as_str().expect("url").to_string())
        .collect()
}

#[tokio::test]
async fn patent_links_are_built_from_normalised_numbers_only() {
    for backend in backends().await {
        let hub = hub(backend, |_| {}).await;
        let member = hub.token("imu", Role::Member).await;
        let r = hub
            .gql(
                "mutation($i:CreateAchievementInput!){ createAchievement(input:$i){ achievement{ id patents{ applicationNumber links{ key url perPatent } } } } }",
                json!({"i": {"title": "一种稀土永磁材料的制备方法", "type": "PATENT", "summary": "晶界扩散。",
                    "patents": [{"applicationNumber": "CN 201710601862.3", "publicationNumber": "cn107123456a"}]}}),
                Some(&member),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let links = &r["data"]["createAchievement"]["achievement"]["patents"][0]["links"];
        assert_eq!(links[0]["key"], "cnipa-epub", "{links}");
        assert_eq!(
            links[0]["url"],
            "http://epub.cnipa.gov.cn/patent/CN107123456A"
        );
        assert_eq!(links[0]["perPatent"], true);
        let keys: Vec<&str> = links
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|l| l["key"].as_str())
            .collect();
        for k in [
            "cnipa-pss",
            "cnipa-cpquery",
            "cnipa-cponline",
            "cnipa-fees",
            "cnipa-trademark",
        ] {
            assert!(keys.contains(&k), "{k} in {keys:?}");
        }

        // The granted spelling of a number the hub holds finds its publication page.
        let r = hub.gql(LINKS, json!({"n": "ZL201710601862.3"}), None).await;
        let p = &r["data"]["patentLinks"];
        assert_eq!(p["applicationNumber"], "201710601862.3", "{r}");
        assert_eq!(p["publicationNumber"], "CN107123456A");
        assert_eq!(p["kind"], "INVENTION");
        assert_eq!(p["kindLabelZh"], "发明");
        assert!(p["note"].is_null());
        assert_eq!(urls(&r)[0], "http://epub.cnipa.gov.cn/patent/CN107123456A");
        // And the publication number finds the application.
        let r = hub.gql(LINKS, json!({"n": "CN 107123456 A"}), None).await;
        assert_eq!(
            r["data"]["patentLinks"]["applicationNumber"], "201710601862.3",
            "{r}"
        );

        // Numbers the hub does not hold: publication numbers, new and old formats.
        for (n, url) in [
            (
                "CN117033608A",
                "http://epub.cnipa.gov.cn/patent/CN117033608A",
            ),
            (
                "ＣＮ１０５３３８２１５Ｂ",
                "http://epub.cnipa.gov.cn/patent/CN105338215B",
            ),
            ("CN1234567C", "http://epub.cnipa.gov.cn/patent/CN1234567C"),
        ] {
            let r = hub.gql(LINKS, json!({"n": n}), None).await;
            assert!(r["errors"].is_null(), "{n}: {r}");
            assert_eq!(urls(&r)[0], url, "{n}");
        }
        // Application numbers, new and old formats: landing pages, no guessed per-patent page.
        let um = PatentApplicationNumber::check_digit("201520123456").expect("digit");
        let spaced = format!("ZL 2015 2 0123456.{um}");
        let um_normalised = format!("201520123456.{um}");
        for (n, normalised, kind) in [
            ("2021101234567", "202110123456.7", "INVENTION"),
            ("CN201510703489.3", "201510703489.3", "INVENTION"),
            ("95115608.X", "95115608.X", "INVENTION"),
            (spaced.as_str(), um_normalised.as_str(), "UTILITY_MODEL"),
        ] {
            let r = hub.gql(LINKS, json!({"n": n}), None).await;
            let p = &r["data"]["patentLinks"];
            assert_eq!(p["applicationNumber"], normalised, "{n}: {r}");
            assert_eq!(p["kind"], kind);
            assert!(
                p["note"].as_str().is_some_and(|s| s.contains("公布")),
                "{r}"
            );
            let u = urls(&r);
            assert!(u.iter().all(|u| !u.contains("epub")), "{u:?}");
            assert!(
                u.contains(&"https://cpquery.cponline.cnipa.gov.cn/".to_string()),
                "{u:?}"
            );
        }

        // Numbers that cannot be normalised: BAD_INPUT on `number`, never a link.
        for n in [
            "",
            "201710601862.4",
            "2017106018",
            "CN10533821",
            "CN105338215Q",
            "US9876543B2",
            "专利",
            &"9".repeat(5000),
        ] {
            let r = hub.gql(LINKS, json!({"n": n}), None).await;
            assert_eq!(error_code(&r), Some("BAD_INPUT"), "{n}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "number");
            assert!(r["data"].is_null(), "{r}");
        }
        let r = hub.gql(LINKS, json!({"n": "201710601862.4"}), None).await;
        assert_eq!(
            r["errors"][0]["extensions"]["expectedCheckDigit"], "3",
            "{r}"
        );
        // Wrong type for the argument.
        let r = hub.gql(LINKS, json!({"n": 201710601862u64}), None).await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    }
}

const UPSERT: &str = "mutation($i:UpsertLinkInput!){ upsertLink(input:$i){ link{ key category nameZh url urlTemplate perPatent regionCode status origin } } }";

#[tokio::test]
async fn admins_edit_the_directory_and_bad_entries_are_refused() {
    for backend in backends().await {
        let hub = hub(backend, |_| {}).await;
        let r = hub
            .gql("{ links(category: CNIPA){ totalCount edges{ node{ key url perPatent status broken } } } }", json!({}), None)
            .await;
        assert_eq!(r["data"]["links"]["totalCount"], 6, "{r}");
        let first = &r["data"]["links"]["edges"][0]["node"];
        assert_eq!(first["key"], "cnipa-epub");
        assert!(
            first["url"].is_null(),
            "per-patent template has no single URL: {r}"
        );
        assert_eq!(first["status"], "UNCHECKED");
        let r = hub.gql("{ links{ totalCount } }", json!({}), None).await;
        assert_eq!(r["data"]["links"]["totalCount"], 7, "{r}");

        let admin = hub.token("imu", Role::PlatformAdmin).await;
        let member = hub.token("imu", Role::Member).await;
        let portal = hub.token("imu", Role::OrgAdmin).await;
        let good = json!({"key": "hohhot-ip", "category": "LOCAL_SERVICE", "nameZh": "呼和浩特市知识产权保护中心",
            "nameEn": "Hohhot IP protection centre", "regionCode": "150100", "urlTemplate": "https://ip.example.cn/"});
        let r = hub.gql(UPSERT, json!({"i": good}), None).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        for t in [&member, &portal] {
            let r = hub.gql(UPSERT, json!({"i": good}), Some(t)).await;
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        }
        for (patch, field) in [
            (
                json!({"urlTemplate": "https://ip.example.cn/{patent}"}),
                "input.urlTemplate",
            ),
            (
                json!({"urlTemplate": "javascript:alert(1)"}),
                "input.urlTemplate",
            ),
            (
                json!({"urlTemplate": "https://u:p@ip.example.cn/"}),
                "input.urlTemplate",
            ),
            (
                json!({"urlTemplate": format!("https://ip.example.cn/{}", "a".repeat(3000))}),
                "input.urlTemplate",
            ),
            (json!({"urlTemplate": ""}), "input.urlTemplate"),
            (json!({"regionCode": "159999x"}), "input.regionCode"),
            (json!({"key": "Bad Key!"}), "input.key"),
            (json!({"nameZh": "  "}), "input.nameZh"),
            (json!({"sortOrder": -1}), "input.sortOrder"),
        ] {
            let mut i = good.clone();
            for (k, v) in patch.as_object().expect("patch") {
                i[k] = v.clone();
            }
            let r = hub.gql(UPSERT, json!({"i": i}), Some(&admin)).await;
            assert_eq!(error_code(&r), Some("BAD_INPUT"), "{patch}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{patch}: {r}");
        }
        let r = hub.gql(UPSERT, json!({"i": {"key": "x", "category": "BLOG", "nameZh": "x", "urlTemplate": "https://x.cn/"}}), Some(&admin)).await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        // Nothing was stored by the refused attempts.
        let r = hub.gql("{ links{ totalCount } }", json!({}), None).await;
        assert_eq!(r["data"]["links"]["totalCount"], 7, "{r}");

        let r = hub.gql(UPSERT, json!({"i": good}), Some(&admin)).await;
        let l = &r["data"]["upsertLink"]["link"];
        assert_eq!(l["url"], "https://ip.example.cn/", "{r}");
        assert_eq!(l["origin"], "admin");
        assert_eq!(l["regionCode"], "150100");
        // An admin may re-point a CNIPA entry (a template with validated placeholders); patent
        // links follow at once.
        let r = hub
            .gql(UPSERT, json!({"i": {"key": "cnipa-epub", "category": "CNIPA", "nameZh": "中国专利公布公告",
                "urlTemplate": "http://epub.cnipa.gov.cn/patent/{publication_number}?an={application_body}", "sortOrder": 10}}), Some(&admin))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let r = hub.gql(LINKS, json!({"n": "CN117033608A"}), None).await;
        assert!(
            urls(&r).iter().all(|u| !u.contains("epub")),
            "needs the application number too: {r}"
        );
        let r = hub
            .gql(
                "{ links(category: LOCAL_SERVICE){ totalCount edges{ node{ key nameZh } } } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(r["data"]["links"]["totalCount"], 1, "{r}");
        // A disabled entry is listed for admins only.
        let mut hidden = good.clone();
        hidden["key"] = json!("retired-portal");
        hidden["enabled"] = json!(false);
        let r = hub.gql(UPSERT, json!({"i": hidden}), Some(&admin)).await;
        assert!(r["errors"].is_null(), "{r}");
        let r = hub
            .gql(
                "{ links(category: LOCAL_SERVICE){ totalCount } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(r["data"]["links"]["totalCount"], 1, "{r}");
        let r = hub
            .gql(
                "{ links(category: LOCAL_SERVICE){ totalCount } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(r["data"]["links"]["totalCount"], 2, "{r}");
        // Paging.
        let r = hub
            .gql(
                "{ links(first: 3){ pageInfo{ hasNextPage endCursor } edges{ node{ key } } } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(r["data"]["links"]["pageInfo"]["hasNextPage"], true, "{r}");
        let after = r["data"]["links"]["pageInfo"]["endCursor"].clone();
        let r2 = hub
            .gql(
                "query($a:String){ links(first: 100, after:$a){ edges{ node{ key } } } }",
                json!({"a": after}),
                None,
            )
            .await;
        assert_eq!(
            r2["data"]["links"]["edges"].as_array().map(Vec::len),
            Some(5),
            "{r2}"
        );
        let r = hub
            .gql(
                "{ links(after: \"nonsense\"){ totalCount } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    }
}

/// A local site: `/ok` 200, `/missing` 404, `/slow` answers after 5 s, `/loop` redirects to itself.
async fn site() -> String {
    let app = axum::Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route(
            "/missing",
            get(|| async { (axum::http::StatusCode::NOT_FOUND, "no") }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route("/loop", get(|| async { Redirect::temporary("/loop") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_checker_records_up_404_slow_and_redirect_loops_and_flags_broken_links() {
    for backend in backends().await {
        let base = site().await;
        let hub = hub(backend, |c| {
            c.links = LinkList(Vec::new());
            c.link_check.timeout_secs = 1;
        })
        .await;
        let admin = hub.token("imu", Role::PlatformAdmin).await;
        for (key, path) in [
            ("site-ok", "/ok"),
            ("site-missing", "/missing"),
            ("site-slow", "/slow"),
            ("site-loop", "/loop"),
        ] {
            let r = hub
                .gql(UPSERT, json!({"i": {"key": key, "category": "PEER_PORTAL", "nameZh": key, "urlTemplate": format!("{base}{path}")}}), Some(&admin))
                .await;
            assert!(r["errors"].is_null(), "{r}");
        }
        let member = hub.token("imu", Role::Member).await;
        let r = hub
            .gql("mutation{ checkLinks{ key } }", json!({}), Some(&member))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = hub
            .gql("mutation{ checkLinks{ key status broken lastHttpStatus lastError history{ outcome httpStatus durationMs url } } }", json!({}), Some(&admin))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let by_key = |k: &str| {
            r["data"]["checkLinks"]
                .as_array()
                .expect("list")
                .iter()
                .find(|l| l["key"] == k)
                .cloned()
                .unwrap_or_else(|| panic!("{k} in {r}"))
        };
        let ok = by_key("site-ok");
        assert_eq!(ok["status"], "UP", "{ok}");
        assert_eq!(ok["broken"], false);
        assert_eq!(ok["lastHttpStatus"], 200);
        assert_eq!(ok["history"][0]["outcome"], "UP");
        let missing = by_key("site-missing");
        assert_eq!(missing["status"], "BROKEN", "{missing}");
        assert_eq!(missing["broken"], true);
        assert_eq!(missing["history"][0]["outcome"], "HTTP_ERROR");
        assert_eq!(missing["history"][0]["httpStatus"], 404);
        let slow = by_key("site-slow");
        assert_eq!(slow["status"], "BROKEN", "{slow}");
        assert_eq!(slow["history"][0]["outcome"], "TIMEOUT");
        assert!(
            slow["history"][0]["durationMs"]
                .as_i64()
                .is_some_and(|d| (900..4500).contains(&d)),
            "{slow}"
        );
        let lp = by_key("site-loop");
        assert_eq!(lp["status"], "BROKEN", "{lp}");
        assert_eq!(lp["history"][0]["outcome"], "TOO_MANY_REDIRECTS");
        // Broken links stay listed, flagged.
        let r = hub
            .gql(
                "{ links{ totalCount brokenCount edges{ node{ key broken } } } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(r["data"]["links"]["totalCount"], 4, "{r}");
        assert_eq!(r["data"]["links"]["brokenCount"], 3, "{r}");
        let r = hub
            .gql(
                "{ links(filter:{brokenOnly:true}){ totalCount } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(r["data"]["links"]["totalCount"], 3, "{r}");
        // A second check of one link adds to its history.
        let r = hub
            .gql(
                "mutation{ checkLinks(key:\"site-ok\"){ history{ outcome } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            r["data"]["checkLinks"][0]["history"]
                .as_array()
                .map(Vec::len),
            Some(2),
            "{r}"
        );
        let r = hub
            .gql(
                "mutation{ checkLinks(key:\"nope\"){ key } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    }
}

#[tokio::test]
async fn a_private_address_is_refused_when_the_guard_forbids_it() {
    for backend in backends().await {
        let base = site().await;
        let hub = hub(backend, |c| {
            c.links = LinkList(Vec::new());
            c.outbound.allow_private_addresses = false;
        })
        .await;
        let admin = hub.token("imu", Role::PlatformAdmin).await;
        let r = hub
            .gql(UPSERT, json!({"i": {"key": "inside", "category": "LOCAL_SERVICE", "nameZh": "内网服务", "urlTemplate": format!("{base}/ok")}}), Some(&admin))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let r = hub
            .gql(
                "mutation{ checkLinks{ key status broken lastError history{ outcome } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        let l = &r["data"]["checkLinks"][0];
        assert_eq!(l["status"], "REFUSED", "{r}");
        assert_eq!(l["broken"], true);
        assert_eq!(l["history"][0]["outcome"], "REFUSED");
        assert!(
            l["lastError"]
                .as_str()
                .is_some_and(|e| e.contains("allow_private_addresses")),
            "{r}"
        );
        let r = hub
            .gql(
                "{ links{ totalCount edges{ node{ key status } } } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(
            r["data"]["links"]["edges"][0]["node"]["status"], "REFUSED",
            "listed, flagged: {r}"
        );
    }
}
