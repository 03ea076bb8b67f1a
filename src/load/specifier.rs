//! `%` specifier expansion (systemd's `specifier_printf()` with the `unit_full_printf()` and
//! `unit_name_printf()` tables of systemd 252). Pure: host facts come from [`HostInfo`].

use std::path::Path;

use super::host::HostInfo;
use super::name::{self, UnitName};

/// Which specifier table a key's parser uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `unit_full_printf()`: everything.
    Full,
    /// `unit_name_printf()`: `%n %N %p %i %j` plus system and credential specifiers.
    Name,
}

/// Why expansion failed, with the errno text systemd prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecifierError {
    /// An alphanumeric specifier the table lacks: EBADSLT.
    Unknown(char),
    /// The result is longer than allowed: ENAMETOOLONG.
    TooLong,
    /// The specifier could not be computed (e.g. a bad escape): EINVAL.
    Invalid(char),
}

impl SpecifierError {
    /// `strerror()` of the errno systemd returns.
    pub fn strerror(self) -> &'static str {
        match self {
            SpecifierError::Unknown(_) => "Invalid slot",
            SpecifierError::TooLong => "File name too long",
            SpecifierError::Invalid(_) => "Invalid argument",
        }
    }
}

/// The unit-specific inputs to expansion.
#[derive(Debug, Clone, Copy)]
pub struct Specifiers<'a> {
    /// Host facts.
    pub host: &'a HostInfo,
    /// The unit's id.
    pub id: &'a UnitName,
    /// Its fragment path, for `%y`/`%Y`.
    pub fragment: Option<&'a Path>,
}

impl Specifiers<'_> {
    /// Expands `text`; the result may be at most `max_len` bytes.
    pub fn expand(
        &self,
        text: &str,
        table: Table,
        max_len: usize,
    ) -> Result<String, SpecifierError> {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
            } else {
                match chars.next() {
                    None => out.push('%'),
                    Some('%') => out.push('%'),
                    Some(s) => match self.lookup(s, table)? {
                        Some(v) => out.push_str(&v),
                        None if s.is_ascii_alphanumeric() => {
                            return Err(SpecifierError::Unknown(s));
                        }
                        None => {
                            out.push('%');
                            out.push(s);
                        }
                    },
                }
            }
            if out.len() > max_len {
                return Err(SpecifierError::TooLong);
            }
        }
        Ok(out)
    }

    fn lookup(&self, s: char, table: Table) -> Result<Option<String>, SpecifierError> {
        let id = self.id;
        let h = self.host;
        let os = |k: &str| h.os_release.get(k).cloned().unwrap_or_default();
        let prefix = id.prefix();
        let last = prefix.rsplit('-').next().unwrap_or(prefix).to_owned();
        let common = match s {
            'i' => Some(id.instance().unwrap_or_default().to_owned()),
            'j' => Some(last.clone()),
            'n' => Some(id.as_str().to_owned()),
            'N' => Some(id.without_suffix().to_owned()),
            'p' => Some(prefix.to_owned()),
            'a' => Some(h.architecture.clone()),
            'A' => Some(os("IMAGE_VERSION")),
            'b' => Some(h.boot_id.clone()),
            'B' => Some(os("BUILD_ID")),
            'H' => Some(h.hostname.clone()),
            'l' => Some(h.short_hostname().to_owned()),
            'q' => Some(h.pretty_hostname.clone()),
            'm' => Some(h.machine_id.clone()),
            'M' => Some(os("IMAGE_ID")),
            'o' => Some(os("ID")),
            'v' => Some(h.kernel_release.clone()),
            'w' => Some(os("VERSION_ID")),
            'W' => Some(os("VARIANT_ID")),
            'g' => Some(h.group.clone()),
            'G' => Some(h.gid.to_string()),
            'u' => Some(h.user.clone()),
            'U' => Some(h.uid.to_string()),
            _ => None,
        };
        if common.is_some() || table == Table::Name {
            return Ok(common);
        }
        let unescaped = |v: &str| name::unescape(v).ok_or(SpecifierError::Invalid(s));
        Ok(Some(match s {
            'I' => unescaped(id.instance().unwrap_or_default())?,
            'J' => unescaped(&last)?,
            'P' => unescaped(prefix)?,
            'f' => match id.instance() {
                Some(i) => name::path_unescape(i),
                None => name::path_unescape(prefix),
            }
            .ok_or(SpecifierError::Invalid(s))?,
            'y' => self
                .fragment
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            'Y' => self
                .fragment
                .and_then(Path::parent)
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            'c' => format!("/system.slice/{}", id.as_str()),
            'r' => "/system.slice".to_owned(),
            'R' => "/".to_owned(),
            'C' => h.cache_dir.clone(),
            'd' => format!("{}/credentials/{}", h.runtime_dir, id.as_str()),
            'E' => h.config_dir.clone(),
            'L' => h.logs_dir.clone(),
            'S' => h.state_dir.clone(),
            't' => h.runtime_dir.clone(),
            'h' => h.home.clone(),
            's' => h.shell.clone(),
            'T' => h.tmp_dir.clone(),
            'V' => h.var_tmp_dir.clone(),
            _ => return Ok(None),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> HostInfo {
        HostInfo {
            hostname: "box.example".into(),
            runtime_dir: "/run".into(),
            ..HostInfo::default()
        }
    }

    #[test]
    fn unit_specifiers_match_systemd_example() {
        let h = host();
        let id = UnitName::parse("echo@foo.socket").unwrap();
        let sp = Specifiers {
            host: &h,
            id: &id,
            fragment: None,
        };
        let got = sp
            .expand("inst %i I=%I p=%p n=%n N=%N f=%f j=%j", Table::Full, 4095)
            .unwrap();
        assert_eq!(
            got,
            "inst foo I=foo p=echo n=echo@foo.socket N=echo@foo f=/foo j=echo"
        );
    }

    #[test]
    fn percent_rules() {
        let h = host();
        let id = UnitName::parse("a-b.socket").unwrap();
        let sp = Specifiers {
            host: &h,
            id: &id,
            fragment: None,
        };
        assert_eq!(
            sp.expand("/run/y%!.sock", Table::Full, 4095).unwrap(),
            "/run/y%!.sock"
        );
        assert_eq!(sp.expand("/run/x%", Table::Full, 4095).unwrap(), "/run/x%");
        assert_eq!(
            sp.expand("%%n %j %l %t", Table::Full, 4095).unwrap(),
            "%n b box /run"
        );
        assert_eq!(
            sp.expand("%z", Table::Full, 4095),
            Err(SpecifierError::Unknown('z'))
        );
        assert_eq!(
            sp.expand("%t", Table::Name, 4095),
            Err(SpecifierError::Unknown('t'))
        );
        assert_eq!(
            sp.expand("%n%n", Table::Full, 12),
            Err(SpecifierError::TooLong)
        );
    }
}
