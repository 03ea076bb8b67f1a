//! `sd_notify()` messages, pure: a datagram → the [`Notification`] the service machine takes
//! (systemd 252 `manager_dispatch_notify_fd()` splitting, `manager_process_barrier_fd()`,
//! `service_notify_message()`), and `NotifyAccess=` filtering
//! (`service_notify_message_authorized()`). The socket itself is [`super::sys::notify`].
//!
//! # Contract
//!
//! - [`parse_message`] never fails: it returns what systemd would act on plus systemd's
//!   warnings, in the order systemd logs them. It knows nothing about the unit's state; the
//!   machine ignores `MAINPID=` outside `start`/`start-post`/`running`/`reload`, and the
//!   executor logs [`Parsed::main_pid`]'s parse warning only in those states, as systemd does.
//! - [`authorize`] decides whether a message reaches a unit at all (routing by pid, systemd's
//!   cgroup lookup approximated by the pids the executor attributes to the unit) and whether
//!   `NotifyAccess=` lets it through, with systemd's warning when not.
//!
//! # Message format (v252)
//!
//! - The payload is split on `\n` and `\r`, empty lines dropped (`strv_split_newlines()`, i.e.
//!   `extract_first_word()` without flags): a backslash is removed and the byte after it kept
//!   literally (`STATUS=a\b` reads `ab`, a backslash before a newline keeps the newline inside
//!   the line); quotes are ordinary bytes. A payload ending in a lone backslash fails to split,
//!   and systemd drops the message with `Out of memory.` (its `log_oom()`); so does this.
//! - `READY=1`, `RELOADING=1`, `STOPPING=1`: the last one in the message wins.
//! - `MAINPID=`, `STATUS=`, `ERRNO=`, `EXTEND_TIMEOUT_USEC=`, `WATCHDOG=`, `WATCHDOG_USEC=`,
//!   `FDNAME=`: the *first* line with the prefix counts.
//! - `STATUS=` that is not UTF-8 (or longer than 16 KiB) clears the status text with a warning.
//! - `BARRIER=1` (`sd_notify_barrier()`) drops the whole message; fds are never kept.
//! - `FDSTORE=1`/`FDSTOREREMOVE=1`: the runtime has no fd store (`FileDescriptorStoreMax=0`),
//!   so passed fds are closed with systemd's warnings; `BUSERROR=` and unknown lines are
//!   ignored.

use crate::config::value::cnum;
use crate::config::value::fdname_is_valid;
use crate::runtime::service_unit::{Notification, NotifyAccess, NotifyState, WatchdogPing};

/// systemd's `STATUS_TEXT_MAX`.
const STATUS_TEXT_MAX: usize = 16 * 1024;

/// A datagram as systemd interprets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// For the machine. `main_pid` is true when `MAINPID=` parsed; the executor sets it to
    /// [`MainPidCheck::adopt`] of [`check_main_pid`] (false for the current main pid, the
    /// manager, the control process, a dead process, or another unit's process sent by a
    /// non-root sender).
    pub notification: Notification,
    /// `MAINPID=`: the pid, or systemd's warning
    /// (`Failed to parse MAINPID= field in notification message, ignoring: X`).
    pub main_pid: Option<Result<i32, String>>,
    /// `BARRIER=1`: the message is dropped entirely (nothing else applies).
    pub barrier: bool,
    /// How many passed fds the unit consumed (`FDSTORE=1` takes one, then refuses; see
    /// [`extra_fds_warning`]).
    pub fds_consumed: usize,
    /// The lines, for systemd's debug line ([`Parsed::debug_line`]).
    pub tags: Vec<String>,
    /// Warnings to log for the unit (after the `MAINPID=` one), in systemd's order.
    pub warnings: Vec<String>,
    /// Warnings systemd logs without a unit (barrier misuse, the split failure).
    pub manager_warnings: Vec<String>,
}

impl Parsed {
    /// `Got notification message from PID 42 (READY=1, STATUS=x)`.
    pub fn debug_line(&self, pid: i32) -> String {
        let tags = if self.tags.is_empty() {
            "n/a".to_owned()
        } else {
            self.tags.join(", ")
        };
        format!("Got notification message from PID {pid} ({tags})")
    }
}

