//! The spec's syntax: `Layer(field=value, ...)/Layer/...`, parsed into a small tree with byte
//! positions. What the names and values mean is decided in `fields.rs` and `values.rs`.

use super::error::CraftError;

/// Deepest nesting of lists, tuples and calls accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 16;

/// One `Name(args)` layer of the spec.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layer {
    pub name: String,
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// `name=value` or a positional value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    pub name: Option<(String, usize)>,
    pub value: Value,
}

/// A value with the byte offset where it starts and its text (for error messages).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Value {
    pub pos: usize,
    pub text: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// Unquoted text: a number, a name, an address.
    Word(String),
    /// A quoted Python-style string, escapes decoded (`\xNN` is the byte NN).
    Str(Vec<u8>),
    /// `b'...'`: a Python bytes literal, escapes decoded.
    Bytes(Vec<u8>),
    /// `[a, b, ...]`; elements may be `name=value` (TCP options' short form).
    List(Vec<Arg>),
    /// `(a, b, ...)`.
    Tuple(Vec<Value>),
    /// `Name(args)` used as a value (`qd=DNSQR(...)`).
    Call(String, usize, Vec<Arg>),
}

impl Kind {
    /// The text of a word or string, when it is one.
    pub(crate) fn as_text(&self) -> Option<String> {
        match self {
            Kind::Word(w) => Some(w.clone()),
            Kind::Str(b) | Kind::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }
}

/// Parses a whole spec into its layers.
pub(crate) fn parse(spec: &str) -> Result<Vec<Layer>, CraftError> {
    let mut p = Parser { s: spec.as_bytes(), src: spec, i: 0 };
    let mut layers = Vec::new();
    loop {
        layers.push(p.layer()?);
        p.ws();
        match p.peek() {
            None => return Ok(layers),
            Some(b'/') => p.i += 1,
            Some(_) => return Err(p.expected("'/' between layers or the end of the spec")),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_word(c: u8) -> bool {
    !(c.is_ascii_whitespace() || matches!(c, b',' | b'(' | b')' | b'[' | b']' | b'=' | b'"' | b'\''))
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn text(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.s[from..to]).into_owned()
    }

    /// What is at the current position, for "found ..." in messages.
    fn found(&self) -> String {
        match self.src.get(self.i..).and_then(|rest| rest.chars().next()) {
            None if self.i >= self.s.len() => "end of spec".to_string(),
            None => format!("byte 0x{:02x}", self.s[self.i]),
            Some(c) => format!("'{c}'"),
        }
    }

    fn expected(&self, what: &str) -> CraftError {
        CraftError::Syntax { pos: self.i, expected: what.to_string(), found: self.found() }
    }

    fn ident(&mut self) -> Option<(String, usize)> {
        let start = self.i;
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        while self.peek().is_some_and(is_ident) {
            self.i += 1;
        }
        Some((self.text(start, self.i), start))
    }

    fn layer(&mut self) -> Result<Layer, CraftError> {
        self.ws();
        let pos = self.i;
        if self.at_string() {
            // A bare string is a Raw payload, as `IP()/"hello"` is in Scapy.
            let value = self.value(0)?;
            return Ok(Layer { name: "Raw".to_string(), pos, args: vec![Arg { name: None, value }] });
        }
        let Some((name, pos)) = self.ident() else {
            return Err(self.expected("a layer name"));
        };
        self.ws();
        let args = if self.peek() == Some(b'(') {
            self.i += 1;
            self.args(b')', 1)?
        } else {
            Vec::new()
        };
        Ok(Layer { name, pos, args })
    }

    /// Arguments up to and including `close`; the opening bracket is already consumed.
    fn args(&mut self, close: u8, depth: usize) -> Result<Vec<Arg>, CraftError> {
        let mut args = Vec::new();
        self.ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Ok(args);
        }
        loop {
            args.push(self.arg(depth)?);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(close) {
                        self.i += 1;
                        return Ok(args);
                    }
                }
                Some(c) if c == close => {
                    self.i += 1;
                    return Ok(args);
                }
                _ if close == b')' => return Err(self.expected("',' or ')' after field value")),
                _ => return Err(self.expected("',' or ']' after list element")),
            }
        }
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, CraftError> {
        self.ws();
        let start = self.i;
        if let Some((name, pos)) = self.ident() {
            self.ws();
            if self.peek() == Some(b'=') {
                self.i += 1;
                let value = self.value(depth)?;
                return Ok(Arg { name: Some((name, pos)), value });
            }
            self.i = start;
        }
        Ok(Arg { name: None, value: self.value(depth)? })
    }

    fn at_string(&self) -> bool {
        match self.peek() {
            Some(b'"' | b'\'') => true,
            Some(b'b' | b'B') => matches!(self.s.get(self.i + 1), Some(b'"' | b'\'')),
            _ => false,
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, CraftError> {
        self.ws();
        if depth > MAX_DEPTH {
            return Err(CraftError::invalid(self.i, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let pos = self.i;
        let kind = match self.peek() {
            _ if self.at_string() => self.string()?,
            Some(b'[') => {
                self.i += 1;
                Kind::List(self.args(b']', depth + 1)?)
            }
            Some(b'(') => {
                self.i += 1;
                Kind::Tuple(self.tuple(depth + 1)?)
            }
            Some(c) if is_word(c) => {
                let start = self.i;
                while self.peek().is_some_and(is_word) {
                    self.i += 1;
                }
                let word = self.text(start, self.i);
                let is_name = word.bytes().next().is_some_and(is_ident_start) && word.bytes().all(is_ident);
                if is_name && self.peek() == Some(b'(') {
                    self.i += 1;
                    Kind::Call(word, start, self.args(b')', depth + 1)?)
                } else {
                    Kind::Word(word)
                }
            }
            _ => return Err(self.expected("a field value")),
        };
        let text = match &kind {
            Kind::Str(b) | Kind::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            _ => self.text(pos, self.i),
        };
        Ok(Value { pos, text, kind })
    }

    fn tuple(&mut self, depth: usize) -> Result<Vec<Value>, CraftError> {
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b')') {
            self.i += 1;
            return Ok(items);
        }
        loop {
            items.push(self.value(depth)?);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b')') {
                        self.i += 1;
                        return Ok(items);
                    }
                }
                Some(b')') => {
                    self.i += 1;
                    return Ok(items);
                }
                _ => return Err(self.expected("',' or ')' in tuple")),
            }
        }
    }

    /// A quoted string or bytes literal with Python escapes.
    fn string(&mut self) -> Result<Kind, CraftError> {
        let bytes_literal = matches!(self.peek(), Some(b'b' | b'B'));
        if bytes_literal {
            self.i += 1;
        }
        let open = self.i;
        let quote = self.s[open];
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(CraftError::Syntax {
                    pos: open,
                    expected: format!("a closing {} for this string", quote as char),
                    found: "end of spec".to_string(),
                });
            };
            self.i += 1;
            if c == quote {
                break;
            }
            if c != b'\\' {
                out.push(c);
                continue;
            }
            self.escape(bytes_literal, &mut out)?;
        }
        Ok(if bytes_literal { Kind::Bytes(out) } else { Kind::Str(out) })
    }

