//! Answers serialised straight to bytes, completed on the way: the same completion as
//! [`complete_response`](super::complete_response) (absent nullable properties written
//! `null`, absent arrays `[]`, `x-fraction-digits` on timestamps), without building a
//! `serde_json::Value` first.
//!
//! A [`Plan`] is compiled once per success schema (and per live-frame component): per
//! object, its properties and what an absent one is written as; per array, its items.
//! Serialising then goes through a wrapper around `serde_json`'s serializer that follows the
//! plan: the generated types skip an absent `Option` with `skip_serializing_if`, which serde
//! reports as `SerializeStruct::skip_field(name)`, and the wrapper writes the filler there.
//! Properties come out in the struct's declaration order.

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, SerializeStructVariant, Serializer};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::{Arc, LazyLock, RwLock};

/// What an absent property is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Left out.
    Nothing,
    /// `null` (the property is nullable).
    Null,
    /// `[]` (the property is an array).
    Empty,
}

/// The compiled completion of one schema node.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// The object's properties (from the node, or from the `oneOf`/`allOf` branch that has
    /// them): name, what an absent one is written as, and its own plan. A list searched from
    /// where the last field was found: a few properties, asked for in the same order.
    properties: Vec<(Box<str>, Fill, Plan)>,
    /// The array's items.
    items: Option<Box<Plan>>,
    /// `x-fraction-digits` of a `date-time` property.
    fraction: Option<usize>,
    /// The length of the last answer written with this plan: the next one's buffer starts at
    /// that size, so a big answer is not copied as its buffer grows.
    last_len: std::sync::atomic::AtomicUsize,
}

/// How deep a plan follows a schema (as [`complete_response`](super::complete_response)).
const MAX_DEPTH: usize = 16;

impl Plan {
    /// The plan of `schema` (`$ref`s resolved).
    pub(super) fn of(schema: &Value) -> Self {
        Self::compile(schema, false, 0)
    }

    fn compile(schema: &Value, property: bool, depth: usize) -> Self {
        let fraction = if property {
            schema
                .get("x-fraction-digits")
                .and_then(Value::as_u64)
                .map(|d| usize::try_from(d.min(9)).unwrap_or(9))
        } else {
            None
        };
        let mut plan = Self {
            fraction,
            ..Self::default()
        };
        if depth > MAX_DEPTH {
            return plan;
        }
        let object = if schema.get("properties").is_some() {
            Some(schema)
        } else {
            schema
                .get("oneOf")
                .or_else(|| schema.get("allOf"))
                .and_then(Value::as_array)
                .and_then(|b| b.iter().find(|b| b.get("properties").is_some()))
        };
        if let Some(properties) = object
            .and_then(|o| o.get("properties"))
            .and_then(Value::as_object)
        {
            for (name, property) in properties {
                let fill = if property.get("nullable").and_then(Value::as_bool) == Some(true) {
                    Fill::Null
                } else if property.get("type").and_then(Value::as_str) == Some("array") {
                    Fill::Empty
                } else {
                    Fill::Nothing
                };
                let child = Self::compile(property, true, depth + 1);
                plan.properties.push((name.as_str().into(), fill, child));
            }
        }
        if let Some(items) = schema.get("items") {
            plan.items = Some(Box::new(Self::compile(items, false, depth + 1)));
        }
        plan
    }

    /// The property `name` and its index, looking at `hint` first.
    fn property(&self, name: &str, hint: usize) -> Option<(usize, Fill, &Plan)> {
        let index = match self.properties.get(hint) {
            Some((key, _, _)) if &**key == name => hint,
            _ => self
                .properties
                .iter()
                .position(|(key, _, _)| &**key == name)?,
        };
        let (_, fill, plan) = &self.properties[index];
        Some((index, *fill, plan))
    }
}

/// Compiled plans by `(document, operation or component)`: compiled on first use, then read.
type Plans = RwLock<HashMap<(&'static str, &'static str), Arc<Plan>>>;

