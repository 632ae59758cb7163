//! A lane redeployed with another configuration in the middle of a run, and
//! hand edits aimed at one lane. Each change is applied from this moment on
//! and told as an event derived from what actually changed.

use super::{sessions_gone, Lane};
use crate::base::ids::LaneId;
use crate::base::ids::User;
use crate::base::time::human_duration;
use crate::fleet::config::{AuthMode, LaneConfig, Strategy};
use crate::wire::jwt::TokenEdit;

impl Lane {
    /// A hand edit, unless it was aimed at the other lane's credential.
    pub(crate) fn tamper_in(&mut self, target: Option<LaneId>, user: User, edit: &TokenEdit, action_no: u32) {
        match target {
            Some(t) if t != self.id => {
                let what = self.config.auth.credential_name();
                let who = user.username();
                self.event(
                    action_no,
                    format!("{who}'s {what} was not changed: the edit was for lane {t}'s credential"),
                );
            }
            _ => self.tamper(user, edit, action_no),
        }
    }

    /// Switches this lane to `config` if `lane` names it; the other lane
    /// records nothing.
    pub(crate) fn reconfigure(&mut self, lane: LaneId, config: &LaneConfig, action_no: u32) {
        if lane != self.id {
            return;
        }
        // Add/Remove server change the fleet, not the configured size: say what really ran.
        let fleet = u8::try_from(self.servers.len()).unwrap_or(u8::MAX);
        let (old, new) = (LaneConfig { servers: fleet, ..self.config }, config.sanitized());
        self.event(action_no, format!("lane {lane} redeployed as {new} (was {old})"));
        self.resize(new.servers, action_no);
        if new.auth != old.auth {
            self.redeploy(old.auth, new.auth, action_no);
        }
        if new.balancer != old.balancer {
            self.balancer = crate::fleet::balancer::Balancer::new(new.balancer);
            self.event(action_no, balancer_text(old.balancer, new.balancer));
        }
        if new.store_latency_ms != old.store_latency_ms {
            self.backend.store.latency_ms = new.store_latency_ms;
            let unused = if new.auth.uses_store() { "" } else { " (this lane does not use the store)" };
            let (was, now) = (old.store_latency_ms, new.store_latency_ms);
            self.event(action_no, format!("a shared store round trip now takes {now} ms instead of {was} ms{unused}"));
        }
        if new.token_ttl_s != old.token_ttl_s {
            let (was, now) = (human_duration(old.token_ttl_s.into()), human_duration(new.token_ttl_s.into()));
            self.event(
                action_no,
                format!("tokens issued from now on live {now} instead of {was}; tokens already issued keep their exp"),
            );
        }
        if new.session_ttl_s != old.session_ttl_s {
            let (was, now) = (human_duration(old.session_ttl_s.into()), human_duration(new.session_ttl_s.into()));
            self.event(
                action_no,
                format!("the session idle timeout is now {now} instead of {was}, counted from each session's next use"),
            );
        }
        self.config = new;
    }

    /// Adds or removes servers at the end of the pool to reach `count`.
    fn resize(&mut self, count: u8, action_no: u32) {
        while self.servers.len() < usize::from(count) {
            self.join_server(action_no);
        }
        while self.servers.len() > usize::from(count) {
            self.drop_last_server(action_no);
        }
    }

    /// New code on every server: memory is wiped, and browsers' credentials
    /// are understood only if the new mode reads the same kind.
    fn redeploy(&mut self, old: AuthMode, new: AuthMode, action_no: u32) {
        let holders: Vec<&str> =
            User::ALL.into_iter().filter(|u| self.credential(*u).is_some()).map(User::username).collect();
        let now = self.now;
        let lost: usize = self.servers.iter_mut().map(|s| s.redeploy(now, &mut self.ledger)).sum();
        self.stats.sessions_lost += lost as u64;
        let memory = sessions_gone(lost, "; ", "server");
        let browsers = match (old, new, holders.as_slice()) {
            (_, _, []) => String::new(),
            (old, new, _) if old.sends_jwt() && new.sends_jwt() => {
                "; tokens already issued still verify: the signing key is unchanged".into()
            }
            (AuthMode::ApiKey { .. }, AuthMode::ApiKey { .. }, _) => {
                "; API keys already issued still work: the database keeps their hashes".into()
            }
            (_, _, users) => format!(
                "; the {} that {} still {} is no longer understood: logging in again is the only way back",
                old.credential_name(),
                users.join(" and "),
                if users.len() == 1 { "holds" } else { "hold" }
            ),
        };
        self.event(action_no, format!("every server redeployed from {old} to {new}{memory}{browsers}"));
    }
}

fn balancer_text(old: Strategy, new: Strategy) -> String {
    let fresh = match new {
        Strategy::Random | Strategy::IpHash => String::new(),
        _ => "; its rotation starts again from S1".into(),
    };
    let pins = match (old, new) {
        (Strategy::StickyCookie, _) => "; browsers still send their lb cookies, but nothing honours them now",
        (_, Strategy::StickyCookie) => "; each browser is pinned at its next request",
        _ => "",
    };
    format!("the balancer now picks by {} instead of {}{fresh}{pins}", new.label(), old.label())
}
