use crate::playground::PlaygroundView;
use yew::prelude::*;

/// The shipped page: the playground under its name and what it is.
#[component]
pub fn App() -> Html {
    let header = html! {
        <header class="site-header">
            <div>
                <h1>{"Statelab"}</h1>
                <p>{"Stateless vs stateful, side by side: two simulated server fleets get the same clicks; see every request's raw HTTP, which server took it, and why it worked or failed."}</p>
            </div>
            <nav aria-label="Site"><a href="./learn.html">{"Learn the ideas"}</a></nav>
        </header>
    };
    let footer = html! { <footer class="site-footer">{"A simulation: no real servers are contacted."}</footer> };
    html! { <PlaygroundView {header} {footer} /> }
}
