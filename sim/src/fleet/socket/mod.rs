//! The servers' side of long-lived connections: the WebSocket handshake a
//! server answers (`handshake.rs`) and the two apps that run on the
//! connections — a chat room (`chat.rs`) and a game room (`game.rs`).

mod chat;
mod game;
pub(crate) mod handshake;

pub(in crate::fleet) use chat::{say, welcome as chat_welcome, NOT_SENT};
pub(in crate::fleet) use game::{join as join_game, step as move_player};
