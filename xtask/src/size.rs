//! Bundle size against size-budget.json's two byte budgets, both gzipped:
//! - before first paint, per page: every page in dist/ paints from its HTML
//!   and the stylesheets it links, before any script runs (the pages are
//!   prerendered), so each page's HTML plus those stylesheets is gated;
//! - to become interactive: the JS and wasm the page at / fetches as it
//!   loads (its module script, preloads, and the wasm that script fetches).
//!
//! Files fetched only when a feature is used are listed apart, not gated.
//!
//! The app comes in bundles (`dist/bundles.json`, written by the
//! prerenderer; sim/src/fleet/kind.rs): a page loads exactly one, the
//! smallest that runs its lanes, so each bundle is measured and gated on
//! its own, as the page that loads it fetches it.

use crate::root;
use std::io::Write;

/// dist/'s files: path inside dist/ (`/`-separated), and contents.
type Files = [(String, Vec<u8>)];

pub struct Report {
    /// Every page in dist/, the most bytes before paint first.
    pub pages: Vec<Paint>,
    /// Each bundle's name and its JS and wasm as a page that loads it
    /// fetches them (with whatever else every page loads), gzipped.
    pub bundles: Vec<(String, u64)>,
    /// Bundles for lanes of two kinds at once, and the one with the tour
    /// editor and author tours (both `all`), which no built-in tour's page
    /// loads: measured and printed, not gated (size-budget.json says why).
    pub mixed: Vec<String>,
    pub budget: Budget,
}

/// What one page needs before its first paint, gzipped file by file as a host serves them.
pub struct Paint {
    pub page: String,
    pub html_gzip: u64,
    pub css_gzip: u64,
}

impl Paint {
    pub fn gzip(&self) -> u64 {
        self.html_gzip + self.css_gzip
    }
}

/// size-budget.json: bytes gated by `cargo xtask test`, time ratios reported by `cargo xtask bench`.
pub struct Budget {
    pub paint_gzip: u64,
    pub interactive_gzip: u64,
    pub fcp_ratio: f64,
    pub interactive_ratio: f64,
}

impl Report {
    /// A page's bytes before paint, by its path in dist/.
    pub fn paint(&self, page: &str) -> Option<u64> {
        self.pages.iter().find(|p| p.page == page).map(Paint::gzip)
    }

    /// One line per byte budget that is exceeded; empty when both are met.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        let over: Vec<_> = self.pages.iter().filter(|p| p.gzip() > self.budget.paint_gzip).collect();
        if let Some(worst) = over.first() {
            out.push(format!(
                "{} page(s) need more than {} bytes gzipped before first paint (the most: {}, {} bytes)",
                over.len(),
                self.budget.paint_gzip,
                worst.page,
                worst.gzip()
            ));
        }
        let gated = |name: &String| !self.mixed.contains(name);
        for (name, gzip) in self.bundles.iter().filter(|(n, gzip)| gated(n) && *gzip > self.budget.interactive_gzip) {
            out.push(format!(
                "the app's JS and wasm in bundle `{name}` are {gzip} bytes gzipped, over their budget of {}",
                self.budget.interactive_gzip
            ));
        }
        out
    }
}

struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

