//! A bounded schema cache, shared between threads.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

/// Keeps at most `capacity` entries, evicting the oldest insertion first.
pub(crate) struct BoundedCache<K, V> {
    capacity: usize,
    inner: Mutex<(HashMap<K, V>, VecDeque<K>)>,
}

impl<K: Hash + Eq + Clone, V: Clone> BoundedCache<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0.get(key).cloned()
    }

    pub(crate) fn put(&self, key: K, value: V) {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (map, order) = &mut *guard;
        if map.insert(key.clone(), value).is_none() {
            order.push_back(key);
            while map.len() > self.capacity {
                match order.pop_front() {
                    Some(oldest) => {
                        map.remove(&oldest);
                    }
                    None => break,
                }
            }
        }
    }
}

/// The last few schemas looked up, compared by pointer: records of one topic share their
/// schema `Arc`, so this answers most lookups without hashing a schema.
pub(crate) struct RecentByPointer<V> {
    slots: Mutex<VecDeque<(connect_api::data::Schema, V)>>,
}

const RECENT_SLOTS: usize = 8;

impl<V: Clone> RecentByPointer<V> {
    pub(crate) fn new() -> Self {
        Self {
            slots: Mutex::new(VecDeque::with_capacity(RECENT_SLOTS)),
        }
    }

    pub(crate) fn get(&self, schema: &connect_api::data::Schema) -> Option<V> {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots
            .iter()
            .find(|(s, _)| s.ptr_eq(schema))
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn put(&self, schema: &connect_api::data::Schema, value: V) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.len() >= RECENT_SLOTS {
            slots.pop_back();
        }
        slots.push_front((schema.clone(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_oldest_first() {
        let cache = BoundedCache::new(2);
        cache.put("a".to_string(), 1);
        cache.put("b".to_string(), 2);
        cache.put("c".to_string(), 3);
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.get("b"), Some(2));
        assert_eq!(cache.get("c"), Some(3));
    }
}
