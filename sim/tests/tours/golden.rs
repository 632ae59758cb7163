//! Transcripts are pinned byte for byte. The browser test compares the same
//! file with what wasm32 computes, so a platform difference shows up as a
//! failing test, not as a different screen.
//! Regenerate after an intended change: `UPDATE_GOLDEN=1 cargo test -p statelab-sim --test tours golden::`.

use statelab_sim::tours::all_scenarios_text;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/transcripts.txt");

#[test]
fn transcripts_match_the_golden_file() {
    let now = all_scenarios_text(1);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(PATH, &now).unwrap();
    }
    let golden = std::fs::read_to_string(PATH).expect("golden file; create it with UPDATE_GOLDEN=1");
    if now != golden {
        let line = now.lines().zip(golden.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "transcripts differ from the golden file at line {}:\n  now:    {:?}\n  golden: {:?}",
            line + 1,
            now.lines().nth(line),
            golden.lines().nth(line)
        );
    }
}

#[test]
fn another_seed_gives_other_keys_and_ids_but_the_same_story() {
    let (one, two) = (all_scenarios_text(1), all_scenarios_text(2));
    assert_ne!(one, two);
    // How many times a reconnecting app finds the dead server before health
    // checks take it out is the jitter's to decide, and the jitter is the
    // seed's: every other status is the story's.
    let statuses = |t: &str| {
        t.split("\n#")
            .filter(|x| !(x.contains("reconnects by itself") && x.contains("\n= 502")))
            .flat_map(|x| x.lines().filter(|l| l.starts_with("= ")).map(|l| l[..5].to_owned()))
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses(&one), statuses(&two));
    assert_eq!(all_scenarios_text(2), two, "same seed, same bytes");
}
