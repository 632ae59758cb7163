//! The narrated step and its evidence on one screen: what the narration
//! says, then, for each lane, what this step's actions did there (one
//! compact card per request, one line per event) and the fleet it ran on.
//! The full lanes stay below for everything else.

use crate::browser::{focus_soon, reveal};
use crate::components::badge::status_badge;
use crate::components::fleet::fleet_diagram;
use crate::page::Shown;
use crate::state::{Msg, Play};
use statelab_sim::scenario::{Scenario, IDS};
use statelab_sim::{Entry, Exchange, LaneId};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// How long each step stays on screen while playing.
const STEP_PAUSE_MS: u64 = 4_000;

#[component]
pub fn StepView() -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let playing = use_state(|| false);
    // A link that opens at a step shows that step, as a step of one's own does.
    let opened = use_mut_ref(|| false);
    let followed = play.followed();
    let steps = followed.as_ref().map_or(0, |(s, _)| s.steps.len());
    {
        let (play, playing) = (play.clone(), playing.clone());
        use_effect_with((*playing, play.scenario), move |&(on, at)| {
            let step = at.map_or(0, |at| at.step);
            let first = !std::mem::replace(&mut *opened.borrow_mut(), true);
            // On a step of one's own or a link to a step (not on Back), bring
            // the step into view; focus stays on the control pressed. A new
            // tour opens at its title. Not in an embed: its frame is sized to
            // its content, and scrolling would move the host page. Nor when
            // a link opens with a notice: what was wrong with it comes first.
            let told = first && play.notice.is_some();
            if (play.new_entry || first) && !play.page.embed && !told {
                if step > 0 {
                    reveal(".step-view");
                } else if play.new_entry {
                    reveal(".scenario");
                }
            }
            // While playing, the next step comes after a pause long enough to read.
            let cancelled = Rc::new(Cell::new(false));
            if on && step < steps {
                let cancelled = cancelled.clone();
                yew::platform::spawn_local(async move {
                    yew::platform::time::sleep(std::time::Duration::from_millis(STEP_PAUSE_MS)).await;
                    if !cancelled.get() {
                        play.dispatch(Msg::Step(step + 1));
                    }
                });
            } else if on {
                playing.set(false);
            }
            move || cancelled.set(true)
        });
    }
    let Some((s, step)) = followed else { return html! {} };
    let toggle = {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(!*playing))
    };
    let go = |step: usize| {
        let play = play.clone();
        Callback::from(move |_: MouseEvent| play.dispatch(Msg::Step(step)))
    };
    let end = step >= s.steps.len();
    let current = step.checked_sub(1).and_then(|i| s.steps.get(i));
    let focus = current.map_or(&[][..], |st| st.focus);
    let shown = play.page.shown();
    let hidden = match play.page.lanes {
        Shown::Both => None,
        Shown::One(l) => LaneId::ALL.into_iter().find(|&o| o != l),
    };
    let start = play.step_start();
    // At a tour's end, the next one in the picker's order (not in an embed:
    // a documentation page embeds the tour it is about).
    let next_tour = IDS
        .iter()
        .position(|&t| t == s.id)
        .and_then(|i| IDS.get(i + 1))
        .and_then(|&t| Scenario::find(t))
        .filter(|_| end && !play.page.embed);
    html! {
        <section class="step-view" aria-label="This step">
            <div class="narration" aria-live="polite">
                <strong>{format!("Step {step} of {}", s.steps.len())}</strong>
                <p>{ current.map_or("Press Next step to play the first step.", |st| st.say) }</p>
            </div>
            if let Some(h) = hidden {
                <p class="hidden-lane">{format!(
                    "Lane {h} ({}) is hidden {}; the narration describes both lanes.",
                    play.playground().lane(h.index()).config().auth,
                    if play.page.embed { "in this embed" } else { "on this page" },
                )}</p>
            }
            <div class="controls">
                // A control that cannot act stays focusable (aria-disabled, not
                // disabled): the keyboard stays where it was instead of falling
                // to the top of the page when the step it pressed for comes.
                <button type="button" onclick={if step == 0 { Callback::noop() } else { go(step - 1) }} aria-disabled={(step == 0).to_string()}>{"Previous step"}</button>
                <button type="button" id="step-next" class="primary" onclick={if end { Callback::noop() } else { go(step + 1) }} aria-disabled={end.to_string()}>{"Next step"}</button>
                <button type="button" onclick={if end && !*playing { Callback::noop() } else { toggle }} aria-pressed={playing.to_string()} aria-disabled={(end && !*playing).to_string()}>
                    { if *playing { "Pause" } else { "Play" } }
                </button>
                <button type="button" onclick={if end { Callback::noop() } else { go(s.steps.len()) }} aria-disabled={end.to_string()}>{"Play to the end"}</button>
            </div>
            if let Some(start) = start {
                <div class={classes!("step-grid", (shown.len() == 1).then_some("single"))}>
                    { for shown.iter().map(|&l| lane_cards(&play, l, start, focus)) }
                    { for shown.iter().map(|&l| fleet_diagram(&play, l)) }
                </div>
            }
            // Below the evidence, which the last step keeps on one screen with its narration.
            if let Some(t) = next_tour {
                <button type="button" class="primary" onclick={
                    let play = play.clone();
                    // The button goes with the end of this tour: the keyboard
                    // moves on to the next tour's first step.
                    Callback::from(move |_: MouseEvent| {
                        play.dispatch(Msg::Follow(t.id));
                        focus_soon("#step-next");
                    })
                }>{format!("Next tour: {}", t.title)}</button>
            }
        </section>
    }
}

