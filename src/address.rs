//! Where a state lives on the site. A tour step has a page of its own,
//! `tour/<id>/<step>/` (its compact embed form under `embed/`), prerendered
//! at build time so it reads before any script runs; every other state
//! (free play, a log, lane configs, a seed) is a query on the site's root.
//! All of them are relative to the site's root (the document's base URL),
//! so the site hosts under any sub-path.
//!
//! Pure text in and out: the browser supplies the location
//! (`hooks/url_state.rs`) and the prerenderer the pages it writes.

use crate::page::Page;
use statelab_sim::tours::{self, IDS};
use statelab_sim::TourPos;

/// The folder every tour step's page sits under.
const TOURS_DIR: &str = "tour/";
/// A step's compact embed form: a folder inside the step's own.
const EMBED_DIR: &str = "embed/";

/// A tour step's page, relative to the site's root.
pub fn step_path(at: TourPos, embed: bool) -> String {
    format!("{TOURS_DIR}{}/{}/{}", at.tour, at.step, if embed { EMBED_DIR } else { "" })
}

/// Every page the site has for tour steps: each tour from its title
/// (step 0) to its last step, full and embedded.
pub fn step_pages() -> Vec<(TourPos, bool)> {
    tours::all()
        .iter()
        .flat_map(|s| (0..=s.steps.len()).map(move |step| TourPos { tour: s.id, step }))
        .flat_map(|at| [(at, false), (at, true)])
        .collect()
}

/// The tour step a page's path names (relative to the site's root), with
/// whether it is the embed form; `None` for any other path. Only pages
/// that exist are recognised: a tour that is not one of [`IDS`] or a step
/// past the tour's end is the root's business (it names them).
pub fn step_of_path(path: &str) -> Option<(TourPos, bool)> {
    let rest = path.strip_prefix(TOURS_DIR)?;
    let (tour, rest) = rest.split_once('/')?;
    let (step, rest) = rest.split_once('/')?;
    let embed = match rest {
        "" | "index.html" => false,
        "embed/" | "embed/index.html" => true,
        _ => return None,
    };
    let tour = *IDS.iter().find(|id| **id == tour)?;
    // Digits only, so `+1` or ` 1` is not a second name for a page.
    let step = step.bytes().all(|b| b.is_ascii_digit()).then(|| step.parse::<usize>().ok()).flatten()?;
    let at = TourPos { tour, step };
    has_page(at).then_some((at, embed))
}

/// Whether the site has a page for `at`: a known tour, at most its last
/// step. Of a tour this bundle leaves out, every step is taken as asked:
/// the bundle that plays it checks the step.
fn has_page(at: TourPos) -> bool {
    match tours::listing(at.tour).map(|t| t.build()) {
        Some(Some(s)) => at.step <= s.steps.len(),
        Some(None) => true,
        None => false,
    }
}

/// The engine's query, then the page's, joined with `&` (each may be empty).
pub fn join_query(engine: String, page: &Page) -> String {
    let page = page.query();
    match (engine.is_empty(), page.is_empty()) {
        (_, true) => engine,
        (true, false) => page,
        (false, false) => format!("{engine}&{page}"),
    }
}

/// The query a location stands for: its path's tour step, if it names
/// one, then its own query (`search`, with or without `?`). A path that
/// names no step (the root, `index.html`) adds nothing.
pub fn query_of(path: &str, search: &str) -> String {
    let search = search.trim_start_matches('?');
    let Some((at, embed)) = step_of_path(path) else { return search.to_owned() };
    let mut query = format!("scenario={}&step={}", at.tour, at.step);
    if embed {
        query += "&embed=1";
    }
    if !search.is_empty() {
        query += "&";
        query += search;
    }
    query
}

/// The site-relative address of a state: the step's page when the state is
/// exactly a tour step with the default seed (`engine` is then
/// `scenario=<id>&step=<n>`), with what else the page shows as its query;
/// otherwise the root with the whole query (`?…`, or empty for the root
/// itself). Resolved against the site's root, as `browser::site_root` gives it.
pub fn url_of(engine: &str, at: Option<TourPos>, page: &Page) -> String {
    let step_page = at.filter(|at| engine == format!("scenario={}&step={}", at.tour, at.step) && has_page(*at));
    let (path, query) = match step_page {
        Some(at) => (step_path(at, page.embed), Page { embed: false, ..page.clone() }.query()),
        None => (String::new(), join_query(engine.to_owned(), page)),
    };
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Shown, Theme};
    use statelab_sim::LaneId;

    const STICKY: TourPos = TourPos { tour: "sticky-crash", step: 2 };

    #[test]
    fn a_step_page_and_its_address_name_each_other() {
        assert_eq!(step_path(STICKY, false), "tour/sticky-crash/2/");
        assert_eq!(step_path(STICKY, true), "tour/sticky-crash/2/embed/");
        for (at, embed) in step_pages() {
            let path = step_path(at, embed);
            assert_eq!(step_of_path(&path), Some((at, embed)), "{path}");
            assert_eq!(step_of_path(&format!("{path}index.html")), Some((at, embed)));
            let page = Page { embed, ..Page::default() };
            let engine = format!("scenario={}&step={}", at.tour, at.step);
            assert_eq!(url_of(&engine, Some(at), &page), path);
            assert_eq!(query_of(&path, ""), if embed { format!("{engine}&embed=1") } else { engine });
        }
    }

    #[test]
    fn paths_that_are_no_page_name_no_step() {
        let last = tours::Scenario::find("sticky-crash").unwrap().steps.len();
        for path in [
            "",
            "index.html",
            "tour/",
            "tour/sticky-crash/",
            "tour/sticky-crash/2",
            "tour/nope/1/",
            "tour/sticky-crash/+1/",
            "tour/sticky-crash/ 1/",
            "tour/sticky-crash/99999999999999999999999/",
            &format!("tour/sticky-crash/{}/", last + 1),
            "tour/sticky-crash/2/embed/x/",
            "tour/sticky-crash/2/other/",
        ] {
            assert_eq!(step_of_path(path), None, "{path}");
            assert_eq!(query_of(path, "?log=x"), "log=x");
        }
    }

    #[test]
    fn page_parameters_stay_in_the_query_and_other_states_use_the_root() {
        let page =
            Page { embed: true, theme: Theme::Dark, lanes: Shown::One(LaneId::B), load: String::new(), make: false };
        assert_eq!(
            url_of("scenario=sticky-crash&step=2", Some(STICKY), &page),
            "tour/sticky-crash/2/embed/?theme=dark&lanes=b"
        );
        assert_eq!(
            query_of("tour/sticky-crash/2/embed/", "?theme=dark&lanes=b"),
            "scenario=sticky-crash&step=2&embed=1&theme=dark&lanes=b"
        );
        // A tour step on another seed is not the page's state: it stays a query.
        assert_eq!(
            url_of("scenario=sticky-crash&step=2&seed=7", Some(STICKY), &Page::default()),
            "?scenario=sticky-crash&step=2&seed=7"
        );
        // So is a step past the tour's end, which has no page.
        let past = TourPos { step: 99, ..STICKY };
        assert_eq!(
            url_of("scenario=sticky-crash&step=99", Some(past), &Page::default()),
            "?scenario=sticky-crash&step=99"
        );
        assert_eq!(url_of("log=login.alice", None, &page), "?log=login.alice&embed=1&theme=dark&lanes=b");
        assert_eq!(url_of("", None, &Page::default()), "");
    }
}
