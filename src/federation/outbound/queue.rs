//! The planner: takes the changes stored with the writes that caused them, in order, and turns
//! each into activities and per-inbox deliveries in one transaction. Activity ids derive from
//! the stored change, so planning it twice (a crash before the commit) adds nothing. A change
//! that cannot be read, or fails to plan again and again, is set aside: kept and counted.

use super::FedData;
use crate::{
    db::{self, accounts::Person, communities::Community, outbox::PlannedActivity},
    domain::changes::Change,
    error::{Error, Result},
};
use serde::Serialize;
use serde_json::Value;
use std::{
    collections::HashMap,
    ops::Deref,
    sync::{
        atomic::{AtomicU32, Ordering},
        Mutex,
    },
};
use url::Url;

/// What one event becomes, collected while `outbound::plan` runs. Reads like `FedData` (it
/// derefs to it), but `new_activity_id` is deterministic and sending only records.
pub struct Plan<'a> {
    data: &'a FedData,
    /// The rows already read for this batch.
    pub(super) reads: &'a Reads,
    seed: String,
    counter: AtomicU32,
    activities: Mutex<Vec<PlannedActivity>>,
}

impl Deref for Plan<'_> {
    type Target = FedData;

    fn deref(&self) -> &FedData {
        self.data
    }
}

impl<'a> Plan<'a> {
    /// `seed` makes the activity ids of one event unique and repeatable.
    pub fn new(data: &'a FedData, reads: &'a Reads, seed: String) -> Self {
        Plan {
            data,
            reads,
            seed,
            counter: AtomicU32::new(0),
            activities: Mutex::new(Vec::new()),
        }
    }

    /// The next activity id of this event, e.g. `https://host/activities/like/e12.1700….0`.
    pub fn new_activity_id(&self, kind: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.data
            .url(&format!("/activities/{kind}/{}.{n}", self.seed))
    }

    /// Records an activity (with its JSON-LD context) for `inboxes`, signed by `signer`.
    pub fn push<A: Serialize>(&self, activity: &A, signer: &Url, inboxes: Vec<Url>) -> Result<()> {
        let json = serde_json::to_value(activity).map_err(anyhow::Error::from)?;
        let ap_id = json
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::from(anyhow::anyhow!("an outgoing activity has no id")))?
            .to_string();
        let local = self.data.settings().hostname.clone();
        let inboxes: Vec<Url> = inboxes
            .into_iter()
            .filter(|i| db::outbox::host_of(i) != local)
            .collect();
        if inboxes.is_empty() {
            return Ok(());
        }
        let planned = PlannedActivity {
            ap_id,
            signer: signer.to_string(),
            object_key: object_key(&json),
            body: json.to_string(),
            inboxes,
        };
        self.activities
            .lock()
            .map_err(|_| anyhow::anyhow!("plan lock poisoned"))?
            .push(planned);
        Ok(())
    }

    pub(super) fn into_activities(self) -> Vec<PlannedActivity> {
        self.activities.into_inner().unwrap_or_default()
    }
}

/// The communities, people and member inboxes read while planning one batch, each read once.
/// Every change of a batch was committed before the batch was read, so a row read for its
/// first change is as new as one read for its last: what the changes of a batch say about a
/// community or its members is in the row whichever change reads it first.
#[derive(Default)]
pub struct Reads {
    pub(super) communities: Mutex<HashMap<i64, Option<Community>>>,
    pub(super) people: Mutex<HashMap<i64, Option<Person>>>,
    pub(super) member_inboxes: Mutex<HashMap<i64, Vec<String>>>,
}

