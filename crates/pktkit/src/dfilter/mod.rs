//! Wireshark 4.0 display filters (`-Y`) over the `--fields` table
//! ([`crate::render::fields`]): one decoder walk, one field table, typed values.
//!
//! [`Filter::new`] lexes, parses and type-checks an expression against the table; errors
//! carry the byte offset where something else was expected. [`Filter::matches`] reads the
//! fields the expression names from a decoded packet and evaluates it. A comparison with a
//! field that is absent is false (so `!(ip.src == 1.2.3.4)` differs from
//! `ip.src != 1.2.3.4`); `!=` is true when no occurrence equals (Wireshark 4.0's "all not
//! equal"), `==`, `>`, `contains`, `matches` and `in` when some occurrence does.
//!
//! When the expression can only be true with some application field present (say
//! `http.request.method == "GET"`, or `dns.qry.name contains "a" || tls.handshake`), a
//! packet without a tunnel or ICMP quote whose payload is of another protocol, or rules
//! the field out at its start, is rejected before any field is read
//! ([`crate::render::fields::may_carry`]), and a plain TCP or UDP frame before it is even
//! decoded ([`Filter::rejects_undecoded`]); not when a field depends on earlier packets.

mod lex;
mod parse;

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::capture::Packet;
use crate::decode::Decoded;
use crate::render::fields::{FieldReader, FieldRef, Kind, TWO_WAY, frame_may_carry, may_carry};
use parse::{Cmp, Expr, Node};

/// An expression that does not parse or does not type-check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at offset {pos}: {msg}")]
pub struct FilterError {
    /// Byte offset in the expression.
    pub pos: usize,
    pub msg: String,
}

impl FilterError {
    fn new(pos: usize, msg: impl Into<String>) -> Self {
        FilterError { pos, msg: msg.into() }
    }
}

/// The type of a compiled value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Field(Kind),
    Bytes,
}

impl Ty {
    fn describe(self) -> &'static str {
        match self {
            Ty::Field(Kind::Uint) => "an unsigned integer",
            Ty::Field(Kind::Bool) => "a boolean (1, 0, True, False)",
            Ty::Field(Kind::Time) => "a number of seconds",
            Ty::Field(Kind::Mac) => "an Ethernet address",
            Ty::Field(Kind::Ipv4) => "an IPv4 address or CIDR block",
            Ty::Field(Kind::Ipv6) => "an IPv6 address or CIDR block",
            Ty::Field(Kind::Str) => "a string",
            Ty::Field(Kind::None) => "nothing (the field has no value)",
            Ty::Bytes => "a byte string such as 00:1b:21",
        }
    }
}

/// A typed value.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    U(u64),
    T(f64),
    V4(u32, u8),
    V6(u128, u8),
    /// Ethernet addresses and byte strings.
    Bytes(Vec<u8>),
    Str(Vec<u8>),
}

