//! Contract tests live in `tests/contract.rs` (one binary keeps link time down); this
//! library is empty.
