//! `Listen*=` values as systemd 252's `config_parse_socket_listen()` reads them, with
//! `socket_address_parse()`, `socket_address_parse_netlink()` and the canonical printed form of
//! `socket_address_print()`/`sockaddr_pretty()`.
//!
//! Contract: pure (no I/O, no syscalls). The caller expands specifiers first (as systemd
//! does, `unit_path_printf`), resets the list on an empty value, and supplies host facts:
//! whether IPv6 is supported and how interface names resolve to indexes.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use super::ValueError;
use super::exec::{cescape_byte, path_is_valid, path_simplify};

/// Which `Listen*=` key a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ListenKind {
    /// `ListenStream=`.
    Stream,
    /// `ListenDatagram=`.
    Datagram,
    /// `ListenSequentialPacket=`.
    SequentialPacket,
    /// `ListenNetlink=`.
    Netlink,
    /// `ListenFIFO=`.
    Fifo,
    /// `ListenSpecial=`.
    Special,
    /// `ListenMessageQueue=`.
    MessageQueue,
    /// `ListenUSBFunction=`.
    UsbFunction,
}

const KINDS: [(ListenKind, &str); 8] = [
    (ListenKind::Stream, "ListenStream"),
    (ListenKind::Datagram, "ListenDatagram"),
    (ListenKind::SequentialPacket, "ListenSequentialPacket"),
    (ListenKind::Netlink, "ListenNetlink"),
    (ListenKind::Fifo, "ListenFIFO"),
    (ListenKind::Special, "ListenSpecial"),
    (ListenKind::MessageQueue, "ListenMessageQueue"),
    (ListenKind::UsbFunction, "ListenUSBFunction"),
];

impl ListenKind {
    /// The kind for a key name (`ListenStream` → `Stream`).
    pub fn from_key(key: &str) -> Option<ListenKind> {
        KINDS.iter().find(|(_, k)| *k == key).map(|(kind, _)| *kind)
    }

    /// The key name, which is also the label of systemd's dump line.
    pub fn key(self) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("", |(_, name)| name)
    }
}

/// A parsed listen address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "family", content = "address", rename_all = "snake_case")]
pub enum Address {
    /// IPv4 address and port.
    Inet(SocketAddrV4),
    /// IPv6 address and port; `scope_id` is the interface index (0: none), `ifname` the
    /// interface as written when it was a name.
    Inet6 {
        /// Address, port and scope.
        addr: SocketAddrV6,
        /// The interface name given after `%`, if it was not numeric.
        ifname: Option<String>,
    },
    /// A file-system `AF_UNIX` socket path.
    Unix(String),
    /// An abstract `AF_UNIX` name, without the leading `@`.
    Abstract(String),
    /// `AF_VSOCK`; `cid` `u32::MAX` is `VMADDR_CID_ANY`.
    Vsock {
        /// Context id.
        cid: u32,
        /// Port.
        port: u32,
    },
    /// `AF_NETLINK`.
    Netlink {
        /// The family as systemd prints it (`route`, or the number for unnamed ones).
        family: String,
        /// The netlink protocol number.
        protocol: u32,
        /// The multicast group.
        group: u32,
    },
    /// A path for `ListenFIFO=`, `ListenSpecial=`, `ListenMessageQueue=`, `ListenUSBFunction=`.
    Path(String),
}

/// One accepted `Listen*=` value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listen {
    /// The key it came from.
    pub kind: ListenKind,
    /// The address.
    pub address: Address,
    /// systemd's NOTICE when a `/var/run/` path was rewritten to `/run/`.
    pub notice: Option<String>,
}

/// The errno values address parsing can fail with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Errno {
    Inval,
    Range,
    NoDev,
    NameTooLong,
}

impl Errno {
    fn strerror(self) -> &'static str {
        match self {
            Errno::Inval => "Invalid argument",
            Errno::Range => "Numerical result out of range",
            Errno::NoDev => "No such device",
            Errno::NameTooLong => "File name too long",
        }
    }
}

/// Parses an expanded `Listen*=` value; messages quote the expanded value (see
/// [`parse_listen_raw`] for the one message systemd words with the unexpanded text).
///
/// `ifindex` resolves an interface *name* (numeric indexes are taken as they are, as systemd
/// does). The value must be non-empty: an empty `Listen*=` resets all ports in the caller.
pub fn parse_listen(
    key: &str,
    expanded_value: &str,
    ipv6_supported: bool,
    ifindex: &dyn Fn(&str) -> Option<u32>,
) -> Result<Listen, ValueError> {
    parse_listen_raw(key, expanded_value, expanded_value, ipv6_supported, ifindex)
}

