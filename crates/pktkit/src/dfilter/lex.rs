//! Tokens of a display filter, each with its byte offset in the expression.

use super::FilterError;

/// A token.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A field name, keyword or unquoted literal (`ip.src`, `and`, `10.0.0.0/8`, `00:1b:21`).
    Word(String),
    /// A quoted string, escapes resolved.
    Str(Vec<u8>),
    /// An operator or bracket.
    Punct(&'static str),
}

/// Operators, longest first so that `===` is not read as `==` `=`.
const PUNCTS: &[&str] = &[
    "===", "!==", "==", "!=", "~=", ">=", "<=", "&&", "||", "^^", "..", ">", "<", "!", "~", "&", "(", ")",
    "{", "}", "[", "]", ",",
];

/// Characters of a word: field names, numbers, addresses, byte strings, CIDR.
fn word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-' | b'/')
}

/// Splits `src` into tokens with their byte offsets.
pub fn tokens(src: &str) -> Result<Vec<(usize, Tok)>, FilterError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'"' {
            let (s, next) = string(src, i)?;
            out.push((i, Tok::Str(s)));
            i = next;
            continue;
        }
        if word_char(c) && !b[i..].starts_with(b"..") {
            let start = i;
            while i < b.len() && word_char(b[i]) {
                // `80..90` inside a set: the range operator ends the word.
                if b[i] == b'.' && b.get(i + 1) == Some(&b'.') && i > start {
                    break;
                }
                i += 1;
            }
            out.push((start, Tok::Word(src[start..i].to_string())));
            continue;
        }
        match PUNCTS.iter().find(|p| b[i..].starts_with(p.as_bytes())) {
            Some(p) => {
                out.push((i, Tok::Punct(p)));
                i += p.len();
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(FilterError::new(i, format!("unexpected character '{ch}'")));
            }
        }
    }
    Ok(out)
}

/// A quoted string starting at `start`: its bytes and the offset after the closing quote.
fn string(src: &str, start: usize) -> Result<(Vec<u8>, usize), FilterError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok((out, i + 1)),
            b'\\' => {
                let esc =
                    *b.get(i + 1).ok_or_else(|| FilterError::new(i, "expected an escape after '\\'"))?;
                i += 2;
                match esc {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'0'..=b'7' => {
                        let digits =
                            b[i - 1..].iter().take(3).take_while(|d| (b'0'..=b'7').contains(d)).count();
                        let text = &src[i - 1..i - 1 + digits];
                        let v = u8::from_str_radix(text, 8)
                            .map_err(|_| FilterError::new(i - 2, "octal escape above \\377"))?;
                        out.push(v);
                        i += digits - 1;
                    }
                    b'x' => {
                        let digits = b[i..].iter().take(2).take_while(|d| d.is_ascii_hexdigit()).count();
                        if digits == 0 {
                            return Err(FilterError::new(i - 2, "expected hex digits after '\\x'"));
                        }
                        out.push(u8::from_str_radix(&src[i..i + digits], 16).unwrap_or(0));
                        i += digits;
                    }
                    other => out.push(other),
                }
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    Err(FilterError::new(start, "unterminated string: expected a closing '\"'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_strings_and_operators() {
        let t = tokens(r#"tcp.port in {80..90} && http.host contains "a\x41\101\"""#).unwrap();
        let toks: Vec<Tok> = t.into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            toks,
            [
                Tok::Word("tcp.port".into()),
                Tok::Word("in".into()),
                Tok::Punct("{"),
                Tok::Word("80".into()),
                Tok::Punct(".."),
                Tok::Word("90".into()),
                Tok::Punct("}"),
                Tok::Punct("&&"),
                Tok::Word("http.host".into()),
                Tok::Word("contains".into()),
                Tok::Str(b"aAA\"".to_vec()),
            ]
        );
        assert_eq!(tokens("a # b").unwrap_err().pos, 2);
        assert_eq!(tokens("x == \"abc").unwrap_err().pos, 5);
    }
}
