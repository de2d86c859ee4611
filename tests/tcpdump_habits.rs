//! tcpdump habits and error lines (issue 17), as a user types them: -r with a filter
//! expression, unquoted expressions before files, -F, -n/-nn, and one-line usage errors.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{frame, packets, pcap, run};

const FILTER: &str = env!("CARGO_BIN_EXE_pcap-filter");
const DECODE: &str = env!("CARGO_BIN_EXE_pkt-decode");
const STATS: &str = env!("CARGO_BIN_EXE_pkt-stats");
const SEND: &str = env!("CARGO_BIN_EXE_pkt-send");
const CAPTURE: &str = env!("CARGO_BIN_EXE_pcap-capture");

/// Four packets: TCP to 80, TCP to 443, UDP to 53, UDP to 123.
fn sample_file(name: &str) -> PathBuf {
    let a = frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 40000, 80, b"GET / HTTP/1.1\r\n\r\n");
    let b = frame(6, [10, 0, 0, 1], [10, 0, 0, 3], 40001, 443, b"");
    let c = frame(17, [10, 0, 0, 4], [8, 8, 8, 8], 5353, 53, b"dnsq");
    let d = frame(17, [10, 0, 0, 5], [10, 0, 0, 6], 123, 123, b"ntp");
    let bytes = pcap(
        1,
        65535,
        &[
            (1, 10, &a, a.len() as u32),
            (2, 20, &b, b.len() as u32),
            (3, 30, &c, c.len() as u32),
            (4, 40, &d, d.len() as u32),
        ],
    );
    let dir = std::env::temp_dir().join(format!("pktkit-habits-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample.pcap");
    std::fs::write(&path, bytes).unwrap();
    path
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

fn lines(out: &[u8]) -> usize {
    String::from_utf8_lossy(out).lines().count()
}

#[test]
fn read_flag_takes_the_words_as_the_expression() {
    let f = sample_file("read");
    let r = run(DECODE, &["-r", s(&f), "tcp", "port", "80"], b"");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(lines(&r.stdout), 1, "{}", r.stdout_text());
    assert!(r.stdout_text().contains(".80: Flags"), "{}", r.stdout_text());
    let r = run(DECODE, &["-r", s(&f), "tcp port 80 or udp port 53"], b"");
    assert_eq!((r.code, lines(&r.stdout)), (Some(0), 2), "{}", r.stderr);

    let out = f.with_file_name("web.pcap");
    let r = run(FILTER, &["-r", s(&f), "-w", s(&out), "tcp", "port", "80"], b"");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(packets(&std::fs::read(&out).unwrap()).unwrap().len(), 1);
    let r = run(FILTER, &["-r", s(&f), "--count", "tcp"], b"");
    assert_eq!(r.stdout_text(), "2\n", "{}", r.stderr);
    let r = run(FILTER, &["-r", s(&f), "--count"], b"");
    assert_eq!(r.stdout_text(), "4\n", "{}", r.stderr);

    let r = run(STATS, &["-r", s(&f), "not", "udp", "--summary"], b"");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = r.stdout_text();
    assert!(text.lines().any(|l| l.split_whitespace().eq(["Packets:", "2"])), "{text}");
}

#[test]
fn without_read_the_expression_comes_before_the_files() {
    let f = sample_file("unquoted");
    let r = run(FILTER, &["--count", "tcp", "port", "80", s(&f)], b"");
    assert_eq!(r.stdout_text(), "1\n", "{}", r.stderr);
    // Today's forms keep working.
    let r = run(FILTER, &["--count", "udp", s(&f), s(&f)], b"");
    assert_eq!(r.stdout_text(), "4\n", "{}", r.stderr);
    let bytes = std::fs::read(&f).unwrap();
    let r = run(FILTER, &["--count", "udp"], &bytes);
    assert_eq!(r.stdout_text(), "2\n", "{}", r.stderr);
    let r = run(DECODE, &[s(&f), s(&f)], b"");
    assert_eq!(lines(&r.stdout), 8, "{}", r.stderr);
    let r = run(DECODE, &["udp", s(&f)], b"");
    assert_eq!(lines(&r.stdout), 2, "{}", r.stderr);
    let r = run(STATS, &["--summary", "tcp", s(&f)], b"");
    assert!(
        r.stdout_text().lines().any(|l| l.split_whitespace().eq(["Packets:", "2"])),
        "{}",
        r.stdout_text()
    );
}

#[test]
fn expression_from_a_file() {
    let f = sample_file("dash-f");
    let expr = f.with_file_name("filter.txt");
    std::fs::write(&expr, "# web only\ntcp and\n  port 80  # the old port\n").unwrap();
    let r = run(DECODE, &["-F", s(&expr), s(&f)], b"");
    assert_eq!((r.code, lines(&r.stdout)), (Some(0), 1), "{}", r.stderr);
    let r = run(FILTER, &["-F", s(&expr), "--count", s(&f)], b"");
    assert_eq!(r.stdout_text(), "1\n", "{}", r.stderr);
    let r = run(FILTER, &["-F", s(&expr), "-r", s(&f), "--count", "udp"], b"");
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn bad_words_are_refused_before_any_output() {
    let f = sample_file("bad");
    for (bin, args) in [
        (DECODE, vec!["-r", s(&f), "tcp", "prot", "80"]),
        (DECODE, vec![s(&f), "tcp", "prot", "80"]),
        (FILTER, vec!["tcp", "prot", "80", s(&f)]),
        (STATS, vec!["-r", s(&f), "tcp", "prot", "80"]),
        (DECODE, vec!["-r", s(&f), "nosuchword"]),
    ] {
        let r = run(bin, &args, b"");
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout_text());
        let err = r.stderr.trim_end();
        assert_eq!(err.lines().count(), 1, "{err}");
        let tool = bin.rsplit('/').next().unwrap();
        assert!(err.starts_with(&format!("{tool}: '")), "{err}");
        assert!(err.contains("is neither an existing file nor"), "{err}");
    }
    // A second capture after -r is no expression: the hint says how to name it.
    let r = run(DECODE, &["-r", s(&f), s(&f)], b"");
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("name more inputs with more -r"), "{}", r.stderr);
}

