//! The pacing budget shared through Redis, for several processes using one datasheet.
//!
//! Each key's permits live in one Redis hash, slot by slot, and follow the same rule as the
//! local pacer (see `pacer.rs`): a permit is busy while its request is in flight, then free a
//! second after the answer, less the credit of whoever takes it next; a group of requests
//! that filled every slot within one of the server's windows gives them all back together
//! (field `grp` holds the group being sent, `rel` the answers of the last one released).
//! Taking and giving back are Lua scripts, so they are atomic across processes, and they read
//! the time from Redis, so every process agrees on it. A busy slot carries a lease: if its
//! process dies mid-request, the slot comes back a second after the lease ends.
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
/// with `%.0f`: Lua's own number-to-string turns 16 digits into an exponent.
///
/// `KEYS`: the slots' hash, the recent round trips of the caller's method (a list, newest
/// first, kept by every process, each as `answered:rtt`). `ARGV`: permits, hold, credit (1: on),
/// share, margin, lease, miss, miss for a released group, method, follow windows (1: on), the
/// window, the moment within which answers count as one. The credit cap follows the shortest
/// round trip to expect from that list, as in `pacer.rs`: answers within one moment of each
/// other count as one round trip, none count until their requests were sent over a window,
/// and the bound is the minimum less `miss^(−1/(n − 1)) − 1` times the spread, which fails
/// once in `1 / miss` for evenly spread round trips. The slot taken joins the group, or starts
/// one when every slot is ready with the credit of a released group, as in `pacer.rs`. Returns
/// `{slot, 0, 0}` when taken, else `{0, wait, known}`: `known` is 1 when the wait ends at a
/// given-back slot's time, 0 when every slot is busy and the wait is only the lease's bound.
const ACQUIRE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local permits = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
local share = tonumber(ARGV[4])
local lease = tonumber(ARGV[6])
local cap, wcap = 0, 0
if ARGV[3] == '1' then
  -- Each entry: 'answered:rtt'. Answers within ARGV[12] of each other count as one round
  -- trip (the shortest), and none count until the requests were sent over ARGV[11].
  local entries = {}
  local first, last = nil, nil
  for _, v in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    local a, r = string.match(v, '^(%d+):(%d+)$')
    if a then
      a, r = tonumber(a), tonumber(r)
      entries[#entries + 1] = {a, r}
      if first == nil or a - r < first then first = a - r end
      if last == nil or a - r > last then last = a - r end
    end
  end
  local draws = {}
  local window, moment = tonumber(ARGV[11]), tonumber(ARGV[12])
  if first ~= nil and last - first >= window then
    table.sort(entries, function(x, y) return x[1] < y[1] end)
    local at = nil
    for _, e in ipairs(entries) do
      if at ~= nil and e[1] - at <= moment then
        draws[#draws] = math.min(draws[#draws], e[2])
      else
        draws[#draws + 1] = e[2]
      end
      at = e[1]
    end
  end
  local n = #draws
  if n >= 2 then
    local lo, hi = nil, nil
    for _, r in ipairs(draws) do
      if lo == nil or r < lo then lo = r end
      if hi == nil or r > hi then hi = r end
    end
    local function bound(miss)
      local below = (hi - lo) * (miss ^ (-1 / (n - 1)) - 1)
      return math.max(0, math.floor(share * math.max(0, lo - below)) - tonumber(ARGV[5]))
    end
    cap, wcap = bound(tonumber(ARGV[7])), bound(tonumber(ARGV[8]))
  end
end
local rel_at = nil
local rel = redis.call('HGET', KEYS[1], 'rel')
if rel then
  for a, r in string.gmatch(rel, '(%d+):(%d+)') do
    local at = tonumber(a) + hold - math.min(wcap, math.floor(share * tonumber(r)))
    if rel_at == nil or at < rel_at then rel_at = at end
  end
end
local best, best_at, best_known = 0, nil, 0
local all_ready = true
for i = 1, permits do
  local v = redis.call('HGET', KEYS[1], tostring(i))
  -- `at`: when the slot is ready; `idle_at`: the same with the credit of a released group,
  -- which judges whether a group may start (its first arrival is the fastest of several).
  local at, idle_at, known = now, now, 1
  if v then
    local kind, a, b = string.match(v, '^(%a+):(%d+):?(%d*)$')
    if kind == 'busy' then
      at, known = tonumber(a) + hold, 0
      idle_at = at
    elseif kind == 'free' then
      at = tonumber(a)
      idle_at = at
    else
      local r = math.floor(share * tonumber(b))
      at = tonumber(a) + hold - math.min(cap, r)
      idle_at = tonumber(a) + hold - math.min(wcap, r)
      if kind == 'rel' and rel_at ~= nil then
        at, idle_at = math.min(at, rel_at), math.min(idle_at, rel_at)
      end
    end
  end
  if known == 0 or idle_at > now then all_ready = false end
  if best_at == nil or at < best_at then
    best, best_at, best_known = i, at, known
  end
end
if best_at <= now then
  local follow = ARGV[10] == '1'
  local g = follow and redis.call('HGET', KEYS[1], 'grp') or nil
  local joined = false
  if g then
    local gs, gm, gmethod = string.match(g, '^(%d+):(%d+):(%S+)$')
    gs, gm = tonumber(gs), tonumber(gm)
    if gs == 0 then
      gs, joined = now, true
    elseif now < gs + hold and (gmethod == '*' or gmethod == ARGV[9]) then
      joined = true
    end
    if joined then
      redis.call('HSET', KEYS[1], 'grp', string.format('%.0f:%d:%s', gs, gm + 1, gmethod))
    end
  end
  if not joined then
    if follow and all_ready then
      redis.call('HSET', KEYS[1], 'grp', string.format('%.0f:1:%s', now, ARGV[9]))
    else
      redis.call('HDEL', KEYS[1], 'grp')
    end
  end
  redis.call('HSET', KEYS[1], tostring(best), string.format('busy:%.0f', now + lease))
  redis.call('PEXPIRE', KEYS[1], math.ceil((lease + hold) / 1000) + 60000)
  return {best, 0, 0}
end
return {0, best_at - now, best_known}
"#;

/// Gives a slot back. `KEYS`: the slots' hash, the recent round trips of the request's method
/// (this one is pushed as `answered:rtt`, answered being now on Redis's clock), the prefix of
/// every method's list. `ARGV`: slot, round trip (µs; -1: no answer came; -2: a 429, after
/// which every process's credit starts over), hold (µs), methods (space-separated,
/// whose lists a 429 clears), how many round trips a list keeps, permits. Without an answer,
/// or with a 429 or an answer later than a window after the group's first sending, the group
/// ends; with the last answer of a group that filled every slot in time, every slot is
/// released, as in `pacer.rs`.
const RELEASE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rtt = tonumber(ARGV[2])
local hold = tonumber(ARGV[3])
local g = redis.call('HGET', KEYS[1], 'grp')
local gs, gm = nil, nil
if g then
  gs, gm = string.match(g, '^(%d+):(%d+):')
  gs, gm = tonumber(gs), tonumber(gm)
  if gs == 0 then gs = nil end
end
if rtt == -1 then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('free:%.0f', now + hold))
  if gs then redis.call('HDEL', KEYS[1], 'grp') end
  return 1
end
if rtt == -2 then
  if gs then redis.call('HDEL', KEYS[1], 'grp') end
  gs = nil
  for m in string.gmatch(ARGV[4], '%S+') do
    redis.call('DEL', KEYS[3] .. m)
  end
  rtt = 0
else
  redis.call('LPUSH', KEYS[2], string.format('%.0f:%.0f', now, rtt))
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
  redis.call('PEXPIRE', KEYS[2], 600000)
end
redis.call('HSET', KEYS[1], ARGV[1], string.format('ans:%.0f:%.0f', now, rtt))
if gs then
  if now >= gs + hold then
    redis.call('HDEL', KEYS[1], 'grp')
  elseif gm == tonumber(ARGV[6]) then
    local answers = {}
    for i = 1, gm do
      local v = redis.call('HGET', KEYS[1], tostring(i))
      local a, r = string.match(v or '', '^ans:(%d+):(%d+)$')
      if a == nil or tonumber(a) < gs or tonumber(a) >= gs + hold then
        return 1
      end
      answers[#answers + 1] = a .. ':' .. r
    end
    redis.call('HSET', KEYS[1], 'rel', table.concat(answers, ' '))
    for i = 1, gm do
      redis.call('HSET', KEYS[1], tostring(i), 'rel:' .. answers[i])
    end
    redis.call('HSET', KEYS[1], 'grp', '0:0:*')
  end
end
return 1
"#;

/// What came of a request, for the shared budget.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// No answer (the request failed on the way or was dropped).
    None,
    /// A 429: the slot is back a full hold after it, and every process's credit starts over.
    RateLimited,
    /// An answer after `rtt`.
    After {
        /// The round trip.
        rtt: Duration,
        /// The request's method.
        method: reqwest::Method,
    },
}

/// What a caller asks the shared budget for.
pub(crate) struct Ask<'a> {
    /// The pacing key (datasheet or space).
    pub(crate) key: &'a str,
    /// The method of the request to send.
    pub(crate) method: &'a reqwest::Method,
    /// The key's permits.
    pub(crate) permits: usize,
    /// How long a permit is held after its answer.
    pub(crate) hold: Duration,
    /// The credit's terms, `None` when this caller gets no credit.
    pub(crate) terms: Option<super::pacer::CreditTerms>,
    /// Whether a group that fell in one window gives its slots back together.
    pub(crate) follow: bool,
}

/// The methods whose round trips are kept (a 429 clears them all).
const METHODS: &str = "GET POST PATCH PUT DELETE";

/// Microseconds, as the scripts count; rounded down, so a credit never grows.
fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// The list of recent round trips of `method` beside the slots' hash `slots` (with an empty
/// method: the prefix of every method's list).
fn rtt_key(slots: &str, method: &str) -> String {
    format!("{slots}:rtt:{method}")
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
    /// The key's permits.
    permits: usize,
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

    /// The slots' hash of `key`; the hash tag keeps a key's hash and lists on one cluster node.
    fn slots_key(&self, key: &str) -> String {
        format!("{}{{{key}}}", self.prefix)
    }

    /// Waits for a slot, telling `woke` when each timed wait was due (to measure the scheduling
    /// lag). `None`: Redis is unavailable; pace locally.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        ask: Ask<'_>,
        woke: impl Fn(Instant),
    ) -> Option<SharedSlot> {
        let slots = self.slots_key(ask.key);
        let recent = rtt_key(&slots, ask.method.as_str());
        let (credit, share, margin) = match ask.terms {
            Some(t) => ("1", t.share, t.margin),
            None => ("0", 0.0, Duration::ZERO),
        };
        loop {
            let mut conn = self.link.connection().await?;
            let answer: redis::RedisResult<(i64, i64, i64)> = self
                .acquire
                .key(&slots)
                .key(&recent)
                .arg(ask.permits)
                .arg(micros(ask.hold))
                .arg(credit)
                .arg(share)
                .arg(micros(margin))
                .arg(micros(LEASE))
                .arg(super::pacer::MISS)
                .arg(super::pacer::WINDOW_MISS)
                .arg(ask.method.as_str())
                .arg(if ask.follow { "1" } else { "0" })
                .arg(micros(super::pacer::WINDOW))
                .arg(micros(super::pacer::ONE_MOMENT))
                .invoke_async(&mut conn)
                .await;
            match answer {
                Ok((slot, _, _)) if slot > 0 => {
                    self.link.recovered();
                    return Some(SharedSlot {
                        budget: self.clone(),
                        key: slots,
                        slot,
                        permits: ask.permits,
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
    /// Gives the slot back, with what came of its request. If Redis fails, the lease frees
    /// the slot.
    pub(crate) async fn release(self, answer: Answer, hold: Duration) {
        let Some(mut conn) = self.budget.link.connection().await else {
            return;
        };
        let (rtt, method) = match answer {
            Answer::None => (-1, String::new()),
            Answer::RateLimited => (-2, String::new()),
            Answer::After { rtt, method } => (
                i64::try_from(micros(rtt)).unwrap_or(i64::MAX),
                method.to_string(),
            ),
        };
        let done: redis::RedisResult<i64> = self
            .budget
            .release
            .key(&self.key)
            .key(rtt_key(&self.key, &method))
            .key(rtt_key(&self.key, ""))
            .arg(self.slot)
            .arg(rtt)
            .arg(micros(hold))
            .arg(METHODS)
            .arg(super::pacer::SAMPLES)
            .arg(self.permits)
            .invoke_async(&mut conn)
            .await;
        if let Err(e) = done {
            self.budget.link.warn(&e.to_string());
        }
    }

    /// Gives the slot back without waiting (when the request is dropped mid-flight).
    pub(crate) fn release_later(self, answer: Answer, hold: Duration) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(self.release(answer, hold));
        } // else shutting down: the lease frees the slot
    }
}
