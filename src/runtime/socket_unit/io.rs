//! What goes into the socket machine ([`SocketEvent`]) and what comes out ([`SocketAction`]).
//!
//! Error texts in events are what systemd's `%m` would print for the failing call
//! (`strerror`, e.g. `Address already in use`), or a bus error message for job failures; the
//! machine puts them into systemd's log lines.

use super::model::{ServiceView, SocketCommand};
use crate::runtime::types::{ExitStatus, KillOp, KillOutcome, Usec};

/// An accepted connection, named by the executor.
pub type ConnId = u64;

/// Why `StartInstance` did not start a connection instance, by the step of systemd's
/// `socket_enter_running` that failed. In every case the executor has closed the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceError {
    /// The peer went away while the instance was named (`ERRNO_IS_DISCONNECT`); the payload is
    /// the errno name (`ENOTCONN`). The socket keeps listening; nothing is counted.
    Aborted(String),
    /// `prefix@INSTANCE.service` could not be loaded (`manager_load_unit` failed). Nothing is
    /// counted.
    Load(String),
    /// The instance could not take the connection (`service_set_socket_fd`: not loaded, masked,
    /// not dead: `Invalid argument`, …). Counted in `NAccepted`.
    Attach(String),
    /// The start job could not be queued. Counted in `NAccepted`; the connection was counted
    /// and released again.
    Queue(String),
}

/// Inputs to the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// A start request at `now` (start limit accounting). Acted on only in `dead`/`failed`:
    /// active states ignore it (`-EALREADY`), activating ones are "already on it", and in
    /// deactivating states systemd's start job waits (`-EAGAIN`), so the caller sends it again
    /// once the socket is `dead`/`failed`.
    Start {
        /// Monotonic time.
        now: Usec,
    },
    /// A stop request.
    Stop,
    /// `systemctl reset-failed`.
    ResetFailed,
    /// Answer to `Spawn`/`SpawnChown`, only on failure: the process could not be started.
    SpawnFailed {
        /// The error (`%m`).
        error: String,
    },
    /// The most recently spawned control process (or chown helper) exited. Exits of processes
    /// spawned earlier are the executor's to drop; the machine also ignores exits when it no
    /// longer watches a control process.
    ControlExited(ExitStatus),
    /// Answer to `Open`.
    Opened {
        /// `None`: all ports are open. Otherwise the error; the executor has closed whatever
        /// it opened (systemd's `socket_open_fds` rolls back), so no `Close` follows.
        error: Option<String>,
    },
    /// Answer to `Watch`.
    Watched {
        /// `None`: the fds are in epoll. Otherwise the error; the executor has removed the fds
        /// it added (systemd's `socket_watch_fds` rolls back).
        error: Option<String>,
    },
    /// Answer to `Kill`.
    Killed(KillOutcome),
    /// The timer fired.
    Timeout,
    /// A watched port is ready (ignored outside `listening`).
    Ready {
        /// Port index (config order).
        port: usize,
        /// epoll's `revents`; anything but exactly `EPOLLIN` fails the socket.
        revents: u32,
        /// Monotonic time (trigger limit accounting).
        now: Usec,
    },
    /// Answer to `Accept`: a connection.
    Accepted {
        /// The connection.
        conn: ConnId,
        /// The per-source key for `MaxConnectionsPerSource=`, `None` if the peer has none. In
        /// v252 only IPv4/IPv6 (the address, without port, as `sockaddr_pretty` prints it) and
        /// vsock (the CID) peers have one.
        source: Option<String>,
    },
    /// Answer to `Accept`: no connection.
    AcceptFailed {
        /// An EAGAIN-like error (`ERRNO_IS_ACCEPT_AGAIN`): ignored, the socket keeps listening.
        spurious: bool,
        /// The error (`%m`), logged when not spurious.
        error: String,
    },
    /// Answer to `TriggerService`.
    Triggered {
        /// `None`: the start job was queued (or nothing needed queueing). Otherwise the bus
        /// error message.
        error: Option<String>,
    },
    /// Answer to `StartInstance`.
    InstanceStarted {
        /// `None`: the instance holds the connection and its start job is queued.
        error: Option<InstanceError>,
    },
    /// `Accept=no`: the triggered service changed state (ignored unless `listening`/`running`).
    ServiceChanged {
        /// How it looks now.
        view: ServiceView,
        /// The service hit its start limit.
        start_limit_hit: bool,
    },
    /// `Accept=yes`: a connection instance released its connection.
    ConnectionClosed {
        /// The source key given in `Accepted`.
        source: Option<String>,
    },
}

/// Outputs of the machine, for the executor to perform in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketAction {
    /// Spawn command `index` of `cmd` as the control process (answer: `SpawnFailed` on failure).
    Spawn {
        /// Which list.
        cmd: SocketCommand,
        /// Index in it.
        index: usize,
    },
    /// Spawn the `(sd-chown)` helper (answer: `SpawnFailed` on failure).
    SpawnChown,
    /// Arm the timer `usec` from now.
    ArmTimer(Usec),
    /// Disarm the timer.
    DisarmTimer,
    /// Open every port, create `Symlinks=` (answer: `Opened`).
    Open,
    /// Close every port; with `RemoveOnStop=` also unlink nodes and symlinks.
    Close,
    /// Watch every port for `EPOLLIN` (answer: `Watched`).
    Watch,
    /// Stop watching.
    Unwatch,
    /// `FlushPending=`: drain every port.
    Flush,
    /// Signal the control process, and whatever else the kill mode covers (answer: `Killed`).
    Kill(KillOp),
    /// Accept one connection on `port` (answer: `Accepted`/`AcceptFailed`).
    Accept {
        /// Port index.
        port: usize,
    },
    /// Close an accepted connection unused.
    Refuse {
        /// The connection.
        conn: ConnId,
    },
    /// `Accept=no`: queue a start of the triggered service(s) unless one is active or has a job
    /// (answer: `Triggered`).
    TriggerService,
    /// `Accept=yes`: load `prefix@INSTANCE.service` for connection `nr` and queue its start,
    /// handing it `conn` (answer: `InstanceStarted`).
    StartInstance {
        /// The connection.
        conn: ConnId,
        /// `n_accepted` before the increment (the instance number).
        nr: u64,
    },
    /// Log a message about the unit at info level or above (systemd's text, without the
    /// `UNIT: ` prefix).
    Log(String),
    /// Log a message about the unit at debug level (systemd's text, without the `UNIT: `
    /// prefix).
    Debug(String),
}
