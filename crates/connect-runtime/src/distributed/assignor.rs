//! The leader's incremental cooperative assignment of connectors and tasks (KIP-415).
//!
//! [`IncrementalCooperativeAssignor`] is what the group leader runs once per rebalance to decide,
//! from what every member reports it runs and the leader's config snapshot, which connectors and
//! tasks each member starts and stops, as Apache Kafka's `IncrementalCooperativeAssignor` does.
//! It is pure and deterministic: time is passed in, members are taken in the order of their ids,
//! and it keeps only the memory it needs from one round to the next.
//!
//! One round, in order:
//!
//! 1. If some member has read the config topic further than the leader's snapshot, every member
//!    gets [`Assignment::CONFIG_MISMATCH`] and no work, so that they all reread the config topic
//!    and rejoin. Members behind the snapshot are fine: the assignment carries the snapshot's
//!    offset and they catch up before using it.
//! 2. If the assignor did not lead the previous generation (`generation - 1`), it rebuilds its
//!    memory from what the members report, so no work counts as lost. A round that answers
//!    [`Assignment::CONFIG_MISMATCH`] does not count as led, so the round after it rebuilds too,
//!    as in Kafka.
//! 3. Work no longer in the config, and work reported by more than one member, is revoked from
//!    every member reporting it (duplicates are reassigned to one member in the next round).
//! 4. Work assigned in the previous round that nobody reports is *lost*. If the member it was
//!    assigned to is back (same member id), it gets that work back at once. Otherwise the first
//!    round that sees it schedules a rebalance `scheduled.rebalance.max.delay.ms` away and gives
//!    it to nobody; until then every round reports the remaining delay and remembers the members
//!    with nothing to run as candidates; once the deadline has passed, the lost work goes to the
//!    candidates still present, least loaded first, or to everyone when there are none. A max
//!    delay of 0 reassigns lost work at once.
//! 5. New work (configured, run by nobody, not lost) goes to the least loaded members:
//!    connectors by connector count, tasks by task count, ties to the first member by id.
//! 6. While no lost work is waiting for its deadline, connectors and tasks are balanced
//!    separately: with `total / members` each and one more for `total % members` of them (the
//!    most loaded, to move as little as possible), members above their share have the excess
//!    revoked, so that the next round (in which members report without it) hands it to the
//!    least loaded. Freshly assigned work is never revoked in the same round.
//!
//! Differences from Kafka's assignor:
//!
//! * Consecutive load-balancing revocations: Kafka revokes again in the round after a
//!   load-balancing revocation only after an exponential backoff with random jitter (or at once
//!   when the max delay is 0). Here load-balancing revocations never happen in two consecutive
//!   rounds, whatever the max delay; a round that has to skip them asks members to rejoin after
//!   `min(10 * 20^n, max delay)` ms, `n` counting the rounds skipped since the load was last
//!   balanced, without jitter, and the next round may revoke again. With a max delay of 0 no
//!   such follow-up rebalance is requested, so the imbalance waits for the next rebalance.
//! * A member that comes back (same member id) while its lost work waits for the deadline gets
//!   that work back at once; Kafka only does so when it still reports the work, and otherwise
//!   treats it as a candidate when the deadline passes. For the same reason Kafka's "no member
//!   left, so treat lost work as new" case becomes "give it back to the member that had it".
//! * Lost work goes to the candidates least loaded first rather than round robin.
//! * The previous generation is taken as `generation - 1` (Kafka compares with the member's
//!   last completed generation), and Kafka's reset after a revocation that did not take effect
//!   is not needed: reported work always counts as running, whatever the memory says.
//! * The caller picks the protocol version and makes sure the snapshot is the freshest it has
//!   (Kafka's leader rereads the config topic when it is behind); the assignment carries the
//!   snapshot's offset where Kafka's carries the highest offset a member reported.
//! * Load-balancing revocations take a member's highest connectors and tasks in sort order.
//!
//! ```
//! use std::collections::BTreeMap;
//! use std::sync::Arc;
//! use connect_runtime::distributed::assignor::{ConfigSnapshot, IncrementalCooperativeAssignor, Member};
//! use connect_runtime::distributed::protocol::{ConnectorsAndTasks, ProtocolVersion};
//!
//! let members: Vec<Member> = ["w1", "w2"]
//!     .map(|id| Member {
//!         id: id.into(),
//!         url: format!("http://{id}:8083/"),
//!         config_offset: 3,
//!         owned: ConnectorsAndTasks::default(),
//!     })
//!     .into();
//! let config = ConfigSnapshot { offset: 3, connectors: BTreeMap::from([(Arc::from("orders"), 4)]) };
//! let mut assignor = IncrementalCooperativeAssignor::new(300_000);
//! let assignments =
//!     assignor.assign(0, 1, &members[0], &members, &config, ProtocolVersion::Sessioned);
//! let tasks: Vec<usize> = assignments.values().map(|a| a.assigned.tasks.len()).collect();
//! assert_eq!(tasks, [2, 2]);
//! ```

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::protocol::{Assignment, ConnectorsAndTasks, ProtocolVersion};
use crate::TaskId;