#[test]
fn numeric_flags_are_accepted_everywhere() {
    let f = sample_file("numeric");
    for bin in [FILTER, DECODE, STATS] {
        for n in ["-n", "-nn"] {
            let args: Vec<&str> =
                if bin == FILTER { vec![n, "--count", "tcp", s(&f)] } else { vec![n, s(&f)] };
            let r = run(bin, &args, b"");
            assert_eq!(r.code, Some(0), "{bin} {n}: {}", r.stderr);
            assert!(!r.stdout.is_empty());
        }
    }
    // pkt-stats' rows per table is --top now.
    let r = run(STATS, &["--top", "1", "--hosts", s(&f)], b"");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn usage_errors_are_one_line_and_a_hint() {
    for bin in [FILTER, DECODE, STATS, SEND, CAPTURE] {
        let tool = bin.rsplit('/').next().unwrap();
        let r = run(bin, &["--zzzzzz"], b"");
        assert_eq!(r.code, Some(2), "{tool}");
        assert!(r.stdout.is_empty());
        assert_eq!(r.stderr, format!("{tool}: unexpected argument '--zzzzzz' found\ntry '{tool} --help'\n"),);
    }
    let r = run(DECODE, &["--jsn"], b"");
    assert_eq!(
        r.stderr,
        "pkt-decode: unexpected argument '--jsn' found (a similar argument exists: '--json')\n\
         try 'pkt-decode --help'\n"
    );
    let r = run(FILTER, &["-c", "many", "tcp"], b"");
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
    assert!(r.stderr.starts_with("pcap-filter: invalid value 'many' for '-c <N>'"), "{}", r.stderr);
}

#[test]
fn io_errors_have_no_os_error_suffix_and_nothing_is_printed() {
    for bin in [DECODE, STATS, FILTER] {
        let args: Vec<&str> =
            if bin == FILTER { vec!["tcp", "/nonexistent.pcap"] } else { vec!["/nonexistent.pcap"] };
        let r = run(bin, &args, b"");
        let tool = bin.rsplit('/').next().unwrap();
        assert_eq!(r.code, Some(1), "{tool}");
        assert!(r.stdout.is_empty(), "{tool}: {}", r.stdout_text());
        assert_eq!(r.stderr, format!("{tool}: /nonexistent.pcap: No such file or directory\n"));
    }
    // Nothing read from stdin either: no all-zero report.
    let r = run(STATS, &[], b"");
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.is_empty(), "{}", r.stdout_text());
}

