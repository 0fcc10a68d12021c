//! `match-eval`: ranks the labeled development set with the matching engine and with text-only
//! BM25 from the same search index, in the same run, and prints nDCG@10, recall@20 and MRR
//! (plus a sweep of the text weight with `--sweep`, the evidence behind the default weights).
//!
//! `cargo run --release -p transferhub-server --bin match-eval -- [DEVSET.json] [--sweep]`

use std::path::PathBuf;
use transferhub_server::app::config::MatchingConfig;
use transferhub_server::matching::eval::{self, Metrics};

fn line(name: &str, m: &Metrics) {
    println!(
        "{name:<28} nDCG@10 {:.4}  recall@20 {:.4}  MRR {:.4}  ({} needs)",
        m.ndcg10, m.recall20, m.mrr, m.queries
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut path = PathBuf::from("tests/fixtures/matching_dev.json");
    let mut sweep = false;
    for a in std::env::args().skip(1) {
        if a == "--sweep" {
            sweep = true;
        } else {
            path = PathBuf::from(a);
        }
    }
    if let Err(e) = run(&path, sweep).await {
        eprintln!("match-eval: {e}");
        std::process::exit(2);
    }
}

async fn run(path: &std::path::Path, sweep: bool) -> Result<(), String> {
    let set = eval::load(path).map_err(|e| e.message())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("eval.db").display());
    let db = sea_orm::Database::connect(&url)
        .await
        .map_err(|e| e.to_string())?;
    transferhub_server::db::migrate(&db)
        .await
        .map_err(|e| e.to_string())?;
    let loaded = eval::load_into(&db, &set, &dir.path().join("index"))
        .await
        .map_err(|e| e.message())?;
    println!(
        "development set {}: {} needs, {} achievements, {} labeled pairs",
        path.display(),
        set.needs.len(),
        set.achievements.len(),
        set.needs.iter().map(|n| n.relevant.len()).sum::<usize>()
    );
    let config = MatchingConfig::default();
    let (engine, baseline) = eval::evaluate(&loaded, &config)
        .await
        .map_err(|e| e.message())?;
    line("engine (default weights)", &engine);
    line("baseline (text-only BM25)", &baseline);
    if sweep {
        for text in [0.2, 0.3, 0.45, 0.6, 0.8] {
            let structured = 1.0 - text;
            let base_total = 1.0 - config.weight_text;
            let scale = structured / base_total;
            let c = MatchingConfig {
                weight_text: text,
                weight_industry: config.weight_industry * scale,
                weight_ipc: config.weight_ipc * scale,
                weight_maturity: config.weight_maturity * scale,
                weight_transfer_mode: config.weight_transfer_mode * scale,
                weight_price: config.weight_price * scale,
                weight_region: config.weight_region * scale,
                weight_recency: config.weight_recency * scale,
                weight_responsiveness: config.weight_responsiveness * scale,
                ..config.clone()
            };
            let (m, _) = eval::evaluate(&loaded, &c).await.map_err(|e| e.message())?;
            line(&format!("sweep weight_text={text:.2}"), &m);
        }
    }
    Ok(())
}
