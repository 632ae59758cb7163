// A Web Worker of the load panel (static/load-run.js starts it; the page
// fetches none of this before a run). It loads the load engine
// (worker/, built by trunk as a worker module with wasm-bindgen's
// no-modules target) and plays one of two roles:
//   lane:   {type: "run", size, faults, mix, config, seed} — plays one
//           lane's run in slices, posting {type: "progress", done, total,
//           report} at most every 200 ms and once at the end;
//   render: {type: "render", id, a, b} — answers {type: "html", id, html}.
importScripts("./statelab-load-worker.js");
const ready = wasm_bindgen({ module_or_path: "./statelab-load-worker_bg.wasm" });

// About 20 ms of work per slice at wasm speed: short enough to answer
// messages between slices (live faults), long enough to cost nothing.
const SLICE = 4096;
const EVERY_MS = 200;

let run = null;

function play() {
  const started = performance.now();
  let finished = false;
  try {
    while (!finished && performance.now() - started < EVERY_MS) finished = run.step(SLICE);
  } catch (e) {
    postMessage({ type: "error", message: String(e) });
    return;
  }
  postMessage({ type: "progress", done: run.done(), total: run.total(), report: run.report(), finished });
  if (!finished) setTimeout(play, 0);
}

onmessage = async ({ data }) => {
  const m = await ready.then(() => wasm_bindgen);
  if (data.type === "run") {
    try {
      run = new m.LaneRun(data.size, data.faults, data.mix, data.config, data.seed);
    } catch (e) {
      postMessage({ type: "error", message: String(e) });
      return;
    }
    play();
  } else if (data.type === "render") {
    postMessage({ type: "html", id: data.id, html: m.render(data.a || "", data.b || "") });
  }
};
