//! RFC 959 FTP control connection, exact to the byte: the command lines a
//! client sends (§4.1, §5.3), the replies a server sends (§4.2) in their
//! one-line and multi-line forms, the address in a PASV reply (227), and the
//! `LIST` line vsftpd writes on the data connection.
//!
//! Command lines come from users (typed in a console, edited in a
//! transcript) and replies from transcripts, so both parsers are strict and
//! bounded, and their errors say where: an argument is at most
//! [`MAX_ARG_BYTES`], a reply at most [`MAX_REPLY_LINES`] lines and
//! [`MAX_REPLY_BYTES`] bytes, and the reply parser never looks past that
//! bound, however much text follows. Positions use checked or saturating
//! arithmetic (`usize` is 32 bits on wasm32).
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use std::fmt::{self, Write};

/// The most bytes a command's argument may have. RFC 959 sets no limit;
/// servers do (vsftpd reads a 4 KiB line, ProFTPD 512 bytes by default), and
/// a path the simulation would send is far shorter.
pub const MAX_ARG_BYTES: usize = 512;

/// The most lines one reply may have, for [`parse_reply`]. A `FEAT` or
/// `HELP` reply is a few dozen; a reply that has not ended by then is
/// refused rather than read further.
pub const MAX_REPLY_LINES: usize = 64;

/// The most bytes one reply may take on the wire, CRLFs included, for
/// [`parse_reply`]: 8 KiB, ftplib's line limit, for the whole reply.
pub const MAX_REPLY_BYTES: usize = 8192;

/// A command verb the simulated client and server use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    /// `USER <name>`: who logs in (§4.1.1).
    User,
    /// `PASS <password>`: the password for the `USER` just sent.
    Pass,
    /// `SYST`: the server's operating system (`215 UNIX Type: L8`).
    Syst,
    /// `PWD`: the working directory, answered `257 "/pub"`.
    Pwd,
    /// `CWD <path>`: change the working directory.
    Cwd,
    /// `CDUP`: change to the parent directory.
    Cdup,
    /// `TYPE <code>`: how files are sent: `A` (ASCII) or `I` (image: the
    /// bytes as they are), also `E` and `L <byte size>`.
    Type,
    /// `PASV`: the server listens for the data connection and says where (227).
    Pasv,
    /// `EPSV [1|2|ALL]`: PASV for any address family (RFC 2428): only the port (229).
    Epsv,
    /// `LIST [path]`: a directory listing, one `ls -l` line a file.
    List,
    /// `NLST [path]`: names only.
    Nlst,
    /// `RETR <path>`: send a file over the data connection.
    Retr,
    /// `REST <offset>`: start the next `RETR` at this byte (RFC 3659 §5).
    Rest,
    /// `SIZE <path>`: a file's size in bytes (RFC 3659 §4).
    Size,
    /// `NOOP`: nothing; a keepalive.
    Noop,
    /// `QUIT`: close the control connection (221).
    Quit,
}

/// Whether a verb takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Always: `RETR` without a path means nothing.
    Required,
    /// Either way: `LIST` lists the working directory, `LIST sub` another.
    Optional,
    /// Never: `PWD x` is a syntax error (501).
    None,
}

impl Verb {
    /// Every verb, in the order of [`Verb`].
    pub const ALL: [Verb; 16] = [
        Verb::User,
        Verb::Pass,
        Verb::Syst,
        Verb::Pwd,
        Verb::Cwd,
        Verb::Cdup,
        Verb::Type,
        Verb::Pasv,
        Verb::Epsv,
        Verb::List,
        Verb::Nlst,
        Verb::Retr,
        Verb::Rest,
        Verb::Size,
        Verb::Noop,
        Verb::Quit,
    ];

    /// The verb as sent, in upper case: `RETR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::User => "USER",
            Verb::Pass => "PASS",
            Verb::Syst => "SYST",
            Verb::Pwd => "PWD",
            Verb::Cwd => "CWD",
            Verb::Cdup => "CDUP",
            Verb::Type => "TYPE",
            Verb::Pasv => "PASV",
            Verb::Epsv => "EPSV",
            Verb::List => "LIST",
            Verb::Nlst => "NLST",
            Verb::Retr => "RETR",
            Verb::Rest => "REST",
            Verb::Size => "SIZE",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
        }
    }

    /// The verb a word names, in any case (RFC 959 §5.3: command codes are
    /// case-insensitive); `None` for any other word. Only ASCII letters
    /// match, so no Unicode case folding can turn another word into a verb.
    pub fn from_word(w: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(w))
    }

    /// Whether the verb takes an argument (RFC 959 §5.3.1, RFC 2428 §3,
    /// RFC 3659 §4-5).
    pub fn takes_arg(self) -> Arg {
        match self {
            Verb::User | Verb::Pass | Verb::Cwd | Verb::Type | Verb::Retr | Verb::Rest | Verb::Size => Arg::Required,
            Verb::Epsv | Verb::List | Verb::Nlst => Arg::Optional,
            Verb::Syst | Verb::Pwd | Verb::Cdup | Verb::Pasv | Verb::Noop | Verb::Quit => Arg::None,
        }
    }

    /// What the argument is, for messages: `RETR needs a path`.
    fn arg_name(self) -> &'static str {
        match self {
            Verb::User => "a user name",
            Verb::Pass => "a password",
            Verb::Type => "a type: A (ASCII) or I (image, the bytes as they are)",
            Verb::Rest => "a byte offset",
            Verb::Epsv => "1, 2 or ALL",
            _ => "a path",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One command line: a verb and its argument, kept exactly as typed (a path
/// may start or end with spaces, and `type i` keeps its `i`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// What is asked.
    pub verb: Verb,
    /// Everything after the one space that follows the verb; `None` when
    /// nothing follows the verb.
    pub arg: Option<String>,
}

impl Command {
    /// A command as given. Nothing is checked here: a command built from
    /// values a user chose is sound exactly when
    /// `parse_command(&c.to_wire()) == Ok(c)`, which refuses a CR, LF or NUL
    /// in the argument before it could end the line early.
    pub fn new(verb: Verb, arg: Option<&str>) -> Command {
        Command { verb, arg: arg.map(str::to_owned) }
    }

    /// The exact bytes sent: the verb in upper case, a space and the
    /// argument if there is one, then CRLF: `RETR big.iso\r\n`.
    pub fn to_wire(&self) -> String {
        let mut out = self.shown();
        out.push_str("\r\n");
        out
    }

    /// The wire form without its CRLF, as a transcript shows it. `PASS`
    /// keeps its argument: the page shows the exact bytes that crossed, and
    /// a plaintext password on the control connection is part of the lesson.
    pub fn shown(&self) -> String {
        match &self.arg {
            Some(arg) => format!("{} {arg}", self.verb),
            None => self.verb.as_str().to_owned(),
        }
    }
}

/// Whether an [`FtpError`] is about text that is wrong or text that stops
/// too soon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FtpErrorKind {
    /// The text breaks a rule: no more of it can make it right.
    Invalid,
    /// Sound so far, but it ends before the reply (or line) does; the
    /// message says what is missing. A reader on a socket would wait for
    /// more.
    Incomplete,
}

