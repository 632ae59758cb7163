//! `cargo xtask test`: every layer, in order, stopping at the first failure.

use crate::{cmd, root, run_captured, setup, size};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    fn add(&mut self, layer: &str, (passed, failed): (u64, u64)) {
        println!("--> {layer}: {passed} passed, {failed} failed");
        self.passed += passed;
        self.failed += failed;
    }

    /// The closing line CI reads, then the verdict.
    fn finish(&self, failure: Option<String>) -> Result<(), String> {
        println!("\n{} passed, {} failed", self.passed, self.failed);
        match failure {
            Some(msg) => Err(msg),
            None if self.failed > 0 => Err("some tests failed".into()),
            None => Ok(()),
        }
    }
}

pub fn run() -> Result<(), String> {
    setup::run(setup::Need::Everything)?;
    let mut tally = Tally::default();
    let failure = layers(&mut tally).err();
    tally.finish(failure)
}

fn layers(tally: &mut Tally) -> Result<(), String> {
    // With the prerenderer, whose unit tests need the view built natively.
    println!("\n==> native tests (cargo test --workspace --features statelab/prerender)");
    let (ok, out) = run_captured(cmd("cargo").args([
        "test",
        "--workspace",
        "--features",
        "statelab/prerender",
        "--color",
        "never",
    ]))?;
    tally.add("native", cargo_counts(&out));
    if !ok {
        return Err("native tests failed (see above)".into());
    }

    // The workspace build unifies features, so the run above tests the
    // engine with `load-runs` (tree-backed tables); the page ships it
    // without (sorted-vector tables, sim/src/base/table.rs). Its unit tests, again
    // as the page builds it.
    println!("\n==> engine unit tests as the page builds it (no default features)");
    let (ok, out) = run_captured(cmd("cargo").args([
        "test",
        "-p",
        "statelab-sim",
        "--no-default-features",
        "--lib",
        "--color",
        "never",
    ]))?;
    tally.add("engine as the page builds it", cargo_counts(&out));
    if !ok {
        return Err("the engine's unit tests failed without default features (see above)".into());
    }

    // And as each kind's own bundle builds it: a bundle with one kind carries
    // only that kind's tours (sim/src/fleet/kind.rs), which neither build above is.
    for (_, feature, _) in statelab_sim::fleet::KINDS {
        println!("\n==> engine unit tests as the `{feature}` bundle builds it");
        let (ok, out) = run_captured(cmd("cargo").args([
            "test",
            "-p",
            "statelab-sim",
            "--no-default-features",
            "--features",
            feature,
            "--lib",
            "--color",
            "never",
        ]))?;
        tally.add(&format!("engine as the `{feature}` bundle builds it"), cargo_counts(&out));
        if !ok {
            return Err(format!("the engine's unit tests failed with only `{feature}` (see above)"));
        }
    }

    println!();
    let (agree, of) = crate::twin::run(&[])?;
    tally.add("real-fleet twin", (agree, of - agree));
    if agree < of {
        return Err("the real fleet disagrees with the simulation (see the table above)".into());
    }

    println!("\n==> component tests in headless Chromium (wasm-bindgen-test)");
    let (_, driver) = setup::browser().ok_or("chromedriver disappeared after setup")?;
    let (ok, out) = run_captured(
        cmd("cargo")
            .args(["test", "--target", "wasm32-unknown-unknown", "-p", "statelab", "--color", "never"])
            .env("CHROMEDRIVER", &driver),
    )?;
    tally.add("browser", cargo_counts(&out));
    if !ok {
        return Err("component tests in Chromium failed (see above)".into());
    }

    println!();
    crate::build()?;
    // Every page's bytes before first paint, and each bundle's JS and wasm.
    let report = size::report()?;
    let failures = report.failures();
    let checks = 1 + report.bundles.len() as u64;
    tally.add("size budgets", (checks - failures.len() as u64, failures.len() as u64));
    if !failures.is_empty() {
        return Err(failures.join("; "));
    }

    println!("\n==> end-to-end tests (Playwright, Chromium, dist/ served on loopback)");
    let (chromium, _) = setup::browser().ok_or("chromium disappeared after setup")?;
    let report_path = root().join("target/e2e/report.json");
    let _ = std::fs::remove_file(&report_path);
    let (ok, _) = run_captured(
        cmd("npx")
            .args(["playwright", "test"])
            .env("CHROMIUM", &chromium)
            .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report_path),
    )?;
    let counts = playwright_counts(&report_path)?;
    tally.add("end-to-end", counts);
    if !ok {
        return Err("end-to-end tests failed (see above)".into());
    }
    if counts.0 == 0 {
        return Err("Playwright ran no test".into());
    }
    Ok(())
}

/// Sums cargo's and wasm-bindgen-test's `test result: … N passed; M failed` lines.
fn cargo_counts(output: &str) -> (u64, u64) {
    let num = |line: &str, word: &str| -> u64 {
        line.split(';')
            .find_map(|part| part.trim().strip_suffix(word)?.split_whitespace().last()?.parse().ok())
            .unwrap_or(0)
    };
    output
        .lines()
        .filter(|l| l.starts_with("test result:"))
        .fold((0, 0), |(p, f), l| (p + num(l, " passed"), f + num(l, " failed")))
}

fn playwright_counts(path: &std::path::Path) -> Result<(u64, u64), String> {
    let text =
        std::fs::read_to_string(path).map_err(|_| format!("Playwright wrote no report at {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("Playwright report: {e}"))?;
    let stat = |k: &str| v["stats"][k].as_u64().unwrap_or(0);
    Ok((stat("expected") + stat("flaky"), stat("unexpected")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_and_wasm_bindgen_result_lines() {
        let out = "test result: ok. 20 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
                   noise\n\
                   test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 filtered out; finished in 0.03s\n";
        assert_eq!(cargo_counts(out), (21, 2));
        assert_eq!(cargo_counts("no tests"), (0, 0));
    }
}
