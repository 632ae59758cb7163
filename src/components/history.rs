//! Both lanes' history as one compact table, like a Network panel: one row
//! per request or event, newest first, one grid row per action so that what
//! the two systems did for the same click sits side by side.

use crate::components::exchange::{ExchangeView, Shared};
use crate::state::Play;
use statelab_sim::Entry;
use yew::prelude::*;

/// Rows rendered per lane at first and added per "Show older" click: a lane
/// can hold thousands, and every action re-renders what is on screen.
const PAGE: u32 = 50;

/// One action's entries in one lane, newest first.
type Cell<'a> = Vec<(usize, &'a Entry)>;

#[component]
pub fn History() -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let limit = use_state(|| PAGE);
    let shown = play.page.shown();
    let lanes: Vec<_> = shown.iter().map(|l| (*l, play.playground.lane(l.index()))).collect();
    // Each lane's newest `limit` entries, still oldest first.
    let tails: Vec<(usize, &[Entry])> = lanes
        .iter()
        .map(|(_, lane)| {
            let all = lane.entries();
            let from = all.len().saturating_sub(*limit as usize);
            (from, &all[from..])
        })
        .collect();
    let hidden = tails.iter().map(|(from, _)| *from).max().unwrap_or(0);
    let groups = group_by_action(&tails);

    // What opens by default: the current step's rows, or in free play the
    // newest request of each lane (the one the last click made).
    let step_start = play.step_start();
    let step_focus = play.followed().and_then(|(s, step)| step.checked_sub(1).map(|i| s.steps[i].focus)).unwrap_or(&[]);
    let newest: Vec<Option<u32>> = lanes.iter().map(|(_, lane)| lane.exchanges().next_back().map(|x| x.seq)).collect();
    let row = |col: usize, (idx, entry): (usize, &Entry)| -> Html {
        match entry {
            Entry::Exchange(x) => {
                let in_step = step_start.is_some_and(|s| x.action >= s);
                let open = match step_start {
                    Some(_) => in_step,
                    None => newest[col] == Some(x.seq),
                };
                let focus: &'static [&'static str] = if in_step { step_focus } else { &[] };
                html! { <ExchangeView key={x.seq.to_string()} exchange={Shared(x.clone())} {focus} {open} {in_step} /> }
            }
            Entry::Event(e) => {
                let in_step = step_start.is_some_and(|s| e.action >= s);
                html! {
                    <p key={format!("e{idx}")} class={if in_step { "event in-step" } else { "event" }}>
                        <time>{e.at.clock()}</time>{" "}{&e.text}
                    </p>
                }
            }
        }
    };
    let more = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(limit.saturating_add(PAGE)))
    };
    html! {
        <section class="history" aria-labelledby="history-title">
            <h2 id="history-title">{"History"}</h2>
            <div class={if lanes.len() == 1 { "hist single" } else { "hist" }}>
                { for lanes.iter().map(|(id, lane)| html! {
                    <div class="hist-head" data-lane={id.code()}>
                        <h3 id={format!("history-{}", id.code())}>{format!("Requests ({}) in lane {id}", lane.exchanges_rc().count())}</h3>
                        <p class="clock">{"Simulated clock "}<time>{lane.now().clock()}</time></p>
                    </div>
                }) }
                { for groups.into_iter().map(|(action, cells)| html! {
                    <div class="act" key={action}>
                        { for cells.into_iter().enumerate().map(|(col, cell)| {
                            let id = lanes[col].0;
                            html! {
                                <div class={if cell.is_empty() { "cell none" } else { "cell" }} data-lane={id.code()}>
                                    <p class="lane-tag">{"Lane "}{id.label()}</p>
                                    { for cell.into_iter().map(|e| row(col, e)) }
                                </div>
                            }
                        }) }
                    </div>
                }) }
            </div>
            if lanes.iter().all(|(_, lane)| lane.entries().is_empty()) {
                <p class="muted">{"No requests yet: log in from the action bar, or pick a scenario."}</p>
            }
            if hidden > 0 {
                <p class="older">
                    <button type="button" class="link" onclick={more}>{format!("Show {} older rows", hidden.min(PAGE as usize))}</button>
                    <span class="muted">{format!(" {hidden} not shown")}</span>
                </p>
            }
        </section>
    }
}

/// Both lanes' tails grouped by the action that made them, newest action
/// first; each group has one cell per lane (empty when that lane did nothing
/// for the action). Entries carry their index in the lane's whole history.
fn group_by_action<'a>(tails: &[(usize, &'a [Entry])]) -> Vec<(u32, Vec<Cell<'a>>)> {
    let mut ends: Vec<usize> = tails.iter().map(|(_, t)| t.len()).collect();
    let mut groups = Vec::new();
    loop {
        // The newest action not yet placed, across lanes.
        let next =
            tails.iter().zip(&ends).filter_map(|((_, t), &end)| Some(action_of(t.get(end.checked_sub(1)?)?))).max();
        let Some(action) = next else { break };
        let cells = tails
            .iter()
            .zip(ends.iter_mut())
            .map(|((from, t), end)| {
                let mut cell = Vec::new();
                while let Some(i) = end.checked_sub(1).filter(|&i| action_of(&t[i]) == action) {
                    cell.push((from + i, &t[i]));
                    *end = i;
                }
                cell
            })
            .collect();
        groups.push((action, cells));
    }
    groups
}

fn action_of(e: &Entry) -> u32 {
    match e {
        Entry::Exchange(x) => x.action,
        Entry::Event(e) => e.action,
    }
}
