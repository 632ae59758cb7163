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
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The module paths a source names: after `crate::` or `super::`.
fn named(source: &Source) -> Vec<Module> {
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent(&source.module))] {
        for (at, _) in source.code.match_indices(prefix) {
            // `pub(super)` is a visibility, not a path.
            if prefix == "super::" && source.code[..at].ends_with("pub(") {
                continue;
            }
            let rest = &source.code[at + prefix.len()..];
            let mut path = base.clone();
            path.extend(
                rest.split("::")
                    .map(|seg| seg.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(""))
                    .take_while(|seg| seg.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                    .map(str::to_owned),
            );
            out.push(path);
        }
    }
    out
}

fn parent(m: &Module) -> Module {
    m[..m.len().saturating_sub(1)].to_vec()
}

/// The longest prefix of `path` that is a module of the crate.
fn resolve(path: &Module, modules: &BTreeSet<Module>) -> Module {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| modules.contains(m)).unwrap_or_default()
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
    for s in sources() {
        assert!(!s.code.contains("crate::{"), "{}: name each layer in its own `use crate::layer::…`", s.file.display());
    }
}

#[test]
fn modules_import_only_downward() {
    let sources = sources();
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut upward = Vec::new();
    for s in sources.iter().filter(|s| !s.module.is_empty()) {
        for path in named(s) {
            let to = resolve(&path, &modules);
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
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for s in &sources {
        for path in named(s) {
            if let Some((a, b)) = lifted(&s.module, &resolve(&path, &modules)) {
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

/// The check itself must be able to fail: a made-up upward import and a
/// made-up cycle are caught.
#[test]
fn the_checks_catch_what_they_look_for() {
    let s = Source {
        module: vec!["wire".into(), "http".into()],
        file: "wire/http.rs".into(),
        code: code_of("// crate::link::Link in a comment\nuse crate::fleet::lane::Lane;\nuse super::json::Json;\n#[cfg(test)]\nmod tests {\n    use crate::load::Run;\n}"),
    };
    let modules: BTreeSet<Module> = [
        vec![],
        vec!["wire".into()],
        vec!["wire".into(), "json".into()],
        vec!["fleet".into()],
        vec!["fleet".into(), "lane".into()],
    ]
    .into_iter()
    .collect();
    let resolved: Vec<Module> = named(&s).iter().map(|p| resolve(p, &modules)).collect();
    assert_eq!(resolved, [vec!["fleet".to_owned(), "lane".to_owned()], vec!["wire".to_owned(), "json".to_owned()]]);
    assert!(rank(&resolved[0][0]) > rank("wire"));
    let m = |p: &str| -> Module { p.split('/').map(str::to_owned).collect() };
    let edges: BTreeMap<Module, BTreeSet<Module>> = [
        (m("fleet/auth"), [m("fleet/shop")].into()),
        (m("fleet/shop"), [m("fleet/auth")].into()),
        (m("fleet/lane"), [m("fleet/shop")].into()),
    ]
    .into_iter()
    .collect();
    assert_eq!(cycles(&edges).len(), 1);
    assert_eq!(lifted(&m("fleet/auth/jwt"), &m("fleet/handling")), Some((m("fleet/auth"), m("fleet/handling"))));
    assert_eq!(lifted(&m("fleet/auth/jwt"), &m("fleet/auth")), None);
}
