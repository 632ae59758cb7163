//! Frames typed by hand in hex, for connection lanes: checked as they are
//! typed, with the error on the hex (its line and column) or on the frames
//! (the byte, marked in the bytes, and the RFC 6455 rule it breaks). Nothing
//! is sent until the bytes are frames a client may send.

use crate::state::{Msg, Play};
use statelab_sim::wire::ws::{hex, parse_hex, parse_typed_frames, Frame, FrameError};
use statelab_sim::{Action, User};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FrameEditorProps {
    pub user: User,
}

/// RFC 6455 §5.7's masked ping "Hello": a frame the server answers.
const EXAMPLE: &str = "89 85 37 fa 21 3d 7f 9f 4d 51 58";

/// What the typed text is: bytes that are a client's frames, or why not.
enum Checked {
    Hex(statelab_sim::wire::ws::HexError),
    Frames(Vec<u8>, FrameError),
    Valid(Vec<u8>, Vec<Frame>),
}

fn check(text: &str) -> Checked {
    match parse_hex(text) {
        Err(e) => Checked::Hex(e),
        Ok(bytes) => match parse_typed_frames(&bytes) {
            Err(e) => Checked::Frames(bytes, e),
            Ok(frames) => Checked::Valid(bytes, frames),
        },
    }
}

/// `frame alice …`: hex typed into a text area, sent on the user's open
/// connection in both lanes once it parses as a client's frames.
#[component]
pub fn FrameEditor(props: &FrameEditorProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let text = use_state(|| EXAMPLE.to_owned());
    let checked = check(&text);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let valid = match &checked {
        Checked::Valid(bytes, _) => Some(bytes.clone()),
        _ => None,
    };
    let onsubmit = {
        let (user, valid) = (props.user, valid.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(bytes) = valid.clone() {
                play.dispatch(Msg::Act(Action::Frame { user, bytes }));
            }
        })
    };
    let status = match &checked {
        Checked::Hex(e) => html! { <>{"Not hex: "}{e.to_string()}</> },
        Checked::Frames(_, e) => html! { <>{"Not a client's frames: "}{e.to_string()}</> },
        Checked::Valid(bytes, frames) => html! {
            <>
                {format!("{} byte{}, {} frame{} a client may send: ", bytes.len(), plural(bytes.len()), frames.len(), plural(frames.len()))}
                {frames.iter().map(Frame::summary).collect::<Vec<_>>().join(" · ")}
            </>
        },
    };
    let bad = valid.is_none();
    html! {
        <form class="raw frame-editor" {onsubmit} aria-label="Hand-typed frames">
            <label for="frame-hex">{format!("Type a frame (hex), sent on {}'s open connection exactly as typed; a client's frames are masked", props.user.username())}</label>
            <textarea id="frame-hex" rows="3" spellcheck="false" value={(*text).clone()} {oninput}
                aria-invalid={bad.to_string()} aria-describedby="frame-error" />
            <p id="frame-error" class={classes!(bad.then_some("bad"))} role="status">{status}</p>
            if let Checked::Frames(bytes, e) = &checked {
                { marked(bytes, e.offset) }
            }
            <button type="submit" disabled={bad}>{"Send the frames to both lanes"}</button>
        </form>
    }
}

/// The typed bytes with the one at `offset` marked (or the end, when the
/// bytes stop short).
fn marked(bytes: &[u8], offset: usize) -> Html {
    let before = hex(&bytes[..offset.min(bytes.len())]);
    let (at, after) = match bytes.get(offset) {
        Some(&b) => (hex(&[b]), hex(bytes.get(offset + 1..).unwrap_or_default())),
        None => ("end".to_owned(), String::new()),
    };
    let gap = |s: &str| if s.is_empty() { "" } else { " " };
    html! {
        <pre class="hex frame-bytes-typed" aria-label={format!("The typed bytes; byte {offset} is marked")}>
            {&before}{gap(&before)}<mark class="bad-byte" title={format!("byte {offset}")}>{at}</mark>{gap(&after)}{&after}
        </pre>
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