    fn hex_digits(&mut self, n: usize, at: usize) -> Result<u32, CraftError> {
        let digits = self.s.get(self.i..self.i + n).unwrap_or(&[]);
        let text = String::from_utf8_lossy(digits);
        if digits.len() != n || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(CraftError::bad(at, "escape", &text, format!("expected {n} hex digits")));
        }
        self.i += n;
        u32::from_str_radix(&text, 16).map_err(|_| CraftError::bad(at, "escape", &text, ""))
    }

    /// Decodes the escape after a backslash (already consumed) into `out`.
    fn escape(&mut self, bytes_literal: bool, out: &mut Vec<u8>) -> Result<(), CraftError> {
        let at = self.i - 1;
        let Some(c) = self.peek() else {
            return Err(self.expected("an escape character"));
        };
        self.i += 1;
        match c {
            b'\\' | b'\'' | b'"' => out.push(c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'x' => out.push(self.hex_digits(2, at)? as u8),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                if v > 0xff {
                    return Err(CraftError::bad(
                        at,
                        "escape",
                        &format!("\\{v:o}"),
                        "octal escape above \\377",
                    ));
                }
                out.push(v as u8);
            }
            b'u' | b'U' if !bytes_literal => {
                let n = if c == b'u' { 4 } else { 8 };
                let v = self.hex_digits(n, at)?;
                let ch = char::from_u32(v).ok_or_else(|| {
                    CraftError::bad(at, "escape", &format!("{v:x}"), "not a Unicode scalar")
                })?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            b'\n' => {}
            // Python keeps unknown escapes as written.
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(v: &Value) -> &str {
        match &v.kind {
            Kind::Word(w) => w,
            other => panic!("not a word: {other:?}"),
        }
    }

    #[test]
    fn layers_and_fields() {
        let l = parse("IP(dst=10.0.0.2, ttl=5) / TCP(dport=80,flags=S)/Raw").unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!((l[0].name.as_str(), l[0].pos), ("IP", 0));
        assert_eq!(l[0].args[0].name, Some(("dst".to_string(), 3)));
        assert_eq!(word(&l[0].args[0].value), "10.0.0.2");
        assert_eq!(l[0].args[0].value.pos, 7);
        assert_eq!(l[0].args[1].name, Some(("ttl".to_string(), 17)));
        assert_eq!((l[1].name.as_str(), l[1].pos), ("TCP", 26));
        assert_eq!(word(&l[1].args[1].value), "S");
        assert!(l[2].args.is_empty());
    }

    #[test]
    fn words_keep_slashes_inside_parentheses() {
        let l = parse("IP(dst=10.0.0.0/30)/IPv6(dst=fe80::1)").unwrap();
        assert_eq!(word(&l[0].args[0].value), "10.0.0.0/30");
        assert_eq!(word(&l[1].args[0].value), "fe80::1");
    }

    #[test]
    fn strings_and_escapes() {
        let l = parse(r#"Raw(load="a\tb\x00\xff\u00e9\101\q")/"x"/Raw(b'\u')"#).unwrap();
        assert_eq!(l[0].args[0].value.kind, Kind::Str(b"a\tb\x00\xff\xc3\xa9A\\q".to_vec()));
        assert_eq!(l[1].name, "Raw");
        assert_eq!(l[1].args[0].value.kind, Kind::Str(b"x".to_vec()));
        assert_eq!(l[2].args[0].value.kind, Kind::Bytes(b"\\u".to_vec()));
    }

    #[test]
    fn lists_tuples_calls() {
        let l =
            parse("TCP(options=[('MSS',1460),NOP,WScale=7],dport=(1,3))/DNS(qd=DNSQR(qname=a.b))").unwrap();
        let Kind::List(items) = &l[0].args[0].value.kind else { panic!() };
        assert_eq!(items.len(), 3);
        let Kind::Tuple(t) = &items[0].value.kind else { panic!() };
        assert_eq!(t[0].kind, Kind::Str(b"MSS".to_vec()));
        assert_eq!(word(&t[1]), "1460");
        assert_eq!(items[2].name.as_ref().unwrap().0, "WScale");
        let Kind::Tuple(r) = &l[0].args[1].value.kind else { panic!() };
        assert_eq!(r.len(), 2);
        let Kind::Call(name, pos, args) = &l[1].args[0].value.kind else { panic!() };
        assert_eq!((name.as_str(), *pos), ("DNSQR", 60));
        assert_eq!(word(&args[0].value), "a.b");
    }

    #[test]
    fn trailing_commas_and_spaces() {
        let l = parse("  IP ( dst = 1.2.3.4 , ) /TCP( dport=[1,2,] )  ").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].pos, 2);
    }

    fn err(spec: &str) -> CraftError {
        parse(spec).unwrap_err()
    }

    #[test]
    fn syntax_errors_have_positions() {
        assert_eq!(
            err("IP(dst=10.0.0.2 ttl=5)").to_string(),
            "at 16: expected ',' or ')' after field value, found 't'"
        );
        assert_eq!(
            err("IP(dst=1.2.3.4").to_string(),
            "at 14: expected ',' or ')' after field value, found end of spec"
        );
        assert_eq!(err("").pos(), Some(0));
        assert_eq!(err("IP()/").to_string(), "at 5: expected a layer name, found end of spec");
        assert_eq!(
            err("IP() TCP()").to_string(),
            "at 5: expected '/' between layers or the end of the spec, found 'T'"
        );
        assert_eq!(err("IP(dst=)").to_string(), "at 7: expected a field value, found ')'");
        assert_eq!(err("TCP(dport=[1,2)").pos(), Some(14));
        assert_eq!(
            err("Raw(load='abc)").to_string(),
            "at 9: expected a closing ' for this string, found end of spec"
        );
        assert_eq!(err(r#"Raw(load="\x4")"#).pos(), Some(10));
        assert_eq!(err("TCP(dport=(1,2)").pos(), Some(15));
        assert_eq!(err("9IP()").pos(), Some(0));
        let deep = format!("Raw(load={}1{})", "[".repeat(40), "]".repeat(40));
        assert!(matches!(err(&deep), CraftError::Invalid { .. }));
    }

    #[test]
    fn caret_points_at_the_error() {
        let spec = "IP(dst=1.2.3.4 x)";
        assert_eq!(err(spec).caret(spec).unwrap(), format!("{spec}\n{}^", " ".repeat(15)));
    }
}
