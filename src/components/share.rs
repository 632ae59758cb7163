use crate::browser;
use crate::components::copy::CopyButton;
use crate::hooks::url_state::LINK_LIMIT;
use crate::state::{Play, PlayState};
use statelab_sim::tours::AUTHORED_ID;
use yew::prelude::*;

/// Copy a link to exactly this state, or the embed kit's snippet that embeds it.
/// Both are built when clicked: the query carries the whole action log, too
/// long to rebuild on every render.
pub fn share_bar(play: &Play) -> Html {
    let text = |text: fn(&PlayState) -> String| {
        let play = play.clone();
        Callback::from(move |()| text(&play))
    };
    let embed = |play: &PlayState| {
        let title = play.followed().map_or("Statelab playground".to_owned(), |(s, _)| format!("Statelab: {}", s.title));
        // An author's tour has no prerendered page of its own: it is embedded by its link.
        let state = match play.scenario {
            Some(at) if at.tour != AUTHORED_ID => Embedded::Step(at.tour, at.step),
            _ => Embedded::Link(play.url_with(&full_page(play))),
        };
        embed_code(&browser::site_root(), &state, &title)
    };
    // An author's tour followed: its file too, for `statelab tour check`.
    // Only the bundle with the tour editor reads and writes tour files; the
    // others move an author's tour there (`crate::bundle`).
    #[cfg(not(feature = "authoring"))]
    let file = None::<Callback<MouseEvent>>;
    #[cfg(feature = "authoring")]
    let file = play.authored().filter(|_| play.followed().is_some_and(|(s, _)| s.is_authored())).map(|(s, _)| {
        let (s, seed) = (s.clone(), play.playground().seed());
        Callback::from(move |_: MouseEvent| {
            browser::download("tour.json", "application/json", &s.to_json(seed));
        })
    });
    html! {
        <div class="share" role="group" aria-label="Share">
            <CopyButton label="Copy link to this step" done="Link copied" text={text(address)} />
            <CopyButton label="Copy embed code" done="Embed code copied" text={text(embed)} />
            if let Some(onclick) = file {
                <button type="button" {onclick}>{"Download tour file"}</button>
            }
        </div>
    }
}

/// The full page's address for this state: a tour step's own page
/// (`tour/<id>/<step>/`), or the root with the query. A state too long for
/// the address bar still gets its whole link here.
pub fn address(play: &PlayState) -> String {
    format!("{}{}", browser::site_root(), play.url_with(&full_page(play)))
}

/// The page's own parameters, shown in full rather than embedded.
fn full_page(play: &PlayState) -> crate::page::Page {
    crate::page::Page { embed: false, ..play.page.clone() }
}

/// What the page says when the state no longer fits in a link.
pub fn too_long_notice(kb: usize, kept: bool) -> String {
    let limit = LINK_LIMIT / 1024;
    if kept {
        format!("This state is too long for a link ({kb} KB, over {limit} KB); it is kept in this tab and restored on reload, but Copy link gives the whole {kb} KB address, which other browsers may cut short.")
    } else {
        format!("This state is too long for a link ({kb} KB, over {limit} KB) and this tab would not keep it: a reload starts fresh. Copy link still gives the whole {kb} KB address.")
    }
}

/// What an embed shows: a tour step, or any other state by its link
/// (relative to the site's root).
pub enum Embedded {
    Step(&'static str, usize),
    Link(String),
}

/// The embed kit's two lines (static/embed.js, docs/embed-api.md): its
/// script from the site at `root`, and the element. It shows the step's
/// prerendered page as a poster, loads the playground on a click, sizes
/// itself and follows the host page's theme.
pub fn embed_code(root: &str, state: &Embedded, title: &str) -> String {
    let attr = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let what = match state {
        Embedded::Step(tour, step) => format!(r#"tour="{}" step="{step}""#, attr(tour)),
        Embedded::Link(link) => format!(r#"link="{}""#, attr(link)),
    };
    format!(
        r#"<script type="module" src="{}embed.js"></script>
<statelab-embed {what} title="{}"></statelab-embed>"#,
        attr(root),
        attr(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_code_is_the_kit_and_one_element_with_escaped_attributes() {
        let code = embed_code("https://x.example/lab/", &Embedded::Step("cart", 2), "Statelab: \"Cart\" <demo>");
        assert_eq!(
            code,
            r#"<script type="module" src="https://x.example/lab/embed.js"></script>
<statelab-embed tour="cart" step="2" title="Statelab: &quot;Cart&quot; &lt;demo>"></statelab-embed>"#
        );
        let code = embed_code("./", &Embedded::Link("?log=login.alice&a=jwt.rr.3".into()), "Statelab playground");
        assert!(code.ends_with(r#"<statelab-embed link="?log=login.alice&amp;a=jwt.rr.3" title="Statelab playground"></statelab-embed>"#), "{code}");
    }
}