static OPERATION_PLANS: LazyLock<Plans> = LazyLock::new(Default::default);
static COMPONENT_PLANS: LazyLock<Plans> = LazyLock::new(Default::default);

fn plan(
    plans: &Plans,
    key: (&'static str, &'static str),
    schema: impl FnOnce() -> Option<&'static Value>,
) -> Arc<Plan> {
    if let Some(plan) = plans.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(plan);
    }
    let plan = Arc::new(schema().map(Plan::of).unwrap_or_default());
    plans
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&plan));
    plan
}

/// The success answer of an operation as bytes, completed against its success schema.
pub fn response_bytes<T: Serialize + ?Sized>(
    document: &'static str,
    operation: &'static str,
    value: &T,
) -> serde_json::Result<Vec<u8>> {
    let plan = plan(&OPERATION_PLANS, (document, operation), || {
        super::operation(document, operation).and_then(|op| op.success_schema.as_ref())
    });
    to_vec(value, &plan)
}

/// A value of a named schema of a document (a live frame) as bytes, completed.
pub fn component_bytes<T: Serialize + ?Sized>(
    document: &'static str,
    component: &'static str,
    value: &T,
) -> serde_json::Result<Vec<u8>> {
    let plan = plan(&COMPONENT_PLANS, (document, component), || {
        super::component(document, component)
    });
    to_vec(value, &plan)
}

/// `value` as JSON bytes, completed by `plan`.
pub(super) fn to_vec<T: Serialize + ?Sized>(value: &T, plan: &Plan) -> serde_json::Result<Vec<u8>> {
    use std::sync::atomic::Ordering::Relaxed;
    let mut out = Vec::with_capacity(plan.last_len.load(Relaxed).clamp(256, 8 << 20));
    let mut serializer = serde_json::Serializer::new(&mut out);
    value.serialize(Completing {
        inner: &mut serializer,
        plan: Some(plan),
    })?;
    plan.last_len.store(out.len(), Relaxed);
    Ok(out)
}

/// A value serialised through [`Completing`] with `plan`.
struct Planned<'p, T: ?Sized> {
    value: &'p T,
    plan: Option<&'p Plan>,
}

impl<T: Serialize + ?Sized> Serialize for Planned<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Completing {
            inner: serializer,
            plan: self.plan,
        })
    }
}

/// The empty array a [`Fill::Empty`] writes.
const EMPTY: [(); 0] = [];

/// The serializer wrapper: `inner` writes, `plan` says what completes the current node.
struct Completing<'p, S> {
    inner: S,
    plan: Option<&'p Plan>,
}

impl<'p, S: Serializer> Completing<'p, S> {
    fn items(&self) -> Option<&'p Plan> {
        self.plan.and_then(|p| p.items.as_deref())
    }
}

/// A timestamp with exactly `digits` fractional digits, in UTC with `Z`, as the service writes
/// it; `None` when `text` is not an RFC 3339 date-time.
pub(super) fn with_fraction(text: &str, digits: usize) -> Option<String> {
    // chrono writes a `DateTime<Utc>` as `YYYY-MM-DDTHH:MM:SS[.f…]Z`: cut or pad the
    // fraction in the text. Anything else (an offset, a year past 9999) is parsed.
    let bytes = text.as_bytes();
    let plain = bytes.len() >= 20
        && bytes[4] == b'-'
        && bytes[10] == b'T'
        && bytes[..19]
            .iter()
            .enumerate()
            .all(|(i, b)| matches!(i, 4 | 7 | 10 | 13 | 16) || b.is_ascii_digit())
        && bytes.last() == Some(&b'Z');
    if plain {
        let fraction = match bytes[19] {
            b'Z' if bytes.len() == 20 => "",
            b'.' => &text[20..text.len() - 1],
            _ => return with_fraction_parsed(text, digits),
        };
        if fraction.bytes().all(|b| b.is_ascii_digit()) && fraction.len() <= 9 {
            let mut out = String::with_capacity(21 + digits);
            out.push_str(&text[..19]);
            if digits > 0 {
                out.push('.');
                let kept = &fraction[..fraction.len().min(digits)];
                out.push_str(kept);
                out.extend(std::iter::repeat_n('0', digits - kept.len()));
            }
            out.push('Z');
            return Some(out);
        }
    }
    with_fraction_parsed(text, digits)
}

