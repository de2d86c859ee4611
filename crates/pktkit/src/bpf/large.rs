//! Large expressions: how pktkit compiles a filter of thousands of clauses.
//!
//! Where libpcap's time goes (libpcap 1.10.3, `host A or host B or ...`, measured with
//! `tcpdump -d` and perf, see README.md, pcap-filter): its optimiser iterates data-flow passes
//! over every block until nothing changes, growing faster than the square of the expression
//! (250 clauses 1.0 s, 500 clauses 7.5 s, 2,000 clauses over 60 s and 244 MB). Without the
//! optimiser, code generation is still quadratic: each branch that jumps more than 255
//! instructions needs a long jump, and libpcap restarts the whole conversion for each one it
//! finds (1,000 clauses 3 s, 2,000 clauses 12-18 s).
//!
//! So a disjunction (`A or B or ...`, no `and` outside parentheses) of more than
//! [`MAX_OPTIMIZED_OPERATORS`] operators is cut into parts of at most that many `or`s, each
//! compiled with the optimiser; a packet matches when a part does. libpcap's `and` and `or`
//! have equal precedence and associate left to right, so cutting at top-level `or`s is exact
//! when no `and` is at the top level. A part starts only at a clause that names its own
//! primitive (a keyword such as `host`, `tcp`, `port`, after any `not` or `(`): a bare value
//! (`host a or b`) takes the qualifiers of the clause before it, so it stays with it. Any
//! other expression of more operators is compiled without the optimiser, as `tcpdump -O`.

/// Expressions with more `and`/`or` operators than this are not given to libpcap's optimiser
/// whole (about 0.1 s of optimising at this size): see the module docs.
pub const MAX_OPTIMIZED_OPERATORS: usize = 100;

/// How an expression is compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// One program, optimised: every expression of up to [`MAX_OPTIMIZED_OPERATORS`] operators.
    Optimized,
    /// A large disjunction cut into these parts, each optimised; a packet matches if one does.
    Parts(Vec<String>),
    /// A large expression that is not a disjunction: one program, not optimised.
    Unoptimized,
}

impl Plan {
    /// The plan for `expr`, with its number of `and`/`or` operators.
    pub fn of(expr: &str) -> (Plan, usize) {
        let words = words(expr);
        let operators = words.iter().filter(|w| w.is_operator()).count();
        if operators <= MAX_OPTIMIZED_OPERATORS {
            return (Plan::Optimized, operators);
        }
        match parts(expr, &words) {
            Some(parts) if parts.len() > 1 => (Plan::Parts(parts), operators),
            _ => (Plan::Unoptimized, operators),
        }
    }
}

/// A lexical piece of an expression, with its bracket depth.
#[derive(Debug)]
struct Word<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
}

impl Word<'_> {
    fn is_or(&self) -> bool {
        matches!(self.text, "or" | "||")
    }

    fn is_and(&self) -> bool {
        matches!(self.text, "and" | "&&")
    }

    fn is_operator(&self) -> bool {
        self.is_or() || self.is_and()
    }
}

/// Characters of a libpcap name, number or address.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':' | b'\\')
}

/// The expression's names and operators (`or`, `||`, `and`, `&&`, `not`, `!`, brackets) with
/// their depth in `(`/`[` brackets; other punctuation is left out.
fn words(expr: &str) -> Vec<Word<'_>> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut depth) = (0, 0usize);
    while i < b.len() {
        let start = i;
        match b[i] {
            c if is_name_byte(c) => {
                while i < b.len() && is_name_byte(b[i]) {
                    i += 1;
                }
            }
            b'|' | b'&' if b.get(i + 1) == Some(&b[i]) => i += 2,
            b'(' | b'[' => {
                out.push(Word { text: &expr[i..i + 1], at: i, depth });
                depth += 1;
                i += 1;
                continue;
            }
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
                out.push(Word { text: &expr[start..i], at: start, depth });
                continue;
            }
            b'!' if b.get(i + 1) != Some(&b'=') => i += 1,
            _ => {
                // Multi-byte UTF-8 and other punctuation: skipped whole.
                i += expr[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
        }
        out.push(Word { text: &expr[start..i], at: start, depth });
    }
    out
}