/// Why text is not a valid command or reply, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpError {
    /// 1-based line of the text (always 1 for a command line).
    pub line: u32,
    /// 1-based column (in characters) on that line.
    pub column: u32,
    /// What is wrong, or what is missing, in the learner's words.
    pub message: String,
    /// Wrong or unfinished.
    pub kind: FtpErrorKind,
}

impl FtpError {
    /// Whether more text could make the input whole.
    pub fn is_incomplete(&self) -> bool {
        self.kind == FtpErrorKind::Incomplete
    }
}

impl fmt::Display for FtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for FtpError {}

fn invalid(line: u32, column: u32, message: impl Into<String>) -> FtpError {
    FtpError { line, column, message: message.into(), kind: FtpErrorKind::Invalid }
}

fn incomplete(line: u32, column: u32, message: impl Into<String>) -> FtpError {
    FtpError { line, column, message: message.into(), kind: FtpErrorKind::Incomplete }
}

/// A 0-based count as a 1-based line or column, saturating on absurd text.
fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1)
}

/// The 1-based column of byte `at` of `line`: characters before it, plus one.
fn column_of(line: &str, at: usize) -> u32 {
    pos(line.get(..at).map_or(0, |before| before.chars().count()))
}

/// Parses one command line as a user types it or as it crossed the wire,
/// with or without its final CRLF. The verb is matched in any case and
/// written back in upper case; the argument is everything after the one
/// space that follows the verb, kept exactly.
///
/// Refused, each naming its column: an empty line, a line starting with a
/// space, a verb that is not ASCII letters or not one of [`Verb::ALL`], a
/// bare CR or LF, a CRLF with more text after it (`RETR a\r\nDELE b` would
/// smuggle in a second command), a NUL, an argument past [`MAX_ARG_BYTES`],
/// a missing or extra argument (a space with nothing after it is an empty
/// argument, which no verb takes), and for `TYPE`, `REST` and `EPSV` an
/// argument their RFCs do not allow.
pub fn parse_command(line: &str) -> Result<Command, FtpError> {
    let body = line.strip_suffix("\r\n").unwrap_or(line);
    if body.is_empty() {
        return Err(invalid(1, 1, "empty command line: type a command such as `PWD` or `RETR big.iso`"));
    }
    // One pass, left to right, so the first problem in the line is the one
    // reported. Bytes of the argument are counted as they go by.
    let verb_end = body.find(' ').unwrap_or(body.len());
    let mut arg_bytes = 0usize;
    let mut column = 0u32;
    for (i, c) in body.char_indices() {
        column = column.saturating_add(1);
        match c {
            '\r' if body.as_bytes().get(i.saturating_add(1)) == Some(&b'\n') => {
                return Err(invalid(
                    1,
                    column,
                    format!(
                        "the CRLF at column {column} ends the command, but more follows it: one command a line \
                         (a CR or LF inside an argument would smuggle in a second command)"
                    ),
                ));
            }
            '\r' => {
                return Err(invalid(1, column, format!("a command line ends at CRLF; a bare CR at column {column}")));
            }
            '\n' => {
                return Err(invalid(1, column, format!("a command line ends at CRLF; a bare LF at column {column}")));
            }
            '\0' => {
                return Err(invalid(1, column, "a NUL byte: commands and their arguments may not contain NUL"));
            }
            _ => {}
        }
        if i < verb_end {
            if !c.is_ascii() {
                return Err(invalid(
                    1,
                    column,
                    format!("`{}`: a command verb is ASCII letters, such as RETR", quoted(&body[..verb_end])),
                ));
            }
            if !c.is_ascii_alphabetic() {
                let why = if c.is_ascii_whitespace() {
                    format!(
                        "`{}` after the verb: one space separates a verb from its argument",
                        quoted(c.encode_utf8(&mut [0; 4]))
                    )
                } else {
                    format!("`{}`: a command verb is letters only, such as RETR", quoted(&body[..verb_end]))
                };
                return Err(invalid(1, column, why));
            }
        } else if i > verb_end {
            arg_bytes = arg_bytes.saturating_add(c.len_utf8());
            if arg_bytes > MAX_ARG_BYTES {
                return Err(invalid(
                    1,
                    column,
                    format!("arguments are at most {MAX_ARG_BYTES} bytes; this one is longer from column {column}"),
                ));
            }
        }
    }
    let word = &body[..verb_end];
    if word.is_empty() {
        return Err(invalid(1, 1, "a command line starts with its verb, such as `RETR big.iso`, not with a space"));
    }
    let Some(verb) = Verb::from_word(word) else {
        let known: Vec<&str> = Verb::ALL.iter().map(|v| v.as_str()).collect();
        return Err(invalid(
            1,
            1,
            format!("unknown command `{}`: the simulated server knows {}", quoted(word), known.join(", ")),
        ));
    };
    // The verb is ASCII letters, so its length in bytes is its width in columns.
    let arg_column = pos(verb_end.saturating_add(1));
    let arg = body.get(verb_end.saturating_add(1)..).filter(|_| verb_end < body.len());
    match (verb.takes_arg(), arg) {
        (Arg::Required, None) => {
            return Err(invalid(1, pos(verb_end), format!("{verb} needs {}, after one space", verb.arg_name())));
        }
        (Arg::Required, Some("")) => {
            return Err(invalid(1, arg_column, format!("{verb} needs {} after the space", verb.arg_name())));
        }
        (Arg::None, Some(_)) => {
            return Err(invalid(
                1,
                pos(verb_end),
                format!("{verb} takes no argument: send `{verb}` alone, with nothing after it, not even a space"),
            ));
        }
        (Arg::Optional, Some("")) => {
            return Err(invalid(
                1,
                pos(verb_end),
                format!("a space after {verb} and no argument: send `{verb}` alone, or an argument after the space"),
            ));
        }
        _ => {}
    }
    if let Some(arg) = arg {
        check_arg(verb, arg, arg_column)?;
    }
    Ok(Command { verb, arg: arg.map(str::to_owned) })
}

