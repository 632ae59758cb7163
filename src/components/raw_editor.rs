use crate::state::{Msg, Play};
use statelab_sim::wire::http::parse_request;
use statelab_sim::{Action, User};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RawProps {
    pub user: User,
}

const EXAMPLE: &str = "GET /api/me HTTP/1.1\nHost: shop.example\nCookie: session_id=paste-one-here\n";

/// A request typed by hand. It is checked as you type; an error names the
/// line and column, and nothing is sent until the text is valid HTTP/1.1.
#[component]
pub fn RawEditor(props: &RawProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let text = use_state(|| EXAMPLE.to_owned());
    let error = parse_request(&text).err();
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let onsubmit = {
        let (text, user) = (text.clone(), props.user);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            play.dispatch(Msg::Act(Action::Raw { user, text: (*text).clone() }));
        })
    };
    html! {
        <form class="raw" {onsubmit} aria-label="Hand-written request">
            <label for="raw-text">{format!("Write a request (sent from {}'s address, like curl: the browser's cookies are not added)", props.user.username())}</label>
            <textarea id="raw-text" rows="6" spellcheck="false" value={(*text).clone()} {oninput}
                aria-invalid={error.is_some().to_string()} aria-describedby="raw-error" />
            <p id="raw-error" class={classes!(error.is_some().then_some("bad"))} role="status">
                { error.as_ref().map_or_else(|| "Valid HTTP/1.1.".to_owned(), |e| e.to_string()) }
            </p>
            <button type="submit" disabled={error.is_some()}>{"Send to both lanes"}</button>
        </form>
    }
}
