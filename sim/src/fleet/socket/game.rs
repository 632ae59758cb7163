//! The game room on a server: its match is authoritative where it runs. In
//! memory it lives and dies with the server; checkpointed, every move is
//! also written to the store, and a server that takes the room over reads it.

use crate::fleet::config::{App, Store, GAME_ROOM};
use crate::fleet::connection::{Match, BOARD_MAX};
use crate::fleet::handling::Ctx;
use crate::fleet::store::StoreValue;
use crate::wire::json::ObjectWriter;

/// How long the store keeps a checkpoint after the last move.
const CHECKPOINT_TTL_MS: u64 = 24 * 3_600_000;

fn key() -> String {
    format!("match:{GAME_ROOM}")
}

/// `user` joins the match this server runs, starting or resuming one if it
/// runs none; returns the welcome, and whether it took the match up from the
/// store's checkpoint.
pub(in crate::fleet) fn join(cx: &mut Ctx, user: &str) -> (String, bool) {
    let name = cx.server.name();
    let mut took_up = false;
    if cx.server.rooms.game.is_none() {
        let resumed = match cx.config.app {
            App::Game(Store::Shared) => {
                let key = key();
                match cx.store_trip(|| format!("store: GET {key} (the match's last checkpoint)")) {
                    Ok(()) => match cx.backend.store.get(&key, cx.now) {
                        Some(StoreValue::Match(m)) => Some(m.clone()),
                        _ => None,
                    },
                    Err(_) => None,
                }
            }
            _ => None,
        };
        match &resumed {
            Some(m) => cx.trace.say(|| format!("{name} resumes {GAME_ROOM} from its checkpoint, at tick {}", m.tick)),
            None => cx.trace.say(|| format!("{name} runs no {GAME_ROOM}: a new match starts at tick 0")),
        }
        took_up = resumed.is_some();
        cx.server.rooms.game = Some(resumed.unwrap_or_default());
    }
    let m = cx.server.rooms.game.get_or_insert_with(Match::default);
    if let Err(at) = m.players.binary_search_by(|(p, _)| p.as_str().cmp(user)) {
        m.players.insert(at, (user.to_owned(), (0, 0)));
    }
    let state = m.to_json();
    let welcome = ObjectWriter::new()
        .str("type", "welcome")
        .str("user", user)
        .str("room", GAME_ROOM)
        .str("server", &name)
        .raw("match", &state)
        .finish();
    (welcome, took_up)
}

/// `user` moves by (`dx`, `dy`): the server applies it to its match and
/// returns the state every player on it gets.
pub(in crate::fleet) fn step(cx: &mut Ctx, user: &str, dx: i8, dy: i8) -> Result<String, String> {
    let name = cx.server.name();
    let Some(m) = cx.server.rooms.game.as_mut() else {
        return Err(format!("{name} runs no match"));
    };
    let Ok(at) = m.players.binary_search_by(|(p, _)| p.as_str().cmp(user)) else {
        return Err(format!("{user} is not a player of the match {name} runs"));
    };
    let (x, y) = m.players[at].1;
    let to = ((x + i32::from(dx)).clamp(0, BOARD_MAX), (y + i32::from(dy)).clamp(0, BOARD_MAX));
    m.players[at].1 = to;
    m.tick = m.tick.saturating_add(1);
    let (tick, state) = (m.tick, m.to_json());
    cx.trace.say(|| {
        format!("{name} applies the move: {user} to [{},{}], tick {tick} (the match is authoritative here)", to.0, to.1)
    });
    if cx.config.app == App::Game(Store::Shared) {
        let key = key();
        let checkpoint = m.clone();
        if cx.store_trip(|| format!("store: SET {key} (checkpoint at tick {tick})")).is_ok() {
            let expires = cx.now.plus_ms(CHECKPOINT_TTL_MS);
            cx.backend.store.set(key, StoreValue::Match(checkpoint), expires);
        } else {
            cx.trace.say(|| "the checkpoint was not written: the move stands in this server's memory only".into());
        }
    }
    Ok(ObjectWriter::new().str("type", "state").raw("match", &state).finish())
}
