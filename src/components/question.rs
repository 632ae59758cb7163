//! Predict, then see: before a step that asks a question runs, the learner
//! picks an answer per lane; "Answer and play" checks it against what the
//! engine records when the step runs (`Question::check`), plays the step,
//! and says right or wrong with what actually happened. The answer is
//! announced to the page as `statelab:answer` (`browser::announce_answer`).

use crate::browser::announce_answer;
use crate::state::{Msg, Play};
use statelab_sim::tours::{last_requests, Answer, Question, Verdict};
use statelab_sim::{LaneId, Playground, Scenario};
use yew::prelude::*;

/// The learner's answers so far, and the last verdict: one state, so the
/// component costs the page's bundle one hook rather than one per field.
#[derive(Clone, Default, PartialEq)]
struct Asked {
    /// The tour and step the answers are for: answers picked at another
    /// step are not shown at this one.
    at: (&'static str, usize),
    /// The answer picked per lane.
    picked: [Option<Answer>; 2],
    /// The lane "Answer and play" found unanswered.
    missing: Option<LaneId>,
    /// The last verdict, for the tour and step (1-based) it was given at.
    checked: Option<(&'static str, usize, Verdict)>,
}

impl Asked {
    /// The answers picked at step `at`, and the lane flagged unanswered there.
    fn at(&self, at: (&'static str, usize)) -> ([Option<Answer>; 2], Option<LaneId>) {
        if self.at == at {
            (self.picked, self.missing)
        } else {
            ([None; 2], None)
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct QuestionProps {
    /// The tour followed and how many of its steps are played.
    pub tour: &'static str,
    pub step: usize,
}

#[component]
pub fn QuestionView(props: &QuestionProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let asked = use_state(Asked::default);
    let at = (props.tour, props.step);
    let Some((s, step)) = play.followed() else { return html! {} };
    let shown = match &asked.checked {
        Some((tour, done, v)) if *tour == props.tour && *done == step => verdict(&s, step, v),
        _ => html! {},
    };
    let Some(q) = s.steps.get(step).and_then(|st| st.ask.clone()) else { return shown };
    // The lanes as the step leaves them: the choices come from the lane it
    // runs on, and the check from what it records since the page's state,
    // which is the tour played to this step.
    let after = Playground::from_scenario(&s, play.playground().seed(), step + 1);
    let seen = last_requests(&play.playground(), &after);
    // Callbacks read the handle again: a pick made since this render counts.
    let (picked, missing) = asked.at(at);
    let lanes: Html =
        q.asked().map(|id| lane_choices(&q, id, &after, seen[id.index()].as_ref(), &asked, at, picked)).collect();
    let answer = {
        let (play, asked, q) = (play.clone(), asked.clone(), q.clone());
        Callback::from(move |_: MouseEvent| {
            let (picked, _) = asked.at(at);
            if let Some(id) = q.asked().find(|id| picked[id.index()].is_none()) {
                asked.set(Asked { at, picked, missing: Some(id), checked: asked.checked });
                return;
            }
            let v = q.verdict(seen, picked);
            announce_answer(&v.event_json(at.0, step + 1));
            asked.set(Asked { checked: Some((at.0, step + 1, v)), ..Asked::default() });
            play.dispatch(Msg::Step(step + 1));
        })
    };
    html! {
        <>
            { shown }
            <form class="question" aria-label="Predict, then see" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <p class="prompt"><strong>{"Predict: "}</strong>{&*q.prompt}</p>
                { lanes }
                if let Some(id) = missing {
                    <p class="question-missing" role="alert">{format!("Choose an answer for lane {id} first.")}</p>
                }
                <button type="button" class="primary" onclick={answer}>{"Answer and play the step"}</button>
            </form>
        </>
    }
}

/// One lane's answers, as radio buttons in a group named for the lane.
fn lane_choices(
    q: &Question,
    id: LaneId,
    after: &Playground,
    seen: Option<&statelab_sim::tours::Seen>,
    asked: &UseStateHandle<Asked>,
    at: (&'static str, usize),
    picked: [Option<Answer>; 2],
) -> Html {
    let lane = after.lane(id);
    let name = format!("predict-{}", id.label());
    html! {
        <fieldset class="choices">
            <legend>{format!("Lane {id}")}</legend>
            { for q.about.choices(lane, seen).into_iter().map(|a| {
                let onchange = {
                    let asked = asked.clone();
                    Callback::from(move |_: Event| {
                        let (mut now, missing) = asked.at(at);
                        now[id.index()] = Some(a);
                        // A lane left unanswered stays flagged until it is answered.
                        let missing = missing.filter(|m| *m != id);
                        asked.set(Asked { at, picked: now, missing, checked: asked.checked });
                    })
                };
                let input_id = format!("{name}-{}", a.key());
                html! {
                    <span class="choice">
                        <input type="radio" id={input_id.clone()} name={name.clone()} checked={picked[id.index()] == Some(a)} {onchange} />
                        <label for={input_id}>{a.to_string()}</label>
                    </span>
                }
            }) }
        </fieldset>
    }
}

/// Right or wrong, lane by lane, with what the engine recorded.
fn verdict(s: &Scenario, step: usize, v: &Verdict) -> Html {
    let lines = LaneId::ALL.into_iter().filter_map(|id| {
        let l = v.lanes[id.index()]?;
        let what = l.seen.map_or("no request was sent".to_owned(), |seen| seen.to_string());
        let given = l.given.map_or("nothing".to_owned(), |a| a.to_string());
        let actual = l.actual.map_or("—".to_owned(), |a| a.to_string());
        let (mark, class) = if l.correct { ("✓ right", "right") } else { ("✕ wrong", "wrong") };
        Some(html! {
            <li class={class}>{format!("Lane {id}: {mark} — you said {given}; it was {actual} ({what}).")}</li>
        })
    });
    html! {
        <div class="prediction" role="status" aria-label={format!("Your prediction for step {step} of {}", s.title)}>
            <ul>{ for lines }</ul>
        </div>
    }
}
