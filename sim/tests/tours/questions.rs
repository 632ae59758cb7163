//! Predict, then see: questions are checked against what the engine
//! records when the step runs, never against a stored key.

use statelab_sim::tours::Verdict;
use statelab_sim::tours::{self, last_requests, Answer, Outcome, Question, Reply};
use statelab_sim::{AuthMode, LaneConfig, LaneId, Playground, Scenario, Store, Strategy};

/// Tour `s` (seed 1) played to the step before `step` and to `step`: the
/// page holds the first when it asks the step's question.
fn around(s: &Scenario, step: usize) -> (Playground, Playground) {
    (Playground::from_scenario(s, 1, step - 1), Playground::from_scenario(s, 1, step))
}

/// `q` checked as the page checks it: against what the step recorded.
fn check(q: &Question, before: &Playground, after: &Playground, answers: [Option<Answer>; 2]) -> Verdict {
    q.verdict(last_requests(before, after), answers)
}

/// The tours whose turning point asks a question (chat-memory-vs-pubsub,
/// ws-handshake and request-size have none: no request decides them).
/// Nor do two FTP and database tours: ftp-session's turning point is a step
/// where the FTP lane sends nothing (its client has no control connection
/// left), and after it both lanes' listings succeed, differing only in the
/// directory listed; db-leaky-set's lesson is in what the queries return (a
/// time zone, a count of orders), every one of which succeeds in both lanes.
const ASKING: [&str; 25] = [
    "round-robin-local",
    "sticky-crash",
    "shared-store",
    "signed-cookie",
    "restart",
    "revocation",
    "expiry",
    "tamper",
    "pagination",
    "cart",
    "scale-out",
    "refresh-rotation",
    "refresh-reuse",
    "logout-window",
    "opaque-tokens",
    "api-keys",
    "ws-crash-storm",
    "ws-expiry",
    "game-checkpoint",
    "ftp-resume",
    "ftp-passive-balancer",
    "db-txn-pooling",
    "db-crash-txn",
    "db-pool-exhaustion",
    "db-temp-table",
];

#[test]
fn every_turning_point_asks_about_a_request_the_step_sends() {
    for s in tours::all() {
        let asked: Vec<_> =
            s.steps.iter().enumerate().filter_map(|(i, st)| st.ask.as_ref().map(|q| (i + 1, q))).collect();
        assert_eq!(!asked.is_empty(), ASKING.contains(&s.id), "{}", s.id);
        for (step, q) in asked {
            let (before, after) = around(&s, step);
            let seen = last_requests(&before, &after);
            for id in q.asked() {
                assert!(seen[id.index()].is_some(), "{} step {step}: lane {} sends no request", s.id, id.label());
            }
            assert!(q.prompt.ends_with('?') && q.prompt.len() < 120, "{}: {}", s.id, q.prompt);
        }
    }
}

fn sticky_crash_last_step() -> (Scenario, Question) {
    let s = Scenario::find("sticky-crash").unwrap();
    let q = s.steps[3].ask.clone().unwrap();
    (s, q)
}

#[test]
fn the_answer_is_what_the_engine_recorded() {
    let (s, q) = sticky_crash_last_step();
    let (before, after) = around(&s, 4);
    // Lane A's token outlives S1; lane B's session died with it.
    let v = check(&q, &before, &after, [Some(Answer::Yes), Some(Answer::No)]);
    assert!(v.correct, "{v:?}");
    assert_eq!(v.lanes[1].unwrap().seen.unwrap().reply, Reply::Http(401));
    // What the page says it was (tests/playground.rs reads the same words).
    assert_eq!(v.lanes[1].unwrap().seen.unwrap().to_string(), "#5 got 401 from S2");
    let v = check(&q, &before, &after, [Some(Answer::Yes), Some(Answer::Yes)]);
    assert!(!v.correct && v.lanes[0].unwrap().correct && !v.lanes[1].unwrap().correct, "{v:?}");
    // An unanswered lane is never right.
    assert!(!check(&q, &before, &after, [Some(Answer::Yes), None]).correct);

    // The step before asks which server answers: the easy guess is S2 (or
    // S1, the pin), but health checks have not noticed yet and the balancer
    // answers 502 itself.
    let q3 = s.steps[2].ask.clone().unwrap();
    assert_eq!(q3.about, Outcome::Server);
    let (before, after) = around(&s, 3);
    assert!(!check(&q3, &before, &after, [Some(Answer::Server(2)), Some(Answer::Server(1))]).correct);
    assert!(check(&q3, &before, &after, [Some(Answer::Balancer), Some(Answer::Balancer)]).correct);
}