/// One member of the group as the leader sees it in a rebalance.
///
/// ```
/// use connect_runtime::distributed::assignor::Member;
/// use connect_runtime::distributed::protocol::ConnectorsAndTasks;
///
/// let member = Member {
///     id: "connect-1-4f1c".into(),
///     url: "http://w1:8083/".into(),
///     config_offset: 12,
///     owned: ConnectorsAndTasks::default(),
/// };
/// assert!(member.owned.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The group member id; members are ordered by it.
    pub id: String,
    /// The member's REST URL.
    pub url: String,
    /// The config topic offset the member has read up to.
    pub config_offset: i64,
    /// What the member reports it runs.
    pub owned: ConnectorsAndTasks,
}

/// The connectors the leader's config snapshot holds.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
/// use connect_runtime::distributed::assignor::ConfigSnapshot;
///
/// let config = ConfigSnapshot { offset: 7, connectors: BTreeMap::from([(Arc::from("orders"), 3)]) };
/// assert_eq!(config.connectors.get("orders"), Some(&3));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSnapshot {
    /// The config topic offset of the snapshot.
    pub offset: i64,
    /// Every connector with its task count: its tasks are numbered `0..count`.
    pub connectors: BTreeMap<Arc<str>, u32>,
}

impl ConfigSnapshot {
    fn connector_set(&self) -> BTreeSet<Arc<str>> {
        self.connectors.keys().cloned().collect()
    }

    fn task_set(&self) -> BTreeSet<TaskId> {
        self.connectors
            .iter()
            .flat_map(|(connector, &count)| {
                (0..count).map(move |task| TaskId {
                    connector: Arc::clone(connector),
                    task,
                })
            })
            .collect()
    }
}

/// The group leader's incremental cooperative assignor (KIP-415), with its memory of the
/// previous round it led. See the [module documentation](self) for the rules.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
/// use connect_runtime::distributed::assignor::{ConfigSnapshot, IncrementalCooperativeAssignor, Member};
/// use connect_runtime::distributed::protocol::{Assignment, ConnectorsAndTasks, ProtocolVersion};
///
/// let leader = Member {
///     id: "w1".into(),
///     url: "http://w1:8083/".into(),
///     config_offset: 1,
///     owned: ConnectorsAndTasks::default(),
/// };
/// let config = ConfigSnapshot { offset: 1, connectors: BTreeMap::from([(Arc::from("orders"), 1)]) };
/// let mut assignor = IncrementalCooperativeAssignor::new(300_000);
/// let members = [leader.clone()];
/// let assignments = assignor.assign(0, 1, &leader, &members, &config, ProtocolVersion::Compatible);
/// let Some(assignment) = assignments.get("w1") else { return Err("no assignment".into()) };
/// assert_eq!(assignment.error, Assignment::NO_ERROR);
/// assert_eq!(assignment.assigned.connectors, [Arc::from("orders")]);
/// assert_eq!(assignment.assigned.tasks.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncrementalCooperativeAssignor {
    /// `scheduled.rebalance.max.delay.ms`.
    max_delay_ms: u64,
    /// The generation of the last round this assignor completed.
    previous_generation: Option<i32>,
    /// The member ids of that round.
    previous_members: BTreeSet<String>,
    /// Who each connector was assigned to after that round, lost connectors included.
    previous_connectors: BTreeMap<Arc<str>, String>,
    /// Who each task was assigned to after that round, lost tasks included.
    previous_tasks: BTreeMap<TaskId, String>,
    /// When lost work is to be reassigned, if some is waiting.
    scheduled_rebalance_ms: Option<u64>,
    /// Members that had nothing to run while lost work was waiting.
    candidates: BTreeSet<String>,
    /// Whether the previous round revoked work to balance the load.
    revoked_in_previous: bool,
    /// Rounds that had to skip load-balancing revocations since the load was last balanced.
    skipped_revocations: u32,
}

impl IncrementalCooperativeAssignor {
    /// A fresh assignor, with no memory, for a leader with `scheduled.rebalance.max.delay.ms`
    /// set to `max_delay_ms`.
    ///
    /// ```
    /// use connect_runtime::distributed::assignor::IncrementalCooperativeAssignor;
    ///
    /// let assignor = IncrementalCooperativeAssignor::new(300_000);
    /// assert_eq!(assignor, IncrementalCooperativeAssignor::new(300_000));
    /// ```
    pub fn new(max_delay_ms: u64) -> Self {
        IncrementalCooperativeAssignor {
            max_delay_ms,
            previous_generation: None,
            previous_members: BTreeSet::new(),
            previous_connectors: BTreeMap::new(),
            previous_tasks: BTreeMap::new(),
            scheduled_rebalance_ms: None,
            candidates: BTreeSet::new(),
            revoked_in_previous: false,
            skipped_revocations: 0,
        }
    }

