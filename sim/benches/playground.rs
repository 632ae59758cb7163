//! What a learner waits for with a long log: undo, a config change, and
//! opening a link (rebuilding the playground from its recipe). Budgets, in
//! a browser: undo and config ≤ 100 ms, opening ≤ 2 s; wasm runs about 2×
//! slower than these native figures.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use statelab_sim::playground::{MAX_LOAD_REQUESTS, MAX_LOAD_USERS};
use statelab_sim::LaneId;
use statelab_sim::{Action, LaneConfig, Playground, Recipe, Strategy, User};
use std::hint::black_box;

const ACTIONS: usize = 100_000;

/// Alice logs in, then loads her profile over and over, with a crash and a
/// restart of S2 every few thousand actions.
fn long_recipe() -> Recipe {
    let mut actions = vec![Action::Login { user: User::Alice, wrong_password: false }];
    while actions.len() < ACTIONS {
        actions.push(match actions.len() % 5_000 {
            1_000 => Action::Crash { server: 2 },
            3_000 => Action::Restart { server: 2 },
            _ => Action::Me { user: User::Alice },
        });
    }
    Recipe { seed: 1, configs: [LaneConfig::stateless(), LaneConfig::stateful()], actions }
}

fn playground(c: &mut Criterion) {
    let recipe = long_recipe();
    let p = Playground::from_recipe(&recipe);
    assert_eq!(p.actions().len(), ACTIONS, "every action of the bench log is played");
    assert_eq!(Playground::from_recipe_bounded(&recipe).1, None, "a link with this log opens whole");
    let mut group = c.benchmark_group("playground_100k");
    group.sample_size(10);
    group.bench_function("undo", |b| {
        b.iter_batched(
            || p.clone(),
            |mut p| {
                p.undo();
                p
            },
            BatchSize::LargeInput,
        )
    });
    let sticky = LaneConfig::stateful().with_balancer(Strategy::StickyCookie);
    group.bench_function("config_change", |b| {
        b.iter_batched(
            || p.clone(),
            |mut p| {
                p.set_config(LaneId::B, black_box(sticky));
                p
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("open_link", |b| b.iter(|| Playground::from_recipe_bounded(black_box(&recipe))));
    // The largest load a link may hold, to weigh a load's work against a traced action's.
    let load = Recipe {
        actions: vec![Action::Load { users: MAX_LOAD_USERS, requests: MAX_LOAD_REQUESTS }],
        ..Recipe { actions: Vec::new(), ..recipe.clone() }
    };
    group.bench_function("open_link_largest_load", |b| b.iter(|| Playground::from_recipe_bounded(black_box(&load))));
    group.finish();
}

criterion_group!(benches, playground);
criterion_main!(benches);
