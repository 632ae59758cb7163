//! The narrated step and its evidence on one screen: what the narration
//! says, then, for each lane, what this step's actions did there (one
//! compact card per request, one line per event) and the fleet it ran on.
//! The full lanes stay below for everything else.

use crate::browser::focus_soon;
use crate::components::badge::status_badge;
use crate::components::fleet::fleet_diagram;
use crate::components::question::QuestionView;
use crate::hooks::step_play::use_step_play;
use crate::page::Shown;
use crate::state::{Msg, Play};
use statelab_sim::text::{focused, short_target};
use statelab_sim::tours::{Scenario, TOURS};
use statelab_sim::{Entry, Exchange, LaneId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StepViewProps {
    /// Whether the tour plays itself (held by the page, which a host's
    /// `play` and `pause` also set).
    pub playing: UseStateHandle<bool>,
}

#[component]
pub fn StepView(props: &StepViewProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let followed = play.followed();
    let playing = &props.playing;
    use_step_play(&play, playing, followed.as_ref().map_or(0, |(s, _)| s.steps.len()));
    let Some((s, step)) = followed else { return html! {} };
    let current = step.checked_sub(1).and_then(|i| s.steps.get(i));
    html! {
        <section class="step-view" aria-label="This step">
            <div class="narration" aria-live="polite">
                <strong>{format!("Step {step} of {}", s.steps.len())}</strong>
                <p>{ current.map_or("Press Next step to play the first step.", |st| &*st.say) }</p>
            </div>
            { hidden_lane(&play) }
            { controls(&play, playing, step, s.steps.len()) }
            { evidence(&play, current.map_or(&[][..], |st| &*st.focus)) }
            // Below the evidence: at 360×800 the step's badges come first;
            // the next step's question follows them.
            { figure_button(&play, &s, step) }
            { question(&play, s.id, step) }
            // Below the evidence, which the last step keeps on one screen with its narration.
            { next_tour(&play, &s, step >= s.steps.len()) }
        </section>
    }
}

/// When the page shows one lane, which one the narration also talks about.
fn hidden_lane(play: &Play) -> Html {
    let Shown::One(shown) = play.page.lanes else { return html! {} };
    let Some(h) = LaneId::ALL.into_iter().find(|&o| o != shown) else { return html! {} };
    html! {
        <p class="hidden-lane">{format!(
            "Lane {h} ({}) is hidden {}; the narration describes both lanes.",
            crate::components::lane_heading::kind(play.playground().lane(h).config(), play.playground().lane(h).config().design()),
            if play.page.embed { "in this embed" } else { "on this page" },
        )}</p>
    }
}

/// Previous and next step, Play or Pause, and Play to the end, for a tour
/// of `steps` steps at `step`.
fn controls(play: &Play, playing: &UseStateHandle<bool>, step: usize, steps: usize) -> Html {
    let end = step >= steps;
    let toggle = {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(!*playing))
    };
    let go = |step: usize| {
        let play = play.clone();
        Callback::from(move |_: MouseEvent| play.dispatch(Msg::Step(step)))
    };
    html! {
        <div class="controls">
            // A control that cannot act stays focusable (aria-disabled, not
            // disabled): the keyboard stays where it was instead of falling
            // to the top of the page when the step it pressed for comes.
            <button type="button" onclick={if step == 0 { Callback::noop() } else { go(step - 1) }} aria-disabled={(step == 0).to_string()}>{"Previous step"}</button>
            <button type="button" id="step-next" class="primary" onclick={if end { Callback::noop() } else { go(step + 1) }} aria-disabled={end.to_string()}>{"Next step"}</button>
            <button type="button" onclick={if end && !**playing { Callback::noop() } else { toggle }} aria-pressed={playing.to_string()} aria-disabled={(end && !**playing).to_string()}>
                { if **playing { "Pause" } else { "Play" } }
            </button>
            <button type="button" onclick={if end { Callback::noop() } else { go(steps) }} aria-disabled={end.to_string()}>{"Play to the end"}</button>
        </div>
    }
}

/// The next step's question. Keyed, where author tours are read, by the
/// tour's link: every author's tour is `authored`, and picks and a verdict
/// must not carry over from one to another.
fn question(play: &Play, tour: &'static str, step: usize) -> Html {
    #[cfg(feature = "authoring")]
    if let Some((_, link)) = play.authored() {
        return html! { <QuestionView key={link.to_string()} {tour} {step} /> };
    }
    let _ = play;
    html! { <QuestionView {tour} {step} /> }
}

/// "Download figure": the step's evidence as the SVG `statelab figure`
/// writes (for a README or a host that takes images but no iframes). Not in
/// an embed, whose reader is not its author. A built-in tour's step at the
/// seed its page plays is the site's own file (`figures/`, written by the
/// prerenderer with the same engine function); anything else is drawn when
/// clicked, where the figure code is: the bundle with the tour editor, which
/// reads author tours. The size-gated bundles leave that code out and offer
/// no figure for another seed.
fn figure_button(play: &Play, s: &Scenario, step: usize) -> Html {
    if step == 0 || play.page.embed {
        return html! {};
    }
    let file = s.figure_file(step);
    if !s.is_authored() && play.playground().seed() == statelab_sim::link::DEFAULT_SEED {
        // Relative to the page's `<base>`: the site's root.
        let href = format!("figures/{file}");
        return html! {
            <div class="figure-download">
                <a class="button" {href} download={file} aria-label={format!("Download figure: step {step} as SVG")}>{"Download figure"}</a>
            </div>
        };
    }
    drawn_figure_button(play, file, step)
}