/// The object an activity is about: down through `object` while it is an activity, then its id.
/// Per destination, activities with the same key are delivered in order.
pub fn object_key(activity: &Value) -> String {
    let mut current = activity;
    for _ in 0..4 {
        match current.get("object") {
            Some(Value::String(id)) => return id.clone(),
            Some(inner @ Value::Object(map)) if map.contains_key("object") => current = inner,
            Some(Value::Object(map)) => {
                if let Some(Value::String(id)) = map.get("id") {
                    return id.clone();
                }
                break;
            }
            Some(Value::Array(items)) => {
                if let Some(Value::String(id)) = items.first() {
                    return id.clone();
                }
                break;
            }
            _ => break,
        }
    }
    activity
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A planning error repeated this often is a bug, not an outage: the change is set aside (kept,
/// logged once, counted) so that the changes after it are not held up for ever.
const MAX_PLAN_FAILURES: u32 = 5;

/// Plans a batch of stored events, in order; returns how many were planned. The plans of a
/// batch are stored together, a write for up to `FLUSH_EVENTS` of them (on PostgreSQL one
/// transaction instead of one per event) or as soon as they hold `FLUSH_INBOXES` deliveries, so
/// that a large fan-out starts at once; whatever was planned before a change that fails or is set aside is
/// stored first, so the order holds.
pub async fn plan_pending(data: &FedData, failures: &mut HashMap<i64, u32>) -> Result<usize> {
    let events = data
        .db(|conn| db::outbox::unplanned_events(conn, BATCH))
        .await?;
    let count = events.len();
    let reads = Reads::default();
    let mut planned: Vec<(i64, Vec<PlannedActivity>)> = Vec::new();
    for (id, json) in events {
        let change = match Change::decode(&json) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(
                    "outbox change {id} cannot be read, set aside (kept; `copse admin queue`): {e}"
                );
                store_plans(data, std::mem::take(&mut planned)).await?;
                let reason = format!("unreadable: {e}");
                data.write(move |conn| db::outbox::set_aside(conn, id, &reason))
                    .await?;
                continue;
            }
        };
        let plan = Plan::new(data, &reads, format!("e{id}x{}", seed_of(&json)));
        let activities = match super::plan(change, &plan).await {
            Ok(()) => plan.into_activities(),
            Err(e) => {
                store_plans(data, std::mem::take(&mut planned)).await?;
                let n = failures.entry(id).or_insert(0);
                *n += 1;
                if *n < MAX_PLAN_FAILURES {
                    // Keep the order: try this change again before any later one.
                    return Err(e);
                }
                tracing::error!(
                    "outbox change {id} failed to plan {n} times, set aside (kept): {e:?}"
                );
                let reason = format!("failed to plan {n} times: {e}");
                failures.remove(&id);
                data.write(move |conn| db::outbox::set_aside(conn, id, &reason))
                    .await?;
                continue;
            }
        };
        failures.remove(&id);
        planned.push((id, activities));
        // Deliveries waiting to be stored wait to be sent: a plan with many is stored at once.
        let inboxes: usize = planned
            .iter()
            .flat_map(|(_, a)| a.iter().map(|a| a.inboxes.len()))
            .sum();
        if inboxes >= FLUSH_INBOXES || planned.len() >= FLUSH_EVENTS {
            store_plans(data, std::mem::take(&mut planned)).await?;
        }
    }
    store_plans(data, planned).await?;
    Ok(count)
}

/// The most changes one batch takes; a batch of fewer took every change stored when it began.
pub const BATCH: i64 = 100;

/// A batch's plans are stored once they hold this many deliveries or events.
const FLUSH_INBOXES: usize = 200;
const FLUSH_EVENTS: usize = 32;

/// Stores the plans of several events in one write, and wakes the delivery worker if that
/// stored deliveries. The events that went nowhere (a change in a community with no remote
/// members) are marked planned in one statement.
async fn store_plans(data: &FedData, planned: Vec<(i64, Vec<PlannedActivity>)>) -> Result<()> {
    if planned.is_empty() {
        return Ok(());
    }
    let (empty, planned): (Vec<_>, Vec<_>) = planned.into_iter().partition(|(_, a)| a.is_empty());
    let empty: Vec<i64> = empty.into_iter().map(|(id, _)| id).collect();
    if planned.is_empty() {
        // One statement, whole by itself: no transaction around it on PostgreSQL.
        return data
            .write_each(move |conn| db::outbox::mark_planned(conn, &empty))
            .await;
    }
    let added = data
        .write(move |conn| {
            db::outbox::mark_planned(conn, &empty)?;
            let mut added = 0;
            for (id, activities) in &planned {
                added += db::outbox::store_plan(conn, *id, activities)?;
            }
            Ok(added)
        })
        .await?;
    if added > 0 {
        data.delivery_wakeup().notify_one();
    }
    Ok(())
}

/// A short digest of the event's JSON: with the event id, it keeps activity ids unique even if
/// an event id were ever reused.
fn seed_of(json: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(json.as_bytes())[..6])
}

#[cfg(test)]
mod tests {
    use super::object_key;
    use serde_json::json;

    #[test]
    fn activities_are_keyed_by_the_object_they_are_about() {
        let page = "https://a.example/post/1";
        let create = json!({"id": "c", "object": {"id": page, "type": "Page"}});
        let announce = json!({"id": "a", "object": create.clone()});
        let undo_like = json!({"id": "u", "object": {"id": "l", "object": page}});
        let follow = json!({"id": "f", "object": "https://a.example/c/x"});
        assert_eq!(object_key(&create), page);
        assert_eq!(object_key(&announce), page);
        assert_eq!(object_key(&json!({"id": "w", "object": undo_like})), page);
        assert_eq!(object_key(&follow), "https://a.example/c/x");
        assert_eq!(object_key(&json!({"id": "only"})), "only");
    }
}