impl Val {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Val::U(v) => v.to_be_bytes().to_vec(),
            Val::T(t) => t.to_string().into_bytes(),
            Val::V4(a, _) => a.to_be_bytes().to_vec(),
            Val::V6(a, _) => a.to_be_bytes().to_vec(),
            Val::Bytes(b) | Val::Str(b) => b.clone(),
        }
    }

    /// Equality, an address literal with a prefix matching its whole block.
    fn eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::V4(a, _), Val::V4(b, p)) | (Val::V4(b, p), Val::V4(a, _)) if *p < 32 => {
                let mask = if *p == 0 { 0 } else { u32::MAX << (32 - p) };
                a & mask == b & mask
            }
            (Val::V6(a, _), Val::V6(b, p)) | (Val::V6(b, p), Val::V6(a, _)) if *p < 128 => {
                let mask = if *p == 0 { 0 } else { u128::MAX << (128 - p) };
                a & mask == b & mask
            }
            (Val::V4(a, _), Val::V4(b, _)) => a == b,
            (Val::V6(a, _), Val::V6(b, _)) => a == b,
            _ => self.cmp(other) == Some(std::cmp::Ordering::Equal),
        }
    }

    fn cmp(&self, other: &Val) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Val::U(a), Val::U(b)) => Some(a.cmp(b)),
            (Val::T(a), Val::T(b)) => a.partial_cmp(b),
            (Val::V4(a, _), Val::V4(b, _)) => Some(a.cmp(b)),
            (Val::V6(a, _), Val::V6(b, _)) => Some(a.cmp(b)),
            (Val::Bytes(a) | Val::Str(a), Val::Bytes(b) | Val::Str(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// A function of display filters.
#[derive(Clone, Copy, Debug)]
enum Func {
    Len,
    Lower,
    Upper,
}

/// A compiled value.
#[derive(Clone, Debug)]
enum Value {
    /// Fields by index into [`Filter::refs`] (two for a two-way field), of one kind.
    Field(Vec<usize>, Kind),
    Lit(Val),
    Slice(Box<Value>, Vec<Range>),
    Call(Func, Box<Value>),
    BitAnd(Box<Value>, u64),
}

/// A byte range of a slice: start (negative from the end) and end (exclusive, None: to the
/// end of the value).
#[derive(Clone, Copy, Debug)]
struct Range {
    start: i64,
    end: Option<i64>,
}

/// A compiled boolean expression.
#[derive(Debug)]
enum Test {
    Or(Box<Test>, Box<Test>),
    Xor(Box<Test>, Box<Test>),
    And(Box<Test>, Box<Test>),
    Not(Box<Test>),
    Present(Value),
    Compare(Cmp, Value, Value),
    Contains(Value, Value),
    Matches(Value, regex::bytes::Regex),
    In(Value, Vec<(Val, Option<Val>)>),
}

/// A compiled display filter.
pub struct Filter {
    test: Test,
    refs: Vec<FieldRef>,
    /// Fields of application protocols one of which a packet must carry to match (empty:
    /// no such test); used only when no field is stateful, so skipping the reader loses
    /// nothing.
    needs: Vec<FieldRef>,
    reader: FieldReader,
    text: Vec<u8>,
    spans: Vec<Vec<(usize, usize)>>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter").field("test", &self.test).finish()
    }
}

impl Filter {
    /// Compiles `expr` against the field table.
    pub fn new(expr: &str) -> Result<Filter, FilterError> {
        let toks = lex::tokens(expr)?;
        let ast = parse::parse(&toks, expr.len())?;
        let mut c = Compiler { refs: Vec::new() };
        let test = c.test(&ast)?;
        let needs = match needs(&test, &c.refs) {
            Some(protos) if !c.refs.iter().any(FieldRef::is_stateful) => protos,
            _ => Vec::new(),
        };
        Ok(Filter {
            test,
            refs: c.refs,
            needs,
            reader: FieldReader::default(),
            text: Vec::new(),
            spans: Vec::new(),
        })
    }

    /// True when the packet cannot match, judged from its bytes before it is decoded
    /// ([`frame_may_carry`]): the packet is then done (call no [`Self::matches`] for it).
    /// False means nothing: decode the packet and ask [`Self::matches`].
    pub fn rejects_undecoded(&mut self, pkt: &Packet<'_>) -> bool {
        if self.needs.is_empty() || frame_may_carry(pkt.linktype(), pkt.data, &self.needs) != Some(false) {
            return false;
        }
        self.reader.done(pkt, false);
        true
    }

    /// Whether the decoded packet matches.
    pub fn matches(&mut self, pkt: &Packet<'_>, d: &Decoded<'_>) -> bool {
        if !self.needs.is_empty() && !may_carry(d, &self.needs) {
            self.reader.done(pkt, false);
            return false;
        }
        self.reader.read(&self.refs, pkt, d, &mut self.text, &mut self.spans);
        let ctx = Ctx { text: &self.text, spans: &self.spans };
        let matched = ctx.test(&self.test);
        self.reader.done(pkt, matched);
        matched
    }
}

/// Fields of application protocols one of which a packet must carry for `t` to be true
/// (None: `t` can be true without any, [`FieldRef::needs_app`]). Every test on a value is
/// false when the value has no occurrence, so it needs what its fields need; `not` and
/// `xor` need nothing.
fn needs(t: &Test, refs: &[FieldRef]) -> Option<Vec<FieldRef>> {
    match t {
        Test::Or(a, b) => {
            let mut fields = needs(a, refs)?;
            for f in needs(b, refs)? {
                if !fields.contains(&f) {
                    fields.push(f);
                }
            }
            Some(fields)
        }
        Test::And(a, b) => needs(a, refs).or_else(|| needs(b, refs)),
        Test::Xor(..) | Test::Not(_) => None,
        Test::Present(v) | Test::Contains(v, _) | Test::Matches(v, _) | Test::In(v, _) => {
            value_needs(v, refs)
        }
        Test::Compare(_, l, r) => value_needs(l, refs).or_else(|| value_needs(r, refs)),
    }
}

/// What a value's fields need ([`needs`]): each of them an application protocol, or nothing.
fn value_needs(v: &Value, refs: &[FieldRef]) -> Option<Vec<FieldRef>> {
    match v {
        Value::Field(ids, _) => ids.iter().map(|i| refs[*i].needs_app().map(|_| refs[*i])).collect(),
        Value::Lit(_) => None,
        Value::Slice(inner, _) | Value::Call(_, inner) | Value::BitAnd(inner, _) => value_needs(inner, refs),
    }
}

/// The field values of one packet.
struct Ctx<'a> {
    text: &'a [u8],
    spans: &'a [Vec<(usize, usize)>],
}

