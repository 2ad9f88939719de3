//! Cursor page streams.
//!
//! Operations marked `x-cursor` in `openapi/` get a `.stream()` on their request builder
//! (emitted by `cargo xtask codegen`), built on [`cursor_stream`]: it repeats the caller's
//! filters on every page, fetches the next page only when the previous one has been consumed,
//! ends on an absent or empty cursor, and fails instead of looping when a cursor repeats.
//! Use [`futures::StreamExt::take`] to stop after a number of items.
//!
//! Each page is one call, retried as the client's [`RetryPolicy`](crate::RetryPolicy) allows
//! (a retry asks for the same cursor, so no item is skipped or repeated). A page that still
//! fails is the stream's last item: the error, after every item of the pages before it.

use crate::Error;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use std::collections::HashSet;
use std::future::Future;

/// One page: its items and the cursor of the next page (`None` or empty: last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page, in server order.
    pub items: Vec<T>,
    /// The cursor to send for the next page.
    pub next: Option<String>,
}

/// A response model that is one page of a cursor-paged list.
pub trait CursorPage {
    /// One item of the list.
    type Item;
    /// Splits the page into its items and next cursor.
    fn into_page(self) -> Page<Self::Item>;
}

/// Item lists that a response model may hold: a plain `Vec` or an optional one (`null` or a
/// missing field reads as an empty page).
pub trait IntoItems<T> {
    /// The items, empty when there are none.
    fn into_items(self) -> Vec<T>;
}

impl<T> IntoItems<T> for Vec<T> {
    fn into_items(self) -> Vec<T> {
        self
    }
}

impl<T> IntoItems<T> for Option<Vec<T>> {
    fn into_items(self) -> Vec<T> {
        self.unwrap_or_default()
    }
}

/// The stream a `.stream()` method returns.
pub type PageStream<'a, T> = BoxStream<'a, Result<T, Error>>;

struct Walk<B> {
    request: B,
    cursor: Option<String>,
    seen: HashSet<String>,
    done: bool,
}

/// Walks a cursor-paged operation. `fetch(request, cursor)` sends one page request: `cursor`
/// is `None` for the first page (whatever cursor the caller set on `request` is used).
pub fn cursor_stream<'a, B, P, F, Fut>(
    operation: &'static str,
    request: B,
    fetch: F,
) -> PageStream<'a, P::Item>
where
    B: Clone + Send + 'a,
    P: CursorPage + Send + 'a,
    P::Item: Send + 'a,
    F: Fn(B, Option<String>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<P, Error>> + Send + 'a,
{
    let start = Walk {
        request,
        cursor: None,
        seen: HashSet::new(),
        done: false,
    };
    stream::try_unfold((start, fetch), move |(mut walk, fetch)| async move {
        if walk.done {
            return Ok(None);
        }
        let page = fetch(walk.request.clone(), walk.cursor.take())
            .await?
            .into_page();
        match page.next.filter(|c| !c.is_empty()) {
            None => walk.done = true,
            Some(next) => {
                if !walk.seen.insert(next.clone()) {
                    return Err(Error::CursorLoop {
                        operation,
                        cursor: next,
                    });
                }
                walk.cursor = Some(next);
            }
        }
        Ok(Some((
            stream::iter(page.items.into_iter().map(Ok)),
            (walk, fetch),
        )))
    })
    .try_flatten()
    .boxed()
}
