use crate::browser::{copy, download};
use std::time::Duration;
use yew::prelude::*;

/// How long "Copied" (or why not) stays next to the button.
const SHOWN_FOR: Duration = Duration::from_secs(3);

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub label: AttrValue,
    /// The button's accessible name, when the label alone is ambiguous.
    #[prop_or_default]
    pub name: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    /// Said once the browser confirms the copy.
    pub done: AttrValue,
    /// Builds the text when clicked: some of it is too long to build on every render.
    pub text: Callback<(), String>,
    /// Save the text as a file of this name instead of copying it.
    #[prop_or_default]
    pub download: Option<AttrValue>,
    /// The saved file's type.
    #[prop_or(AttrValue::Static("application/json"))]
    pub mime: AttrValue,
}

/// A button that copies text (or saves it as a file) and then says whether
/// the browser really took it, for a few seconds.
#[component]
pub fn CopyButton(props: &CopyProps) -> Html {
    let status = use_state(|| None::<Result<AttrValue, &'static str>>);
    // Which click the shown status belongs to: an older click's timer must
    // not clear a newer status.
    let clicks = use_mut_ref(|| 0u32);
    let onclick = {
        let (status, clicks, text, done, file) =
            (status.clone(), clicks.clone(), props.text.clone(), props.done.clone(), props.download.clone());
        let mime = props.mime.clone();
        Callback::from(move |_: MouseEvent| {
            let text = text.emit(());
            let click = {
                let mut n = clicks.borrow_mut();
                *n = n.wrapping_add(1);
                *n
            };
            let (status, clicks, done, file, mime) =
                (status.clone(), clicks.clone(), done.clone(), file.clone(), mime.clone());
            yew::platform::spawn_local(async move {
                let result = match file {
                    Some(name) => download(&name, &mime, &text).ok_or("Download failed"),
                    None => copy(text).await,
                };
                status.set(Some(result.map(|()| done)));
                yew::platform::time::sleep(SHOWN_FOR).await;
                if *clicks.borrow() == click {
                    status.set(None);
                }
            });
        })
    };
    html! {
        <>
            <button type="button" class={props.class.clone()} aria-label={props.name.clone()} {onclick}>{props.label.clone()}</button>
            <span class={classes!("copy-status", matches!(*status, Some(Err(_))).then_some("bad"))} role="status">
                { match &*status {
                    None => String::new(),
                    Some(Ok(done)) => done.to_string(),
                    Some(Err(why)) => (*why).to_owned(),
                } }
            </span>
        </>
    }
}
