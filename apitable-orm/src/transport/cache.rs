//! The opt-in read cache: answers to record reads kept for a time-to-live, per URL.
//!
//! Every write this client sends to a datasheet (any method but GET, whatever its outcome)
//! moves that datasheet to a new generation, and an answer cached in an older generation is
//! never served again. The generation is taken before a read is sent, so a read that overlaps
//! a write is cached under the old one and dropped. Concurrent reads of one URL wait for the
//! first one's answer instead of each sending their own: a page served 100 times a second
//! costs one request per time-to-live.
//!
//! With a Redis tier (the `redis` feature), answers and generations also live in Redis, so that
//! every client sharing it serves what any of them fetched, and a write by any of them
//! invalidates for all. While Redis is unreachable the cache works within the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::error::Result;

/// The most URLs kept; beyond that, expired and idle ones are dropped first.
const MAX_ENTRIES: usize = 4096;

/// A datasheet's generation: this process's count of its writes, and the shared one in
/// Redis when there is a Redis tier.
type Generation = (u64, Option<u64>);

#[derive(Debug, Clone)]
struct Entry {
    body: Bytes,
    at: Instant,
    generation: Generation,
}

/// One URL's slot; its lock is held while its answer is fetched.
type Slot = Arc<tokio::sync::Mutex<Option<Entry>>>;

/// Cached answers and the datasheets' generations.
#[derive(Debug, Default)]
pub(crate) struct ReadCache {
    slots: Mutex<HashMap<String, Slot>>,
    generations: Mutex<HashMap<String, u64>>,
    #[cfg(feature = "redis")]
    shared: Option<shared::SharedTier>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ReadCache {
    /// Shares answers and invalidations through this Redis tier.
    #[cfg(feature = "redis")]
    pub(crate) fn with_redis(mut self, tier: shared::SharedTier) -> Self {
        self.shared = Some(tier);
        self
    }

    /// The current generation of `datasheet`.
    async fn generation(&self, datasheet: &str) -> Generation {
        let local = lock(&self.generations).get(datasheet).copied().unwrap_or(0);
        #[cfg(feature = "redis")]
        if let Some(tier) = &self.shared {
            return (local, tier.generation(datasheet).await);
        }
        (local, None)
    }

    /// Marks `datasheet` as written: nothing cached before is served again.
    pub(crate) async fn invalidate(&self, datasheet: &str) {
        *lock(&self.generations)
            .entry(datasheet.to_owned())
            .or_default() += 1;
        #[cfg(feature = "redis")]
        if let Some(tier) = &self.shared {
            tier.invalidate(datasheet).await;
        }
    }

    fn slot(&self, url: &str) -> Slot {
        let mut slots = lock(&self.slots);
        if slots.len() >= MAX_ENTRIES && !slots.contains_key(url) {
            // Only slots nobody is using (fetching or waiting) can go.
            slots.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        slots.entry(url.to_owned()).or_default().clone()
    }

    /// The answer for `url`, from the cache when it is younger than `ttl` and of the current
    /// generation of `datasheet`, else from `fetch` (once, however many ask at the same time).
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        url: &str,
        datasheet: &str,
        ttl: Duration,
        fetch: F,
    ) -> Result<Bytes>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Bytes>>,
    {
        let slot = self.slot(url);
        let mut entry = slot.lock().await;
        let generation = self.generation(datasheet).await;
        if let Some(e) = entry.as_ref()
            && e.generation == generation
            && e.at.elapsed() < ttl
        {
            return Ok(e.body.clone());
        }
        #[cfg(feature = "redis")]
        if let (Some(tier), Some(shared)) = (&self.shared, generation.1)
            && let Some((body, left)) = tier.get(datasheet, shared, url).await
        {
            *entry = Some(Entry {
                body: body.clone(),
                // As old as it is in Redis.
                at: Instant::now() - ttl.saturating_sub(left),
                generation,
            });
            return Ok(body);
        }
        let at = Instant::now();
        let body = fetch().await?;
        #[cfg(feature = "redis")]
        if let (Some(tier), Some(shared)) = (&self.shared, generation.1) {
            tier.put(datasheet, shared, url, &body, ttl).await;
        }
        *entry = Some(Entry {
            body: body.clone(),
            at,
            generation,
        });
        Ok(body)
    }
}

/// The Redis tier.
#[cfg(feature = "redis")]
pub(crate) mod shared {
    use std::time::Duration;

    use bytes::Bytes;
    use redis::AsyncCommands;

    use crate::transport::shared::RedisLink;

    /// Answers and generations in Redis, under a namespace per token.
    #[derive(Debug)]
    pub(crate) struct SharedTier {
        link: RedisLink,
        prefix: String,
    }

    impl SharedTier {
        /// A tier on the Redis at `url` for the token whose fingerprint is `token_tag`.
        pub(crate) fn new(url: &str, token_tag: &str) -> Result<Self, String> {
            Ok(Self {
                link: RedisLink::new(url, "shared read cache", "caching within this process only")?,
                prefix: format!("apitable-orm:cache:{token_tag}:"),
            })
        }

        fn generation_key(&self, datasheet: &str) -> String {
            format!("{}gen:{datasheet}", self.prefix)
        }