/// [`parse_listen`] with the unexpanded value too, which systemd quotes in
/// `Address family not supported, ignoring: %s`.
///
/// Every error is warn-and-ignore. `Binding to IPv6 address not available since kernel does
/// not support IPv6.` is logged by systemd without the `FILE:LINE:` prefix.
pub fn parse_listen_raw(
    key: &str,
    raw_value: &str,
    expanded_value: &str,
    ipv6_supported: bool,
    ifindex: &dyn Fn(&str) -> Option<u32>,
) -> Result<Listen, ValueError> {
    let Some(kind) = ListenKind::from_key(key) else {
        return Err(ValueError::ignore(format!(
            "Unknown key '{key}', ignoring."
        )));
    };
    let k = expanded_value;
    let failed = |k: &str, e: Errno| {
        let m = format!(
            "Failed to parse address value in '{k}', ignoring: {}",
            e.strerror()
        );
        ValueError::ignore(m)
    };
    let (address, notice) = match kind {
        ListenKind::Fifo
        | ListenKind::Special
        | ListenKind::MessageQueue
        | ListenKind::UsbFunction => {
            if !k.starts_with('/') {
                let m = format!("{key}= path is not absolute, ignoring: {k}");
                return Err(ValueError::ignore(m));
            }
            let path = path_simplify(k);
            if !path_is_valid(&path) {
                let m = format!(
                    "{key}= path has invalid length ({} bytes), ignoring.",
                    path.len()
                );
                return Err(ValueError::ignore(m));
            }
            if path.split('/').any(|c| c == "..") {
                let m = format!("{key}= path is not normalized, ignoring: {path}");
                return Err(ValueError::ignore(m));
            }
            let (path, notice) = match kind {
                ListenKind::Fifo => patch_var_run(key, path),
                _ => (path, None),
            };
            (Address::Path(path), notice)
        }
        ListenKind::Netlink => (parse_netlink(k).map_err(|e| failed(k, e))?, None),
        _ => {
            let (k, notice) = if k.starts_with('/') {
                patch_var_run(key, k.to_owned())
            } else {
                (k.to_owned(), None)
            };
            let address =
                socket_address_parse(&k, ipv6_supported, ifindex).map_err(|e| failed(&k, e))?;
            if !ipv6_supported && matches!(address, Address::Inet6 { .. }) {
                return Err(ValueError::ignore(
                    "Binding to IPv6 address not available since kernel does not support IPv6.",
                ));
            }
            let unix = matches!(address, Address::Unix(_) | Address::Abstract(_));
            if kind == ListenKind::SequentialPacket && !unix {
                let m = format!("Address family not supported, ignoring: {raw_value}");
                return Err(ValueError::ignore(m));
            }
            (address, notice)
        }
    };
    Ok(Listen {
        kind,
        address,
        notice,
    })
}

/// systemd's `patch_var_run()`: `/var/run/x` → `/run/x`, with its NOTICE.
fn patch_var_run(key: &str, path: String) -> (String, Option<String>) {
    let Some(rest) = path_startswith(&path, "/var/run/") else {
        return (path, None);
    };
    let new = format!("/run/{rest}");
    let notice = format!(
        "{key}= references a path below legacy directory /var/run/, updating {path} → {new}; \
         please update the unit file accordingly."
    );
    (new, Some(notice))
}

/// The components of a path as systemd's `path_find_first_component()` walks them, each
/// with its byte offset.
fn components(path: &str) -> Vec<(usize, &str)> {
    let b = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && (b[i] == b'/' || b[i..].starts_with(b"./")) {
            i += if b[i] == b'/' { 1 } else { 2 };
        }
        if i == b.len() || &b[i..] == b"." {
            return out;
        }
        let end = b[i..]
            .iter()
            .position(|&c| c == b'/')
            .map_or(b.len(), |k| i + k);
        out.push((i, &path[i..end]));
        i = end;
    }
}

