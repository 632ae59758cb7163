//! Which web bundle runs a state. The site ships the page's wasm in more than
//! one build (statelab-sim's `src/fleet/kind.rs` lists them): `core` runs the
//! shop's HTTP lanes, and each kind of lane beyond them (connections, …) comes
//! in a bundle of its own, loaded only when such a lane is shown. Each page's
//! loader picks the bundle from its address before any wasm loads
//! (`src/bin/prerender.rs`); when a state asks for a lane this build cannot
//! run (a link the loader could not read through, a lane switched to a chat
//! app), the page moves to the bundle that can, with the state in its
//! address (`hooks/url_state.rs`, `browser::load_bundle`).

use statelab_sim::fleet::{kinds_of, Bundle, Kind, AUTHORING, BUNDLES};
use statelab_sim::link::Link;
use statelab_sim::tours;
use statelab_sim::{Action, App};

/// The `sessionStorage` key that tells the next page's loader which kinds
/// its state needs (a comma-separated list of features), for states its
/// address does not show (a kept state, a lane switched in the log).
pub const KINDS_KEY: &str = "statelab:kinds";

/// The kinds of lane a link's state runs: a built-in tour's own (its
/// listing, which every build has even without the tour's code: a tour
/// link's lanes and log are the tour's), else its lanes', and those its log
/// switches a lane to (an author's tour's lanes are the link's where it is
/// read). An author's tour needs, besides, the bundle that reads author
/// tours ([`needs_authoring`]), which runs every kind.
pub fn needs(link: &Link) -> Vec<Kind> {
    if let Some(tour) = link.scenario.and_then(|at| tours::listing(at.tour)) {
        return tour.kind.into_iter().collect();
    }
    let switched = link.actions.iter().filter_map(|a| match a {
        Action::Configure { config, .. } => Some(config.app),
        _ => None,
    });
    kinds_of(link.configs.iter().map(|c| c.app).chain(switched))
}

/// Whether the link carries an author's tour: read and written only where
/// the tour editor is (the `authoring` feature, [`AUTHORING`]), which keeps
/// the size-gated bundles the lighter for learners.
pub fn needs_authoring(link: &Link) -> bool {
    link.authored.is_some()
}

/// Whether this build runs the link's state: every lane of it, and its
/// tour, which only some bundles carry (`statelab_sim::tours::Listing`).
pub fn runs(link: &Link) -> bool {
    let tour_here = link.scenario.and_then(|at| tours::listing(at.tour)).is_none_or(|t| t.here());
    let authored_here = !needs_authoring(link) || cfg!(feature = "authoring");
    tour_here && authored_here && Bundle::runs_here(&needs(link))
}

/// The bundle that runs the link's state: the smallest that covers its
/// kinds, or the one with the tour editor for an author's tour.
fn target(link: &Link) -> Bundle {
    match BUNDLES.iter().find(|b| b.authoring) {
        Some(b) if needs_authoring(link) => *b,
        _ => Bundle::covering(&needs(link)),
    }
}

/// Whether the page must move to another bundle for the link's state: this
/// build does not run it and another one does. Never to this build itself,
/// which would reload the page for ever.
pub fn must_move(link: &Link) -> bool {
    !runs(link) && target(link) != Bundle::this_build()
}

/// Whether this build runs lanes of this app.
pub fn runs_app(app: App) -> bool {
    Bundle::runs_here(&kinds_of([app]))
}

/// The value of [`KINDS_KEY`] for the link's state: the features it needs.
pub fn hint(link: &Link) -> String {
    let kinds = needs(link);
    let features = kinds.iter().map(|k| k.feature()).chain(needs_authoring(link).then_some(AUTHORING));
    features.collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use statelab_sim::{LaneConfig, LaneId, Store};

    #[test]
    fn a_link_needs_its_lanes_kinds_and_those_its_log_switches_to() {
        let shop = Link::default();
        assert_eq!(needs(&shop), []);
        let chat = LaneConfig { app: App::Chat(Store::Shared), ..LaneConfig::stateless() };
        let mut switched = Link::default();
        switched.actions.push(Action::Configure { lane: LaneId::B, config: chat });
        assert_eq!(needs(&switched), [Kind::Connections], "the log switches lane B to a chat app");
        let (tour, _) = Link::from_query("scenario=chat-memory-vs-pubsub&step=1");
        assert_eq!(needs(&tour), [Kind::Connections]);
        assert_eq!(hint(&tour), "connections");
    }

    /// A tour link's lanes and log are the tour's: another lane or a log in
    /// the same link must not pick a bundle that does not carry the tour.
    #[test]
    fn a_tour_link_needs_its_tours_kind_whatever_else_it_says() {
        let (l, _) = Link::from_query("scenario=sticky-crash&a=chat-memory:jwt.rr.2&log=config.b.ftp:jwt.rr.2");
        assert_eq!(needs(&l), []);
        assert!(runs(&l) && !must_move(&l), "every build runs a shop tour's kinds; this one carries it");
        let (l, _) = Link::from_query("scenario=ws-handshake&b=ftp:jwt.rr.2");
        assert_eq!(needs(&l), [Kind::Connections]);
    }

    /// An author's tour is read only where the tour editor is: whatever its
    /// lanes, it needs that bundle, and a page that moves says so.
    #[test]
    fn an_authors_tour_needs_the_bundle_with_the_editor_whatever_its_lanes() {
        let file = r#"{"statelab_tour": 1, "title": "Chat", "a": "chat-memory:jwt.rr.2", "b": "chat-pubsub:jwt.rr.2",
            "steps": [{"do": ["login alice"], "say": "In."}]}"#;
        let (tour, seed) = statelab_sim::Scenario::from_json(file).unwrap();
        let (l, notes) = Link::from_query(&format!("tour={}", tour.to_link(seed)));
        assert_eq!(notes, vec![]);
        assert!(needs_authoring(&l));
        assert_eq!(needs(&l), [Kind::Connections], "its lanes, read here");
        assert_eq!(hint(&l), "connections,authoring");
        assert_eq!(target(&l).name, "all");
        assert!(runs(&l) && !must_move(&l), "this build (the view's default features) has the editor");
        assert!(!needs_authoring(&Link::from_query("scenario=ws-handshake").0));
    }
}