impl Ctx<'_> {
    fn test(&self, t: &Test) -> bool {
        match t {
            Test::Or(a, b) => self.test(a) || self.test(b),
            Test::Xor(a, b) => self.test(a) != self.test(b),
            Test::And(a, b) => self.test(a) && self.test(b),
            Test::Not(a) => !self.test(a),
            Test::Present(v) => match v {
                Value::Field(ids, _) => ids.iter().any(|i| !self.spans[*i].is_empty()),
                _ => self.values(v).iter().any(|x| !matches!(x, Val::U(0))),
            },
            Test::Compare(cmp, Value::Field(ids, Kind::Str), Value::Lit(Val::Str(lit))) => {
                // A string field against a string: compare the text in place (no copies).
                let mut occurrences = self.texts(ids).peekable();
                let present = occurrences.peek().is_some();
                let mut texts = occurrences.map(|t| t.cmp(lit.as_slice()));
                match cmp {
                    Cmp::Eq => texts.any(|o| o.is_eq()),
                    Cmp::Ne => present && texts.all(|o| o.is_ne()),
                    Cmp::AllEq => present && texts.all(|o| o.is_eq()),
                    Cmp::AnyNe => texts.any(|o| o.is_ne()),
                    Cmp::Gt => texts.any(|o| o.is_gt()),
                    Cmp::Lt => texts.any(|o| o.is_lt()),
                    Cmp::Ge => texts.any(|o| o.is_ge()),
                    Cmp::Le => texts.any(|o| o.is_le()),
                }
            }
            Test::Compare(cmp, l, r) => {
                let (l, r) = (self.values(l), self.values(r));
                let pairs = || l.iter().flat_map(|a| r.iter().map(move |b| (a, b)));
                let ord =
                    |want: fn(std::cmp::Ordering) -> bool| pairs().any(|(a, b)| a.cmp(b).is_some_and(want));
                match cmp {
                    Cmp::Eq => pairs().any(|(a, b)| a.eq(b)),
                    Cmp::Ne => !l.is_empty() && !r.is_empty() && pairs().all(|(a, b)| !a.eq(b)),
                    Cmp::AllEq => !l.is_empty() && !r.is_empty() && pairs().all(|(a, b)| a.eq(b)),
                    Cmp::AnyNe => pairs().any(|(a, b)| !a.eq(b)),
                    Cmp::Gt => ord(|o| o.is_gt()),
                    Cmp::Lt => ord(|o| o.is_lt()),
                    Cmp::Ge => ord(|o| o.is_ge()),
                    Cmp::Le => ord(|o| o.is_le()),
                }
            }
            Test::Contains(Value::Field(ids, Kind::Str), Value::Lit(Val::Str(needle))) => {
                self.texts(ids).any(|hay| contains(hay, needle))
            }
            Test::Contains(l, r) => {
                let needles: Vec<Vec<u8>> = self.values(r).iter().map(Val::bytes).collect();
                self.values(l).iter().any(|v| {
                    let hay = v.bytes();
                    needles.iter().any(|n| contains(&hay, n))
                })
            }
            Test::Matches(l, re) => self.values(l).iter().any(|v| re.is_match(&v.bytes())),
            Test::In(v, set) => self.values(v).iter().any(|x| {
                set.iter().any(|(lo, hi)| match hi {
                    None => x.eq(lo),
                    Some(hi) => x.cmp(lo).is_some_and(|o| o.is_ge()) && x.cmp(hi).is_some_and(|o| o.is_le()),
                })
            }),
        }
    }

    /// The text of each occurrence of the fields `ids`, in place.
    fn texts<'b>(&'b self, ids: &'b [usize]) -> impl Iterator<Item = &'b [u8]> + 'b {
        ids.iter().flat_map(|i| self.spans[*i].iter()).map(|(a, b)| &self.text[*a..*b])
    }

    fn values(&self, v: &Value) -> Vec<Val> {
        match v {
            Value::Lit(x) => vec![x.clone()],
            Value::Field(ids, kind) => ids
                .iter()
                .flat_map(|i| self.spans[*i].iter())
                .filter_map(|(a, b)| from_text(&self.text[*a..*b], *kind))
                .collect(),
            Value::Slice(inner, ranges) => self
                .values(inner)
                .iter()
                .filter_map(|x| {
                    let bytes = x.bytes();
                    let mut out = Vec::new();
                    for r in ranges {
                        out.extend_from_slice(slice(&bytes, *r)?);
                    }
                    Some(Val::Bytes(out))
                })
                .collect(),
            Value::Call(f, inner) => self
                .values(inner)
                .into_iter()
                .map(|x| match (f, x) {
                    (Func::Len, x) => Val::U(x.bytes().len() as u64),
                    (Func::Lower, Val::Str(s)) => Val::Str(s.to_ascii_lowercase()),
                    (Func::Upper, Val::Str(s)) => Val::Str(s.to_ascii_uppercase()),
                    (_, x) => x,
                })
                .collect(),
            Value::BitAnd(inner, mask) => self
                .values(inner)
                .into_iter()
                .map(|x| match x {
                    Val::U(u) => Val::U(u & mask),
                    other => other,
                })
                .collect(),
        }
    }
}

