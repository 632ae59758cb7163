//! One component a file; each renders engine data and turns input into
//! `Msg`s. Shared form helpers live here.

pub mod action_bar;
pub mod badge;
pub mod comparison;
pub mod copy;
#[cfg(feature = "db")]
pub mod db_view;
pub mod exchange;
pub mod fleet;
#[cfg(feature = "connections")]
pub mod frame_editor;
#[cfg(feature = "connections")]
pub mod frames;
#[cfg(feature = "files")]
pub mod ftp;
pub mod history;
pub mod intro;
pub mod lane;
pub mod lane_heading;
pub mod load_panel;
#[cfg(feature = "authoring")]
pub mod make_tour;
pub mod question;
pub mod raw_editor;
pub mod scenario;
pub mod share;
pub mod state_panels;
pub mod step_view;
pub mod token;

use crate::state::Play;
use statelab_sim::fleet::{DbRecord, FtpRecord, FtpSession, SocketRecord};
use statelab_sim::Lane;
use statelab_sim::{LaneId, User};
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

// What only connection lanes show, in the bundles that run them (the
// `connections` feature; statelab-sim's src/fleet/kind.rs). A bundle without
// them never holds such a lane: the page moves to one that does first
// (`src/bundle.rs`), so these are never called there.

/// The frames one action sent on a connection (`frames.rs`).
pub fn socket_record(record: &Rc<SocketRecord>, lane: LaneId, open: bool) -> Html {
    #[cfg(feature = "connections")]
    return html! { <frames::FramesView record={frames::SharedRecord(record.clone())} {lane} {open} /> };
    #[cfg(not(feature = "connections"))]
    {
        let _ = (record, lane, open);
        Html::default()
    }
}

/// The hand-typed frame editor (`frame_editor.rs`), acting as `user`.
pub fn frame_editor(user: User) -> Html {
    #[cfg(feature = "connections")]
    return html! { <frame_editor::FrameEditor {user} /> };
    #[cfg(not(feature = "connections"))]
    {
        let _ = user;
        Html::default()
    }
}

// What only file lanes show, in the bundles that run them (the `files`
// feature), reached the same way.

/// The FTP command and reply lines one action made (`ftp.rs`).
pub fn ftp_record(record: &FtpRecord, open: bool) -> Html {
    #[cfg(feature = "files")]
    return ftp::ftp_record(record, open);
    #[cfg(not(feature = "files"))]
    {
        let _ = (record, open);
        Html::default()
    }
}

/// One FTP session a server holds, for its state panel (`ftp.rs`).
pub fn ftp_session_line(session: &FtpSession) -> Html {
    #[cfg(feature = "files")]
    return ftp::session_line(session);
    #[cfg(not(feature = "files"))]
    {
        let _ = session;
        Html::default()
    }
}

// What only database lanes show, in the bundles that run them (the `db`
// feature), reached the same way.

/// The PostgreSQL messages one action exchanged (`db_view.rs`).
pub fn db_record(record: &DbRecord, open: bool) -> Html {
    #[cfg(feature = "db")]
    return db_view::db_record(record, open);
    #[cfg(not(feature = "db"))]
    {
        let _ = (record, open);
        Html::default()
    }
}

/// Each app server's pool and its connections' session state (`db_view.rs`).
pub fn db_pools(lane: &Lane) -> Html {
    #[cfg(feature = "db")]
    return db_view::pools(lane);
    #[cfg(not(feature = "db"))]
    {
        let _ = lane;
        Html::default()
    }
}

// What only authors use, in the bundle that carries it (the `authoring`
// feature; statelab-sim's src/fleet/kind.rs): the tour editor, and reading
// author tours (a `tour=` link moves a page there, `crate::bundle`). The
// step view's questions are in every bundle, for the built-in tours.
// Elsewhere the editor's button moves the page to that bundle with the state
// in the address and `make=1`, which the loader reads to pick the bundle and
// the page to open the editor.

/// "Make a tour" (`make_tour.rs`), open at first if the address asked for it.
pub fn make_tour(play: &Play) -> Html {
    #[cfg(feature = "authoring")]
    return html! { <make_tour::MakeTour open={play.page.make} /> };
    #[cfg(not(feature = "authoring"))]
    {
        let play = play.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let (query, _) = play.query_and_url();
            let query = if query.is_empty() { "make=1".to_owned() } else { format!("{query}&make=1") };
            crate::browser::load_bundle(&format!("{}?{query}", crate::browser::site_root()), &query, true);
        });
        html! {
            <section class="make-tour" aria-label="Make a tour">
                <button type="button" id="make-tour" title="Loads the tour editor with this free play, then opens it" {onclick}>{"Make a tour"}</button>
            </section>
        }
    }
}

/// A labelled `<select>` whose options are `(value, text)` pairs.
pub fn select(id: &str, label: &str, options: &[(String, String)], selected: &str, onchange: Callback<String>) -> Html {
    let onchange =
        Callback::from(move |e: Event| onchange.emit(e.target_unchecked_into::<HtmlSelectElement>().value()));
    html! {
        // A sibling label, not a wrapping one: a wrapped select's name would
        // absorb the text of its selected option.
        <span class="field">
            <label for={id.to_owned()}>{label}</label>
            <select id={id.to_owned()} {onchange}>
                { for options.iter().map(|(v, t)| html! { <option value={v.clone()} selected={v == selected}>{t}</option> }) }
            </select>
        </span>
    }
}

/// The first `max` characters of `s`, then `…` if there were more: ids and
/// tokens are long, and their start is enough to tell them apart.
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
