//! Telnet commands (RFC 854, options RFC 855 and later) at the start of a TCP payload, as
//! tcpdump 4.99.3's `telnet_parse` reads them: `IAC` and a command, an option for `WILL`,
//! `WONT`, `DO`, `DONT` and `SB`, and a subnegotiation up to `IAC SE`.
//!
//! Each command reads as the words tcpdump prints for it. Zero-copy over the payload; a read
//! past the captured bytes is [`Parsed::Cut`] (tcpdump's `[|telnet]`), a command that is not
//! one (or runs past the segment's length) ends the commands ([`Parsed::End`]).

/// Interpret as command.
pub const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
const SB: u8 = 250;
/// End of subnegotiation.
const SE: u8 = 240;
/// The lowest command byte (`xEOF`).
const FIRST_COMMAND: u8 = 236;

const AUTHENTICATION: u8 = 37;
const ENCRYPT: u8 = 38;

/// tcpdump's `telcmds`, from `xEOF` (236) to `IAC` (255).
const COMMANDS: [&str; 20] = [
    "EOF", "SUSP", "ABORT", "EOR", "SE", "NOP", "DMARK", "BRK", "IP", "AO", "AYT", "EC", "EL", "GA", "SB",
    "WILL", "WONT", "DO", "DONT", "IAC",
];

/// tcpdump's `telopts` (options 0 to 39).
const OPTIONS: [&str; 40] = [
    "BINARY",
    "ECHO",
    "RCP",
    "SUPPRESS GO AHEAD",
    "NAME",
    "STATUS",
    "TIMING MARK",
    "RCTE",
    "NAOL",
    "NAOP",
    "NAOCRD",
    "NAOHTS",
    "NAOHTD",
    "NAOFFD",
    "NAOVTS",
    "NAOVTD",
    "NAOLFD",
    "EXTEND ASCII",
    "LOGOUT",
    "BYTE MACRO",
    "DATA ENTRY TERMINAL",
    "SUPDUP",
    "SUPDUP OUTPUT",
    "SEND LOCATION",
    "TERMINAL TYPE",
    "END OF RECORD",
    "TACACS UID",
    "OUTPUT MARKING",
    "TTYLOC",
    "3270 REGIME",
    "X.3 PAD",
    "NAWS",
    "TSPEED",
    "LFLOW",
    "LINEMODE",
    "XDISPLOC",
    "OLD-ENVIRON",
    "AUTHENTICATION",
    "ENCRYPT",
    "NEW-ENVIRON",
];

/// Subnegotiation qualifiers (tcpdump's `cmds`).
const QUALIFIERS: &[Option<&str>] = &[Some("IS"), Some("SEND"), Some("INFO")];
const AUTH_COMMANDS: &[Option<&str>] = &[Some("IS"), Some("SEND"), Some("REPLY"), Some("NAME")];
const AUTH_TYPES: &[Option<&str>] = &[
    Some("NULL"),
    Some("KERBEROS_V4"),
    Some("KERBEROS_V5"),
    Some("SPX"),
    Some("MINK"),
    Some("SRP"),
    Some("RSA"),
    Some("SSL"),
    None,
    None,
    Some("LOKI"),
    Some("SSA"),
    Some("KEA_SJ"),
    Some("KEA_SJ_INTEG"),
    Some("DSS"),
    Some("NTLM"),
];
const ENCRYPT_COMMANDS: &[Option<&str>] = &[
    Some("IS"),
    Some("SUPPORT"),
    Some("REPLY"),
    Some("START"),
    Some("END"),
    Some("REQUEST-START"),
    Some("REQUEST-END"),
    Some("END_KEYID"),
    Some("DEC_KEYID"),
];
const ENCRYPT_TYPES: &[Option<&str>] = &[
    Some("NULL"),
    Some("DES_CFB64"),
    Some("DES_OFB64"),
    Some("DES3_CFB64"),
    Some("DES3_OFB64"),
    None,
    Some("CAST5_40_CFB64"),
    Some("CAST5_40_OFB64"),
    Some("CAST128_CFB64"),
    Some("CAST128_OFB64"),
];

/// One word of a command as tcpdump prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    Name(&'static str),
    /// A number printed with C's `%#x` (`0`, `0x1f`).
    Number(u8),
}

/// The outcome of reading one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// The command's words and the bytes it used.
    Command(Vec<Word>, usize),
    /// Not a command: the commands end here.
    End,
    /// A read past the captured bytes.
    Cut,
}

