// The load panel's runs: loaded by the page (src/components/load_panel.rs)
// only when its form is opened or a link asks for a run, like the workers
// and stylesheet it brings. A load
// run (load=) plays a planned number of requests as fast as it can; live
// traffic (live=) plays a steady rate, paced by this page's clock, while the
// visitor injects faults. Either starts one worker per lane (two cores run
// both lanes at once) and one that draws the charts. The page's main thread
// only forwards strings and swaps in finished markup.

const here = (name) => new URL(name, document.baseURI).href;
let current = null;
// The query of the run shown, and whether the form asked to run it again.
let shown = "";
let again = false;

/// Called by the page on every change of its state while its link asks for
/// a run or live traffic (src/components/load_panel.rs): starts it unless it
/// is shown.
export function sync(query) {
  if (query === shown && !again) return;
  const first = !shown;
  again = false;
  shown = query;
  const host = document.getElementById("load-host");
  if (!host) return;
  start(host, query);
  // A link that asks for a run opens at it: it is far below the fold.
  // Not in an embed (it would scroll the host page) nor at a tour's step.
  // Two frames later: the panel just built is laid out in a frame of its
  // own, so the scroll's layout does not add to it (together they were one
  // ~60 ms task after the first render).
  const elsewhere = window.top !== window.self || new URLSearchParams(location.search).has("scenario");
  if (first && !elsewhere) {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (!document.getElementById("load-form")?.contains(document.activeElement)) host.scrollIntoView({ block: "start" });
    }));
  }
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
  ["custom", "a schedule of your own…"],
];
const MIXES = [["", "profile, cart, orders in turn"], ["40.30.20.10", "reads, and 10 % add to cart"]];
// Live traffic's faults, sent to both lanes at once (the action notation).
const LIVE_FAULTS = [
  ["crash 1", "Crash S1"], ["restart 1", "Restart S1"], ["crash 2", "Crash S2"], ["restart 2", "Restart S2"],
  ["store down", "Store down"], ["store up", "Store up"], ["rotate drop", "Rotate the key"],
  ["add-server", "Add a server"], ["remove-server", "Remove a server"],
];
// The page's clock for live traffic: a tick every 250 ms plays half a
// simulated second (worker/src/lib.rs, TICKS_PER_SECOND), so the charts move
// four times a second.
const TICK_MS = 250;

/** 1234567 → "1,234,567". Not toLocaleString: its first call loads the
 *  locale data, a 20–45 ms task on the page's main thread mid-run. */
