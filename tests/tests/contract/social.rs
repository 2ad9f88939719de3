//! Contract tests: the social service through the SDK against the stub.

#[allow(unused_imports)]
use crate::support::*;
