use crate::browser;
use crate::state::Play;
use yew::prelude::*;

/// Copy a link to exactly this state, or an iframe snippet that embeds it.
#[component]
pub fn ShareBar() -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let status = use_state(String::new);
    let base = browser::page_address();
    let mut link = play.link();
    let here = format!("{base}?{}", link.to_query());
    link.embed = true;
    let embedded = format!("{base}?{}", link.to_query());
    let title = play.followed().map_or("Statelab playground".to_owned(), |(s, _)| format!("Statelab: {}", s.title));
    let copy = |text: String, done: &'static str| {
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            status.set(if browser::copy(&text) { done.to_owned() } else { "Copying failed".to_owned() })
        })
    };
    html! {
        <div class="share" role="group" aria-label="Share">
            <button type="button" onclick={copy(here, "Link copied")}>{"Copy link to this step"}</button>
            <button type="button" onclick={copy(embed_code(&embedded, &title), "Embed code copied")}>{"Copy embed code"}</button>
            <span class="muted" role="status">{(*status).clone()}</span>
        </div>
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