/// Whether `needle` occurs in `hay` (the empty needle everywhere).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// The bytes of `r` in `bytes`; None when the range reaches past them (Wireshark: no value).
fn slice(bytes: &[u8], r: Range) -> Option<&[u8]> {
    let len = bytes.len() as i64;
    let start = if r.start < 0 { len + r.start } else { r.start };
    let end = r.end.map_or(len, |e| if e < 0 { len + e } else { e });
    if start < 0 || end > len || start > end {
        return None;
    }
    Some(&bytes[start as usize..end as usize])
}

/// A field's value from its `--fields` text.
fn from_text(text: &[u8], kind: Kind) -> Option<Val> {
    let s = std::str::from_utf8(text).ok()?;
    match kind {
        Kind::Uint | Kind::Bool => parse_uint(s).map(Val::U),
        Kind::Time => s.parse().ok().map(Val::T),
        Kind::Mac => parse_bytes(s).map(Val::Bytes),
        Kind::Ipv4 => s.parse::<Ipv4Addr>().ok().map(|a| Val::V4(a.into(), 32)),
        Kind::Ipv6 => s.parse::<Ipv6Addr>().ok().map(|a| Val::V6(a.into(), 128)),
        Kind::Str => Some(Val::Str(text.to_vec())),
        Kind::None => Some(Val::Bytes(Vec::new())),
    }
}

/// An integer in decimal, `0x` hex, `0b` binary or `0` octal.
fn parse_uint(s: &str) -> Option<u64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        u64::from_str_radix(b, 2).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// Bytes as hex pairs separated by `:`, `-` or `.` (or none between pairs).
fn parse_bytes(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for part in s.split([':', '-', '.']) {
        if part.is_empty() || part.len() % 2 == 1 && part.len() > 1 {
            return None;
        }
        if part.len() == 1 {
            out.push(u8::from_str_radix(part, 16).ok()?);
            continue;
        }
        for i in (0..part.len()).step_by(2) {
            out.push(u8::from_str_radix(part.get(i..i + 2)?, 16).ok()?);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// An address with an optional `/prefix`.
fn parse_net<A: std::str::FromStr>(s: &str, max: u8) -> Option<(A, u8)> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, p.parse::<u8>().ok().filter(|p| *p <= max)?),
        None => (s, max),
    };
    Some((addr.parse().ok()?, prefix))
}