    /// Computes the assignments of a rebalance of generation `generation` at time `now_ms`, one
    /// per member id, and remembers what it needs for the next round.
    ///
    /// `members` may come in any order (a member id given twice counts once, the last one
    /// winning); `leader` names the leader and its URL in every assignment. Each assignment
    /// holds only the work the member is to start in `assigned` and to stop in `revoked`; it
    /// keeps running the rest of what it reported. The config snapshot's offset is the
    /// assignment's, and `delay_ms` says when members are to rejoin (0: no rebalance scheduled).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use std::sync::Arc;
    /// use connect_runtime::distributed::assignor::{ConfigSnapshot, IncrementalCooperativeAssignor, Member};
    /// use connect_runtime::distributed::protocol::{Assignment, ConnectorsAndTasks, ProtocolVersion};
    ///
    /// let member = |id: &str, config_offset| Member {
    ///     id: id.into(),
    ///     url: format!("http://{id}:8083/"),
    ///     config_offset,
    ///     owned: ConnectorsAndTasks::default(),
    /// };
    /// // w2 has read the config topic further than the leader.
    /// let members = [member("w1", 5), member("w2", 6)];
    /// let config = ConfigSnapshot { offset: 5, connectors: BTreeMap::from([(Arc::from("orders"), 2)]) };
    /// let mut assignor = IncrementalCooperativeAssignor::new(0);
    /// let assignments = assignor.assign(10, 1, &members[0], &members, &config, ProtocolVersion::Compatible);
    /// assert!(assignments.values().all(|a| a.error == Assignment::CONFIG_MISMATCH && a.assigned.is_empty()));
    /// ```
    pub fn assign(
        &mut self,
        now_ms: u64,
        generation: i32,
        leader: &Member,
        members: &[Member],
        config: &ConfigSnapshot,
        version: ProtocolVersion,
    ) -> BTreeMap<String, Assignment> {
        let by_id: BTreeMap<&str, &Member> = members.iter().map(|m| (m.id.as_str(), m)).collect();
        let ids: Vec<&str> = by_id.keys().copied().collect();
        let members: Vec<&Member> = by_id.values().copied().collect();
        let template = |config_offset| {
            Assignment::new(
                version,
                leader.id.as_str(),
                leader.url.as_str(),
                config_offset,
            )
        };

        let max_offset = members.iter().map(|m| m.config_offset).max();
        if let Some(max_offset) = max_offset.filter(|&max| max > config.offset) {
            let mut mismatch = template(max_offset);
            mismatch.error = Assignment::CONFIG_MISMATCH;
            return ids
                .iter()
                .map(|id| (id.to_string(), mismatch.clone()))
                .collect();
        }

        if self.previous_generation.is_none()
            || self.previous_generation != generation.checked_sub(1)
        {
            self.rebuild_memory(&ids, &members);
        }

        let mut connectors = Round::new(
            members.iter().map(|m| m.owned.connectors.clone()),
            config.connector_set(),
            &self.previous_connectors,
        );
        let mut tasks = Round::new(
            members.iter().map(|m| m.owned.tasks.clone()),
            config.task_set(),
            &self.previous_tasks,
        );

        // Lost work whose member is back goes back to it.
        connectors.give_back(&ids);
        tasks.give_back(&ids);

        let delay_ms = match self.handle_lost(now_ms, &ids, &mut connectors, &mut tasks) {
            Some(delay) => {
                // Nothing is revoked to balance the load while lost work waits.
                self.revoked_in_previous = false;
                delay
            }
            None => self.balance(&mut connectors, &mut tasks),
        };

        let everyone: Vec<usize> = (0..ids.len()).collect();
        let new_connectors = std::mem::take(&mut connectors.unowned);
        connectors.assign_least_loaded(new_connectors, &everyone);
        let new_tasks = std::mem::take(&mut tasks.unowned);
        tasks.assign_least_loaded(new_tasks, &everyone);

        self.previous_connectors = connectors.next_owners(&ids);
        self.previous_tasks = tasks.next_owners(&ids);
        self.previous_members = ids.iter().map(|id| id.to_string()).collect();
        self.previous_generation = Some(generation);

        let delay_ms = i32::try_from(delay_ms).unwrap_or(i32::MAX);
        ids.iter()
            .zip(connectors.slots.into_iter().zip(tasks.slots))
            .map(|(id, (c, t))| {
                let mut assignment = template(config.offset);
                assignment.assigned = ConnectorsAndTasks {
                    connectors: c.assigned.into_iter().collect(),
                    tasks: t.assigned.into_iter().collect(),
                };
                assignment.revoked = ConnectorsAndTasks {
                    connectors: c.revoked.into_iter().collect(),
                    tasks: t.revoked.into_iter().collect(),
                };
                assignment.delay_ms = delay_ms;
                (id.to_string(), assignment)
            })
            .collect()
    }

    /// Forgets the previous round and takes what the members report as the previous
    /// assignment (the first member by id reporting a duplicate standing for all of them).
    fn rebuild_memory(&mut self, ids: &[&str], members: &[&Member]) {
        self.previous_connectors.clear();
        self.previous_tasks.clear();
        for (id, member) in ids.iter().zip(members).rev() {
            for connector in &member.owned.connectors {
                self.previous_connectors
                    .insert(Arc::clone(connector), id.to_string());
            }
            for task in &member.owned.tasks {
                self.previous_tasks.insert(task.clone(), id.to_string());
            }
        }
        self.previous_members = ids.iter().map(|id| id.to_string()).collect();
        self.scheduled_rebalance_ms = None;
        self.candidates.clear();
    }

