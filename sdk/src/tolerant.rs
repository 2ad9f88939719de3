//! Decoding helpers the generated models use (see `xtask/src/codegen.rs`).

use serde::{Deserialize, Deserializer};

/// A field that may be absent may also be `null`: both decode as the type's default (an
/// empty list), so one unexpected `null` never fails a whole answer.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use crate::friends::types::ErrorResponse;

    #[test]
    fn a_null_list_decodes_as_empty_and_a_wrong_one_still_fails() {
        let body: ErrorResponse =
            serde_json::from_str(r#"{"errors": null, "code": 0}"#).expect("null list decodes");
        assert!(body.errors.is_empty());
        let absent: ErrorResponse = serde_json::from_str(r#"{"code": 0}"#).expect("absent list");
        assert_eq!(body, absent);
        assert!(serde_json::from_str::<ErrorResponse>(r#"{"errors": 3}"#).is_err());
    }
}