fn with_fraction_parsed(text: &str, digits: usize) -> Option<String> {
    let time = chrono::DateTime::parse_from_rfc3339(text)
        .ok()?
        .with_timezone(&chrono::Utc);
    let mut out = String::with_capacity(31);
    use std::fmt::Write;
    write!(out, "{}", time.format("%Y-%m-%dT%H:%M:%S")).ok()?;
    if digits > 0 {
        let nanos = format!("{:09}", chrono::Timelike::nanosecond(&time) % 1_000_000_000);
        out.push('.');
        out.push_str(&nanos[..digits]);
    }
    out.push('Z');
    Some(out)
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<'p, S: Serializer> Serializer for Completing<'p, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Seq<'p, S::SerializeSeq>;
    // No schema of ours completes what is inside a tuple or a map: they are written as they
    // are.
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = Struct<'p, S::SerializeStruct>;
    type SerializeStructVariant = Struct<'p, S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        match self.plan.and_then(|p| p.fraction) {
            Some(digits) => match with_fraction(v, digits) {
                Some(text) => self.inner.serialize_str(&text),
                None => self.inner.serialize_str(v),
            },
            None => self.inner.serialize_str(v),
        }
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        // Formatted first, then written (and escaped) in one piece: `serde_json`'s own
        // `collect_str` escapes every `write_char` of the `Display` separately. (The models'
        // optional date-times do not come here: `social_sdk`'s writer gives them as text.)
        self.serialize_str(&value.to_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let plan = self.plan;
        self.inner
            .serialize_newtype_struct(name, &Planned { value, plan })
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let plan = self.plan;
        self.inner
            .serialize_newtype_variant(name, index, variant, &Planned { value, plan })
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        let items = self.items();
        Ok(Seq {
            inner: self.inner.serialize_seq(len)?,
            items,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.inner.serialize_tuple(len)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.inner.serialize_tuple_struct(name, len)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.inner
            .serialize_tuple_variant(name, index, variant, len)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.inner.serialize_map(len)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let plan = self.plan;
        // serde counts only the fields it will not skip; a count of 0 makes serde_json write
        // `{}` at once, and the fillers written for skipped fields would land after it.
        let len = if plan.is_some() { len.max(1) } else { len };
        Ok(Struct {
            inner: self.inner.serialize_struct(name, len)?,
            plan,
            next: 0,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        let plan = self.plan;
        let len = if plan.is_some() { len.max(1) } else { len };
        Ok(Struct {
            inner: self
                .inner
                .serialize_struct_variant(name, index, variant, len)?,
            plan,
            next: 0,
        })
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A sequence whose elements follow `items`.
struct Seq<'p, I> {
    inner: I,
    items: Option<&'p Plan>,
}

impl<I: SerializeSeq> SerializeSeq for Seq<'_, I> {
    type Ok = I::Ok;
    type Error = I::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), I::Error> {
        self.inner.serialize_element(&Planned {
            value,
            plan: self.items,
        })
    }

    fn end(self) -> Result<I::Ok, I::Error> {
        self.inner.end()
    }
}

/// A struct: each field follows its property's plan, and a skipped field is written as its
/// property's filler.
struct Struct<'p, I> {
    inner: I,
    plan: Option<&'p Plan>,
    /// Where the next field is looked for first (after the last one found).
    next: usize,
}

impl<'p, I> Struct<'p, I> {
    fn property(&mut self, key: &str) -> Option<(Fill, &'p Plan)> {
        let (index, fill, plan) = self.plan?.property(key, self.next)?;
        self.next = index + 1;
        Some((fill, plan))
    }
}

macro_rules! planned_struct {
    ($($trait:ident),*) => {
        $(impl<I: $trait> $trait for Struct<'_, I> {
            type Ok = I::Ok;
            type Error = I::Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), I::Error> {
                let plan = self.property(key).map(|(_, plan)| plan);
                self.inner.serialize_field(key, &Planned { value, plan })
            }

            fn skip_field(&mut self, key: &'static str) -> Result<(), I::Error> {
                match self.property(key).map(|(fill, _)| fill) {
                    Some(Fill::Null) => self.inner.serialize_field(key, &()),
                    Some(Fill::Empty) => self.inner.serialize_field(key, &EMPTY),
                    _ => self.inner.skip_field(key),
                }
            }

            fn end(self) -> Result<I::Ok, I::Error> {
                self.inner.end()
            }
        })*
    };
}

