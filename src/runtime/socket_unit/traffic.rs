//! Listening and activation: watching the ports, incoming traffic, the trigger limit,
//! `Accept=no` triggering, `Accept=yes` connections and the triggered service's state
//! (`socket_enter_listening`, `socket_dispatch_io`, `socket_enter_running`,
//! `socket_trigger_notify`, `socket_connection_unref`).

use super::{ConnId, InstanceError, Pending, ServiceView, SocketAction, SocketMachine};
use super::{SocketResult, SocketState};
use crate::runtime::types::Usec;

/// `EPOLLIN`.
const EPOLLIN: u32 = 0x001;
/// `EPOLLHUP`.
const EPOLLHUP: u32 = 0x010;

impl SocketMachine {
    /// `socket_enter_listening`, first half: flush, then watch (already watched ports need no
    /// second `Watch`).
    pub(super) fn enter_listening(&mut self) {
        if !self.params.accept && self.params.flush_pending {
            self.debug("Flushing socket before listening.");
            self.emit(SocketAction::Flush);
        }
        if self.held.watched {
            self.set_state(SocketState::Listening);
        } else {
            self.emit(SocketAction::Watch);
            self.pending = Some(Pending::Watch);
        }
    }

    /// `socket_enter_listening`, second half: the answer to `Watch`.
    pub(super) fn watched(&mut self, error: Option<String>) {
        match error {
            None => {
                self.held.watched = true;
                self.set_state(SocketState::Listening);
            }
            Some(error) => {
                self.log(format!("Failed to watch listening fds: {error}"));
                self.log(format!("Failed to watch sockets: {error}"));
                self.enter_stop_pre(SocketResult::Resources);
            }
        }
    }

    /// `socket_dispatch_io`.
    pub(super) fn ready(&mut self, port: usize, revents: u32, now: Usec) {
        if self.state != SocketState::Listening {
            return;
        }
        self.debug("Incoming traffic");
        if revents != EPOLLIN {
            if revents & EPOLLHUP != 0 {
                self.log(
                    "Got POLLHUP on a listening socket. The service probably invoked shutdown() \
                     on it, and should better not do that.",
                );
            } else {
                self.log(format!(
                    "Got unexpected poll event (0x{revents:x}) on socket."
                ));
            }
            self.enter_stop_pre(SocketResult::Resources);
            return;
        }
        let can_accept = self.params.can_accept.get(port).copied().unwrap_or(false);
        if self.params.accept && can_accept {
            self.emit(SocketAction::Accept { port });
            self.pending = Some(Pending::Accept(now));
        } else {
            self.enter_running(None, now);
        }
    }

    /// The answer to `Accept` when no connection came.
    pub(super) fn accept_failed(&mut self, spurious: bool, error: &str) {
        if !spurious {
            self.log(format!("Failed to accept connection socket: {error}"));
            self.enter_stop_pre(SocketResult::Resources);
        }
    }

    /// `socket_enter_running` (`conn` is `cfd`; `None` for `cfd < 0`). A pending stop job
    /// ("Suppressing connection request since unit stop is scheduled.") cannot happen here:
    /// the machine handles a stop at once.
    pub(super) fn enter_running(&mut self, conn: Option<(ConnId, Option<String>)>, now: Usec) {
        if !self.trigger_limit.below(now) {
            self.log("Trigger limit hit, refusing further activation.");
            // systemd refuses after entering stop-pre; Refuse is not fallible, so it goes
            // first to keep the fallible action last.
            if let Some((conn, _)) = conn {
                self.emit(SocketAction::Refuse { conn });
            }
            self.n_refused += 1;
            self.enter_stop_pre(SocketResult::TriggerLimitHit);
            return;
        }
        match conn {
            None => {
                self.emit(SocketAction::TriggerService);
                self.pending = Some(Pending::Trigger);
            }
            Some((conn, source)) => self.offer_connection(conn, source),
        }
    }