/// The error lines as a terminal shows them (under `script`, so stdin and stderr are a tty).
#[test]
fn usage_error_on_a_terminal() {
    if !support::have("script", "usage_error_on_a_terminal") {
        return;
    }
    let out = Command::new("script")
        .args(["-qec", &format!("{DECODE} --bogus; echo rc=$?"), "/dev/null"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert_eq!(text, "pkt-decode: unexpected argument '--bogus' found\ntry 'pkt-decode --help'\nrc=2\n");
}

/// `-q` and `-S` print what tcpdump prints, on every corpus capture whose plain lines already
/// match tcpdump's (the others are the conformance tests' business).
#[test]
fn quiet_and_absolute_sequence_numbers_match_tcpdump() {
    let Some(corpus) = support::corpus("quiet_and_absolute_sequence_numbers_match_tcpdump") else { return };
    if !support::have("tcpdump", "quiet_and_absolute_sequence_numbers_match_tcpdump") {
        return;
    }
    let lines_of = |prog: &str, flags: &[&str], file: &std::path::Path| {
        let out =
            Command::new(prog).env("TZ", "GMT0").arg("-n").args(flags).arg("-r").arg(file).output().unwrap();
        out.stdout
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("tcpdump"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 1 << 20))
        .collect();
    files.sort();
    let (mut compared, mut compared_e, mut differ) = (0, 0, Vec::new());
    for f in &files {
        if lines_of("tcpdump", &[], f) != lines_of(DECODE, &[], f) {
            continue;
        }
        compared += 1;
        for flag in ["-q", "-S"] {
            if lines_of("tcpdump", &[flag], f) != lines_of(DECODE, &[flag], f) {
                differ.push(format!("{flag} {}", f.display()));
            }
        }
        // -q -e: quiet link headers (SLL without its EtherType, `IPv4` for BSD loopback,
        // ipnet and NFLOG families, PKTAP's bare link type), where the -e lines match.
        if lines_of("tcpdump", &["-e"], f) == lines_of(DECODE, &["-e"], f) {
            compared_e += 1;
            if lines_of("tcpdump", &["-q", "-e"], f) != lines_of(DECODE, &["-q", "-e"], f) {
                differ.push(format!("-q -e {}", f.display()));
            }
        }
    }
    eprintln!(
        "quiet_and_absolute_sequence_numbers_match_tcpdump: {compared} captures compared, {compared_e} with -q -e"
    );
    assert!(compared >= 100 && compared_e >= 100, "only {compared} and {compared_e} captures compared");
    assert!(differ.is_empty(), "{} differ from tcpdump:\n{}", differ.len(), differ.join("\n"));
}

#[test]
fn unknown_field_names_suggest_the_closest() {
    let f = sample_file("fields");
    let r = run(DECODE, &["--fields", "frame.number,ip.scr", s(&f)], b"");
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.is_empty());
    assert_eq!(
        r.stderr,
        "pkt-decode: unknown field 'ip.scr'; did you mean ip.src? (--fields list shows all)\n"
    );
    let r = run(DECODE, &["--fields", "zzzqqq", s(&f)], b"");
    assert_eq!(r.stderr, "pkt-decode: unknown field 'zzzqqq' (--fields list shows the known ones)\n");
}

#[test]
fn text_options_with_json_or_fields_are_refused() {
    let f = sample_file("noop");
    for args in [vec!["--json", "-X"], vec!["--fields", "ip.src", "-e", "-v"], vec!["--json", "-q"]] {
        let mut all = args.clone();
        all.push(s(&f));
        let r = run(DECODE, &all, b"");
        assert_eq!(r.code, Some(2), "{args:?}");
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains("text output only: nothing with --"), "{}", r.stderr);
    }
    // -n, -l, -U and --defrag go with every mode.
    let r = run(DECODE, &["--json", "-nn", "-l", "-U", "--defrag", s(&f)], b"");
    assert_eq!((r.code, lines(&r.stdout)), (Some(0), 4), "{}", r.stderr);
}