/// `strv_split_newlines()`; `None` when the payload ends in a lone backslash.
fn split_lines(payload: &[u8]) -> Option<Vec<Vec<u8>>> {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    let mut lines = Vec::new();
    let mut bytes = payload[..end].iter();
    let mut cur: Option<Vec<u8>> = None;
    while let Some(&c) = bytes.next() {
        match c {
            b'\n' | b'\r' => {
                if let Some(line) = cur.take() {
                    lines.push(line);
                }
            }
            b'\\' => {
                let &next = bytes.next()?;
                cur.get_or_insert_with(Vec::new).push(next);
            }
            _ => cur.get_or_insert_with(Vec::new).push(c),
        }
    }
    lines.extend(cur);
    Some(lines)
}

fn first<'a>(tags: &'a [Vec<u8>], prefix: &str) -> Option<&'a [u8]> {
    tags.iter().find_map(|t| t.strip_prefix(prefix.as_bytes()))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// systemd's `utf8_is_valid()`.
fn utf8(b: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(b).ok()?;
    s.chars()
        .all(|c| crate::config::exec::unichar_is_valid(c as u32))
        .then_some(s)
}

/// `parse_pid()`.
fn parse_pid(v: &[u8]) -> Option<i32> {
    let n = cnum::safe_atollu_full(std::str::from_utf8(v).ok()?, 0, Default::default()).ok()?;
    i32::try_from(n).ok().filter(|&p| p > 0)
}

/// `safe_atou64()`.
fn parse_u64(v: &[u8]) -> Option<u64> {
    cnum::safe_atou64(std::str::from_utf8(v).ok()?).ok()
}

/// `errno_from_name()`: the `E…` names of `<errno.h>`.
fn errno_from_name(name: &str) -> Option<i32> {
    match name {
        "EWOULDBLOCK" => return Some(libc::EWOULDBLOCK),
        "EDEADLOCK" => return Some(libc::EDEADLOCK),
        "ENOTSUP" => return Some(libc::ENOTSUP),
        _ => {}
    }
    (1..=133).find(|&n| format!("{:?}", nix::errno::Errno::from_raw(n)) == name)
}

/// `parse_errno()`: a name or a number in `0..=4095`; `Err` is the `%m` text.
fn parse_errno(v: &[u8]) -> Result<i32, &'static str> {
    use crate::config::value::Errno;
    let s = std::str::from_utf8(v).map_err(|_| Errno::Inval.strerror())?;
    if let Some(e) = errno_from_name(s) {
        return Ok(e);
    }
    match cnum::safe_atoi(s) {
        Ok(e) if (0..=4095).contains(&e) => Ok(e),
        Ok(_) => Err(Errno::Range.strerror()),
        Err(e) => Err(e.strerror()),
    }
}