    /// The `Accept=yes` half of `socket_enter_running`: the connection limits, then the instance.
    fn offer_connection(&mut self, conn: ConnId, source: Option<String>) {
        if self.n_connections >= self.params.max_connections {
            self.log(format!(
                "Too many incoming connections ({}), dropping connection.",
                self.n_connections
            ));
            self.refuse(conn);
            return;
        }
        let per_source = self.params.max_connections_per_source;
        if let (Some(key), true) = (&source, per_source > 0) {
            let n = self.per_source.get(key).copied().unwrap_or(0) + 1;
            if n > per_source {
                self.log(format!(
                    "Too many incoming connections ({n}) from source {key}, dropping connection."
                ));
                self.refuse(conn);
                return;
            }
        }
        let nr = self.n_accepted;
        self.emit(SocketAction::StartInstance { conn, nr });
        self.pending = Some(Pending::Instance(source));
    }

    /// `refuse:` — close the connection, count it.
    fn refuse(&mut self, conn: ConnId) {
        self.emit(SocketAction::Refuse { conn });
        self.n_refused += 1;
    }

    /// The answer to `TriggerService`.
    pub(super) fn triggered(&mut self, error: Option<String>) {
        match error {
            None => self.set_state(SocketState::Running),
            Some(error) => self.queue_failed("non-template", &error),
        }
    }

    /// The answer to `StartInstance`.
    pub(super) fn instance_started(
        &mut self,
        source: Option<String>,
        error: Option<InstanceError>,
    ) {
        match error {
            None => {
                self.n_accepted += 1;
                self.n_connections += 1;
                if let (Some(key), true) = (source, self.params.max_connections_per_source > 0) {
                    *self.per_source.entry(key).or_insert(0) += 1;
                }
            }
            Some(InstanceError::Aborted(errno)) => self.debug(format!(
                "Got {errno} on incoming socket, assuming aborted connection attempt, ignoring."
            )),
            Some(InstanceError::Load(error)) => self.queue_failed("template", &error),
            Some(InstanceError::Attach(error)) => {
                self.n_accepted += 1;
                self.queue_failed("template", &error);
            }
            Some(InstanceError::Queue(error)) => {
                self.n_accepted += 1;
                // service_close_socket_fd undoes the n_connections++ at once.
                self.n_connections += 1;
                self.release_connection(None);
                self.queue_failed("template", &error);
            }
        }
    }

    /// `socket_enter_running`'s `fail:` path (the `ERRNO_IS_RESOURCE` wording is not modelled).
    fn queue_failed(&mut self, kind: &str, error: &str) {
        self.log(format!(
            "Failed to queue service startup job (Maybe the service file is missing or not a \
             {kind} unit?): {error}"
        ));
        self.enter_stop_pre(SocketResult::Resources);
    }

    /// `socket_trigger_notify`.
    pub(super) fn service_changed(&mut self, view: ServiceView, start_limit_hit: bool) {
        if !matches!(self.state, SocketState::Running | SocketState::Listening)
            || self.params.accept
        {
            return;
        }
        if start_limit_hit {
            self.enter_stop_pre(SocketResult::ServiceStartLimitHit);
            return;
        }
        match view {
            ServiceView::Busy => {}
            ServiceView::Stopped => self.enter_listening(),
            ServiceView::Running => self.set_state(SocketState::Running),
        }
    }

    /// `service_release_socket_fd` → `socket_connection_unref` and the peer's unref.
    pub(super) fn connection_closed(&mut self, source: Option<String>) {
        self.release_connection(source);
    }

    /// One connection fewer, overall and for its source.
    fn release_connection(&mut self, source: Option<String>) {
        self.n_connections = self.n_connections.saturating_sub(1);
        if let Some(n) = source.as_ref().and_then(|key| self.per_source.get_mut(key)) {
            *n = n.saturating_sub(1);
        }
        self.per_source.retain(|_, n| *n > 0);
        self.debug(format!(
            "One connection closed, {} left.",
            self.n_connections
        ));
    }
}
