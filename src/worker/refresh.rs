//! The refresh job and the estate it fills. The worker owns the [`Estate`]: refresh tasks apply
//! typed updates to it, and one path sends its views to the app, in the order they were taken.
//! A refresh that finishes saves the snapshot and shows the reminder it made due.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::accounts::{PendingSignIn, Target, no_vault};
use super::jobs::{Context, Outbox, Worker, locked};
use super::{Event, JobId, Outcome};
use crate::inventory::estate::{Estate, Update};
use crate::inventory::policy::{Judge, Thresholds};
use crate::inventory::{RefreshEvent, RefreshOptions, plan, refresh_parts};

/// The estate, and the one path its views take to the app.
#[derive(Clone, Default)]
pub(super) struct EstateHub {
    estate: Arc<Mutex<Estate>>,
    /// The version of the last view sent: views are built and sent one at a time under it, so
    /// the app never gets an older view after a newer one.
    sent: Arc<tokio::sync::Mutex<Option<u64>>>,
    /// A view is due shortly: the updates until then go with it.
    due: Arc<std::sync::atomic::AtomicBool>,
}

/// How often a refresh's progress reaches the app at most: a view copies every row, and a large
/// estate's parts answer in bursts.
const VIEW_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

impl EstateHub {
    /// Changes the estate under a short lock (never across an await).
    pub(super) fn update<T>(&self, change: impl FnOnce(&mut Estate) -> T) -> T {
        change(&mut locked(&self.estate))
    }

    /// Sends the estate's view and notes, unless the app has this version already. Callers that
    /// wait while another sends find their change in its view, so views coalesce under load.
    pub(super) async fn publish(&self, out: &Outbox) {
        let mut sent = self.sent.lock().await;
        let (view, notes) = {
            let mut estate = locked(&self.estate);
            if *sent == Some(estate.version()) {
                return;
            }
            (estate.view(), estate.take_notes())
        };
        *sent = Some(view.version);
        out.send(Event::Estate { view: Arc::new(view), notes }).await;
    }

    /// Sends the view within [`VIEW_EVERY`], with every update made until then.
    pub(super) fn publish_soon(&self, out: &Arc<Outbox>) {
        use std::sync::atomic::Ordering;
        if self.due.swap(true, Ordering::AcqRel) {
            return;
        }
        let (hub, out) = (self.clone(), out.clone());
        tokio::spawn(async move {
            tokio::time::sleep(VIEW_EVERY).await;
            hub.due.store(false, Ordering::Release);
            hub.publish(&out).await;
        });
    }
}

/// Ends a refresh as stopped when its job is dropped before it finished (Stop, or a newer
/// refresh): the estate must not wait for parts that will never answer.
struct StopsUnlessFinished {
    hub: EstateHub,
    out: Arc<Outbox>,
    job: JobId,
    finished: bool,
}

impl Drop for StopsUnlessFinished {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let stopped = self.hub.update(|e| e.finish(self.job, false, Judge::default(), false));
        debug_assert!(stopped.is_none());
        let (hub, out) = (self.hub.clone(), self.out.clone());
        // Dropped inside the runtime (the job's task): the view follows from a task of its own.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { hub.publish(&out).await });
        }
    }
}

impl Worker {
    /// Starts a refresh of every profile, replacing (cancelling) the one running. `reread`: read
    /// the profiles file first, so profiles added meanwhile (`certdesk profile add`) count too.
    pub(super) fn spawn_refresh(&self, job: JobId, reread: bool) {
        let mut current = locked(&self.current_refresh);
        if let Some(previous) = current.take() {
            previous.cancel();
        }
        // Applied here, under the lock: the estate learns of refreshes in the order they replace
        // each other.
        self.estate.update(|e| e.apply(Update::Started { job }));
        // Made before the job runs: a Stop that comes before the job's first step still ends it.
        let guard = StopsUnlessFinished { hub: self.estate.clone(), out: self.out.clone(), job, finished: false };
        let token = self.spawn_job(job, "Refreshing the inventory".into(), move |job, w, stop| async move {
            // The whole guard moves into the job's future (not only its flag).
            let mut guard = guard;
            w.estate.publish(&w.out).await;
            if reread {
                w.reload_profiles(job).await;
            }
            let ctx = w.context(stop);
            if w.is_demo() {
                let targets = ctx.accounts.sessions().await;
                futures_util::future::join_all(targets.iter().map(|t| refresh_profile(job, t, &w))).await;
            } else {
                sign_in_and_refresh_all(job, &ctx, &w).await;
            }
            guard.finished = true;
            w.refresh_finished(job).await;
            Outcome::Done
        });
        *current = Some(token);
    }

