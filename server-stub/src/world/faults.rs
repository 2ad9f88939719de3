//! Fault rules: "the next `count` calls of `operation` answer …", armed through the control
//! plane. The world keeps and consumes them; the transport (`crate::http`) turns a fired rule
//! into bytes on the wire.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// "The next `count` calls of `operation` answer …". Rules apply in the order added.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Document stem (`friends`, `contacts`, …); absent: any.
    #[serde(default)]
    pub service: Option<String>,
    /// `operationId`, or `*` for every operation.
    pub operation: String,
    /// How many calls it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Answer this status instead of calling the service.
    #[serde(default)]
    pub status: Option<u16>,
    /// With `status`: this JSON body.
    #[serde(default)]
    pub body: Option<Value>,
    /// With `status`: a `Retry-After` of this many seconds.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Wait this long first (then answer normally unless `status` or `reset` is set).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Cut the connection in the middle of the response body.
    #[serde(default)]
    pub reset: bool,
}

fn one() -> u32 {
    1
}

impl Default for FaultRule {
    /// Every operation of every service, once, with nothing to do yet: set what it does with
    /// the builder methods (or struct update syntax).
    fn default() -> Self {
        Self {
            service: None,
            operation: "*".into(),
            count: 1,
            status: None,
            body: None,
            retry_after: None,
            delay_ms: None,
            reset: false,
        }
    }
}

impl FaultRule {
    /// A rule for one `operationId` (any service), once.
    ///
    /// ```
    /// use social_stub::world::FaultRule;
    /// let rule = FaultRule::on("get_user_friends").status(503).retry_after(1).times(2);
    /// assert_eq!((rule.count, rule.status), (2, Some(503)));
    /// ```
    pub fn on(operation: impl Into<String>) -> Self {
        Self {
            operation: operation.into(),
            ..Self::default()
        }
    }

    /// Only in this document (`friends`, `contacts`, `roster`, `social-friends`, `party`).
    pub fn in_service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// For the next `count` matching calls.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Answer this status instead of calling the service.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// With [`status`](Self::status): this JSON body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// With [`status`](Self::status): `Retry-After` seconds.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Wait this long first.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Cut the connection in the middle of the response body.
    pub fn reset(mut self) -> Self {
        self.reset = true;
        self
    }

    fn matches(&self, spec: &str, operation: &str) -> bool {
        self.count > 0
            && self.service.as_deref().is_none_or(|s| s == spec)
            && (self.operation == "*" || self.operation == operation)
    }
}

/// A rule that fired for one call.
#[derive(Debug)]
pub struct Fault {
    rule: FaultRule,
}

impl Fault {
    /// How long to wait first.
    pub fn delay(&self) -> Option<Duration> {
        self.rule.delay_ms.map(Duration::from_millis)
    }

    /// Whether the rule cuts the connection.
    pub fn resets(&self) -> bool {
        self.rule.reset
    }

    /// The status to answer instead of the service, if the rule sets one.
    pub fn status(&self) -> Option<u16> {
        self.rule.status
    }

    /// With [`status`](Self::status): the JSON body.
    pub fn body(&self) -> Option<&Value> {
        self.rule.body.as_ref()
    }

    /// With [`status`](Self::status): `Retry-After` seconds.
    pub fn retry_after(&self) -> Option<u64> {
        self.rule.retry_after
    }
}

/// The armed rules of one world, in order.
#[derive(Debug, Default)]
pub(crate) struct Faults(Vec<FaultRule>);

impl Faults {
    pub(crate) fn add(&mut self, rules: Vec<FaultRule>) {
        self.0.extend(rules);
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    pub(crate) fn rules(&self) -> Vec<FaultRule> {
        self.0.clone()
    }

    /// The first armed rule matching the operation, used up by one.
    pub(crate) fn take(&mut self, spec: &str, operation: &str) -> Option<Fault> {
        let rules = &mut self.0;
        let index = rules.iter().position(|r| r.matches(spec, operation))?;
        let rule = rules[index].clone();
        rules[index].count = rules[index].count.saturating_sub(1);
        if rules[index].count == 0 {
            rules.remove(index);
        }
        Some(Fault { rule })
    }
}
