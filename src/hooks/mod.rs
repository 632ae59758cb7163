pub mod embed;
pub mod linked_row;
pub mod step_play;
pub mod url_state;
