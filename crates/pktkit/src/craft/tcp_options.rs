//! TCP options in a spec: Scapy's `[('MSS',1460), ('SAckOK',b''), ...]` or the short
//! `[MSS=1460, SAckOK, ...]`, encoded unpadded (the builder pads to 4 bytes).

use super::error::CraftError;
use super::parse::{Kind, Value};
use super::values::{Val, int_value, text_of};

/// TCP option names (Scapy's spelling) and kinds.
const TCP_OPTIONS: &[(&str, u8)] = &[
    ("EOL", 0),
    ("NOP", 1),
    ("MSS", 2),
    ("WScale", 3),
    ("SAckOK", 4),
    ("SAck", 5),
    ("Timestamp", 8),
    ("MD5", 19),
    ("UTO", 28),
];

fn option_err(v: &Value, detail: &str) -> CraftError {
    CraftError::bad(v.pos, "TCP option", &v.text, detail)
}

/// The numbers of a value: a number, or a tuple or list of numbers.
fn numbers(v: &Value, bits: u8) -> Option<Vec<u64>> {
    let one = |v: &Value| v.kind.as_text().and_then(|t| int_value(&t, bits, &[]));
    match &v.kind {
        Kind::Tuple(items) => items.iter().map(one).collect(),
        Kind::List(items) => {
            items.iter().map(|a| if a.name.is_some() { None } else { one(&a.value) }).collect()
        }
        _ => one(v).map(|n| vec![n]),
    }
}

fn is_empty_value(v: &Value) -> bool {
    match &v.kind {
        Kind::Str(b) | Kind::Bytes(b) => b.is_empty(),
        Kind::Word(w) => w == "None",
        Kind::Tuple(t) => t.is_empty(),
        Kind::List(l) => l.is_empty(),
        Kind::Call(..) => false,
    }
}

/// Encodes one option given as a name (or kind number) and an optional value.
fn tcp_option(name: &Value, value: Option<&Value>, out: &mut Vec<u8>) -> Result<(), CraftError> {
    let t = text_of(name, "TCP option")?;
    let known = TCP_OPTIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(&t)).map(|(_, k)| *k);
    let kind = match known.or_else(|| int_value(&t, 8, &[]).map(|k| k as u8)) {
        Some(k) => k,
        None => {
            let names: Vec<&str> = TCP_OPTIONS.iter().map(|(n, _)| *n).collect();
            return Err(option_err(
                name,
                &format!("unknown option (known: {}, or a kind number)", names.join(", ")),
            ));
        }
    };
    let data: Vec<u8> = match (kind, known.is_some(), value) {
        (0 | 1, true, v) if v.is_none_or(is_empty_value) => {
            out.push(kind);
            return Ok(());
        }
        (0 | 1, true, Some(v)) => return Err(option_err(v, "EOL and NOP take no value")),
        (4, true, v) if v.is_none_or(is_empty_value) => Vec::new(),
        (_, _, None) => return Err(option_err(name, "this option needs a value")),
        (2 | 28, true, Some(v)) => match numbers(v, 16).as_deref() {
            Some([n]) => (*n as u16).to_be_bytes().to_vec(),
            _ => return Err(option_err(v, "expected a number from 0 to 65535")),
        },
        (3, true, Some(v)) => match numbers(v, 8).as_deref() {
            Some([n]) => vec![*n as u8],
            _ => return Err(option_err(v, "expected a number from 0 to 255")),
        },
        (5, true, Some(v)) => match numbers(v, 32) {
            Some(ns) if !ns.is_empty() => ns.iter().flat_map(|n| (*n as u32).to_be_bytes()).collect(),
            _ => return Err(option_err(v, "expected SAck edges as (left, right, ...) 32-bit numbers")),
        },
        (8, true, Some(v)) => match numbers(v, 32).as_deref() {
            Some([a, b]) => [(*a as u32).to_be_bytes(), (*b as u32).to_be_bytes()].concat(),
            _ => return Err(option_err(v, "expected (TSval, TSecr)")),
        },
        (_, _, Some(v)) => match &v.kind {
            Kind::Str(b) | Kind::Bytes(b) => b.clone(),
            Kind::Word(w) if w == "None" => Vec::new(),
            _ => return Err(option_err(v, "expected the option's data as a string or b'...'")),
        },
    };
    if data.len() > 38 {
        return Err(option_err(name, "option data longer than 38 bytes"));
    }
    out.push(kind);
    out.push(data.len() as u8 + 2);
    out.extend_from_slice(&data);
    Ok(())
}

/// `options=[('MSS',1460), ('SAckOK',b''), NOP, WScale=7, ...]`.
pub(super) fn tcp_options(v: &Value) -> Result<Val, CraftError> {
    let Kind::List(items) = &v.kind else {
        return Err(option_err(
            v,
            "expected a list, e.g. [('MSS',1460),('WScale',7)] or [MSS=1460,WScale=7]",
        ));
    };
    let mut out = Vec::new();
    for item in items {
        match (&item.name, &item.value.kind) {
            (Some((name, pos)), _) => {
                let name_value = Value { pos: *pos, text: name.clone(), kind: Kind::Word(name.clone()) };
                tcp_option(&name_value, Some(&item.value), &mut out)?;
            }
            (None, Kind::Tuple(t)) => match t.as_slice() {
                [name] => tcp_option(name, None, &mut out)?,
                [name, value] => tcp_option(name, Some(value), &mut out)?,
                _ => return Err(option_err(&item.value, "expected (name, value)")),
            },
            (None, Kind::Word(_) | Kind::Str(_)) => tcp_option(&item.value, None, &mut out)?,
            (None, _) => return Err(option_err(&item.value, "expected (name, value), name=value or a name")),
        }
    }
    let padded = out.len().div_ceil(4) * 4;
    if padded > 40 {
        return Err(option_err(v, &format!("options take {padded} bytes with padding; TCP allows 40")));
    }
    Ok(Val::Options(out))
}