#[test]
fn an_unresolvable_host_name_is_an_environment_error() {
    let out = std::env::temp_dir().join(format!("pktkit-habits-{}-unresolved.pcap", std::process::id()));
    let r = run(SEND, &["-w", s(&out), "IP(dst=\"no-such-host.invalid\")/ICMP()"], b"");
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("pkt-send: packet spec: cannot resolve host name 'no-such-host.invalid'"),
        "{}",
        r.stderr
    );
    // A malformed spec stays a usage error.
    let r = run(SEND, &["-w", s(&out), "IP(dst=)/ICMP("], b"");
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

/// gzip, zstd and xz captures are read as the capture inside, from files and stdin, known by
/// their first bytes (never by the file name).
#[test]
fn compressed_captures_are_read_transparently() {
    use std::io::Write;
    let f = sample_file("compressed");
    let plain = std::fs::read(&f).unwrap();
    let gzip = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&plain).unwrap();
        e.finish().unwrap()
    };
    let zstd = zstd::encode_all(&plain[..], 3).unwrap();
    let xz = {
        let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
        e.write_all(&plain).unwrap();
        e.finish().unwrap()
    };
    let want = run(DECODE, &[s(&f)], b"").stdout;
    assert_eq!(lines(&want), 4);
    for (name, bytes) in [("gzip", &gzip), ("zstd", &zstd), ("xz", &xz)] {
        let path = f.with_file_name(format!("sample-{name}.cap"));
        std::fs::write(&path, bytes).unwrap();
        let r = run(DECODE, &[s(&path)], b"");
        assert_eq!(r.code, Some(0), "{name}: {}", r.stderr);
        assert_eq!(r.stdout, want, "{name}");
        let r = run(DECODE, &[], bytes);
        assert_eq!(r.stdout, want, "{name} on stdin: {}", r.stderr);
        let r = run(FILTER, &["--count", "udp", s(&path)], b"");
        assert_eq!(r.stdout_text(), "2\n", "{name}: {}", r.stderr);
        let r = run(STATS, &["--summary", s(&path)], b"");
        assert!(r.stdout_text().lines().any(|l| l.split_whitespace().eq(["Packets:", "4"])), "{name}");
        // Cut short: the packets before the cut, then one error line, exit 1.
        let r = run(DECODE, &[], &bytes[..bytes.len() - 12]);
        assert_eq!(r.code, Some(1), "{name}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{name}: {}", r.stderr);
        assert!(r.stderr.starts_with("pkt-decode: stdin: "), "{name}: {}", r.stderr);
    }
}

