//! What the simulated FTP server answers on a control connection, with the
//! words vsftpd 3.0 uses. The session's state ([`FtpSession`]) is all it
//! reads and changes; a `LIST` or `RETR` asks the lane to use the data
//! connection `PASV` opened, so they come back as a [`Transfer`] to start.

use super::tree::{self, Node};
use super::FtpSession;
use crate::base::ids::ServerNo;
use crate::wire::ftp::{Command, Reply, Verb};

/// What the server does with one command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// It replies and that is all.
    Reply(Reply),
    /// It sends something on the passive data connection on `port`: first
    /// the 150 reply, then the bytes, then 226 once they have all gone.
    Transfer {
        /// The 150 reply.
        start: Reply,
        /// The passive port whose connection carries it.
        port: u16,
        /// A directory listing (`None`), or this file from byte `offset`.
        file: Option<(&'static Node, u64)>,
        /// The listing's text (empty for a file).
        listing: String,
    },
    /// `QUIT`: 221, then the server closes the connection.
    Quit(Reply),
}

/// The greeting on a new control connection, in two lines, the second
/// naming the server: which one a session lives on matters here.
pub(crate) fn greeting(server: ServerNo) -> Reply {
    Reply::multi(
        220,
        &["Statelab FTP: the same files on every server,", &format!("but your session lives on S{server}.")],
    )
}

/// The reply when a passive data connection never reached this server.
pub(crate) fn no_data_connection() -> Reply {
    Reply::new(425, "Failed to establish connection.")
}

/// The reply after the last byte of a listing or file.
pub(crate) fn transfer_done(listing: bool) -> Reply {
    Reply::new(226, if listing { "Directory send OK." } else { "Transfer complete." })
}

/// The reply when the idle timeout closes a control connection.
pub(crate) fn timed_out() -> Reply {
    Reply::new(421, "Timeout.")
}

