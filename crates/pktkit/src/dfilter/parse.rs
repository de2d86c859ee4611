//! The syntax tree of a display filter (Wireshark 4.0's grammar: `or` < `xor` < `and` < `not`).

use super::FilterError;
use super::lex::Tok;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `==`: some occurrence equals.
    Eq,
    /// `!=`: no occurrence equals (Wireshark 4.0).
    Ne,
    /// `===`: every occurrence equals.
    AllEq,
    /// `~=` / `!==`: some occurrence differs.
    AnyNe,
    Gt,
    Lt,
    Ge,
    Le,
}

/// A boolean expression.
#[derive(Clone, Debug)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    Xor(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A value alone: a field's or protocol's presence, `tcp.flags & 0x02` non-zero.
    Test(Node),
    Compare(Cmp, Node, Node),
    Contains(Node, Node),
    Matches(Node, Node),
    /// `in {...}`: members and inclusive ranges.
    In(Node, Vec<(Node, Option<Node>)>),
}

/// A value: a field, a literal, or an operation on one.
#[derive(Clone, Debug)]
pub enum Node {
    /// An unquoted word: a field name or a literal, decided against the field table.
    Word(usize, String),
    /// A quoted string.
    Str(usize, Vec<u8>),
    /// `value[ranges]`, the ranges' text as written.
    Slice(usize, Box<Node>, String),
    /// `len(x)`, `lower(x)`, `upper(x)`.
    Call(usize, String, Box<Node>),
    /// `value & mask`.
    BitAnd(usize, Box<Node>, Box<Node>),
}

impl Node {
    /// Where the value starts in the expression.
    pub fn pos(&self) -> usize {
        match self {
            Node::Word(p, _)
            | Node::Str(p, _)
            | Node::Slice(p, ..)
            | Node::Call(p, ..)
            | Node::BitAnd(p, ..) => *p,
        }
    }
}

/// Parses tokens into an expression; `len` is the expression's length (for errors at its end).
pub fn parse(toks: &[(usize, Tok)], len: usize) -> Result<Expr, FilterError> {
    let mut p = Parser { toks, at: 0, len };
    if toks.is_empty() {
        return Err(FilterError::new(0, "expected a field, a value or '(', found an empty expression"));
    }
    let e = p.or()?;
    if p.at < toks.len() {
        return Err(p.expected("'and', 'or', 'xor' or the end of the expression"));
    }
    Ok(e)
}

struct Parser<'t> {
    toks: &'t [(usize, Tok)],
    at: usize,
    len: usize,
}