/// The committed completions load in their shells (each shell that is installed; scripts/deps
/// installs them in CI), and fish's `-#` is quoted, not a comment.
#[test]
fn completions_load_in_their_shells() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/completions");
    let fish = std::fs::read_to_string(dir.join("pkt-decode.fish")).unwrap();
    assert!(fish.contains("-s '#' "), "pkt-decode.fish: -# unquoted");
    if Command::new("fish").arg("-c").arg("true").output().is_ok() {
        let script = format!("source {}/pkt-decode.fish; and complete -C 'pkt-decode -'", dir.display());
        let out = Command::new("fish").arg("-c").arg(script).output().unwrap();
        let offered = String::from_utf8_lossy(&out.stdout);
        assert!(offered.lines().any(|l| l.starts_with("-#\t")), "fish does not offer -#:\n{offered}");
    }
    for tool in ["pcap-filter", "pkt-decode", "pkt-stats", "pcap-capture", "pkt-send"] {
        let checks = [
            ("bash", format!("source {}/{tool}.bash && complete -p {tool}", dir.display())),
            ("zsh", format!("autoload -U compinit && compinit -u && source {}/_{tool}", dir.display())),
            (
                "fish",
                format!(
                    "source {}/{tool}.fish; and complete -C '{tool} -' | grep -q -- '^--help'",
                    dir.display()
                ),
            ),
        ];
        for (shell, script) in checks {
            if Command::new(shell).arg("-c").arg("true").output().is_err() {
                eprintln!("completions_load_in_their_shells: {shell} SKIPPED: not installed");
                continue;
            }
            let out = Command::new(shell).arg("-c").arg(&script).output().unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{shell} {tool}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Bash completes `--fields` with the field names, each name of a comma-separated list, and
/// `--tshark-field` (`-e`) with one name; through bash's own completion call.
#[test]
fn bash_completes_field_names() {
    if Command::new("bash").arg("-c").arg("true").output().is_err() {
        eprintln!("bash_completes_field_names: SKIPPED: bash is not installed");
        return;
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/completions/pkt-decode.bash");
    let complete = |words: &[&str]| -> Vec<String> {
        // What bash does on TAB: COMP_WORDS/COMP_CWORD set, the function called with the
        // command, the current word and the previous one.
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let script = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
             _pkt__decode pkt-decode '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display(),
            quoted.join(" "),
            words.len() - 1,
            words.join(" "),
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
    };
    let offered = complete(&["pkt-decode", "--fields", "ip.s"]);
    assert_eq!(offered, ["ip.src"], "--fields ip.s");
    let offered = complete(&["pkt-decode", "--fields", "frame.number,tcp.dst"]);
    assert_eq!(offered, ["frame.number,tcp.dstport"], "after a comma");
    let offered = complete(&["pkt-decode", "--fields", "li"]);
    assert_eq!(offered, ["list"]);
    let offered = complete(&["pkt-decode", "--fields", "dns."]);
    assert!(offered.len() > 3 && offered.iter().all(|o| o.starts_with("dns.")), "{offered:?}");
    let offered = complete(&["pkt-decode", "--tshark-field", "udp.src"]);
    assert_eq!(offered, ["udp.srcport"]);
}

/// The man pages render with `man -l` with argument names in the SYNOPSIS, EXAMPLES kept as
/// written, EXIT STATUS and SEE ALSO, and no repository paths.
#[test]
fn man_pages_render_with_their_sections() {
    if !support::have("man", "man_pages_render_with_their_sections") {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
    // No page names a repository path, the tools of later issues' included.
    for page in std::fs::read_dir(&dir).unwrap() {
        let path = page.unwrap().path();
        let out = Command::new("man").env("MANWIDTH", "200").arg("-l").arg(&path).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && !text.contains("docs/"), "{}:\n{text}", path.display());
    }
    for tool in ["pcap-filter", "pkt-decode", "pkt-stats", "pcap-capture", "pkt-send"] {
        let out = Command::new("man")
            .env("MANWIDTH", "200")
            .arg("-l")
            .arg(dir.join(format!("{tool}.1")))
            .output()
            .unwrap();
        let page = String::from_utf8_lossy(&out.stdout);
        for section in ["SYNOPSIS", "EXAMPLES", "EXIT STATUS", "SEE ALSO"] {
            assert!(page.lines().any(|l| l == section), "{tool}: no {section}:\n{page}");
        }
        assert!(!page.contains(" ] ") && !page.contains("docs/"), "{tool}:\n{page}");
        let synopsis = page.lines().skip_while(|l| *l != "SYNOPSIS").nth(1).unwrap_or("");
        let synopsis = synopsis.split_whitespace().collect::<Vec<_>>().join(" ");
        if tool != "pkt-send" {
            assert!(synopsis.contains("[-r FILE]") || synopsis.contains("[-i"), "{tool}: {synopsis}");
        }
        // An example line keeps its own spacing (.nf).
        let examples: Vec<&str> = page.lines().skip_while(|l| *l != "EXAMPLES").skip(1).take(3).collect();
        assert!(examples[0].trim_start().starts_with(tool), "{tool}: {examples:?}");
    }
}
