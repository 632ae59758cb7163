//! Text forms of the engine's state: the action notation, lane-config codes,
//! transcripts, HAR and curl exports, the HAProxy configuration of a lane, and
//! a step's evidence as an SVG figure.

mod config_code;
mod export;
mod figure;
mod haproxy;
pub(crate) mod notation;
pub(crate) mod transcript;

pub(crate) use config_code::number_problem;
pub use config_code::{config_text, parse_config};
pub use export::{curl, har};
pub use figure::{figure_svg, focused, short_target, FigureStep};
pub use haproxy::{config as haproxy_config, run_it_yourself, run_it_yourself_for, BASE_PORT, HEALTH_RISE, LAB_DIR};
pub use haproxy::{ftp_config, pgbouncer_ini, FtpFleet, FTP_CONTROL_PORT, FTP_LAB_DIR};
pub use notation::{parse_actions, url_form};
pub use transcript::{connections_json, db_connections_json, ftp_connections_json, lane_text};