/// Sizes of `dist/` against the budgets, printed.
pub fn report() -> Result<Report, String> {
    let dist = root().join("dist");
    if !dist.is_dir() {
        return Err("dist/ is missing: build it first (`cargo xtask build`)".into());
    }
    let mut files = Vec::new();
    read_dir(&dist, "", &mut files)?;
    files.sort();
    let budget = budget()?;
    let bundles = bundle_files(&files)?;
    let in_bundle = |name: &str| bundles.iter().any(|(_, js, wasm, _, _)| name == js || name == wasm);
    // The loader names every bundle; it fetches one, counted below.
    let loaded: Vec<String> = loads("index.html", &files)?.into_iter().filter(|n| !in_bundle(n)).collect();
    let is_app = |name: &str| name.ends_with(".js") || name.ends_with(".wasm");

    println!("==> bundle size (dist/)");
    let mut interactive_gzip = 0;
    let top: Vec<_> = files.iter().filter(|(name, _)| !name.contains('/')).collect();
    for (title, group) in [
        ("to become interactive: the app's JS and wasm, as the page at / loads them (gated)", 0),
        ("the page at /'s HTML, stylesheet and icon (HTML and stylesheets: gated per page, below)", 1),
        ("not loaded by the page at / (fetched when a feature is used, or pages of their own)", 2),
    ] {
        let top: Vec<_> = top.iter().filter(|(name, _)| !in_bundle(name)).collect();
        let in_group = |name: &str| match (loaded.iter().any(|l| l == name), is_app(name)) {
            (true, true) => group == 0,
            (true, false) => group == 1,
            (false, _) => group == 2,
        };
        let members: Vec<_> = top.iter().filter(|(name, _)| in_group(name)).collect();
        if members.is_empty() {
            continue;
        }
        println!("  {title}");
        println!("    {:<50} {:>9} {:>9} {:>9}", "file", "raw", "gzip", "brotli");
        let mut total = Sizes { raw: 0, gzip: 0, brotli: 0 };
        for (name, bytes) in members {
            let s = sizes(bytes);
            println!("    {name:<50} {:>9} {:>9} {:>9}", s.raw, s.gzip, s.brotli);
            total.raw += s.raw;
            total.gzip += s.gzip;
            total.brotli += s.brotli;
        }
        println!("    {:<50} {:>9} {:>9} {:>9}", "total", total.raw, total.gzip, total.brotli);
        if group == 0 {
            interactive_gzip = total.gzip;
        }
    }

    let mut pages = files
        .iter()
        .filter(|(name, _)| name.ends_with(".html"))
        .map(|(name, _)| paint(name, &files))
        .collect::<Result<Vec<_>, _>>()?;
    pages.sort_by(|a, b| b.gzip().cmp(&a.gzip()).then_with(|| a.page.cmp(&b.page)));
    println!("  before first paint: each page's HTML and the stylesheets it links, gzipped (gated per page)");
    println!("    {:<50} {:>9} {:>9} {:>9}", "page", "html", "css", "total");
    let mut shown: Vec<&Paint> = pages.iter().take(5).collect();
    for p in pages.iter().filter(|p| ["index.html", "learn.html"].contains(&p.page.as_str())) {
        if !shown.iter().any(|s| s.page == p.page) {
            shown.push(p);
        }
    }
    for p in shown {
        println!("    {:<50} {:>9} {:>9} {:>9}", p.page, p.html_gzip, p.css_gzip, p.gzip());
    }
    println!("    ({} pages; the five largest, then the landing page and learn.html)", pages.len());

    println!("  to become interactive, per bundle: its JS and wasm, plus the above (gated each; a page loads one)");
    println!("    {:<50} {:>9} {:>9} {:>9}", "bundle / file", "raw", "gzip", "brotli");
    let mut per_bundle = Vec::new();
    for (name, js, wasm, _, _) in &bundles {
        let (j, w) = (sizes(bytes(js, &files)?), sizes(bytes(wasm, &files)?));
        println!("    {:<50} {:>9} {:>9} {:>9}", js, j.raw, j.gzip, j.brotli);
        println!("    {:<50} {:>9} {:>9} {:>9}", wasm, w.raw, w.gzip, w.brotli);
        let total = interactive_gzip + j.gzip + w.gzip;
        println!("    {:<50} {:>9} {:>9} {:>9}", format!("`{name}` to interactive"), "", total, "");
        per_bundle.push((name.clone(), total));
    }
    let mixed = bundles.iter().filter(|b| ungated(b)).map(|b| b.0.clone()).collect();
    let report = Report { pages, bundles: per_bundle, mixed, budget };
    let verdict = |ok: bool| if ok { "within" } else { "OVER" };
    let worst = report.pages.first().ok_or("dist/ has no page")?;
    let b = &report.budget;
    println!(
        "  before first paint: the largest page ({}) {} bytes gzipped: {} the budget of {} bytes per page",
        worst.page,
        worst.gzip(),
        verdict(worst.gzip() <= b.paint_gzip),
        b.paint_gzip
    );
    for (name, gzip) in &report.bundles {
        let verdict = if report.mixed.contains(name) {
            "not gated (lanes of two kinds, the tour editor)"
        } else {
            verdict(*gzip <= b.interactive_gzip)
        };
        println!(
            "  to become interactive with bundle `{name}`: {gzip} bytes gzipped: {verdict} the budget of {} bytes (size-budget.json)",
            b.interactive_gzip
        );
    }
    Ok(report)
}