/// A datagram (without the fds, of which there were `n_fds`) → what systemd acts on.
pub fn parse_message(datagram: &[u8], n_fds: usize) -> Parsed {
    let mut p = Parsed::default();
    let Some(tags) = split_lines(datagram) else {
        p.barrier = true;
        p.manager_warnings.push("Out of memory.".to_owned());
        return p;
    };
    p.tags = tags.iter().map(|t| lossy(t)).collect();
    if tags.iter().any(|t| t == b"BARRIER=1") {
        p.barrier = true;
        p.manager_warnings.push(
            if tags.len() != 1 {
                "Extra notification messages sent with BARRIER=1, ignoring everything."
            } else if n_fds != 1 {
                "Got incorrect number of fds with BARRIER=1, closing them."
            } else {
                return p;
            }
            .to_owned(),
        );
        return p;
    }
    let n = &mut p.notification;
    if let Some(v) = first(&tags, "MAINPID=") {
        p.main_pid = Some(parse_pid(v).ok_or_else(|| {
            format!(
                "Failed to parse MAINPID= field in notification message, ignoring: {}",
                lossy(v)
            )
        }));
        n.main_pid = matches!(p.main_pid, Some(Ok(_)));
    }
    n.state = tags.iter().rev().find_map(|t| match t.as_slice() {
        b"READY=1" => Some(NotifyState::Ready),
        b"RELOADING=1" => Some(NotifyState::Reloading),
        b"STOPPING=1" => Some(NotifyState::Stopping),
        _ => None,
    });
    let warn = &mut p.warnings;
    if let Some(v) = first(&tags, "STATUS=") {
        let text = if v.len() > STATUS_TEXT_MAX {
            warn.push(format!(
                "Status message overly long ({} > {STATUS_TEXT_MAX}), ignoring.",
                v.len()
            ));
            ""
        } else {
            utf8(v).unwrap_or_else(|| {
                warn.push(
                    "Status message in notification message is not UTF-8 clean, ignoring."
                        .to_owned(),
                );
                ""
            })
        };
        n.status = Some(text.to_owned());
    }
    if let Some(v) = first(&tags, "ERRNO=") {
        match parse_errno(v) {
            Ok(e) => n.errno = Some(e),
            Err(m) => warn.push(format!(
                "Failed to parse ERRNO= field value '{}' in notification message: {m}",
                lossy(v)
            )),
        }
    }
    if let Some(v) = first(&tags, "EXTEND_TIMEOUT_USEC=") {
        match parse_u64(v) {
            Some(u) => n.extend_timeout_usec = Some(u),
            None => warn.push(format!("Failed to parse EXTEND_TIMEOUT_USEC={}", lossy(v))),
        }
    }
    if let Some(v) = first(&tags, "WATCHDOG=") {
        match v {
            b"1" => n.watchdog = Some(WatchdogPing::Ping),
            b"trigger" => n.watchdog = Some(WatchdogPing::Trigger),
            _ => warn.push("Passed WATCHDOG= field is invalid, ignoring.".to_owned()),
        }
    }
    if let Some(v) = first(&tags, "WATCHDOG_USEC=") {
        match parse_u64(v) {
            Some(u) => n.watchdog_usec = Some(u),
            None => warn.push(format!("Failed to parse WATCHDOG_USEC={}", lossy(v))),
        }
    }
    let name_ok = |v: &[u8]| utf8(v).is_some_and(fdname_is_valid);
    let fdname = first(&tags, "FDNAME=");
    if tags.iter().any(|t| t == b"FDSTOREREMOVE=1") {
        if !fdname.is_some_and(name_ok) {
            warn.push(
                "FDSTOREREMOVE=1 requested, but no valid file descriptor name passed, ignoring."
                    .to_owned(),
            );
        }
    } else if tags.iter().any(|t| t == b"FDSTORE=1") {
        if fdname.is_some_and(|v| !name_ok(v)) {
            warn.push("Passed FDNAME= name is invalid, ignoring.".to_owned());
        }
        if n_fds > 0 {
            p.fds_consumed = 1;
            warn.push(
                "Cannot store more fds than FileDescriptorStoreMax=0, closing remaining."
                    .to_owned(),
            );
        }
    }
    p
}

/// The [`Notification`] of a datagram (see [`parse_message`] for the rest).
pub fn parse(datagram: &[u8]) -> Notification {
    parse_message(datagram, 0).notification
}

/// systemd's closing remark when passed fds were left over:
/// `Got extra auxiliary fds with notification message, closing them.` `delivered`: whether the
/// message reached a unit that accepted it (only then can `FDSTORE=1` have consumed one).
pub fn extra_fds_warning(parsed: &Parsed, n_fds: usize, delivered: bool) -> Option<&'static str> {
    let consumed = if delivered { parsed.fds_consumed } else { 0 };
    (!parsed.barrier && n_fds > consumed)
        .then_some("Got extra auxiliary fds with notification message, closing them.")
}

/// Whether a message reaches a unit, and whether `NotifyAccess=` lets it through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Deliver to the unit.
    Accept,
    /// The sender belongs to the unit but may not notify: log this warning for the unit.
    Refuse(String),
    /// The sender is not one of the unit's processes. If no unit takes the message, log
    /// [`unknown_sender_warning`].
    NotThisUnit,
}

/// `Cannot find unit for notify message of PID 42, ignoring.`
pub fn unknown_sender_warning(pid: i32) -> String {
    format!("Cannot find unit for notify message of PID {pid}, ignoring.")
}

