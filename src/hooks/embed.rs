//! Living in an iframe: tell the host page our height whenever it changes,
//! so it can size the frame. Nothing else crosses to the parent.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

pub const RESIZE_MESSAGE: &str = "statelab:resize";

#[hook]
pub fn use_height_reports(enabled: bool) {
    use_effect_with(enabled, |&enabled| {
        let window = web_sys::window();
        let parent = window.as_ref().and_then(|w| w.parent().ok().flatten());
        // Only inside a frame: a page's parent is itself at the top.
        let framed = window
            .as_ref()
            .zip(parent.as_ref())
            .is_some_and(|(w, p)| !JsValue::from(w.clone()).loose_eq(&JsValue::from(p.clone())));
        let observer = (enabled && framed).then(|| {
            let last = std::cell::Cell::new(-1.0);
            let report = Closure::<dyn Fn()>::new(move || {
                let height = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.document_element())
                    .map_or(0.0, |e| f64::from(e.scroll_height()));
                if height != last.get() {
                    last.set(height);
                    let message = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&message, &"type".into(), &RESIZE_MESSAGE.into());
                    let _ = js_sys::Reflect::set(&message, &"height".into(), &height.into());
                    if let Some(p) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
                        // Only a height is sent, so any host may read it.
                        let _ = p.post_message(&message, "*");
                    }
                }
            });
            let observer = web_sys::ResizeObserver::new(report.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(root)) =
                (&observer, web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()))
            {
                o.observe(&root);
            }
            (observer, report)
        });
        move || {
            if let Some((Some(o), _report)) = observer {
                o.disconnect();
            }
        }
    });
}