const KEYWORDS: &[&str] = &[
    "and", "or", "xor", "not", "in", "contains", "matches", "eq", "ne", "gt", "lt", "ge", "le", "any_eq",
    "all_ne", "all_eq", "any_ne",
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(_, t)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.len, |(p, _)| *p)
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the expression".to_string(),
            Some(Tok::Word(w)) => format!("'{w}'"),
            Some(Tok::Str(_)) => "a string".to_string(),
            Some(Tok::Punct(p)) => format!("'{p}'"),
        }
    }

    fn expected(&self, what: &str) -> FilterError {
        FilterError::new(self.pos(), format!("expected {what}, found {}", self.found()))
    }

    /// Takes the next token if it is one of `words` or `puncts`.
    fn eat(&mut self, words: &[&str], puncts: &[&str]) -> Option<String> {
        let hit = match self.peek()? {
            Tok::Word(w) if words.contains(&w.as_str()) => w.clone(),
            Tok::Punct(p) if puncts.contains(p) => p.to_string(),
            _ => return None,
        };
        self.at += 1;
        Some(hit)
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut e = self.xor()?;
        while self.eat(&["or"], &["||"]).is_some() {
            e = Expr::Or(Box::new(e), Box::new(self.xor()?));
        }
        Ok(e)
    }

    fn xor(&mut self) -> Result<Expr, FilterError> {
        let mut e = self.and()?;
        while self.eat(&["xor"], &["^^"]).is_some() {
            e = Expr::Xor(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut e = self.not()?;
        while self.eat(&["and"], &["&&"]).is_some() {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if self.eat(&["not"], &["!"]).is_some() {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if self.eat(&[], &["("]).is_some() {
            let e = self.or()?;
            if self.eat(&[], &[")"]).is_none() {
                return Err(self.expected("')'"));
            }
            return Ok(e);
        }
        self.relation()
    }

    fn relation(&mut self) -> Result<Expr, FilterError> {
        let lhs = self.value()?;
        let ops: &[(&str, Cmp)] = &[
            ("==", Cmp::Eq),
            ("eq", Cmp::Eq),
            ("any_eq", Cmp::Eq),
            ("!=", Cmp::Ne),
            ("ne", Cmp::Ne),
            ("all_ne", Cmp::Ne),
            ("===", Cmp::AllEq),
            ("all_eq", Cmp::AllEq),
            ("~=", Cmp::AnyNe),
            ("!==", Cmp::AnyNe),
            ("any_ne", Cmp::AnyNe),
            (">", Cmp::Gt),
            ("gt", Cmp::Gt),
            ("<", Cmp::Lt),
            ("lt", Cmp::Lt),
            (">=", Cmp::Ge),
            ("ge", Cmp::Ge),
            ("<=", Cmp::Le),
            ("le", Cmp::Le),
        ];
        let next = match self.peek() {
            Some(Tok::Word(w)) => Some(w.as_str()),
            Some(Tok::Punct(p)) => Some(*p),
            _ => None,
        };
        if let Some((_, cmp)) = ops.iter().find(|(o, _)| Some(*o) == next) {
            self.at += 1;
            let rhs = self.value()?;
            return Ok(Expr::Compare(*cmp, lhs, rhs));
        }
        match next {
            Some("contains") => {
                self.at += 1;
                Ok(Expr::Contains(lhs, self.value()?))
            }
            Some("matches") | Some("~") => {
                self.at += 1;
                Ok(Expr::Matches(lhs, self.value()?))
            }
            Some("in") => {
                self.at += 1;
                if self.eat(&[], &["{"]).is_none() {
                    return Err(self.expected("'{' after 'in'"));
                }
                let mut set = Vec::new();
                loop {
                    if self.eat(&[], &["}"]).is_some() {
                        break;
                    }
                    if !set.is_empty() {
                        self.eat(&[], &[","]);
                    }
                    let lo = self.value()?;
                    let hi = if self.eat(&[], &[".."]).is_some() { Some(self.value()?) } else { None };
                    set.push((lo, hi));
                }
                if set.is_empty() {
                    return Err(FilterError::new(
                        self.toks[self.at - 1].0,
                        "expected a value in the set, found '}'",
                    ));
                }
                Ok(Expr::In(lhs, set))
            }
            _ => Ok(Expr::Test(lhs)),
        }
    }

    fn value(&mut self) -> Result<Node, FilterError> {
        let mut v = self.term()?;
        while let Some((pos, Tok::Punct("&"))) = self.toks.get(self.at) {
            let pos = *pos;
            self.at += 1;
            v = Node::BitAnd(pos, Box::new(v), Box::new(self.term()?));
        }
        Ok(v)
    }

    fn term(&mut self) -> Result<Node, FilterError> {
        let pos = self.pos();
        let mut v = match self.peek() {
            Some(Tok::Word(w)) if !KEYWORDS.contains(&w.as_str()) => {
                let w = w.clone();
                self.at += 1;
                if self.eat(&[], &["("]).is_some() {
                    let arg = self.value()?;
                    if self.eat(&[], &[")"]).is_none() {
                        return Err(self.expected("')' closing the function's argument"));
                    }
                    Node::Call(pos, w, Box::new(arg))
                } else {
                    Node::Word(pos, w)
                }
            }
            Some(Tok::Str(s)) => {
                let s = s.clone();
                self.at += 1;
                Node::Str(pos, s)
            }
            _ => return Err(self.expected("a field, a value or '('")),
        };
        while self.eat(&[], &["["]).is_some() {
            let mut ranges = String::new();
            loop {
                match self.peek() {
                    Some(Tok::Punct("]")) => break,
                    Some(Tok::Word(w)) => ranges.push_str(w),
                    Some(Tok::Punct(",")) => ranges.push(','),
                    _ => return Err(self.expected("a byte range such as 0:3, 1-2 or 4 and ']'")),
                }
                self.at += 1;
            }
            self.at += 1;
            if ranges.is_empty() {
                return Err(FilterError::new(self.toks[self.at - 1].0, "expected a byte range before ']'"));
            }
            v = Node::Slice(pos, Box::new(v), ranges);
        }
        Ok(v)
    }
}