/// Routing plus `service_notify_message_authorized()`. `unit_pids`: the processes the executor
/// attributes to the unit besides the main and control process (systemd looks the sender's
/// cgroup up; the runtime has process groups).
pub fn authorize(
    access: NotifyAccess,
    sender: i32,
    main: Option<i32>,
    control: Option<i32>,
    unit_pids: &[i32],
) -> Verdict {
    let is_main = main == Some(sender);
    let is_control = control == Some(sender);
    if !is_main && !is_control && !unit_pids.contains(&sender) {
        return Verdict::NotThisUnit;
    }
    let head = format!("Got notification message from PID {sender}, but reception");
    let refuse = |tail: String| Verdict::Refuse(format!("{head} {tail}"));
    match access {
        NotifyAccess::None => refuse("is disabled.".to_owned()),
        NotifyAccess::Main if !is_main => refuse(match main {
            Some(m) => format!("only permitted for main PID {m}"),
            None => "only permitted for main PID which is currently not known".to_owned(),
        }),
        NotifyAccess::Exec if !is_main && !is_control => refuse(match (main, control) {
            (Some(m), Some(c)) => format!("only permitted for main PID {m} and control PID {c}"),
            (Some(m), None) => format!("only permitted for main PID {m}"),
            (None, Some(c)) => format!("only permitted for control PID {c}"),
            (None, None) => {
                "only permitted for main PID and control PID which are currently not known"
                    .to_owned()
            }
        }),
        _ => Verdict::Accept,
    }
}

/// Whether `NotifyAccess=` lets a message from `sender` reach the unit ([`authorize`] said
/// [`Verdict::Accept`]).
pub fn accept(
    access: NotifyAccess,
    sender: i32,
    main: Option<i32>,
    control: Option<i32>,
    unit_pids: &[i32],
) -> bool {
    authorize(access, sender, main, control, unit_pids) == Verdict::Accept
}

/// `service_exec_needs_notify_socket()`: whether a process gets `$NOTIFY_SOCKET` (main
/// processes unless `NotifyAccess=none`; control processes with `exec` or `all`).
pub fn needs_notify_socket(access: NotifyAccess, control: bool) -> bool {
    if control {
        matches!(access, NotifyAccess::Exec | NotifyAccess::All)
    } else {
        access != NotifyAccess::None
    }
}

/// What to do with an accepted `MAINPID=` (`service_notify_message()` with
/// `service_is_suitable_main_pid()`), and what to log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MainPidCheck {
    /// Make it the main pid (and watch it): set [`Notification::main_pid`] accordingly.
    pub adopt: bool,
    /// A warning for the unit.
    pub warning: Option<String>,
    /// A debug line for the unit.
    pub debug: Option<String>,
}

/// Checks `MAINPID=new` sent by a process with uid `sender_uid`. `current`: the main pid the
/// executor holds (known); `alive`: `new` exists and is not a zombie; `in_unit`: `new` belongs
/// to the unit (its process groups).
pub fn check_main_pid(
    new: i32,
    current: Option<i32>,
    control: Option<i32>,
    manager_pid: i32,
    alive: bool,
    in_unit: bool,
    sender_uid: u32,
) -> MainPidCheck {
    let refuse = |w: String| MainPidCheck {
        warning: Some(w),
        ..Default::default()
    };
    if current == Some(new) {
        return MainPidCheck::default();
    }
    if new == manager_pid || new == 1 {
        return refuse(format!("New main PID {new} is the manager, refusing."));
    }
    if control == Some(new) {
        return refuse(format!(
            "New main PID {new} is the control process, refusing."
        ));
    }
    if !alive {
        return refuse(format!("New main PID {new} does not exist or is a zombie."));
    }
    let (adopt, debug) = if in_unit {
        (
            true,
            format!("New main PID {new} belongs to service, we are happy."),
        )
    } else if sender_uid == 0 {
        (
            true,
            format!(
                "New main PID {new} does not belong to service, but we'll accept it as the request to change it came from a privileged process."
            ),
        )
    } else {
        (
            false,
            format!("New main PID {new} does not belong to service, refusing."),
        )
    };
    MainPidCheck {
        adopt,
        warning: None,
        debug: Some(debug),
    }
}

#[cfg(test)]
#[path = "notify_msg_tests.rs"]
mod tests;
