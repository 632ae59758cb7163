use crate::browser;
use crate::components::copy::CopyButton;
use crate::hooks::url_state::LINK_LIMIT;
use crate::state::{Play, PlayState};
use yew::prelude::*;

/// Copy a link to exactly this state, or an iframe snippet that embeds it.
/// Both are built when clicked: the query carries the whole action log, too
/// long to rebuild on every render.
pub fn share_bar(play: &Play) -> Html {
    let text = |text: fn(&PlayState) -> String| {
        let play = play.clone();
        Callback::from(move |()| text(&play))
    };
    let embed = |play: &PlayState| {
        let title = play.followed().map_or("Statelab playground".to_owned(), |(s, _)| format!("Statelab: {}", s.title));
        embed_code(&address(play, true), &title)
    };
    // An author's tour followed: its file too, for `statelab tour check`.
    let file =
        play.authored.as_ref().filter(|_| play.followed().is_some_and(|(s, _)| s.is_authored())).map(|(s, _)| {
            let (s, seed) = (s.clone(), play.playground().seed());
            Callback::from(move |_: MouseEvent| {
                browser::download("tour.json", "application/json", &s.to_json(seed));
            })
        });
    html! {
        <div class="share" role="group" aria-label="Share">
            <CopyButton label="Copy link to this step" done="Link copied" text={text(|play| address(play, false))} />
            <CopyButton label="Copy embed code" done="Embed code copied" text={text(embed)} />
            if let Some(onclick) = file {
                <button type="button" {onclick}>{"Download tour file"}</button>
            }
        </div>
    }
}

/// The page's address for this state, embedded or full: a tour step's own
/// page (`tour/<id>/<step>/`, `…/embed/`), or the root with the query. A
/// state too long for the address bar still gets its whole link here.
pub fn address(play: &PlayState, embed: bool) -> String {
    let page = crate::page::Page { embed, ..play.page.clone() };
    format!("{}{}", browser::site_root(), play.url_with(&page))
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

/// An iframe and the few lines a host page needs to size it to its content.
pub fn embed_code(src: &str, title: &str) -> String {
    let attr = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    format!(
        r#"<iframe src="{}" title="{}" style="width: 100%; height: 600px; border: 0" loading="lazy"></iframe>
<script>
  // Statelab reports its height; size each of its frames to fit.
  addEventListener("message", (event) => {{
    if (event.data?.type !== "statelab:resize") return;
    for (const frame of document.querySelectorAll("iframe")) {{
      if (frame.contentWindow === event.source) frame.style.height = `${{event.data.height}}px`;
    }}
  }});
</script>"#,
        attr(src),
        attr(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_code_escapes_attributes_and_sizes_only_its_own_frame() {
        let code = embed_code("https://x.example/?scenario=cart&step=2&embed=1", "Statelab: \"Cart\" <demo>");
        assert!(code.starts_with(r#"<iframe src="https://x.example/?scenario=cart&amp;step=2&amp;embed=1" title="Statelab: &quot;Cart&quot; &lt;demo>""#), "{code}");
        assert!(code.contains("frame.contentWindow === event.source"));
        assert!(code.lines().count() <= 11, "an iframe and a ten-line listener");
    }
}