/// The server's answer to `cmd` on the session `s`. `password` says whether
/// a name and password match an account; `pasv_port` is the port a `PASV`
/// now would listen on (drawn by the lane from its stream).
pub(crate) fn answer(
    s: &mut FtpSession,
    cmd: &Command,
    password_ok: impl Fn(&str, &str) -> bool,
    pasv_port: u16,
) -> Answer {
    let arg = cmd.arg.as_deref().unwrap_or("");
    let reply = |code, text: &str| Answer::Reply(Reply::new(code, text));
    match cmd.verb {
        Verb::User => {
            s.user = Some(arg.to_owned());
            s.logged_in = false;
            reply(331, "Please specify the password.")
        }
        Verb::Pass => match &s.user {
            None => reply(503, "Login with USER first."),
            Some(user) if password_ok(user, arg) => {
                s.logged_in = true;
                reply(230, "Login successful.")
            }
            Some(_) => {
                s.user = None;
                reply(530, "Login incorrect.")
            }
        },
        Verb::Quit => Answer::Quit(Reply::new(221, "Goodbye.")),
        _ if !s.logged_in => reply(530, "Please login with USER and PASS."),
        Verb::Syst => reply(215, "UNIX Type: L8"),
        Verb::Noop => reply(200, "NOOP ok."),
        Verb::Pwd => reply(257, &format!("\"{}\" is the current directory", s.cwd.replace('"', "\"\""))),
        Verb::Cwd | Verb::Cdup => {
            let to = tree::resolve(&s.cwd, if cmd.verb == Verb::Cdup { ".." } else { arg });
            match tree::node(&to) {
                Some(n) if n.dir => {
                    s.cwd = to;
                    reply(250, "Directory successfully changed.")
                }
                _ => reply(550, "Failed to change directory."),
            }
        }
        Verb::Type => match arg.to_ascii_uppercase().as_str() {
            "I" | "L 8" => {
                s.binary = true;
                reply(200, "Switching to Binary mode.")
            }
            "A" | "A N" => {
                s.binary = false;
                reply(200, "Switching to ASCII mode.")
            }
            _ => reply(500, "Unrecognised TYPE command."),
        },
        Verb::Rest => match arg.parse::<u64>() {
            Ok(n) => {
                s.rest = n;
                reply(350, &format!("Restart position accepted ({n})."))
            }
            Err(_) => reply(501, "REST: bad offset."),
        },
        Verb::Size => match tree::node(&tree::resolve(&s.cwd, arg)) {
            Some(n) if !n.dir => reply(213, &n.size.to_string()),
            _ => reply(550, "Could not get file size."),
        },
        Verb::Pasv | Verb::Epsv => {
            s.passive = Some(pasv_port);
            if cmd.verb == Verb::Epsv {
                reply(229, &format!("Entering Extended Passive Mode (|||{pasv_port}|)"))
            } else {
                Answer::Reply(crate::wire::ftp::pasv_reply(super::FTP_ADDR, pasv_port))
            }
        }
        Verb::List | Verb::Nlst | Verb::Retr => {
            let Some(port) = s.passive.take() else {
                return reply(425, "Use PORT or PASV first.");
            };
            let rest = std::mem::take(&mut s.rest);
            if cmd.verb == Verb::Retr {
                return match tree::node(&tree::resolve(&s.cwd, arg)) {
                    Some(n) if !n.dir && rest <= n.size => Answer::Transfer {
                        start: Reply::new(
                            150,
                            &format!(
                                "Opening {} mode data connection for {} ({} bytes).",
                                if s.binary { "BINARY" } else { "ASCII" },
                                tree::name(n.path),
                                n.size
                            ),
                        ),
                        port,
                        file: Some((n, rest)),
                        listing: String::new(),
                    },
                    _ => reply(550, "Failed to open file."),
                };
            }
            let dir = if arg.is_empty() { s.cwd.clone() } else { tree::resolve(&s.cwd, arg) };
            let listing = if cmd.verb == Verb::List {
                tree::listing(&dir)
            } else {
                tree::children(&dir).map(|n| format!("{}\r\n", tree::name(n.path))).collect()
            };
            Answer::Transfer { start: Reply::new(150, "Here comes the directory listing."), port, file: None, listing }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::START;

    fn run(s: &mut FtpSession, line: &str) -> Answer {
        answer(s, &crate::wire::ftp::parse_command(line).unwrap(), |u, p| u == "alice" && p == "pw", 50_004)
    }

    fn code(a: Answer) -> u16 {
        match a {
            Answer::Reply(r) | Answer::Quit(r) | Answer::Transfer { start: r, .. } => r.code,
        }
    }

    /// The server remembers: who logged in, where they are, the type and the
    /// restart offset, each changing what a later command gets.
    #[test]
    fn a_session_remembers_what_earlier_commands_set() {
        let mut s = FtpSession::new(1, 1, START);
        assert_eq!(code(run(&mut s, "CWD pub")), 530, "nothing before login");
        assert_eq!(code(run(&mut s, "PASS pw")), 503);
        assert_eq!(code(run(&mut s, "USER alice")), 331);
        assert_eq!(code(run(&mut s, "PASS nope")), 530);
        assert_eq!(code(run(&mut s, "USER alice")), 331);
        assert_eq!(code(run(&mut s, "PASS pw")), 230);
        assert_eq!(code(run(&mut s, "CWD pub")), 250);
        assert_eq!(code(run(&mut s, "CWD nowhere")), 550);
        match run(&mut s, "PWD") {
            Answer::Reply(r) => assert_eq!(r.to_wire(), "257 \"/pub\" is the current directory\r\n"),
            other => panic!("{other:?}"),
        }
        assert_eq!(code(run(&mut s, "RETR big.bin")), 425, "no PASV yet");
        assert_eq!(code(run(&mut s, "TYPE I")), 200);
        assert_eq!(code(run(&mut s, "REST 4000")), 350);
        assert_eq!(code(run(&mut s, "PASV")), 227);
        match run(&mut s, "RETR big.bin") {
            Answer::Transfer { file: Some((n, 4000)), port: 50_004, start, .. } => {
                assert_eq!(n.path, "/pub/big.bin");
                assert_eq!(start.lines[0], "Opening BINARY mode data connection for big.bin (12000 bytes).");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.rest, 0, "REST holds for one RETR");
        assert_eq!(s.passive, None, "a passive port serves one transfer");
    }
}
