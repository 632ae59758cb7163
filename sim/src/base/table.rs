//! A string-keyed map kept as a sorted `Vec`.
//!
//! The engine's maps (sessions per server, store keys, accounts, carts) hold
//! at most a few hundred entries and are read far more often than written.
//! `BTreeMap` did the job, but each of its four instantiations put about 8 KB
//! of node-balancing code into the wasm bundle; a sorted vector gives the same
//! iteration order (so transcripts keep their bytes) with binary-search reads
//! for a fraction of the size.
//!
//! A load run (`crate::load`) is the exception: ten thousand users, and
//! sessions piling up on round-robin lanes, make a sorted vector's inserts
//! quadratic. Builds that run loads (the `statelab` command, the load worker)
//! turn on the `load-runs` feature and get a `BTreeMap` instead; the page's main
//! bundle keeps the vector. Both iterate in key order, so every number and
//! byte is the same either way.

#[cfg(feature = "load-runs")]
pub(crate) use btree::Table;
#[cfg(not(feature = "load-runs"))]
pub(crate) use vec::Table;

#[cfg(not(feature = "load-runs"))]
mod vec {
    /// Entries sorted by key, keys unique.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Table<V> {
        entries: Vec<(String, V)>,
    }

    impl<V> Default for Table<V> {
        fn default() -> Self {
            Table::new()
        }
    }

    impl<V> Table<V> {
        pub const fn new() -> Self {
            Table { entries: Vec::new() }
        }

        fn find(&self, key: &str) -> Result<usize, usize> {
            self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
        }

        pub fn get(&self, key: &str) -> Option<&V> {
            self.find(key).ok().map(|i| &self.entries[i].1)
        }

        pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
            self.find(key).ok().map(|i| &mut self.entries[i].1)
        }

        pub fn contains_key(&self, key: &str) -> bool {
            self.find(key).is_ok()
        }

        /// Inserts or replaces; returns the value replaced.
        pub fn insert(&mut self, key: String, value: V) -> Option<V> {
            match self.find(&key) {
                Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
                Err(i) => {
                    self.entries.insert(i, (key, value));
                    None
                }
            }
        }

        /// The value under `key`, inserted as `V::default()` when absent.
        pub fn get_or_default(&mut self, key: String) -> &mut V
        where
            V: Default,
        {
            let i = match self.find(&key) {
                Ok(i) => i,
                Err(i) => {
                    self.entries.insert(i, (key, V::default()));
                    i
                }
            };
            &mut self.entries[i].1
        }

        pub fn remove(&mut self, key: &str) -> Option<V> {
            self.find(key).ok().map(|i| self.entries.remove(i).1)
        }

        pub fn clear(&mut self) {
            self.entries.clear();
        }

        pub fn len(&self) -> usize {
            self.entries.len()
        }

        pub fn is_empty(&self) -> bool {
            self.entries.is_empty()
        }

        /// Entries in key order, as `BTreeMap::iter` gives them.
        pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
            self.entries.iter().map(|(k, v)| (k, v))
        }
    }
}

#[cfg(feature = "load-runs")]
mod btree {
    use std::collections::BTreeMap;

    /// The same map over a `BTreeMap`, for builds that run loads.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Table<V> {
        entries: BTreeMap<String, V>,
    }

    impl<V> Default for Table<V> {
        fn default() -> Self {
            Table::new()
        }
    }

    impl<V> Table<V> {
        pub const fn new() -> Self {
            Table { entries: BTreeMap::new() }
        }
        pub fn get(&self, key: &str) -> Option<&V> {
            self.entries.get(key)
        }
        pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
            self.entries.get_mut(key)
        }
        pub fn contains_key(&self, key: &str) -> bool {
            self.entries.contains_key(key)
        }
        pub fn insert(&mut self, key: String, value: V) -> Option<V> {
            self.entries.insert(key, value)
        }
        pub fn get_or_default(&mut self, key: String) -> &mut V
        where
            V: Default,
        {
            self.entries.entry(key).or_default()
        }
        pub fn remove(&mut self, key: &str) -> Option<V> {
            self.entries.remove(key)
        }
        pub fn clear(&mut self) {
            self.entries.clear();
        }
        pub fn len(&self) -> usize {
            self.entries.len()
        }
        pub fn is_empty(&self) -> bool {
            self.entries.is_empty()
        }
        pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
            self.entries.iter()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Table;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Clone, Debug)]
    enum Op {
        Insert(String, u8),
        Remove(String),
        Bump(String),
        Clear,
    }

    fn key() -> impl Strategy<Value = String> {
        "[a-d]{0,2}"
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (key(), any::<u8>()).prop_map(|(k, v)| Op::Insert(k, v)),
            3 => key().prop_map(Op::Remove),
            2 => key().prop_map(Op::Bump),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        /// Any sequence of operations leaves `Table` and `BTreeMap` with the same
        /// answers and the same iteration order.
        #[test]
        fn behaves_like_btreemap(ops in prop::collection::vec(op(), 0..60)) {
            let mut table = Table::new();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => prop_assert_eq!(table.insert(k.clone(), v), model.insert(k, v)),
                    Op::Remove(k) => prop_assert_eq!(table.remove(&k), model.remove(&k)),
                    Op::Bump(k) => {
                        let t = table.get_or_default(k.clone());
                        *t = t.wrapping_add(1);
                        let m: &mut u8 = model.entry(k).or_default();
                        *m = m.wrapping_add(1);
                    }
                    Op::Clear => {
                        table.clear();
                        model.clear();
                    }
                }
                prop_assert_eq!(table.len(), model.len());
                prop_assert!(table.iter().eq(model.iter()));
                for k in ["", "a", "ab", "d", "dd"] {
                    prop_assert_eq!(table.get(k), model.get(k));
                    prop_assert_eq!(table.contains_key(k), model.contains_key(k));
                }
            }
        }
    }
}
