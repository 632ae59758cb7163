//! The guided tours: every scenario keeps the promises its narration makes,
//! and their transcripts match the golden file (`tests/golden/`).

mod connections;
mod databases;
mod designs;
mod golden;
mod scenarios;
