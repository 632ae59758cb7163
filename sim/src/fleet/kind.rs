//! Kinds of lane whose code only some builds carry, and the web bundles that
//! carry them. The shop's HTTP lanes are in every build; a connection lane
//! (WebSocket chat and game) needs the `connections` feature. This module is
//! always compiled, small as it is, so any build can read any link and say
//! which bundle runs it (`src/bundle.rs` in the view, `cargo xtask build`);
//! which kind an app needs is `App::kind`, beside the apps (`config.rs`).
//!
//! Besides kinds, one feature of the view is left out of the size-gated
//! bundles: `authoring` ([`AUTHORING`]), the "Make a tour" editor, which only
//! authors use, with the engine's reader and writer of tour files (its
//! `authored` feature): a `tour=` link loads that bundle too. The built-in
//! tours' questions are in every bundle.
//!
//! A new kind is one variant of [`Kind`], its line in [`KINDS`], one arm in
//! `App::kind`, its line in [`BUNDLES`] (and an `all` line once there are
//! two kinds), `#[cfg(feature = "…")]` on its modules' entry points, and
//! the kind on its tours' lines in `tours::TOURS`.

/// A kind of lane beyond the shop, whose code a build may leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Chat and game rooms over WebSockets (`fleet/socket/`, `fleet/lane/socket.rs`).
    Connections,
    /// Files over an FTP session or over HTTP (`fleet/ftp/`, `fleet/files.rs`, `fleet/lane/ftp.rs`).
    Files,
    /// PostgreSQL behind per-server pools or PgBouncer (`fleet/db/`, `fleet/lane/db.rs`).
    Db,
}

/// Each kind, the cargo feature that compiles it in (the same name in
/// `statelab-sim` and `statelab`), and whether this build has it: one line a kind.
pub const KINDS: [(Kind, &str, bool); 3] = [
    (Kind::Connections, "connections", cfg!(feature = "connections")),
    (Kind::Files, "files", cfg!(feature = "files")),
    (Kind::Db, "db", cfg!(feature = "db")),
];

impl Kind {
    /// The cargo feature that compiles this kind in.
    pub fn feature(self) -> &'static str {
        KINDS.iter().find(|k| k.0 == self).map_or("", |k| k.1)
    }

    /// The kinds in `needed`, each once, in [`KINDS`]' order (a bundle's).
    /// Not a sort: a sort of three values costs the page more code than this.
    pub fn in_order(needed: &[Kind]) -> Vec<Kind> {
        KINDS.iter().map(|k| k.0).filter(|k| needed.contains(k)).collect()
    }

    /// Whether this build runs lanes of this kind. A build that does not is
    /// never handed one: the view moves to a bundle that does first. A
    /// `const fn`, so a guard can be a constant the compiler folds away
    /// (`App::is_connection`): a size-optimized build inlines little, and
    /// a loop behind a call is not seen through.
    pub const fn compiled(self) -> bool {
        let mut i = 0;
        while i < KINDS.len() {
            if KINDS[i].0 as u8 == self as u8 {
                return KINDS[i].2;
            }
            i += 1;
        }
        false
    }
}

/// The view's cargo feature for writing tours in the page ("Make a tour"):
/// carried by the bundles whose [`Bundle::authoring`] is set, and named in the
/// loader's list of what a page needs when its address asks for the editor
/// (`make=1`) or holds an author's tour (`tour=`).
pub const AUTHORING: &str = "authoring";
/// Whether this build carries the tours whose lanes need `kind` (`None`:
/// the shop's HTTP lanes alone). A bundle carries the tours of its own
/// kinds, `core` the shop's, and the last bundle, with every kind, all of
/// them: a page loads no tour it cannot play, nor one another bundle plays
/// as well (`src/tours/mod.rs`; the page moves to that bundle for it).
pub(crate) const fn carries_tours_of(kind: Option<Kind>) -> bool {
    let (mut i, mut compiled) = (0, 0);
    while i < KINDS.len() {
        compiled += KINDS[i].2 as usize;
        i += 1;
    }
    let has = match kind {
        Some(kind) => Some(kind.compiled()),
        None => None,
    };
    carries(has, compiled)
}

/// The rule of [`carries_tours_of`] for a build with `compiled` kinds, `has`
/// telling whether one of them is the tour's kind (`None`: a shop tour).
const fn carries(has: Option<bool>, compiled: usize) -> bool {
    match has {
        Some(has) => has,
        None => compiled == 0 || compiled == KINDS.len(),
    }
}

/// One web bundle: a build of the page's wasm with the features of its kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// Its name, in its files' names (`statelab-core-….wasm`) and the pages' bundle map.
    pub name: &'static str,
    /// The kinds it runs besides the shop.
    pub kinds: &'static [Kind],
    /// Whether it carries the [`AUTHORING`] feature: only the last bundle,
    /// which is not size-gated, so the editor costs learners nothing.
    pub authoring: bool,
}

