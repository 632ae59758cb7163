//! The step view's Play, and what a new step does to the window.

use crate::browser::reveal;
use crate::state::{Msg, Play, PlayState};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// How long each step stays on screen while playing.
const STEP_PAUSE_MS: u64 = 4_000;

/// Whether the followed tour, of `steps` steps, plays itself: Play and
/// Pause set it.
#[hook]
pub fn use_step_play(play: &Play, steps: usize) -> UseStateHandle<bool> {
    let playing = use_state(|| false);
    // A link that opens at a step shows that step, as a step of one's own does.
    let opened = use_mut_ref(|| false);
    {
        let (play, playing) = (play.clone(), playing.clone());
        use_effect_with((*playing, play.scenario), move |&(on, at)| {
            let step = at.map_or(0, |at| at.step);
            let first = !std::mem::replace(&mut *opened.borrow_mut(), true);
            reveal_step(&play, step, first);
            // While playing, the next step comes after a pause long enough to read.
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
    playing
}

/// On a step of one's own or a link to a step (not on Back), brings the
/// step into view; focus stays on the control pressed. A new tour opens at
/// its title. Not in an embed: its frame is sized to its content, and
/// scrolling would move the host page. Nor when a link opens with a notice
/// (`first`: the page's first step view): what was wrong with it comes first.
fn reveal_step(play: &PlayState, step: usize, first: bool) {
    let told = first && play.notice.is_some();
    if (play.new_entry || first) && !play.page.embed && !told {
        if step > 0 {
            reveal(".step-view");
        } else if play.new_entry {
            reveal(".scenario");
        }
    }
}
