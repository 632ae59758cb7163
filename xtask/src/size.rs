//! Bundle size: every file of dist/ raw, gzipped and brotli'd, and the
//! gzipped total against the committed budget.

use crate::root;
use std::io::Write;

pub struct Report {
    pub gzip_total: u64,
    pub budget: u64,
}

/// Sizes of the shipped build, `dist/`, against the budget.
pub fn report() -> Result<Report, String> {
    report_on("dist")
}

/// Sizes of any built directory (relative to the root) against the budget.
pub fn report_on(dir: &str) -> Result<Report, String> {
    let dist = root().join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dist)
        .map_err(|_| format!("{dir}/ is missing: build it first"))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .collect();
    files.sort_by_key(|e| e.file_name());
    let budget = budget()?;
    println!("==> bundle size ({dir}/)");
    println!("  {:<52} {:>9} {:>9} {:>9}", "file", "raw", "gzip", "brotli");
    let (mut raw_total, mut gzip_total, mut br_total) = (0, 0, 0);
    for f in files {
        let bytes = std::fs::read(f.path()).map_err(|e| e.to_string())?;
        let (raw, gz, br) = (bytes.len() as u64, gzip(&bytes), brotli(&bytes));
        println!("  {:<52} {raw:>9} {gz:>9} {br:>9}", f.file_name().to_string_lossy());
        raw_total += raw;
        gzip_total += gz;
        br_total += br;
    }
    println!("  {:<52} {raw_total:>9} {gzip_total:>9} {br_total:>9}", "total");
    let verdict = if gzip_total <= budget { "within" } else { "OVER" };
    println!("  gzip total {gzip_total} bytes: {verdict} the budget of {budget} bytes (size-budget.json)");
    Ok(Report { gzip_total, budget })
}

fn budget() -> Result<u64, String> {
    let text =
        std::fs::read_to_string(root().join("size-budget.json")).map_err(|e| format!("size-budget.json: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("size-budget.json: {e}"))?;
    v["gzip_total_bytes"].as_u64().ok_or_else(|| "size-budget.json needs \"gzip_total_bytes\": <number>".into())
}

fn gzip(bytes: &[u8]) -> u64 {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("in-memory write");
    e.finish().expect("in-memory write").len() as u64
}

fn brotli(bytes: &[u8]) -> u64 {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("in-memory write");
    out.len() as u64
}