/// One bundle of `dist/bundles.json`: name, JS, wasm, how many kinds, and
/// whether it carries the tour editor.
type BundleFiles = (String, String, String, usize, bool);

/// Whether a bundle is measured but not gated: lanes of two kinds, or the
/// tour editor and author tours (size-budget.json says why); no built-in
/// tour's page loads it.
fn ungated(b: &BundleFiles) -> bool {
    b.3 > 1 || b.4
}

/// `dist/bundles.json`: each bundle's name, JS and wasm, every file checked
/// to be in dist/. Without it (a site built before bundles), none.
fn bundle_files(files: &Files) -> Result<Vec<BundleFiles>, String> {
    let Ok(text) = text("bundles.json", files) else { return Ok(Vec::new()) };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("bundles.json: {e}"))?;
    let mut out = Vec::new();
    for b in v.as_array().ok_or("bundles.json is not a list")? {
        let field = |k: &str| b[k].as_str().map(str::to_owned).ok_or(format!("bundles.json: a bundle has no \"{k}\""));
        let (name, js, wasm) = (field("name")?, field("js")?, field("wasm")?);
        bytes(&js, files)?;
        bytes(&wasm, files)?;
        let kinds = b["kinds"].as_array().map_or(0, Vec::len);
        out.push((name, js, wasm, kinds, b["authoring"].as_bool() == Some(true)));
    }
    Ok(out)
}

/// Every file under `dir`, named by its path below dist/.
fn read_dir(dir: &std::path::Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.filter_map(Result::ok) {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            read_dir(&path, &format!("{name}/"), out)?;
        } else {
            out.push((name, std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?));
        }
    }
    Ok(())
}

/// A page's HTML and the stylesheets it links, gzipped.
fn paint(page: &str, files: &Files) -> Result<Paint, String> {
    let html = text(page, files)?;
    let tags = tags(&html);
    let base = base_dir(page, &tags);
    let mut sheets: Vec<String> = Vec::new();
    for tag in tags.iter().filter(|t| t.name == "link" && t.rel("stylesheet")) {
        let Some(href) = tag.attr("href") else { continue };
        let sheet = dist_file(&base, href, files).map_err(|e| format!("{page}: stylesheet {href}: {e}"))?;
        if !sheets.contains(&sheet) {
            sheets.push(sheet);
        }
    }
    let css_gzip = sheets.iter().map(|s| Ok(gzip(bytes(s, files)?))).sum::<Result<u64, String>>()?;
    Ok(Paint { page: page.to_owned(), html_gzip: gzip(html.as_bytes()), css_gzip })
}