/// One lane's part of the step: its events and requests, in the order they happened.
fn lane_cards(play: &Play, l: LaneId, start: u32, focus: &[&str]) -> Html {
    let engine = play.playground();
    let lane = engine.lane(l.index());
    let mine: Vec<&Entry> = lane
        .entries()
        .iter()
        .filter(|e| match e {
            Entry::Exchange(x) => x.action >= start,
            Entry::Event(ev) => ev.action >= start,
        })
        .collect();
    let last = lane.exchanges().next_back().filter(|x| x.action >= start).map(|x| x.seq);
    html! {
        <div class="step-lane">
            <h3>{format!("Lane {l} ")}<span class="kind">{lane.config().auth.to_string()}</span></h3>
            <ol class="step-cards">
                if mine.is_empty() {
                    <li class="muted">{"Nothing happened in this lane."}</li>
                }
                { for mine.into_iter().map(|e| match e {
                    Entry::Exchange(x) => card(x, focus, Some(x.seq) == last),
                    Entry::Event(ev) => html! {
                        <li class="step-event">{&ev.text}</li>
                    },
                }) }
            </ol>
        </div>
    }
}

/// `✕ 401 Unauthorized #3 GET /api/me alice → S2`, the headers the step
/// points at, and the trace line that explains the outcome (the server's
/// last word). On a narrow screen only the lane's last card keeps its details.
fn card(x: &Exchange, focus: &[&str], last: bool) -> Html {
    let focused = |&(name, _): &(&str, &str)| focus.iter().any(|h| h.eq_ignore_ascii_case(name));
    let lines = x.request.headers.iter().chain(x.response.headers.iter()).filter(focused);
    html! {
        <li class={classes!("step-card", last.then_some("last"))}>
            <p class="step-line">
                { status_badge(x.response.status, x.response.reason()) }
                <span class="step-req">{format!("#{} {} {} · {} → {}", x.seq, x.request.method, x.request.target, x.client, x.server_label())}</span>
            </p>
            <div class="step-detail">
                { for lines.map(|(name, value)| html! { <code>{name}{": "}{value}</code> }) }
                if let Some(why) = x.trace.last() {
                    <p class="step-why">{why}</p>
                }
            </div>
        </li>
    }
}
