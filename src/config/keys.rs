//! Lookup in the generated key table, and did-you-mean suggestions.

use super::known_keys::KNOWN_KEYS;

/// Whether systemd 252 knows `key` in `[section]`.
pub fn is_known(section: &str, key: &str) -> bool {
    KNOWN_KEYS
        .binary_search_by(|(s, k, _)| (*s, *k).cmp(&(section, key)))
        .is_ok()
}

/// The closest known key of the section, if one is close enough to be a likely typo.
pub fn suggest(section: &str, key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    KNOWN_KEYS
        .iter()
        .filter(|(s, _, _)| *s == section)
        .map(|(_, k, _)| (distance(&lower, &k.to_ascii_lowercase()), *k))
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
            KNOWN_KEYS
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        assert!(is_known("Socket", "ListenStream"));
        assert!(is_known("Install", "WantedBy"));
        assert!(is_known("Service", "ExecStart"));
        assert!(!is_known("Socket", "listenstream"));
        assert!(!is_known("Unit", "ListenStream"));
        // Keys newer than systemd 252 are unknown to it.
        assert!(!is_known("Socket", "PollLimitBurst"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("Socket", "listenstream"), Some("ListenStream"));
        assert_eq!(suggest("Socket", "Listen Stream"), Some("ListenStream"));
        assert_eq!(suggest("Socket", "Foo"), None);
    }
}
