//! A bounded schema cache (Kafka's `SynchronizedCache<LRUCache>`), with a last-hit fast path.
//!
//! Records of one topic nearly always share one schema, so the most recent entry is checked
//! first with a cheap comparison (pointer identity for Connect schemas, a byte comparison for
//! JSON text) before hashing. Eviction is least-recently-used; finding the victim is a linear
//! scan, paid only when a full cache misses.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

struct Entry<V> {
    value: V,
    last_used: u64,
}

struct Inner<K, V> {
    map: HashMap<K, Entry<V>>,
    last: Option<(K, V)>,
    clock: u64,
}

/// A thread-safe cache of at most `capacity` entries; a capacity of zero caches nothing.
pub(crate) struct BoundedCache<K, V> {
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

impl<K: Hash + Eq + Clone, V: Clone> BoundedCache<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                last: None,
                clock: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        // A panic while holding the lock cannot leave the map inconsistent; keep using it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached value for `key`. `same_as_last` is a cheap check of `key` against the most
    /// recently used key, tried before hashing; it must imply key equality.
    pub(crate) fn get<Q>(&self, key: &Q, same_as_last: impl FnOnce(&K, &Q) -> bool) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.capacity == 0 {
            return None;
        }
        let mut inner = self.lock();
        if let Some((k, v)) = &inner.last
            && same_as_last(k, key)
        {
            return Some(v.clone());
        }
        inner.clock += 1;
        let now = inner.clock;
        let (k, entry) = inner.map.get_key_value(key)?;
        let (k, value) = (k.clone(), entry.value.clone());
        if let Some(entry) = inner.map.get_mut(key) {
            entry.last_used = now;
        }
        inner.last = Some((k, value.clone()));
        Some(value)
    }

    /// Caches `value` under `key`, evicting the least recently used entry when full.
    pub(crate) fn insert(&self, key: K, value: V) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        if inner.map.len() >= self.capacity && !inner.map.contains_key(&key) {
            let oldest = inner
                .map
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                inner.map.remove(&oldest);
            }
        }
        inner.last = Some((key.clone(), value.clone()));
        inner.map.insert(
            key,
            Entry {
                value,
                last_used: now,
            },
        );
    }

    /// The number of cached entries.
    pub(crate) fn len(&self) -> usize {
        self.lock().map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn get(cache: &BoundedCache<Arc<str>, i32>, key: &str) -> Option<i32> {
        cache.get(key, |_, _| false)
    }

    #[test]
    fn evicts_least_recently_used() {
        let cache = BoundedCache::new(2);
        cache.insert(Arc::from("a"), 1);
        cache.insert(Arc::from("b"), 2);
        assert_eq!(get(&cache, "a"), Some(1));
        cache.insert(Arc::from("c"), 3);
        assert_eq!(cache.len(), 2);
        assert_eq!(get(&cache, "b"), None);
        assert_eq!(get(&cache, "a"), Some(1));
        assert_eq!(get(&cache, "c"), Some(3));
    }

    #[test]
    fn last_hit_is_checked_first() {
        let cache = BoundedCache::new(2);
        cache.insert(Arc::from("a"), 1);
        assert_eq!(cache.get("a", |k: &Arc<str>, q: &str| &**k == q), Some(1));
        // The fast path must imply equality; a lying check shows it is consulted first.
        assert_eq!(cache.get("zz", |_, _| true), Some(1));
    }

    #[test]
    fn zero_capacity_caches_nothing() {
        let cache = BoundedCache::new(0);
        cache.insert(Arc::from("a"), 1);
        assert_eq!(get(&cache, "a"), None);
        assert_eq!(cache.len(), 0);
    }
}
