//! The command line's positional words, read the tcpdump way: a filter expression and input
//! files (see README "Expressions and files").
//!
//! - With `-r FILE` the words form the filter expression, as in `tcpdump -r f.pcap tcp port 80`.
//! - With `-F FILE` the expression is that file's text and the words are input files.
//! - Otherwise the trailing words that name existing files, `-`, or look like paths (contain
//!   `/` or end in a capture suffix) are the inputs, and the words before them are the
//!   expression: `pcap-filter tcp port 80 f.pcap` works unquoted. pkt-decode and pkt-stats
//!   also take leading inputs followed by the expression: `pkt-decode f.pcap tcp port 80`.
//!
//! A word that is neither an input nor part of an expression libpcap compiles is refused
//! before any output, with exit 2 and a hint.

use std::path::{Path, PathBuf};

use pktkit::bpf::{Filter, NETMASK_UNKNOWN, Program};
use pktkit::capture::{Interface, LinkType};

use crate::cli::{self, Failure};

/// File name endings taken as capture files even when the file does not exist (so that a
/// missing capture is reported as a missing file, exit 1).
const CAPTURE_SUFFIXES: [&str; 8] = [".pcap", ".pcapng", ".cap", ".dmp", ".gz", ".zst", ".xz", ".erf"];

/// Parts of libpcap's messages for errors in the words themselves (not in how they apply to
/// one link type or netmask, which is known only once the input is read).
const WORD_ERRORS: [&str; 3] = ["syntax error", "unknown ", "illegal "];

/// What the positional words and `-r`/`-F` name.
#[derive(Debug, Default)]
pub struct Selection {
    /// The filter expression, if any (`None`: every packet).
    pub expression: Option<String>,
    /// Input files in order (empty: stdin).
    pub files: Vec<PathBuf>,
}

/// How a tool takes its words.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// pcap-filter: without -r/-F the first word always starts the expression.
    ExpressionFirst,
    /// pkt-decode, pkt-stats: every word may be an input.
    FilesFirst,
}

/// Splits `words` into an expression and inputs, given `-r` files and the `-F` file.
pub fn select(
    form: Form,
    read: &[PathBuf],
    expr_file: Option<&Path>,
    words: &[String],
) -> Result<Selection, Failure> {
    let from_file = match expr_file {
        Some(path) => Some(read_expression_file(path)?),
        None => None,
    };
    let mut sel = Selection::default();
    if !read.is_empty() {
        sel.files = read.to_vec();
        if from_file.is_some() && !words.is_empty() {
            return Err(Failure::Usage(format!(
                "'{}': with -r and -F the expression comes from -F's file; name more inputs with more -r",
                words.join(" ")
            )));
        }
        let on_line = from_file.is_none();
        sel.expression = from_file.or_else(|| (!words.is_empty()).then(|| words.join(" ")));
        if on_line && !words.is_empty() {
            check_words(words, true)?;
        }
    } else if from_file.is_some() {
        sel.expression = from_file;
        sel.files = words.iter().map(PathBuf::from).collect();
    } else {
        let first_input = if form == Form::ExpressionFirst && !words.is_empty() { 1 } else { 0 };
        let mut split = words.len();
        while split > first_input && is_input(&words[split - 1]) {
            split -= 1;
        }
        let (mut expr, mut files) = words.split_at(split);
        if form == Form::FilesFirst && files.is_empty() {
            // `pkt-decode f.pcap tcp port 80`: leading inputs, then the expression.
            let lead = words.iter().take_while(|w| is_input(w)).count();
            (files, expr) = words.split_at(lead);
        }
        sel.files = files.iter().map(PathBuf::from).collect();
        if !expr.is_empty() {
            sel.expression = Some(expr.join(" "));
            check_words(expr, false)?;
        }
    }
    if let Some(e) = &sel.expression
        && e.trim().is_empty()
    {
        sel.expression = None;
    }
    Ok(sel)
}

/// tcpdump -F: the file's text, `#` comments removed (as tcpdump does).
fn read_expression_file(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Runtime(format!("-F {}: {}", path.display(), cli::io_message(&e))))?;
    let lines: Vec<&str> = text.lines().map(|l| l.split('#').next().unwrap_or("")).collect();
    Ok(lines.join(" ").split_whitespace().collect::<Vec<_>>().join(" "))
}

/// True for a word taken as an input file.
fn is_input(word: &str) -> bool {
    word == "-"
        || Path::new(word).exists()
        || word.contains('/')
        || CAPTURE_SUFFIXES.iter().any(|s| word.to_ascii_lowercase().ends_with(s))
}

/// Err with libpcap's message when `expr` has an error in its words; link-type errors pass.
fn compiles(expr: &str) -> Result<(), String> {
    match Program::compile(expr, LinkType::ETHERNET, NETMASK_UNKNOWN) {
        Err(e) if WORD_ERRORS.iter().any(|w| e.message.contains(w)) => Err(e.message),
        _ => Ok(()),
    }
}

