//! "Make a tour": after free play, each action of the log becomes a step,
//! or joins the step before; the author writes each step's narration, may
//! pick headers to highlight and add a question. The tour is then written
//! as a tour file and read back by the engine (`Scenario::from_json`), so
//! what the page makes is held to exactly the checks a file or a link is,
//! and its errors name the step and field. The page then follows the tour;
//! the share bar gives its link, embed code and file.
//!
//! Only in the bundle with the `authoring` feature (`components::make_tour`
//! says how other bundles reach it).

use crate::state::{Msg, Play};
use statelab_sim::tours::{Outcome, Question, Step, HEADERS, LIMITS};
use statelab_sim::{Action, Scenario};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// How a field's new value changes an action's draft.
type Edit = Rc<dyn Fn(&mut Draft, String)>;

/// What the author wrote for one action of the log.
#[derive(Clone, Default, PartialEq)]
struct Draft {
    /// Part of the step before rather than a step of its own.
    joined: bool,
    say: String,
    headers: [bool; HEADERS.len()],
    about: Option<Outcome>,
    prompt: String,
    lanes: [bool; 2],
}

/// The steps the drafts make of `actions`: runs of joined actions, each
/// with the draft of its first.
fn steps(actions: &[Action], drafts: &[Draft]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for (a, d) in actions.iter().zip(drafts) {
        match out.last_mut() {
            Some(step) if d.joined => step.actions.push(a.clone()),
            _ => out.push(Step {
                script: "".into(),
                actions: vec![a.clone()],
                say: d.say.clone().into(),
                focus: HEADERS.iter().zip(d.headers).filter(|(_, on)| *on).map(|(h, _)| *h).collect::<Vec<_>>().into(),
                ask: d.about.map(|about| Question { prompt: d.prompt.clone().into(), about, lanes: d.lanes }),
            }),
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct MakeTourProps {
    /// Open at first: the address asked for the editor (`make=1`, as a page
    /// without it that moved here writes).
    pub open: bool,
}

#[component]
pub fn MakeTour(props: &MakeTourProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let open = use_state(|| props.open);
    // Opened by the address (the page moved here for the editor): the
    // author pressed Make a tour on the page before, so the form takes focus.
    use_effect_with(props.open, |&asked| {
        if asked {
            crate::browser::focus_soon("#tour-title");
        }
    });
    let title = use_state(String::new);
    let drafts = use_state(Vec::<Draft>::new);
    let error = use_state(|| None::<String>);
    let actions: Vec<Action> = play.playground().actions().to_vec();
    let most = LIMITS.steps * LIMITS.actions;
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let head = html! {
        <button type="button" id="make-tour" aria-expanded={open.to_string()} aria-controls="make-tour-form" onclick={toggle}>{"Make a tour"}</button>
    };
    if !*open {
        return html! { <section class="make-tour" aria-label="Make a tour">{head}</section> };
    }
    if actions.len() > most {
        return html! {
            <section class="make-tour" aria-label="Make a tour">
                {head}
                <p class="tour-error" role="alert">{format!("A tour holds at most {most} actions ({} steps of {}); this log has {}. Undo or start over for a shorter one.", LIMITS.steps, LIMITS.actions, actions.len())}</p>
            </section>
        };
    }
    // One draft per action, kept as the log grows or shrinks.
    let mut list = (*drafts).clone();
    list.resize(actions.len(), Draft::default());
    let edit = |i: usize, f: Edit| {
        let drafts = drafts.clone();
        let list = list.clone();
        Callback::from(move |value: String| {
            let mut now = list.clone();
            if let Some(d) = now.get_mut(i) {
                f(d, value);
            }
            drafts.set(now);
        })
    };
    let make = {
        let (play, title, error, list, actions) =
            (play.clone(), title.clone(), error.clone(), list.clone(), actions.clone());
        Callback::from(move |_: MouseEvent| {
            let p = play.playground();
            let s = Scenario {
                id: statelab_sim::tours::AUTHORED_ID,
                title: (*title).clone().into(),
                lesson: "".into(),
                lanes: p.recipe().configs,
                steps: steps(&actions, &list),
            };
            // Written and read back: the same checks as a file or a link. Its
            // seed is the playground's: the one it was made on.
            let seed = p.seed();
            drop(p);
            let read = Scenario::from_json(&s.to_json(seed));
            match read {
                Ok((s, _)) => {
                    error.set(None);
                    let link = s.to_link(seed).into();
                    play.dispatch(Msg::FollowAuthored(Rc::new(s), link));
                }
                Err(e) => error.set(Some(format!("The tour is not ready: {e}."))),
            }
        })
    };
    let mut step_no = 0;
    let rows = actions.iter().zip(&list).enumerate().map(|(i, (a, d))| {
        let starts = i == 0 || !d.joined;
        if starts {
            step_no += 1;
        }
        let join = edit(i, Rc::new(|d, v| d.joined = v == "true"));
        html! {
            <fieldset>
                <legend>{format!("Action {}: {a}", i + 1)}</legend>
                if i > 0 {
                    <label><input type="checkbox" checked={d.joined} onchange={checkbox(join)} />{" Part of the step before"}</label>
                }
                if starts {
                    { step_fields(i, step_no, d, &edit) }
                }
            </fieldset>
        }
    });
    html! {
        <section class="make-tour" aria-label="Make a tour">
            {head}
            <form id="make-tour-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <p>{"Each action is a step unless you join it to the one before. Write what the learner should notice; a question is asked before its step runs and checked against what happens."}</p>
                <label for="tour-title">{"Title"}</label>
                <input type="text" id="tour-title" maxlength={LIMITS.title.to_string()} value={(*title).clone()} oninput={text(Callback::from({ let title = title.clone(); move |v| title.set(v) }))} />
                { for rows }
                if let Some(e) = &*error {
                    <p class="tour-error" role="alert">{e}</p>
                }
                <button type="button" class="primary" onclick={make}>{"Make the tour"}</button>
            </form>
        </section>
    }
}

/// The fields of the step that action `i` starts: narration, headers, question.
fn step_fields(i: usize, step: usize, d: &Draft, edit: &impl Fn(usize, Edit) -> Callback<String>) -> Html {
    let id = |what: &str| format!("mt-{what}-{i}");
    let about = edit(i, Rc::new(|d, v| d.about = Outcome::from_key(&v)));
    html! {
        <>
            <label for={id("say")}>{format!("Narration of step {step}")}</label>
            <textarea id={id("say")} rows="3" maxlength={LIMITS.say.to_string()} value={d.say.clone()} oninput={area(edit(i, Rc::new(|d, v| d.say = v)))} />
            <div role="group" aria-label={format!("Headers to highlight in step {step}")}>
                {"Highlight: "}
                { for HEADERS.iter().enumerate().map(|(h, name)| {
                    let on = edit(i, Rc::new(move |d, v| d.headers[h] = v == "true"));
                    html! { <label class="choice"><input type="checkbox" checked={d.headers[h]} onchange={checkbox(on)} />{format!(" {name} ")}</label> }
                }) }
            </div>
            <label for={id("about")}>{format!("Question before step {step}")}</label>
            <select id={id("about")} onchange={Callback::from(move |e: Event| about.emit(e.target_unchecked_into::<HtmlSelectElement>().value()))}>
                <option value="" selected={d.about.is_none()}>{"No question"}</option>
                { for Outcome::ALL.into_iter().map(|o| html! {
                    <option value={o.key()} selected={d.about == Some(o)}>{match o {
                        Outcome::Succeeds => "Does the last request succeed?",
                        Outcome::Status => "Which status class does it get?",
                        Outcome::Server => "Which server answers it?",
                    }}</option>
                }) }
            </select>
            if d.about.is_some() {
                <label for={id("prompt")}>{"The question, in your words"}</label>
                <input type="text" id={id("prompt")} maxlength={LIMITS.prompt.to_string()} value={d.prompt.clone()} oninput={text(edit(i, Rc::new(|d, v| d.prompt = v)))} />
                { for [0usize, 1].into_iter().map(|l| {
                    let on = edit(i, Rc::new(move |d, v| d.lanes[l] = v == "true"));
                    html! { <label class="choice"><input type="checkbox" checked={d.lanes[l]} onchange={checkbox(on)} />{format!(" ask about lane {}", ["A", "B"][l])}</label> }
                }) }
            }
        </>
    }
}

fn text(f: Callback<String>) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| f.emit(e.target_unchecked_into::<HtmlInputElement>().value()))
}

fn area(f: Callback<String>) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| f.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
}

fn checkbox(f: Callback<String>) -> Callback<Event> {
    Callback::from(move |e: Event| f.emit(e.target_unchecked_into::<HtmlInputElement>().checked().to_string()))
}