/// What `page` fetches as it loads: the page, the files its `<link>`s
/// (stylesheets, icon, preloads) and `<script src>`s name, the files its
/// inline scripts name, and then the files each fetched script names
/// (wasm-bindgen's script names the wasm). Not links, nor `onclick`
/// handlers (the load panel's `import('./load-run.js')`): those fetch
/// later, if ever.
fn loads(page: &str, files: &Files) -> Result<Vec<String>, String> {
    let html = text(page, files)?;
    let tags = tags(&html);
    let base = base_dir(page, &tags);
    let mut found = vec![page.to_owned()];
    let add = |name: String, found: &mut Vec<String>| {
        if !found.contains(&name) {
            found.push(name);
        }
    };
    for tag in &tags {
        let fetched = match tag.name.as_str() {
            "link" if ["stylesheet", "icon", "modulepreload", "preload"].iter().any(|r| tag.rel(r)) => tag.attr("href"),
            "script" => tag.attr("src"),
            _ => None,
        };
        if let Some(url) = fetched {
            add(dist_file(&base, url, files).map_err(|e| format!("{page}: {url}: {e}"))?, &mut found);
        }
        if let (Some(body), true) = (tag.body, tag.name == "script") {
            for (name, _) in files.iter().filter(|(n, _)| !n.contains('/') && references(body, n)) {
                add(name.clone(), &mut found);
            }
        }
    }
    let mut i = 1;
    while let Some(name) = found.get(i).cloned() {
        i += 1;
        if name.ends_with(".js") {
            let script = text(&name, files)?;
            for (other, _) in files.iter().filter(|(n, _)| !n.contains('/') && references(&script, n)) {
                add(other.clone(), &mut found);
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

/// One start tag: its name and attributes (names lowercased, values
/// unquoted), and for `<script>` and `<style>` the text up to their end tag.
struct Tag<'a> {
    name: String,
    attrs: Vec<(String, &'a str)>,
    body: Option<&'a str>,
}

impl Tag<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    fn rel(&self, kind: &str) -> bool {
        self.attr("rel").is_some_and(|r| r.split_ascii_whitespace().any(|t| t.eq_ignore_ascii_case(kind)))
    }
}

/// The start tags of an HTML document, read as a browser would for the
/// attributes that matter here: quoted or unquoted values (the minifier
/// drops quotes), comments skipped, script and style bodies not read as tags.
fn tags(html: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        if name_len == 0 {
            continue; // an end tag, the doctype, or a lone '<'
        }
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                rest = rest.get(1..).unwrap_or("");
                break;
            }
            let len = rest.find(|c: char| c.is_ascii_whitespace() || "=>/".contains(c)).unwrap_or(rest.len());
            let attr = rest[..len].to_ascii_lowercase();
            rest = rest[len..].trim_start();
            let value = match rest.strip_prefix('=').map(str::trim_start) {
                Some(v) if v.starts_with(['"', '\'']) => {
                    let end = v[1..].find(&v[..1]).map_or(v.len(), |e| e + 1);
                    rest = v.get(end + 1..).unwrap_or("");
                    &v[1..end]
                }
                Some(v) => {
                    let end = v.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(v.len());
                    rest = &v[end..];
                    &v[..end]
                }
                None => "",
            };
            attrs.push((attr, value));
        }
        let body = if name == "script" || name == "style" {
            let end = rest.to_ascii_lowercase().find(&format!("</{name}")).unwrap_or(rest.len());
            let body = &rest[..end];
            rest = &rest[end..];
            Some(body)
        } else {
            None
        };
        out.push(Tag { name, attrs, body });
    }
    out
}

/// The directory (in dist/, `""` or ending in `/`) a page's relative URLs
/// resolve against: its `<base href>`'s, or the page's own.
fn base_dir(page: &str, tags: &[Tag]) -> String {
    let own = &page[..page.rfind('/').map_or(0, |i| i + 1)];
    let base = tags.iter().find(|t| t.name == "base").and_then(|t| t.attr("href"));
    match base.and_then(|href| join(own, href)) {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir,
        Some(file) => file[..file.rfind('/').map_or(0, |i| i + 1)].to_owned(),
        None => own.to_owned(),
    }
}

/// The file in dist/ a URL names, relative to `dir`; an error if it names
/// none, so a page can never look smaller than it is by a reference missed.
fn dist_file(dir: &str, url: &str, files: &Files) -> Result<String, String> {
    let path = join(dir, url).ok_or("not a file in dist/")?;
    match files.iter().any(|(n, _)| *n == path) {
        true => Ok(path),
        false => Err(format!("no dist/{path}")),
    }
}

/// `url` resolved against `dir` as a path inside dist/ (a trailing `/` for
/// a directory); `None` for a URL with a scheme, another host, or `..`
/// past dist/'s top. A `/`-rooted URL is taken from dist/'s top.
fn join(dir: &str, url: &str) -> Option<String> {
    let url = url.split(['?', '#']).next().unwrap_or("");
    if url.starts_with("//") || url.split('/').next().is_some_and(|first| first.contains(':')) {
        return None;
    }
    let (mut parts, url): (Vec<&str>, &str) = match url.strip_prefix('/') {
        Some(rooted) => (Vec::new(), rooted),
        None => (dir.split('/').filter(|s| !s.is_empty()).collect(), url),
    };
    for segment in url.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    let last = url.rsplit('/').next().unwrap_or("");
    let mut out = parts.join("/");
    if !out.is_empty() && matches!(last, "" | "." | "..") {
        out.push('/');
    }
    Some(out)
}

fn bytes<'a>(name: &str, files: &'a Files) -> Result<&'a [u8], String> {
    files.iter().find(|(n, _)| n == name).map(|(_, b)| &b[..]).ok_or_else(|| format!("dist/{name} is missing"))
}

fn text(name: &str, files: &Files) -> Result<String, String> {
    Ok(String::from_utf8_lossy(bytes(name, files)?).into_owned())
}

/// size-budget.json's four budgets.
pub fn budget() -> Result<Budget, String> {
    let text =
        std::fs::read_to_string(root().join("size-budget.json")).map_err(|e| format!("size-budget.json: {e}"))?;
    parse_budget(&text)
}

