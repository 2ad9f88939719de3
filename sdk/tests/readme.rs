//! The crate README's first call is `examples/first_call.rs`, word for word (the example is
//! what CI compiles and what a user runs; the README must not drift from it).

#[test]
fn the_readme_example_is_the_first_call_example() {
    let readme = include_str!("../README.md");
    let example = include_str!("../examples/first_call.rs");
    let start = readme.find("```rust,no_run\n").expect("a rust block") + "```rust,no_run\n".len();
    let end = start + readme[start..].find("```").expect("its end");
    let body = example
        .split_once("\n\n")
        .map(|(_, body)| body)
        .expect("a header, then the code");
    assert_eq!(&readme[start..end], body);
}
