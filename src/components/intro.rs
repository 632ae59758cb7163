//! The first visit: what the page is about in a few sentences, and one
//! obvious thing to do. Shown only on an untouched playground (no tour, an
//! empty log), so it never pushes a tour or free play down the page. A
//! function, not a component: it holds no state of its own (the page keeps
//! whether it was dismissed).

use crate::browser::focus_soon;
use crate::state::{Msg, Play};
use statelab_sim::LaneId;
use yew::prelude::*;

/// The tour a first visit starts with: the first of `tours::IDS`.
const FIRST_TOUR: &str = "round-robin-local";

/// The idea, from the source material: one paragraph each.
const INTRO: [&str; 2] = [
    "HTTP is stateless: every request arrives on its own, and the server remembers nothing of the last one. Apps add state in one of two ways: the browser carries it in a signed token, or the server keeps a session and the browser carries only its id in a cookie.",
    "A vending machine is stateless — put in coins, get a snack, it remembers nothing. A waiter is stateful — they remember your order, as long as you keep the same waiter.",
];

pub fn intro(play: &Play, dismissed: &UseStateHandle<bool>) -> Html {
    if **dismissed || play.scenario.is_some() || !play.playground().actions().is_empty() {
        return html! {};
    }
    let start = {
        let play = play.clone();
        Callback::from(move |_: MouseEvent| {
            play.dispatch(Msg::Follow(FIRST_TOUR));
            // This button goes away with the intro: the tour's Next step takes the focus.
            focus_soon("#step-next");
        })
    };
    // As the lane headings name them: a database or file lane by its app.
    let auth = |id: LaneId| {
        let p = play.playground();
        let c = p.lane(id).config();
        crate::components::lane_heading::kind(c, c.design())
    };
    let dismissed = dismissed.clone();
    let free = Callback::from(move |_: MouseEvent| {
        dismissed.set(true);
        focus_soon(".actions select, .actions button");
    });
    html! {
        <section class="intro" aria-labelledby="intro-title">
            <h2 id="intro-title">{"Why state is the hard part"}</h2>
            { for INTRO.iter().map(|p| html! { <p>{*p}</p> }) }
            <p>{format!("Here two simulated fleets run side by side behind load balancers — lane A: {}; lane B: {} — and every click goes to both.", auth(LaneId::A), auth(LaneId::B))}</p>
            <p class="intro-actions">
                <button type="button" class="primary" onclick={start}>{"Start the tour"}</button>
                <button type="button" class="link" onclick={free}>{"or explore in free play"}</button>
            </p>
        </section>
    }
}
