pub mod embed;
pub mod linked_row;
pub mod load_run;
pub mod step_play;
pub mod theme;
pub mod url_state;