        fn entry_key(&self, datasheet: &str, generation: u64, url: &str) -> String {
            format!("{}{datasheet}:{generation}:{url}", self.prefix)
        }

        /// The shared generation, or `None` while Redis is unavailable.
        pub(crate) async fn generation(&self, datasheet: &str) -> Option<u64> {
            let mut conn = self.link.connection().await?;
            let got: redis::RedisResult<Option<u64>> =
                conn.get(self.generation_key(datasheet)).await;
            match got {
                Ok(g) => {
                    self.link.recovered();
                    Some(g.unwrap_or(0))
                }
                Err(e) => {
                    self.link.warn(&e.to_string());
                    None
                }
            }
        }

        pub(crate) async fn invalidate(&self, datasheet: &str) {
            let Some(mut conn) = self.link.connection().await else {
                return;
            };
            let key = self.generation_key(datasheet);
            let done: redis::RedisResult<()> = redis::pipe()
                .incr(&key, 1)
                .ignore()
                .expire(&key, 7 * 24 * 3600)
                .ignore()
                .query_async(&mut conn)
                .await;
            if let Err(e) = done {
                self.link.warn(&e.to_string());
            }
        }

        /// A cached answer and how long it has left.
        pub(crate) async fn get(
            &self,
            datasheet: &str,
            generation: u64,
            url: &str,
        ) -> Option<(Bytes, Duration)> {
            let mut conn = self.link.connection().await?;
            let key = self.entry_key(datasheet, generation, url);
            let got: redis::RedisResult<(Option<Vec<u8>>, i64)> = redis::pipe()
                .get(&key)
                .pttl(&key)
                .query_async(&mut conn)
                .await;
            match got {
                Ok((Some(body), left)) if left > 0 => {
                    Some((Bytes::from(body), Duration::from_millis(left as u64)))
                }
                Ok(_) => None,
                Err(e) => {
                    self.link.warn(&e.to_string());
                    None
                }
            }
        }

        pub(crate) async fn put(
            &self,
            datasheet: &str,
            generation: u64,
            url: &str,
            body: &Bytes,
            ttl: Duration,
        ) {
            let Some(mut conn) = self.link.connection().await else {
                return;
            };
            let key = self.entry_key(datasheet, generation, url);
            let millis = ttl.as_millis().max(1) as u64;
            let done: redis::RedisResult<()> = conn.pset_ex(key, body.as_ref(), millis).await;
            if let Err(e) = done {
                self.link.warn(&e.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn counting(n: &AtomicUsize) -> Result<Bytes> {
        let i = n.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok(Bytes::from(format!("answer {i}")))
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_reads_of_one_url_share_one_fetch_until_the_ttl_ends() {
        let cache = ReadCache::default();
        let fetches = AtomicUsize::new(0);
        let ttl = Duration::from_secs(1);
        let reads = (0..100).map(|_| cache.get_or_fetch("u", "dstA", ttl, || counting(&fetches)));
        let answers = futures_util::future::join_all(reads).await;
        assert!(answers.iter().all(|a| a.as_ref().unwrap() == "answer 0"));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(950)).await;
        let again = cache.get_or_fetch("u", "dstA", ttl, || counting(&fetches));
        assert_eq!(
            again.await.unwrap(),
            "answer 1",
            "the ttl counts from the send"
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_to_the_datasheet_drops_its_answers_and_only_its() {
        let cache = ReadCache::default();
        let fetches = AtomicUsize::new(0);
        let ttl = Duration::from_secs(60);
        for url in ["a", "b"] {
            let dst = if url == "a" { "dstA" } else { "dstB" };
            cache
                .get_or_fetch(url, dst, ttl, || counting(&fetches))
                .await
                .unwrap();
        }
        cache.invalidate("dstA").await;
        let a = cache.get_or_fetch("a", "dstA", ttl, || counting(&fetches));
        assert_eq!(a.await.unwrap(), "answer 2");
        let b = cache.get_or_fetch("b", "dstB", ttl, || counting(&fetches));
        assert_eq!(b.await.unwrap(), "answer 1");
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_that_overlaps_a_write_is_not_served_afterwards() {
        let cache = Arc::new(ReadCache::default());
        let fetches = AtomicUsize::new(0);
        let ttl = Duration::from_secs(60);
        let read = cache.get_or_fetch("a", "dstA", ttl, || async {
            // The write lands while this read is in flight.
            cache.invalidate("dstA").await;
            counting(&fetches).await
        });
        assert_eq!(read.await.unwrap(), "answer 0");
        let next = cache.get_or_fetch("a", "dstA", ttl, || counting(&fetches));
        assert_eq!(next.await.unwrap(), "answer 1");
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let cache = ReadCache::default();
        let ttl = Duration::from_secs(60);
        let failed = cache.get_or_fetch("a", "dstA", ttl, || async {
            Err(crate::Error::InvalidRequest("no".into()))
        });
        assert!(failed.await.is_err());
        let ok = cache.get_or_fetch("a", "dstA", ttl, || async { Ok(Bytes::from("yes")) });
        assert_eq!(ok.await.unwrap(), "yes");
    }
}
