//! The pacing budget shared through Redis, for several processes using one datasheet.
//!
//! Each key's permits live in one Redis hash, slot by slot, and follow the same rule as the
//! local pacer (see `pacer.rs`): a permit is busy while its request is in flight, then free a
//! second after the answer, less the credit of whoever takes it next. Taking and giving back
//! are Lua scripts, so they are atomic across processes, and they read the time from Redis, so
//! every process agrees on it. A busy slot carries a lease: if its process dies mid-request,
//! the slot comes back a second after the lease ends.
//!
//! Redis unreachable or failing: the caller paces locally instead, and a warning is logged.
//! [`RedisLink`] is the connection, shared with the read cache's Redis tier.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{Script, aio::ConnectionManagerConfig};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How long a process may hold a permit before others take it back (it died, or its request
/// outlived any sensible timeout).
const LEASE: Duration = Duration::from_secs(120);
/// The longest wait between two looks at a full budget.
const POLL: Duration = Duration::from_millis(25);
/// How long to wait before trying an unreachable Redis again.
const RECONNECT_AFTER: Duration = Duration::from_secs(5);

/// Takes the slot that is ready first, if it is ready now. Times are in microseconds on
/// Redis's clock (milliseconds would let a slot come back up to a millisecond early), written
/// with `%.0f`: Lua's own number-to-string turns 16 digits into an exponent. `ARGV`:
/// permits, hold, credit cap (the most this caller may be credited), share (of the previous
/// holder's round trip), lease. Returns `{slot, 0, 0}` when taken, else `{0, wait, known}`:
/// `known` is 1 when the wait ends at a given-back slot's time, 0 when every slot is busy and
/// the wait is only the lease's bound.
const ACQUIRE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local permits = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local share = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
local best, best_at, best_known = 0, nil, 0
for i = 1, permits do
  local v = redis.call('HGET', KEYS[1], tostring(i))
  local at, known = now, 1
  if v then
    local kind, a, b = string.match(v, '^(%a+):(%d+):?(%d*)$')
    if kind == 'busy' then
      at, known = tonumber(a) + hold, 0
    elseif kind == 'free' then
      at = tonumber(a)
    else
      at = tonumber(a) + hold - math.min(cap, math.floor(share * tonumber(b)))
    end
  end
  if best_at == nil or at < best_at then
    best, best_at, best_known = i, at, known
  end
end
if best_at <= now then
  redis.call('HSET', KEYS[1], tostring(best), string.format('busy:%.0f', now + lease))
  redis.call('PEXPIRE', KEYS[1], math.ceil((lease + hold) / 1000) + 60000)
  return {best, 0, 0}
end
return {0, best_at - now, best_known}
"#;

/// Gives a slot back. `ARGV`: slot, round trip (µs, or -1 when no answer came), hold (µs).
const RELEASE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rtt = tonumber(ARGV[2])
if rtt < 0 then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('free:%.0f', now + tonumber(ARGV[3])))
else
  redis.call('HSET', KEYS[1], ARGV[1], string.format('ans:%.0f:%.0f', now, rtt))
end
return 1
"#;

/// Microseconds, as the scripts count; rounded down, so a credit never grows.
fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A connection to Redis, made on first use and again a while after a failure.
pub(crate) struct RedisLink {
    client: redis::Client,
    /// Connected, or the moment the last attempt failed.
    conn: Mutex<Result<ConnectionManager, Option<Instant>>>,
    /// What the link serves, and what happens without it, for the warning.
    role: &'static str,
    meanwhile: &'static str,
    warned: AtomicBool,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink")
            .field("role", &self.role)
            .field("meanwhile", &self.meanwhile)
            .finish_non_exhaustive()
    }
}

impl RedisLink {
    /// A link to the Redis at `url` (`redis://host:port/db`) for `role`; a warning names it
    /// and says what happens `meanwhile`. Nothing is connected yet.
    pub(crate) fn new(
        url: &str,
        role: &'static str,
        meanwhile: &'static str,
    ) -> Result<Self, String> {
        Ok(Self {
            client: redis::Client::open(url).map_err(|e| format!("{e}"))?,
            conn: Mutex::new(Err(None)),
            role,
            meanwhile,
            warned: AtomicBool::new(false),
        })
    }

