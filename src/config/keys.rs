//! Lookup in the generated directive table, and did-you-mean suggestions.

use super::directive_table::DIRECTIVE_TABLE;
use super::release::{Release, all_keys};

/// Whether systemd 252 knows `key` in `[section]`.
pub fn is_known(section: &str, key: &str) -> bool {
    lookup(section, key).is_some()
}

/// systemd's parser name and `ltype` for a key, if systemd 252 knows the key.
pub fn lookup(section: &str, key: &str) -> Option<(&'static str, &'static str)> {
    let i = DIRECTIVE_TABLE
        .binary_search_by(|(s, k, _, _)| (*s, *k).cmp(&(section, key)))
        .ok()?;
    let (_, _, parser, ltype) = DIRECTIVE_TABLE[i];
    Some((parser, ltype))
}

/// The closest known key of the section, if one is close enough to be a likely typo.
pub fn suggest(section: &str, key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    DIRECTIVE_TABLE
        .iter()
        .filter(|(s, _, parser, _)| *s == section && *parser != "config_parse_warn_compat")
        .map(|(_, k, _, _)| (distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1))
        .min()
        .map(|(_, k)| k)
}

/// [`suggest`] among the keys systemd `release` knows.
pub fn suggest_as(release: Release, section: &str, key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    all_keys()
        .filter(|(s, k)| {
            *s == section
                && release
                    .lookup(s, k)
                    .is_some_and(|(p, _)| p != "config_parse_warn_compat")
        })
        .map(|(_, k)| (distance(&lower, &k.to_ascii_lowercase()), k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1))
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_knows_the_basics() {
        assert!(
            DIRECTIVE_TABLE
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        assert_eq!(
            lookup("Socket", "Backlog"),
            Some(("config_parse_unsigned", "0"))
        );
        assert_eq!(lookup("Install", "WantedBy"), Some(("NULL", "0")));
        assert!(is_known("Service", "ExecStart"));
        assert!(!is_known("Socket", "listenstream"));
        assert!(!is_known("Unit", "ListenStream"));
        // Keys newer than systemd 252 are unknown to it.
        assert!(!is_known("Socket", "PollLimitBurst"));
        assert!(!is_known("Socket", "PassPIDFD"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("Socket", "listenstream"), Some("ListenStream"));
        assert_eq!(suggest("Socket", "Listen Stream"), Some("ListenStream"));
        assert_eq!(suggest("Socket", "Foo"), None);
    }
}
