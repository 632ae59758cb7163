use crate::browser::focus_soon;
use crate::components::select;
use crate::state::{Msg, Play};
use statelab_sim::tours::{IDS, TOURS};
use yew::prelude::*;

/// Pick a guided tour; its title and idea. The step itself, its controls and
/// its evidence are the step view's. Acting during a tour leaves it, and
/// this panel offers the way back.
pub fn scenario_panel(play: &Play) -> Html {
    let followed = play.followed();
    let options: Vec<(String, String)> = std::iter::once((String::new(), "Free play (no scenario)".to_owned()))
        .chain(TOURS.iter().map(|t| (t.id.to_owned(), t.title.to_owned())))
        .chain(play.authored().into_iter().map(|(s, _)| (s.id.to_owned(), format!("Your tour: {}", s.title))))
        .collect();
    let pick = {
        let play = play.clone();
        Callback::from(move |id: String| match (IDS.iter().find(|s| **s == id), play.authored()) {
            (Some(id), _) => play.dispatch(Msg::Follow(id)),
            (None, Some((s, link))) if id == s.id => play.dispatch(Msg::FollowAuthored(s.clone(), link.clone())),
            (None, _) => play.dispatch(Msg::Reset),
        })
    };
    let left = play.left.and_then(|at| play.find(at));
    let resume = {
        let play = play.clone();
        Callback::from(move |_: MouseEvent| {
            play.dispatch(Msg::Resume);
            // The button goes away with the notice: keep the keyboard in the tour.
            focus_soon("#step-next");
        })
    };
    html! {
        <section class="scenario" aria-label="Guided scenario">
            { select("scenario", "Scenario", &options, followed.as_ref().map_or("", |(s, _)| s.id), pick) }
            if let Some((s, _)) = followed {
                // The picker may cut a long title on a narrow screen; here it wraps.
                <h2 class="scenario-title">{&*s.title}</h2>
                <p class="lesson">{&*s.lesson}</p>
            }
            if let Some((s, step)) = left {
                <p class="left-tour" role="status">
                    {format!("You left the tour “{}” at step {step} — your actions are now free play. ", s.title)}
                    <button type="button" onclick={resume}>{format!("Back to step {step}")}</button>
                </p>
            }
        </section>
    }
}
