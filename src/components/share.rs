use crate::browser;
use crate::state::{Play, PlayState};
use yew::prelude::*;

/// Copy a link to exactly this state, or an iframe snippet that embeds it.
/// Both are built when clicked: the query carries the whole action log, too
/// long to rebuild on every render.
#[component]
pub fn ShareBar() -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let status = use_state(String::new);
    let copy = |text: fn(&PlayState) -> String, done: &'static str| {
        let (status, play) = (status.clone(), play.clone());
        Callback::from(move |_: MouseEvent| {
            status.set(if browser::copy(&text(&play)) { done.to_owned() } else { "Copying failed".to_owned() })
        })
    };
    let embed = |play: &PlayState| {
        let title = play.followed().map_or("Statelab playground".to_owned(), |(s, _)| format!("Statelab: {}", s.title));
        embed_code(&address(play, true), &title)
    };
    html! {
        <div class="share" role="group" aria-label="Share">
            <button type="button" onclick={copy(|play| address(play, false), "Link copied")}>{"Copy link to this step"}</button>
            <button type="button" onclick={copy(embed, "Embed code copied")}>{"Copy embed code"}</button>
            <span class="muted" role="status">{(*status).clone()}</span>
        </div>
    }
}

/// The page's address for this state, embedded (`embed=1`) or full.
pub fn address(play: &PlayState, embed: bool) -> String {
    let mut link = play.link();
    link.embed = embed;
    format!("{}?{}", browser::page_address(), link.to_query())
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
