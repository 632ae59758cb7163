//! The script each page starts the app with, in place of trunk's: it picks
//! the smallest bundle that runs what the address asks for (statelab-sim's
//! `fleet/kind.rs` lists the bundles; `src/bundle.rs` says why), preloads
//! that bundle's wasm and no other, and starts it. What it reads, before any
//! wasm: the kinds of lane the page itself shows (its tour's), the lane
//! codes and tour ids in the address, and the kinds a page that moved here
//! said it needs (`bundle::KINDS_KEY`, for a state its address does not
//! show), and `make=1` or an author's tour (`tour=`), which ask for the tour
//! editor's bundle, the one with the `authoring` feature (`fleet::AUTHORING`). It over-reads rather than under-reads (a chat message naming an
//! app loads the larger bundle); the app checks again and moves if the
//! bundle cannot run its state.

use erased::Json;
use statelab::bundle::{needs, KINDS_KEY};
use statelab::state::read_query;
use statelab_sim::fleet::{AUTHORING, BUNDLES};
use statelab_sim::App;
use std::path::Path;

/// The site's bundles, and what in an address names each kind.
pub struct Loader {
    /// Name, features (its kinds' and [`AUTHORING`]), JS file and wasm file
    /// (in the site's root), smallest first.
    bundles: Vec<(&'static str, Vec<&'static str>, String, String)>,
    /// A word in the `a`, `b`, `log` or `scenario` parameter, and the kind's feature it needs.
    words: Vec<(String, &'static str)>,
}

/// Takes trunk's loader (its module script and preloads) out of the
/// template, and puts the other bundles (`STATELAB_BUNDLES`, built by
/// `cargo xtask build`) into the site beside trunk's, which is the last.
pub fn prepare(template: &str, dir: &Path) -> Result<(String, Loader), String> {
    let start = template.find("<script type=\"module\">").or_else(|| template.find("<script type=module>"));
    let start = start.ok_or("the template has no module script (trunk's loader)")?;
    let end = start + template[start..].find("</script>").ok_or("trunk's module script is not closed")? + 9;
    let script = &template[start..end];
    let js = quoted_ending(script, ".js").ok_or("trunk's loader names no .js")?;
    let wasm = quoted_ending(script, "_bg.wasm").ok_or("trunk's loader names no wasm")?;
    let mut html = format!("{}{}", &template[..start], &template[end..]);
    for file in [&js, &wasm] {
        while let Some((s, e)) = super::find_tag(&html, "<link", file.as_str()) {
            html.replace_range(s..e, "");
        }
    }
    let built = std::env::var_os("STATELAB_BUNDLES").map(std::path::PathBuf::from);
    let mut bundles = Vec::new();
    for (i, b) in BUNDLES.iter().enumerate() {
        let features = b.features();
        if i == BUNDLES.len() - 1 {
            bundles.push((b.name, features, js.clone(), wasm.clone()));
        } else if let Some((js, wasm)) = built.as_deref().map(|d| copy_bundle(d, b.name, dir)).transpose()?.flatten() {
            bundles.push((b.name, features, js, wasm));
        } else {
            // `trunk serve` run by hand: the last bundle runs every page.
            println!(
                "prerender: no `{}` bundle (built by `cargo xtask build`); pages load `{}`",
                b.name,
                BUNDLES[BUNDLES.len() - 1].name
            );
        }
    }
    let mut words: Vec<(String, &'static str)> =
        App::ALL.iter().filter_map(|a| a.kind().map(|k| (a.code().to_owned(), k.feature()))).collect();
    // A tour's kind is in its listing: no tour need be built to know it.
    words.extend(statelab_sim::tours::TOURS.iter().filter_map(|t| Some((t.id.to_owned(), t.kind?.feature()))));
    Ok((html, Loader { bundles, words }))
}

/// Copies bundle `name`'s two files from `from` into the site; their names.
fn copy_bundle(from: &Path, name: &str, dir: &Path) -> Result<Option<(String, String)>, String> {
    let prefix = format!("statelab-{name}-");
    let mut found = (None, None);
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !file.starts_with(&prefix) {
            continue;
        }
        std::fs::copy(entry.path(), dir.join(&file)).map_err(|e| format!("{file}: {e}"))?;
        if file.ends_with("_bg.wasm") {
            found.1 = Some(file);
        } else if file.ends_with(".js") {
            found.0 = Some(file);
        }
    }
    match found {
        (Some(js), Some(wasm)) => Ok(Some((js, wasm))),
        (None, None) => Ok(None),
        _ => Err(format!("{}: bundle `{name}` lacks its .js or its .wasm", from.display())),
    }
}

/// The first quoted file name in `text` that ends with `suffix`, without `./`.
fn quoted_ending(text: &str, suffix: &str) -> Option<String> {
    text.split(['\'', '"'])
        .find(|s| s.ends_with(suffix) && !s.contains(' '))
        .map(|s| s.trim_start_matches("./").to_owned())
}

impl Loader {
    /// The page's loader, for a page whose own state is `start`.
    pub fn script(&self, start: &str) -> String {
        let (own, tour) = own_kinds(start);
        format!(
            concat!(
                "<script type=module>let B={},W={},n=new Set({}),q=new URLSearchParams(location.search),d=document;",
                "try{{let s=sessionStorage,h=s.getItem(\"{}\");if(h!==null){{s.removeItem(\"{}\");for(let k of h.split(\",\"))k&&n.add(k)}}}}catch(e){{}}",
                "for(let k of {}||q.has(\"scenario\")?[\"scenario\"]:[\"a\",\"b\",\"log\"]){{let v=q.get(k)||\"\";for(let[w,f]of W)v.includes(w)&&n.add(f)}}",
                "(q.get(\"make\")===\"1\"||q.has(\"tour\"))&&n.add(\"{}\");",
                "let[b,,j,w]=B.find(b=>[...n].every(k=>b[1].includes(k)))||B[B.length-1],u=f=>new URL(f,d.baseURI).href,l=d.createElement(\"link\");",
                "d.documentElement.dataset.bundle=b;l.rel=\"preload\";l.as=\"fetch\";l.type=\"application/wasm\";l.crossOrigin=\"anonymous\";l.href=u(w);d.head.append(l);",
                "let m=await import(u(j));window.wasmBindings=m;let wasm=await m.default({{module_or_path:u(w)}});",
                "dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\",{{detail:{{wasm}}}}))</script>"
            ),
            self.bundles.json(),
            self.words.json(),
            own.json(),
            KINDS_KEY,
            KINDS_KEY,
            tour,
            AUTHORING,
        )
    }

