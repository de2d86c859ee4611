//! pcap-filter against the external corpus: libpcap's own filter tests, the libpcap oracles
//! for 39 common expressions, a no-crash sweep of every capture, and byte-identical copies.
//! Each test prints a notice and skips when the corpus is absent.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{captures, corpus, packets, parallel, run_with};

const BIN: &str = env!("CARGO_BIN_EXE_pcap-filter");

/// Runs pcap-filter (pcapng output, so no link type is dropped) on one file.
fn filter(args: &[&str], file: &Path) -> support::Run {
    let mut cmd = Command::new(BIN);
    cmd.arg("--pcapng").args(args).arg(file);
    run_with(cmd, b"", Duration::from_secs(60))
}

/// Which input packets (0-based) appear in `output`, in order: records are copied unchanged, and
/// identical records get identical verdicts, so a greedy subsequence match is exact.
fn accepted(input: &[support::Pkt], output: &[u8]) -> Vec<usize> {
    let out = packets(output).expect("pcap-filter output must be readable");
    let mut idx = Vec::new();
    let mut i = 0;
    for (data, orig, _, _, _) in &out {
        // pcapng cannot store an original length below the captured one: it is raised to it.
        while i < input.len() && !(input[i].0 == *data && input[i].1.max(input[i].4 as u32) == *orig) {
            i += 1;
        }
        assert!(i < input.len(), "output packet not in input order");
        idx.push(i);
        i += 1;
    }
    idx
}

#[test]
fn libpcap_filter_apply_cases() {
    let Some(c) = corpus("libpcap_filter_apply_cases") else { return };
    let cases: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(c.join("libpcap-filter/libpcap_filter_apply.json")).unwrap())
            .unwrap();
    assert_eq!(cases.len(), 185);
    let results = parallel(&cases, |case| {
        let name = case["name"].as_str().unwrap().to_string();
        let file = c.join("libpcap-filter/savefiles").join(case["savefile"].as_str().unwrap());
        let expr = case["expr"].as_str().unwrap();
        let debian = case["debian_libpcap_1.10.3"].as_str().unwrap().to_string();
        let netmask = case.get("netmask").and_then(|m| m.as_str()).map(|m| m.trim_matches('\'').to_string());
        let mut args = vec![];
        if let Some(m) = &netmask {
            args.extend(["--netmask", m.as_str()]);
        }
        args.push(expr);
        let r = filter(&args, &file);
        let want: Vec<bool> =
            case["results"].as_array().unwrap().iter().map(|v| v.as_u64() != Some(0)).collect();
        let verdict = if r.code == Some(0) {
            let input = packets(&std::fs::read(&file).unwrap()).unwrap();
            let mut got = vec![false; input.len()];
            for i in accepted(&input, &r.stdout) {
                got[i] = true;
            }
            if got == want { "same" } else { "different" }
        } else if r.code == Some(2) {
            "compile-error"
        } else {
            "failed"
        };
        (name, debian, verdict.to_string(), r.stderr)
    });
    let mut tally: HashMap<(String, String), usize> = HashMap::new();
    let mut wrong = Vec::new();
    for (name, debian, verdict, stderr) in &results {
        *tally.entry((debian.clone(), verdict.clone())).or_default() += 1;
        let ok = match debian.as_str() {
            "match" => verdict == "same",
            // Debian's libpcap does not reproduce these (it cannot compile the expression for
            // that savefile, or gives other verdicts): reported above, not judged.
            _ => true,
        };
        if !ok {
            wrong.push(format!("{name}: debian={debian} ours={verdict} {stderr}"));
        }
    }
    let mut t: Vec<_> = tally.into_iter().collect();
    t.sort();
    eprintln!("libpcap_filter_apply: (debian libpcap, pcap-filter) counts: {t:?}");
    assert!(wrong.is_empty(), "{} cases differ:\n{}", wrong.len(), wrong.join("\n"));
}