#[cfg(feature = "authoring")]
fn drawn_figure_button(play: &Play, file: String, step: usize) -> Html {
    let text = {
        let play = play.clone();
        Callback::from(move |()| {
            let followed = play.followed();
            followed.and_then(|(s, step)| s.figure(step, &play.playground())).unwrap_or_default()
        })
    };
    html! {
        <div class="figure-download">
            <crate::components::copy::CopyButton label="Download figure" name={format!("Download figure: step {step} as SVG")} done="Figure downloaded" download={AttrValue::from(file)} mime="image/svg+xml" {text} />
        </div>
    }
}

#[cfg(not(feature = "authoring"))]
fn drawn_figure_button(_: &Play, _: String, _: usize) -> Html {
    html! {}
}

/// Each shown lane's cards and fleet, once a step is played; `focus`: the
/// headers the step points at.
fn evidence(play: &Play, focus: &[&str]) -> Html {
    let Some(start) = play.step_start() else { return html! {} };
    let shown = play.page.shown();
    html! {
        <div class={classes!("step-grid", (shown.len() == 1).then_some("single"))}>
            { for shown.iter().map(|&l| lane_cards(play, l, start, focus)) }
            { for shown.iter().map(|&l| fleet_diagram(play, l)) }
        </div>
    }
}

/// At a tour's end, the next one in the picker's order (not in an embed:
/// a documentation page embeds the tour it is about).
fn next_tour(play: &Play, s: &Scenario, end: bool) -> Html {
    if !end || play.page.embed {
        return html! {};
    }
    let next = TOURS.iter().position(|t| t.id == s.id).and_then(|i| TOURS.get(i + 1));
    let Some(t) = next else { return html! {} };
    let onclick = {
        let play = play.clone();
        // The button goes with the end of this tour: the keyboard moves on
        // to the next tour's first step.
        Callback::from(move |_: MouseEvent| {
            play.dispatch(Msg::Follow(t.id));
            focus_soon("#step-next");
        })
    };
    html! { <button type="button" class="primary" {onclick}>{format!("Next tour: {}", t.title)}</button> }
}

/// One lane's part of the step: its events and requests, in the order they happened.
fn lane_cards(play: &Play, l: LaneId, start: u32, focus: &[&str]) -> Html {
    let engine = play.playground();
    let lane = engine.lane(l);
    let mine: Vec<&Entry> = lane.entries().iter().filter(|e| e.action() >= start).collect();
    let last = lane.exchanges().next_back().filter(|x| x.action >= start).map(|x| x.seq);
    html! {
        <div class="step-lane">
            <h3>{format!("Lane {l} ")}<span class="kind">{step_kind(play, l)}</span></h3>
            <ol class="step-cards">
                if mine.is_empty() {
                    <li class="muted">{"Nothing happened in this lane."}</li>
                }
                { for mine.into_iter().map(|e| match e {
                    Entry::Exchange(x) => card(x, focus, Some(x.seq) == last),
                    Entry::Event(ev) => html! {
                        <li class="step-event">{&ev.text}</li>
                    },
                    Entry::Socket(r) => html! {
                        <li class="step-socket">{ crate::components::socket_record(r, l, false) }</li>
                    },
                    Entry::Ftp(r) => html! { <li class="step-socket">{crate::components::ftp_record(r, false)}</li> },
                    Entry::Db(r) => html! { <li class="step-socket">{crate::components::db_record(r, false)}</li> },
                }) }
            </ol>
        </div>
    }
}

/// What a step's lane is, with the balancer when the two lanes' differ.
fn step_kind(play: &Play, l: LaneId) -> String {
    let engine = play.playground();
    let c = engine.lane(l).config();
    let balancers_differ = engine.lanes()[0].config().balancer != engine.lanes()[1].config().balancer;
    let balancer = if balancers_differ { format!(" · {}", c.balancer.label()) } else { String::new() };
    format!("{}{balancer}", crate::components::lane_heading::kind(c, c.auth))
}

/// One message's header lines the step points at, a line each, marked
/// with the way it went (→ the request, ← the response), so a request's and
/// its response's lines of the same name (a handshake's `Upgrade`) never
/// read as one list.
fn headers<'a>(name: &'static str, arrow: &'static str, lines: impl Iterator<Item = (&'a str, &'a str)>) -> Html {
    let lines: Vec<Html> = lines
        .map(|(name, value)| html! { <code><span class="dir" aria-hidden="true">{arrow}</span>{name}{": "}{value}</code> })
        .collect();
    if lines.is_empty() {
        return Html::default();
    }
    html! { <div class="step-headers" role="group" aria-label={name}>{ for lines }</div> }
}

/// `✕ 401 Unauthorized #3 GET /api/me alice → S2`, the headers the step
/// points at, and the trace line that explains the outcome (the server's
/// last word). On a narrow screen only the lane's last card keeps its details.
fn card(x: &Exchange, focus: &[&str], last: bool) -> Html {
    html! {
        <li class={classes!("step-card", last.then_some("last"))}>
            <p class="step-line">
                { status_badge(x) }
                <span class="step-req">{format!("#{} {} {} · {} → {}", x.seq, x.request.method, short_target(&x.request.target), x.client, x.server_label())}</span>
            </p>
            <div class="step-detail">
                { headers("Request headers", "→ ", focused(&x.request.headers, focus)) }
                { headers("Response headers", "← ", focused(&x.response.headers, focus)) }
                if let Some(why) = x.trace.last() {
                    <p class="step-why">{why}</p>
                }
            </div>
        </li>
    }
}
