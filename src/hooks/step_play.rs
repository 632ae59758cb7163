//! The step view's Play, and what a new step does to the window.

use crate::browser::reveal;
use crate::state::{Msg, Play, PlayState};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// How long each step stays on screen while playing.
const STEP_PAUSE_MS: u64 = 4_000;

/// Plays the followed tour, of `steps` steps, while `playing` is on: Play
/// and Pause set it (the step view's buttons, or a host page's commands,
/// which is why the page holds it).
#[hook]
pub fn use_step_play(play: &Play, playing: &UseStateHandle<bool>, steps: usize) {
    {
        let (play, playing) = (play.clone(), playing.clone());
        use_effect_with((*playing, play.scenario), move |&(on, at)| {
            let step = at.map_or(0, |at| at.step);
            reveal_step(&play, step);
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
}

/// On a step of one's own (not on Back, nor on opening a page: the page
/// was on screen before the app took it over, and the reader's scroll
/// stays where it was), brings the step into view; focus stays on the
/// control pressed. A new tour opens at its title. Not in an embed: its
/// frame is sized to its content, and scrolling would move the host page.
fn reveal_step(play: &PlayState, step: usize) {
    if play.new_entry && !play.page.embed {
        if step > 0 {
            reveal(".step-view");
        } else {
            reveal(".scenario");
        }
    }
}
