//! matrix-core benchmarks: the per-session budget on the hot path of buffer growth.

use criterion::{Criterion, criterion_group, criterion_main};
use matrix_core::memory::SessionBudget;
use std::hint::black_box;

fn budget(c: &mut Criterion) {
    c.bench_function("core/budget_charge_release", |b| {
        let mut budget = SessionBudget::new(1 << 20);
        b.iter(|| {
            budget.charge(black_box(16_384)).unwrap();
            budget.release(black_box(16_384));
        })
    });
}

criterion_group!(benches, budget);
criterion_main!(benches);