/// The arguments whose form an RFC fixes: `TYPE` (RFC 959 §5.3.2:
/// `A [form]`, `E [form]`, `I`, `L <byte size>`), `REST` (RFC 3659 §5.2: a
/// decimal offset in stream mode) and `EPSV` (RFC 2428 §3: a protocol
/// number or `ALL`). Other arguments are paths and names, any text.
fn check_arg(verb: Verb, arg: &str, column: u32) -> Result<(), FtpError> {
    match verb {
        Verb::Type => {
            let upper = arg.to_ascii_uppercase();
            let ok = match upper.split_once(' ') {
                None => matches!(upper.as_str(), "A" | "E" | "I"),
                Some(("A" | "E", form)) => matches!(form, "N" | "T" | "C"),
                Some(("L", size)) => !size.is_empty() && size.len() <= 3 && size.bytes().all(|b| b.is_ascii_digit()),
                Some(_) => false,
            };
            if !ok {
                return Err(invalid(
                    1,
                    column,
                    format!(
                        "TYPE takes A (ASCII) or I (image: the bytes as they are), also E or L <byte size>, \
                         not `{}`",
                        quoted(arg)
                    ),
                ));
            }
        }
        Verb::Rest => {
            if let Some(i) = arg.char_indices().find(|(_, c)| !c.is_ascii_digit()).map(|(i, _)| i) {
                let at = column.saturating_add(column_of(arg, i)).saturating_sub(1);
                return Err(invalid(1, at, format!("REST takes a byte offset in digits only, not `{}`", quoted(arg))));
            }
            if arg.parse::<u64>().is_err() {
                return Err(invalid(
                    1,
                    column,
                    format!("REST offset `{}` is past the largest file size (2^64 - 1 bytes)", quoted(arg)),
                ));
            }
        }
        Verb::Epsv if !(arg == "1" || arg == "2" || arg.eq_ignore_ascii_case("ALL")) => {
            return Err(invalid(1, column, format!("EPSV takes 1 (IPv4), 2 (IPv6) or ALL, not `{}`", quoted(arg))));
        }
        _ => {}
    }
    Ok(())
}

/// One reply (RFC 959 §4.2): a three-digit code and one or more lines of
/// text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The code: first digit 1-5 (how it went), second the area (§4.2.1).
    pub code: u16,
    /// The text of each line without its framing: the first line after
    /// `211-` (or `200 ` when it is the only one), the last after `211 `,
    /// and the lines between as they are on the wire.
    pub lines: Vec<String>,
}

impl Reply {
    /// A one-line reply: `200 Switching to Binary mode.` A CR, LF or NUL in
    /// `text` is written as U+FFFD: it would end the line early (or be
    /// refused), and a reply must not be able to smuggle in another.
    pub fn new(code: u16, text: &str) -> Reply {
        Reply { code, lines: vec![clean(text)] }
    }

    /// A multi-line reply (RFC 959 §4.2): `211-First\r\n … 211 End\r\n`.
    /// Lines are cleaned as [`Reply::new`] cleans them, and a line between
    /// the first and last that starts with a digit gets one space in front,
    /// as §4.2 tells a server to pad it, so no reader takes it for the end.
    /// No lines gives a one-line reply with empty text; one line, a one-line
    /// reply. The parser's bounds ([`MAX_REPLY_LINES`], [`MAX_REPLY_BYTES`])
    /// are not applied here.
    pub fn multi(code: u16, lines: &[&str]) -> Reply {
        let last = lines.len().saturating_sub(1);
        let lines: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let line = clean(line);
                if i > 0 && i < last && line.starts_with(|c: char| c.is_ascii_digit()) {
                    format!(" {line}")
                } else {
                    line
                }
            })
            .collect();
        if lines.is_empty() {
            return Reply::new(code, "");
        }
        Reply { code, lines }
    }

    /// The exact bytes sent, each line ending in CRLF. The code is written
    /// as three digits, so it should be 100-599. A line between the first
    /// and last that starts with a digit is padded with a space, as
    /// [`Reply::multi`] pads it, should the fields have been set by hand.
    pub fn to_wire(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.len().saturating_add(6)).sum());
        match self.lines.as_slice() {
            [] => {
                let _ = write!(out, "{:03} \r\n", self.code);
            }
            [only] => {
                let _ = write!(out, "{:03} {only}\r\n", self.code);
            }
            [first, middle @ .., last] => {
                let _ = write!(out, "{:03}-{first}\r\n", self.code);
                for line in middle {
                    if line.starts_with(|c: char| c.is_ascii_digit()) {
                        out.push(' ');
                    }
                    out.push_str(line);
                    out.push_str("\r\n");
                }
                let _ = write!(out, "{:03} {last}\r\n", self.code);
            }
        }
        out
    }

    /// Whether the command went through or is going through: 1xx, 2xx, 3xx.
    pub fn is_positive(&self) -> bool {
        (100..400).contains(&self.code)
    }

    /// What the code means by its first two digits (RFC 959 §4.2.1):
    /// `positive completion — file system` for 250.
    pub fn meaning(&self) -> &'static str {
        const MEANINGS: [[&str; 6]; 5] = [
            [
                "positive preliminary — syntax",
                "positive preliminary — information",
                "positive preliminary — connections",
                "positive preliminary — authentication and accounting",
                "positive preliminary — unspecified",
                "positive preliminary — file system",
            ],
            [
                "positive completion — syntax",
                "positive completion — information",
                "positive completion — connections",
                "positive completion — authentication and accounting",
                "positive completion — unspecified",
                "positive completion — file system",
            ],
            [
                "positive intermediate — syntax",
                "positive intermediate — information",
                "positive intermediate — connections",
                "positive intermediate — authentication and accounting",
                "positive intermediate — unspecified",
                "positive intermediate — file system",
            ],
            [
                "transient negative completion — syntax",
                "transient negative completion — information",
                "transient negative completion — connections",
                "transient negative completion — authentication and accounting",
                "transient negative completion — unspecified",
                "transient negative completion — file system",
            ],
            [
                "permanent negative completion — syntax",
                "permanent negative completion — information",
                "permanent negative completion — connections",
                "permanent negative completion — authentication and accounting",
                "permanent negative completion — unspecified",
                "permanent negative completion — file system",
            ],
        ];
        const FIRST_ONLY: [&str; 5] = [
            "positive preliminary",
            "positive completion",
            "positive intermediate",
            "transient negative completion",
            "permanent negative completion",
        ];
        let first = usize::from(self.code / 100);
        let second = usize::from(self.code / 10 % 10);
        // `first` is checked to be 1-5 before it is lowered to an index.
        match (first, self.code) {
            (1..=5, 100..=599) => {
                let row = first.saturating_sub(1);
                MEANINGS[row].get(second).copied().unwrap_or(FIRST_ONLY[row])
            }
            _ => "not an RFC 959 reply code (the first digit is 1 to 5)",
        }
    }
}