fn parse_budget(text: &str) -> Result<Budget, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("size-budget.json: {e}"))?;
    let num = |key: &str| {
        if v["why"][key].as_str().is_none_or(str::is_empty) {
            return Err(format!("size-budget.json: \"why\" says nothing of \"{key}\""));
        }
        v[key].as_f64().ok_or_else(|| format!("size-budget.json needs \"{key}\": <number>"))
    };
    Ok(Budget {
        paint_gzip: num("first_paint_page_gzip_bytes")? as u64,
        interactive_gzip: num("interactive_gzip_bytes")? as u64,
        fcp_ratio: num("first_contentful_paint_ratio_max")?,
        interactive_ratio: num("interactive_ratio_max")?,
    })
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

    /// A landing page as the prerenderer writes it: minified, unquoted attributes, a lazy `onclick` import.
    const LANDING: &str = r#"<!doctype html><html lang=en><base href="./"><link href=./icon.svg rel=icon><link data-integrity=none href=./app-1a.css rel=stylesheet><script type=module>import init from './statelab-web-9f.js';await init({ module_or_path: './statelab-web-9f_bg.wasm' })</script><link crossorigin href=./statelab-web-9f.js rel=modulepreload></head><body><div id=app><a href="learn.html">Learn</a><button onclick="import('./load-run.js').then(m=>m.form())">Set up a run</button></div>"#;

    fn site() -> Vec<(String, Vec<u8>)> {
        vec![
            file("index.html", LANDING),
            file("icon.svg", "<svg/>"),
            file("app-1a.css", "body{color:red}"),
            file("statelab-web-9f.js", "fetch(new URL('statelab-web_bg.wasm', import.meta.url))"),
            file("statelab-web-9f_bg.wasm", "\0asm"),
            file("load-run.js", "import('./load-worker.js')"),
            file("load-worker.js", "later"),
            file("learn.html", "<link rel=\"stylesheet\" href=\"./learn.css\" /><p>Learn</p>"),
            file("learn.css", "p{margin:0}"),
            file("tour/a/2/index.html", &LANDING.replace("\"./\"", "\"../../../\"")),
            file("tour/a/2/embed/index.html", &LANDING.replace("\"./\"", "../../../../")),
        ]
    }

    #[test]
    fn the_page_loads_its_links_and_scripts_not_its_anchors_or_click_handlers() {
        let mut loaded = loads("index.html", &site()).unwrap();
        loaded.sort();
        assert_eq!(loaded, ["app-1a.css", "icon.svg", "index.html", "statelab-web-9f.js", "statelab-web-9f_bg.wasm"]);
    }

    #[test]
    fn base_href_resolves_a_tour_pages_assets_to_dists_top() {
        assert_eq!(join("tour/a/2/", "../../../"), Some(String::new()));
        assert_eq!(join("tour/a/2/embed/", "../../../../app.css"), Some("app.css".into()));
        assert_eq!(join("tour/a/2/", "./"), Some("tour/a/2/".into()));
        assert_eq!(join("", "./app.css?v=1#x"), Some("app.css".into()));
        assert_eq!(join("tour/a/", "/app.css"), Some("app.css".into()));
        assert_eq!(join("", "../app.css"), None, "above dist/'s top");
        assert_eq!(join("", "https://cdn.example/app.css"), None);
        assert_eq!(join("", "//cdn.example/app.css"), None);
        let tags = tags(r#"<base href="../../../">"#);
        assert_eq!(base_dir("tour/a/2/index.html", &tags), "");
        assert_eq!(base_dir("tour/a/2/index.html", &[]), "tour/a/2/", "no base: the page's own directory");
    }

    #[test]
    fn a_page_before_paint_is_its_html_and_linked_stylesheets() {
        let files = site();
        let css = gzip(b"body{color:red}");
        for page in ["index.html", "tour/a/2/index.html", "tour/a/2/embed/index.html"] {
            let p = paint(page, &files).unwrap();
            assert_eq!(p.css_gzip, css, "{page}");
            assert_eq!(p.html_gzip, gzip(bytes(page, &files).unwrap()), "{page}");
        }
        assert_eq!(paint("learn.html", &files).unwrap().css_gzip, gzip(b"p{margin:0}"));
    }

    #[test]
    fn a_stylesheet_that_is_not_in_dist_is_an_error() {
        let mut files = site();
        // Without its base, the tour page's stylesheet would be tour/a/2/app-1a.css.
        files.push(file("tour/b/0/index.html", "<link href=./app-1a.css rel=stylesheet>"));
        let err = paint("tour/b/0/index.html", &files).err().unwrap();
        assert!(err.contains("no dist/tour/b/0/app-1a.css"), "{err}");
    }

    #[test]
    fn tags_read_quoted_and_unquoted_values_and_skip_script_bodies() {
        let t = tags(
            r#"<LINK data-x HREF=./a.css rel='style sheet'/><script>if (a<b) x='<link href=no>'</script><!-- <link href=c> --><p class="q>">"#,
        );
        let names: Vec<_> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["link", "script", "p"]);
        assert_eq!(t[0].attr("href"), Some("./a.css"));
        assert_eq!(t[0].attr("data-x"), Some(""));
        assert!(t[0].rel("sheet") && !t[0].rel("stylesheet"));
        assert_eq!(t[1].body, Some("if (a<b) x='<link href=no>'"));
        assert_eq!(t[2].attr("class"), Some("q>"));
    }

    #[test]
    fn bundles_of_two_kinds_or_with_the_tour_editor_are_not_gated() {
        let json = r#"[{"name":"core","kinds":[],"authoring":false,"js":"c.js","wasm":"c.wasm"},
            {"name":"connections","kinds":["connections"],"js":"n.js","wasm":"n.wasm"},
            {"name":"db","kinds":["db"],"authoring":true,"js":"d.js","wasm":"d.wasm"},
            {"name":"all","kinds":["connections","files","db"],"authoring":true,"js":"a.js","wasm":"a.wasm"}]"#;
        let mut files: Vec<(String, Vec<u8>)> = vec![("bundles.json".into(), json.as_bytes().to_vec())];
        for f in ["c.js", "c.wasm", "n.js", "n.wasm", "d.js", "d.wasm", "a.js", "a.wasm"] {
            files.push((f.into(), b"x".to_vec()));
        }
        let read = bundle_files(&files).unwrap();
        let names: Vec<&str> = read.iter().filter(|b| ungated(b)).map(|b| b.0.as_str()).collect();
        assert_eq!(names, ["db", "all"], "one kind with the editor is not gated either; no field is no editor");
    }

    #[test]
    fn failures_name_each_budget_exceeded() {
        let budget = Budget { paint_gzip: 100, interactive_gzip: 1000, fcp_ratio: 0.5, interactive_ratio: 1.5 };
        let page = |page: &str, gzip| Paint { page: page.into(), html_gzip: gzip, css_gzip: 0 };
        let bundles = vec![("core".to_owned(), 1000), ("connections".to_owned(), 1000), ("all".to_owned(), 5000)];
        let mut report = Report { pages: vec![page("a.html", 100)], bundles, mixed: vec!["all".to_owned()], budget };
        assert!(report.failures().is_empty(), "at the budget is within it, and a mixed bundle is not gated");
        report.pages.insert(0, page("tour/x/index.html", 101));
        report.bundles[1].1 = 1001;
        let f = report.failures();
        assert_eq!(f.len(), 2);
        assert!(f[0].contains("1 page(s)") && f[0].contains("tour/x/index.html"), "{}", f[0]);
        assert!(f[1].contains("bundle `connections`") && f[1].contains("1001"), "{}", f[1]);
    }

    #[test]
    fn the_budget_file_gives_every_budget_and_its_reason() {
        let b = budget().unwrap();
        assert_eq!((b.paint_gzip, b.interactive_gzip), (30_000, 300_000));
        assert_eq!((b.fcp_ratio, b.interactive_ratio), (0.5, 1.5));
        let unexplained = r#"{"first_paint_page_gzip_bytes": 1, "interactive_gzip_bytes": 1,
            "first_contentful_paint_ratio_max": 1, "interactive_ratio_max": 1, "why": {}}"#;
        assert!(parse_budget(unexplained).err().unwrap().contains("why"));
    }

    #[test]
    fn a_name_inside_another_name_is_not_a_reference() {
        assert!(!references("'/statelab-web-9f_bg.wasm'", "web-9f_bg.wasm"));
        assert!(references("href=\"./app.css\"", "app.css"));
    }
}
