//! The stateless counterpart of the FTP server: the same files over HTTP.
//! Every request names its file by its full path (`GET /files/pub/big.bin`)
//! and carries its credentials (`Authorization: Basic`, RFC 7617); a
//! download resumes with `Range: bytes=N-` (RFC 9110 §14), answered `206`
//! with `Content-Range`. The server keeps nothing between requests.

use crate::fleet::ftp::{tree, RATE_BPS};
use crate::fleet::handling::{Ctx, SERVER_MS};
use crate::wire::http::{Headers, Request, Response};

/// Where the files are under the HTTP server's root.
pub const FILES_PREFIX: &str = "/files";

/// The `Authorization` value for `user` and `password`: `Basic ` and the
/// base64 of `user:password`.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", crate::wire::b64::encode_padded(format!("{user}:{password}").as_bytes()))
}

/// A server's answer to one request for a file or a directory.
pub(in crate::fleet) fn handle(cx: &mut Ctx, req: &Request) -> Response {
    cx.cost.latency_ms += SERVER_MS;
    cx.server.handled += 1;
    let date = cx.now.http_date();
    let answer = |status: u16, body: String, extra: Vec<(&'static str, String)>| {
        let mut headers = Headers::default();
        headers.push("Date", date.clone());
        headers.push("Content-Type", "text/plain; charset=utf-8");
        headers.push("Content-Length", body.len().to_string());
        for (name, value) in extra {
            headers.push(name, value);
        }
        Response { status, headers, body }
    };
    let Some(user) = credentials(cx, req) else {
        return answer(
            401,
            "log in: send Authorization: Basic\n".into(),
            vec![("WWW-Authenticate", "Basic realm=\"files\"".into())],
        );
    };
    if req.method != "GET" {
        cx.trace.say(|| format!("{} is not served here: files are read with GET", req.method));
        return answer(405, "GET only\n".into(), vec![("Allow", "GET".into())]);
    }
    let Some(path) = req.path().strip_prefix(FILES_PREFIX).filter(|p| p.starts_with('/')) else {
        cx.trace.say(|| format!("{} is not under {FILES_PREFIX}/", req.path()));
        return answer(404, "not found\n".into(), vec![]);
    };
    let full = tree::resolve("/", path);
    match tree::node(&full) {
        Some(n) if n.dir => {
            cx.trace.say(|| format!("{user} lists {full}: the path came whole in the URL, nothing is remembered"));
            answer(200, tree::listing(&full), vec![])
        }
        Some(n) => {
            let body = tree::content(n);
            match req.headers.get("Range") {
                None => {
                    // Said when the answer starts: the body then takes its time
                    // (`RATE_BPS`), and a crash may cut it (`lane/ftp.rs`).
                    cx.trace.say(|| {
                        format!("{user} asks for {full} whole (no Range): 200, {} bytes at {RATE_BPS} a second", n.size)
                    });
                    answer(200, body, vec![("Accept-Ranges", "bytes".into())])
                }
                Some(range) => {
                    match range_start(range) {
                        Some(from) if from < n.size => {
                            cx.trace.say(|| {
                            format!("Range asks from byte {from}: the offset came in the request, the server kept nothing")
                        });
                            let last = n.size - 1;
                            answer(
                                206,
                                body[from as usize..].to_owned(),
                                vec![("Content-Range", format!("bytes {from}-{last}/{}", n.size))],
                            )
                        }
                        Some(_) => {
                            cx.trace.say(|| format!("`{range}` starts past the end of {full} ({} bytes)", n.size));
                            answer(416, String::new(), vec![("Content-Range", format!("bytes */{}", n.size))])
                        }
                        None => {
                            // RFC 9110 §14.2: a Range the server does not understand is ignored.
                            cx.trace.say(|| format!("`{range}` is not bytes=N-: ignored, the whole file is sent"));
                            answer(200, body, vec![("Accept-Ranges", "bytes".into())])
                        }
                    }
                }
            }
        }
        None => {
            cx.trace.say(|| format!("no file or directory {full}"));
            answer(404, "not found\n".into(), vec![])
        }
    }
}

/// The user whose name and password the request's `Authorization: Basic`
/// carries, checked against the database; the trace says why not.
fn credentials(cx: &mut Ctx, req: &Request) -> Option<String> {
    let Some(value) = req.headers.get("Authorization") else {
        cx.trace.say(|| "no Authorization header: every request must carry the credentials".into());
        return None;
    };
    let pair =
        value.strip_prefix("Basic ").and_then(crate::wire::b64::decode_padded).and_then(|b| String::from_utf8(b).ok());
    let Some((user, password)) = pair.as_deref().and_then(|p| p.split_once(':')) else {
        cx.trace.say(|| "Authorization is not Basic base64(user:password)".into());
        return None;
    };
    if cx.backend.db.password(user) != Some(password) {
        cx.trace.say(|| format!("wrong password for {user}: refused, as on every request that carries it"));
        return None;
    }
    cx.trace.say(|| format!("Authorization: Basic names {user}, password checked: no session, this request alone"));
    Some(user.to_owned())
}

/// `N` of `bytes=N-`, the one form the client sends; `None` for any other.
pub(crate) fn range_start(value: &str) -> Option<u64> {
    let digits = value.strip_prefix("bytes=")?.strip_suffix('-')?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_and_ranges_have_their_rfc_forms() {
        // RFC 7617 §2's example.
        assert_eq!(basic("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(range_start("bytes=4000-"), Some(4000));
        for bad in ["bytes=-500", "bytes=1-2", "bytes=", "items=1-", "bytes=99999999999999999999-"] {
            assert_eq!(range_start(bad), None, "{bad}");
        }
    }
}
