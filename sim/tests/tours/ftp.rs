//! The FTP tours keep the promises their narrations make, tested where the
//! easy guess is wrong: a new login does not land back in /pub (the
//! directory lived on the dead server, not in the client); a crash that
//! dropped the FTP session did not touch the HTTP lane at all; a resume
//! sends REST on a *new* connection, because the old offset went with S1;
//! and round robin breaks every other passive transfer, not every one.

use statelab_sim::fleet::{file_content, BodyCut, FtpLine, FtpRecord, FtpRole, Outcome, FILE_TREE};
use statelab_sim::{Entry, Lane, LaneId, Playground, Scenario};

fn at_step(id: &str, steps: usize) -> Playground {
    Playground::from_scenario(&Scenario::find(id).unwrap(), 1, steps)
}

/// The lane's FTP records caused by actions from `from` on.
fn records(lane: &Lane, from: u32) -> Vec<&FtpRecord> {
    lane.entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Ftp(r) if r.action >= from => Some(&**r),
            _ => None,
        })
        .collect()
}

fn codes(lane: &Lane, from: u32) -> Vec<u16> {
    records(lane, from).iter().flat_map(|r| r.codes()).collect()
}

fn commands(lane: &Lane, from: u32) -> Vec<String> {
    records(lane, from)
        .iter()
        .flat_map(|r| &r.lines)
        .filter_map(|l| match l {
            FtpLine::Command { command, .. } => Some(command.shown()),
            _ => None,
        })
        .collect()
}

/// Everything the server sent on data connections, in order, as text.
fn data_received(lane: &Lane) -> String {
    lane.ftp_connections()
        .iter()
        .filter(|c| matches!(c.role, FtpRole::Data { .. }))
        .flat_map(|c| &c.wire)
        .map(|chunk| String::from_utf8(chunk.bytes.clone()).unwrap())
        .collect()
}

fn actions_before(p: &Playground) -> u32 {
    p.actions().len() as u32
}

fn big() -> String {
    file_content(FILE_TREE.iter().find(|n| n.path == "/pub/big.bin").unwrap())
}

#[test]
fn ftp_session_the_directory_lives_on_the_server_and_dies_with_it() {
    let two = at_step("ftp-session", 2);
    let a = two.lane(LaneId::A);
    assert_eq!(codes(a, 1), [250, 257, 227, 150, 226]);
    assert!(data_received(a).contains("big.bin"), "S1 listed /pub without being told again");
    assert_eq!(commands(a, 1).iter().filter(|c| c.contains("pub")).count(), 1, "only CWD names /pub");
    let b = two.lane(LaneId::B);
    assert_eq!(b.exchanges().last().unwrap().request.target, "/files/pub/");

    let three = at_step("ftp-session", 3);
    let event = |id| match three.lane(id).entries().last().unwrap() {
        Entry::Event(e) => e.text.clone(),
        other => panic!("{other:?}"),
    };
    assert!(event(LaneId::A).contains("alice's login and the directory /pub are gone"), "{}", event(LaneId::A));
    assert!(!event(LaneId::B).contains("alice"), "HTTP lost nothing: {}", event(LaneId::B));
    assert!(three.lane(LaneId::A).ftp_sessions().is_empty());
    // The comparison table's "sessions lost" counts the FTP session the crash took; HTTP had none.
    assert_eq!(three.lane(LaneId::A).stats().sessions_lost, 1);
    assert_eq!(three.lane(LaneId::B).stats().sessions_lost, 0);

    let n = actions_before(&three);
    let four = at_step("ftp-session", 4);
    assert!(records(four.lane(LaneId::A), n).is_empty(), "no connection, nothing sent");
    let x = four.lane(LaneId::B).exchanges().last().unwrap();
    assert_eq!((x.response.status, x.server), (200, Some(2)));

    // The easy guess: the new login is back in /pub. It starts at /.
    let five = Playground::from_scenario(&Scenario::find("ftp-session").unwrap(), 1, 5);
    let a = five.lane(LaneId::A);
    let last_data = a.ftp_connections().iter().rev().find(|c| matches!(c.role, FtpRole::Data { .. })).unwrap();
    let listing = String::from_utf8(last_data.wire.concat_bytes()).unwrap();
    assert!(listing.contains("readme.txt") && !listing.contains("big.bin"), "{listing}");
    assert_eq!(a.ftp_sessions()[0].cwd, "/");
    assert_eq!(a.ftp_sessions()[0].server, 2);
    assert!(five.lane(LaneId::B).exchanges().last().unwrap().response.body.contains("big.bin"), "HTTP still in /pub");
}

/// Bytes of a connection's chunks, joined.
trait Concat {
    fn concat_bytes(&self) -> Vec<u8>;
}

impl Concat for Vec<statelab_sim::fleet::Chunk> {
    fn concat_bytes(&self) -> Vec<u8> {
        self.iter().flat_map(|c| c.bytes.clone()).collect()
    }
}