/// Parses `1-3,5` into frame numbers.
fn frames(spec: &str) -> Vec<usize> {
    let mut v = Vec::new();
    for part in spec.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => v.extend(a.parse::<usize>().unwrap()..=b.parse::<usize>().unwrap()),
            None => v.push(part.parse().unwrap()),
        }
    }
    v
}

#[test]
fn bpf_oracles_for_39_expressions() {
    let Some(c) = corpus("bpf_oracles_for_39_expressions") else { return };
    let oracles = c.join("oracles/bpf");
    let mut tsvs = Vec::new();
    let mut stack = vec![oracles.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "tsv") {
                tsvs.push(p);
            }
        }
    }
    tsvs.sort();
    let results = parallel(&tsvs, |tsv| {
        let rel = tsv.strip_prefix(&oracles).unwrap().to_str().unwrap().trim_end_matches(".tsv").to_string();
        let file: PathBuf = c.join(&rel);
        let input = packets(&std::fs::read(&file).unwrap()).unwrap_or_default();
        let mut checked = 0usize;
        let mut wrong = Vec::new();
        if rel == "libpcap-filter/invalid-format/linktype-reserved-field-not-zero.pcap" {
            // Deliberate difference: libpcap 1.10.3 takes the link-type field 0x00300000 whole
            // (link type 3145728) and only fails to compile; newer libpcap (and pcap-filter)
            // refuse the header because its reserved bits are set: exit 1, checked in the sweep.
            return (0, wrong);
        }
        for line in std::fs::read_to_string(tsv).unwrap().lines().skip(2) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (expr, last) = (cols[0], cols.get(3).copied().unwrap_or(""));
            // libpcap stops reading a pcapng file at an interface whose link type or snaplen
            // differs from the first one's; its verdicts cover the packets it read.
            let seen: usize = cols[1].parse().unwrap_or(0);
            let r = filter(&[expr], &file);
            checked += 1;
            if let Some(msg) = last.strip_prefix("COMPILE-ERROR: ") {
                if r.code != Some(2) || !r.stderr.contains(msg) {
                    wrong.push(format!("{rel} '{expr}': want exit 2 ({msg}), got {:?} {}", r.code, r.stderr));
                }
                continue;
            }
            let want = frames(last);
            let got: Vec<usize> = if r.code == Some(0) {
                accepted(&input, &r.stdout).into_iter().map(|i| i + 1).filter(|&n| n <= seen).collect()
            } else {
                wrong.push(format!("{rel} '{expr}': exit {:?} {}", r.code, r.stderr));
                continue;
            };
            if got != want {
                wrong.push(format!("{rel} '{expr}': want frames {want:?}, got {got:?}"));
            }
        }
        (checked, wrong)
    });
    let total: usize = results.iter().map(|r| r.0).sum();
    let wrong: Vec<String> = results.into_iter().flat_map(|r| r.1).collect();
    eprintln!(
        "bpf oracles: {} captures, {total} (capture, expression) pairs compared, {} differ",
        tsvs.len(),
        wrong.len()
    );
    assert_eq!(tsvs.len(), 1050);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every capture of the corpus: tcpdump's, pcapng-suite, libpcap's savefiles and invalid files,
/// PcapPlusPlus' samples.
fn all_captures(c: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in
        ["tcpdump", "pcapng-suite", "libpcap-filter/savefiles", "libpcap-filter/invalid-format", "samples"]
    {
        v.extend(captures(&c.join(dir)));
    }
    v
}

