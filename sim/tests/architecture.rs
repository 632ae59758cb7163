//! The engine's architecture, checked: each folder of `src/` is a layer, a
//! module names only modules of its own layer or of the layers below it, and
//! no two modules name each other, however indirectly.
//!
//! The check reads the source as text, as rust-analyzer's own architecture
//! tests do: paths are what `crate::…` and `super::…` name in code (comments
//! and test modules aside). Group imports from the crate root
//! (`use crate::{a, b}`) are refused so that every path names its layer.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first, as `lib.rs` lists them.
const LAYERS: [&str; 8] = ["base", "wire", "fleet", "playground", "text", "tours", "load", "link"];

/// A module's path below the crate root: `["fleet", "lane"]` for `fleet/lane.rs`.
type Module = Vec<String>;

struct Source {
    module: Module,
    file: PathBuf,
    /// The file's code without comments and without its `#[cfg(test)]` tail.
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files
        .into_iter()
        .filter(|f| !f.starts_with(root.join("bin")))
        .map(|file| {
            let rel = file.strip_prefix(&root).unwrap();
            let mut module: Module = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
            let last = module.pop().unwrap();
            if last != "mod.rs" && last != "lib.rs" {
                module.push(last.trim_end_matches(".rs").to_owned());
            }
            let text = fs::read_to_string(&file).unwrap();
            Source { module, file: rel.to_owned(), code: code_of(&text) }
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code lines only: line comments (docs included) say things like "a load
/// run (`crate::load`)" without importing anything, and a file's unit tests
/// (`#[cfg(test)] mod tests`, always last) may reach anywhere.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or(text);
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// What a source names: each path after `crate::` or a chain of `super::`,
/// as written (`["fleet", "lane", "Lane"]`), one per item of a `{…}` group.
fn named(source: &Source) -> Vec<Vec<String>> {
    let code = &source.code;
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
        let before = &code[..at];
        // The middle of a `super::super::` chain, or `pub(super)`: not a path's start.
        if before.ends_with("super::") || before.ends_with("pub(") || before.ends_with("pub(in ") {
            continue;
        }
        let mut rest = &code[at..];
        let mut base = Vec::new();
        if rest.starts_with("crate::") {
            rest = &rest["crate::".len()..];
        } else {
            base = source.module.clone();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
        }
        let (written, rest) = segments(rest);
        let mut path = base;
        path.extend(written);
        match rest.strip_prefix("{") {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for item in group.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    let (more, _) = segments(item);
                    out.push(path.iter().cloned().chain(more).collect());
                }
            }
            None => out.push(path),
        }
    }
    out
}

/// The `a::b::` segments at the start of `text` (the last one may have no
/// `::`), and what follows them.
fn segments(text: &str) -> (Vec<String>, &str) {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            return (out, rest);
        }
        out.push(rest[..end].to_owned());
        match rest[end..].strip_prefix("::") {
            Some(r) => rest = r,
            None => return (out, &rest[end..]),
        }
    }
}

/// What each module re-exports from its own parts: `(module, name)` → the
/// part it comes from (`pub use lane::{Lane, STEP_MS};` in `fleet/mod.rs`
/// makes `crate::fleet::Lane` a name of `fleet/lane`).
fn re_exports(sources: &[Source], modules: &BTreeSet<Module>) -> BTreeMap<(Module, String), Module> {
    let mut out = BTreeMap::new();
    for s in sources {
        for line in s.code.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("pub use ").or_else(|| line.strip_prefix("pub(crate) use ")) else {
                continue;
            };
            let (parts, rest) = segments(rest);
            let from: Module = s.module.iter().cloned().chain(parts.iter().cloned()).collect();
            let names: Vec<String> = match rest.strip_prefix('{') {
                Some(group) => group.trim_end_matches("};").split(',').map(str::to_owned).collect(),
                // `pub use a::b::Item;`: the last segment is the item.
                None => parts.last().cloned().into_iter().collect(),
            };
            let from = resolve(&from, modules, &BTreeMap::new());
            for name in names {
                let name = name.split(" as ").last().unwrap_or("").trim().trim_end_matches(';').to_owned();
                if !name.is_empty() && from != s.module {
                    out.insert((s.module.clone(), name), from.clone());
                }
            }
        }
    }
    out
}

/// The module a path names: its longest prefix that is a module of the
/// crate, or the part that module re-exports the next name from.
fn resolve(path: &[String], modules: &BTreeSet<Module>, re: &BTreeMap<(Module, String), Module>) -> Module {
    let m = (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| modules.contains(m)).unwrap_or_default();
    match path.get(m.len()).and_then(|next| re.get(&(m.clone(), next.clone()))) {
        Some(part) => part.clone(),
        None => m,
    }
}

/// An edge between two modules lifted to the children of their closest
/// common ancestor: `fleet/auth/jwt` naming `fleet/handling` is `fleet/auth`
/// → `fleet/handling`. `None` when one contains the other (a module and its
/// own parts may name each other).
fn lifted(from: &Module, to: &Module) -> Option<(Module, Module)> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if common == from.len() || common == to.len() {
        return None;
    }
    Some((from[..=common].to_vec(), to[..=common].to_vec()))
}

/// Every module's file, and the map of re-exports.
fn crate_map(sources: &[Source]) -> (BTreeSet<Module>, BTreeMap<(Module, String), Module>) {
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let re = re_exports(sources, &modules);
    (modules, re)
}

fn rank(layer: &str) -> usize {
    LAYERS.iter().position(|l| *l == layer).unwrap_or_else(|| panic!("`{layer}` is not a layer: add it to LAYERS"))
}