/// Parses a literal as a value of type `ty`.
fn literal(text: &[u8], ty: Ty) -> Option<Val> {
    let s = std::str::from_utf8(text).ok();
    match ty {
        Ty::Field(Kind::Str) => Some(Val::Str(text.to_vec())),
        Ty::Field(Kind::Bool) => match s?.to_ascii_lowercase().as_str() {
            "true" => Some(Val::U(1)),
            "false" => Some(Val::U(0)),
            other => parse_uint(other).filter(|v| *v <= 1).map(Val::U),
        },
        Ty::Field(Kind::Uint) => parse_uint(s?).map(Val::U),
        Ty::Field(Kind::Time) => s?.parse().ok().map(Val::T),
        Ty::Field(Kind::Mac) => parse_bytes(s?).filter(|b| b.len() == 6).map(Val::Bytes),
        Ty::Field(Kind::Ipv4) => parse_net::<Ipv4Addr>(s?, 32).map(|(a, p)| Val::V4(a.into(), p)),
        Ty::Field(Kind::Ipv6) => parse_net::<Ipv6Addr>(s?, 128).map(|(a, p)| Val::V6(a.into(), p)),
        Ty::Field(Kind::None) => None,
        Ty::Bytes => parse_bytes(s?).map(Val::Bytes),
    }
}

/// The closest names to `name` among the filter names.
fn suggestions(name: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> =
        FieldRef::filter_names().map(|n| (edit_distance(name, n), n)).collect();
    scored.sort();
    scored.dedup_by_key(|(_, n)| *n);
    let limit = (name.len() / 3).max(2);
    scored.into_iter().filter(|(d, _)| *d <= limit).take(3).map(|(_, n)| n).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Whether a word reads as a field name rather than a literal.
fn looks_like_name(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_alphabetic())
        && w.contains(|c: char| c.is_ascii_alphabetic() && !c.is_ascii_hexdigit() || c == '_')
        && !w.contains(':')
}

struct Compiler {
    refs: Vec<FieldRef>,
}

