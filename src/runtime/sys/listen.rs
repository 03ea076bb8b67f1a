//! Opening, flushing and closing a socket unit's ports: systemd 252's `socket_open_fds()`,
//! `socket_symlink()`, `flush_ports()` and `socket_close_fds()` (`src/core/socket.c`), with
//! `socket_address_listen()` (`src/shared/socket-label.c`) below them.
//!
//! Contract:
//! - [`open_ports`] opens every `Listen*=` of a [`SocketConfig`] in config order, all or nothing:
//!   on the first failure the ports opened so far are closed again as [`close_ports`] does
//!   (with `RemoveOnStop=` that unlinks their nodes, as systemd's cleanup does). Every fd is
//!   `O_CLOEXEC|O_NONBLOCK`. `Symlinks=` are created after each socket or FIFO port, as
//!   systemd does.
//! - Socket options are applied as `socket_apply_socket_options()` /
//!   `socket_apply_fifo_options()` do; a failing option is not an error but a warning text.
//! - Nothing here prints. Warnings and errors are systemd's log texts without the `UNIT: `
//!   prefix (systemd itself logs `SO_REUSEPORT failed`, `IP_FREEBIND/…` and `IP_TRANSPARENT/…`
//!   without the prefix; the executor may add it to all of them). `SO_RCVBUF`/`SO_SNDBUF`
//!   failures for lack of privilege are debug-level in systemd and are not returned.
//! - The umask is process-wide: this module changes it only inside short windows serialized by
//!   one lock (see `nodes`); another thread creating files at that moment would see it.
//! - [`accept_connection`], [`instance_name`], [`flush_port`]: see `peer`;
//!   [`resolve_socket_owner`], [`chown_ports`]: the `(sd-chown)` helper's work, see `owner`.
//!
//! Not done (systemd 252 does them): SELinux/SMACK labels; the `(sd-listen)`/`(sd-accept)`
//! helper forks into the unit's cgroup and network namespace; `ListenUSBFunction=` stops after
//! opening `ep0` with `EINVAL`, since `USBFunctionDescriptors=`/`USBFunctionStrings=` are not
//! part of the service configuration.

mod bind;
mod nodes;
mod owner;
mod peer;
mod sockopt;

use std::os::fd::OwnedFd;

use nix::errno::Errno;

use crate::config::listen::{Address, Listen, ListenKind, format_address};
use crate::config::typed::SocketConfig;
use crate::config::{can_accept, symlink_target};

pub use owner::{ChownError, chown_ports, resolve_socket_owner};
pub use peer::{AcceptError, Connection, accept_connection, flush_port, instance_name};

/// One open port.
#[derive(Debug)]
pub struct Port {
    /// The listening socket, FIFO, special file or message queue.
    pub fd: OwnedFd,
    /// Index of the `Listen*=` in [`SocketConfig::listens`].
    pub index: usize,
    /// The `Listen*=` it was opened for.
    pub listen: Listen,
    /// `socket_address_can_accept()`: a stream or seqpacket socket.
    pub can_accept: bool,
}

/// All ports of a unit, opened, with the option warnings met on the way.
#[derive(Debug)]
pub struct OpenedPorts {
    /// In config order.
    pub ports: Vec<Port>,
    /// systemd's warning texts for options that failed, in the order systemd logs them.
    pub warnings: Vec<String>,
}

/// Why [`open_ports`] failed; the caller logs [`OpenError::warnings`], then the message, then
/// systemd's `Failed to listen on sockets: %m` with [`OpenError::errno`].
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct OpenError {
    /// systemd's text, e.g. `Failed to create listening socket (127.0.0.1:80): Address already
    /// in use`.
    pub message: String,
    /// The error.
    pub errno: Errno,
    /// Index of the failing `Listen*=`.
    pub index: usize,
    /// Warnings from the ports opened before the failure.
    pub warnings: Vec<String>,
}