    /// Decides about the lost work whose member has not come back. Returns the delay until the
    /// scheduled rebalance while lost work waits for it, `None` when none waits any longer.
    fn handle_lost(
        &mut self,
        now_ms: u64,
        ids: &[&str],
        connectors: &mut Round<Arc<str>>,
        tasks: &mut Round<TaskId>,
    ) -> Option<u64> {
        if connectors.lost.is_empty() && tasks.lost.is_empty() {
            self.scheduled_rebalance_ms = None;
            self.candidates.clear();
            return None;
        }
        let everyone: Vec<usize> = (0..ids.len()).collect();
        if self.max_delay_ms == 0 {
            connectors.lost_as_new();
            tasks.lost_as_new();
            self.scheduled_rebalance_ms = None;
            self.candidates.clear();
            return None;
        }
        match self.scheduled_rebalance_ms {
            Some(deadline) if now_ms >= deadline => {
                let candidates: Vec<usize> = ids
                    .iter()
                    .enumerate()
                    .filter(|(_, id)| self.candidates.contains(**id))
                    .map(|(i, _)| i)
                    .collect();
                let to = if candidates.is_empty() {
                    &everyone
                } else {
                    &candidates
                };
                let lost = std::mem::take(&mut connectors.lost);
                connectors.assign_least_loaded(lost.into_keys(), to);
                let lost = std::mem::take(&mut tasks.lost);
                tasks.assign_least_loaded(lost.into_keys(), to);
                self.scheduled_rebalance_ms = None;
                self.candidates.clear();
                None
            }
            scheduled => {
                let deadline = scheduled.unwrap_or(now_ms.saturating_add(self.max_delay_ms));
                self.scheduled_rebalance_ms = Some(deadline);
                for (i, id) in ids.iter().enumerate() {
                    if connectors.is_idle(i) && tasks.is_idle(i) {
                        self.candidates.insert(id.to_string());
                    }
                }
                Some(deadline.saturating_sub(now_ms).min(self.max_delay_ms))
            }
        }
    }

    /// Revokes work to balance the load unless the previous round did; returns the delay after
    /// which members are to rejoin because a needed revocation had to be skipped.
    fn balance(&mut self, connectors: &mut Round<Arc<str>>, tasks: &mut Round<TaskId>) -> u64 {
        let connector_revocations = connectors.balancing_revocations();
        let task_revocations = tasks.balancing_revocations();
        let needed = connector_revocations.iter().any(|r| !r.is_empty())
            || task_revocations.iter().any(|r| !r.is_empty());
        if !needed {
            self.revoked_in_previous = false;
            self.skipped_revocations = 0;
            0
        } else if self.revoked_in_previous {
            self.revoked_in_previous = false;
            self.skipped_revocations = self.skipped_revocations.saturating_add(1);
            20u64
                .saturating_pow(self.skipped_revocations)
                .saturating_mul(10)
                .min(self.max_delay_ms)
        } else {
            connectors.revoke(connector_revocations);
            tasks.revoke(task_revocations);
            self.revoked_in_previous = true;
            0
        }
    }
}

/// One member's share of one kind of work (connectors or tasks) in a round.
#[derive(Debug)]
struct Slot<T> {
    /// Reported and kept running.
    kept: BTreeSet<T>,
    /// To stop.
    revoked: BTreeSet<T>,
    /// To start.
    assigned: BTreeSet<T>,
}

impl<T> Slot<T> {
    fn load(&self) -> usize {
        self.kept.len() + self.assigned.len()
    }
}

/// One kind of work (connectors or tasks) in a round, members in the order of their ids.
#[derive(Debug)]
struct Round<T> {
    slots: Vec<Slot<T>>,
    /// Lost work still waiting, with the member it was assigned to.
    lost: BTreeMap<T, String>,
    /// Configured work that nobody runs and that is not lost.
    unowned: BTreeSet<T>,
    /// How much of this kind of work is configured.
    total: usize,
}

impl<T: Ord + Clone> Round<T> {
    /// Sorts the reported work into kept and revoked (deleted or duplicated), lost and new.
    fn new(
        reports: impl Iterator<Item = Vec<T>>,
        configured: BTreeSet<T>,
        previous: &BTreeMap<T, String>,
    ) -> Self {
        let reports: Vec<BTreeSet<T>> = reports.map(|r| r.into_iter().collect()).collect();
        let mut holders: BTreeMap<&T, usize> = BTreeMap::new();
        for item in reports.iter().flatten() {
            *holders.entry(item).or_default() += 1;
        }
        let lost: BTreeMap<T, String> = previous
            .iter()
            .filter(|(item, _)| configured.contains(*item) && !holders.contains_key(item))
            .map(|(item, owner)| (item.clone(), owner.clone()))
            .collect();
        let unowned = configured
            .iter()
            .filter(|item| !holders.contains_key(item) && !lost.contains_key(*item))
            .cloned()
            .collect();
        let slots = reports
            .iter()
            .map(|reported| {
                let (kept, revoked) = reported
                    .iter()
                    .cloned()
                    .partition(|item| configured.contains(item) && holders.get(item) == Some(&1));
                Slot {
                    kept,
                    revoked,
                    assigned: BTreeSet::new(),
                }
            })
            .collect();
        Round {
            slots,
            lost,
            unowned,
            total: configured.len(),
        }
    }