/// Text as one reply line can carry it: CR, LF and NUL as U+FFFD.
fn clean(text: &str) -> String {
    text.replace(['\r', '\n', '\0'], "\u{FFFD}")
}

/// Parses one reply from the start of `text`; returns it and the bytes it
/// took. A one-line reply is `ddd text\r\n`; a multi-line one starts
/// `ddd-text\r\n` and ends at the first line that starts with the same code
/// and a space (RFC 959 §4.2): the lines between may start with anything,
/// digits or another code included, and are kept as they are.
///
/// Refused, with the line and column: a code that is not three digits with
/// the first 1-5, no space or `-` after it, a bare CR or LF, a NUL, and a
/// reply longer than [`MAX_REPLY_LINES`] or [`MAX_REPLY_BYTES`] (judged
/// without reading further). Text that stops before the reply ends is an
/// [`FtpErrorKind::Incomplete`] error that says what is missing.
pub fn parse_reply(text: &str) -> Result<(Reply, usize), FtpError> {
    parse_reply_at(text, 0, 1)
}

/// Parses every reply in `text`, one after another, as a client reads a
/// transcript of the control connection; errors name lines of the whole text.
pub fn parse_replies(text: &str) -> Result<Vec<Reply>, FtpError> {
    let mut replies = Vec::new();
    let (mut at, mut line) = (0usize, 1u32);
    while at < text.len() {
        let (reply, taken) = parse_reply_at(text, at, line)?;
        at = at.saturating_add(taken);
        // Every line of a reply ends in one CRLF, and bare LFs are refused.
        line = line.saturating_add(u32::try_from(reply.lines.len()).unwrap_or(u32::MAX));
        replies.push(reply);
    }
    Ok(replies)
}

/// One line read from the text.
struct Line<'a> {
    /// The line without its CRLF (so far, when it is unfinished).
    content: &'a str,
    /// Where the next line starts; `None` when the text (or the reply's byte
    /// bound) ends before this line's CRLF.
    next: Option<usize>,
}

/// Reads the line starting at `start`, looking no further than `limit`;
/// refuses a bare CR or LF and a NUL. `line_no` is for errors.
fn read_line(text: &str, start: usize, limit: usize, line_no: u32) -> Result<Line<'_>, FtpError> {
    let bytes = text.as_bytes();
    let window = bytes.get(start..limit).unwrap_or_default();
    let line_text = text.get(start..limit).unwrap_or_default();
    for (i, &b) in window.iter().enumerate() {
        let column = || column_of(line_text, i);
        match b {
            b'\r' => {
                let after = i.saturating_add(1);
                return match window.get(after) {
                    Some(b'\n') => {
                        Ok(Line { content: &line_text[..i], next: Some(start.saturating_add(i).saturating_add(2)) })
                    }
                    // The CR is the last byte looked at: its LF may be next.
                    None => Ok(Line { content: &line_text[..i], next: None }),
                    Some(_) => Err(invalid(
                        line_no,
                        column(),
                        format!("a reply line ends at CRLF; a bare CR at column {}", column()),
                    )),
                };
            }
            b'\n' => {
                return Err(invalid(
                    line_no,
                    column(),
                    format!("a reply line ends at CRLF; a bare LF at column {}", column()),
                ));
            }
            b'\0' => return Err(invalid(line_no, column(), "a NUL byte: reply text may not contain NUL")),
            _ => {}
        }
    }
    Ok(Line { content: line_text, next: None })
}

/// The code of a reply's first line, checked as far as the line goes; `Ok(None)`
/// when it is sound but too short to say (the line is unfinished).
fn first_line_code(content: &str, finished: bool, line_no: u32) -> Result<Option<(u16, bool)>, FtpError> {
    let bytes = content.as_bytes();
    let shown = |i: usize| {
        content
            .get(i..)
            .and_then(|rest| rest.chars().next())
            .map_or(String::new(), |c| quoted(c.encode_utf8(&mut [0; 4])))
    };
    // Bytes before `i` are ASCII digits here, so byte `i` is column `i + 1`.
    for i in 0..3 {
        match bytes.get(i) {
            None if finished => {
                return Err(invalid(line_no, pos(i), "a reply starts with a three-digit code, such as `200 OK`"));
            }
            None => return Ok(None),
            Some(b'1'..=b'5') if i == 0 => {}
            Some(b'0' | b'6'..=b'9') if i == 0 => {
                return Err(invalid(
                    line_no,
                    1,
                    format!("reply codes start with a digit from 1 to 5 (RFC 959 §4.2), not `{}`", shown(0)),
                ));
            }
            Some(b'0'..=b'9') if i > 0 => {}
            Some(_) => {
                return Err(invalid(
                    line_no,
                    pos(i),
                    format!("a reply starts with a three-digit code, such as `200 OK`; found `{}`", shown(i)),
                ));
            }
        }
    }
    let code =
        bytes[..3].iter().fold(0u16, |n, &d| n.saturating_mul(10).saturating_add(u16::from(d.saturating_sub(b'0'))));
    match bytes.get(3) {
        Some(b' ') => Ok(Some((code, false))),
        Some(b'-') => Ok(Some((code, true))),
        None if !finished => Ok(None),
        None => Err(invalid(
            line_no,
            4,
            format!("after the code comes a space and text (or `-` to begin a multi-line reply); the line ends after `{code}`"),
        )),
        Some(_) => Err(invalid(
            line_no,
            4,
            format!(
                "after the code comes a space (a one-line reply) or `-` (the first of several lines), not `{}`",
                shown(3)
            ),
        )),
    }
}

