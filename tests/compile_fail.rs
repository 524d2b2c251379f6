//! Misuse does not compile: each `ui-tests/NAME.rs` holds one mistake (one
//! holds several, to show they are reported together) and `NAME.stderr` the
//! exact error. Regenerate with `TRYBUILD=overwrite cargo test --test
//! compile_fail` and read every diff.

#[test]
fn misuse_is_a_compile_error_that_points_at_the_mistake() {
    trybuild::TestCases::new().compile_fail("ui-tests/*.rs");
}
