//! Writes the site's pages at build time: the landing page, and every tour
//! step's page, full and embedded (`tour/<id>/<step>/`, `…/embed/`), each
//! rendered natively by the same view the wasm runs (Yew's server
//! renderer), so it reads before any script has run and the wasm takes it
//! over with identical markup (`src/takeover.rs`). Also `sitemap.xml`, and
//! each step's SVG figure under `figures/`.
//!
//! Run by trunk after each build (the `post_build` hook in Trunk.toml) on
//! the page trunk wrote, which is the template: its head (stylesheet,
//! scripts) is kept, and each page gets its own title, description, social
//! cards, canonical link and base URL.
//!
//! `STATELAB_SITE_URL` (e.g. `https://example.org/statelab/`), when set,
//! makes the canonical links, `og:url` and the sitemap's entries absolute;
//! without it they are relative to the site's root, which is all a page
//! knows of where it is hosted.

use statelab::address::{step_pages, step_path};
use statelab::meta::{self, SITE_DESCRIPTION, SITE_TITLE};
use statelab::playground::{PlaygroundProps, PlaygroundView};
use statelab::takeover::ROOT_ID;
use statelab_sim::base::markup;
use statelab_sim::tours::{Scenario, IDS};
use statelab_sim::TourPos;
use std::path::{Path, PathBuf};

#[path = "prerender/loader.rs"]
mod loader;

/// What a page is and says about itself.
struct Page {
    /// Relative to the site's root, ending in `/` (empty for the root).
    path: String,
    /// The query the view starts from.
    start: String,
    title: String,
    description: String,
    /// The page search engines should list for this one (an embed names
    /// its full page, and is not listed itself).
    canonical: String,
    embed: bool,
    /// The note shown without JavaScript: what the page is, and where to go.
    noscript: String,
}

fn main() {
    let dir = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::args_os().nth(1).map(PathBuf::from));
    let Some(dir) = dir else {
        eprintln!("usage: statelab-prerender DIR (or TRUNK_STAGING_DIR): the built site, with trunk's index.html");
        std::process::exit(2);
    };
    if let Err(e) = run(&dir) {
        eprintln!("prerender: {e}");
        std::process::exit(1);
    }
}

fn run(dir: &Path) -> Result<(), String> {
    let template =
        std::fs::read_to_string(dir.join("index.html")).map_err(|e| format!("{}/index.html: {e}", dir.display()))?;
    let template = inline_stylesheet(&template, dir)?;
    let (template, loader) = loader::prepare(&template, dir)?;
    let site = std::env::var("STATELAB_SITE_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| format!("{}/", s.trim_end_matches('/')));
    let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let pages = pages();
    for page in &pages {
        let body = runtime.block_on(
            yew::LocalServerRenderer::<PlaygroundView>::with_props(PlaygroundProps {
                site: true,
                start: Some(page.start.clone()),
            })
            // The wasm renders anew rather than hydrating: no markers needed.
            .hydratable(false)
            .render(),
        );
        // The bundle loader goes in before `fill`, which keeps an embed page's
        // loader inert until the page knows it is no poster.
        let with_loader = template.replacen("</head>", &format!("{}</head>", loader.script(&page.start)), 1);
        // Only an embed page can be a poster started in place.
        let own = if page.embed { loader.own_preloads(&page.start) } else { String::new() };
        let html = fill(&with_loader, page, &body, site.as_deref(), &own)?;
        let folder = dir.join(&page.path);
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        std::fs::write(folder.join("index.html"), html).map_err(|e| e.to_string())?;
    }
    std::fs::write(dir.join("sitemap.xml"), sitemap(&pages, site.as_deref())).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("bundles.json"), loader.manifest()).map_err(|e| e.to_string())?;
    fill_embed_tours(&dir.join("embed.js"))?;
    let figures = write_figures(&dir.join("figures"))?;
    println!("prerendered {} pages, sitemap.xml and {figures} figures into {}", pages.len(), dir.display());
    Ok(())
}

