//! Both lanes' history, newest action first. Each action is one row of the
//! list: what was done (`me alice`), then each shown lane's requests (one
//! compact row each, like a browser's Network panel) and the faults and
//! clock moves it caused, in the engine's own words — lane A's beside lane
//! B's, so the same action's outcomes sit side by side.

use crate::components::exchange::{ExchangeView, Shared};
use crate::state::Play;
use statelab_sim::{Entry, LaneId};
use std::rc::Rc;
use yew::prelude::*;

/// How many actions are shown at first, and how many more each click shows.
pub const PAGE: usize = 20;

/// `limit`: how many of the newest actions are shown (the page keeps it,
/// so it survives every change of state).
pub fn history(play: &Play, limit: &UseStateHandle<usize>) -> Html {
    let lanes = play.page.shown();
    let engine = play.playground();
    let log = engine.actions();
    let total = u32::try_from(log.len()).unwrap_or(u32::MAX);
    let from = total.saturating_sub(u32::try_from(**limit).unwrap_or(u32::MAX));
    // The step's rows are open; in free play, the newest action's.
    let open_from = play.step_start().unwrap_or(total.saturating_sub(1));
    let focus: Rc<[&'static str]> = play
        .followed()
        .and_then(|(s, step)| step.checked_sub(1).map(|i| s.steps[i].focus.as_ref().into()))
        .unwrap_or_default();
    // Each lane's entries from `from` on: entries are in action order, so a
    // binary search skips everything older without walking it.
    let recent: Vec<&[Entry]> = lanes
        .iter()
        .map(|l| {
            let all = engine.lane(*l).entries();
            &all[all.partition_point(|e| action_of(e) < from)..]
        })
        .collect();
    let cell = |lane: LaneId, entries: &[Entry], action: u32| {
        let mine = entries.iter().filter(|e| action_of(e) == action);
        let open = action >= open_from;
        html! {
            <div class={format!("h-cell lane-{}-rows", lane.code())} data-lane={lane.to_string()}>
                { for mine.map(|e| match e {
                    Entry::Exchange(x) => html! {
                        <ExchangeView key={x.seq} exchange={Shared(x.clone())} {open} focus={if open { focus.clone() } else { Rc::default() }} />
                    },
                    Entry::Event(ev) => html! { <p class="event"><time>{ev.at.clock()}</time>{" "}{&ev.text}</p> },
                    Entry::Socket(r) => crate::components::socket_record(r, lane, open),
                    Entry::Ftp(r) => crate::components::ftp_record(r, open),
                    Entry::Db(r) => crate::components::db_record(r, open),
                }) }
            </div>
        }
    };
    let more = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(limit.saturating_add(PAGE)))
    };
    let older = from as usize;
    html! {
        <section class={classes!("history", (lanes.len() == 1).then_some("single"))} aria-labelledby="history-title">
            <h2 id="history-title">{"History"}</h2>
            <div class="h-head">
                { for lanes.iter().map(|&l| {
                    let lane = engine.lane(l);
                    html! {
                        <p>
                            <strong>{format!("Lane {l} ")}</strong>{crate::components::lane_heading::kind(lane.config(), lane.config().auth)}
                            {format!(" · {} request{} · ", lane.stats().requests, if lane.stats().requests == 1 { "" } else { "s" })}
                            <span class="clock">{"clock "}<time>{lane.now().clock()}</time></span>
                        </p>
                    }
                }) }
            </div>
            if log.is_empty() {
                <p class="muted needs-script">{"No requests yet: log in from the action bar, or pick a scenario."}</p>
            }
            <ol class="h-actions">
                { for (from..total).rev().map(|a| html! {
                    <li key={a} class={classes!("h-action", (a >= open_from).then_some("current"))}>
                        <p class="h-what"><span class="seq">{a + 1}</span>{" "}<code>{log[a as usize].to_string()}</code></p>
                        { for lanes.iter().zip(&recent).map(|(&l, entries)| cell(l, entries, a)) }
                    </li>
                }) }
            </ol>
            if older > 0 {
                <button type="button" class="link" onclick={more}>
                    {format!("Show {} earlier action{} (of {older})", older.min(PAGE), if older.min(PAGE) == 1 { "" } else { "s" })}
                </button>
            }
        </section>
    }
}

/// The log index of the action that caused an entry.
fn action_of(e: &Entry) -> u32 {
    e.action()
}
