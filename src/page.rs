//! How the page is shown, read from the link parameters the engine does not
//! know (`statelab_sim::link::Link::read` hands them over): `embed=1`,
//! `theme=light|dark|auto`, `lanes=a|b|both`. Kept in the link so a shared
//! or embedded page looks the same. `make=1` opens the tour editor ("Make a
//! tour") once, in the bundle that has it (the loader reads it too); the
//! address then drops it, so a reload shows the page without it. `load=<clients>x<requests>` (with
//! `faults=` and `mix=`) asks for a load run and `live=<users>x<rate>` (with
//! `mix=`) for live traffic, which the load panel starts; the values are
//! checked where the run is made, in the load worker.

use statelab_sim::base::quoted;
use statelab_sim::link::{encode, Pair};
use statelab_sim::LaneId;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

/// Which lanes are shown (an embed may show one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shown {
    #[default]
    Both,
    One(LaneId),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub embed: bool,
    pub theme: Theme,
    pub lanes: Shown,
    /// The load run or live traffic the link asks for, as its own
    /// `load=…&faults=…&mix=…` or `live=…&mix=…` (empty: none). Kept as written: the load worker reads and checks it.
    pub load: String,
    /// `make=1`: open "Make a tour" (read, never written back).
    pub make: bool,
}

impl Page {
    /// Reads the page's parameters; anything else, or a value it does not
    /// know, becomes a notice that quotes it safely.
    pub fn read(pairs: &[Pair], notes: &mut Vec<String>) -> Page {
        let mut page = Page::default();
        // Live traffic takes its faults from buttons and has no planned size.
        let live = pairs.iter().any(|(k, _)| k == "live");
        for (key, value) in pairs {
            match (key.as_str(), value.as_str()) {
                ("embed", "1" | "true") => page.embed = true,
                ("embed", "0" | "false") => page.embed = false,
                ("embed", v) => notes.push(format!("embed `{}` is not 1 or 0; showing the full page", quoted(v))),
                ("theme", "auto") => page.theme = Theme::Auto,
                ("theme", "light") => page.theme = Theme::Light,
                ("theme", "dark") => page.theme = Theme::Dark,
                ("theme", v) => {
                    notes.push(format!("theme `{}` is not light, dark or auto; following the system", quoted(v)))
                }
                ("make", "1") => page.make = true,
                ("make", v) => notes.push(format!("make `{}` is not 1; the tour editor stays closed", quoted(v))),
                ("lanes", "both") => page.lanes = Shown::Both,
                ("lanes", v) => match LaneId::parse(v) {
                    Some(l) => page.lanes = Shown::One(l),
                    None => notes.push(format!("lanes `{}` is not a, b or both; showing both", quoted(v))),
                },
                ("load", _) if live => notes.push(
                    "`load=` was ignored: the link also asks for live traffic (`live=`), which plays instead".into(),
                ),
                ("faults", _) if live => notes
                    .push("`faults=` was ignored: live traffic takes its faults from buttons, not a schedule".into()),
                ("load" | "live" | "faults" | "mix", v) => {
                    if !page.load.is_empty() {
                        page.load += "&";
                    }
                    page.load += key;
                    page.load += "=";
                    page.load += &encode(v);
                }
                (k, _) => notes.push(format!("unknown parameter `{}` was ignored", quoted(k))),
            }
        }
        page
    }

    /// The page's part of a query (without `?`), defaults left out.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if self.embed {
            parts.push("embed=1".to_owned());
        }
        match self.theme {
            Theme::Auto => {}
            Theme::Light => parts.push("theme=light".to_owned()),
            Theme::Dark => parts.push("theme=dark".to_owned()),
        }
        if let Shown::One(l) = self.lanes {
            parts.push(format!("lanes={}", l.code()));
        }
        if !self.load.is_empty() {
            parts.push(self.load.clone());
        }
        parts.join("&")
    }

    pub fn shown(&self) -> Vec<LaneId> {
        match self.lanes {
            Shown::Both => LaneId::ALL.to_vec(),
            Shown::One(l) => vec![l],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statelab_sim::link::Link;

    fn read(query: &str) -> (Page, Vec<String>) {
        let (_, _, pairs) = Link::read(query);
        let mut notes = Vec::new();
        (Page::read(&pairs, &mut notes), notes)
    }

    #[test]
    fn documented_page_parameters_round_trip() {
        let (page, notes) = read("scenario=cart&embed=1&theme=dark&lanes=b");
        assert_eq!(notes, Vec::<String>::new());
        assert_eq!(
            page,
            Page { embed: true, theme: Theme::Dark, lanes: Shown::One(LaneId::B), load: String::new(), make: false }
        );
        assert_eq!(page.query(), "embed=1&theme=dark&lanes=b");
        assert_eq!(read(&page.query()).0, page);
        assert_eq!(read("lanes=both&theme=auto&embed=0"), (Page::default(), vec![]));
    }

    #[test]
    fn make_opens_the_editor_once_and_is_not_written_back() {
        let (page, notes) = read("a=local.sticky.3&log=login.alice&make=1");
        assert_eq!((page.make, notes), (true, vec![]));
        assert_eq!(page.query(), "", "the address drops it once read");
        let (page, notes) = read("make=yes");
        assert!(!page.make);
        assert_eq!(notes, ["make `yes` is not 1; the tour editor stays closed"]);
    }

    #[test]
    fn a_load_run_round_trips_and_hostile_values_stay_one_parameter() {
        let (page, notes) = read("load=10000x100&faults=30.crash.1~50.store.down&mix=1.1.1.0");
        assert_eq!(notes, Vec::<String>::new());
        assert_eq!(page.load, "load=10000x100&faults=30.crash.1~50.store.down&mix=1.1.1.0");
        assert_eq!(page.query(), page.load);
        // Checked where the run is made; here it only has to survive the trip.
        let (odd, _) = read("load=1x1%26embed%3D1%23");
        assert_eq!(odd.load, "load=1x1%26embed=1%23");
        assert_eq!(read(&odd.query()).0, odd);
        let (live, _) = read("live=1000x500&mix=1.1.1.1");
        assert_eq!(live.query(), "live=1000x500&mix=1.1.1.1");
        // Live traffic with a planned run's parameters: they are named, then dropped.
        let (both, notes) = read("load=10x10&live=1000x500&faults=10.crash.1&mix=1.1.1.1");
        assert_eq!(both.query(), "live=1000x500&mix=1.1.1.1");
        assert_eq!(
            notes,
            vec![
                "`load=` was ignored: the link also asks for live traffic (`live=`), which plays instead",
                "`faults=` was ignored: live traffic takes its faults from buttons, not a schedule",
            ]
        );
    }

    #[test]
    fn junk_values_are_named_quoted_and_ignored() {
        let (page, notes) = read("embed=yes%E2%80%AE&theme=pink&lanes=c&zoom=2");
        assert_eq!(page, Page::default());
        assert_eq!(
            notes,
            vec![
                "embed `yes\\u{202e}` is not 1 or 0; showing the full page",
                "theme `pink` is not light, dark or auto; following the system",
                "lanes `c` is not a, b or both; showing both",
                "unknown parameter `zoom` was ignored",
            ]
        );
    }
}