#[test]
fn every_capture_splits_into_ip_and_not_ip() {
    let Some(c) = corpus("every_capture_splits_into_ip_and_not_ip") else { return };
    let files = all_captures(&c);
    assert!(files.len() >= 830 + 49 + 37 + 6, "corpus looks incomplete: {} captures", files.len());
    let results = parallel(&files, |file| {
        let name = file.strip_prefix(&c).unwrap().display().to_string();
        let keep = filter(&["ip"], file);
        let drop = filter(&["-v", "ip"], file);
        let input = packets(&std::fs::read(file).unwrap());
        for r in [&keep, &drop] {
            assert!(matches!(r.code, Some(0..=2)), "{name}: crashed: {:?} {}", r.code, r.stderr);
        }
        match input {
            Ok(all) => {
                assert_eq!(drop.code, Some(0), "{name}: -v ip: {}", drop.stderr);
                let mut union: Vec<usize> = accepted(&all, &drop.stdout);
                match keep.code {
                    Some(0) => union.extend(accepted(&all, &keep.stdout)),
                    // `ip` cannot apply to this link type (libpcap: "expression rejects all
                    // packets", "... filtering not implemented"): exit 2 with libpcap's message,
                    // as the BPF oracles want; -v matched nothing and so kept everything.
                    _ => assert!(
                        keep.stderr.starts_with("pcap-filter: filter 'ip' on link type"),
                        "{name}: {}",
                        keep.stderr
                    ),
                }
                union.sort();
                assert_eq!(
                    union,
                    (0..all.len()).collect::<Vec<_>>(),
                    "{name}: ip + -v ip must hold every packet once"
                );
                "read"
            }
            Err(e) => {
                // A damaged file: the one-line error, exit 1 (or exit 2 first, when `ip` cannot
                // apply to its link type; -v then reads on to the damage).
                for r in [&keep, &drop] {
                    if r.code == Some(2) && std::ptr::eq(r, &keep) {
                        continue;
                    }
                    let errors: Vec<&str> = r.stderr.lines().filter(|l| !l.contains(": warning: ")).collect();
                    assert_eq!(r.code, Some(1), "{name}: {}", r.stderr);
                    assert_eq!(errors.len(), 1, "{name}: {}", r.stderr);
                    assert!(
                        errors[0].starts_with(&format!("pcap-filter: {}: ", file.display())),
                        "{}",
                        r.stderr
                    );
                    assert!(errors[0].contains("byte offset"), "{}", r.stderr);
                }
                assert!(e.contains("byte offset"));
                "damaged"
            }
        }
    });
    let damaged = results.iter().filter(|r| **r == "damaged").count();
    eprintln!(
        "sweep: {} captures, {} read whole, {damaged} damaged (one-line error, exit 1)",
        files.len(),
        files.len() - damaged
    );
    assert!(damaged >= 6, "the six invalid-format files must be refused");
}

#[test]
fn classic_pcap_copies_are_byte_identical() {
    let Some(c) = corpus("classic_pcap_copies_are_byte_identical") else { return };
    let files: Vec<PathBuf> = all_captures(&c)
        .into_iter()
        .filter(|f| {
            let head = std::fs::read(f).map(|b| b.get(..4).map(<[u8]>::to_vec)).ok().flatten();
            matches!(
                head.as_deref(),
                Some(
                    [0xd4, 0xc3, 0xb2, 0xa1]
                        | [0xa1, 0xb2, 0xc3, 0xd4]
                        | [0x4d, 0x3c, 0xb2, 0xa1]
                        | [0xa1, 0xb2, 0x3c, 0x4d]
                )
            )
        })
        .collect();
    let results = parallel(&files, |f| {
        let mut cmd = Command::new(BIN);
        cmd.arg("").arg(f);
        let r = run_with(cmd, b"", Duration::from_secs(60));
        let input = std::fs::read(f).unwrap();
        match r.code {
            Some(0) => assert!(r.stdout == input, "{}: copy differs", f.display()),
            Some(1) => assert!(input.starts_with(&r.stdout), "{}: partial copy is not a prefix", f.display()),
            other => panic!("{}: exit {other:?}: {}", f.display(), r.stderr),
        }
        r.code == Some(0)
    });
    let whole = results.iter().filter(|x| **x).count();
    eprintln!(
        "round trip: {} classic pcap files, {whole} copied whole, {} damaged ones copied up to the damage",
        files.len(),
        files.len() - whole
    );
}