/// systemd's `path_startswith()`: the rest of `path` after the components of `prefix`.
fn path_startswith<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    if path.starts_with('/') != prefix.starts_with('/') {
        return None;
    }
    let pc = components(path);
    let qc = components(prefix);
    if pc
        .iter()
        .chain(&qc)
        .any(|(_, c)| c.len() > super::exec::NAME_MAX)
        || pc.len() < qc.len()
    {
        return None;
    }
    if pc.iter().zip(&qc).any(|((_, a), (_, b))| a != b) {
        return None;
    }
    Some(pc.get(qc.len()).map_or("", |&(at, _)| &path[at..]))
}

/// systemd's `socket_address_parse()`.
fn socket_address_parse(
    s: &str,
    ipv6_supported: bool,
    ifindex: &dyn Fn(&str) -> Option<u32>,
) -> Result<Address, Errno> {
    if s.starts_with('/') || s.starts_with('@') {
        if s.len() < 2 {
            return Err(Errno::Inval);
        }
        if s.len() + 1 > 108 {
            return Err(if s.starts_with('@') {
                Errno::Inval
            } else {
                Errno::NameTooLong
            });
        }
        return Ok(match s.strip_prefix('@') {
            Some(name) => Address::Abstract(name.to_owned()),
            None => Address::Unix(s.to_owned()),
        });
    }
    if let Some(rest) = s.strip_prefix("vsock:") {
        let (cid, port) = rest.split_once(':').ok_or(Errno::Inval)?;
        let port = safe_atou(port, false)?;
        let cid = if cid.is_empty() {
            u32::MAX
        } else {
            safe_atou(cid, false)?
        };
        return Ok(Address::Vsock { cid, port });
    }
    match parse_ip_port(s) {
        Err(Errno::Range) => return Err(Errno::Range),
        Ok(port) if ipv6_supported => {
            let addr = SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, port, 0, 0);
            return Ok(Address::Inet6 { addr, ifname: None });
        }
        Ok(port) => {
            return Ok(Address::Inet(SocketAddrV4::new(
                Ipv4Addr::UNSPECIFIED,
                port,
            )));
        }
        Err(_) => {}
    }
    // in_addr_port_ifindex_name_from_string_auto() without a server name.
    if s.contains('#') {
        return Err(Errno::Inval);
    }
    let (s, scope, ifname) = match s.split_once('%') {
        None => (s, 0, None),
        Some((head, name)) => {
            let (index, ifname) = resolve_ifname(name, ifindex)?;
            (head, index, ifname)
        }
    };
    let (ip, port): (std::net::IpAddr, u16) = match s.rfind(':') {
        Some(m) if s.starts_with('[') => {
            if s.as_bytes()[m - 1] != b']' {
                return Err(Errno::Inval);
            }
            let port = parse_ip_port(&s[m + 1..])?;
            (inet_pton6(&s[1..m - 1]).ok_or(Errno::Inval)?.into(), port)
        }
        Some(m) => match inet_pton6(s) {
            Some(a) => (a.into(), 0),
            None => {
                let a = inet_pton4(&s[..m]).ok_or(Errno::Inval)?;
                (a.into(), parse_ip_port(&s[m + 1..])?)
            }
        },
        None => (inet_pton4(s).ok_or(Errno::Inval)?.into(), 0),
    };
    if port == 0 {
        return Err(Errno::Inval);
    }
    Ok(match ip {
        std::net::IpAddr::V4(a) => Address::Inet(SocketAddrV4::new(a, port)),
        std::net::IpAddr::V6(a) => Address::Inet6 {
            addr: SocketAddrV6::new(a, port, 0, scope),
            ifname,
        },
    })
}

/// The `%IFNAME` suffix: `ifname_valid_full(ALTERNATIVE|NUMERIC)`, then
/// `rtnl_resolve_interface()` (numbers are taken as indexes without a lookup).
fn resolve_ifname(
    name: &str,
    ifindex: &dyn Fn(&str) -> Option<u32>,
) -> Result<(u32, Option<String>), Errno> {
    if let Some(index) = parse_ifindex(name) {
        return Ok((index, None));
    }
    let valid_char = |c: u8| (33..127).contains(&c) && !matches!(c, b':' | b'/' | b'%');
    let valid = !name.is_empty()
        && name.len() < 128
        && !matches!(name, "." | ".." | "all" | "default")
        && name.bytes().all(valid_char)
        && !name.bytes().all(|c| c.is_ascii_digit());
    if !valid {
        return Err(Errno::Inval);
    }
    let index = ifindex(name).ok_or(Errno::NoDev)?;
    Ok((index, Some(name.to_owned())))
}