planned_struct!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::{Value, json};
    use social_sdk::{friends, party, social_friends};

    /// Writes `sparse` (decoded into `T`, so absent fields are `None`) both ways: through the
    /// plan, and the reference way (a `Value`, completed by `complete_response`). The two
    /// must be the same JSON.
    fn same<T: Serialize + DeserializeOwned>(
        document: &'static str,
        operation: &'static str,
        sparse: Value,
    ) {
        let typed: T = serde_json::from_value(sparse.clone()).expect("decodes");
        let bytes = super::response_bytes(document, operation, &typed).expect("writes");
        let written: Value = serde_json::from_slice(&bytes).expect("valid JSON");
        let mut reference = serde_json::to_value(&typed).expect("value");
        crate::spec::complete_response(document, operation, &mut reference);
        assert_eq!(written, reference, "{document} {operation} from {sparse}");
    }

    #[test]
    fn the_plan_writes_what_the_reference_completion_writes() {
        same::<party::types::PartyOverview>("party", "get_party", json!({}));
        same::<party::types::PartyOverview>(
            "party",
            "get_party",
            json!({"party": {"id": "5ca1ab1e-0000-4000-8000-000000000001", "members": [{}]},
                   "invites": [{"createdAt": "2026-01-07T12:00:00.123456789Z"}]}),
        );
        same::<friends::types::UserResponseArray>(
            "friends",
            "get_user_friends",
            json!({"data": [{"id": 1}, {"id": 2, "created": "2024-03-24T02:25:33.095123456Z"}]}),
        );
        same::<friends::types::FriendRequestResponsePage>(
            "friends",
            "get_my_friend_requests",
            json!({"data": [{"id": 3, "friendRequest": {"sentAt": "2024-03-24T02:25:33.9Z",
                   "senderId": 4}}]}),
        );
        same::<friends::types::FriendRequestResponsePage>(
            "friends",
            "get_my_friend_requests",
            json!({}),
        );
        same::<social_friends::types::FriendsSnapshot>(
            "social-friends",
            "get_social_friends",
            json!({"friends": [{}], "requests": {}}),
        );
    }

    #[test]
    fn timestamps_get_the_documented_fractional_digits() {
        let cases = [
            ("0001-01-01T05:51:00Z", 3, "0001-01-01T05:51:00.000Z"),
            (
                "2024-03-24T02:25:33.095123456Z",
                3,
                "2024-03-24T02:25:33.095Z",
            ),
            ("2024-03-24T02:25:33.9Z", 0, "2024-03-24T02:25:33Z"),
            ("2024-03-24T04:25:33.5+02:00", 1, "2024-03-24T02:25:33.5Z"),
            ("2024-03-24T02:25:33Z", 3, "2024-03-24T02:25:33.000Z"),
            ("2024-03-24T02:25:33.1Z", 7, "2024-03-24T02:25:33.1000000Z"),
            (
                "2024-03-24T02:25:33.123456789Z",
                9,
                "2024-03-24T02:25:33.123456789Z",
            ),
        ];
        for (given, digits, written) in cases {
            assert_eq!(
                super::with_fraction_parsed(given, digits).as_deref(),
                Some(written),
                "{given} with {digits} digits (parsed)"
            );
            assert_eq!(
                super::with_fraction(given, digits).as_deref(),
                Some(written),
                "{given} with {digits} digits"
            );
        }
        assert_eq!(super::with_fraction("not a time", 3), None);
    }
}