    /// Assigns lost work back to the member it was assigned to when that member is present.
    fn give_back(&mut self, ids: &[&str]) {
        let lost = std::mem::take(&mut self.lost);
        for (item, owner) in lost {
            let slot = ids
                .iter()
                .position(|id| *id == owner)
                .and_then(|i| self.slots.get_mut(i));
            match slot {
                Some(slot) => {
                    slot.assigned.insert(item);
                }
                None => {
                    self.lost.insert(item, owner);
                }
            }
        }
    }

    /// Treats the lost work as new work.
    fn lost_as_new(&mut self) {
        let lost = std::mem::take(&mut self.lost);
        self.unowned.extend(lost.into_keys());
    }

    /// Whether member `i` has nothing of this kind to run.
    fn is_idle(&self, i: usize) -> bool {
        self.slots.get(i).is_some_and(|s| s.load() == 0)
    }

    /// Assigns each item to the least loaded of the members `among` (by index), the first one
    /// on a tie.
    fn assign_least_loaded(&mut self, items: impl IntoIterator<Item = T>, among: &[usize]) {
        for item in items {
            let target = among
                .iter()
                .filter_map(|&i| self.slots.get(i).map(|s| (s.load(), i)))
                .min();
            if let Some(slot) = target.and_then(|(_, i)| self.slots.get_mut(i)) {
                slot.assigned.insert(item);
            }
        }
    }

    /// What to revoke from each member so that nobody runs more than its share: `total /
    /// members`, one more for the `total % members` most loaded. Only kept work is revoked.
    fn balancing_revocations(&self) -> Vec<Vec<T>> {
        let mut revocations: Vec<Vec<T>> = self.slots.iter().map(|_| Vec::new()).collect();
        let members = self.slots.len();
        if members == 0 {
            return revocations;
        }
        let floor = self.total / members;
        let extra = self.total % members;
        let mut order: Vec<(usize, &Slot<T>)> = self.slots.iter().enumerate().collect();
        order.sort_by_key(|(i, slot)| (Reverse(slot.load()), *i));
        for (rank, (i, slot)) in order.into_iter().enumerate() {
            let share = floor + usize::from(rank < extra);
            let excess = slot.load().saturating_sub(share);
            if let Some(revoked) = revocations.get_mut(i) {
                revoked.extend(slot.kept.iter().rev().take(excess).cloned());
            }
        }
        revocations
    }

    /// Moves the given work of each member from kept to revoked.
    fn revoke(&mut self, revocations: Vec<Vec<T>>) {
        for (slot, items) in self.slots.iter_mut().zip(revocations) {
            for item in items {
                if slot.kept.remove(&item) {
                    slot.revoked.insert(item);
                }
            }
        }
    }

