//! What the store keeps beside each object for server-side apply: its field ownership
//! and each manager's last apply. Both are live (decoded) while a target works on the
//! object and put to rest by [`ApiServer::rest`] once it is done (ownership as compact
//! bytes, applied bodies as compact text), so a fleet's finished targets do not hold
//! their field-set trees and applied bodies.
//! Resting is invisible: the next write that needs either reads it back exactly.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{ApiServer, ObjectKey};
use crate::world::managed::{Managed, Resting};
use crate::world::ssa::LastApply;

/// Field ownership per object (`metadata.managedFields`, held aside: never returned).
#[derive(Debug, Clone, Default)]
pub(super) struct Ownerships {
    live: HashMap<ObjectKey, Managed>,
    resting: HashMap<ObjectKey, Resting>,
}

impl Ownerships {
    /// The ownership of an object (read back, and kept live, if it was at rest).
    pub(super) fn get_mut(&mut self, key: &ObjectKey) -> Option<&mut Managed> {
        if let Some(resting) = self.resting.remove(key) {
            self.live.insert(key.clone(), Managed::from_rest(&resting));
        }
        self.live.get_mut(key)
    }

    /// The ownership of an object without waking it.
    pub(super) fn peek(&self, key: &ObjectKey) -> Option<Cow<'_, Managed>> {
        match self.live.get(key) {
            Some(live) => Some(Cow::Borrowed(live)),
            None => self
                .resting
                .get(key)
                .map(|r| Cow::Owned(Managed::from_rest(r))),
        }
    }

    pub(super) fn insert(&mut self, key: ObjectKey, managed: Managed) {
        self.resting.remove(&key);
        self.live.insert(key, managed);
    }

    pub(super) fn remove(&mut self, key: &ObjectKey) {
        self.resting.remove(key);
        self.live.remove(key);
    }

    /// Every live ownership to rest.
    fn rest(&mut self) {
        for (key, managed) in self.live.drain() {
            self.resting.insert(key, managed.to_rest());
        }
    }
}

/// Each field manager's last successful apply, per object.
#[derive(Debug, Clone, Default)]
pub(super) struct LastApplies {
    by_object: HashMap<ObjectKey, Vec<(String, LastApply)>>,
    /// Objects applied to since the last rest (a key may be listed twice).
    awake: Vec<ObjectKey>,
}

impl LastApplies {
    pub(super) fn get(&self, key: &ObjectKey, manager: &str) -> Option<&LastApply> {
        self.by_object
            .get(key)?
            .iter()
            .find(|(m, _)| m == manager)
            .map(|(_, last)| last)
    }

    pub(super) fn insert(&mut self, key: ObjectKey, manager: &str, last: LastApply) {
        let managers = self.by_object.entry(key.clone()).or_default();
        match managers.iter_mut().find(|(m, _)| m == manager) {
            Some((_, slot)) => *slot = last,
            None => managers.push((manager.to_string(), last)),
        }
        self.awake.push(key);
    }

    /// Forgets every manager's last apply to an object (it was deleted).
    pub(super) fn remove(&mut self, key: &ObjectKey) {
        self.by_object.remove(key);
    }

    fn rest(&mut self) {
        for key in std::mem::take(&mut self.awake) {
            for (_, last) in self.by_object.get_mut(&key).into_iter().flatten() {
                last.rest();
            }
        }
    }
}

impl ApiServer {
    /// Puts everything written or read since the last call back into its compact form:
    /// stored objects to their JSON text, ownership and last applies to theirs. Called
    /// between targets; nothing a later request sees changes, only what memory holds.
    pub fn rest(&mut self) {
        self.objects.rest();
        self.managed.rest();
        self.applied.rest();
    }
}
