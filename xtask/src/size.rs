//! Bundle size. The gate is what loads before the first render: dist/index.html
//! and every file it references (directly, or from a referenced script, as the
//! wasm is), gzipped, against size-budget.json. Other files in dist/ (pages
//! of their own, anything loaded later) are listed separately.

use crate::root;
use std::io::Write;

pub struct Report {
    pub initial_gzip: u64,
    pub budget: u64,
}

struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

/// Sizes of `dist/` against the budget.
pub fn report() -> Result<Report, String> {
    let dist = root().join("dist");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dist)
        .map_err(|_| "dist/ is missing: build it first (`cargo xtask build`)".to_owned())?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            Ok((e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).map_err(|e| e.to_string())?))
        })
        .collect::<Result<_, String>>()?;
    files.sort();
    let initial = initial_load(&files)?;
    let budget = budget()?;
    println!("==> bundle size (dist/)");
    let mut initial_gzip = 0;
    for (title, first) in [("loaded before the first render (gated)", true), ("not loaded by the page at /", false)] {
        let group: Vec<_> = files.iter().filter(|(name, _)| initial.contains(name) == first).collect();
        if group.is_empty() {
            continue;
        }
        println!("  {title}");
        println!("    {:<50} {:>9} {:>9} {:>9}", "file", "raw", "gzip", "brotli");
        let mut total = Sizes { raw: 0, gzip: 0, brotli: 0 };
        for (name, bytes) in group {
            let s = sizes(bytes);
            println!("    {name:<50} {:>9} {:>9} {:>9}", s.raw, s.gzip, s.brotli);
            total.raw += s.raw;
            total.gzip += s.gzip;
            total.brotli += s.brotli;
        }
        println!("    {:<50} {:>9} {:>9} {:>9}", "total", total.raw, total.gzip, total.brotli);
        if first {
            initial_gzip = total.gzip;
        }
    }
    let verdict = if initial_gzip <= budget { "within" } else { "OVER" };
    println!("  initial load {initial_gzip} bytes gzipped: {verdict} the budget of {budget} bytes (size-budget.json)");
    Ok(Report { initial_gzip, budget })
}

/// index.html plus every dist file named in it, plus every dist file named
/// in those (wasm-bindgen's script names the wasm it fetches).
fn initial_load(files: &[(String, Vec<u8>)]) -> Result<Vec<String>, String> {
    let mut found = vec!["index.html".to_owned()];
    if !files.iter().any(|(n, _)| n == "index.html") {
        return Err("dist/index.html is missing".into());
    }
    let mut i = 0;
    while let Some(name) = found.get(i).cloned() {
        i += 1;
        let Some((_, bytes)) = files.iter().find(|(n, _)| *n == name) else { continue };
        if !(name.ends_with(".html") || name.ends_with(".js")) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for (other, _) in files {
            if !found.contains(other) && references(&text, other) {
                found.push(other.clone());
            }
        }
    }
    Ok(found)
}

/// Whether `text` names `file` as a relative URL (`./name`, `/name`, `"name"`).
fn references(text: &str, file: &str) -> bool {
    text.match_indices(file).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + file.len()..].chars().next();
        matches!(before, Some('/' | '"' | '\'' | '=')) && matches!(after, Some('"' | '\'' | '?' | '#' | ')' | ' '))
    })
}

fn budget() -> Result<u64, String> {
    let text =
        std::fs::read_to_string(root().join("size-budget.json")).map_err(|e| format!("size-budget.json: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("size-budget.json: {e}"))?;
    v["initial_load_gzip_bytes"]
        .as_u64()
        .ok_or_else(|| "size-budget.json needs \"initial_load_gzip_bytes\": <number>".into())
}

fn sizes(bytes: &[u8]) -> Sizes {
    Sizes { raw: bytes.len() as u64, gzip: gzip(bytes), brotli: brotli(bytes) }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> (String, Vec<u8>) {
        (name.to_owned(), text.as_bytes().to_vec())
    }

    #[test]
    fn initial_load_follows_index_and_its_scripts_only() {
        let files = [
            file(
                "index.html",
                r#"<link rel="stylesheet" href="./app-1a.css"><script type="module">import init from '/statelab-web-9f.js';init('/statelab-web-9f_bg.wasm')</script>"#,
            ),
            file("app-1a.css", "body{}"),
            file("statelab-web-9f.js", "fetch(new URL('statelab-web-9f_bg.wasm', import.meta.url))"),
            file("statelab-web-9f_bg.wasm", "\0asm"),
            file("docs-example.html", "<iframe src=\"./?embed=1\">"),
            file("worker-3c.js", "later"),
        ];
        let mut initial = initial_load(&files).unwrap();
        initial.sort();
        assert_eq!(initial, ["app-1a.css", "index.html", "statelab-web-9f.js", "statelab-web-9f_bg.wasm"]);
    }

    #[test]
    fn a_name_inside_another_name_is_not_a_reference() {
        assert!(!references("'/statelab-web-9f_bg.wasm'", "web-9f_bg.wasm"));
        assert!(references("href=\"./app.css\"", "app.css"));
    }
}
