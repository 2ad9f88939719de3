//! `cargo test` fails when a generated file is stale, like `cargo xtask codegen --check`.

#[test]
fn generated_code_is_fresh() {
    if let Err(error) = xtask::codegen::run(xtask::codegen::Mode::Check) {
        panic!("{error:#}");
    }
}