/// systemd's `parse_ifindex()`: `safe_atoi()` > 0.
fn parse_ifindex(s: &str) -> Option<u32> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let (digits, base) = mangle_base(s);
    let r = strtoul(digits.as_bytes(), base);
    if r.overflow || r.end == 0 || r.end != digits.len() {
        return None;
    }
    let v = if r.negative {
        -(r.value as i128)
    } else {
        r.value as i128
    };
    (1..=i32::MAX as i128).contains(&v).then_some(v as u32)
}

/// systemd's `parse_ip_port()`: 1–65535, no leading whitespace.
fn parse_ip_port(s: &str) -> Result<u16, Errno> {
    let v = safe_atou(s, true)?;
    match u16::try_from(v) {
        Err(_) => Err(Errno::Range),
        Ok(0) => Err(Errno::Inval),
        Ok(p) => Ok(p),
    }
}

/// Python-style `0b`/`0o` prefixes, as systemd's `mangle_base()` (base 0 = C rules).
fn mangle_base(s: &str) -> (&str, u32) {
    for (prefix, base) in [("0b", 2), ("0B", 2), ("0o", 8), ("0O", 8)] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return (rest, base);
        }
    }
    (s, 0)
}

/// What glibc's `strtoul()` makes of a string.
struct Strtoul {
    value: u64,
    overflow: bool,
    negative: bool,
    /// Bytes consumed; 0 when no digits were found.
    end: usize,
}

