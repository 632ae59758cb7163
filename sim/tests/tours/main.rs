//! The guided tours: every scenario keeps the promises its narration makes,
//! their transcripts match the golden file (`tests/golden/`), and their
//! steps' SVG figures are well-formed images of what the engine recorded.

mod connections;
mod databases;
mod designs;
mod figures;
mod ftp;
mod golden;
mod questions;
mod scenarios;
