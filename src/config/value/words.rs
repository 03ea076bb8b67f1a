//! Word splitting as systemd's `extract_first_word()` does it for the few flag combinations the
//! value parsers use. Internal.

use super::Errno;
use super::cnum::WHITESPACE;

/// Splits `s` at runs of whitespace. A backslash takes the next character literally; a trailing
/// backslash is an error (`-EINVAL`). With `unquote`, `'…'` and `"…"` group text and are
/// removed (an unterminated quote is an error); without it quotes are ordinary characters.
pub(crate) fn split_words(s: &str, unquote: bool) -> Result<Vec<String>, Errno> {
    let mut words = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars
            .peek()
            .is_some_and(|&c| c.is_ascii() && WHITESPACE.contains(&(c as u8)))
        {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(words);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        loop {
            let Some(c) = chars.next() else {
                if quote.is_some() {
                    return Err(Errno::Inval);
                }
                break;
            };
            match (c, quote) {
                ('\\', _) => word.push(chars.next().ok_or(Errno::Inval)?),
                (q, Some(open)) if q == open => quote = None,
                (_, Some(_)) => word.push(c),
                ('\'' | '"', None) if unquote => quote = Some(c),
                (c, None) if c.is_ascii() && WHITESPACE.contains(&(c as u8)) => break,
                (c, None) => word.push(c),
            }
        }
        words.push(word);
    }
}

/// `extract_first_word(…, ":", EXTRACT_DONT_COALESCE_SEPARATORS)` applied at most twice, as
/// `rlimit_parse` does: returns the first field and, if there was a `:`, the second one. More
/// than two fields (a single trailing `:` after the second is tolerated), or an empty value,
/// is `-EINVAL`.
pub(crate) fn split_colon_pair(s: &str) -> Result<(String, Option<String>), Errno> {
    if s.is_empty() {
        return Err(Errno::Inval);
    }
    let mut fields = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields
                .last_mut()
                .unwrap()
                .push(chars.next().ok_or(Errno::Inval)?),
            ':' => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    match fields.len() {
        1 => Ok((fields.remove(0), None)),
        // "1:2:" leaves an empty rest behind the second field, which rlimit_parse accepts.
        2 | 3 if fields.len() == 2 || fields[2].is_empty() => {
            fields.truncate(2);
            let hard = fields.pop();
            Ok((fields.remove(0), hard))
        }
        _ => Err(Errno::Inval),
    }
}
