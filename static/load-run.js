// The load panel's run: loaded by the page (src/components/load_panel.rs)
// only when a run starts, like the workers and stylesheet it brings. It
// starts one worker per lane (two cores run both lanes at once) and one that
// draws the charts, shows progress, and offers Cancel. The page's main
// thread only forwards strings and swaps in finished markup.

const here = (name) => new URL(name, document.baseURI).href;
let current = null;
// The query of the run shown, and whether the form asked to run it again.
let shown = "";
let again = false;

/// Called by the page on every change of its state while its link asks for
/// a run (src/components/load_panel.rs): starts it unless it is shown.
export function sync(query) {
  if (query === shown && !again) return;
  again = false;
  shown = query;
  const host = document.getElementById("load-host");
  if (host) start(host, query);
}

function stylesheet() {
  if (document.getElementById("load-css")) return;
  const link = document.createElement("link");
  link.id = "load-css";
  link.rel = "stylesheet";
  link.href = here("load.css");
  document.head.append(link);
}

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

// What the form offers (a link may ask for any schedule or mix; it is added).
const FAULTS = [
  ["", "none"],
  ["30.crash.1", "crash S1 at 30 %"],
  ["30.crash.1~70.restart.1", "crash S1 at 30 %, restart it at 70 %"],
  ["50.store.down~60.store.up", "store outage from 50 % to 60 %"],
  ["80.rotate.drop", "rotate the key at 80 %, old one dropped"],
  ["30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop", "all of these"],
];
const MIXES = [["", "profile, cart, orders in turn"], ["40.30.20.10", "reads, and 10 % add to cart"]];

function field(id, label, control) {
  const span = el("span", { class: "field" });
  span.append(el("label", { for: id }, label), control);
  return span;
}

function select(id, options, chosen) {
  const s = el("select", { id });
  const list = options.some(([v]) => v === chosen) ? options : [...options, [chosen, `as in the link: ${chosen}`]];
  for (const [v, t] of list) {
    const o = el("option", { value: v }, t);
    o.selected = v === chosen;
    s.append(o);
  }
  return s;
}

/// Turns the panel's button into the form (src/components/load_panel.rs
/// renders the button; its onclick calls this), with a plan's values if
/// given. Submitting puts the plan into the address and signals popstate:
/// the page reads the address as on Back/Forward, keeps the plan in its
/// state and link, and starts the run (load_panel.rs, `sync`).
export function form(query = "", focus = true) {
  const f = document.getElementById("load-form");
  if (!f || document.getElementById("load-clients")) return;
  const p = new URLSearchParams(query);
  const [c, r] = (p.get("load") || "1000x100").split("x");
  const number = (id, max, v) => el("input", { id, type: "number", min: "1", max, required: "", value: v ?? "" });
  f.prepend(
    field("load-clients", "Users", number("load-clients", "10000", c)),
    field("load-requests", "Requests per user", number("load-requests", "1000", r)),
    field("load-faults", "Faults", select("load-faults", FAULTS, p.get("faults") || "")),
    field("load-mix", "Requests", select("load-mix", MIXES, p.get("mix") || "")),
  );
  const go = document.getElementById("load-go");
  go.removeAttribute("onclick");
  go.type = "submit";
  go.textContent = "Start load run";
  f.onsubmit = (e) => {
    e.preventDefault();
    const value = (id) => document.getElementById(id).value;
    const params = new URLSearchParams(location.search);
    for (const k of ["load", "faults", "mix"]) params.delete(k);
    params.set("load", `${value("load-clients")}x${value("load-requests")}`);
    if (value("load-faults")) params.set("faults", value("load-faults"));
    if (value("load-mix")) params.set("mix", value("load-mix"));
    const next = `?${params}`;
    // The same plan again: the page hands it over unchanged, to be run anew.
    if (next === location.search) again = true;
    else history.replaceState(history.state, "", next);
    dispatchEvent(new PopStateEvent("popstate"));
  };
  if (focus) document.getElementById("load-clients").focus();
}

