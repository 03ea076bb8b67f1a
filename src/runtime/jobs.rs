//! Start and stop requests, as systemd's job engine would run them for `sockunit run`: the
//! start-up order (sockets, then services), `socket_start`'s refusal while the service runs,
//! `Condition*=`/`Assert*=`, and the shutdown rounds (services first, then sockets).

use super::manager::{Deferred, Manager, Rt, UnitId};
use super::service_unit::ServiceState;
use super::socket_unit::SocketEvent;
use super::sys::event_loop::now;
use super::types::Activity;

impl Manager<'_> {
    /// Starts the units named at start-up, sockets first.
    pub fn start_all(&mut self, ids: &[UnitId]) {
        let (mut sockets, services): (Vec<UnitId>, Vec<UnitId>) = ids
            .iter()
            .partition(|&&id| matches!(self.unit(id).map(|u| &u.rt), Some(Rt::Socket(_))));
        // A service's Sockets= are Wants= + After=: they start first.
        for &id in &services {
            if let Some(Rt::Service(s)) = self.unit(id).map(|u| &u.rt) {
                for sock in s.config.sockets.clone() {
                    if let Some(&sid) = self.ids.get(&sock)
                        && !sockets.contains(&sid)
                    {
                        sockets.push(sid);
                    }
                }
            }
        }
        for id in sockets {
            self.start_socket(id);
        }
        for id in services {
            self.later.push_back(Deferred::StartService(id));
        }
        self.drain();
    }

    /// One shutdown round: stop services, then sockets once no service is active. True when
    /// every unit is inactive or failed.
    pub(super) fn shutdown_step(&mut self) -> bool {
        let ids: Vec<UnitId> = self.units.keys().rev().copied().collect();
        let mut services_busy = false;
        for &id in &ids {
            if let Some(Rt::Service(_)) = self.unit(id).map(|u| &u.rt)
                && let Some((_, a, _)) = self.state_of(id)
                && !a.is_inactive_or_failed()
            {
                services_busy = true;
                if a != Activity::Deactivating {
                    self.stop(id);
                }
            }
        }
        if !services_busy {
            for &id in &ids {
                if let Some((_, a, _)) = self.state_of(id)
                    && !a.is_inactive_or_failed()
                    && a != Activity::Deactivating
                {
                    self.stop(id);
                }
            }
        }
        self.drain();
        self.later.is_empty() && self.all_inactive()
    }

    fn all_inactive(&self) -> bool {
        self.units.keys().all(|&id| {
            self.state_of(id)
                .is_none_or(|(_, a, _)| a.is_inactive_or_failed())
        })
    }

    /// Stops a unit (a stop request).
    pub fn stop(&mut self, id: UnitId) {
        match self.unit(id).map(|u| &u.rt) {
            Some(Rt::Socket(_)) => self.socket_event(id, SocketEvent::Stop),
            Some(Rt::Service(_)) => self.service_stop(id),
            None => {}
        }
    }

    /// Starts a unit (a start request).
    pub fn start(&mut self, id: UnitId) {
        match self.unit(id).map(|u| &u.rt) {
            Some(Rt::Socket(_)) => self.start_socket(id),
            Some(Rt::Service(_)) => self.later.push_back(Deferred::StartService(id)),
            None => {}
        }
        self.drain();
    }

    /// `socket_start`'s check: a socket cannot start while the service it triggers runs.
    fn start_socket(&mut self, id: UnitId) {
        let service = match self.unit(id).map(|u| &u.rt) {
            Some(Rt::Socket(s)) => s.triggers,
            _ => return,
        };
        if let Some(svc) = service
            && let Some(Rt::Service(sv)) = self.unit(svc).map(|u| &u.rt)
            && !matches!(
                sv.m.state,
                ServiceState::Dead | ServiceState::Failed | ServiceState::AutoRestart
            )
            && matches!(self.state_of(id), Some((_, a, _)) if a.is_inactive_or_failed())
        {
            let (name, svc_name) = (self.name(id), self.name(svc));
            self.obs.log(
                Some(&name),
                &format!("Socket service {svc_name} already active, refusing."),
            );
            return;
        }
        if self.conditions_hold(id) {
            self.socket_event(id, SocketEvent::Start { now: now() });
        }
    }

    /// `unit_test_condition` and `unit_test_assert` for a start request of an inactive unit,
    /// with systemd's log lines when the start is skipped or fails.
    pub(super) fn conditions_hold(&mut self, id: UnitId) -> bool {
        let Some(u) = self.unit(id) else {
            return false;
        };
        if u.spec.conditions.is_empty()
            || !self
                .state_of(id)
                .is_some_and(|(_, a, _)| a.is_inactive_or_failed())
        {
            return true;
        }
        let (name, desc) = (u.spec.name.clone(), u.spec.description.clone());
        let env = &self.settings.env;
        if let Some(c) = super::conditions::first_failure(&u.spec.conditions, false, env) {
            let text = if c.trigger {
                format!("{desc} was skipped because no trigger condition checks were met.")
            } else {
                format!(
                    "{desc} was skipped because of an unmet condition check ({}).",
                    c.describe()
                )
            };
            self.obs.debug(
                Some(&name),
                "Starting requested but condition failed. Not starting unit.",
            );
            self.obs.log(None, &text);
            return false;
        }
        if let Some(c) = super::conditions::first_failure(&u.spec.conditions, true, env) {
            let text = format!("Assertion failed for {desc}.");
            let detail = format!("{} failed.", c.describe());
            self.obs.log(Some(&name), &detail);
            self.obs
                .log(Some(&name), "Starting requested but asserts failed.");
            self.obs.log(None, &text);
            return false;
        }
        true
    }
}
