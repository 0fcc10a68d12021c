//! The real `transferhub` binary: `serve --demo` on an empty data directory (SQLite default and
//! PostgreSQL via DATABASE_URL), tokens, config, schema, generate, and exit codes for bad usage.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use transferhub_tests::{backends, binary, Backend, TestDb};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn hub(dir: &std::path::Path) -> Command {
    let mut c = Command::new(binary().expect("binary"));
    c.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("TRANSFERHUB_CONFIG")
        .env("TRANSFERHUB_LOG__LEVEL", "warn");
    c
}

/// Starts `serve` and waits for the URL it prints.
fn serve(mut cmd: Command) -> (Server, String) {
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0", "--demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read url");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    (server, url)
}

async fn first_page(url: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = reqwest::Client::new()
            .post(format!("{url}/graphql"))
            .json(&serde_json::json!({"query": "{ achievements(first: 20) { edges { node { title organisation { nameZh } } } } }"}))
            .send()
            .await;
        if let Ok(r) = r {
            return r.json().await.expect("json");
        }
        assert!(Instant::now() < deadline, "server did not answer");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn serve_demo_on_an_empty_data_dir_answers_with_chinese_records() {
    for backend in backends().await {
        let db = TestDb::create(backend).await.expect("db");
        let mut cmd = hub(&db.dir());
        if backend == Backend::Postgres {
            cmd.env("DATABASE_URL", &db.url);
        }
        let (_server, url) = serve(cmd);
        let r = first_page(&url).await;
        let edges = r["data"]["achievements"]["edges"]
            .as_array()
            .expect("edges");
        assert_eq!(edges.len(), 20, "{backend:?}: {r}");
        let title = edges[0]["node"]["title"].as_str().expect("title");
        assert!(
            title
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{title}"
        );
        if backend == Backend::Sqlite {
            assert!(
                db.dir().join("data/transferhub.db").exists(),
                "default SQLite file under ./data"
            );
        }
        eprintln!("backend {backend:?}: serve --demo ran");
    }
}

#[test]
fn token_create_prints_a_token_once_and_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let seed = hub(dir.path()).arg("seed-demo").output().expect("seed");
    assert!(
        seed.status.success(),
        "{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    let out = hub(dir.path())
        .args([
            "token",
            "create",
            "--org",
            "imu",
            "--role",
            "org-admin",
            "--name",
            "ci",
        ])
        .output()
        .expect("token");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("thub_") && token.len() > 40, "{token}");
    let out = hub(dir.path())
        .args(["token", "create", "--org", "imu", "--role", "emperor"])
        .output()
        .expect("token");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
    let out = hub(dir.path())
        .args([
            "token",
            "create",
            "--org",
            "no-such-org",
            "--role",
            "member",
        ])
        .output()
        .expect("token");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-org"));
    let again = hub(dir.path()).arg("seed-demo").output().expect("seed");
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 organisations, 0 achievements, 0 needs")
    );
}

#[test]
fn config_masks_secrets_and_rejects_bad_values_with_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = hub(dir.path())
        .arg("config")
        .env("DATABASE_URL", "postgres://hub:TopSecret@127.0.0.1/hub")
        .env("TRANSFERHUB_SEARCH__MEILISEARCH_KEY", "masterKey123")
        .output()
        .expect("config");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        !text.contains("TopSecret") && !text.contains("masterKey123"),
        "{text}"
    );
    assert!(text.contains("[server]") && text.contains("listen"));
    let out = hub(dir.path())
        .arg("config")
        .env("TRANSFERHUB_SERVER__LISTEN", "not an address")
        .output()
        .expect("config");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).lines().count(),
        1,
        "one-line reason"
    );
    let out = hub(dir.path()).arg("frobnicate").output().expect("usage");
    assert_eq!(out.status.code(), Some(2));
    let out = hub(dir.path())
        .args(["serve", "--config", "/no/such/file.toml"])
        .output()
        .expect("missing");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn schema_command_prints_the_published_sdl() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = hub(dir.path()).arg("schema").output().expect("schema");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        transferhub_schema::GRAPHQL_SDL
    );
}

#[test]
fn generate_is_deterministic_and_inserts_into_the_store() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = |name: &str| {
        let out = hub(dir.path())
            .args([
                "generate",
                "--achievements",
                "300",
                "--needs",
                "50",
                "--seed",
                "42",
                "--out",
                name,
            ])
            .output()
            .expect("generate");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(dir.path().join(name)).expect("read")
    };
    let a = run("a.jsonl");
    assert_eq!(a, run("b.jsonl"), "same seed, same bytes");
    assert_eq!(a.iter().filter(|b| **b == b'\n').count(), 350);
    let out = hub(dir.path())
        .args([
            "generate",
            "--achievements",
            "2000",
            "--needs",
            "200",
            "--seed",
            "7",
        ])
        .output()
        .expect("generate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("inserted 2000 achievements"));
    let out = hub(dir.path())
        .args(["generate", "--seed", "1"])
        .output()
        .expect("generate");
    assert_eq!(out.status.code(), Some(2));
}