/// Refuses expression words libpcap cannot compile, naming the first word past the longest
/// prefix that compiles.
fn check_words(words: &[String], after_read: bool) -> Result<(), Failure> {
    let whole = words.join(" ");
    let Err(message) = compiles(&whole) else { return Ok(()) };
    let valid_prefix = (1..words.len()).rev().find(|&n| compiles(&words[..n].join(" ")).is_ok());
    let culprit = &words[valid_prefix.unwrap_or(0)];
    let hint = if after_read && Path::new(culprit).exists() {
        format!(
            "'{culprit}' is a file: with -r the words after the options are the filter expression; name more inputs with more -r"
        )
    } else if after_read {
        "with -r the words after the options are the filter expression (man 7 pcap-filter)".to_string()
    } else {
        "inputs are the last words and must exist; quote the expression, e.g. 'tcp port 80' f.pcap"
            .to_string()
    };
    let what = match valid_prefix {
        _ if after_read && Path::new(culprit).exists() => format!("'{whole}' is not a filter expression"),
        Some(n) => format!(
            "'{culprit}' is neither an existing file nor part of a filter expression ('{}' is one)",
            words[..n].join(" ")
        ),
        None if words.len() == 1 => {
            format!("'{culprit}' is neither an existing file nor a filter expression")
        }
        None => format!("'{whole}' is not a filter expression"),
    };
    Err(Failure::Usage(format!("{what}: {message}; {hint}")))
}

/// Compiles for the stream's first link type: an expression libpcap rejects there is a usage
/// error (exit 2). Inverted (`-v`), a well-formed expression that cannot apply to this link
/// type (it compiles for Ethernet) matches nothing, so every packet is kept, as for the other
/// link types of a stream.
pub fn compile_first(filter: &mut Filter, iface: &Interface, invert: bool) -> Result<(), Failure> {
    let expr = filter.expression().to_string();
    let netmask = filter.netmask();
    let linktype = iface.linktype;
    match filter.prepare(iface) {
        Ok(_) => Ok(()),
        Err(e)
            if invert
                && (e.rejects_all() || Program::compile(&expr, LinkType::ETHERNET, netmask).is_ok()) =>
        {
            Ok(())
        }
        Err(e) => Err(Failure::Usage(format!("filter '{expr}' on link type {linktype}: {}", e.message))),
    }
}

/// Warns about the link types the filter could not be compiled for.
pub fn report_failures(tool: &str, filter: &Filter) {
    for e in filter.failures() {
        cli::warn(
            tool,
            format!(
                "filter does not apply to link type {} ({}); its packets did not match",
                e.linktype, e.message
            ),
        );
    }
}

/// A filter for the packets of the stream, checking the first packet's link type: the
/// expression applies to every later packet through [`Filter::matches`].
pub struct StreamFilter {
    filter: Filter,
    checked_first: bool,
}

impl StreamFilter {
    /// A stream filter for `expr`, or None when there is no expression.
    pub fn new(expr: Option<&str>) -> Option<Self> {
        expr.map(|e| StreamFilter { filter: Filter::new(e, NETMASK_UNKNOWN), checked_first: false })
    }

    /// True when the packet matches; a first link type the expression cannot apply to is a
    /// usage error.
    pub fn matches(&mut self, pkt: &pktkit::capture::Packet<'_>) -> Result<bool, Failure> {
        if !self.checked_first {
            compile_first(&mut self.filter, pkt.interface, false)?;
            self.checked_first = true;
        }
        Ok(self.filter.matches(pkt))
    }

    /// Warns about link types the expression did not apply to.
    pub fn report(&self, tool: &str) {
        report_failures(tool, &self.filter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn expression_then_files() {
        let s = select(Form::ExpressionFirst, &[], None, &words("tcp port 80 x.pcap -")).unwrap();
        assert_eq!(s.expression.as_deref(), Some("tcp port 80"));
        assert_eq!(s.files, [PathBuf::from("x.pcap"), PathBuf::from("-")]);
        let s = select(Form::FilesFirst, &[], None, &words("a.pcap b.pcapng")).unwrap();
        assert_eq!(s.expression, None);
        assert_eq!(s.files.len(), 2);
        let s = select(Form::FilesFirst, &[PathBuf::from("f.pcap")], None, &words("not arp")).unwrap();
        assert_eq!(s.expression.as_deref(), Some("not arp"));
    }

    #[test]
    fn bad_words_are_usage_errors() {
        let e = select(Form::FilesFirst, &[], None, &words("tcp port 80 nosuchword")).unwrap_err();
        assert!(matches!(&e, Failure::Usage(m) if m.contains("'nosuchword' is neither")), "{e}");
        let e =
            select(Form::FilesFirst, &[PathBuf::from("f.pcap")], None, &words("tcp prot 80")).unwrap_err();
        assert!(matches!(&e, Failure::Usage(m) if m.contains("'prot'")), "{e}");
    }
}