fn parse_reply_at(text: &str, start: usize, first_line: u32) -> Result<(Reply, usize), FtpError> {
    // Nothing past the byte bound is looked at: the window ends there, on a
    // character boundary.
    let mut limit = start.saturating_add(MAX_REPLY_BYTES).min(text.len());
    while !text.is_char_boundary(limit) {
        limit = limit.saturating_sub(1);
    }
    let bounded = limit < text.len() || limit.saturating_sub(start) >= MAX_REPLY_BYTES;
    let too_long = |line_no: u32, line_start: usize| {
        let column = column_of(text.get(line_start..).unwrap_or_default(), limit.saturating_sub(line_start));
        invalid(
            line_no,
            column,
            format!("a reply is at most {MAX_REPLY_BYTES} bytes, and this one has not ended by then"),
        )
    };
    if start >= text.len() {
        return Err(incomplete(
            first_line,
            1,
            "no reply: a reply is a three-digit code, a space and text, ending in CRLF (`200 OK`)",
        ));
    }

    let first = read_line(text, start, limit, first_line)?;
    let Some((code, multi)) = first_line_code(first.content, first.next.is_some(), first_line)? else {
        return Err(if bounded {
            too_long(first_line, start)
        } else {
            incomplete(
                first_line,
                column_of(first.content, first.content.len()),
                "the reply's code is unfinished: a reply starts with a three-digit code and a space",
            )
        });
    };
    let Some(mut at) = first.next else {
        return Err(if bounded {
            too_long(first_line, start)
        } else {
            incomplete(
                first_line,
                column_of(first.content, first.content.len()),
                "the line has no CRLF yet: every reply line ends with one",
            )
        });
    };
    let mut lines = vec![first.content[4..].to_owned()];
    if !multi {
        return Ok((Reply { code, lines }, at.saturating_sub(start)));
    }
    let end_prefix = format!("{code:03} ");
    let mut line_no = first_line;
    loop {
        line_no = line_no.saturating_add(1);
        if lines.len() >= MAX_REPLY_LINES {
            return Err(invalid(
                line_no,
                1,
                format!(
                    "a reply is at most {MAX_REPLY_LINES} lines, and the {code} reply begun on line {first_line} \
                     has not ended by then (it ends at a line starting `{code} `)"
                ),
            ));
        }
        if at >= text.len() {
            return Err(incomplete(
                line_no,
                1,
                format!(
                    "the {code} reply begun `{code}-` on line {first_line} has no last line yet: it ends at a line \
                     starting `{code} `"
                ),
            ));
        }
        let line = read_line(text, at, limit, line_no)?;
        let Some(next) = line.next else {
            return Err(if bounded {
                too_long(line_no, at)
            } else {
                incomplete(
                    line_no,
                    column_of(line.content, line.content.len()),
                    "the line has no CRLF yet: every reply line ends with one",
                )
            });
        };
        at = next;
        if let Some(last) = line.content.strip_prefix(end_prefix.as_str()) {
            lines.push(last.to_owned());
            return Ok((Reply { code, lines }, at.saturating_sub(start)));
        }
        lines.push(line.content.to_owned());
    }
}

/// The reply to `PASV` (RFC 959 §4.1.2): `227 Entering Passive Mode
/// (h1,h2,h3,h4,p1,p2)`, the address's four bytes then the port's, high
/// byte first. vsftpd's words.
pub fn pasv_reply(addr: [u8; 4], port: u16) -> Reply {
    let [h1, h2, h3, h4] = addr;
    let [p1, p2] = port.to_be_bytes();
    Reply::new(227, &format!("Entering Passive Mode ({h1},{h2},{h3},{h4},{p1},{p2})."))
}

/// The address and port in a 227 reply. RFC 959 fixes no wording around
/// the six numbers, so, as RFC 1123 §4.1.2.6 tells clients, the text is
/// searched for the first `h1,h2,h3,h4,p1,p2`: six decimal numbers joined
/// by commas, each 0-255. Errors name the line and column in the reply's
/// wire form.
pub fn parse_pasv(reply: &Reply) -> Result<([u8; 4], u16), FtpError> {
    if reply.code != 227 {
        return Err(invalid(
            1,
            1,
            format!(
                "the answer to PASV is `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`, not a {} reply",
                reply.code
            ),
        ));
    }
    let last = reply.lines.len().saturating_sub(1);
    for (i, line) in reply.lines.iter().enumerate() {
        // The first and last lines follow the code and its separator.
        let prefix = if i == 0 || i == last { 4 } else { 0 };
        let line_no = pos(i);
        if let Some(numbers) = six_numbers(line) {
            let mut out = [0u8; 6];
            for (slot, (at, digits)) in out.iter_mut().zip(numbers) {
                let byte = if digits.len() <= 3 { digits.parse::<u8>().ok() } else { None };
                let Some(byte) = byte else {
                    return Err(invalid(
                        line_no,
                        column_of(line, at).saturating_add(prefix),
                        format!("`{}` is not a byte: each of h1,h2,h3,h4,p1,p2 is 0 to 255", quoted(digits)),
                    ));
                };
                *slot = byte;
            }
            let [h1, h2, h3, h4, p1, p2] = out;
            return Ok(([h1, h2, h3, h4], u16::from_be_bytes([p1, p2])));
        }
    }
    Err(invalid(
        1,
        5,
        "no address in the 227 reply: it carries h1,h2,h3,h4,p1,p2, such as (192,168,1,2,195,80) for port 50000",
    ))
}

