//! Living in an iframe: the page's side of the embed message API
//! (`src/host.rs` reads and writes the messages; docs/embed-api.md). The
//! frame tells its parent its height, that it is ready, each step and each
//! action's statuses, and a learner's answers; it takes commands from its
//! parent only, and answers a malformed one with an `error` message.

use crate::host::{self, Do};
use crate::state::{read_query, Msg, Play};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// The height report of the first embeds (`{type: "statelab:resize",
/// height}`), still sent beside version 1's `resize` so the listener those
/// host pages pasted keeps sizing their frames.
pub const LEGACY_RESIZE: &str = "statelab:resize";

/// What a learner's answer is dispatched as on the document (by the step's
/// question); forwarded to the host as an `answer` message.
pub const ANSWER_EVENT: &str = "statelab:answer";

/// The parent window, when the page is in a frame (at the top, a page's
/// parent is itself).
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    (!JsValue::from(&window).loose_eq(&JsValue::from(&parent))).then_some(parent)
}

/// Sends a message the host module wrote as JSON. To any origin: the frame
/// cannot know its parent's, and nothing it sends is secret from the page
/// that embeds it.
fn post(json: &str) {
    if let (Some(parent), Ok(message)) = (parent(), js_sys::JSON::parse(json)) {
        let _ = parent.post_message(&message, "*");
    }
}

/// What the host was last told, to tell it only what changed.
#[derive(Clone, PartialEq)]
struct Told {
    at: Option<(&'static str, usize)>,
    actions: usize,
}

#[hook]
pub fn use_host_bridge(play: &Play, playing: &UseStateHandle<bool>) {
    let enabled = play.page.embed;
    // The listeners outlive renders: they read the newest state from here.
    let latest = use_mut_ref(|| (play.clone(), playing.clone()));
    *latest.borrow_mut() = (play.clone(), playing.clone());
    // What a host's `reset` returns to: the state the frame opened with
    // (written only in an embed: a long log's query costs milliseconds).
    let opened = use_memo((), |()| if enabled { play.query() } else { String::new() });
    let told = use_mut_ref(|| None::<Told>);
    {
        let latest = latest.clone();
        use_effect_with(enabled, move |&enabled| {
            let listeners = (enabled && parent().is_some()).then(|| listen(latest, opened));
            move || drop(listeners)
        });
    }
    let version = play.version();
    let play = play.clone();
    use_effect_with((enabled, version), move |&(enabled, _)| {
        if enabled && parent().is_some() {
            tell(&play, &mut told.borrow_mut());
        }
    });
}

/// Tells the host what changed since `told`: `ready` the first time, then
/// `step` when the frame shows another step and `action` when actions were
/// applied (each lane's statuses of their requests).
fn tell(play: &Play, told: &mut Option<Told>) {
    let followed = play.followed();
    let at = play.scenario.map(|at| (at.tour, at.step));
    let engine = play.playground();
    let now = Told { at, actions: engine.actions().len() };
    match told.as_ref() {
        None => {
            let steps = followed.as_ref().map_or(0, |(s, _)| s.steps.len());
            post(&host::ready(at.map(|a| a.0), at.map_or(0, |a| a.1), steps));
        }
        Some(before) => {
            if before.at != now.at {
                post(&host::step(at.map(|a| a.0), at.map_or(0, |a| a.1)));
            }
            if now.actions > before.actions {
                let from = u32::try_from(before.actions).unwrap_or(u32::MAX);
                let lanes: Vec<_> = engine
                    .lanes()
                    .iter()
                    .zip(statelab_sim::LaneId::ALL)
                    .map(|(lane, id)| {
                        (id, lane.exchanges().filter(|x| x.action >= from).map(|x| x.response.status).collect())
                    })
                    .collect();
                post(&host::action(&lanes));
            }
        }
    }
    *told = Some(now);
}

/// The listeners an embedded page keeps while it is embedded, removed when
/// dropped.
struct Listeners {
    message: Closure<dyn Fn(web_sys::MessageEvent)>,
    answer: Closure<dyn Fn(web_sys::CustomEvent)>,
    resize: Option<(web_sys::ResizeObserver, Closure<dyn Fn()>)>,
}

impl Drop for Listeners {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("message", self.message.as_ref().unchecked_ref());
            if let Some(d) = w.document() {
                let _ = d.remove_event_listener_with_callback(ANSWER_EVENT, self.answer.as_ref().unchecked_ref());
            }
        }
        if let Some((observer, _)) = &self.resize {
            observer.disconnect();
        }
    }
}

