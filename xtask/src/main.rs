//! `cargo xtask <task>`: the project's two commands and their helpers.
//!
//! Every task that needs tools first runs `setup`, which installs exactly
//! what is missing and says so, step by step. Nothing is downloaded outside
//! the package registries (crates.io, npm, apt).

mod bench;
mod bundles;
mod fuzz;
mod setup;
mod size;
mod test;
mod twin;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <task>
  setup          install what building and testing need (idempotent)
  serve [args]   setup, then `trunk serve` on http://127.0.0.1:8080 (args go to trunk)
  build          setup, then the page's bundles: `core` and the rest (bundles.rs), then `trunk build --release` into dist/
  test           setup, then every test layer; ends with `N passed, N failed`
  size           sizes of dist/ (raw, gzip, brotli); what loads first against size-budget.json
  bench          engine and playground benchmarks, first render against a bare Yew counter
  fuzz [N] [--seed S]  every parser on N generated inputs (default 1,000,000), in release
  twin [ID...] [--out DIR]  every scenario on HAProxy, Redis and real servers, compared with the simulation
  twin --fleet CONFIG  one lane's real fleet on 127.0.0.1:8000 until Ctrl-C (CONFIG as in links: local.sticky.3)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(setup::Need::Everything),
        Some("serve") => serve(&args[1..]),
        Some("build") => setup::run(setup::Need::Build).and_then(|_| build()),
        Some("test") => test::run(),
        Some("size") => size::report().map(drop),
        Some("bench") => bench::run(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("twin") => twin::run(&args[1..]).and_then(|(agree, of)| {
            if agree == of {
                Ok(())
            } else {
                Err(format!("{} of {of} scenarios disagree with the simulation", of - agree))
            }
        }),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("\nxtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn serve(trunk_args: &[String]) -> Result<(), String> {
    setup::run(setup::Need::Build)?;
    let port = trunk_args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| trunk_args.get(i + 1).cloned())
        .or_else(|| trunk_args.iter().find_map(|a| a.strip_prefix("--port=").map(str::to_owned)))
        .unwrap_or_else(|| "8080".into());
    // The smaller bundles are built once; trunk rebuilds its own on each change.
    let bundles = bundles::build()?;
    println!("==> serving Statelab at http://127.0.0.1:{port}/ (Ctrl-C stops)");
    run(cmd("trunk").arg("serve").args(trunk_args).env("STATELAB_BUNDLES", bundles))
}

pub fn build() -> Result<(), String> {
    let started = std::time::Instant::now();
    let bundles = bundles::build()?;
    let extra = started.elapsed().as_secs_f64();
    println!("==> trunk build --release");
    run(cmd("trunk").args(["build", "--release"]).env("STATELAB_BUNDLES", bundles))?;
    println!(
        "==> built in {:.0} s, of which the bundles besides trunk's took {extra:.0} s",
        started.elapsed().as_secs_f64()
    );
    minify("dist")
}

/// trunk 0.21 leaves wasm-bindgen's JS unminified (its minifier stops at
/// `export default`) and copies CSS as written; esbuild minifies both in
/// place. index.html asks for no integrity hashes of these files, since they
/// change after trunk has written it (see the comment there).
fn minify(dir: &str) -> Result<(), String> {
    println!("==> esbuild --minify {dir}/*.js {dir}/*.css");
    let files = std::fs::read_dir(root().join(dir)).map_err(|e| format!("{dir}/: {e}"))?;
    for file in files.filter_map(Result::ok).map(|e| e.path()) {
        if matches!(file.extension().and_then(|x| x.to_str()), Some("js" | "css")) {
            let out = format!("--outfile={}", file.display());
            run(cmd("esbuild").arg(&file).args(["--minify", "--allow-overwrite", "--log-level=warning", &out]))?;
        }
    }
    Ok(())
}

/// The bare Yew counter the first-render benchmark compares against, built
/// with the same profile and wasm-opt level, outside dist/. Its own
/// Trunk.toml: the site's runs the prerenderer after every build.
pub fn build_counter() -> Result<(), String> {
    println!("==> trunk build --config fixtures/counter/Trunk.toml --release (benchmark baseline)");
    run(cmd("trunk").args(["build", "--config", "fixtures/counter/Trunk.toml", "--release"]))?;
    minify("target/counter-dist")
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

/// A command run from the root with the project's tools first on PATH.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tool_path());
    c
}

fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![root().join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).expect("PATH entries are valid")
}

/// Runs a command to completion, failing with its name when it fails.
pub fn run(c: &mut Command) -> Result<(), String> {
    let status = c.status().map_err(|e| format!("could not start {}: {e}", describe(c)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(c)))
    }
}

/// Runs a command, echoing its output live, and returns stdout and stderr.
pub fn run_captured(c: &mut Command) -> Result<(bool, String), String> {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", describe(c)))?;
    let err = child.stderr.take().expect("piped");
    let err_thread = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            eprintln!("{line}");
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let mut text = String::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines().map_while(Result::ok) {
        println!("{line}");
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&err_thread.join().unwrap_or_default());
    let ok = child.wait().map_err(|e| e.to_string())?.success();
    Ok((ok, text))
}

pub fn describe(c: &Command) -> String {
    std::iter::once(c.get_program())
        .chain(c.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Output of a command, or `None` when it cannot run.
pub fn output_of(c: &mut Command) -> Option<String> {
    let out = c.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    /// `rust-version` promises the oldest compiler that builds the project:
    /// it may not be older than what any locked dependency declares.
    #[test]
    fn rust_version_covers_every_locked_dependency() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = std::process::Command::new(cargo)
            // Not --offline: metadata reads every platform's crates, and a fresh
            // machine has downloaded only this platform's.
            .args(["metadata", "--format-version", "1", "--locked"])
            .current_dir(super::root())
            .output()
            .expect("cargo metadata runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let version = |v: &serde_json::Value| -> Option<(u64, u64)> {
            let mut parts = v.as_str()?.split('.').map(|p| p.parse::<u64>().ok());
            Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
        };
        let packages = meta["packages"].as_array().unwrap();
        let ours: Vec<_> = packages
            .iter()
            .filter(|p| ["statelab", "statelab-sim", "statelab-twin"].contains(&p["name"].as_str().unwrap_or("")))
            .map(|p| version(&p["rust_version"]).expect("our packages declare rust-version"))
            .collect();
        assert_eq!(ours.len(), 3);
        let needed =
            packages.iter().filter_map(|p| Some((version(&p["rust_version"])?, p["name"].as_str()?.to_owned()))).max();
        let (needed, by) = needed.expect("dependencies declare rust-version");
        for v in ours {
            assert!(v >= needed, "rust-version {v:?} is older than {needed:?}, which {by} needs");
        }
    }
}
