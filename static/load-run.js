// The load panel's run: loaded by the page (src/components/load_panel.rs)
// only when a run starts, like the workers and stylesheet it brings. It
// starts one worker per lane (two cores run both lanes at once) and one that
// draws the charts, shows progress, and offers Cancel. The page's main
// thread only forwards strings and swaps in finished markup.

const here = (name) => new URL(name, document.baseURI).href;
let current = null;

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

/// `query`: size, faults, mix, seed, a, b (lane configs; an empty one is a
/// lane not shown) as URL parameters.
export function start(host, query) {
  if (current) current.cancel("replaced");
  stylesheet();
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
  host.replaceChildren(box);
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
      renderer.terminate();
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
    for (const w of workers) w.terminate();
    cancel.disabled = true;
    status.textContent = text;
    window.__statelabLoad.finishedAt = performance.now();
    if (current === handle) current = null;
    if (state === "replaced") {
      // A new run owns the host now; this one leaves without a trace.
      renderer.terminate();
    } else if (state === "error") {
      host.dataset.state = state;
      renderer.terminate();
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
      size: p.get("size") || "",
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
