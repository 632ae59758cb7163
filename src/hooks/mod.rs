pub mod embed;
pub mod linked_row;
pub mod url_state;
