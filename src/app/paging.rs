//! Keyset pages: how many items, after which key; and the page found.

/// A page to read: at most `limit` items after the key `after`.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<String>,
}

/// A page read: its items, and the key to read the next page after when one follows.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_after: Option<String>,
}

impl PageRequest {
    /// Rows to load: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// The page of `rows` (loaded with `fetch()`), keyed by `key`.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> Listing<T> {
        let limit = self.limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_after = rows.last().filter(|_| more).map(key);
        Listing {
            items: rows,
            next_after,
        }
    }
}

impl<T> Listing<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extra_row_says_another_page_follows() {
        let page = PageRequest {
            limit: 2,
            after: None,
        };
        let full = page.finish(vec![1, 2, 3], ToString::to_string);
        assert_eq!(
            (full.items, full.next_after.as_deref()),
            (vec![1, 2], Some("2"))
        );
        let last = page.finish(vec![1, 2], ToString::to_string);
        assert_eq!((last.items, last.next_after), (vec![1, 2], None));
    }
}