impl Compiler {
    fn test(&mut self, e: &Expr) -> Result<Test, FilterError> {
        let pair = |c: &mut Self, a: &Expr, b: &Expr| -> Result<(Box<Test>, Box<Test>), FilterError> {
            Ok((Box::new(c.test(a)?), Box::new(c.test(b)?)))
        };
        Ok(match e {
            Expr::Or(a, b) => {
                let (a, b) = pair(self, a, b)?;
                Test::Or(a, b)
            }
            Expr::Xor(a, b) => {
                let (a, b) = pair(self, a, b)?;
                Test::Xor(a, b)
            }
            Expr::And(a, b) => {
                let (a, b) = pair(self, a, b)?;
                Test::And(a, b)
            }
            Expr::Not(a) => Test::Not(Box::new(self.test(a)?)),
            Expr::Test(n) => {
                let (v, ty) = self.field_side(n)?;
                if let (Value::BitAnd(..) | Value::Call(..), Ty::Field(Kind::Str)) = (&v, ty) {
                    return Err(FilterError::new(
                        n.pos(),
                        "expected a field or a test, found a string value",
                    ));
                }
                Test::Present(v)
            }
            Expr::Compare(cmp, l, r) => {
                let (l, r) = self.sides(l, r)?;
                if matches!(cmp, Cmp::Gt | Cmp::Lt | Cmp::Ge | Cmp::Le) {
                    // Booleans and Ethernet addresses are ordered in Wireshark too; nothing to refuse.
                }
                Test::Compare(*cmp, l, r)
            }
            Expr::Contains(l, r) => {
                let (lv, ty) = self.field_side(l)?;
                if !matches!(ty, Ty::Field(Kind::Str | Kind::Mac) | Ty::Bytes) {
                    return Err(FilterError::new(
                        l.pos(),
                        format!(
                            "expected a string or bytes field before 'contains', found {}",
                            ty.describe()
                        ),
                    ));
                }
                let want = if ty == Ty::Field(Kind::Str) { ty } else { Ty::Bytes };
                Test::Contains(lv, self.literal_side(r, want)?)
            }
            Expr::Matches(l, r) => {
                let (lv, ty) = self.field_side(l)?;
                if ty != Ty::Field(Kind::Str) {
                    return Err(FilterError::new(
                        l.pos(),
                        format!("expected a string field before 'matches', found {}", ty.describe()),
                    ));
                }
                let Node::Str(pos, pattern) = r else {
                    return Err(FilterError::new(
                        r.pos(),
                        "expected a quoted regular expression after 'matches'",
                    ));
                };
                let text = String::from_utf8_lossy(pattern);
                // Wireshark's `matches` ignores case unless the pattern says (?-i).
                let re = regex::bytes::RegexBuilder::new(&text)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        let first = e.to_string().lines().last().unwrap_or("").trim().to_string();
                        FilterError::new(*pos, format!("expected a regular expression: {first}"))
                    })?;
                Test::Matches(lv, re)
            }
            Expr::In(v, set) => {
                let (value, ty) = self.field_side(v)?;
                let mut items = Vec::new();
                for (lo, hi) in set {
                    let lo_v = self.lit(lo, ty)?;
                    let hi_v = match hi {
                        Some(h) => Some(self.lit(h, ty)?),
                        None => None,
                    };
                    items.push((lo_v, hi_v));
                }
                Test::In(value, items)
            }
        })
    }

    /// The two sides of a comparison: at least one names a field; a literal takes its type.
    fn sides(&mut self, l: &Node, r: &Node) -> Result<(Value, Value), FilterError> {
        if self.is_field(l) {
            let (lv, ty) = self.field_side(l)?;
            if self.is_field(r) {
                let (rv, rty) = self.field_side(r)?;
                if rty != ty {
                    return Err(FilterError::new(
                        r.pos(),
                        format!(
                            "expected a value of the same type ({}), found {}",
                            ty.describe(),
                            rty.describe()
                        ),
                    ));
                }
                return Ok((lv, rv));
            }
            return Ok((lv, self.literal_side(r, ty)?));
        }
        if self.is_field(r) {
            let (rv, ty) = self.field_side(r)?;
            return Ok((self.literal_side(l, ty)?, rv));
        }
        // Neither side is a field: report the left one.
        self.field_side(l).map(|_| unreachable_pair())
    }

    /// Whether a node is (or is built on) a field.
    fn is_field(&self, n: &Node) -> bool {
        match n {
            Node::Word(_, w) => FieldRef::lookup(w).is_some() || TWO_WAY.iter().any(|(t, _)| t == w),
            Node::Str(..) => false,
            Node::Slice(_, inner, _) | Node::Call(_, _, inner) | Node::BitAnd(_, inner, _) => {
                self.is_field(inner)
            }
        }
    }

    fn field_index(&mut self, r: FieldRef) -> usize {
        match self.refs.iter().position(|x| *x == r) {
            Some(i) => i,
            None => {
                self.refs.push(r);
                self.refs.len() - 1
            }
        }
    }

    /// A value that must be built on a field.
    fn field_side(&mut self, n: &Node) -> Result<(Value, Ty), FilterError> {
        match n {
            Node::Word(pos, w) => {
                if let Some((_, pair)) = TWO_WAY.iter().find(|(t, _)| t == w) {
                    let refs: Vec<FieldRef> = pair.iter().filter_map(|p| FieldRef::lookup(p)).collect();
                    let kind = refs[0].kind();
                    let ids = refs.into_iter().map(|r| self.field_index(r)).collect();
                    return Ok((Value::Field(ids, kind), Ty::Field(kind)));
                }
                match FieldRef::lookup(w) {
                    Some(r) => {
                        let kind = r.kind();
                        Ok((Value::Field(vec![self.field_index(r)], kind), Ty::Field(kind)))
                    }
                    None if looks_like_name(w) => {
                        let near = suggestions(w);
                        let hint = if near.is_empty() {
                            String::new()
                        } else {
                            format!(" (did you mean {}?)", near.join(", "))
                        };
                        Err(FilterError::new(
                            *pos,
                            format!("expected a field or protocol name, found unknown '{w}'{hint}"),
                        ))
                    }
                    None => {
                        Err(FilterError::new(*pos, format!("expected a field name, found the value '{w}'")))
                    }
                }
            }
            Node::Str(pos, _) => Err(FilterError::new(*pos, "expected a field name, found a string")),
            Node::Slice(pos, inner, ranges) => {
                let (v, ty) = self.field_side(inner)?;
                if matches!(ty, Ty::Field(Kind::Uint | Kind::Bool | Kind::Time | Kind::None)) {
                    return Err(FilterError::new(
                        *pos,
                        format!("expected a field with bytes to slice, found {}", ty.describe()),
                    ));
                }
                Ok((Value::Slice(Box::new(v), parse_ranges(ranges, *pos)?), Ty::Bytes))
            }
            Node::Call(pos, name, inner) => {
                let func = match name.as_str() {
                    "len" => Func::Len,
                    "lower" => Func::Lower,
                    "upper" => Func::Upper,
                    other => {
                        return Err(FilterError::new(
                            *pos,
                            format!("expected a function (len, lower, upper), found '{other}'"),
                        ));
                    }
                };
                let (v, ty) = self.field_side(inner)?;
                let ty = match func {
                    Func::Len
                        if matches!(ty, Ty::Field(Kind::Uint | Kind::Bool | Kind::Time | Kind::None)) =>
                    {
                        return Err(FilterError::new(
                            inner.pos(),
                            format!("expected a string or bytes field in len(), found {}", ty.describe()),
                        ));
                    }
                    Func::Len => Ty::Field(Kind::Uint),
                    _ if ty != Ty::Field(Kind::Str) => {
                        return Err(FilterError::new(
                            inner.pos(),
                            format!("expected a string field in {name}(), found {}", ty.describe()),
                        ));
                    }
                    _ => ty,
                };
                Ok((Value::Call(func, Box::new(v)), ty))
            }
            Node::BitAnd(pos, inner, mask) => {
                let (v, ty) = self.field_side(inner)?;
                if ty != Ty::Field(Kind::Uint) {
                    return Err(FilterError::new(
                        *pos,
                        format!("expected an integer field before '&', found {}", ty.describe()),
                    ));
                }
                let Val::U(m) = self.lit(mask, ty)? else { unreachable!("an integer literal") };
                Ok((Value::BitAnd(Box::new(v), m), ty))
            }
        }
    }

    /// A literal of type `ty` (from a word or a string).
    fn literal_side(&mut self, n: &Node, ty: Ty) -> Result<Value, FilterError> {
        if self.is_field(n) {
            let (v, vty) = self.field_side(n)?;
            if vty != ty {
                return Err(FilterError::new(
                    n.pos(),
                    format!("expected {}, found a field of {}", ty.describe(), vty.describe()),
                ));
            }
            return Ok(v);
        }
        Ok(Value::Lit(self.lit(n, ty)?))
    }

    fn lit(&self, n: &Node, ty: Ty) -> Result<Val, FilterError> {
        let (pos, text, shown) = match n {
            Node::Word(p, w) => (*p, w.as_bytes().to_vec(), format!("'{w}'")),
            Node::Str(p, s) => (*p, s.clone(), format!("\"{}\"", String::from_utf8_lossy(s))),
            other => return Err(FilterError::new(other.pos(), format!("expected {}", ty.describe()))),
        };
        if let (Node::Str(..), Ty::Bytes) = (n, ty) {
            return Ok(Val::Bytes(text));
        }
        if ty == Ty::Field(Kind::None) {
            return Err(FilterError::new(
                pos,
                "expected nothing: this field has no value to compare, test it alone",
            ));
        }
        // A bare word for a string field that names a field is taken as a field by `sides`.
        literal(&text, ty)
            .ok_or_else(|| FilterError::new(pos, format!("expected {}, found {shown}", ty.describe())))
    }
}