#[test]
fn ftp_resume_rebuilds_the_session_then_rests_while_http_sends_one_range() {
    let two = at_step("ftp-resume", 2);
    for id in LaneId::ALL {
        let partial = two.lane(id).partial_download(statelab_sim::User::Alice).unwrap();
        assert_eq!((partial.have, partial.moving), (4_000, false), "lane {id}");
    }
    let cut = two.lane(LaneId::B).exchanges().last().unwrap();
    assert_eq!(cut.response.headers.get("Content-Length"), Some("12000"));
    assert_eq!(cut.response.body.len(), 4_000, "the body stops where S1 died");
    // Its status is still 200: the record says the body was cut, so no view marks it a success.
    assert_eq!(cut.response.status, 200);
    assert_eq!(cut.cut, Some(BodyCut { arrived: 4_000, total: 12_000 }));
    assert_eq!(cut.outcome(), Outcome::Unavailable);
    assert_eq!(cut.status_text(), "200 OK · cut at 4000 of 12000 bytes");
    // Lane A's data connection records that its server died under it; the listing's never did.
    let died: Vec<(u32, bool)> = two.lane(LaneId::A).ftp_connections().iter().map(|c| (c.id, c.died())).collect();
    assert_eq!(died, [(1, true), (2, true)]);
    let whole = at_step("ftp-resume", 1);
    assert!(whole.lane(LaneId::A).ftp_connections().iter().all(|c| !c.died()));
    let sent = whole.lane(LaneId::B).exchanges().last().unwrap();
    assert_eq!((sent.cut, sent.outcome()), (None, Outcome::Success), "before the crash nothing is cut");

    let n = actions_before(&two);
    let three = at_step("ftp-resume", 3);
    let a = three.lane(LaneId::A);
    // The REST offset is not remembered from before: it goes again, on a new connection.
    assert_eq!(
        commands(a, n),
        ["USER alice", "PASS wonderland", "CWD /pub", "TYPE I", "PASV", "REST 4000", "RETR big.bin"]
    );
    assert_eq!(codes(a, n), [220, 331, 230, 250, 200, 227, 350, 150]);
    let control = a.ftp_connections().iter().rfind(|c| c.role == FtpRole::Control).unwrap();
    assert_eq!((control.id, control.server), (3, 2), "a second control connection, on S2");
    let x = three.lane(LaneId::B).exchanges().last().unwrap();
    assert_eq!(x.request.headers.get("Range"), Some("bytes=4000-"));
    assert_eq!((x.response.status, x.response.headers.get("Content-Range")), (206, Some("bytes 4000-11999/12000")));
    assert_eq!(x.outcome(), Outcome::Success, "the resumed 206 is whole");

    let m = actions_before(&three);
    let four = at_step("ftp-resume", 4);
    let a = four.lane(LaneId::A);
    assert_eq!(codes(a, m), [226]);
    assert_eq!(data_received(a), big(), "the two data connections carry the file exactly once");
    let b = four.lane(LaneId::B);
    let bodies: String = b.exchanges().map(|x| x.response.body.as_str()).collect();
    assert_eq!(bodies, big());
    assert!(a.partial_download(statelab_sim::User::Alice).is_none());
}

#[test]
fn ftp_passive_balancer_round_robin_breaks_every_other_transfer() {
    let one = at_step("ftp-passive-balancer", 1);
    let a = one.lane(LaneId::A);
    assert_eq!(codes(a, 0), [220, 331, 230, 227, 425]);
    let data = &a.ftp_connections()[1];
    assert_eq!((data.server, data.closed.map(|c| c.1)), (2, Some("refused")));
    assert_eq!(codes(one.lane(LaneId::B), 0), [220, 331, 230, 227, 150, 226]);
    // What each server handled: S1 answered USER, PASS, PASV and LIST; S2 only
    // refused a data connection, which is no command.
    let handled = |l: &Lane| l.servers().iter().map(|s| s.handled).collect::<Vec<_>>();
    assert_eq!(handled(a), [4, 0]);
    assert_eq!(handled(one.lane(LaneId::B)), [4, 0]);
    // The easy guess: round robin always fails. The next data connection is S1's turn.
    let n = actions_before(&one);
    let two = at_step("ftp-passive-balancer", 2);
    assert_eq!(codes(two.lane(LaneId::A), n), [227, 150, 226]);
}

#[test]
fn the_227_reply_names_the_balancer_and_the_port_the_data_connection_used() {
    let p = at_step("ftp-passive-balancer", 2);
    let a = p.lane(LaneId::A);
    for r in records(a, 0) {
        for (i, l) in r.lines.iter().enumerate() {
            let FtpLine::Reply { reply, .. } = l else { continue };
            if reply.code != 227 {
                continue;
            }
            let (addr, port) = statelab_sim::wire::ftp::parse_pasv(reply).unwrap();
            assert_eq!(addr, statelab_sim::fleet::FTP_ADDR);
            let FtpLine::Data { conn, .. } = &r.lines[i + 1] else { panic!("a data connection follows 227") };
            assert_eq!(a.ftp_connections()[*conn as usize - 1].role, FtpRole::Data { control: 1, port });
        }
    }
}

#[test]
fn a_hand_written_http_request_is_not_sent_to_ftp_servers_but_reaches_the_files_lane() {
    // Lane A speaks FTP, lane B the same files over HTTP: only B has anyone to answer HTTP.
    let mut p = at_step("ftp-session", 0);
    let text = "GET /files/readme.txt HTTP/1.1\r\nHost: files.example\r\n\r\n".to_owned();
    p.apply(statelab_sim::Action::Raw { user: statelab_sim::User::Alice, text }).unwrap();
    let [a, b] = p.lanes();
    let said = |lane: &Lane| match lane.entries().last() {
        Some(Entry::Event(e)) => e.text.clone(),
        Some(Entry::Exchange(x)) => format!("exchange {}", x.response.status),
        other => format!("{other:?}"),
    };
    assert!(said(a).contains("this lane's servers speak FTP, not HTTP"), "{}", said(a));
    assert!(said(b).starts_with("exchange "), "{}", said(b));
}