#[test]
fn a_stored_key_would_go_stale_where_the_check_does_not() {
    // The same question on the same steps, with lane B's sessions moved to a
    // shared store: the session survives the crash, so what was right for
    // the built-in tour ("no" for lane B) is now wrong, and the check says so.
    let (mut s, q) = sticky_crash_last_step();
    s.lanes[1] = LaneConfig::stateful()
        .with_balancer(Strategy::StickyCookie)
        .with_auth(AuthMode::ServerSession { store: Store::Shared });
    let (before, after) = around(&s, 4);
    let stale = check(&q, &before, &after, [Some(Answer::Yes), Some(Answer::No)]);
    assert!(!stale.correct && !stale.lanes[1].unwrap().correct, "{stale:?}");
    assert_eq!(stale.lanes[1].unwrap().actual, Some(Answer::Yes));
    assert!(check(&q, &before, &after, [Some(Answer::Yes), Some(Answer::Yes)]).correct);
}

#[test]
fn choices_always_hold_the_actual_answer_and_come_from_the_lane() {
    for s in tours::all() {
        for (i, st) in s.steps.iter().enumerate() {
            let Some(q) = &st.ask else { continue };
            let (before, after) = around(&s, i + 1);
            let seen = last_requests(&before, &after);
            for id in q.asked() {
                let seen = seen[id.index()];
                let choices = q.about.choices(after.lane(id), seen.as_ref());
                assert!(choices.contains(&q.about.answer_of(&seen.unwrap())), "{} step {}", s.id, i + 1);
                assert!(choices.len() >= 2, "{} step {}", s.id, i + 1);
            }
        }
    }
    let lane = statelab_sim::Playground::new(1, [LaneConfig::stateless(); 2]);
    let servers = Outcome::Server.choices(lane.lane(LaneId::A), None);
    assert_eq!(servers, [Answer::Server(1), Answer::Server(2), Answer::Server(3), Answer::Balancer]);
    assert_eq!(
        Outcome::Status.choices(lane.lane(LaneId::A), None),
        [Answer::Class(2), Answer::Class(4), Answer::Class(5)]
    );
}

#[test]
fn the_answer_event_says_what_was_given_and_what_happened() {
    let (s, q) = sticky_crash_last_step();
    let (before, after) = around(&s, 4);
    let v = check(&q, &before, &after, [Some(Answer::Yes), Some(Answer::Yes)]);
    let json: serde_json::Value = serde_json::from_str(&v.event_json("sticky-crash", 4)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"tour": "sticky-crash", "step": 4, "answers": {"A": "yes", "B": "yes"}, "actual": {"A": "yes", "B": "no"}, "correct": false})
    );
}

/// The question a tour asks, with the engine's actual answers to it and
/// to a status-class question on the same step, lane A then lane B.
fn asked(id: &str) -> (usize, [Answer; 2], [Answer; 2]) {
    let s = Scenario::find(id).unwrap();
    let (i, q) = s.steps.iter().enumerate().find_map(|(i, st)| st.ask.as_ref().map(|q| (i + 1, q))).unwrap();
    let (before, after) = around(&s, i);
    let seen = last_requests(&before, &after).map(Option::unwrap);
    (i, seen.map(|x| q.about.answer_of(&x)), seen.map(|x| Outcome::Status.answer_of(&x)))
}

#[test]
fn ftp_questions_are_answered_by_the_last_reply() {
    // The easy guess is that lane A, whose session died with S1, cannot
    // resume: it can, after logging in again; REST's 350 is an intermediate
    // reply and RETR's 150 a preliminary one, both positive (RFC 959).
    let (step, succeeds, class) = asked("ftp-resume");
    assert_eq!((step, succeeds, class), (3, [Answer::Yes, Answer::Yes], [Answer::Class(1), Answer::Class(2)]));
    // Round robin sends the data connection elsewhere: LIST gets 425, a
    // transient negative reply, where IP hash lists.
    let (step, succeeds, class) = asked("ftp-passive-balancer");
    assert_eq!((step, succeeds, class), (1, [Answer::No, Answer::Yes], [Answer::Class(4), Answer::Class(2)]));
}