fn table(t: &[Option<&'static str>], c: u8) -> Word {
    t.get(usize::from(c)).copied().flatten().map_or(Word::Number(c), Word::Name)
}

/// Reads the command at the start of `data` (captured bytes) of a payload with `length` bytes
/// left on the wire, as tcpdump's `telnet_parse` does.
pub fn parse(data: &[u8], length: usize) -> Parsed {
    let mut words = Vec::new();
    let mut sp = 0usize;
    let mut length = length;
    // tcpdump's FETCH: the segment's length first, then the captured bytes.
    macro_rules! fetch {
        () => {{
            if length < 1 {
                return Parsed::End;
            }
            let Some(&c) = data.get(sp) else { return Parsed::Cut };
            sp += 1;
            length -= 1;
            c
        }};
    }
    let get = |i: usize| data.get(i).copied();
    if fetch!() != IAC {
        return Parsed::End;
    }
    let c = fetch!();
    if c == IAC {
        words.extend([Word::Name("IAC"), Word::Name("IAC")]);
        return Parsed::Command(words, sp);
    }
    if c < FIRST_COMMAND {
        return Parsed::End;
    }
    let command = COMMANDS[usize::from(c - FIRST_COMMAND)];
    if !matches!(c, DONT | DO | WONT | WILL | SB) {
        words.push(Word::Name(command));
        return Parsed::Command(words, sp);
    }
    let option = fetch!();
    words.push(Word::Name(command));
    words.push(OPTIONS.get(usize::from(option)).map_or(Word::Number(option), |n| Word::Name(n)));
    if c != SB {
        return Parsed::Command(words, sp);
    }
    // The subnegotiation runs to IAC SE within the segment.
    let mut p = sp;
    while length > p + 1 - sp {
        let Some(at) = get(p) else { return Parsed::Cut };
        if at == IAC {
            let Some(next) = get(p + 1) else { return Parsed::Cut };
            if next == SE {
                break;
            }
        }
        p += 1;
    }
    match get(p) {
        None => return Parsed::Cut,
        Some(b) if b != IAC => return Parsed::End,
        _ => {}
    }
    let (first, second) = match option {
        AUTHENTICATION => (AUTH_COMMANDS, Some(AUTH_TYPES)),
        ENCRYPT => (ENCRYPT_COMMANDS, Some(ENCRYPT_TYPES)),
        _ => (QUALIFIERS, None),
    };
    if p > sp {
        let c = fetch!();
        words.push(table(first, c));
        if let Some(second) = second
            && p > sp
        {
            let c = fetch!();
            words.push(table(second, c));
        }
    }
    while p > sp {
        words.push(Word::Number(fetch!()));
    }
    words.push(Word::Name("SE"));
    Parsed::Command(words, sp + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: Parsed) -> (Vec<String>, usize) {
        let Parsed::Command(words, used) = p else { panic!("{p:?}") };
        let text = words
            .iter()
            .map(|w| match w {
                Word::Name(n) => n.to_string(),
                Word::Number(0) => "0".to_string(),
                Word::Number(n) => format!("{n:#x}"),
            })
            .collect();
        (text, used)
    }

    #[test]
    fn options_and_subnegotiation() {
        assert_eq!(names(parse(&[IAC, WILL, 3], 3)), (vec!["WILL".into(), "SUPPRESS GO AHEAD".into()], 3));
        assert_eq!(names(parse(&[IAC, IAC], 2)).0, vec!["IAC", "IAC"]);
        assert_eq!(names(parse(&[IAC, DO, 99], 3)).0, vec!["DO", "0x63"]);
        let auth = [IAC, SB, AUTHENTICATION, 2, 15, 0, 0, 4, IAC, SE];
        assert_eq!(
            names(parse(&auth, 10)),
            (["SB", "AUTHENTICATION", "REPLY", "NTLM", "0", "0", "0x4", "SE"].map(String::from).to_vec(), 10)
        );
        assert_eq!(names(parse(&[IAC, 241], 2)).0, vec!["NOP"]);
    }

    #[test]
    fn ends_and_cuts() {
        assert_eq!(parse(b"a", 1), Parsed::End);
        assert_eq!(parse(&[IAC, 200], 2), Parsed::End);
        // The segment ends before the option.
        assert_eq!(parse(&[IAC, WILL], 2), Parsed::End);
        // Captured bytes end before the segment does.
        assert_eq!(parse(&[IAC, WILL], 3), Parsed::Cut);
        // A subnegotiation without IAC SE.
        assert_eq!(parse(&[IAC, SB, 24, 1, 2], 5), Parsed::End);
    }
}