/// Keywords that start a primitive of their own (libpcap's scanner; a missing one only means
/// fewer places to cut).
const PRIMITIVES: &[&str] = &[
    "dst",
    "src",
    "host",
    "gateway",
    "net",
    "port",
    "portrange",
    "proto",
    "protochain",
    "less",
    "greater",
    "len",
    "broadcast",
    "multicast",
    "inbound",
    "outbound",
    "ifindex",
    "vlan",
    "mpls",
    "pppoed",
    "pppoes",
    "geneve",
    "vxlan",
    "ether",
    "fddi",
    "tr",
    "wlan",
    "ppp",
    "slip",
    "link",
    "ip",
    "ip6",
    "arp",
    "rarp",
    "atalk",
    "aarp",
    "decnet",
    "lat",
    "sca",
    "moprc",
    "mopdl",
    "iso",
    "esis",
    "isis",
    "clnp",
    "stp",
    "ipx",
    "netbeui",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "igmp",
    "igrp",
    "pim",
    "vrrp",
    "carp",
    "sctp",
    "ah",
    "esp",
    "radio",
    "llc",
    "ifname",
    "on",
    "rnr",
    "rulenum",
    "reason",
    "rset",
    "srnr",
    "subrulenum",
    "action",
    "type",
    "subtype",
    "dir",
    "addr1",
    "addr2",
    "addr3",
    "addr4",
    "ra",
    "ta",
];

/// True when the clause starting at `words[0]` names its own primitive (after `not`, `!`, `(`).
fn stands_alone(words: &[Word<'_>]) -> bool {
    let first = words.iter().find(|w| !matches!(w.text, "not" | "!" | "("));
    first.is_some_and(|w| PRIMITIVES.contains(&w.text))
}

/// The parts of a top-level disjunction, each of at most [`MAX_OPTIMIZED_OPERATORS`] `or`s
/// where the clauses allow; `None` when `and` is at the top level or brackets do not balance.
fn parts(expr: &str, words: &[Word<'_>]) -> Option<Vec<String>> {
    let mut open = 0i64;
    for w in words {
        if w.depth == 0 && w.is_and() {
            return None;
        }
        open += match w.text {
            "(" | "[" => 1,
            ")" | "]" => -1,
            _ => 0,
        };
        if open < 0 {
            return None;
        }
    }
    if open != 0 {
        return None;
    }
    let mut out = Vec::new();
    let (mut start, mut ors) = (0, 0);
    for (i, w) in words.iter().enumerate() {
        if w.depth != 0 || !w.is_or() {
            continue;
        }
        let rest = &words[i + 1..];
        if ors >= MAX_OPTIMIZED_OPERATORS && stands_alone(rest) {
            out.push(expr[start..w.at].trim().to_string());
            start = rest.first().map_or(expr.len(), |r| r.at);
            ors = 0;
        } else {
            ors += 1;
        }
    }
    out.push(expr[start..].trim().to_string());
    out.iter().all(|p| !p.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(n: usize) -> String {
        (0..n).map(|i| format!("host 10.0.{}.{}", i / 256, i % 256)).collect::<Vec<_>>().join(" or ")
    }

    #[test]
    fn small_expressions_are_optimised_whole() {
        assert_eq!(Plan::of("tcp port 80 or udp"), (Plan::Optimized, 1));
        assert_eq!(Plan::of(&hosts(101)), (Plan::Optimized, 100));
    }

    #[test]
    fn a_large_disjunction_is_cut_at_clauses_of_their_own() {
        let (plan, ops) = Plan::of(&hosts(250));
        assert_eq!(ops, 249);
        let Plan::Parts(parts) = plan else { panic!("{plan:?}") };
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.join(" or "), hosts(250), "the parts are the expression, in order");
        assert!(parts.iter().all(|p| Plan::of(p).1 <= MAX_OPTIMIZED_OPERATORS), "{parts:?}");
    }

    #[test]
    fn bare_values_stay_with_the_qualifiers_they_take() {
        // `host a or b or c ...`: every clause after the first takes `host`: nowhere to cut.
        let ids: Vec<String> = (0..300).map(|i| format!("10.1.{}.{}", i / 256, i % 256)).collect();
        let expr = format!("host {}", ids.join(" or "));
        assert_eq!(Plan::of(&expr).0, Plan::Unoptimized);
        // `... or not 10.0.0.1` and `... or (10.0.0.2 or 10.0.0.3)` take them too.
        let expr = format!("{} or not 10.9.9.9 or (10.9.9.8 or 10.9.9.7) or udp", hosts(200));
        let Plan::Parts(parts) = Plan::of(&expr).0 else { panic!() };
        assert!(parts[1].starts_with("host "), "{}", parts[1]);
        assert!(parts.iter().all(|p| !p.starts_with("not 10.") && !p.starts_with("(10.")), "{parts:?}");
        assert_eq!(parts.join(" or "), expr);
    }

    #[test]
    fn and_at_the_top_level_is_not_cut() {
        let expr = format!("{} and tcp", hosts(200));
        assert_eq!(Plan::of(&expr), (Plan::Unoptimized, 200));
        let expr = format!("({}) && tcp", hosts(200));
        assert_eq!(Plan::of(&expr).0, Plan::Unoptimized);
        // Inside parentheses, `and` does not matter.
        let expr = format!("{} or (tcp and port 80)", hosts(200));
        assert!(matches!(Plan::of(&expr).0, Plan::Parts(_)));
    }
}