type Latest = Rc<RefCell<(Play, UseStateHandle<bool>)>>;

fn listen(latest: Latest, opened: Rc<String>) -> Listeners {
    let message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        // Only the page that embeds this frame may drive it.
        let from_parent = parent().is_some_and(|p| event.source().is_some_and(|s| JsValue::from(s).loose_eq(&p)));
        if !from_parent {
            return;
        }
        let text = js_sys::JSON::stringify(&event.data()).ok().and_then(|t| t.as_string());
        let command = match text.as_deref().map(host::read) {
            // Not JSON (a function, a cycle): nobody's command.
            None | Some(Ok(None)) => return,
            Some(Ok(Some(command))) => command,
            Some(Err(why)) => return post(&host::error(&why)),
        };
        let (play, playing) = latest.borrow().clone();
        let at = play.followed().map(|(s, step)| (step, s.steps.len()));
        match host::check(command, at) {
            Ok(Do::Step(step)) => play.dispatch(Msg::Step(step)),
            Ok(Do::Play) => playing.set(true),
            Ok(Do::Pause) => playing.set(false),
            Ok(Do::Theme(theme)) => play.dispatch(Msg::Theme(theme)),
            Ok(Do::Reset) => {
                playing.set(false);
                let (link, page, notes) = read_query(&opened);
                // The host's theme stays: it follows the host page, not the frame's start.
                play.dispatch(Msg::Open(link, crate::page::Page { theme: play.page.theme, ..page }, notes));
            }
            Err(why) => post(&host::error(&why)),
        }
    });
    let answer = Closure::<dyn Fn(web_sys::CustomEvent)>::new(|event: web_sys::CustomEvent| {
        let detail = event.detail();
        if !detail.is_object() {
            return;
        }
        // The answer's own fields, then the envelope, which they cannot replace.
        let message = js_sys::Object::assign(&js_sys::Object::new(), detail.unchecked_ref());
        let _ = js_sys::Reflect::set(&message, &"statelab".into(), &JsValue::from(host::VERSION as f64));
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"answer".into());
        if let Some(p) = parent() {
            let _ = p.post_message(&message, "*");
        }
    });
    let window = web_sys::window();
    let document = window.as_ref().and_then(|w| w.document());
    if let Some(w) = &window {
        let _ = w.add_event_listener_with_callback("message", message.as_ref().unchecked_ref());
    }
    if let Some(d) = &document {
        let _ = d.add_event_listener_with_callback(ANSWER_EVENT, answer.as_ref().unchecked_ref());
    }
    Listeners { message, answer, resize: document.and_then(|d| d.document_element()).and_then(report_height) }
}

/// Tells the host the page's height now and whenever it changes.
fn report_height(root: web_sys::Element) -> Option<(web_sys::ResizeObserver, Closure<dyn Fn()>)> {
    let last = std::cell::Cell::new(-1);
    let measured = root.clone();
    let report = Closure::<dyn Fn()>::new(move || {
        let height = measured.scroll_height();
        if height != last.replace(height) {
            let height = u64::try_from(height).unwrap_or(0);
            post(&host::resize(height));
            post(&format!(r#"{{"type":"{LEGACY_RESIZE}","height":{height}}}"#));
        }
    });
    let observer = web_sys::ResizeObserver::new(report.as_ref().unchecked_ref()).ok()?;
    observer.observe(&root);
    // At once too: a frame out of view on another origin is not laid out
    // again, so observed, until it scrolls into view.
    let _ = report.as_ref().unchecked_ref::<js_sys::Function>().call0(&JsValue::NULL);
    Some((observer, report))
}
