//! The workspace's test-and-example package. Its only code is this file,
//! which compiles the README's Rust examples as doctests so that they cannot
//! drift from the API.
#![doc = include_str!("../README.md")]