    /// A refresh that answered to its end: the estate settles and, in the same step, what to save
    /// and remind of is taken; both are under way before the view goes out (a Stop while it does
    /// loses neither).
    async fn refresh_finished(&self, job: JobId) {
        let (thresholds, notify) = self.judging();
        let judge = Judge { thresholds, now: time::OffsetDateTime::now_utc() };
        let demo = self.is_demo();
        let (reminder, snapshot) = self.estate.update(|e| {
            let finished = e.finish(job, true, judge, notify);
            let snapshot = finished.as_ref().filter(|f| f.answered && !demo).map(|_| e.snapshot(judge.now));
            (finished.and_then(|f| f.reminder), snapshot)
        });
        if let Some(snapshot) = snapshot {
            self.spawn_save_snapshot(self.new_id(), snapshot);
        }
        if let Some((title, body)) = reminder {
            self.notify(job, title, body);
        }
        self.estate.publish(&self.out).await;
    }

    /// The thresholds rows are judged with, and whether reminders are wanted: the app's settings.
    pub(super) fn judging(&self) -> (Thresholds, bool) {
        let shared = locked(&self.shared);
        (shared.thresholds, shared.notify)
    }

    /// Applies an update of a refresh; its view follows shortly.
    fn tell(&self, update: Update) {
        self.estate.update(|e| e.apply(update));
        self.estate.publish_soon(&self.out);
    }
}

/// Signs in and refreshes every profile, all at once: each has its own session and per-host
/// gates, so one account's calls never wait for another's, and an account that is slow or
/// unreachable (a private cloud behind a VPN that is down) holds no other back, also while it
/// signs in. Secrets are read one profile at a time first (a locked keyring asks once). A profile
/// that cannot sign in becomes one error line and one stale profile; its session, or its failure,
/// is kept for downloads and exports.
async fn sign_in_and_refresh_all(job: JobId, ctx: &Context, w: &Worker) {
    let Some(vault) = &ctx.vault else {
        for profile in ctx.profiles.iter() {
            signed_in_or_failed(job, &profile.name, Err(no_vault()), w).await;
        }
        return;
    };
    let mut pending: Vec<PendingSignIn> = Vec::new();
    let mut paused: Vec<&str> = Vec::new();
    for profile in ctx.profiles.iter() {
        // A name twice (a hand-edited profiles file) is one account: the first one counts.
        if pending.iter().any(|p| p.profile_name() == profile.name) || paused.contains(&profile.name.as_str()) {
            tracing::warn!(profile = %profile.name, "the profiles file names this profile twice; the first one is used");
            continue;
        }
        // Credentials the cloud refused are not sent again by a refresh: under a lockout policy
        // each try counts toward locking the IAM user or the key.
        if let Some(refused) = ctx.accounts.paused(&profile.name) {
            paused.push(&profile.name);
            signed_in_or_failed(job, &profile.name, Err(crate::store::paused::words(&refused)), w).await;
            continue;
        }
        pending.push(ctx.accounts.begin_sign_in(profile, vault).await);
    }
    futures_util::future::join_all(pending.into_iter().map(|sign_in| async move {
        let name = sign_in.profile_name().to_owned();
        if let Some(target) = signed_in_or_failed(job, &name, sign_in.finish().await, w).await {
            refresh_profile(job, &target, w).await;
        }
    }))
    .await;
}

/// Tells a profile's sign-in: to its card, and to the estate (a failure makes its rows stale).
async fn signed_in_or_failed(
    job: JobId,
    profile: &str,
    result: Result<Arc<Target>, String>,
    w: &Worker,
) -> Option<Arc<Target>> {
    let (update, card, target) = match result {
        Ok(target) => {
            let card = Ok(format!("Signed in: {} region(s)", target.regions.len()));
            (Update::SignedIn { job, profile: profile.to_owned() }, card, Some(target))
        }
        Err(message) => {
            let update = Update::SignInFailed { job, profile: profile.to_owned(), message: message.clone() };
            (update, Err(message), None)
        }
    };
    w.out.send(Event::ProfileSignIn { job, profile: profile.to_owned(), result: card }).await;
    w.tell(update);
    target
}

/// Refreshes one signed-in profile: its parts planned once, then applied as they answer.
async fn refresh_profile(job: JobId, target: &Target, w: &Worker) {
    let opts =
        RefreshOptions { profile: target.name.clone(), regions: target.regions.clone(), ..RefreshOptions::default() };
    let parts = plan(&target.session, &opts);
    w.tell(Update::Planned { job, parts: parts.len() });
    let (tx, mut rx) = mpsc::channel(64);
    let task = refresh_parts(target.session.clone(), opts, parts, tx);
    let apply = async {
        while let Some(event) = rx.recv().await {
            let update = match event {
                RefreshEvent::Rows { region, service, rows } => {
                    let part = (target.name.clone(), region, service);
                    Update::RowsLoaded { job, part, rows, at: time::OffsetDateTime::now_utc() }
                }
                RefreshEvent::Failed(error) => Update::PartFailed { job, error },
            };
            w.tell(update);
        }
    };
    tokio::join!(task, apply);
}
