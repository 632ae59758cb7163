pub mod url_state;
