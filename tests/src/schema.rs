//! The documents' schemas, from the stub's index (`social_stub::spec`), for tests that show a
//! rule is held by the schema itself and not only by the stub.

use serde_json::Value;
use social_stub::spec;

/// The JSON request body schema of an operation (`$ref`s resolved).
///
/// # Panics
/// When the document has no such operation or it takes no body.
pub fn body(document: &str, operation: &str) -> &'static Value {
    &spec::operation(document, operation)
        .and_then(|op| op.body.as_ref())
        .unwrap_or_else(|| panic!("{document}: {operation} is not an operation with a body"))
        .1
}

/// The schema of one of an operation's parameters.
///
/// # Panics
/// When the document has no such operation or parameter.
pub fn parameter(document: &str, operation: &str, name: &str) -> &'static Value {
    &spec::operation(document, operation)
        .and_then(|op| op.params.iter().find(|p| p.name == name))
        .unwrap_or_else(|| panic!("{document}: {operation} has no parameter {name}"))
        .schema
}
