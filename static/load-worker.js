// A Web Worker of the load panel (static/load-run.js starts it; the page
// fetches none of this before a run). It loads the load engine
// (worker/, built by trunk as a worker module with wasm-bindgen's
// no-modules target) and plays one of these roles:
//   lane:   {type: "run", size, faults, mix, config, seed} — answers
//           {type: "started", total} or {type: "error", message} (the
//           page waits for every lane's answer before it shows either),
//           then plays one lane's run in slices, posting {type: "progress",
//           done, total, report} at most every 200 ms and once at the end;
//   live:   {type: "live", size, mix, config, seed} — answers "started" or
//           "error" as above; then each {type: "tick"} plays half a
//           simulated second and answers {type: "progress", …} as above;
//           {type: "inject", id, action} injects a fault before the next
//           request and answers {type: "injected", id}, with `message` if
//           the engine refused it (so the page hears every lane on every
//           fault, and says refusals in lane order);
//   render: {type: "render", id, a, b} — answers {type: "html", id, html};
//   fleet:  {type: "fleet", id, config} — answers {type: "fleet", id, text}
//           or {type: "fleet", id, error}: a lane's "Run it yourself" text
//           (static/run-it.js);
//   and to any, {type: "stop"}: it closes itself after the slice under way.
importScripts("./statelab-load-worker.js");
const ready = wasm_bindgen({ module_or_path: "./statelab-load-worker_bg.wasm" });

// About 20 ms of work per slice at wasm speed: short enough to answer
// messages between slices (live faults), long enough to cost nothing.
const SLICE = 4096;
const EVERY_MS = 200;

let run = null;
let stopping = false;
// Live traffic plays only when ticked, so nothing is under way between messages.
let live = false;

// A worker ends itself (close) rather than being terminated by the page:
// freeing a heap of hundreds of thousands of sessions took the page's main
// thread 280 ms when it terminated the worker.
function play() {
  if (stopping) return close();
  const started = performance.now();
  let finished = false;
  try {
    while (!finished && performance.now() - started < EVERY_MS) finished = run.step(SLICE);
  } catch (e) {
    postMessage({ type: "error", message: String(e) });
    return;
  }
  postMessage({ type: "progress", done: run.done(), total: run.total(), report: run.report(), finished });
  if (finished) close();
  else setTimeout(play, 0);
}

onmessage = async ({ data }) => {
  if (data.type === "stop") {
    stopping = true;
    if (!run || live) close();
    return;
  }
  if (data.type === "fleet") {
    // Every question gets an answer, also when the wasm did not load: the
    // panel that asked says why instead of waiting.
    try {
      await ready;
      postMessage({ type: "fleet", id: data.id, text: wasm_bindgen.run_it_yourself(data.config) });
    } catch (e) {
      postMessage({ type: "fleet", id: data.id, error: String(e) });
    }
    return;
  }
  let m;
  try {
    m = await ready.then(() => wasm_bindgen);
  } catch (e) {
    // The wasm did not load: a lane says so as its answer to "run" or
    // "live" (the page is waiting for it); nothing else is asked before.
    if (data.type === "run" || data.type === "live") postMessage({ type: "error", message: String(e) });
    return;
  }
  if (data.type === "run") {
    try {
      run = new m.LaneRun(data.size, data.faults, data.mix, data.config, data.seed);
    } catch (e) {
      postMessage({ type: "error", message: String(e) });
      return;
    }
    postMessage({ type: "started", total: run.total() });
    play();
  } else if (data.type === "live") {
    try {
      run = m.LaneRun.live(data.size, data.mix, data.config, data.seed);
      live = true;
    } catch (e) {
      postMessage({ type: "error", message: String(e) });
      return;
    }
    postMessage({ type: "started", total: run.total() });
  } else if (data.type === "tick" && run) {
    const finished = run.tick();
    postMessage({ type: "progress", done: run.done(), total: run.total(), report: run.report(), finished });
  } else if (data.type === "inject" && run) {
    try {
      run.inject(data.action);
      postMessage({ type: "injected", id: data.id });
    } catch (e) {
      postMessage({ type: "injected", id: data.id, message: String(e) });
    }
  } else if (data.type === "render") {
    postMessage({ type: "html", id: data.id, html: m.render(data.a || "", data.b || "") });
  }
};
