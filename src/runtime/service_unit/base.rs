//! The machine's shared helpers: `service_set_state` with its side effects, results, the
//! timer, the tracked processes and spawning.

use crate::runtime::types::{INFINITY, Usec};

use super::kinds::{Role, ServiceCommand, ServiceResult, ServiceState, ServiceType};
use super::{Await, OnSpawnFailed, OnSpawned, ServiceAction, ServiceMachine};

impl ServiceMachine {
    /// `service_set_state`: the side effects of leaving the previous state, then the change.
    pub(super) fn set_state(&mut self, to: ServiceState) {
        let from = self.state;
        self.state = to;
        self.unwatch_pid_file();
        if !to.keeps_timer() {
            self.disarm_timer();
        }
        if !to.keeps_main() {
            self.forget_main();
            self.main_command = None;
        }
        if !to.keeps_control() {
            self.forget_control();
            self.control = None;
        }
        // A dead service with a job pending (a restart) keeps its connection.
        let keep = to.keeps_socket_fd() || (to == ServiceState::Dead && self.queued.is_some());
        if !keep && self.socket_fd_held {
            self.socket_fd_held = false;
            self.emit(ServiceAction::CloseSocketFd);
        }
        if to.keeps_socket_fd() {
            self.socket_fd_held = true;
        }
        if !to.keeps_watchdog() && self.watchdog_armed {
            self.watchdog_armed = false;
            self.emit(ServiceAction::DisarmWatchdog);
        }
        if from != to {
            self.emit(ServiceAction::StateChanged { from, to });
        }
    }

    pub(super) fn emit(&mut self, a: ServiceAction) {
        self.out.push(a);
    }

    pub(super) fn log(&mut self, msg: impl Into<String>) {
        self.out.push(ServiceAction::Log(msg.into()));
    }

    /// The first failure sticks.
    pub(super) fn stick(&mut self, f: ServiceResult) {
        if self.result == ServiceResult::Success {
            self.result = f;
        }
    }

    /// `service_arm_timer(now + usec)`; an infinite timeout disarms.
    pub(super) fn arm_timer(&mut self, usec: Usec) {
        if usec == INFINITY {
            self.disarm_timer();
        } else {
            self.timer_armed = true;
            self.emit(ServiceAction::ArmTimer(usec));
        }
    }

    pub(super) fn disarm_timer(&mut self) {
        if self.timer_armed {
            self.timer_armed = false;
            self.emit(ServiceAction::DisarmTimer);
        }
    }

    /// `service_unwatch_main_pid`.
    pub(super) fn forget_main(&mut self) {
        if self.main_alive {
            self.main_alive = false;
            self.emit(ServiceAction::ForgetMainPid);
        }
    }

    /// `service_unwatch_control_pid`.
    pub(super) fn forget_control(&mut self) {
        if self.control_alive {
            self.control_alive = false;
            self.emit(ServiceAction::ForgetControlPid);
        }
    }

    /// `main_pid_good`: `Some(alive)` when known.
    pub(super) fn main_good(&self) -> Option<bool> {
        self.main_known.then_some(self.main_alive)
    }

    /// `service_good`.
    pub(super) fn service_good(&self) -> bool {
        if self.params.service_type == ServiceType::Dbus && !self.bus_name_good {
            return false;
        }
        self.main_good().unwrap_or(self.cgroup_populated)
    }

    /// Spawns command `index` of `cmd` with a `timeout` (`service_spawn`); the answer
    /// continues with `ok` or `fail`.
    pub(super) fn spawn(
        &mut self,
        cmd: ServiceCommand,
        index: usize,
        role: Role,
        timeout: Usec,
        ok: OnSpawned,
        fail: OnSpawnFailed,
    ) {
        self.arm_timer(timeout);
        self.emit(ServiceAction::Spawn { cmd, index, role });
        self.awaiting = Some(Await::Spawn {
            role,
            cmd: Some((cmd, index)),
            ok,
            fail,
        });
    }

    /// The spawn succeeded.
    pub(super) fn spawned(
        &mut self,
        role: Role,
        cmd: Option<(ServiceCommand, usize)>,
        ok: OnSpawned,
    ) {
        self.cgroup_populated = true;
        match role {
            Role::Main => {
                self.main_known = true;
                self.main_alive = true;
                self.main_command = cmd.map(|(_, i)| i);
            }
            Role::Control => {
                self.control_alive = true;
                self.control = cmd;
            }
        }
        match ok {
            OnSpawned::Enter(s) => self.set_state(s),
            OnSpawned::StartPost => self.enter_start_post(),
            OnSpawned::Stay => {}
        }
    }
}
