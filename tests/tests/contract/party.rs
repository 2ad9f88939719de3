//! Contract tests: the party service through the SDK against the stub.

#[allow(unused_imports)]
use crate::support::*;
