//! Our FTP control connection read by an independent implementation:
//! CPython's `ftplib`, the standard library's FTP client, run as `python3
//! tests/formats/ftplib_reader.py`. No Rust crate offers one without a
//! network stack: suppaftp reads replies only from a `TcpStream`, and
//! libunftp's command parser is private to its server. ftplib reads its
//! control connection through a file object, so the script hands it our
//! bytes in one and opens no socket; commands go to a stand-in socket that
//! keeps what `sendall` gets.
//!
//! Checked: ftplib reads each of our replies, alone and several in a row,
//! as the same reply (its text, its code, 4xx and 5xx as its errors) and
//! ends it where we do — a middle line that starts with digits included;
//! it sends each of our commands as the same bytes, and refuses to send a
//! line with a CR or LF in it exactly where our parser refuses the command;
//! and it reads the address and port of our 227 replies.

use crate::gen;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use statelab_sim::wire::ftp::{self, Command, Reply};
use std::io::Write;
use std::process::{Command as Process, Stdio};

/// `n` values of `strategy` from a fixed seed, so a failure can be replayed.
fn samples<T>(strategy: impl Strategy<Value = T>, n: usize, seed: u8) -> Vec<T> {
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]));
    (0..n).map(|_| strategy.new_tree(&mut runner).expect("the generators do not give up").current()).collect()
}

/// Runs the script on `job`, in one process for the whole batch.
fn ftplib(job: &Value) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/formats/ftplib_reader.py");
    let mut child = Process::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs ftplib for this test (CPython is on the project's machines)");
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(job.to_string().as_bytes()).expect("python3 reads the job");
    drop(stdin);
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "ftplib_reader.py failed: {}", out.status);
    serde_json::from_slice(&out.stdout).expect("the script writes JSON")
}

/// How ftplib reports a reply it read: `getresp` returns 1xx-3xx and raises
/// `error_temp` for 4xx and `error_perm` for 5xx, each with the whole reply:
/// its lines as sent, codes included, joined by `\n`.
fn as_ftplib_reads(reply: &Reply) -> Value {
    let kind = match reply.code / 100 {
        1..=3 => "ok",
        4 => "temp",
        _ => "perm",
    };
    let text = reply.to_wire().trim_end_matches("\r\n").replace("\r\n", "\n");
    json!([kind, text, format!("{:03}", reply.code)])
}

#[test]
fn ftplib_reads_our_replies_and_sends_our_commands() {
    let mut replies: Vec<Reply> = samples(gen::ftp_reply(), 400, 1).iter().map(gen::FtpReplyParts::reply).collect();
    replies.extend([
        Reply::multi(123, &["First", "234 not the end", "End"]),
        Reply::multi(211, &["Features:", " EPSV", " PASV", " REST STREAM", " SIZE", " UTF8", "End"]),
        Reply::multi(214, &["Help", "211 looks like an end", "214-also", "214", "214x", "End"]),
        Reply::new(220, "(vsFTPd 3.0.5)"),
        Reply::new(530, "Login incorrect."),
        Reply::new(421, "Timeout."),
        Reply::new(257, "\"/pub/ünï\" is the current directory"),
    ]);
    // Each alone, then in threes: a reader that ends a reply too early or
    // too late reads the next one wrong.
    let mut streams: Vec<Value> = replies.iter().map(|r| json!({"wire": r.to_wire(), "count": 1})).collect();
    for three in replies.chunks(3) {
        let wire: String = three.iter().map(Reply::to_wire).collect();
        streams.push(json!({"wire": wire, "count": three.len()}));
    }

    let mut commands: Vec<Command> =
        samples(gen::ftp_command(), 400, 2).into_iter().map(|c| Command { verb: c.verb, arg: c.arg }).collect();
    for arg in ["a\r\nDELE b", "a\nb", "a\rb", "x\r\n", "a\0b", " spaced name ", "ünï/☕"] {
        commands.push(Command::new(ftp::Verb::Retr, Some(arg)));
    }
    let lines: Vec<String> = commands.iter().map(Command::shown).collect();

    let pasv: Vec<([u8; 4], u16)> = samples((proptest::prelude::any::<[u8; 4]>(), 0u16..=u16::MAX), 100, 3);
    let pasv_text: Vec<String> =
        pasv.iter().map(|&(addr, port)| ftp::pasv_reply(addr, port).to_wire().trim_end().to_owned()).collect();

    let read = ftplib(&json!({"streams": streams, "commands": lines, "pasv": pasv_text}));

    let mut at = 0;
    let mut expected_streams: Vec<Vec<&Reply>> = replies.iter().map(|r| vec![r]).collect();
    expected_streams.extend(replies.chunks(3).map(|three| three.iter().collect()));
    for (expected, theirs) in expected_streams.iter().zip(read["streams"].as_array().expect("streams")) {
        let wire: String = expected.iter().map(|r| r.to_wire()).collect();
        let got = theirs["replies"].as_array().expect("replies");
        for (reply, got) in expected.iter().zip(got) {
            assert_eq!(got, &as_ftplib_reads(reply), "ftplib read {wire:?} otherwise");
        }
        assert_eq!(theirs["at_end"], json!(true), "ftplib left text unread in {wire:?}");
        at += 1;
    }
    assert_eq!(at, expected_streams.len());

    for ((command, line), theirs) in commands.iter().zip(&lines).zip(read["commands"].as_array().expect("commands")) {
        let ours = ftp::parse_command(&command.to_wire());
        match (theirs[0].as_str(), theirs[1].as_str()) {
            (Some("sent"), Some(bytes)) => {
                assert_eq!(bytes, command.to_wire(), "ftplib sends {line:?} otherwise");
                if let Ok(parsed) = ours {
                    assert_eq!(ftp::parse_command(bytes), Ok(parsed));
                }
            }
            (Some("refused"), _) => {
                assert!(line.contains(['\r', '\n']), "ftplib refused {line:?}");
                assert!(ours.is_err(), "ftplib refuses to send {line:?}, which we parse as {ours:?}");
            }
            other => panic!("ftplib answered {other:?} for {line:?}"),
        }
    }

    for (&(addr, port), theirs) in pasv.iter().zip(read["pasv"].as_array().expect("pasv")) {
        let host = addr.map(|b| b.to_string()).join(".");
        assert_eq!(theirs, &json!([host, port]), "ftplib.parse227 read {addr:?}:{port} otherwise");
    }
}