/// `query`: load, faults, mix, seed, a, b (lane configs; a lane not shown
/// is left out) as URL parameters; `host` is the panel's section.
export function start(host, query) {
  if (current) current.cancel("replaced");
  stylesheet();
  form(query, false);
  const p = new URLSearchParams(query);
  const lanes = ["a", "b"].filter((l) => p.get(l));
  const box = el("div", { class: "load-run" });
  const status = el("p", { class: "load-status", role: "status" });
  const bar = el("progress", { max: "1000", value: "0", "aria-label": "Load run progress" });
  const cancel = el("button", { type: "button" }, "Cancel");
  const alert = el("p", { class: "notice bad", role: "alert", hidden: "" });
  const charts = el("div", { class: "load-charts" });
  const controls = el("div", { class: "load-progress" });
  controls.append(bar, cancel);
  box.append(controls, status, alert, charts);
  // The section's first children are the page's own: the run has a box after them.
  host.querySelector(":scope > .load-run")?.remove();
  host.append(box);
  host.dataset.state = "running";
  window.__statelabLoad = { renders: 0, renderTimes: [], started: performance.now(), finishedAt: 0 };

  const reports = { a: "", b: "" };
  const progress = {};
  let said = -1;
  let rendering = false;
  let again = false;
  let over = false;
  const workers = [];
  const renderer = new Worker(here("load-worker.js"));
  const started = performance.now();

  const draw = () => {
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    renderer.postMessage({ type: "render", a: reports.a, b: reports.b });
  };
  renderer.onmessage = ({ data }) => {
    // Keep open tables open across redraws.
    const open = [...charts.querySelectorAll("details[open]")].map((d) => d.id);
    charts.innerHTML = data.html;
    for (const id of open) document.getElementById(id)?.setAttribute("open", "");
    const s = window.__statelabLoad;
    s.renders += 1;
    s.renderTimes.push(performance.now());
    rendering = false;
    if (again) {
      again = false;
      draw();
    } else if (over) {
      // The last drawing is in: only now does the run say it is over, so
      // whoever reads the numbers reads the final ones.
      host.dataset.state = ending;
      renderer.postMessage({ type: "stop" });
    }
  };

  const fraction = () => {
    let done = 0, total = 0;
    for (const l of lanes) {
      done += progress[l]?.done || 0;
      total += progress[l]?.total || 0;
    }
    return total ? done / total : 0;
  };
  let ending = "";
  const stop = (state, text) => {
    over = true;
    ending = state;
    // Asked, not terminated: see load-worker.js.
    for (const w of workers) w.postMessage({ type: "stop" });
    cancel.disabled = true;
    status.textContent = text;
    window.__statelabLoad.finishedAt = performance.now();
    if (current === handle) current = null;
    if (state === "replaced") {
      // A new run owns the host now; this one leaves without a trace.
      renderer.postMessage({ type: "stop" });
    } else if (state === "error") {
      host.dataset.state = state;
      renderer.postMessage({ type: "stop" });
    } else if (rendering) {
      again = true;
    } else {
      draw();
    }
  };

  for (const lane of lanes) {
    const w = new Worker(here("load-worker.js"));
    workers.push(w);
    w.onmessage = ({ data }) => {
      if (over) return;
      if (data.type === "error") {
        alert.hidden = false;
        alert.textContent = `The load run did not start: ${data.message}.`;
        stop("error", "No load run: see the message above.");
        return;
      }
      progress[lane] = data;
      reports[lane] = data.report;
      if (data.finished) window.__statelabLoad[`lane_${lane}`] = performance.now();
      const f = fraction();
      bar.value = Math.round(f * 1000);
      // A screen reader hears every quarter, not every update.
      const quarter = Math.floor(f * 4);
      if (quarter !== said && quarter < 4) {
        said = quarter;
        status.textContent = `Running: ${quarter * 25} % of ${lanes.length * data.total} requests.`;
      }
      if (lanes.every((l) => progress[l]?.finished)) {
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        const n = lanes.reduce((s, l) => s + progress[l].total, 0);
        stop("done", `Done: ${n.toLocaleString("en")} requests in ${secs} s.`);
      } else {
        draw();
      }
    };
    w.onerror = (e) => {
      alert.hidden = false;
      alert.textContent = `The load run stopped: ${e.message || "its worker could not load"}.`;
      stop("error", "The load run stopped.");
    };
    w.postMessage({
      type: "run",
      size: p.get("load") || "",
      faults: p.get("faults") || "",
      mix: p.get("mix") || "",
      config: p.get(lane),
      seed: p.get("seed") || "1",
    });
  }
  status.textContent = "Starting the load run…";

  const handle = {
    cancel(why) {
      if (over) return;
      if (why === "replaced") return stop("replaced", "");
      const pct = (fraction() * 100).toFixed(0);
      stop("cancelled", `Cancelled at ${pct} %: the charts show the requests played so far.`);
    },
  };
  cancel.addEventListener("click", () => handle.cancel());
  current = handle;
  return handle;
}