    /// Preloads of the bundle the page's own state `start` runs in (the one
    /// the loader picks when the address asks for nothing more), for a
    /// poster's `load` command: the poster's address is its page's own
    /// state, so the fetch can start before the loader script has run.
    pub fn own_preloads(&self, start: &str) -> String {
        let (own, _) = own_kinds(start);
        // The script's rule, `B.find(…every kind…)||B[B.length-1]`: were
        // they to differ, a poster would fetch two bundles.
        let fits = |b: &&(&str, Vec<&str>, String, String)| own.iter().all(|k| b.1.contains(k));
        match self.bundles.iter().find(fits).or(self.bundles.last()) {
            Some((_, _, js, wasm)) => format!(
                r#"<link rel="preload" as="fetch" type="application/wasm" crossorigin="anonymous" href="{wasm}"><link rel="modulepreload" href="{js}">"#
            ),
            None => String::new(),
        }
    }

    /// `bundles.json`: each bundle's name, kinds, whether it carries the tour
    /// editor, and files, for `cargo xtask size` and the tests.
    pub fn manifest(&self) -> String {
        let list: Vec<String> = self
            .bundles
            .iter()
            .map(|(name, features, js, wasm)| {
                let kinds: Vec<&str> = features.iter().copied().filter(|f| *f != AUTHORING).collect();
                let authoring = features.contains(&AUTHORING);
                format!(
                    r#"{{"name":"{name}","kinds":{},"authoring":{authoring},"js":"{js}","wasm":"{wasm}"}}"#,
                    kinds.json()
                )
            })
            .collect();
        format!("[{}]\n", list.join(","))
    }
}

/// The kinds of lane the page's own state `start` shows (their features),
/// and whether it is a tour's: then the tour alone decides the bundle, as
/// in the app (`src/bundle.rs`), where a tour ignores `a`, `b` and `log`.
fn own_kinds(start: &str) -> (Vec<&'static str>, bool) {
    let (link, _, _) = read_query(start);
    (needs(&link).iter().map(|k| k.feature()).collect(), link.scenario.is_some())
}

/// The few shapes the loader writes as JavaScript literals (JSON): names
/// and file names from the build, never from a user.
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl Json for &str {
        fn json(&self) -> String {
            format!("\"{}\"", self.replace('\\', "\\\\").replace('"', "\\\""))
        }
    }
    impl Json for String {
        fn json(&self) -> String {
            self.as_str().json()
        }
    }
    impl<T: Json> Json for Vec<T> {
        fn json(&self) -> String {
            format!("[{}]", self.iter().map(Json::json).collect::<Vec<_>>().join(","))
        }
    }
    impl<A: Json, B: Json> Json for (A, B) {
        fn json(&self) -> String {
            format!("[{},{}]", self.0.json(), self.1.json())
        }
    }
    impl<A: Json, B: Json, C: Json, D: Json> Json for (A, B, C, D) {
        fn json(&self) -> String {
            format!("[{},{},{},{}]", self.0.json(), self.1.json(), self.2.json(), self.3.json())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK: &str = r#"<head><script type="module">import init, * as bindings from './statelab-web-ab.js';
const wasm = await init({ module_or_path: './statelab-web-ab_bg.wasm' });</script><link rel="modulepreload" href="./statelab-web-ab.js" crossorigin><link rel="preload" href="./statelab-web-ab_bg.wasm" crossorigin as="fetch" type="application/wasm"><link rel="icon" href="x.svg"></head>"#;

    /// A poster's preloads name the smallest bundle its own page runs in,
    /// whatever the other bundles are.
    #[test]
    fn a_pages_own_bundle_is_the_smallest_that_runs_its_tour() {
        let bundle = |name, kinds: &[&'static str], file: &str| {
            (name, kinds.to_vec(), format!("{file}.js"), format!("{file}_bg.wasm"))
        };
        let loader = Loader {
            bundles: vec![
                bundle("core", &[], "core"),
                bundle("connections", &["connections"], "conn"),
                bundle("all", &["connections", "files", "db", AUTHORING], "all"),
            ],
            words: Vec::new(),
        };
        let preloads = |start| loader.own_preloads(start);
        assert_eq!(
            preloads("scenario=sticky-crash&step=2"),
            r#"<link rel="preload" as="fetch" type="application/wasm" crossorigin="anonymous" href="core_bg.wasm"><link rel="modulepreload" href="core.js">"#
        );
        assert!(preloads("scenario=chat-memory-vs-pubsub&step=1").contains(r#"href="conn_bg.wasm""#));
        assert!(preloads("scenario=db-leaky-set&step=1").contains(r#"href="all_bg.wasm""#), "no smaller bundle has db");
    }

    #[test]
    fn trunks_loader_and_preloads_give_way_and_each_page_names_its_own_kinds() {
        let dir = std::env::temp_dir().join(format!("statelab-loader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (html, loader) = prepare(TRUNK, &dir).unwrap();
        assert_eq!(html, r#"<head><link rel="icon" href="x.svg"></head>"#);
        let last = loader.bundles.last().unwrap();
        assert_eq!((last.2.as_str(), last.3.as_str()), ("statelab-web-ab.js", "statelab-web-ab_bg.wasm"));
        assert!(loader.words.contains(&("chat-pubsub".to_owned(), "connections")));
        assert!(loader.words.contains(&("chat-memory-vs-pubsub".to_owned(), "connections")));
        assert!(!loader.words.iter().any(|(w, _)| w == "shop" || w == "cart"), "shop lanes and tours need no kind");
        assert!(loader.script("").contains("n=new Set([])"));
        assert!(loader.script("scenario=chat-memory-vs-pubsub&step=1").contains(r#"n=new Set(["connections"])"#));
        // The editor is only in the last bundle, and `make=1` asks for it.
        assert_eq!(last.1.last(), Some(&AUTHORING));
        assert!(loader.script("").contains(r#"(q.get("make")==="1"||q.has("tour"))&&n.add("authoring");"#));
        assert!(loader.manifest().ends_with(
            r#"{"name":"all","kinds":["connections","files","db"],"authoring":true,"js":"statelab-web-ab.js","wasm":"statelab-web-ab_bg.wasm"}]
"#
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