    /// Logs that Redis failed, once per outage.
    pub(crate) fn warn(&self, what: &str) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the {} in Redis is unavailable ({what}); {} until it is back",
                self.role,
                self.meanwhile
            );
        }
    }

    /// Redis answered again.
    pub(crate) fn recovered(&self) {
        self.warned.store(false, Ordering::Relaxed);
    }

    /// The connection, or `None` while Redis is unreachable.
    pub(crate) async fn connection(&self) -> Option<ConnectionManager> {
        let mut conn = self.conn.lock().await;
        match &*conn {
            Ok(c) => return Some(c.clone()),
            Err(Some(failed)) if failed.elapsed() < RECONNECT_AFTER => return None,
            Err(_) => {}
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        match tokio::time::timeout(
            Duration::from_secs(2),
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        {
            Ok(Ok(c)) => {
                *conn = Ok(c.clone());
                Some(c)
            }
            Ok(Err(e)) => {
                *conn = Err(Some(Instant::now()));
                self.warn(&e.to_string());
                None
            }
            Err(_) => {
                *conn = Err(Some(Instant::now()));
                self.warn("connecting timed out");
                None
            }
        }
    }
}

/// The pacing budget shared through Redis.
pub(crate) struct SharedBudget {
    link: RedisLink,
    /// The namespace of this budget's keys (the token's hash, so that two tokens never share).
    prefix: String,
    acquire: Script,
    release: Script,
}

/// A slot taken from the shared budget.
pub(crate) struct SharedSlot {
    budget: Arc<SharedBudget>,
    key: String,
    slot: i64,
}

impl SharedBudget {
    /// A budget on the Redis at `url`, for requests made with the token whose fingerprint is
    /// `token_tag`.
    pub(crate) fn new(url: &str, token_tag: &str) -> Result<Self, String> {
        Ok(Self {
            link: RedisLink::new(
                url,
                "shared pacing budget",
                "pacing within this process only",
            )?,
            // `v2`: times in microseconds; a process of an older version keeps to its own keys.
            prefix: format!("apitable-orm:budget:v2:{token_tag}:"),
            acquire: Script::new(ACQUIRE),
            release: Script::new(RELEASE),
        })
    }

    /// Waits for a slot of `key`, telling `woke` when each timed wait was due (to measure the
    /// scheduling lag). `None`: Redis is unavailable; pace locally.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        key: &str,
        permits: usize,
        hold: Duration,
        credit_cap: Duration,
        share: f64,
        woke: impl Fn(Instant),
    ) -> Option<SharedSlot> {
        let redis_key = format!("{}{key}", self.prefix);
        loop {
            let mut conn = self.link.connection().await?;
            let answer: redis::RedisResult<(i64, i64, i64)> = self
                .acquire
                .key(&redis_key)
                .arg(permits)
                .arg(micros(hold))
                .arg(micros(credit_cap))
                .arg(share)
                .arg(micros(LEASE))
                .invoke_async(&mut conn)
                .await;
            match answer {
                Ok((slot, _, _)) if slot > 0 => {
                    self.link.recovered();
                    return Some(SharedSlot {
                        budget: self.clone(),
                        key: redis_key,
                        slot,
                    });
                }
                Ok((_, wait, known)) => {
                    // A given-back slot is ready at a known time, so sleep until then; a
                    // busy one comes back whenever its answer does, so look again soon.
                    let wait = Duration::from_micros(wait.max(1).unsigned_abs());
                    if known == 1 {
                        let due = Instant::now() + wait;
                        tokio::time::sleep_until(due).await;
                        woke(due);
                    } else {
                        tokio::time::sleep(wait.min(POLL)).await;
                    }
                }
                Err(e) => {
                    self.link.warn(&e.to_string());
                    return None;
                }
            }
        }
    }
}

impl SharedSlot {
    /// Gives the slot back: `rtt` is the round trip, `None` when no answer came. If Redis
    /// fails, the lease frees the slot.
    pub(crate) async fn release(self, rtt: Option<Duration>, hold: Duration) {
        let Some(mut conn) = self.budget.link.connection().await else {
            return;
        };
        let rtt_us = rtt.map_or(-1, |d| i64::try_from(micros(d)).unwrap_or(i64::MAX));
        let done: redis::RedisResult<i64> = self
            .budget
            .release
            .key(&self.key)
            .arg(self.slot)
            .arg(rtt_us)
            .arg(micros(hold))
            .invoke_async(&mut conn)
            .await;
        if let Err(e) = done {
            self.budget.link.warn(&e.to_string());
        }
    }

    /// Gives the slot back without waiting (when the request is dropped mid-flight).
    pub(crate) fn release_later(self, rtt: Option<Duration>, hold: Duration) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(self.release(rtt, hold));
        } // else shutting down: the lease frees the slot
    }
}