fn unreachable_pair() -> (Value, Value) {
    unreachable!("field_side of a non-field node always fails")
}

/// Slice ranges: `i:j` (offset, length), `i-j` (inclusive), `i` (one byte), `:j`, `i:`,
/// separated by `,`; negative offsets count from the end.
fn parse_ranges(text: &str, pos: usize) -> Result<Vec<Range>, FilterError> {
    let bad =
        || FilterError::new(pos, format!("expected a byte range such as 0:3, 1-2 or 4, found '{text}'"));
    let int = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let mut out = Vec::new();
    for part in text.split(',') {
        let r = if let Some((a, b)) = part.split_once(':') {
            let start = if a.is_empty() { 0 } else { int(a)? };
            let end = if b.is_empty() {
                None
            } else {
                let n = int(b)?;
                if n < 0 {
                    return Err(bad());
                }
                if start < 0 && start + n > 0 {
                    return Err(bad());
                }
                Some(start + n).filter(|e| !(start < 0 && *e == 0))
            };
            Range { start, end }
        } else if let Some(dash) = part[1.min(part.len())..].find('-').map(|d| d + 1) {
            let (a, b) = (int(&part[..dash])?, int(&part[dash + 1..])?);
            if (a >= 0) == (b >= 0) && b < a {
                return Err(bad());
            }
            Range { start: a, end: Some(b + 1).filter(|e| *e != 0) }
        } else {
            let a = int(part)?;
            Range { start: a, end: Some(a + 1).filter(|e| *e != 0) }
        };
        out.push(r);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