/// glibc's `strerror()` text for `e`, as systemd's `%m` prints it (nix's own table words a few
/// errors differently, e.g. `ELOOP`).
pub fn strerror(e: Errno) -> String {
    let text = std::io::Error::from_raw_os_error(e as i32).to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Opens every port of `cfg` (`socket_open_fds()`), all or nothing.
pub fn open_ports(cfg: &SocketConfig) -> Result<OpenedPorts, OpenError> {
    let mut ports: Vec<Port> = Vec::with_capacity(cfg.listens.len());
    let mut warnings = Vec::new();
    for (index, listen) in cfg.listens.iter().enumerate() {
        match open_port(listen, cfg, &mut warnings) {
            Ok(fd) => ports.push(Port {
                fd,
                index,
                listen: listen.clone(),
                can_accept: can_accept(listen),
            }),
            Err((message, errno)) => {
                close_ports(ports, cfg);
                return Err(OpenError {
                    message,
                    errno,
                    index,
                    warnings,
                });
            }
        }
        if is_socket_or_fifo(listen) {
            create_symlinks(cfg, &mut warnings);
        }
    }
    Ok(OpenedPorts { ports, warnings })
}

/// systemd's error line for a port: `WHAT: %m`.
fn failure(what: &str, e: Errno) -> (String, Errno) {
    (format!("{what}: {}", strerror(e)), e)
}

/// Opens one port, returning systemd's error line on failure.
fn open_port(
    l: &Listen,
    cfg: &SocketConfig,
    warnings: &mut Vec<String>,
) -> Result<OwnedFd, (String, Errno)> {
    let Address::Path(path) = &l.address else {
        let what = format!("Failed to create listening socket ({})", format_address(l));
        let fd = bind::listen_socket(l, cfg, warnings).map_err(|e| failure(&what, e))?;
        warnings.extend(sockopt::apply_socket_options(&fd, &l.address, cfg));
        return Ok(fd);
    };
    match l.kind {
        ListenKind::Fifo => {
            let fd = nodes::open_fifo(path, cfg.directory_mode, cfg.socket_mode)
                .map_err(|e| failure(&format!("Failed to open FIFO {path}"), e))?;
            warnings.extend(sockopt::apply_fifo_options(&fd, cfg));
            Ok(fd)
        }
        ListenKind::MessageQueue => {
            let (max, size) = (cfg.mq_max_messages, cfg.mq_message_size);
            nodes::open_mqueue(path, cfg.socket_mode, max, size)
                .map_err(|e| failure(&format!("Failed to open message queue {path}"), e))
        }
        ListenKind::UsbFunction => {
            let ep0 = format!("{}/ep0", path.trim_end_matches('/'));
            nodes::open_usb_endpoint(&ep0)
                .map_err(|e| failure(&format!("Failed to open USB function endpoint {ep0}"), e))?;
            let what = format!(
                "Cannot write USB function descriptors to {ep0} \
                 (USBFunctionDescriptors=/USBFunctionStrings= are not supported)"
            );
            Err(failure(&what, Errno::EINVAL))
        }
        _ => nodes::open_special(path, cfg.writable)
            .map_err(|e| failure(&format!("Failed to open special file {path}"), e)),
    }
}

/// Ports after which systemd calls `socket_symlink()`: sockets of any family and FIFOs.
fn is_socket_or_fifo(l: &Listen) -> bool {
    !matches!(l.address, Address::Path(_)) || l.kind == ListenKind::Fifo
}

/// `socket_symlink()`: each `Symlinks=` path points at the one AF_UNIX path or FIFO; an
/// existing different node is replaced only with `RemoveOnStop=`.
fn create_symlinks(cfg: &SocketConfig, warnings: &mut Vec<String>) {
    let Some(target) = symlink_target(&cfg.listens) else {
        return;
    };
    for link in &cfg.symlinks {
        let _ = nodes::mkdir_parents(link, cfg.directory_mode);
        let mut r = nodes::symlink_idempotent(target, link);
        if r == Err(Errno::EEXIST) && cfg.remove_on_stop && std::fs::remove_file(link).is_ok() {
            r = nodes::symlink_idempotent(target, link);
        }
        if let Err(e) = r {
            let m = format!(
                "Failed to create symlink {target} \u{2192} {link}, ignoring: {}",
                strerror(e)
            );
            warnings.push(m);
        }
    }
}

/// Closes the ports (`socket_close_fds()`); with `RemoveOnStop=` also unlinks their AF_UNIX
/// socket files, FIFOs and message queues, and every `Symlinks=` path. Errors are ignored.
pub fn close_ports(ports: Vec<Port>, cfg: &SocketConfig) {
    for port in ports {
        drop(port.fd);
        if cfg.remove_on_stop {
            remove_node(&port.listen);
        }
    }
    if cfg.remove_on_stop {
        for link in &cfg.symlinks {
            let _ = std::fs::remove_file(link);
        }
    }
}

/// Unlinks the file-system node or message queue behind a port, if it has one.
fn remove_node(l: &Listen) {
    match (&l.kind, &l.address) {
        (ListenKind::Fifo, Address::Path(p)) | (_, Address::Unix(p)) => {
            let _ = std::fs::remove_file(p);
        }
        (ListenKind::MessageQueue, Address::Path(p)) => {
            let _ = nix::mqueue::mq_unlink(p.as_str());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_is_glibc_wording() {
        assert_eq!(strerror(Errno::ELOOP), "Too many levels of symbolic links");
        assert_eq!(strerror(Errno::EADDRINUSE), "Address already in use");
    }
}
