//! Unit names: validation, template/instance arithmetic and unescaping, as systemd's
//! `unit-name.c` defines them.

use std::fmt;

/// systemd's `UNIT_NAME_MAX` (256, including the NUL): names are at most 255 bytes.
pub const UNIT_NAME_MAX: usize = 256;

/// The unit types systemd knows, by suffix.
pub const UNIT_TYPES: &[&str] = &[
    "service",
    "mount",
    "swap",
    "socket",
    "target",
    "device",
    "automount",
    "timer",
    "path",
    "slice",
    "scope",
];

/// Whether a unit name is plain, a template (`foo@.socket`) or an instance (`foo@bar.socket`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `foo.socket`
    Plain,
    /// `foo@.socket`
    Template,
    /// `foo@bar.socket`
    Instance,
}

/// A valid unit name, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitName {
    full: String,
    at: Option<usize>,
    dot: usize,
}

impl UnitName {
    /// Parses and validates a name (systemd's `unit_name_is_valid(…, UNIT_NAME_ANY)`).
    pub fn parse(name: &str) -> Option<UnitName> {
        if name.is_empty() || name.len() >= UNIT_NAME_MAX {
            return None;
        }
        let dot = name.rfind('.')?;
        if dot == 0 || !UNIT_TYPES.contains(&&name[dot + 1..]) {
            return None;
        }
        let mut at = None;
        for (i, c) in name[..dot].char_indices() {
            if c == '@' && at.is_none() {
                at = Some(i);
            } else if !(is_valid_char(c) || c == '@') {
                return None;
            }
        }
        if at == Some(0) {
            return None;
        }
        Some(UnitName {
            full: name.to_owned(),
            at,
            dot,
        })
    }

    /// The whole name (`foo@bar.socket`).
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// Plain, template or instance.
    pub fn kind(&self) -> NameKind {
        match self.at {
            None => NameKind::Plain,
            Some(at) if at + 1 == self.dot => NameKind::Template,
            Some(_) => NameKind::Instance,
        }
    }

    /// The type suffix without the dot (`socket`).
    pub fn unit_type(&self) -> &str {
        &self.full[self.dot + 1..]
    }

    /// The part before `@` or the suffix (`foo`).
    pub fn prefix(&self) -> &str {
        &self.full[..self.at.unwrap_or(self.dot)]
    }

    /// The instance (`bar`), `Some("")` for a template, `None` for a plain name.
    pub fn instance(&self) -> Option<&str> {
        self.at.map(|at| &self.full[at + 1..self.dot])
    }

    /// The name without its suffix (`foo@bar`).
    pub fn without_suffix(&self) -> &str {
        &self.full[..self.dot]
    }

    /// The template of an instance (`foo@.socket`); `None` unless this is an instance.
    pub fn template(&self) -> Option<UnitName> {
        (self.kind() == NameKind::Instance)
            .then(|| UnitName::parse(&format!("{}@.{}", self.prefix(), self.unit_type())))
            .flatten()
    }

    /// This template (or instance) with another instance (`foo@x.socket`).
    pub fn with_instance(&self, instance: &str) -> Option<UnitName> {
        self.at?;
        UnitName::parse(&format!(
            "{}@{}.{}",
            self.prefix(),
            instance,
            self.unit_type()
        ))
    }

    /// The same prefix and instance with another type (`foo@bar.service`).
    pub fn with_type(&self, unit_type: &str) -> Option<UnitName> {
        UnitName::parse(&format!("{}.{}", self.without_suffix(), unit_type))
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

/// systemd's `VALID_CHARS` for unit names (besides `@`).
fn is_valid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.' | '\\')
}

/// systemd's `unit_prefix_is_valid()`.
pub fn prefix_is_valid(prefix: &str) -> bool {
    !prefix.is_empty() && prefix.chars().all(is_valid_char)
}

/// systemd's `unit_name_unescape()`: `-` → `/`, `\xHH` → byte. `None` on a bad escape.
pub fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' => out.push(b'/'),
            b'\\' => {
                if bytes.get(i + 1) != Some(&b'x') {
                    return None;
                }
                let hex = s.get(i + 2..i + 4)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// systemd's `unit_name_path_unescape()`: unescape, then make the result an absolute path.
pub fn path_unescape(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    if s == "-" {
        return Some("/".to_owned());
    }
    let p = unescape(s)?;
    Some(if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_matches_systemd_test_unit_name() {
        for ok in [
            "foo.service",
            "foo@bar@bar.service",
            ".test.service",
            "a:b_c-d\\x2d.socket",
        ] {
            assert!(UnitName::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "@.service",
            "@piep.service",
            "foo.waldo",
            ".service",
            "foo@%i.service",
            "",
            "foo",
        ] {
            assert!(UnitName::parse(bad).is_none(), "{bad}");
        }
        assert!(UnitName::parse(&format!("{}.socket", "a".repeat(248))).is_some());
        assert!(UnitName::parse(&format!("{}.socket", "a".repeat(249))).is_none());
    }

    #[test]
    fn parts() {
        let n = UnitName::parse("foo-bar@in-st.socket").unwrap();
        assert_eq!(n.kind(), NameKind::Instance);
        assert_eq!(
            (n.prefix(), n.instance(), n.unit_type()),
            ("foo-bar", Some("in-st"), "socket")
        );
        assert_eq!(n.template().unwrap().as_str(), "foo-bar@.socket");
        assert_eq!(
            n.with_type("service").unwrap().as_str(),
            "foo-bar@in-st.service"
        );
        let t = UnitName::parse("foo@.socket").unwrap();
        assert_eq!((t.kind(), t.instance()), (NameKind::Template, Some("")));
        assert_eq!(t.with_instance("i").unwrap().as_str(), "foo@i.socket");
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape("a-b\\x2dc").as_deref(), Some("a/b-c"));
        assert_eq!(unescape("a\\y"), None);
        assert_eq!(path_unescape("foo").as_deref(), Some("/foo"));
        assert_eq!(path_unescape("-").as_deref(), Some("/"));
    }
}
