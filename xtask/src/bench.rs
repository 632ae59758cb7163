//! `cargo xtask bench`: the engine's throughput natively (criterion) and in
//! wasm32 in headless Chromium (wasm-bindgen-test's criterion), summarised
//! as requests per second; then the shipped page's size, its first render
//! against a bare Yew counter, and one action's render time.

use crate::{cmd, run_captured, setup};

pub fn run() -> Result<(), String> {
    setup::run(setup::Need::Everything)?;
    println!("==> native engine benchmarks (criterion)");
    let (ok, native) = run_captured(cmd("cargo").args(["bench", "-p", "statelab-sim", "--bench", "throughput"]))?;
    if !ok {
        return Err("native benchmarks failed".into());
    }
    println!("\n==> wasm32 engine benchmarks in headless Chromium");
    let (_, driver) = setup::browser().ok_or("chromedriver is missing")?;
    let (ok, wasm) = run_captured(
        cmd("cargo")
            .args(["bench", "--target", "wasm32-unknown-unknown", "-p", "statelab", "--bench", "engine_wasm"])
            .env("CHROMEDRIVER", driver)
            // A benchmark holds the page's thread for longer than the runner's
            // default 20 s poll allows.
            .env("WASM_BINDGEN_TEST_TIMEOUT", "900"),
    )?;
    if !ok {
        return Err("wasm benchmarks failed".into());
    }
    crate::build()?;
    crate::build_counter()?;
    crate::size::report()?;
    let (chromium, _) = setup::browser().ok_or("chromium is missing")?;
    println!("\n==> first render against a bare Yew counter (Playwright, DevTools protocol throttling)");
    crate::run(cmd("node").arg("e2e/bench/first-render.mjs").env("CHROMIUM", &chromium))?;
    println!("\n==> render benchmark (Playwright, Performance API)");
    crate::run(cmd("node").arg("e2e/bench/render.mjs").env("CHROMIUM", &chromium))?;
    println!("\n==> a 100,000-action link: open, Undo, reconfigure (Playwright, Performance API)");
    crate::run(cmd("node").arg("e2e/bench/big-log.mjs").env("CHROMIUM", &chromium))?;
    println!("\n==> requests per second (median)");
    for (name, rps) in throughputs(&native, 20_000)
        .into_iter()
        .map(|(n, r)| (format!("native {n}"), r))
        .chain(throughputs(&wasm, 20_000).into_iter().map(|(n, r)| (format!("wasm32 {n}"), r)))
    {
        println!("  {name:<52} {rps:>12.0}");
    }
    Ok(())
}

/// Pairs each benchmark name with `requests / median time` from criterion's
/// `time: [low median high]` lines.
fn throughputs(output: &str, requests: u32) -> Vec<(String, f64)> {
    let mut name = String::new();
    let mut out = Vec::new();
    for line in strip_ansi(output).lines() {
        let line = line.trim();
        if let Some(rest) = line.split("time:").nth(1) {
            let head = line.split("time:").next().unwrap_or("").trim();
            if !head.is_empty() {
                name = head.to_owned();
            }
            let parts: Vec<&str> = rest.trim().trim_matches(['[', ']']).split_whitespace().collect();
            if let (Some(v), Some(unit)) = (parts.get(2).and_then(|v| v.parse::<f64>().ok()), parts.get(3)) {
                let secs = v * match *unit {
                    "ns" => 1e-9,
                    "µs" | "us" => 1e-6,
                    "ms" => 1e-3,
                    _ => 1.0,
                };
                out.push((name.clone(), f64::from(requests) / secs));
            }
        } else if !line.is_empty()
            && !line.starts_with(|c: char| c.is_ascii_digit())
            && !line.contains("thrpt")
            && !line.contains("change")
        {
            name = line.to_owned();
        }
    }
    out
}

/// wasm-bindgen-test colours its report; the colour codes go.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_medians() {
        let out = "load/jwt_round_robin    time:   [32.249 ms 32.429 ms 32.625 ms]\n\
                   thrpt:  [613.02 Kelem/s 616.74 Kelem/s 620.17 Kelem/s]\n\
                   load/local (20000 requests)\n\
                   time:   [19.0 ms 20.0 ms 21.0 ms]\n";
        let t = throughputs(out, 20_000);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].0, "load/jwt_round_robin");
        assert!((t[0].1 - 616_732.0).abs() < 1.0, "{}", t[0].1);
        assert_eq!(t[1], ("load/local (20000 requests)".to_owned(), 1_000_000.0));
    }

    #[test]
    fn reads_wasm_bindgen_tests_coloured_report() {
        let out = "\u{1b}[32mload/local_sessions_sticky (20000 requests)\u{1b}[0m\n\
                   \u{1b}[32m\u{1b}[0m                        time:   [\u{1b}[2m23.243 ms\u{1b}[0m \u{1b}[1m23.288 ms\u{1b}[0m \u{1b}[2m23.333 ms\u{1b}[0m]\n";
        let t = throughputs(out, 20_000);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].0, "load/local_sessions_sticky (20000 requests)");
        assert!((t[0].1 - 858_811.4).abs() < 1.0, "{}", t[0].1);
    }
}
