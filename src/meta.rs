//! What a page says about itself: its title and description, the same in
//! the prerendered page's head (`src/bin/prerender.rs`) and in the tab once
//! the app moves to another state (`playground.rs` keeps `document.title`).

use statelab_sim::tours::Scenario;
use statelab_sim::TourPos;

/// The site's own title: the landing page's, and free play's.
pub const SITE_TITLE: &str = "Statelab — stateless vs stateful, side by side";
/// The landing page's description.
pub const SITE_DESCRIPTION: &str = "Stateless vs stateful systems, side by side: JWTs and server sessions behind a simulated load balancer, with the raw HTTP of every request.";

/// The title of the page at `at`: the tour and where in it, or the site's.
pub fn title(at: Option<TourPos>) -> String {
    let Some((s, step)) = at.and_then(TourPos::find) else { return SITE_TITLE.to_owned() };
    match step {
        0 => format!("{} — start of the tour | Statelab", s.title),
        n => format!("{} — step {n} of {} | Statelab", s.title, s.steps.len()),
    }
}

/// What the page at a tour step shows, in a sentence or two: the step's
/// narration (the tour's idea at its start).
pub fn description(s: &Scenario, step: usize) -> &str {
    step.checked_sub(1).and_then(|i| s.steps.get(i)).map_or(&s.lesson, |st| &st.say)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_tour_and_the_step() {
        let at = |step| Some(TourPos { tour: "sticky-crash", step });
        assert_eq!(title(at(0)), "Sticky sessions and a crash — start of the tour | Statelab");
        assert_eq!(title(at(3)), "Sticky sessions and a crash — step 3 of 4 | Statelab");
        assert_eq!(title(None), SITE_TITLE);
        assert_eq!(title(Some(TourPos { tour: "nope", step: 1 })), SITE_TITLE);
        let s = Scenario::find("sticky-crash").unwrap();
        assert_eq!(description(&s, 0), s.lesson);
        assert_eq!(description(&s, 1), s.steps[0].say);
    }
}