    /// Who runs what after the round, lost work still waiting included.
    fn next_owners(&self, ids: &[&str]) -> BTreeMap<T, String> {
        let mut owners = self.lost.clone();
        for (id, slot) in ids.iter().zip(&self.slots) {
            for item in slot.kept.iter().chain(&slot.assigned) {
                owners.insert(item.clone(), id.to_string());
            }
        }
        owners
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MAX_DELAY: u64 = 1000;

    fn task(connector: &str, task: u32) -> TaskId {
        TaskId {
            connector: Arc::from(connector),
            task,
        }
    }

    /// A simulated group: members apply every assignment as Kafka Connect workers do.
    struct Group {
        assignor: IncrementalCooperativeAssignor,
        generation: i32,
        members: BTreeMap<String, Member>,
        config: ConfigSnapshot,
    }

    impl Group {
        fn new(max_delay: u64, ids: &[&str], connectors: &[(&str, u32)]) -> Self {
            let mut group = Group {
                assignor: IncrementalCooperativeAssignor::new(max_delay),
                generation: 0,
                members: BTreeMap::new(),
                config: ConfigSnapshot::default(),
            };
            for id in ids {
                group.join(id);
            }
            group.set_config(connectors);
            group
        }

        fn join(&mut self, id: &str) {
            self.members.insert(
                id.to_string(),
                Member {
                    id: id.to_string(),
                    url: format!("http://{id}:8083/"),
                    config_offset: self.config.offset,
                    owned: ConnectorsAndTasks::default(),
                },
            );
        }

        fn leave(&mut self, id: &str) -> Member {
            self.members.remove(id).unwrap()
        }

        fn set_config(&mut self, connectors: &[(&str, u32)]) {
            self.config = ConfigSnapshot {
                offset: self.config.offset + 1,
                connectors: connectors
                    .iter()
                    .map(|(name, count)| (Arc::from(*name), *count))
                    .collect(),
            };
            for member in self.members.values_mut() {
                member.config_offset = self.config.offset;
            }
        }

        /// One rebalance at `now`: members report, the leader assigns, members apply.
        fn round(&mut self, now: u64) -> BTreeMap<String, Assignment> {
            self.generation += 1;
            // Shuffle the input order: the assignor must not depend on it.
            let members: Vec<Member> = self.members.values().rev().cloned().collect();
            let leader = self.members.values().next().unwrap().clone();
            let assignments = self.assignor.assign(
                now,
                self.generation,
                &leader,
                &members,
                &self.config,
                ProtocolVersion::Sessioned,
            );
            assert_eq!(
                assignments.keys().collect::<Vec<_>>(),
                self.members.keys().collect::<Vec<_>>()
            );
            for (id, assignment) in &assignments {
                assert_eq!(assignment.version, 2);
                assert_eq!(assignment.leader, leader.id);
                assert_eq!(assignment.leader_url, leader.url);
                if assignment.error != Assignment::NO_ERROR {
                    continue;
                }
                assert_eq!(assignment.config_offset, self.config.offset);
                let owned = &mut self.members.get_mut(id).unwrap().owned;
                for c in &assignment.revoked.connectors {
                    assert!(owned.connectors.contains(c), "{id} revoked {c} it lacks");
                }
                for t in &assignment.revoked.tasks {
                    assert!(owned.tasks.contains(t), "{id} revoked {t} it lacks");
                }
                owned
                    .connectors
                    .retain(|c| !assignment.revoked.connectors.contains(c));
                owned
                    .tasks
                    .retain(|t| !assignment.revoked.tasks.contains(t));
                for c in &assignment.assigned.connectors {
                    assert!(!owned.connectors.contains(c), "{id} assigned {c} it runs");
                    owned.connectors.push(c.clone());
                }
                for t in &assignment.assigned.tasks {
                    assert!(!owned.tasks.contains(t), "{id} assigned {t} it runs");
                    owned.tasks.push(t.clone());
                }
                owned.connectors.sort();
                owned.tasks.sort();
            }
            self.check_no_duplicates();
            assignments
        }

        fn check_no_duplicates(&self) {
            let mut connectors = BTreeSet::new();
            let mut tasks = BTreeSet::new();
            for member in self.members.values() {
                for c in &member.owned.connectors {
                    assert!(connectors.insert(c.clone()), "{c} owned twice");
                }
                for t in &member.owned.tasks {
                    assert!(tasks.insert(t.clone()), "{t} owned twice");
                }
            }
        }

        /// Every configured item is owned by exactly one member, and nothing else is owned.
        fn check_complete(&self) {
            self.check_no_duplicates();
            let mut connectors: Vec<Arc<str>> = self
                .members
                .values()
                .flat_map(|m| m.owned.connectors.clone())
                .collect();
            connectors.sort();
            let mut tasks: Vec<TaskId> = self
                .members
                .values()
                .flat_map(|m| m.owned.tasks.clone())
                .collect();
            tasks.sort();
            assert_eq!(connectors, Vec::from_iter(self.config.connector_set()));
            assert_eq!(tasks, Vec::from_iter(self.config.task_set()));
        }

        fn owned(&self, id: &str) -> ConnectorsAndTasks {
            self.members[id].owned.clone()
        }

        fn loads(&self) -> Vec<(usize, usize)> {
            self.members
                .values()
                .map(|m| (m.owned.connectors.len(), m.owned.tasks.len()))
                .collect()
        }

        fn check_balanced(&self) {
            let loads = self.loads();
            let spread = |f: fn(&(usize, usize)) -> usize| {
                loads.iter().map(f).max().unwrap() - loads.iter().map(f).min().unwrap()
            };
            assert!(spread(|l| l.0) <= 1, "connectors unbalanced: {loads:?}");
            assert!(spread(|l| l.1) <= 1, "tasks unbalanced: {loads:?}");
        }
    }

    fn nothing_revoked(assignments: &BTreeMap<String, Assignment>) -> bool {
        assignments.values().all(|a| a.revoked.is_empty())
    }

    fn nothing_assigned(assignments: &BTreeMap<String, Assignment>) -> bool {
        assignments.values().all(|a| a.assigned.is_empty())
    }

    fn work(connectors: &[&str], tasks: &[(&str, u32)]) -> ConnectorsAndTasks {
        ConnectorsAndTasks {
            connectors: connectors.iter().map(|c| Arc::from(*c)).collect(),
            tasks: tasks.iter().map(|(c, t)| task(c, *t)).collect(),
        }
    }

    #[test]
    fn initial_assignment_is_balanced_and_deterministic() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2", "w3"], &[("a", 4), ("b", 4)]);
        let mut twin = Group::new(MAX_DELAY, &["w1", "w2", "w3"], &[("a", 4), ("b", 4)]);
        let assignments = group.round(0);
        assert_eq!(assignments, twin.round(0));
        assert!(nothing_revoked(&assignments));
        assert!(assignments.values().all(|a| a.delay_ms == 0));
        assert!(
            assignments
                .values()
                .all(|a| a.error == Assignment::NO_ERROR)
        );
        assert_eq!(
            assignments["w1"].assigned,
            work(&["a"], &[("a", 0), ("a", 3), ("b", 2)])
        );
        assert_eq!(
            assignments["w2"].assigned,
            work(&["b"], &[("a", 1), ("b", 0), ("b", 3)])
        );
        assert_eq!(assignments["w3"].assigned, work(&[], &[("a", 2), ("b", 1)]));
        group.check_complete();
        assert_eq!(group.loads(), [(1, 3), (1, 3), (0, 2)]);

        // A round where nothing changed changes nothing.
        let again = group.round(10);
        assert!(nothing_assigned(&again) && nothing_revoked(&again));
    }

    #[test]
    fn departed_worker_work_waits_for_the_deadline() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2", "w3"], &[("a", 4), ("b", 4)]);
        group.round(0);
        let before = (group.owned("w1"), group.owned("w2"));
        let gone = group.leave("w3");
        assert_eq!(gone.owned, work(&[], &[("a", 2), ("b", 1)]));