/// Every bundle the site ships, smallest first: a page loads the first that
/// covers its lanes. The last covers every kind; trunk builds it (index.html,
/// the build's default features), `cargo xtask build` the others. With more
/// than one kind, the last is an `all` bundle for lanes of mixed kinds.
pub const BUNDLES: [Bundle; 5] = [
    Bundle { name: "core", kinds: &[], authoring: false },
    Bundle { name: "connections", kinds: &[Kind::Connections], authoring: false },
    Bundle { name: "files", kinds: &[Kind::Files], authoring: false },
    Bundle { name: "db", kinds: &[Kind::Db], authoring: false },
    Bundle { name: "all", kinds: &[Kind::Connections, Kind::Files, Kind::Db], authoring: true },
];

impl Bundle {
    /// The view's cargo features this bundle is built with: its kinds', and
    /// [`AUTHORING`] if it carries the editor.
    pub fn features(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|k| k.feature()).chain(self.authoring.then_some(AUTHORING)).collect()
    }

    /// The smallest bundle that runs every kind in `needs`.
    pub fn covering(needs: &[Kind]) -> Bundle {
        let covers = |b: &&Bundle| needs.iter().all(|k| b.kinds.contains(k));
        *BUNDLES.iter().find(covers).unwrap_or(&BUNDLES[BUNDLES.len() - 1])
    }

    /// The bundle this build is: the smallest whose kinds are all compiled in.
    pub fn this_build() -> Bundle {
        let compiled: Vec<Kind> = KINDS.iter().filter(|k| k.2).map(|k| k.0).collect();
        Bundle::covering(&compiled)
    }

    /// Whether this bundle's build carries the tours whose lanes need `kind`
    /// ([`carries_tours_of`] in that build).
    pub fn carries_tours(self, kind: Option<Kind>) -> bool {
        carries(kind.map(|k| self.kinds.contains(&k)), self.kinds.len())
    }

    /// Whether this build runs lanes of every kind in `needs`.
    pub fn runs_here(needs: &[Kind]) -> bool {
        needs.iter().all(|k| k.compiled())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_kind_needs_the_core_bundle_and_connections_the_connections_bundle() {
        assert_eq!(Bundle::covering(&[]).name, "core");
        assert_eq!(Bundle::covering(&[Kind::Connections]).name, "connections");
        assert_eq!(Bundle::covering(&[Kind::Files]).name, "files");
        assert_eq!(Bundle::covering(&[Kind::Db]).name, "db");
        assert_eq!(Bundle::covering(&[Kind::Connections, Kind::Files]).name, "all");
        let this = match (cfg!(feature = "connections"), cfg!(feature = "files"), cfg!(feature = "db")) {
            (false, false, false) => "core",
            (true, false, false) => "connections",
            (false, true, false) => "files",
            (false, false, true) => "db",
            _ => "all",
        };
        assert_eq!(Bundle::this_build().name, this);
        assert!(Bundle::runs_here(&[]));
    }

    #[test]
    fn every_kind_is_carried_by_the_last_bundle_and_bundles_grow() {
        let last = BUNDLES[BUNDLES.len() - 1];
        assert!(KINDS.iter().all(|k| last.kinds.contains(&k.0)));
        assert!(BUNDLES.windows(2).all(|w| w[0].kinds.len() <= w[1].kinds.len()));
    }

    #[test]
    fn only_the_last_bundle_carries_authoring() {
        let (last, gated) = BUNDLES.split_last().unwrap();
        assert_eq!(last.features(), ["connections", "files", "db", AUTHORING]);
        assert!(gated.iter().all(|b| !b.authoring && !b.features().contains(&AUTHORING)));
        assert_eq!(BUNDLES[1].features(), ["connections"]);
        assert!(KINDS.iter().all(|k| k.0.feature() == k.1 && k.0.compiled() == k.2));
    }

    #[test]
    fn a_bundle_carries_its_own_kinds_tours_core_the_shops_and_the_last_all() {
        let this = Bundle::this_build();
        for kind in KINDS.map(|k| Some(k.0)).into_iter().chain([None]) {
            assert_eq!(carries_tours_of(kind), this.carries_tours(kind), "{kind:?}");
        }
        let carried =
            |b: Bundle| KINDS.map(|k| Some(k.0)).into_iter().chain([None]).filter(|&k| b.carries_tours(k)).count();
        assert_eq!(BUNDLES.map(carried), [1, 1, 1, 1, 4], "core: the shop's; a kind's bundle: its own; all: every one");
    }

    /// The page loads the bundle covering a tour's kind; it must carry the
    /// tour, or the page would move from it and back for ever.
    #[test]
    fn the_bundle_a_tour_page_loads_carries_the_tour() {
        for t in crate::tours::TOURS {
            let needs: Vec<Kind> = t.kind.into_iter().collect();
            assert!(Bundle::covering(&needs).carries_tours(t.kind), "{}", t.id);
        }
    }
}
