//! The page's wasm bundles other than trunk's. Trunk builds the bundle that
//! carries every kind of lane (index.html, the view's default features);
//! before it runs, this builds each smaller bundle the engine's table lists
//! (`statelab_sim::fleet::BUNDLES`, `core` first) the way trunk builds its
//! own — the `web` profile, wasm-bindgen for the web, wasm-opt `-Oz` to a
//! fixed point — into `<target>/bundles/`, named `statelab-<name>-<hash>`.
//! The prerenderer copies them into the site and writes the loader that
//! picks one (`STATELAB_BUNDLES`, src/bin/prerender.rs).

use crate::{cmd, root, run};
use statelab_sim::fleet::{Bundle, BUNDLES};
use std::path::PathBuf;
use std::time::Instant;

/// Where the bundles are written; handed to the prerenderer.
pub fn dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let target = if target.is_absolute() { target } else { root().join(target) };
    target.join("bundles")
}

/// Builds every bundle but the last (trunk's), one cargo invocation each:
/// cargo builds one feature set of a package per invocation.
pub fn build() -> Result<PathBuf, String> {
    let out = dir();
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for bundle in &BUNDLES[..BUNDLES.len() - 1] {
        let started = Instant::now();
        build_one(bundle, &out)?;
        println!("==> bundle `{}` built in {:.0} s", bundle.name, started.elapsed().as_secs_f64());
    }
    Ok(out)
}

fn build_one(bundle: &Bundle, out: &std::path::Path) -> Result<(), String> {
    let features = bundle.features();
    println!("==> cargo build --profile web (bundle `{}`: features [{}])", bundle.name, features.join(", "));
    let mut build = cmd("cargo");
    build.args(["build", "--profile", "web", "--target", "wasm32-unknown-unknown", "-p", "statelab"]);
    build.args(["--bin", "statelab-web", "--no-default-features"]);
    if !features.is_empty() {
        build.args(["--features", &features.join(",")]);
    }
    run(&mut build)?;
    let wasm =
        dir().parent().expect("bundles/ sits in the target dir").join("wasm32-unknown-unknown/web/statelab-web.wasm");
    let stem = format!("statelab-{}", bundle.name);
    let work = out.join(bundle.name);
    run(cmd("wasm-bindgen")
        .arg(&wasm)
        .args(["--target", "web", "--no-typescript", "--out-name", &stem, "--out-dir"])
        .arg(&work))?;
    let bg = work.join(format!("{stem}_bg.wasm"));
    // As index.html asks trunk to: `data-wasm-opt="z"` with its params.
    run(cmd("wasm-opt")
        .args(["-Oz", "--converge", "--low-memory-unused", "--strip-producers", "--strip-target-features", "--output"])
        .arg(&bg)
        .arg(&bg))?;
    let bytes = std::fs::read(&bg).map_err(|e| format!("{}: {e}", bg.display()))?;
    let name = format!("{stem}-{:016x}", fnv1a(&bytes));
    let js = std::fs::read_to_string(work.join(format!("{stem}.js"))).map_err(|e| e.to_string())?;
    let js = js.replace(&format!("{stem}_bg.wasm"), &format!("{name}_bg.wasm"));
    std::fs::write(out.join(format!("{name}.js")), js).map_err(|e| e.to_string())?;
    std::fs::write(out.join(format!("{name}_bg.wasm")), bytes).map_err(|e| e.to_string())?;
    std::fs::remove_dir_all(&work).map_err(|e| e.to_string())
}

/// A file name's content hash, as trunk's: a new build never reuses a cached file.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