const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** What lanes refused (`refusals`: lane → message, for the lanes that did),
 *  said after `lead` once every lane has answered, so the words never depend
 *  on which worker answered first: once when every lane refused in the same
 *  words (a plan's error is the same in both), else lane by lane in lane
 *  order, so a user reads what each lane on the screen said. */
/// Once every lane has answered (`answers[lane]` is `ok` when it went
/// through, else why not), the refusals by lane, in lane order; `undefined`
/// while a lane has yet to answer. Which worker answers first is timing, and
/// must not decide what the page says.
function refusalsOnceAll(lanes, answers, ok) {
  if (!lanes.every((l) => answers[l] !== undefined)) return undefined;
  return Object.fromEntries(lanes.filter((l) => answers[l] !== ok).map((l) => [l, answers[l]]));
}

function refusal(lanes, refusals, lead) {
  const said = lanes.filter((l) => refusals[l] !== undefined);
  if (said.length === lanes.length && said.every((l) => refusals[l] === refusals[said[0]])) return `${lead}: ${refusals[said[0]]}.`;
  return `${lead}. ${said.map((l) => `Lane ${l.toUpperCase()}: ${refusals[l]}.`).join(" ")}`;
}

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
/// renders the buttons; their onclick calls this), with a plan's values if
/// given; `live=` in it picks live traffic. Submitting puts the plan into the
/// address and signals popstate: the page reads the address as on
/// Back/Forward, keeps the plan in its state and link, and starts it
/// (load_panel.rs, `sync`).
export function form(query = "", focus = true) {
  stylesheet();
  const f = document.getElementById("load-form");
  if (!f) return;
  const p = new URLSearchParams(query);
  const kind = p.has("live") ? "live" : "load";
  if (document.getElementById("load-clients")) {
    // The form is there: a button asked for the other kind.
    if (focus) pick(kind, true);
    return;
  }
  const [c, r] = (p.get("load") || "1000x100").split("x");
  const [u, rate] = (p.get("live") || "1000x500").split("x");
  const number = (id, max, v) => el("input", { id, type: "number", min: "1", max, required: "", value: v ?? "" });
  const kinds = el("fieldset", { class: "load-kind" });
  kinds.append(el("legend", {}, "Traffic"));
  for (const [v, t] of [["load", "Load run: a planned number of requests, faults on a schedule"], ["live", "Live traffic: a steady rate, faults when you click"]]) {
    const label = el("label");
    const radio = el("input", { type: "radio", name: "load-kind", value: v, id: `load-kind-${v}` });
    radio.checked = v === kind;
    radio.onchange = () => pick(v, false);
    label.append(radio, ` ${t}`);
    kinds.append(label);
  }
  f.prepend(
    kinds,
    field("load-clients", "Users", number("load-clients", "10000", kind === "live" ? u : c)),
    field("load-requests", "Requests per user", number("load-requests", "1000", r)),
    field("load-rate", "Requests per simulated second", number("load-rate", "2000", rate)),
    field("load-faults", "Faults", select("load-faults", FAULTS, p.get("faults") || "")),
    field("load-schedule", "Schedule", el("input", { id: "load-schedule", type: "text", spellcheck: "false", placeholder: "e.g. 20.crash.2~40.restart.2", "aria-describedby": "load-schedule-help" })),
    el("p", { id: "load-schedule-help", class: "muted load-help" }, "Percent of the run, then the fault, ~ between: crash.N, restart.N, bounce.N, store.down, store.up, skew.N.30s, rotate.keep, rotate.drop, add-server, remove-server."),
    field("load-mix", "Requests", select("load-mix", MIXES, p.get("mix") || "")),
  );
  document.getElementById("live-go")?.remove();
  const go = document.getElementById("load-go");
  go.removeAttribute("onclick");
  go.type = "submit";
  document.getElementById("load-faults").onchange = () => pick(f.elements["load-kind"].value, false);
  pick(kind, false);
  f.onsubmit = (e) => {
    e.preventDefault();
    const value = (id) => document.getElementById(id).value;
    const live = f.elements["load-kind"].value === "live";
    // A state too long for a link is kept in this tab under a key, in
    // pieces (src/hooks/url_state.rs): the plan joins that state, not the key.
    const key = location.search.match(/^\?kept=([0-9a-f]+)$/)?.[1];
    let address = location.search;
    if (key) {
      address = "?";
      for (let i = 0, piece; (piece = sessionStorage.getItem(`statelab:kept:${key}:${i}`)) !== null; i++) address += piece;
    }
    const params = new URLSearchParams(address);
    for (const k of ["load", "live", "faults", "mix"]) params.delete(k);
    if (live) params.set("live", `${value("load-clients")}x${value("load-rate")}`);
    else params.set("load", `${value("load-clients")}x${value("load-requests")}`);
    const faults = value("load-faults") === "custom" ? value("load-schedule").trim() : value("load-faults");
    if (!live && faults) params.set("faults", faults);
    if (value("load-mix")) params.set("mix", value("load-mix"));
    const next = `?${params}`;
    // The same plan again: the page hands it over unchanged, to be run anew.
    if (next === address) again = true;
    else history.replaceState(history.state, "", next);
    dispatchEvent(new PopStateEvent("popstate"));
  };
  if (focus) document.getElementById("load-clients").focus();
}

/// Shows the fields of one kind of traffic and names the button for it.
function pick(kind, focus) {
  const live = kind === "live";
  document.getElementById(`load-kind-${kind}`).checked = true;
  const own = !live && document.getElementById("load-faults").value === "custom";
  for (const [id, used] of [["load-requests", !live], ["load-faults", !live], ["load-rate", live], ["load-schedule", own]]) {
    const input = document.getElementById(id);
    input.disabled = !used;
    input.parentElement.hidden = !used;
  }
  document.getElementById("load-schedule").required = own;
  document.getElementById("load-schedule-help").hidden = !own;
  document.getElementById("load-go").textContent = live ? "Start live traffic" : "Start load run";
  if (focus) document.getElementById(`load-kind-${kind}`).focus();
}

/// `query`: load or live, faults, mix, seed, a, b (lane configs; a lane not
/// shown is left out) as URL parameters; `host` is the panel's section.
export function start(host, query) {
  const replaced = !!current;
  if (current) current.cancel("replaced");
  form(query, false);
  const p = new URLSearchParams(query);
  return p.has("live") ? live(host, p, replaced) : planned(host, p);
}

/// What both kinds show: a box after the panel's own children with a row of
/// controls, a status line, an alert, and the charts, which a render worker
/// draws from the lanes' latest reports.
function frame(host, p) {
  const lanes = ["a", "b"].filter((l) => p.get(l));
  const box = el("div", { class: "load-run" });
  const status = el("p", { class: "load-status", role: "status" });
  const alert = el("p", { class: "notice bad", role: "alert", hidden: "" });
  const charts = el("div", { class: "load-charts" });
  const controls = el("div", { class: "load-progress" });
  box.append(controls, status, alert, charts);
  host.querySelector(":scope > .load-run")?.remove();
  host.append(box);
  window.__statelabLoad = { renders: 0, renderTimes: [], started: performance.now(), finishedAt: 0 };

  const reports = { a: "", b: "" };
  const renderer = new Worker(here("load-worker.js"));
  let rendering = false;
  let redraw = false;
  // Called once the last drawing after the end is in.
  let ended = null;
  // An error or a new run ended this one: a drawing still on its way is
  // dropped, whenever it arrives.
  let closed = false;
  const draw = () => {
    if (rendering) {
      redraw = true;
      return;
    }
    rendering = true;
    renderer.postMessage({ type: "render", a: reports.a, b: reports.b });
  };
  renderer.onmessage = ({ data }) => {
    if (closed) return;
    // Keep open tables open, and the keyboard where it was, across redraws:
    // the markup is new, so focus is found again by its place among the
    // focusable elements (the same in every drawing of the same lanes).
    const open = [...charts.querySelectorAll("details[open]")].map((d) => d.id);
    const focusable = () => [...charts.querySelectorAll("a[href], summary")];
    const focused = focusable().indexOf(document.activeElement);
    charts.innerHTML = data.html;
    for (const id of open) document.getElementById(id)?.setAttribute("open", "");
    if (focused >= 0) focusable()[focused]?.focus({ preventScroll: true });
    const s = window.__statelabLoad;
    s.renders += 1;
    s.renderTimes.push(performance.now());
    rendering = false;
    if (redraw) {
      redraw = false;
      draw();
    } else if (ended) {
      // The last drawing is in: only now does the run say it is over, so
      // whoever reads the numbers reads the final ones.
      ended();
      ended = null;
      renderer.postMessage({ type: "stop" });
    }
  };
  const workers = {};
  const f = {
    lanes, controls, status, alert, charts, reports, workers, draw,
    /// Shows a problem and ends the run.
    fail(message) {
      alert.hidden = false;
      alert.textContent = message;
    },
    /// Ends the run: workers asked to stop (see load-worker.js), the last
    /// drawing made, then `state` set on the host (none when replaced).
    end(state) {
      for (const w of Object.values(workers)) w.postMessage({ type: "stop" });
      window.__statelabLoad.finishedAt = performance.now();
      if (state === "replaced" || state === "error") {
        closed = true;
        if (state === "error") host.dataset.state = state;
        renderer.postMessage({ type: "stop" });
        return;
      }
      ended = () => { host.dataset.state = state; };
      draw();
    },
  };
  for (const lane of lanes) {
    const w = new Worker(here("load-worker.js"));
    workers[lane] = w;
    // Said as the lane's own error (see planned and live).
    w.onerror = (e) => f.onerror?.(lane, `${e.message || "its worker could not load"}`);
  }
  return f;
}

function planned(host, p) {
  const f = frame(host, p);
  const { lanes, status, workers } = f;
  const bar = el("progress", { max: "1000", value: "0", "aria-label": "Load run progress" });
  const cancel = el("button", { type: "button" }, "Cancel");
  f.controls.append(bar, cancel);
  host.dataset.state = "running";
  const progress = {};
  // Each lane's answer to "run": true once it started, or why it did not.
  // Nothing is shown before every lane has answered (refusalsOnceAll).
  const verdict = {};
  let said = -1;
  let over = false;
  const started = performance.now();
  const fraction = () => {
    let done = 0, total = 0;
    for (const l of lanes) {
      done += progress[l]?.done || 0;
      total += progress[l]?.total || 0;
    }
    return total ? done / total : 0;
  };
  const stop = (state, text) => {
    over = true;
    cancel.disabled = true;
    status.textContent = text;
    if (current === handle) current = null;
    f.end(state);
  };
  // The bar, the status and the charts from every lane's latest progress.
  const update = () => {
    const fr = fraction();
    bar.value = Math.round(fr * 1000);
    // A screen reader hears every quarter, not every update. The lanes play
    // the same plan, so lane A's total is every lane's.
    const quarter = Math.floor(fr * 4);
    if (quarter !== said && quarter < 4) {
      said = quarter;
      status.textContent = `Running: ${quarter * 25} % of ${thousands(progress[lanes[0]].total)} requests per lane.`;
    }
    if (lanes.every((l) => progress[l]?.finished)) {
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      const n = lanes.reduce((s, l) => s + progress[l].total, 0);
      stop("done", `Done: ${thousands(n)} requests in ${secs} s.`);
    } else if (lanes.every((l) => f.reports[l])) {
      // Charts of every lane or of none, never of whichever answered first.
      f.draw();
    }
  };
  // A lane's answer to "run". Once every lane has answered, a refusal is
  // told, naming the lanes in lane order, or the run shows its progress.
  const answer = (lane, value) => {
    verdict[lane] = value;
    const refusals = refusalsOnceAll(lanes, verdict, true);
    if (!refusals) return;
    if (Object.keys(refusals).length) {
      f.fail(refusal(lanes, refusals, "The load run did not start"));
      stop("error", "No load run: see the message below.");
    } else if (lanes.some((l) => f.reports[l])) {
      update();
    }
  };
  f.onerror = (lane, message) => {
    if (over) return;
    if (verdict[lane] === undefined) return answer(lane, message);
    f.fail(refusal(lanes, { [lane]: message }, "The load run stopped"));
    stop("error", "The load run stopped.");
  };
  for (const lane of lanes) {
    workers[lane].onmessage = ({ data }) => {
      if (over) return;
      if (data.type === "error") return f.onerror(lane, data.message);
      if (data.type === "started") {
        progress[lane] = { done: 0, total: data.total };
        return answer(lane, true);
      }
      progress[lane] = data;
      f.reports[lane] = data.report;
      if (data.finished) window.__statelabLoad[`lane_${lane}`] = performance.now();
      if (refusalsOnceAll(lanes, verdict, true)) update();
    };
    workers[lane].postMessage({
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

/// Live traffic (`replaced`: it takes over from a run the page changed):
/// every TICK_MS, once every lane has answered the last tick,
/// each plays the next half simulated second. A fault button sends its
/// action to every lane at once; a worker handles messages in order, so the
/// fault lands between the same two ticks, before the same request, in both.
function live(host, p, replaced) {
  const f = frame(host, p);
  const { lanes, status, workers } = f;
  // Four updates a second are for eyes; a screen reader hears the faults
  // (below) and how it ends, not every count.
  status.setAttribute("aria-live", "off");
  const stopButton = el("button", { type: "button" }, "Stop live traffic");
  const faults = el("div", { class: "live-faults", role: "group", "aria-label": "Faults, on both lanes at once" });
  for (const [action, label] of LIVE_FAULTS) {
    // Named apart from the fleet diagrams' own "Crash S1" buttons.
    const b = el("button", { type: "button", "data-action": action, "aria-label": `${label} in both lanes` }, label);
    b.onclick = () => inject(action);
    faults.append(b);
  }
  f.controls.append(stopButton, faults);
  // What each fault did in each lane, newest first: the engine's own words.
  const title = el("h3", { id: "live-events-title", class: "live-title" }, "What the faults did");
  const about = el("p", { class: "muted load-help" }, "Click a fault above: each lane says here what it did, newest first (the last five; the answers tables list them all).");
  const happened = el("ol", { class: "live-events", "aria-live": "polite", "aria-labelledby": "live-events-title" });
  f.charts.before(title, about, happened);
  host.dataset.state = "live";
  const latest = {};
  // Each lane's answer to "live", as for a load run (planned).
  const verdict = {};
  let clock = null;
  let waiting = 0;
  let over = false;
  let seen = 0;
  const size = p.get("live") || "";
  const [, rate] = size.split("x");
  const stop = (state, text) => {
    over = true;
    clearInterval(clock);
    // The keyboard stays in the panel: on the button that starts it again.
    const refocus = stopButton.contains(document.activeElement) || faults.contains(document.activeElement);
    stopButton.disabled = true;
    for (const b of faults.querySelectorAll("button")) b.disabled = true;
    status.setAttribute("aria-live", "polite");
    status.textContent = text;
    if (refocus) document.getElementById("load-go")?.focus();
    if (current === handle) current = null;
    f.end(state);
  };
  // A lane's answer to "live": once every lane has answered, a refusal is
  // told in lane order, or the clock starts.
  const answer = (lane, value) => {
    verdict[lane] = value;
    const refusals = refusalsOnceAll(lanes, verdict, true);
    if (!refusals) return;
    if (Object.keys(refusals).length) {
      f.fail(refusal(lanes, refusals, "Live traffic did not start"));
      stop("error", "No live traffic: see the message below.");
    } else {
      clock = setInterval(tick, TICK_MS);
    }
  };
  f.onerror = (lane, message) => {
    if (over) return;
    if (verdict[lane] === undefined) return answer(lane, message);
    f.fail(refusal(lanes, { [lane]: message }, "Live traffic stopped"));
    stop("error", "Live traffic stopped.");
  };
  // Every fault is answered by every lane; what they refused is told once
  // all have answered, in lane order (id → lane → refusal or null).
  const injections = new Map();
  let injected = 0;
  const inject = (action) => {
    if (over) return;
    injected += 1;
    injections.set(injected, {});
    for (const l of lanes) workers[l].postMessage({ type: "inject", id: injected, action });
  };
  const injectedBy = (lane, { id, message }) => {
    const got = injections.get(id);
    if (!got) return;
    got[lane] = message ?? null;
    const refusals = refusalsOnceAll(lanes, got, null);
    if (!refusals) return;
    injections.delete(id);
    if (Object.keys(refusals).length) f.fail(refusal(lanes, refusals, "That fault was refused"));
  };
  const words = (action) => LIVE_FAULTS.find(([a]) => a === action)?.[1] ?? action;
  // New faults, told once both lanes have played past them.
  const tell = (parsed) => {
    const count = Math.min(...parsed.map((r) => r.markers.length));
    for (; seen < count; seen += 1) {
      const m = parsed[0].markers[seen];
      const li = el("li");
      li.append(el("strong", {}, `${m.second} s · ${words(m.action)}`), el("span", { class: "muted" }, ` (the lanes' clocks read ${m.clock})`));
      parsed.forEach((r, i) => li.append(el("span", {}, `Lane ${lanes[i].toUpperCase()}: ${r.markers[seen].text || "nothing changed"}.`)));
      happened.prepend(li);
      happened.children[5]?.remove();
    }
  };
  // Sessions in one server's memory behind a balancer that spreads a user's
  // requests are refused without any fault. Said once it is measured, with
  // the way to see a crash instead; its count follows the lane until the
  // first fault, and stays the count before it.
  const counts = {};
  const notes = {};
  const hint = (parsed) => {
    parsed.forEach((r, i) => {
      const l = lanes[i];
      if (counts[l] && !r.markers.length) counts[l].textContent = thousands(r.totals.unauthorized);
      // Refusals before any fault are the measure; the lane's auth is what
      // the sentence says about it (a balancer that pins users has none).
      const local = p.get(l).startsWith("local.");
      if (!local || counts[l] || r.markers.length || !r.totals.unauthorized) return;
      const L = l.toUpperCase();
      counts[l] = el("strong", {}, thousands(r.totals.unauthorized));
      const note = el("p", { class: "notice info load-hint" }, `Lane ${L} keeps each session in the memory of the server that created it, behind a balancer that spreads each user's requests: `);
      note.append(counts[l], ` requests were refused (401) before any fault, each reaching a server that does not hold its session. To watch a crash take only the sessions one server held, use sticky sessions in lane ${L}; live traffic starts again with them. `);
      const select = document.getElementById(`lane-${l}-balancer`);
      if (select) {
        const use = el("button", { type: "button" }, `Use sticky cookie in lane ${L}`);
        use.onclick = () => {
          select.value = "sticky";
          select.dispatchEvent(new Event("change", { bubbles: true }));
        };
        note.append(use);
      }
      // Below what the faults did, which stays next to the fault buttons, and
      // in lane order, whichever lane's refusals were measured first.
      notes[l] = note;
      const later = lanes.slice(i + 1).map((m) => notes[m]).find(Boolean);
      if (later) later.before(note);
      else (lanes.slice(0, i).map((m) => notes[m]).filter(Boolean).pop() ?? happened).after(note);
    });
  };
  for (const lane of lanes) {
    workers[lane].onmessage = ({ data }) => {
      if (over) return;
      if (data.type === "error") return f.onerror(lane, data.message);
      if (data.type === "started") return answer(lane, true);
      if (data.type === "injected") return injectedBy(lane, data);
      waiting -= 1;
      latest[lane] = data;
      if (waiting > 0) return;
      // Every lane has played the tick: the charts take the lanes' reports
      // together, so a drawing (or the last one, on Stop) never shows one
      // lane a tick ahead of the other because its worker answered first.
      for (const l of lanes) f.reports[l] = latest[l].report;
      const parsed = lanes.map((l) => JSON.parse(latest[l].report));
      tell(parsed);
      hint(parsed);
      const done = parsed[0].done;
      const second = Math.floor(done / Number(rate));
      status.textContent = `Live: ${second} simulated s, ${thousands(done)} requests a lane at ${thousands(Number(rate))} a second.`;
      if (lanes.every((l) => latest[l].finished)) {
        stop("done", `Live traffic stopped after ${second} simulated seconds, the most it plays; start it again from the form.`);
      } else {
        f.draw();
      }
    };
    workers[lane].postMessage({ type: "live", size, mix: p.get("mix") || "", config: p.get(lane), seed: p.get("seed") || "1" });
  }
  // A tick is skipped while a lane is still playing the last one: the
  // simulation slows down rather than piling up work. The clock starts once
  // every lane has started (answer, above).
  const tick = () => {
    if (waiting > 0 || over) return;
    waiting = lanes.length;
    for (const l of lanes) workers[l].postMessage({ type: "tick" });
  };
  status.textContent = replaced ? "The plan or a lane changed: live traffic starts again from 0 s…" : "Starting live traffic…";
  const handle = {
    cancel(why) {
      if (over) return;
      if (why === "replaced") return stop("replaced", "");
      stop("stopped", "Stopped: the charts show the traffic so far.");
    },
  };
  stopButton.addEventListener("click", () => handle.cancel());
  current = handle;
  return handle;
}
