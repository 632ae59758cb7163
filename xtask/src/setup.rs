//! Installs the toolchain pieces, each only when missing.

use crate::{cmd, output_of, root};
use std::path::PathBuf;

pub const TRUNK_VERSION: &str = "0.21.14";
/// The documentation generators the embed kit's end-to-end test builds real
/// sites with (e2e/docs-sites.mjs).
pub const MDBOOK_VERSION: &str = "0.5.4";
pub const MKDOCS_MATERIAL: &str = "mkdocs-material>=9.8,<10";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Enough to build and serve: no browser.
    Build,
    /// Building and testing in a real browser.
    Everything,
}

pub fn run(need: Need) -> Result<(), String> {
    println!("==> setup");
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    npm_packages()?;
    if need == Need::Everything {
        chromium()?;
        twin_tools()?;
        docs_generators()?;
        python_packages()?;
    }
    Ok(())
}

fn step(what: &str, present: bool) -> bool {
    println!("  {} {what}", if present { "ok     " } else { "install" });
    present
}

fn wasm_target() -> Result<(), String> {
    let installed = output_of(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !step("rust target wasm32-unknown-unknown", installed.lines().any(|l| l == "wasm32-unknown-unknown")) {
        crate::run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn trunk() -> Result<(), String> {
    let have = output_of(cmd("trunk").arg("--version")).unwrap_or_default();
    if !step(&format!("trunk {TRUNK_VERSION}"), have == format!("trunk {TRUNK_VERSION}")) {
        // trunk 0.22 needs rustc 1.96.1 or newer; 0.21.14 builds with the rustc this project supports.
        crate::run(cmd("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))?;
    }
    Ok(())
}

/// The CLI must equal the `wasm-bindgen` crate in Cargo.lock, or trunk and
/// the test runner refuse the build.
fn wasm_bindgen() -> Result<(), String> {
    let version = locked_version("wasm-bindgen")?;
    let have = output_of(cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner = output_of(cmd("wasm-bindgen-test-runner").arg("--version")).unwrap_or_default();
    let want = format!("wasm-bindgen {version}");
    if !step(&format!("wasm-bindgen-cli {version}"), have == want && runner.ends_with(&version)) {
        // Not --locked: its lock file names a crate version the registry lacks.
        crate::run(cmd("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &version]))?;
    }
    Ok(())
}

pub fn locked_version(name: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"") {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err(format!("{name} is not in Cargo.lock"))
}

/// `npm ci` when package-lock.json changed since the last install.
fn npm_packages() -> Result<(), String> {
    let lock = std::fs::read(root().join("package-lock.json")).map_err(|e| format!("package-lock.json: {e}"))?;
    let stamp_path = root().join("node_modules/.statelab-lock-stamp");
    let stamp = format!("{:016x}", fnv1a64(&lock));
    let fresh = std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp)
        && root().join("node_modules/.bin/wasm-opt").exists();
    if !step("npm packages (binaryen wasm-opt, Playwright, axe)", fresh) {
        // Playwright must never fetch its own browser here: Debian's Chromium is used.
        crate::run(cmd("npm").args(["ci", "--no-audit", "--no-fund"]).env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))?;
        std::fs::write(&stamp_path, stamp).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Paths of the Chromium binary and its driver, when both are installed.
pub fn browser() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| {
        names.iter().find_map(|n| output_of(cmd("sh").args(["-c", &format!("command -v {n}")])).map(PathBuf::from))
    };
    Some((find(&["chromium", "chromium-browser", "google-chrome"])?, find(&["chromedriver"])?))
}

/// Debian's packages the real-fleet twin runs, each with what shows it is installed.
const TWIN_PACKAGES: [(&str, &str); 5] = [
    ("haproxy", "command -v haproxy"),
    ("redis-server", "command -v redis-server"),
    ("libfaketime", "ls /usr/lib/*/faketime/libfaketimeMT.so.1"),
    ("postgresql", "ls /usr/lib/postgresql/*/bin/postgres"),
    // The twin starts its own PgBouncer on a scratch port with its own ini;
    // the service the package enables is stopped and disabled after install.
    ("pgbouncer", "ls /usr/sbin/pgbouncer"),
];

/// Python packages the tests start: pyftpdlib, the real FTP server the
/// simulated FTP clients' commands are replayed against, alone
/// (`sim/tests/formats/ftp_server.rs`) and two behind HAProxy
/// (`sim/tests/formats/ftp_fleet.rs`). pip, only when the import fails.
const PYTHON_PACKAGES: [(&str, &str); 1] = [("pyftpdlib==2.2.0", "pyftpdlib")];

fn python_packages() -> Result<(), String> {
    let importable = |module: &str| {
        cmd("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success())
    };
    let missing: Vec<&str> = PYTHON_PACKAGES.iter().filter(|(_, m)| !importable(m)).map(|(p, _)| *p).collect();
    if step("pyftpdlib (a real FTP server for the FTP replay test)", missing.is_empty()) {
        return Ok(());
    }
    pip_install(&missing)?;
    match PYTHON_PACKAGES.iter().find(|(_, m)| !importable(m)) {
        Some((p, _)) => Err(format!("pip finished but {p} does not import")),
        None => Ok(()),
    }
}

/// HAProxy, Redis, libfaketime, PostgreSQL and PgBouncer for `cargo xtask twin`, from apt like
/// Chromium: only what is missing, and only on Debian as root.
pub fn twin_tools() -> Result<(), String> {
    let present = |probe: &str| output_of(cmd("sh").args(["-c", probe])).is_some_and(|o| !o.is_empty());
    let missing: Vec<&str> = TWIN_PACKAGES.iter().filter(|(_, probe)| !present(probe)).map(|(p, _)| *p).collect();
    if step("haproxy, redis-server, libfaketime, postgresql, pgbouncer (the real-fleet twin)", missing.is_empty()) {
        return Ok(());
    }
    apt_install(&missing)?;
    if missing.contains(&"pgbouncer") {
        // Without systemd (a container) there is no service to stop: the error is ignored.
        let _ = output_of(cmd("systemctl").args(["disable", "--now", "pgbouncer"]));
    }
    match TWIN_PACKAGES.iter().find(|(_, probe)| !present(probe)) {
        Some((p, _)) => Err(format!("apt-get finished but {p} is still missing")),
        None => Ok(()),
    }
}

/// `pip install` into the machine's Python.
fn pip_install(packages: &[&str]) -> Result<(), String> {
    let pip = || {
        let mut pip = cmd("python3");
        pip.args(["-m", "pip", "install", "--quiet"]).args(packages);
        pip
    };
    // A Debian Python refuses installs outside a venv (PEP 668) unless told.
    crate::run(&mut pip()).or_else(|_| crate::run(pip().arg("--break-system-packages")))
}

/// MkDocs Material (pip) and mdBook (cargo), each only when missing.
fn docs_generators() -> Result<(), String> {
    let mkdocs = output_of(cmd("python3").args(["-c", "import material, mkdocs"])).is_some();
    if !step("mkdocs-material (docs site for the embed tests)", mkdocs) {
        pip_install(&[MKDOCS_MATERIAL])?;
    }
    let have = output_of(cmd("mdbook").arg("--version")).unwrap_or_default();
    if !step(
        &format!("mdbook {MDBOOK_VERSION} (docs site for the embed tests)"),
        have == format!("mdbook v{MDBOOK_VERSION}"),
    ) {
        // `mdbook build` is all the tests run: without `serve` and `watch`
        // (tokio, axum, notify) the install compiles in a fraction of the time.
        crate::run(cmd("cargo").args(["install", "--locked", "mdbook", "--version", MDBOOK_VERSION]).args([
            "--no-default-features",
            "--features",
            "search",
        ]))?;
    }
    Ok(())
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    let debian = std::path::Path::new("/etc/debian_version").exists();
    let root_user = output_of(cmd("id").arg("-u")).as_deref() == Some("0");
    if !(debian && root_user) {
        let list = packages.join(" ");
        return Err(format!("install {list} (Debian/Ubuntu: `sudo apt-get install -y {list}`), then run this again"));
    }
    crate::run(cmd("apt-get").arg("update"))?;
    crate::run(
        cmd("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn chromium() -> Result<(), String> {
    if step("chromium and chromedriver", browser().is_some()) {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])?;
    browser().map(drop).ok_or_else(|| "apt-get finished but chromium/chromedriver are still not on PATH".into())
}
