//! `SocketUser=`/`SocketGroup=`: what systemd 252's `(sd-chown)` helper does in
//! `socket_chown()` (`src/core/socket.c`), with `get_user_creds()`/`get_group_creds()`
//! (`src/basic/user-util.c`) for the name lookups.
//!
//! Contract: [`resolve_socket_owner`] turns the names into ids (user first; its primary group
//! unless `SocketGroup=` is set; `root`/`0` and `nobody`/`65534` without a lookup), and
//! [`chown_ports`] changes the owner of every AF_UNIX socket path and FIFO (not message
//! queues, as in 252). Only meaningful when running as root. The errors carry systemd's log
//! texts and the helper's exit status.

use nix::errno::Errno;
use nix::unistd::{Gid, Group, Uid, User, chown};

use super::strerror;
use crate::config::listen::{Address, ListenKind};
use crate::config::typed::SocketConfig;

/// Why the owner could not be resolved or set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChownError {
    /// `SocketUser=` did not resolve.
    #[error("Failed to resolve user {0}: {desc}", desc = strerror(*.1))]
    User(String, Errno),
    /// `SocketGroup=` did not resolve.
    #[error("Failed to resolve group {0}: {desc}", desc = strerror(*.1))]
    Group(String, Errno),
    /// `chown()` failed.
    #[error("Failed to chown(): {desc}", desc = strerror(*.0))]
    Chown(Errno),
}

impl ChownError {
    /// The `(sd-chown)` helper's exit status: `EXIT_USER` (217), `EXIT_GROUP` (216),
    /// `EXIT_CHOWN` (235).
    pub fn exit_status(&self) -> i32 {
        match self {
            ChownError::User(..) => 217,
            ChownError::Group(..) => 216,
            ChownError::Chown(_) => 235,
        }
    }
}

/// `SocketUser=` and `SocketGroup=` as ids; `None` leaves that id unchanged.
pub fn resolve_socket_owner(cfg: &SocketConfig) -> Result<(Option<Uid>, Option<Gid>), ChownError> {
    let (mut uid, mut gid) = (None, None);
    if let Some(name) = cfg.socket_user.as_deref().filter(|n| !n.is_empty()) {
        let (u, g) = user_ids(name).map_err(|e| ChownError::User(name.to_owned(), e))?;
        (uid, gid) = (Some(u), Some(g));
    }
    if let Some(name) = cfg.socket_group.as_deref().filter(|n| !n.is_empty()) {
        gid = Some(group_id(name).map_err(|e| ChownError::Group(name.to_owned(), e))?);
    }
    Ok((uid, gid))
}

/// A numeric id as `parse_uid()` accepts it: decimal, not `(uid_t) -1` nor 65535.
fn numeric_id(s: &str) -> Option<u32> {
    let ok = !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let id: u32 = if ok { s.parse().ok()? } else { return None };
    (id != u32::MAX && id != 65535).then_some(id)
}

/// `get_user_creds()`: (uid, primary gid).
fn user_ids(name: &str) -> Result<(Uid, Gid), Errno> {
    match name {
        "root" | "0" => return Ok((Uid::from_raw(0), Gid::from_raw(0))),
        "nobody" | "65534" => return Ok((Uid::from_raw(65534), Gid::from_raw(65534))),
        _ => {}
    }
    let user = match numeric_id(name) {
        Some(id) => User::from_uid(Uid::from_raw(id))?,
        None => User::from_name(name)?,
    };
    user.map(|u| (u.uid, u.gid)).ok_or(Errno::ESRCH)
}

/// `get_group_creds()`: the gid.
fn group_id(name: &str) -> Result<Gid, Errno> {
    match name {
        "root" | "0" => return Ok(Gid::from_raw(0)),
        "nobody" | "65534" => return Ok(Gid::from_raw(65534)),
        _ => {}
    }
    let group = match numeric_id(name) {
        Some(id) => Group::from_gid(Gid::from_raw(id))?,
        None => Group::from_name(name)?,
    };
    group.map(|g| g.gid).ok_or(Errno::ESRCH)
}

/// Changes the owner of every AF_UNIX socket path and FIFO of `cfg` (following symlinks, as
/// `chown()` does), stopping at the first failure.
pub fn chown_ports(
    cfg: &SocketConfig,
    uid: Option<Uid>,
    gid: Option<Gid>,
) -> Result<(), ChownError> {
    for l in &cfg.listens {
        let path = match (&l.kind, &l.address) {
            (_, Address::Unix(p)) | (ListenKind::Fifo, Address::Path(p)) => p,
            _ => continue,
        };
        chown(path.as_str(), uid, gid).map_err(ChownError::Chown)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_as_parse_uid() {
        assert_eq!(numeric_id("1000"), Some(1000));
        assert_eq!(numeric_id("65535"), None);
        assert_eq!(numeric_id("4294967295"), None);
        assert_eq!(numeric_id("-1"), None);
        assert_eq!(numeric_id("12a"), None);
        assert_eq!(numeric_id(""), None);
    }

    #[test]
    fn synthesized_names_need_no_lookup() {
        assert_eq!(user_ids("root"), Ok((Uid::from_raw(0), Gid::from_raw(0))));
        assert_eq!(
            user_ids("65534"),
            Ok((Uid::from_raw(65534), Gid::from_raw(65534)))
        );
        assert_eq!(group_id("0"), Ok(Gid::from_raw(0)));
        let e = ChownError::Chown(Errno::EPERM);
        assert_eq!(
            (e.to_string().as_str(), e.exit_status()),
            ("Failed to chown(): Operation not permitted", 235)
        );
    }
}