/// glibc's `strtoul()` (`base` 0: `0x` hex, `0` octal, else decimal).
fn strtoul(s: &[u8], mut base: u32) -> Strtoul {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let hex_prefix = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    if (base == 0 || base == 16) && hex_prefix {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let (mut value, mut overflow, start) = (0u64, false, i);
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        match value
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    let end = if i == start { 0 } else { i };
    Strtoul {
        value,
        overflow,
        negative,
        end,
    }
}

/// systemd's `safe_atou()` (optionally `SAFE_ATO_REFUSE_LEADING_WHITESPACE`).
fn safe_atou(s: &str, refuse_leading_ws: bool) -> Result<u32, Errno> {
    let ws = [' ', '\t', '\n', '\r'];
    if refuse_leading_ws && s.starts_with(ws) {
        return Err(Errno::Inval);
    }
    let (s, base) = mangle_base(s.trim_start_matches(ws));
    let r = strtoul(s.as_bytes(), base);
    if r.overflow {
        return Err(Errno::Range);
    }
    if r.end == 0 || r.end != s.len() {
        return Err(Errno::Inval);
    }
    if r.value != 0 && (s.starts_with('-') || r.negative) {
        return Err(Errno::Range);
    }
    u32::try_from(r.value).map_err(|_| Errno::Range)
}

/// glibc's `inet_pton(AF_INET)`: four decimal octets, no leading zeros.
fn inet_pton4(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (o, p) in octets.iter_mut().zip(&parts) {
        let ok = !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
        if !ok || (p.len() > 1 && p.starts_with('0')) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    Some(Ipv4Addr::from(octets))
}

/// glibc's `inet_pton(AF_INET6)`.
fn inet_pton6(s: &str) -> Option<Ipv6Addr> {
    s.parse().ok()
}

/// systemd's `socket_address_parse_netlink()`: `FAMILY [GROUP]`.
fn parse_netlink(s: &str) -> Result<Address, Errno> {
    let b = s.as_bytes();
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = 0;
    while i < b.len() && ws(b[i]) {
        i += 1;
    }
    if i == b.len() {
        return Err(Errno::Inval);
    }
    // extract_first_word() without flags: a backslash takes the next byte literally.
    let mut word = Vec::new();
    while i < b.len() && !ws(b[i]) {
        if b[i] == b'\\' {
            i += 1;
        }
        word.push(*b.get(i).ok_or(Errno::Inval)?);
        i += 1;
    }
    while i < b.len() && ws(b[i]) {
        i += 1;
    }
    let word = String::from_utf8_lossy(&word);
    let protocol = match NETLINK_FAMILIES.iter().find(|(_, n)| *n == word) {
        Some(&(p, _)) => p,
        None => safe_atou(&word, false)
            .ok()
            .filter(|&p| p <= i32::MAX as u32)
            .ok_or(Errno::Inval)?,
    };
    let group = if i < b.len() {
        safe_atou(&s[i..], false)?
    } else {
        0
    };
    Ok(Address::Netlink {
        family: netlink_family_name(protocol),
        protocol,
        group,
    })
}

/// systemd 252's `netlink_family_table`.
const NETLINK_FAMILIES: [(u32, &str); 18] = [
    (0, "route"),
    (3, "firewall"),
    (4, "inet-diag"),
    (5, "nflog"),
    (6, "xfrm"),
    (7, "selinux"),
    (8, "iscsi"),
    (9, "audit"),
    (10, "fib-lookup"),
    (11, "connector"),
    (12, "netfilter"),
    (13, "ip6-fw"),
    (14, "dnrtmsg"),
    (15, "kobject-uevent"),
    (16, "generic"),
    (18, "scsitransport"),
    (19, "ecryptfs"),
    (20, "rdma"),
];

/// `netlink_family_to_string_alloc()`: the table name or the number.
fn netlink_family_name(protocol: u32) -> String {
    NETLINK_FAMILIES
        .iter()
        .find(|(p, _)| *p == protocol)
        .map_or_else(|| protocol.to_string(), |(_, n)| (*n).to_owned())
}

/// The canonical form systemd's dump prints after `ListenStream: ` etc. An IPv6 scope is
/// printed as the interface name as written, or the index when it was given as a number;
/// use [`format_address_with`] to name indexes as the kernel does.
pub fn format_address(listen: &Listen) -> String {
    format_address_with(listen, &|_| None)
}

/// [`format_address`] with `ifname_of` naming interface indexes (systemd prints the
/// kernel's name for the index, falling back to the number).
pub fn format_address_with(listen: &Listen, ifname_of: &dyn Fn(u32) -> Option<String>) -> String {
    match &listen.address {
        Address::Inet(a) => a.to_string(),
        Address::Inet6 { addr, ifname } => {
            let mut out = format!("[{}]:{}", inet_ntop6(addr.ip()), addr.port());
            if addr.scope_id() != 0 {
                let name = ifname_of(addr.scope_id())
                    .or_else(|| ifname.clone())
                    .unwrap_or_else(|| addr.scope_id().to_string());
                out.push('%');
                out.push_str(&name);
            }
            out
        }
        Address::Unix(p) => p.bytes().map(cescape_byte).collect(),
        Address::Abstract(n) => format!("@{}", n.bytes().map(cescape_byte).collect::<String>()),
        Address::Vsock {
            cid: u32::MAX,
            port,
        } => format!("vsock::{port}"),
        Address::Vsock { cid, port } => format!("vsock:{cid}:{port}"),
        Address::Netlink { family, group, .. } => format!("{family} {group}"),
        Address::Path(p) => p.clone(),
    }
}

/// glibc's `inet_ntop(AF_INET6)`: the longest run (≥ 2) of zero groups becomes `::`; IPv4
/// compatible and mapped addresses end in dotted quad.
pub(crate) fn inet_ntop6(a: &Ipv6Addr) -> String {
    let w = a.segments();
    let (mut best, mut cur): ((usize, usize), Option<(usize, usize)>) = ((0, 0), None);
    for (i, &g) in w.iter().enumerate() {
        if g == 0 {
            let c = cur.map_or((i, 1), |(b, l)| (b, l + 1));
            if c.1 > best.1 {
                best = c;
            }
            cur = Some(c);
        } else {
            cur = None;
        }
    }
    let best = (best.1 >= 2).then_some(best);
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if let Some((b, l)) = best
            && i >= b
            && i < b + l
        {
            if i == b {
                out.push(':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        let embedded = best.is_some_and(|(b, l)| b == 0 && (l == 6 || (l == 5 && w[5] == 0xffff)));
        if i == 6 && embedded {
            let o = a.octets();
            out.push_str(&format!("{}.{}.{}.{}", o[12], o[13], o[14], o[15]));
            return out;
        }
        out.push_str(&format!("{:x}", w[i]));
        i += 1;
    }
    if best.is_some_and(|(b, l)| b + l == 8) {
        out.push(':');
    }
    out
}

#[cfg(test)]
#[path = "listen_tests.rs"]
mod tests;
