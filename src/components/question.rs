//! Predict, then see: before a step that asks a question runs, the learner
//! picks an answer per lane; "Answer and play" checks it against what the
//! engine records when the step runs (`Question::check`), plays the step,
//! and says right or wrong with what actually happened. The answer is
//! announced to the page as `statelab:answer` (`browser::announce_answer`).

use crate::browser::announce_answer;
use crate::state::{Msg, Play};
use statelab_sim::tours::{last_requests, Answer, Question, Verdict};
use statelab_sim::{LaneId, Scenario};
use yew::prelude::*;

/// A verdict and the step (1-based) it was given for, in one tour.
type Checked = Option<(&'static str, usize, Verdict)>;

#[derive(Properties, PartialEq)]
pub struct QuestionProps {
    /// The tour followed and how many of its steps are played.
    pub tour: &'static str,
    pub step: usize,
}

#[component]
pub fn QuestionView(props: &QuestionProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    // The answers picked for the next step; cleared when the step changes.
    let picked = use_state(|| [None::<Answer>; 2]);
    let missing = use_state(|| None::<LaneId>);
    let checked = use_state(|| Checked::None);
    {
        let (picked, missing) = (picked.clone(), missing.clone());
        use_effect_with((props.tour, props.step), move |_| {
            picked.set([None; 2]);
            missing.set(None);
        });
    }
    let Some((s, step)) = play.followed() else { return html! {} };
    let shown = match &*checked {
        Some((tour, at, v)) if *tour == props.tour && *at == step => verdict(&s, step, v),
        _ => html! {},
    };
    let Some(q) = s.steps.get(step).and_then(|st| st.ask.clone()) else { return shown };
    let seed = play.playground().seed();
    // Both lanes before and after the step: the choices come from the lane
    // it runs on, and the check from what it records.
    let Some((before, after)) = s.around(seed, step + 1) else { return shown };
    let seen = last_requests(&before, &after);
    let lanes: Html = q.asked().map(|id| lane_choices(&q, id, &after, seen[id.index()].as_ref(), &picked)).collect();
    let answer = {
        let (play, picked, missing, checked, q) =
            (play.clone(), picked.clone(), missing.clone(), checked.clone(), q.clone());
        let tour = props.tour;
        Callback::from(move |_: MouseEvent| {
            if let Some(id) = q.asked().find(|id| picked[id.index()].is_none()) {
                missing.set(Some(id));
                return;
            }
            let v = q.check(&before, &after, *picked);
            announce_answer(&v.event_json(tour, step + 1));
            checked.set(Some((tour, step + 1, v)));
            play.dispatch(Msg::Step(step + 1));
        })
    };
    html! {
        <>
            { shown }
            <form class="question" aria-label="Predict, then see" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <p class="prompt"><strong>{"Predict: "}</strong>{&*q.prompt}</p>
                { lanes }
                if let Some(id) = *missing {
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
    after: &statelab_sim::Playground,
    seen: Option<&statelab_sim::tours::Seen>,
    picked: &UseStateHandle<[Option<Answer>; 2]>,
) -> Html {
    let lane = after.lane(id);
    let name = format!("predict-{}", id.label());
    html! {
        <fieldset class="choices">
            <legend>{format!("Lane {id}")}</legend>
            { for q.about.choices(lane, seen).into_iter().map(|a| {
                let onchange = {
                    let picked = picked.clone();
                    Callback::from(move |_: Event| {
                        let mut now = *picked;
                        now[id.index()] = Some(a);
                        picked.set(now);
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
        let what = match l.seen {
            Some(seen) => format!(
                "#{} got {} from {}",
                seen.seq,
                seen.status,
                seen.server.map_or("the balancer".to_owned(), |n| format!("S{n}"))
            ),
            None => "no request was sent".to_owned(),
        };
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
