//! The examples of enumeter live beside this file, one program each; run
//! one with `cargo run --example NAME` (the README lists them). This
//! library is empty: it only gives the package a target of its own.
