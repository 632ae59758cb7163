//! The chat room on a server: where a message goes once the server has it.
//! In memory, the room is this server's alone; over pub/sub, the store
//! carries every message to every server, and keeps the recent ones.

use crate::fleet::config::{App, Store, CHAT_ROOM};
use crate::fleet::connection::{ChatLine, HISTORY};
use crate::fleet::handling::Ctx;
use crate::fleet::store::StoreValue;
use crate::wire::json::ObjectWriter;

/// What the sender hears when pub/sub cannot carry its message.
pub(in crate::fleet) const NOT_SENT: &str = "the message was not sent: the store that carries it is down";

/// How long the store keeps a room's history after its last message.
const HISTORY_TTL_MS: u64 = 24 * 3_600_000;

/// The welcome a joining client gets: the recent messages this server can see.
pub(in crate::fleet) fn welcome(cx: &mut Ctx, user: &str) -> String {
    let recent = match cx.config.app {
        App::Chat(Store::Shared) => {
            let key = format!("history:{CHAT_ROOM}");
            match cx.store_trip(|| format!("store: LRANGE {key} 0 -1 (the room's recent messages)")) {
                Ok(()) => match cx.backend.store.get(&key, cx.now) {
                    Some(StoreValue::History(lines)) => lines.clone(),
                    _ => Vec::new(),
                },
                Err(_) => Vec::new(),
            }
        }
        _ => {
            let n = cx.server.rooms.chat.len();
            let name = cx.server.name();
            cx.trace.say(|| {
                format!("{name}'s memory holds {n} recent message{} of the room", if n == 1 { "" } else { "s" })
            });
            cx.server.rooms.chat.clone()
        }
    };
    let lines: Vec<String> = recent.iter().map(line_json).collect();
    ObjectWriter::new()
        .str("type", "welcome")
        .str("user", user)
        .str("room", CHAT_ROOM)
        .str("server", &cx.server.name())
        .raw("recent", &format!("[{}]", lines.join(",")))
        .finish()
}

/// `user` said `text`: the message every recipient gets, or why the server
/// could not pass it on.
pub(in crate::fleet) fn say(cx: &mut Ctx, user: &str, text: &str) -> Result<String, String> {
    let line = ChatLine { from: user.to_owned(), text: text.to_owned() };
    let name = cx.server.name();
    match cx.config.app {
        App::Chat(Store::Shared) => {
            let channel = format!("room:{CHAT_ROOM}");
            cx.store_trip(|| format!("store: PUBLISH {channel} (every server subscribes and passes it to its own connections), RPUSH + LTRIM history:{CHAT_ROOM} to {HISTORY}"))
                .map_err(|_| NOT_SENT.to_owned())?;
            let key = format!("history:{CHAT_ROOM}");
            let mut lines = match cx.backend.store.get(&key, cx.now) {
                Some(StoreValue::History(lines)) => lines.clone(),
                _ => Vec::new(),
            };
            push_recent(&mut lines, line.clone());
            let expires = cx.now.plus_ms(HISTORY_TTL_MS);
            cx.backend.store.set(key, StoreValue::History(lines), expires);
        }
        _ => {
            cx.trace
                .say(|| format!("{name} adds it to the room in its own memory: only connections on {name} can get it"));
            push_recent(&mut cx.server.rooms.chat, line.clone());
        }
    }
    Ok(message_json(&line))
}

fn push_recent(lines: &mut Vec<ChatLine>, line: ChatLine) {
    lines.push(line);
    if lines.len() > HISTORY {
        lines.remove(0);
    }
}

fn line_json(l: &ChatLine) -> String {
    ObjectWriter::new().str("from", &l.from).str("text", &l.text).finish()
}

fn message_json(l: &ChatLine) -> String {
    ObjectWriter::new().str("type", "message").str("from", &l.from).str("text", &l.text).finish()
}
