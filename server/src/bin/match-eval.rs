//! `match-eval`: ranks needs with the matching engine and, in the same run, with plain BM25 over
//! the need's words, and prints nDCG@10, recall@20 and MRR per need category of the generated
//! relevance set (`transferhub_server::evalset`, held-out part unless told otherwise). With
//! `--devset FILE` it scores the older hand-labelled development set instead (engine against
//! the hub's own text-only ranking), with `--sweep` a sweep of the text weight.
//!
//! `cargo run --release -p transferhub-server --bin match-eval -- [--part heldout|tuning|all] [--devset FILE [--sweep]]`

use std::path::PathBuf;
use transferhub_server::evalset::{self, Part};
use transferhub_server::matching::config::MatchingConfig;
use transferhub_server::matching::eval::{self, Metrics};
use transferhub_server::search::eval as search_eval;

fn line(name: &str, m: &Metrics) {
    println!(
        "{name:<28} nDCG@10 {:.4}  recall@20 {:.4}  MRR {:.4}  ({} needs)",
        m.ndcg10, m.recall20, m.mrr, m.queries
    );
}

fn usage() -> ! {
    eprintln!("usage: match-eval [--part heldout|tuning|all] [--devset FILE [--sweep]]");
    std::process::exit(2);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut devset: Option<PathBuf> = None;
    let mut sweep = false;
    let mut part = Part::HeldOut;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sweep" => sweep = true,
            "--devset" => match args.next() {
                Some(p) => devset = Some(PathBuf::from(p)),
                None => usage(),
            },
            "--part" => match args.next().as_deref().and_then(Part::parse) {
                Some(p) => part = p,
                None => usage(),
            },
            _ => usage(),
        }
    }
    let r = match devset {
        Some(p) => run_devset(&p, sweep).await,
        None => run_generated(part).await,
    };
    if let Err(e) = r {
        eprintln!("match-eval: {e}");
        std::process::exit(1);
    }
}

async fn run_generated(part: Part) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let bench = search_eval::load_generated(dir.path(), evalset::SEED)
        .await
        .map_err(|e| e.message())?;
    println!(
        "generated set seed {}: {} achievements, {} needs; part {part:?}",
        evalset::SEED,
        bench.set.dev.achievements.len(),
        bench.set.dev.needs.len()
    );
    let rows = bench
        .matching(&MatchingConfig::default(), part)
        .await
        .map_err(|e| e.message())?;
    println!(
        "{}",
        search_eval::markdown("matching, needs → achievements", &rows)
    );
    Ok(())
}

async fn run_devset(path: &std::path::Path, sweep: bool) -> Result<(), String> {
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
