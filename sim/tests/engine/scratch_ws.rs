use statelab_sim::text::{lane_text, parse_actions, parse_config};
use statelab_sim::{LaneId, Playground};

#[test]
#[ignore]
fn scratch() {
    let a = parse_config(&std::env::var("A").unwrap()).unwrap();
    let b = parse_config(&std::env::var("B").unwrap()).unwrap();
    let mut p = Playground::new(1, [a, b]);
    for act in parse_actions(&std::env::var("LOG").unwrap()).unwrap() {
        if let Err(e) = p.apply(act) { println!("REFUSED {e}"); }
    }
    for id in LaneId::ALL { println!("{}", lane_text(id.label(), p.lane(id))); }
}