/// The first run of six digit groups joined by commas in `line`, each with
/// its byte offset.
fn six_numbers(line: &str) -> Option<[(usize, &str); 6]> {
    let bytes = line.as_bytes();
    let digits_from = |at: usize| {
        let len = bytes.get(at..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
        (len > 0).then(|| (at, &line[at..at.saturating_add(len)]))
    };
    'start: for start in 0..bytes.len() {
        let after_digit = start.checked_sub(1).and_then(|p| bytes.get(p)).is_some_and(u8::is_ascii_digit);
        if after_digit || !bytes[start].is_ascii_digit() {
            continue;
        }
        let mut found = [(0usize, ""); 6];
        let mut at = start;
        for (n, slot) in found.iter_mut().enumerate() {
            if n > 0 {
                if bytes.get(at) != Some(&b',') {
                    continue 'start;
                }
                at = at.saturating_add(1);
            }
            let Some(group) = digits_from(at) else { continue 'start };
            at = at.saturating_add(group.1.len());
            *slot = group;
        }
        return Some(found);
    }
    None
}

/// A `LIST` line as `ls -l` writes it and vsftpd sends it (its `hide_ids`
/// form, owner and group shown as `ftp`): permissions, link count (2 for a
/// directory, 1 for a file) right-aligned in 4, owner and group left-aligned
/// in 8, size right-aligned in 8, the date as given (`Jan 15 09:00`), then
/// the name:
/// `-rw-r--r--    1 ftp      ftp       1048576 Jan 15 09:00 big.iso`.
/// No CRLF: on the data connection each line ends with one. A CR or LF in
/// the name is written `?`, as `ls` shows it, so one file is one line.
pub fn list_line(name: &str, size: u64, dir: bool, mtime: &str) -> String {
    let (perms, links) = if dir { ("drwxr-xr-x", 2) } else { ("-rw-r--r--", 1) };
    let name = name.replace(['\r', '\n'], "?");
    format!("{perms} {links:>4} {:<8} {:<8} {size:>8} {mtime} {name}", "ftp", "ftp")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(line: &str) -> String {
        parse_command(line).unwrap_err().to_string()
    }

    fn reply_error(text: &str) -> FtpError {
        parse_reply(text).unwrap_err()
    }

    #[test]
    fn rfc959_commands_parse_in_any_case_and_write_in_upper_case() {
        let c = parse_command("RETR big.iso\r\n").unwrap();
        assert_eq!(c, Command::new(Verb::Retr, Some("big.iso")));
        assert_eq!(c.to_wire(), "RETR big.iso\r\n");
        assert_eq!(parse_command("retr big.iso"), Ok(c));
        let user = parse_command("user anonymous").unwrap();
        assert_eq!(user.to_wire(), "USER anonymous\r\n");
        assert_eq!(parse_command("Pwd"), Ok(Command::new(Verb::Pwd, None)));
        assert_eq!(parse_command("LIST"), Ok(Command::new(Verb::List, None)));
        assert_eq!(parse_command("LIST pub"), Ok(Command::new(Verb::List, Some("pub"))));
        assert_eq!(parse_command("type i").unwrap().to_wire(), "TYPE i\r\n", "the argument is kept as typed");
        for t in ["A", "I", "a n", "E T", "L 8", "l 36"] {
            assert!(parse_command(&format!("TYPE {t}")).is_ok(), "{t}");
        }
        for e in ["1", "2", "ALL", "all"] {
            assert!(parse_command(&format!("EPSV {e}")).is_ok(), "{e}");
        }
        assert_eq!(parse_command("REST 18446744073709551615").unwrap().arg.as_deref(), Some("18446744073709551615"));
        for verb in Verb::ALL {
            assert_eq!(Verb::from_word(verb.as_str()), Some(verb));
            assert_eq!(Verb::from_word(&verb.as_str().to_lowercase()), Some(verb));
        }
        assert_eq!(Verb::from_word("RETRX"), None);
        assert_eq!(Verb::from_word("\u{212A}"), None, "the Kelvin sign is not a K");
    }

    #[test]
    fn arguments_are_everything_after_one_space() {
        let c = parse_command("RETR  my file .txt \r\n").unwrap();
        assert_eq!(c.arg.as_deref(), Some(" my file .txt "));
        assert_eq!(c.to_wire(), "RETR  my file .txt \r\n");
        let unicode = parse_command("CWD /ünï/ço dé/☕").unwrap();
        assert_eq!(unicode.arg.as_deref(), Some("/ünï/ço dé/☕"));
        let pass = parse_command("PASS s3cr et").unwrap();
        assert_eq!(pass.shown(), "PASS s3cr et", "the password is shown: these are the bytes that crossed");
        let longest = format!("RETR {}", "é".repeat(MAX_ARG_BYTES / 2));
        assert!(parse_command(&longest).is_ok());
    }

    #[test]
    fn command_errors_name_the_column_and_what_was_expected() {
        let cases: &[(&str, &str)] = &[
            ("", "line 1, column 1: empty command line: type a command such as `PWD` or `RETR big.iso`"),
            ("\r\n", "line 1, column 1: empty command line: type a command such as `PWD` or `RETR big.iso`"),
            (" RETR a", "line 1, column 1: a command line starts with its verb, such as `RETR big.iso`, not with a space"),
            ("RETRX big.iso", "line 1, column 1: unknown command `RETRX`: the simulated server knows USER, PASS, SYST, PWD, CWD, CDUP, TYPE, PASV, EPSV, LIST, NLST, RETR, REST, SIZE, NOOP, QUIT"),
            ("RETR", "line 1, column 5: RETR needs a path, after one space"),
            ("retr ", "line 1, column 6: RETR needs a path after the space"),
            ("USER", "line 1, column 5: USER needs a user name, after one space"),
            ("PWD x", "line 1, column 4: PWD takes no argument: send `PWD` alone, with nothing after it, not even a space"),
            ("QUIT ", "line 1, column 5: QUIT takes no argument: send `QUIT` alone, with nothing after it, not even a space"),
            ("LIST ", "line 1, column 5: a space after LIST and no argument: send `LIST` alone, or an argument after the space"),
            ("RETR a\nb", "line 1, column 7: a command line ends at CRLF; a bare LF at column 7"),
            ("LIST pub\n", "line 1, column 9: a command line ends at CRLF; a bare LF at column 9"),
            ("RETR a\rb", "line 1, column 7: a command line ends at CRLF; a bare CR at column 7"),
            ("RETR a\r\nDELE b", "line 1, column 7: the CRLF at column 7 ends the command, but more follows it: one command a line (a CR or LF inside an argument would smuggle in a second command)"),
            ("RETR a\r\nDELE b\r\n", "line 1, column 7: the CRLF at column 7 ends the command, but more follows it: one command a line (a CR or LF inside an argument would smuggle in a second command)"),
            ("NOOP\r\n\r\n", "line 1, column 5: the CRLF at column 5 ends the command, but more follows it: one command a line (a CR or LF inside an argument would smuggle in a second command)"),
            ("RETR a\0b", "line 1, column 7: a NUL byte: commands and their arguments may not contain NUL"),
            ("RÉTR a", "line 1, column 2: `RÉTR`: a command verb is ASCII letters, such as RETR"),
            ("RE.TR a", "line 1, column 3: `RE.TR`: a command verb is letters only, such as RETR"),
            ("RETR\ta", "line 1, column 5: `\\u{9}` after the verb: one space separates a verb from its argument"),
            ("TYPE X", "line 1, column 6: TYPE takes A (ASCII) or I (image: the bytes as they are), also E or L <byte size>, not `X`"),
            ("TYPE I N", "line 1, column 6: TYPE takes A (ASCII) or I (image: the bytes as they are), also E or L <byte size>, not `I N`"),
            ("REST 12x", "line 1, column 8: REST takes a byte offset in digits only, not `12x`"),
            ("REST -1", "line 1, column 6: REST takes a byte offset in digits only, not `-1`"),
            ("REST 18446744073709551616", "line 1, column 6: REST offset `18446744073709551616` is past the largest file size (2^64 - 1 bytes)"),
            ("EPSV 3", "line 1, column 6: EPSV takes 1 (IPv4), 2 (IPv6) or ALL, not `3`"),
        ];
        for (line, message) in cases {
            assert_eq!(refused(line), *message, "{line:?}");
        }
        let long = format!("RETR {}", "x".repeat(MAX_ARG_BYTES + 1));
        assert_eq!(
            refused(&long),
            "line 1, column 518: arguments are at most 512 bytes; this one is longer from column 518"
        );
        // Columns count characters, not bytes.
        let wide = format!("CWD {}\n", "ü".repeat(3));
        assert_eq!(refused(&wide), "line 1, column 8: a command line ends at CRLF; a bare LF at column 8");
        // Messages quote what was typed safely.
        let unknown = refused(&format!("{}\u{202e}", "A".repeat(500)));
        assert!(unknown.len() < 300, "{unknown}");
    }

    #[test]
    fn one_line_replies() {
        let r = Reply::new(200, "Switching to Binary mode.");
        assert_eq!(r.to_wire(), "200 Switching to Binary mode.\r\n");
        assert_eq!(parse_reply(&r.to_wire()), Ok((r.clone(), 31)));
        assert_eq!(parse_reply("220 \r\n"), Ok((Reply::new(220, ""), 6)));
        assert_eq!(Reply::new(550, "a\r\nb\n\0").lines, ["a\u{FFFD}\u{FFFD}b\u{FFFD}\u{FFFD}"]);
        // What follows a reply is not looked at.
        assert_eq!(parse_reply("331 Please specify the password.\r\n230 Login").unwrap().1, 34);
    }

    #[test]
    fn rfc959_section_4_2_multi_line_replies() {
        // RFC 959 §4.2's own example: a middle line may start with digits.
        let text = "123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n";
        let (r, n) = parse_reply(text).unwrap();
        assert_eq!(n, text.len());
        assert_eq!(r.code, 123);
        assert_eq!(r.lines, ["First line", "Second line", "  234 A line beginning with numbers", "The last line"]);
        assert_eq!(r.to_wire(), text);
        // A line that starts with another code and a space does not end it,
        // nor does the same code with `-`.
        let text = "123-First\r\n234 not the end\r\n123-still not\r\n123End\r\n123 End\r\n";
        let (r, n) = parse_reply(text).unwrap();
        assert_eq!((r.lines.len(), n), (5, text.len()));
        assert_eq!(r.lines[1], "234 not the end");
        assert_eq!(r.lines[4], "End");
        // Built ones pad such lines, as §4.2 tells a server to.
        let built = Reply::multi(211, &["Features:", "234 looks like an end", " EPSV", "End"]);
        assert_eq!(built.to_wire(), "211-Features:\r\n 234 looks like an end\r\n EPSV\r\n211 End\r\n");
        assert_eq!(parse_reply(&built.to_wire()), Ok((built.clone(), built.to_wire().len())));
        assert_eq!(Reply::multi(200, &["only"]), Reply::new(200, "only"));
        assert_eq!(Reply::multi(200, &[]).to_wire(), "200 \r\n");
        // Several replies in a row, errors numbered in the whole text.
        let two = format!("{}{}", built.to_wire(), Reply::new(221, "Goodbye.").to_wire());
        assert_eq!(parse_replies(&two), Ok(vec![built, Reply::new(221, "Goodbye.")]));
        assert_eq!(
            parse_replies(&format!("{two}9")).unwrap_err().to_string(),
            "line 6, column 1: reply codes start with a digit from 1 to 5 (RFC 959 §4.2), not `9`"
        );
        assert_eq!(parse_replies(""), Ok(vec![]));
    }

    #[test]
    fn reply_errors_name_the_line_and_column() {
        let cases: &[(&str, &str)] = &[
            ("600 x\r\n", "line 1, column 1: reply codes start with a digit from 1 to 5 (RFC 959 §4.2), not `6`"),
            ("2x0 x\r\n", "line 1, column 2: a reply starts with a three-digit code, such as `200 OK`; found `x`"),
            ("2x", "line 1, column 2: a reply starts with a three-digit code, such as `200 OK`; found `x`"),
            ("20\r\n", "line 1, column 3: a reply starts with a three-digit code, such as `200 OK`"),
            ("200\r\n", "line 1, column 4: after the code comes a space and text (or `-` to begin a multi-line reply); the line ends after `200`"),
            ("200:OK\r\n", "line 1, column 4: after the code comes a space (a one-line reply) or `-` (the first of several lines), not `:`"),
            ("200 OK\n", "line 1, column 7: a reply line ends at CRLF; a bare LF at column 7"),
            ("200 O\rK\r\n", "line 1, column 6: a reply line ends at CRLF; a bare CR at column 6"),
            ("211-a\r\nb\nc\r\n", "line 2, column 2: a reply line ends at CRLF; a bare LF at column 2"),
            ("200 a\0\r\n", "line 1, column 6: a NUL byte: reply text may not contain NUL"),
            ("２00 OK\r\n", "line 1, column 1: a reply starts with a three-digit code, such as `200 OK`; found `２`"),
        ];
        for (text, message) in cases {
            let e = reply_error(text);
            assert_eq!(e.to_string(), *message, "{text:?}");
            assert_eq!(e.kind, FtpErrorKind::Invalid, "{text:?}");
        }
    }

    #[test]
    fn unfinished_replies_are_incomplete_and_say_what_is_missing() {
        let cases: &[(&str, &str)] = &[
            ("", "line 1, column 1: no reply: a reply is a three-digit code, a space and text, ending in CRLF (`200 OK`)"),
            ("22", "line 1, column 3: the reply's code is unfinished: a reply starts with a three-digit code and a space"),
            ("220", "line 1, column 4: the reply's code is unfinished: a reply starts with a three-digit code and a space"),
            ("220 ready", "line 1, column 10: the line has no CRLF yet: every reply line ends with one"),
            ("220 ready\r", "line 1, column 10: the line has no CRLF yet: every reply line ends with one"),
            ("211-Features:\r\n EPSV\r\n", "line 3, column 1: the 211 reply begun `211-` on line 1 has no last line yet: it ends at a line starting `211 `"),
            ("211-Features:\r\n211 En", "line 2, column 7: the line has no CRLF yet: every reply line ends with one"),
        ];
        for (text, message) in cases {
            let e = reply_error(text);
            assert_eq!(e.to_string(), *message, "{text:?}");
            assert!(e.is_incomplete(), "{text:?}");
        }
    }

    #[test]
    fn replies_are_bounded_without_reading_further() {
        // 64 lines is the most: the last line may be the 64th.
        let mut lines = vec!["x"; MAX_REPLY_LINES];
        let sixty_four = Reply::multi(211, &lines);
        assert!(parse_reply(&sixty_four.to_wire()).is_ok());
        lines.push("x");
        let e = reply_error(&Reply::multi(211, &lines).to_wire());
        assert_eq!((e.line, e.column, e.kind), (65, 1, FtpErrorKind::Invalid), "{e}");
        let e = reply_error(&format!("211-x\r\n{}", "y\r\n".repeat(70)));
        assert_eq!((e.line, e.kind), (65, FtpErrorKind::Invalid), "not incomplete: it can never end in bounds");
        // 8192 bytes is the most, CRLF included.
        let exact = Reply::new(200, &"a".repeat(MAX_REPLY_BYTES - 6));
        assert_eq!(parse_reply(&exact.to_wire()).map(|(_, n)| n), Ok(MAX_REPLY_BYTES));
        let over = Reply::new(200, &"a".repeat(MAX_REPLY_BYTES - 5)).to_wire();
        let e = reply_error(&over);
        assert_eq!(
            e.to_string(),
            "line 1, column 8193: a reply is at most 8192 bytes, and this one has not ended by then"
        );
        let huge = format!("200 {}", "é".repeat(1 << 20));
        let e = reply_error(&huge);
        assert_eq!((e.line, e.column, e.kind), (1, 4099, FtpErrorKind::Invalid), "{e}");
    }

    #[test]
    fn pasv_round_trips() {
        let r = pasv_reply([192, 168, 1, 2], 50000);
        assert_eq!(r.to_wire(), "227 Entering Passive Mode (192,168,1,2,195,80).\r\n");
        assert_eq!(parse_pasv(&r), Ok(([192, 168, 1, 2], 50000)));
        for port in [0, 1, 255, 256, 21, 65535] {
            assert_eq!(parse_pasv(&pasv_reply([0, 0, 0, 0], port)), Ok(([0, 0, 0, 0], port)));
        }
        // Other servers' words, and none (RFC 1123 §4.1.2.6).
        assert_eq!(parse_pasv(&Reply::new(227, "=127,0,0,1,4,1")), Ok(([127, 0, 0, 1], 1025)));
        assert_eq!(parse_pasv(&Reply::new(227, "v2 ok 10,0,0,9,0,21 x")), Ok(([10, 0, 0, 9], 21)));
        let error = |r: &Reply| parse_pasv(r).unwrap_err().to_string();
        assert_eq!(
            error(&Reply::new(500, "no")),
            "line 1, column 1: the answer to PASV is `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`, not a 500 reply"
        );
        assert_eq!(
            error(&Reply::new(227, "Entering Passive Mode (1,2,3,4,5)")),
            "line 1, column 5: no address in the 227 reply: it carries h1,h2,h3,h4,p1,p2, such as (192,168,1,2,195,80) for port 50000"
        );
        assert_eq!(
            error(&Reply::new(227, "Entering Passive Mode (10,0,256,1,4,1)")),
            "line 1, column 33: `256` is not a byte: each of h1,h2,h3,h4,p1,p2 is 0 to 255"
        );
        assert_eq!(
            error(&Reply::new(227, "(1,2,3,4,5,99999999999999999999)")),
            "line 1, column 16: `99999999999999999999` is not a byte: each of h1,h2,h3,h4,p1,p2 is 0 to 255"
        );
    }

    #[test]
    fn meanings_by_the_first_two_digits() {
        let meaning = |code| Reply::new(code, "").meaning();
        assert_eq!(meaning(250), "positive completion — file system");
        assert_eq!(meaning(150), "positive preliminary — file system");
        assert_eq!(meaning(331), "positive intermediate — authentication and accounting");
        assert_eq!(meaning(425), "transient negative completion — connections");
        assert_eq!(meaning(500), "permanent negative completion — syntax");
        assert_eq!(meaning(214), "positive completion — information");
        assert_eq!(meaning(241), "positive completion — unspecified");
        assert_eq!(meaning(299), "positive completion");
        assert_eq!(meaning(631), "not an RFC 959 reply code (the first digit is 1 to 5)");
        assert_eq!(meaning(42), "not an RFC 959 reply code (the first digit is 1 to 5)");
        assert!(Reply::new(150, "").is_positive() && Reply::new(350, "").is_positive());
        assert!(!Reply::new(450, "").is_positive() && !Reply::new(530, "").is_positive());
    }

    #[test]
    fn list_lines_as_vsftpd_writes_them() {
        assert_eq!(
            list_line("big.iso", 1_048_576, false, "Jan 15 09:00"),
            "-rw-r--r--    1 ftp      ftp       1048576 Jan 15 09:00 big.iso"
        );
        assert_eq!(
            list_line("pub", 4096, true, "Mar 02  2024"),
            "drwxr-xr-x    2 ftp      ftp          4096 Mar 02  2024 pub"
        );
        assert_eq!(
            list_line("huge", u64::MAX, false, "Jan 01 00:00"),
            "-rw-r--r--    1 ftp      ftp      18446744073709551615 Jan 01 00:00 huge"
        );
        assert_eq!(
            list_line("a\r\nb", 0, false, "Jan 01 00:00"),
            "-rw-r--r--    1 ftp      ftp             0 Jan 01 00:00 a??b"
        );
    }
}