#[test]
fn every_folder_is_a_known_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut folders: Vec<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("bin"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    folders.sort_by_key(|f| rank(f));
    assert_eq!(folders, LAYERS, "one folder per layer, and nothing else at the root but lib.rs");
    let loose: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with("lib.rs"))
        .collect();
    assert!(loose.is_empty(), "modules belong in a layer's folder: {loose:?}");
}

#[test]
fn paths_name_their_layer() {
    let mut wrong = Vec::new();
    for s in sources().iter().filter(|s| !s.module.is_empty()) {
        wrong.extend(problems_naming(s));
    }
    assert!(wrong.is_empty(), "paths that hide their layer:\n{}", wrong.join("\n"));
}

/// A path from the crate root names a layer first (not one of `lib.rs`'s
/// conveniences, which would hide where a name comes from), and a group
/// holds items, not paths into modules (whose edges would be lost).
fn problems_naming(s: &Source) -> Vec<String> {
    let mut wrong = Vec::new();
    for (at, _) in s.code.match_indices("crate::") {
        let (written, rest) = segments(&s.code[at + "crate::".len()..]);
        match written.first() {
            Some(first) if LAYERS.contains(&first.as_str()) => {}
            _ => wrong.push(format!("{}: `crate::{}` does not name a layer", s.file.display(), written.join("::"))),
        }
        if let Some(group) = rest.strip_prefix('{') {
            if group[..group.find('}').unwrap_or(group.len())].contains("::") {
                wrong.push(format!(
                    "{}: a `{{…}}` group after `crate::{}` reaches into modules",
                    s.file.display(),
                    written.join("::")
                ));
            }
        }
    }
    wrong
}

#[test]
fn modules_import_only_downward() {
    let sources = sources();
    let (modules, re) = crate_map(&sources);
    let mut upward = Vec::new();
    for s in sources.iter().filter(|s| !s.module.is_empty()) {
        for path in named(s) {
            let to = resolve(&path, &modules, &re);
            if let Some(layer) = to.first() {
                if rank(layer) > rank(&s.module[0]) {
                    upward.push(format!(
                        "{} names {} (layer `{layer}` is above `{}`)",
                        s.file.display(),
                        path.join("::"),
                        s.module[0]
                    ));
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up a layer:\n{}", upward.join("\n"));
}

#[test]
fn no_import_cycles() {
    let sources = sources();
    let (modules, re) = crate_map(&sources);
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for s in &sources {
        for path in named(s) {
            if let Some((a, b)) = lifted(&s.module, &resolve(&path, &modules, &re)) {
                edges.entry(a).or_default().insert(b);
            }
        }
    }
    let cycles = cycles(&edges);
    let shown: Vec<String> =
        cycles.iter().map(|c| c.iter().map(|m| m.join("::")).collect::<Vec<_>>().join(" → ")).collect();
    assert!(cycles.is_empty(), "modules that import each other:\n{}", shown.join("\n"));
}

/// One cycle through each strongly connected group of modules, found by
/// walking from every module and stopping at the first way back.
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    let mut found: Vec<Vec<Module>> = Vec::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut cycle = trail.clone();
                    cycle.push(start.clone());
                    let members: BTreeSet<_> = cycle.iter().collect();
                    if !found.iter().any(|c| c.iter().collect::<BTreeSet<_>>() == members) {
                        found.push(cycle);
                    }
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    found
}

/// The checks themselves must be able to fail: made-up sources with an
/// upward import, a chain of `super::`, an edge hidden behind a layer's
/// re-export, a path through `lib.rs`'s conveniences and a cycle are caught.
#[test]
fn the_checks_catch_what_they_look_for() {
    let m = |p: &str| -> Module { p.split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect() };
    let source = |module: &str, code: &str| Source {
        module: m(module),
        file: format!("{module}.rs").into(),
        code: code_of(code),
    };
    let sources = [
        source("", "pub use playground::Action;"),
        source("fleet", "pub use lane::Lane;\npub(crate) use shop::{handle, MAX};"),
        source("fleet/lane", "use super::super::load::Run;\nuse crate::fleet::handle;"),
        source("fleet/shop", "use crate::fleet::Lane;\nuse crate::Action;\nuse crate::fleet::{lane::Lane, shop::MAX};"),
        source("wire", ""),
        source("wire/http", "// crate::link::Link in a comment\nuse crate::fleet::lane::Lane;\nuse super::json::Json;\n#[cfg(test)]\nmod tests {\n    use crate::load::Run;\n}"),
        source("wire/json", ""),
        source("load", ""),
        source("playground", ""),
    ];
    let (modules, re) = crate_map(&sources);
    let names = |i: usize| -> Vec<Module> { named(&sources[i]).iter().map(|p| resolve(p, &modules, &re)).collect() };
    // Upward, also through `super::super::`; the comment and the test module are not code.
    assert_eq!(names(5), [m("fleet/lane"), m("wire/json")]);
    assert_eq!(names(2), [m("fleet/shop"), m("load")]);
    // `crate::fleet::Lane` is `fleet/lane`, through `fleet/mod.rs`'s re-export.
    assert_eq!(names(3)[0], m("fleet/lane"));
    assert_eq!(problems_naming(&sources[3]).len(), 2, "{:?}", problems_naming(&sources[3]));
    let edges: BTreeMap<Module, BTreeSet<Module>> = [
        (m("fleet/lane"), [m("fleet/shop")].into()),
        (m("fleet/shop"), [m("fleet/lane")].into()),
        (m("fleet/client"), [m("fleet/shop")].into()),
    ]
    .into_iter()
    .collect();
    assert_eq!(cycles(&edges).len(), 1);
    assert_eq!(lifted(&m("fleet/auth/jwt"), &m("fleet/handling")), Some((m("fleet/auth"), m("fleet/handling"))));
    assert_eq!(lifted(&m("fleet/auth/jwt"), &m("fleet/auth")), None);
}
