//! matrix-benches: criterion benchmarks of matrix, run by `cargo xtask bench`.
//!
//! Each bench file under `benches/` measures one crate. Timings are reported, never asserted.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
