use crate::components::select;
use crate::state::{Msg, Play};
use statelab_sim::scenario::{self, IDS};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// How long each step stays on screen while playing.
const STEP_PAUSE_MS: u64 = 4_000;

/// Pick a guided tour and walk it step by step; the narration says what to
/// look at, and the lanes mark the headers it names.
#[component]
pub fn ScenarioPanel() -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let followed = play.followed();
    let playing = use_state(|| false);
    let (step, steps) = followed.as_ref().map_or((0, 0), |(s, step)| (*step, s.steps.len()));
    // While playing, the next step comes after a pause long enough to read.
    {
        let (play, playing) = (play.clone(), playing.clone());
        use_effect_with((*playing, step), move |&(on, step)| {
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
    let toggle = {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(!*playing))
    };
    let options: Vec<(String, String)> = std::iter::once((String::new(), "Free play (no scenario)".to_owned()))
        .chain(scenario::all().iter().map(|s| (s.id.to_owned(), s.title.to_owned())))
        .collect();
    let pick = {
        let play = play.clone();
        Callback::from(move |id: String| match IDS.iter().find(|s| **s == id) {
            Some(id) => play.dispatch(Msg::Follow(id)),
            None => play.dispatch(Msg::Reset),
        })
    };
    let go = |step: usize| {
        let play = play.clone();
        Callback::from(move |_: MouseEvent| play.dispatch(Msg::Step(step)))
    };
    html! {
        <section class="scenario" aria-label="Guided scenario">
            { select("scenario", "Scenario", &options, followed.as_ref().map_or("", |(s, _)| s.id), pick) }
            if let Some((s, step)) = followed {
                // The picker may cut a long title on a narrow screen; here it wraps.
                <h2 class="scenario-title">{s.title}</h2>
                <p class="lesson">{s.lesson}</p>
                <div class="narration" aria-live="polite">
                    <strong>{format!("Step {step} of {}", s.steps.len())}</strong>
                    <p>{ match step.checked_sub(1) {
                        Some(i) => s.steps[i].say.to_owned(),
                        None => "Press Next step to play the first step.".to_owned(),
                    } }</p>
                </div>
                <div class="controls">
                    <button type="button" onclick={go(step.saturating_sub(1))} disabled={step == 0}>{"Previous step"}</button>
                    <button type="button" onclick={go(step + 1)} disabled={step >= s.steps.len()}>{"Next step"}</button>
                    <button type="button" onclick={toggle} aria-pressed={playing.to_string()} disabled={step >= s.steps.len() && !*playing}>
                        { if *playing { "Pause" } else { "Play" } }
                    </button>
                    <button type="button" onclick={go(s.steps.len())} disabled={step >= s.steps.len()}>{"Play to the end"}</button>
                </div>
            }
        </section>
    }
}