        let r = group.round(100);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 1000));

        let r = group.round(600);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 500));

        let r = group.round(1100);
        assert!(nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
        // No candidate joined: least loaded first, w1 before w2 on a tie.
        assert_eq!(r["w1"].assigned, work(&[], &[("a", 2)]));
        assert_eq!(r["w2"].assigned, work(&[], &[("b", 1)]));
        group.check_complete();
        group.check_balanced();
        // Nothing that ran moved.
        assert!(
            before
                .0
                .tasks
                .iter()
                .all(|t| group.owned("w1").tasks.contains(t))
        );
        assert!(
            before
                .1
                .tasks
                .iter()
                .all(|t| group.owned("w2").tasks.contains(t))
        );
        let again = group.round(1200);
        assert!(nothing_assigned(&again) && nothing_revoked(&again));
        assert!(again.values().all(|a| a.delay_ms == 0));
    }

    #[test]
    fn returning_worker_gets_its_work_back() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2", "w3"], &[("a", 4), ("b", 4)]);
        group.round(0);
        let old = group.leave("w2");
        let r = group.round(100);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 1000));

        // It restarted: same member id, running nothing.
        group.join("w2");
        let r = group.round(400);
        assert_eq!(r["w2"].assigned, old.owned);
        assert!(r["w1"].assigned.is_empty() && r["w3"].assigned.is_empty());
        assert!(nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
        assert_eq!(group.owned("w2"), old.owned);
        group.check_complete();

        // Past the old deadline nothing moves.
        let r = group.round(2000);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
    }

    #[test]
    fn worker_back_still_running_its_work_cancels_the_delay() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2"], &[("a", 4)]);
        group.round(0);
        let old = group.leave("w2");
        let r = group.round(100);
        assert!(r.values().all(|a| a.delay_ms == 1000));
        // Back with the same id, still running what it had.
        group.members.insert("w2".into(), old.clone());
        let r = group.round(200);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
        assert_eq!(group.owned("w2"), old.owned);
        assert_eq!(group.assignor.scheduled_rebalance_ms, None);
    }

    #[test]
    fn lost_work_goes_to_candidates_after_the_deadline() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2", "w3"], &[("a", 4), ("b", 4)]);
        group.round(0);
        let old = group.leave("w1");
        let r = group.round(100);
        assert!(r.values().all(|a| a.delay_ms == 1000));
        // It restarted with a new member id: a candidate.
        group.join("w4");
        let r = group.round(500);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 600));
        let r = group.round(1100);
        assert_eq!(r["w4"].assigned, old.owned);
        assert!(r["w2"].assigned.is_empty() && r["w3"].assigned.is_empty());
        assert!(nothing_revoked(&r));
        group.check_complete();
    }

    #[test]
    fn new_worker_triggers_minimal_revocation_then_balance() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2"], &[("a", 4), ("b", 4)]);
        let r = group.round(0);
        assert_eq!(
            r["w1"].assigned,
            work(&["a"], &[("a", 0), ("a", 2), ("b", 0), ("b", 2)])
        );
        assert_eq!(
            r["w2"].assigned,
            work(&["b"], &[("a", 1), ("a", 3), ("b", 1), ("b", 3)])
        );

        group.join("w3");
        let r = group.round(100);
        // Connectors 1/1/0 are balanced; tasks 4/4/0 give up one each (shares 3/3/2).
        assert!(nothing_assigned(&r));
        assert_eq!(r["w1"].revoked, work(&[], &[("b", 2)]));
        assert_eq!(r["w2"].revoked, work(&[], &[("b", 3)]));
        assert!(r["w3"].revoked.is_empty());
        assert!(r.values().all(|a| a.delay_ms == 0));

        // Follow-up round: members report without the revoked tasks.
        let r = group.round(110);
        assert!(nothing_revoked(&r));
        assert_eq!(r["w3"].assigned, work(&[], &[("b", 2), ("b", 3)]));
        assert!(r["w1"].assigned.is_empty() && r["w2"].assigned.is_empty());
        group.check_complete();
        group.check_balanced();
        assert_eq!(group.loads(), [(1, 3), (1, 3), (0, 2)]);

        let r = group.round(120);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
    }

    #[test]
    fn no_load_balancing_revocations_in_consecutive_rounds() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2"], &[("a", 8)]);
        group.round(0);
        group.join("w3");
        let r = group.round(10);
        assert!(!nothing_revoked(&r));
        // Another worker joins before the follow-up round: balancing would need revocations
        // again, which have to wait for a later round.
        group.join("w4");
        let r = group.round(20);
        assert!(nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 200));
        let r = group.round(220);
        assert!(!nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
        let r = group.round(230);
        assert!(nothing_revoked(&r));
        group.check_complete();
        group.check_balanced();
    }

    #[test]
    fn deleted_connector_and_shrunk_task_count_are_revoked() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2"], &[("a", 4), ("b", 4)]);
        group.round(0);
        group.set_config(&[("a", 2)]);
        let r = group.round(10);
        assert!(nothing_assigned(&r));
        assert_eq!(r["w1"].revoked, work(&[], &[("a", 2), ("b", 0), ("b", 2)]));
        assert_eq!(
            r["w2"].revoked,
            work(&["b"], &[("a", 3), ("b", 1), ("b", 3)])
        );
        assert!(r.values().all(|a| a.delay_ms == 0));
        group.check_complete();
        assert_eq!(group.owned("w1"), work(&["a"], &[("a", 0)]));
        assert_eq!(group.owned("w2"), work(&[], &[("a", 1)]));
        let r = group.round(20);
        assert!(nothing_assigned(&r) && nothing_revoked(&r));
    }

    #[test]
    fn duplicated_task_is_revoked_from_both_then_reassigned_once() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2"], &[("a", 2)]);
        group.round(0);
        assert_eq!(group.owned("w1").tasks, [task("a", 0)]);
        group
            .members
            .get_mut("w2")
            .unwrap()
            .owned
            .tasks
            .push(task("a", 0));
        let r = group.round(10);
        assert_eq!(r["w1"].revoked, work(&[], &[("a", 0)]));
        assert_eq!(r["w2"].revoked, work(&[], &[("a", 0)]));
        assert!(nothing_assigned(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
        let r = group.round(20);
        assert!(nothing_revoked(&r));
        assert_eq!(r["w1"].assigned, work(&[], &[("a", 0)]));
        assert!(r["w2"].assigned.is_empty());
        group.check_complete();
    }

    #[test]
    fn member_ahead_of_leader_config_gets_config_mismatch() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2", "w3"], &[("a", 2)]);
        group.members.get_mut("w3").unwrap().config_offset += 5;
        let expected_offset = group.config.offset + 5;
        let r = group.round(0);
        for assignment in r.values() {
            assert_eq!(assignment.error, Assignment::CONFIG_MISMATCH);
            assert!(assignment.assigned.is_empty() && assignment.revoked.is_empty());
            assert_eq!(assignment.config_offset, expected_offset);
            assert_eq!(assignment.delay_ms, 0);
        }

        // A member behind the leader is fine.
        group.members.get_mut("w3").unwrap().config_offset -= 10;
        let r = group.round(10);
        assert!(r.values().all(|a| a.error == Assignment::NO_ERROR));
        assert!(r.values().all(|a| a.config_offset == group.config.offset));
        group.check_complete();
    }

    #[test]
    fn zero_max_delay_reassigns_lost_work_at_once() {
        let mut group = Group::new(0, &["w1", "w2", "w3"], &[("a", 4), ("b", 4)]);
        group.round(0);
        let old = group.leave("w1");
        let r = group.round(10);
        assert!(nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
        let moved: usize = r
            .values()
            .map(|a| a.assigned.connectors.len() + a.assigned.tasks.len())
            .sum();
        assert_eq!(moved, old.owned.connectors.len() + old.owned.tasks.len());
        group.check_complete();
        group.check_balanced();
    }

    #[test]
    fn new_leader_rebuilds_memory_from_reports() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2", "w3"], &[("a", 4), ("b", 4)]);
        group.round(0);
        group.leave("w3");
        // A new leader knows nothing of w3: its work is simply unassigned and goes out now.
        group.assignor = IncrementalCooperativeAssignor::new(MAX_DELAY);
        group.generation += 5;
        let r = group.round(10);
        assert!(nothing_revoked(&r));
        assert!(r.values().all(|a| a.delay_ms == 0));
        group.check_complete();
        group.check_balanced();
    }

    #[test]
    fn scripted_rounds_never_own_anything_twice() {
        let mut group = Group::new(MAX_DELAY, &["w1", "w2"], &[("a", 3), ("b", 5)]);
        let mut now = 0;
        let mut step = |group: &mut Group, advance: u64| {
            now += advance;
            let r = group.round(now);
            // Unless work waits for the deadline or was just revoked, everything runs once.
            if group.assignor.scheduled_rebalance_ms.is_none() && nothing_revoked(&r) {
                group.check_complete();
            }
            r
        };
        step(&mut group, 0);
        group.check_complete();
        group.join("w3");
        step(&mut group, 10);
        step(&mut group, 10);
        group.check_complete();
        group.check_balanced();
        group.set_config(&[("a", 3), ("b", 2), ("c", 6)]);
        step(&mut group, 10);
        step(&mut group, 10);
        group.check_complete();
        group.leave("w2");
        group.join("w4");
        let r = step(&mut group, 10);
        assert!(r.values().all(|a| a.delay_ms == 1000));
        group.set_config(&[("a", 1), ("c", 6), ("d", 2)]);
        step(&mut group, 300);
        group.join("w5");
        step(&mut group, 300);
        // Past the deadline.
        step(&mut group, 500);
        for _ in 0..4 {
            step(&mut group, 1);
        }
        group.check_complete();
        group.check_balanced();
        group.leave("w1");
        group.leave("w3");
        step(&mut group, 10);
        step(&mut group, 2000);
        for _ in 0..4 {
            step(&mut group, 1);
        }
        group.check_complete();
        group.check_balanced();
        // Everyone leaves but one, who gets everything in the end.
        group.leave("w4");
        step(&mut group, 10);
        step(&mut group, 2000);
        group.check_complete();
        assert_eq!(group.members.len(), 1);
    }
}