/// Writes each tour's id and last step into the embed kit (`static/embed.js`,
/// which trunk copied), so an element naming a tour or step the site has no
/// page for says so instead of showing the host's 404.
fn fill_embed_tours(path: &Path) -> Result<(), String> {
    const MARK: &str = "/* tours */ null";
    let script = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !script.contains(MARK) {
        return Err(format!("{}: no `{MARK}` to fill with the tours", path.display()));
    }
    let all = statelab_sim::tours::all();
    if all.len() != statelab_sim::tours::TOURS.len() {
        return Err("the prerenderer lacks some tours: build it with every kind".into());
    }
    // Tour ids are lowercase letters, digits and dashes: no escaping needed.
    let tours: Vec<String> = all.iter().map(|s| format!("\"{}\":{}", s.id, s.steps.len())).collect();
    let script = script.replacen(MARK, &format!("{{{}}}", tours.join(",")), 1);
    std::fs::write(path, script).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every tour step's SVG figure (what `statelab figure --all` writes), as
/// `figures/<tour>-<step>.svg`: images a host without iframes, or an embed's
/// poster, can show. Returns how many.
fn write_figures(dir: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = 0;
    for s in statelab_sim::tours::all() {
        for step in 1..=s.steps.len() {
            let played = statelab_sim::Playground::from_scenario(&s, statelab_sim::link::DEFAULT_SEED, step);
            let svg = s.figure(step, &played).ok_or_else(|| format!("{} has no step {step}", s.id))?;
            let path = dir.join(s.figure_file(step));
            std::fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

fn pages() -> Vec<Page> {
    let mut tours = String::from("<p>The guided tours, each a page per step:</p><ul>");
    for s in statelab_sim::tours::all() {
        tours += &format!(
            r#"<li><a href="{}">{}</a></li>"#,
            step_path(TourPos { tour: s.id, step: 0 }, false),
            markup(&s.title)
        );
    }
    // The header below links to the Learn page.
    tours += "</ul>";
    let mut pages = vec![Page {
        path: String::new(),
        start: String::new(),
        title: SITE_TITLE.to_owned(),
        description: SITE_DESCRIPTION.to_owned(),
        canonical: String::new(),
        embed: false,
        noscript: format!(
            "<p>The playground runs a simulated server fleet in this page and needs JavaScript.</p>{tours}"
        ),
    }];
    for (at, embed) in step_pages() {
        let s = Scenario::find(at.tour).expect("step_pages names known tours");
        pages.push(step_page(&s, at, embed));
    }
    pages
}

fn step_page(s: &Scenario, at: TourPos, embed: bool) -> Page {
    let steps = s.steps.len();
    let (title, description) = (meta::title(Some(at)), meta::description(s, at.step));
    let link =
        |step: usize, label: &str| format!(r#"<a href="{}">{label}</a>"#, step_path(TourPos { step, ..at }, embed));
    let mut nav = Vec::new();
    if at.step > 0 {
        nav.push(link(at.step - 1, "Previous step"));
    }
    if at.step < steps {
        nav.push(link(at.step + 1, "Next step"));
    }
    if at.step == steps {
        let next = IDS.iter().position(|&t| t == s.id).and_then(|i| IDS.get(i + 1));
        if let Some(next) = next.and_then(|&t| Scenario::find(t)) {
            let first = step_path(TourPos { tour: next.id, step: 0 }, embed);
            nav.push(format!(r#"<a href="{first}">Next tour: {}</a>"#, markup(&next.title)));
        }
    }
    // An embed's way out opens beside the host page, as its "Open the full playground" does.
    nav.push(format!(r#"<a href="./"{}>All tours</a>"#, if embed { r#" target="_blank" rel="noopener""# } else { "" }));
    let shows = match at.step {
        0 => "the tour's start".to_owned(),
        n => format!("step {n} of {steps} as it plays, with its requests and the fleet after it"),
    };
    Page {
        path: step_path(at, embed),
        start: statelab::address::query_of(&step_path(at, embed), ""),
        title,
        description: summary(description),
        canonical: step_path(at, false),
        embed,
        noscript: format!(
            "<p>The playground needs JavaScript to run; this page shows {shows}.</p><p>{}</p>",
            nav.join(" · ")
        ),
    }
}

/// A description fit for a search result or a card: the first 200
/// characters or so, cut at a word.
fn summary(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:.".contains(c)))
}

/// `page` built from trunk's page: its head with this page's title,
/// description, cards, canonical link and base URL, and the view in `#app`.
fn fill(template: &str, page: &Page, body: &str, site: Option<&str>, own: &str) -> Result<String, String> {
    let depth = page.path.matches('/').count();
    let base = "../".repeat(depth);
    let base = if base.is_empty() { "./".to_owned() } else { base };
    let canonical = format!("{}{}", site.unwrap_or(""), page.canonical);
    let mut head = vec![
        format!(r#"<link rel="canonical" href="{}">"#, markup(if canonical.is_empty() { "./" } else { &canonical })),
        r#"<meta property="og:site_name" content="Statelab">"#.to_owned(),
        format!(r#"<meta property="og:type" content="{}">"#, if page.path.is_empty() { "website" } else { "article" }),
        format!(r#"<meta property="og:title" content="{}">"#, markup(&page.title)),
        format!(r#"<meta property="og:description" content="{}">"#, markup(&page.description)),
        r#"<meta name="twitter:card" content="summary">"#.to_owned(),
        format!(r#"<meta name="twitter:title" content="{}">"#, markup(&page.title)),
        format!(r#"<meta name="twitter:description" content="{}">"#, markup(&page.description)),
    ];
    if let Some(site) = site {
        head.push(format!(r#"<meta property="og:url" content="{}">"#, markup(&format!("{site}{}", page.canonical))));
    }
    if page.embed {
        head.push(r#"<meta name="robots" content="noindex">"#.to_owned());
    }
    head.push(PENDING.to_owned());
    head.push(NO_SCRIPT.to_owned());
    let html = replace_tag(template, "<title", "</title>", &format!("<title>{}</title>", markup(&page.title)))?;
    let html = replace_element(
        &html,
        "<meta",
        "description",
        &format!(r#"<meta name="description" content="{}">"#, markup(&page.description)),
    )?;
    let html = replace_tag(&html, "<base", ">", &format!(r#"<base href="{base}">"#))?;
    let html = html.replacen("</head>", &format!("{}</head>", head.join("")), 1);
    let (html, loader) = if page.embed { poster_loader(&html, own)? } else { (html, String::new()) };
    let start = html.find("<body").ok_or("the template has no <body>")?;
    let end = html.rfind("</body>").ok_or("the template has no </body>")?;
    Ok(format!(
        r#"{}<body><noscript><div class="noscript">{}</div></noscript><div id="{ROOT_ID}">{body}</div>{loader}</body>{}"#,
        &html[..start],
        page.noscript,
        &html[end + "</body>".len()..]
    ))
}

/// An embed page loads the app at once only when it is not a poster
/// (`poster=1`, which embed.js asks for: the figure at once, no wasm until
/// the reader asks). Trunk's module script and its preloads are taken out
/// of the head and kept inert at the end of the body, where [`EMBED_LOADER`]
/// starts them: at once, or for a poster when its parent says `load`.
/// `own` preloads the page's own bundle, for a poster started in place.
fn poster_loader(html: &str, own: &str) -> Result<(String, String), String> {
    let mut html = html.to_owned();
    let mut preloads = String::new();
    while let Some((start, end)) = find_tag(&html, "<link", "preload") {
        preloads += &html[start..end];
        html.replace_range(start..end, "");
    }
    let (start, open_end) = find_tag(&html, "<script", "module").ok_or("the template has no module script")?;
    let close = open_end + html[open_end..].find("</script>").ok_or("the module script is not closed")?;
    let code = html[open_end..close].to_owned();
    html.replace_range(start..close + "</script>".len(), "");
    let tail = format!(
        r#"<template id="app-preload">{preloads}</template><template id="app-own">{own}</template><script type="statelab/app" id="app-loader">{code}</script><script>{EMBED_LOADER}</script>"#
    );
    Ok((html, tail))
}

/// Starts the app (its preloads, then its module script), unless the page
/// is a poster; a poster tells its parent its height (the `resize` message
/// of docs/embed-api.md) at once and as it changes (a frame out of view, on
/// another origin, gets no resize observations until it scrolls into view),
/// and follows a `theme` command from it. A `load` command from its parent
/// starts the app in the poster itself: its page, stylesheet and figure are
/// already here, so the reader's click waits only for the script and the
/// wasm, not for the frame to load its page again. Their fetches start at
/// once (`app-own`: the page's own bundle, which a poster's address asks
/// for), before the loader script runs, which reads the session storage
/// first (milliseconds on a slow device). The address drops `poster=1` and
/// names the theme the poster shows, which is what the app reads.
const EMBED_LOADER: &str = r#"(()=>{let d=document.documentElement,p=parent,g=i=>document.getElementById(i),a=()=>{let o=g("app-loader"),s=document.createElement("script");document.head.append(g("app-preload").content.cloneNode(true));s.type="module";s.textContent=o.textContent;o.replaceWith(s)};if(!d.classList.contains("poster"))return a();if(p==window)return;let h=-1,r=()=>{h!=d.scrollHeight&&p.postMessage({statelab:1,type:"resize",height:h=d.scrollHeight},"*")},v=new ResizeObserver(r),l=e=>{let m=e.data,t=m&&m.theme;if(e.source!=p||!m||m.statelab!==1)return;m.type=="theme"&&(t=="auto"?d.removeAttribute("data-theme"):(t=="light"||t=="dark")&&d.setAttribute("data-theme",t));if(m.type=="load"){document.head.append(g("app-own").content.cloneNode(!0));v.disconnect();removeEventListener("message",l);let q=new URLSearchParams(location.search),u=d.getAttribute("data-theme");q.delete("poster");u?q.set("theme",u):q.delete("theme");q+="";history.replaceState(null,"",location.pathname+(q?"?"+q:"")+location.hash);d.classList.remove("poster");a()}};r();v.observe(d);addEventListener("message",l)})()"#;

/// Before anything paints: a `theme=` in the address applies at once,
/// `poster=1` marks the page a poster (an embed page then loads no app
/// until its parent says `load`: [`EMBED_LOADER`]), and an address that asks for more than this page's
/// own state (a log, an embed, a lane) hides the prerendered state until
/// the wasm shows the one asked for, rather than flashing another one first
/// (`pending` in static/app.css; `src/takeover.rs` clears it).
const PENDING: &str = r#"<script>(()=>{let q=new URLSearchParams(location.search),t=q.get("theme"),d=document.documentElement;q.get("poster")=="1"&&d.classList.add("poster");q.delete("theme");q.delete("poster");(t=="light"||t=="dark")&&d.setAttribute("data-theme",t);[...q.keys()].length&&d.classList.add("pending")})()</script>"#;

/// Without JavaScript, the controls that need it are left out: the page
/// reads as the step it shows, and the note above it links on.
const NO_SCRIPT: &str = "<noscript><style>button,form,.actions,.load-panel,.exports,.share,.run-it,.config,.scenario .field,.scenario:not(:has(h2)),.needs-script{display:none}</style></noscript>";

/// The page's stylesheet, written into it: a page then paints from its
/// HTML alone, one round trip sooner than with a stylesheet to fetch. The
/// file is removed, as nothing else loads it.
fn inline_stylesheet(html: &str, dir: &Path) -> Result<String, String> {
    let (start, end) = find_tag(html, "<link", "stylesheet").ok_or("the template links no stylesheet")?;
    let href = html[start..end].split("href=").nth(1).ok_or("the stylesheet link has no href")?;
    let href = href.trim_start_matches(['"', '\'']).split(['"', '\'', ' ', '>']).next().unwrap_or_default();
    let file = dir.join(href.trim_start_matches("./"));
    let css = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(format!("{}<style>{}</style>{}", &html[..start], compact_css(&css), &html[end..]))
}

/// CSS without comments and with each run of white space made one space:
/// about a fifth smaller, and the same rules (no string in app.css holds a
/// comment or relies on a run of spaces).
fn compact_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("/*") {
        out += &rest[..i];
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out += rest;
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    ["{", "}", ";"].iter().fold(out, |css, p| css.replace(&format!(" {p}"), p).replace(&format!("{p} "), p))
}

/// The first `tag` whose text contains `marker`: where it starts and ends.
fn find_tag(html: &str, tag: &str, marker: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = html[from..].find(tag) {
        let start = from + i;
        let end = start + html[start..].find('>')? + 1;
        if html[start..end].contains(marker) {
            return Some((start, end));
        }
        from = end;
    }
    None
}

/// Replaces the first `open … close` span (tags included) with `with`.
fn replace_tag(html: &str, open: &str, close: &str, with: &str) -> Result<String, String> {
    let start = html.find(open).ok_or_else(|| format!("the template has no {open}"))?;
    let end =
        start + html[start..].find(close).ok_or_else(|| format!("the template's {open} is not closed"))? + close.len();
    Ok(format!("{}{with}{}", &html[..start], &html[end..]))
}

/// Replaces the first `tag` element whose text contains `marker`.
fn replace_element(html: &str, tag: &str, marker: &str, with: &str) -> Result<String, String> {
    let (start, end) = find_tag(html, tag, marker).ok_or_else(|| format!("the template has no {tag} with {marker}"))?;
    Ok(format!("{}{with}{}", &html[..start], &html[end..]))
}

/// The pages a search engine should know: the root and each tour step's
/// full page (embeds name their full page as canonical), and the Learn page.
fn sitemap(pages: &[Page], site: Option<&str>) -> String {
    let site = site.unwrap_or("");
    let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml += "\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    let listed = pages.iter().filter(|p| !p.embed).map(|p| p.path.as_str()).chain(["learn.html"]);
    for path in listed {
        let loc = format!("{site}{path}");
        xml += &format!("  <url><loc>{}</loc></url>\n", markup(if loc.is_empty() { "./" } else { &loc }));
    }
    xml + "</urlset>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rendered page, as `run` renders it.
    fn rendered(page: &Page) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(
            yew::LocalServerRenderer::<PlaygroundView>::with_props(PlaygroundProps {
                site: true,
                start: Some(page.start.clone()),
            })
            .hydratable(false)
            .render(),
        )
    }

    /// A database lane's heading names its pooling; the design it was
    /// configured with (JWT) has no control there and is not named.
    #[test]
    fn a_database_lanes_heading_names_its_pooling_and_no_auth_design() {
        let s = Scenario::find("db-txn-pooling").unwrap();
        let html = rendered(&step_page(&s, TourPos { tour: s.id, step: 1 }, false));
        let heading = |id: &str| {
            let at = html.find(&format!(r#"<h2 id="lane-{id}-title">"#)).unwrap_or_else(|| panic!("lane {id}: {html}"));
            html[at..at + html[at..].find("</h2>").unwrap()].to_owned()
        };
        assert!(
            heading("a").contains("database, session state on pooled connections · round robin · 2 servers"),
            "{}",
            heading("a")
        );
        assert!(heading("b").contains("database behind PgBouncer (transaction mode)"), "{}", heading("b"));
        assert!(!heading("a").contains("JWT") && !heading("b").contains("JWT"));
    }

    #[test]
    fn a_description_is_the_narration_or_its_start_cut_at_a_word() {
        assert_eq!(summary("Short and whole."), "Short and whole.");
        let long = format!("{}end, then more words", "word ".repeat(39));
        let cut = summary(&long);
        // The 200th character is the space after "end,": cut there, without the comma.
        assert!(cut.ends_with(" word end…") && cut.chars().count() <= 201, "{cut}");
        assert!(long.starts_with(cut.trim_end_matches('…')));
    }

    #[test]
    fn css_loses_comments_and_runs_of_space_but_not_its_strings() {
        let css = "/* why */\n.a,\n.b {\n  content: \"⚑ \" / \"\";\n  font: 15px/1.5 var(--sans);\n}\n";
        assert_eq!(compact_css(css), ".a, .b{content: \"⚑ \" / \"\";font: 15px/1.5 var(--sans);}");
    }

    #[test]
    fn a_step_page_gets_its_own_head_a_base_at_the_root_and_the_view() {
        let template = r#"<!doctype html><html><head><meta content="x" name=description><title>T</title><base href=./><script type=module>import './a.js'</script><link crossorigin href=./a.js rel=modulepreload></head><body><div id="app"></div></body></html>"#;
        let s = Scenario::find("sticky-crash").unwrap();
        let page = step_page(&s, TourPos { tour: "sticky-crash", step: 2 }, true);
        let own = r#"<link rel="modulepreload" href="c.js">"#;
        let html = fill(template, &page, "<main>view</main>", Some("https://example.org/lab/"), own).unwrap();
        assert!(html.contains(r#"<base href="../../../../">"#), "{html}");
        assert!(html.contains("<title>Sticky sessions and a crash — step 2 of 4 | Statelab</title>"));
        assert!(html.contains(r#"<a href="./" target="_blank" rel="noopener">All tours</a>"#));
        assert!(html.contains(r#"<link rel="canonical" href="https://example.org/lab/tour/sticky-crash/2/">"#));
        assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
        assert!(html.contains(r#"<a href="tour/sticky-crash/3/embed/">Next step</a>"#));
        // The app's loader is inert until the page knows it is no poster.
        let loader = r#"<div id="app"><main>view</main></div><template id="app-preload"><link crossorigin href=./a.js rel=modulepreload></template><template id="app-own"><link rel="modulepreload" href="c.js"></template><script type="statelab/app" id="app-loader">import './a.js'</script><script>"#;
        assert!(html.contains(loader), "{html}");
        assert!(!html.contains("<script type=module>"));
        assert!(html.ends_with("</script></body></html>"), "{html}");
        let full = fill(
            template,
            &step_page(&s, TourPos { tour: "sticky-crash", step: 2 }, false),
            "<main>view</main>",
            None,
            "",
        )
        .unwrap();
        assert!(full
            .contains("<script type=module>import './a.js'</script><link crossorigin href=./a.js rel=modulepreload>"));
        assert!(full.ends_with(r#"<div id="app"><main>view</main></div></body></html>"#), "{full}");
        assert_eq!(html.matches("name=\"description\"").count(), 1);
        assert!(!html.contains("content=\"x\""), "the template's description is replaced");
    }
}
