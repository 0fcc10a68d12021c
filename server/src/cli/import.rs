//! `transferhub import FILE --org ORG [--mapping FILE]`: a one-off harvest of a CSV, XLSX or
//! JSONL file into an organisation's catalog. The file becomes a source (`import-ORG-NAME`,
//! not scheduled) so a re-import updates instead of duplicating, and rejected rows are kept.

use super::CliError;
use crate::app::config::Config;
use crate::sources::service::{self, Settings, SourceSpec};
use std::path::PathBuf;

/// Flags of `import`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// CSV, XLSX or JSONL file.
    file: PathBuf,
    /// Organisation key that owns the records.
    #[arg(long)]
    org: String,
    /// Column mapping file (TOML) for CSV/XLSX.
    #[arg(long)]
    mapping: Option<PathBuf>,
}

/// The source key for an imported file.
fn source_key(org: &str, file: &std::path::Path) -> String {
    let stem: String = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let key = format!("import-{org}-{}", stem.trim_matches('-'));
    key.chars().take(64).collect()
}

/// Imports the file and prints the summary and the first rejected rows.
pub async fn run(config: &Config, args: Args) -> Result<(), CliError> {
    let ext = args
        .file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let kind = match ext.as_str() {
        "csv" | "xlsx" | "xls" => "tabular",
        "jsonl" | "ndjson" => "jsonl",
        _ => {
            return Err(CliError::Usage(format!(
                "{}: unsupported file type; use .csv, .xlsx, .xls or .jsonl",
                args.file.display()
            )))
        }
    };
    if !args.file.is_file() {
        return Err(CliError::Usage(format!(
            "{}: no such file",
            args.file.display()
        )));
    }
    let abs = std::fs::canonicalize(&args.file)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.file.display())))?;
    let mapping = match &args.mapping {
        Some(m) => std::fs::canonicalize(m)
            .map_err(|e| CliError::Usage(format!("mapping {}: {e}", m.display())))?
            .display()
            .to_string(),
        None => String::new(),
    };
    let db = super::open_store(config).await?;
    let spec = SourceSpec {
        key: source_key(&args.org, &args.file),
        kind: kind.into(),
        org: args.org.clone(),
        settings: Settings {
            path: abs.display().to_string(),
            mapping,
            ..Settings::default()
        },
        interval_secs: 86400,
        requires_review: false,
        enabled: false,
    };
    let src = service::upsert(&db, &spec).await?;
    let h = super::harvest::harvester(config, &db)?;
    let run = super::harvest::run_with_progress(&h, &src.key, true).await?;
    super::harvest::summary(&src.key, &run);
    if run.rejected > 0 {
        let (rows, more) = service::rejected(&db, src.id, false, None, 20).await?;
        for r in rows.iter().rev() {
            eprintln!("rejected {}: {}", r.location, r.reason);
        }
        if more {
            eprintln!(
                "… more rejected rows: query rejectedRecords(sourceKey: \"{}\")",
                src.key
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_keys_are_stable_and_safe() {
        assert_eq!(
            source_key("imu", std::path::Path::new("/x/成果 2024.csv")),
            "import-imu-2024"
        );
        assert_eq!(
            source_key("iat", std::path::Path::new("Catalog_V2.xlsx")),
            "import-iat-catalog-v2"
        );
    }
}
