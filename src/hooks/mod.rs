pub mod embed;
pub mod url_state;
