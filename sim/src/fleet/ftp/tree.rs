//! The files every server of a file lane serves, the same on each (as if
//! from one shared disk): a small tree, its listing lines and its bytes,
//! all computed, so every server and every lane agree byte for byte.

/// One entry of the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its absolute path: `/pub/big.bin`.
    pub path: &'static str,
    /// A directory, or a file of `size` bytes.
    pub dir: bool,
    /// Bytes of a file (0 for a directory).
    pub size: u64,
}

/// The tree: `/readme.txt`, `/pub/` with `big.bin` and `notes.txt`.
pub const TREE: [Node; 5] = [
    Node { path: "/", dir: true, size: 0 },
    Node { path: "/readme.txt", dir: false, size: 120 },
    Node { path: "/pub", dir: true, size: 0 },
    Node { path: "/pub/big.bin", dir: false, size: 12_000 },
    Node { path: "/pub/notes.txt", dir: false, size: 300 },
];

/// The date every listing line shows.
pub(crate) const MTIME: &str = "Jan 15 09:00";

/// The node at `path` (absolute, normalised), if there is one.
pub(crate) fn node(path: &str) -> Option<&'static Node> {
    TREE.iter().find(|n| n.path == path)
}

/// `arg` resolved against the working directory `cwd`, as a server resolves
/// a `CWD` or `RETR` argument: absolute when it starts with `/`, `..` goes up
/// (never above `/`), `.` and empty parts are skipped.
pub(crate) fn resolve(cwd: &str, arg: &str) -> String {
    let mut parts: Vec<&str> = if arg.starts_with('/') { Vec::new() } else { cwd.split('/').collect() };
    for p in arg.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.retain(|s| !s.is_empty());
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined: Vec<&str> = parts.into_iter().filter(|s| !s.is_empty()).collect();
    format!("/{}", joined.join("/"))
}

/// The entries directly inside directory `dir`, in the tree's order.
pub(crate) fn children(dir: &str) -> impl Iterator<Item = &'static Node> + '_ {
    TREE.iter().filter(move |n| n.path != "/" && parent(n.path) == dir)
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "/",
    }
}

/// The last part of a path: `big.bin`.
pub(crate) fn name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A directory's listing as vsftpd sends it on the data connection: one
/// `ls -l` line a child, each ending in CRLF.
pub(crate) fn listing(dir: &str) -> String {
    children(dir).map(|n| crate::wire::ftp::list_line(name(n.path), n.size, n.dir, MTIME) + "\r\n").collect()
}

/// The bytes of file `node`: printable ASCII (so HTTP bodies carry them as
/// text) in lines of 100 bytes, `big.bin 00001 ` then filler, cut at the
/// file's size; every line differs, so a resume at the wrong offset shows.
pub fn content(node: &Node) -> String {
    const FILLER: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(node.size as usize + 100);
    let mut line = 0u32;
    while (out.len() as u64) < node.size {
        line += 1;
        let head = format!("{} {line:05} ", name(node.path));
        out.push_str(&head);
        let mut fill = 99usize.saturating_sub(head.len());
        while fill > 0 {
            let take = fill.min(FILLER.len());
            out.push_str(&FILLER[..take]);
            fill -= take;
        }
        out.push('\n');
    }
    out.truncate(node.size as usize);
    out
}

/// Whether `text` is a path the notation can carry and the lanes accept: 1
/// to 64 bytes of letters, digits, `-`, `_`, `/` and single dots between
/// them (a dot is a word break in links, so `..` and a trailing dot cannot
/// travel). The error says why not.
pub fn check_path(text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > 64 {
        return Err("a path is 1 to 64 characters".into());
    }
    if let Some(c) = text.chars().find(|&c| !(c.is_ascii_alphanumeric() || "-_/.".contains(c))) {
        return Err(format!(
            "“{}” cannot be in a path here: letters, digits, - _ / and . only",
            crate::base::quote::quoted(&c.to_string())
        ));
    }
    if text.contains("..") || text.starts_with('.') || text.ends_with('.') || text.contains("/.") || text.contains("./")
    {
        return Err("a dot goes between two names (`big.bin`); to go up, give the full path, such as `/`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_as_a_server_resolves_them() {
        assert_eq!(resolve("/", "pub"), "/pub");
        assert_eq!(resolve("/pub", "big.bin"), "/pub/big.bin");
        assert_eq!(resolve("/pub", "/readme.txt"), "/readme.txt");
        assert_eq!(resolve("/pub", ".."), "/");
        assert_eq!(resolve("/", "../../x"), "/x");
    }

    #[test]
    fn files_have_their_size_and_listings_their_lines() {
        for n in TREE.iter().filter(|n| !n.dir) {
            assert_eq!(content(n).len() as u64, n.size, "{}", n.path);
        }
        let big = content(node("/pub/big.bin").unwrap());
        assert!(big.starts_with("big.bin 00001 abc"));
        assert_eq!(&big[100..114], "big.bin 00002 ");
        assert!(big.lines().all(|l| l.len() == 99));
        assert_eq!(
            listing("/"),
            "-rw-r--r--    1 ftp      ftp           120 Jan 15 09:00 readme.txt\r\n\
             drwxr-xr-x    2 ftp      ftp             0 Jan 15 09:00 pub\r\n"
        );
    }

    #[test]
    fn paths_the_notation_cannot_carry_are_refused() {
        assert!(check_path("/pub").is_ok());
        assert!(check_path("big.bin").is_ok());
        for bad in ["", "..", "a..b", "/pub/.", "a b", "x\u{e9}"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