#[test]
fn database_questions_are_answered_by_what_postgresql_said() {
    // A prepared statement is missing on the connection PgBouncer lends next.
    let (step, succeeds, class) = asked("db-txn-pooling");
    assert_eq!((step, succeeds, class), (3, [Answer::Yes, Answer::No], [Answer::Sql(*b"00"), Answer::Sql(*b"26")]));
    // The easy guess is that lane A's COMMIT fails, its transaction gone:
    // PostgreSQL only warns (a notice, not an error) and answers COMMIT.
    let (step, succeeds, _) = asked("db-crash-txn");
    assert_eq!((step, succeeds), (3, [Answer::Yes, Answer::Yes]));
    // PgBouncer's queue times out: 08P01, and nothing reached the database.
    let (step, succeeds, class) = asked("db-pool-exhaustion");
    assert_eq!((step, succeeds, class), (2, [Answer::Yes, Answer::No], [Answer::Sql(*b"00"), Answer::Sql(*b"08")]));
    // The easy guess is that Carol, who made no cart, fails in both lanes:
    // in lane A she is lent pg#1, which holds Alice's.
    let (step, succeeds, class) = asked("db-temp-table");
    assert_eq!((step, succeeds, class), (3, [Answer::Yes, Answer::No], [Answer::Sql(*b"00"), Answer::Sql(*b"42")]));
}

#[test]
fn status_classes_read_as_each_protocol_names_them() {
    // FTP has all five classes, 3xx intermediate among them; a database
    // lane's status is a SQLSTATE class, never an HTTP-like 2xx.
    let s = Scenario::find("db-temp-table").unwrap();
    let (before, after) = around(&s, 3);
    let seen = last_requests(&before, &after);
    let sql = Outcome::Status.choices(after.lane(LaneId::B), seen[1].as_ref());
    assert_eq!(
        sql.into_iter().map(Answer::key).collect::<Vec<_>>(),
        ["00xxx", "08xxx", "23xxx", "25xxx", "26xxx", "42xxx"]
    );
    assert_eq!(seen[1].unwrap().reply, Reply::Sql(Some(*b"42P01")));
    assert_eq!(seen[1].unwrap().to_string(), "pg#2 answered ERROR 42P01 via S1");
    assert_eq!(seen[0].unwrap().to_string(), "pg#1 answered no error via S1");

    let s = Scenario::find("ftp-passive-balancer").unwrap();
    let (before, after) = around(&s, 1);
    let seen = last_requests(&before, &after);
    let ftp = Outcome::Status.choices(after.lane(LaneId::A), seen[0].as_ref());
    assert_eq!(ftp, (1..=5).map(Answer::Class).chain([Answer::NoReply]).collect::<Vec<_>>());
    assert_eq!(seen[0].unwrap().reply, Reply::Ftp(425));
    assert_eq!(seen[0].unwrap().to_string(), "ftp#1 got 425 from S1");
}

#[test]
fn a_refused_ftp_connection_is_a_request_that_got_no_reply() {
    // S1 is down and health checks have not noticed: round robin sends
    // Carol's control connection there, it is refused, and no reply comes.
    // That is a failed request to predict, not a step that sent nothing.
    let file = r#"{"statelab_tour": 1, "title": "t", "a": "ftp:jwt.rr.2", "b": "ftp:jwt.iphash.2", "steps": [
      {"do": ["login alice", "login bob"], "say": "x"},
      {"do": ["crash 1", "login carol"], "say": "y",
       "ask": {"prompt": "Will Carol's login succeed?", "about": "succeeds", "lanes": ["A", "B"]}}]}"#;
    let (s, _) = Scenario::from_json(file).unwrap();
    let (before, after) = around(&s, 2);
    let seen = last_requests(&before, &after).map(Option::unwrap);
    assert_eq!((seen[0].reply, seen[0].server), (Reply::Refused, None));
    assert_eq!(seen[0].to_string(), "the connection was refused: no reply");
    assert_eq!(seen.map(|x| Outcome::Succeeds.answer_of(&x)), [Answer::No, Answer::Yes]);
    assert_eq!(Outcome::Status.answer_of(&seen[0]), Answer::NoReply);
    assert_eq!(Answer::NoReply.key(), "none");
    assert_eq!(Outcome::Server.answer_of(&seen[0]), Answer::Balancer);
    // "No reply" is always offered for an FTP lane, so offering it gives nothing away.
    assert!(Outcome::Status.choices(after.lane(LaneId::B), seen.get(1)).contains(&Answer::NoReply));
}
