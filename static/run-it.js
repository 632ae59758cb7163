// "Run it yourself" (src/components/lane.rs): a lane's <details class="run-it">
// imports this module when it is opened, so neither this nor the HAProxy
// text is part of the initial load. The text comes from the load worker's
// wasm (worker/, `run_it_yourself`), the very function `statelab fleet
// <config>` prints, into the panel's `.run-it-out`, which the page renders
// empty and leaves alone.

const here = (name) => new URL(name, document.baseURI).href;
// Answers by configuration: both lanes, and a balancer picked back, share them.
const texts = new Map();
const waiting = new Map();
let worker = null;
let asked = 0;

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

/// The lane's text from the worker, started on the first question and kept
/// for the next ones. Resolves to {text} or {error}.
function ask(config) {
  if (!worker) {
    worker = new Worker(here("load-worker.js"));
    // The page asks only for configurations it shows, which are valid: an
    // error means the worker or its wasm did not load, and it never will.
    // Every question gets the error, and the next one starts a new worker.
    const fail = (error) => {
      for (const answer of waiting.values()) answer({ error });
      waiting.clear();
      worker?.terminate();
      worker = null;
    };
    worker.onmessage = ({ data }) => {
      if (data.error !== undefined) return fail(data.error);
      waiting.get(data.id)?.(data);
      waiting.delete(data.id);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      fail(e.message || "its worker could not load");
    };
  }
  return new Promise((resolve) => {
    const id = ++asked;
    waiting.set(id, resolve);
    worker.postMessage({ type: "fleet", id, config });
  });
}

/// Called by the details element on every toggle. From its first opening
/// on, the panel follows the lane: a new configuration (data-config) is
/// shown at once from the cache, or replaces the old text with "Loading".
export function show(details) {
  if (!details.runIt) {
    details.runIt = true;
    new MutationObserver(() => fill(details)).observe(details, { attributeFilter: ["data-config"] });
  }
  if (details.open) fill(details);
}

async function fill(details) {
  const out = details.querySelector(".run-it-out");
  const config = details.dataset.config;
  if (!out || out.dataset.shown === config) return;
  out.dataset.shown = config;
  if (!texts.has(config)) {
    out.replaceChildren(el("p", { role: "status" }, `Loading the HAProxy configuration for ${config}…`));
    const answer = await ask(config);
    // Another configuration was asked for meanwhile: its answer fills the panel.
    if (out.dataset.shown !== config) return;
    if (answer.error !== undefined) {
      delete out.dataset.shown;
      out.replaceChildren(
        el("p", { class: "notice", role: "alert" }, `The HAProxy configuration did not load: ${answer.error}. Close and open this panel to try again, or run the command above.`),
      );
      return;
    }
    texts.set(config, answer.text);
  }
  const text = texts.get(config);
  const pre = el("pre", {}, text);
  const copy = el("button", { type: "button", "aria-label": `Copy the commands and HAProxy configuration for ${config}` }, "Copy");
  const said = el("span", { class: "copy-status", role: "status" });
  copy.onclick = async () => {
    try {
      await navigator.clipboard.writeText(text);
      said.className = "copy-status";
      said.textContent = "Copied";
      // As the page's own copy buttons (src/components/copy.rs) do.
      setTimeout(() => said.textContent === "Copied" && (said.textContent = ""), 3000);
    } catch {
      // Outside a secure context, or refused: the text is selected instead.
      getSelection().selectAllChildren(pre);
      said.className = "copy-status bad";
      said.textContent = "Copy failed: the text is selected, copy it with Ctrl+C";
    }
  };
  const bar = el("div", { class: "exports" });
  bar.append(el("span", {}, "It prints:"), copy, said);
  out.replaceChildren(bar, pre);
}
