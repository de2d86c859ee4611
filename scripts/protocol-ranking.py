#!/usr/bin/env python3
"""Ranks the protocols whose packets pkt-decode prints differently from tcpdump.

    scripts/protocol-ranking [--bin target/release/pkt-decode] [--corpus ../shared/corpus]
                             [--top N] [--diffs PROTO]

Two sources, as in tests/pkt_decode_conformance.rs:
- tcpdump's TESTLIST (corpus/tcpdump/): the tests that Debian's tcpdump 4.99.3 reproduces
  (tcpdump_4.99.3_repro.tsv says `same`) and whose options pkt-decode has;
- the per-capture oracles (corpus/oracles/tcpdump-n and tcpdump-ne).

For each packet record, the protocol is tcpdump's keyword for it: the first word of what
tcpdump prints after the addresses (`NFS`, `NTPv4`, `UDP`, ...) or, for a non-IP frame, the
first word of the line (`STP`, `LLDP`, `CDPv2`, ...). Prints, per keyword, the records that
differ and the records in all, most differing first; then the TESTLIST share of whole tests
equal to tcpdump's, in total and per protocol (a test's protocol is its most frequent keyword),
and the oracle shares of identical records.
"""

import argparse
import collections
import os
import re
import subprocess
import sys

SUPPORTED = {"-e", "-v", "-vv", "-vvv", "-x", "-xx", "-X", "-XX", "-A", "-AA", "-t", "-tt",
             "-ttt", "-tttt", "-ttttt", "-n", "-nn"}
NUMBERED = re.compile(r"^ {0,4}\d+  ")
# `-tttt`: "YYYY-MM-DD HH:MM:SS.ffffff " after the 7-character number column.
BODY_START = 34
ETHER_HEAD = re.compile(r"^[0-9a-f:]{17} > [0-9a-f:]{17}, (?:ethertype [^,]+|802\.3), length \d+: ")


def records(text):
    out = []
    for line in text.splitlines():
        if NUMBERED.match(line) or not out:
            out.append(line)
        else:
            out[-1] += "\n" + line
    return out


def keyword(record):
    """tcpdump's protocol keyword of one packet record."""
    lines = record.split("\n")
    if not NUMBERED.match(lines[0]):
        return "(tcpdump message)"
    body = lines[0][BODY_START:]
    body = ETHER_HEAD.sub("", body, count=1)
    if body.startswith(("IP ", "IP6 ")):
        text = body
        # With -v the addresses are on the next line.
        if " > " not in body and len(lines) > 1:
            text = lines[1].strip()
        gt = text.find(" > ")
        if gt < 0:
            return body.split(" ", 1)[0]
        colon = text.find(": ", gt)
        if colon < 0:
            return "IP?"
        rest = text[colon + 2:].lstrip()
        # -v and -vv put checksum notes first: `[udp sum ok] `, `[bad udp cksum ...!] `.
        while rest.startswith("[") and "] " in rest:
            rest = rest[rest.index("] ") + 2:]
        if rest.startswith("Flags ["):
            # TCP: the application comes after ", length N: ".
            m = re.search(r", length \d+: (\S+)", rest)
            return "TCP/" + clean(m.group(1)) if m else "TCP"
        return clean(rest.split(" ", 1)[0]) if rest else "IP?"
    return clean(body.split(" ", 1)[0]) if body else "?"


def clean(word):
    word = word.rstrip(",:;") or "?"
    # tcpdump's DNS summary starts with the query id (`1234+`, `0*-`, `45433%`).
    return "DNS" if word[0].isdigit() else word


def run(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, timeout=120)
    return p.stdout.decode("utf-8", "replace")


def testlist(corpus, binary):
    """(name, [(keyword, equal)]) per TESTLIST test that the conformance test runs."""
    d = os.path.join(corpus, "tcpdump")
    same = set()
    with open(os.path.join(d, "tcpdump_4.99.3_repro.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and parts[1] == "same":
                same.add(parts[0])
    out = []
    with open(os.path.join(d, "TESTLIST")) as f:
        for line in f:
            if line.startswith("#"):
                continue
            fields = line.split()
            if len(fields) < 3 or fields[0] not in same or not all(o in SUPPORTED for o in fields[3:]):
                continue
            name, pcap, expected, opts = fields[0], fields[1], fields[2], fields[3:]
            try:
                with open(os.path.join(d, expected), "rb") as e:
                    want = records(e.read().decode("utf-8", "replace"))
            except OSError:
                continue
            have = records(run(binary, ["-#", "-n", "-r", os.path.join(d, pcap), "-tttt"] + opts))
            rows = [(keyword(w), i < len(have) and have[i] == w) for i, w in enumerate(want)]
            equal = len(want) == len(have) and all(ok for _, ok in rows)
            out.append((name, rows, equal, want, have))
    return out


def oracles(corpus, binary, kind, opts):
    root = os.path.join(corpus, "oracles", kind)
    out = []
    for dirpath, _, files in sorted(os.walk(root)):
        for fn in sorted(files):
            if not fn.endswith(".txt"):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, root)[: -len(".txt")]
            with open(path, "rb") as f:
                want = records(f.read().decode("utf-8", "replace"))
            have = records(run(binary, ["-#", "-n", "-tttt"] + opts + ["-r", os.path.join(corpus, rel)]))
            for i, w in enumerate(want):
                h = have[i] if i < len(have) else ""
                out.append((rel, i + 1, keyword(w), w == h, w, h))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/pkt-decode")
    ap.add_argument("--corpus", default=os.environ.get("PKTKIT_CORPUS", "../shared/corpus"))
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--diffs", metavar="PROTO", help="print the differing records of this keyword")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        sys.exit(f"protocol-ranking: {a.corpus}: no corpus")

    tests = testlist(a.corpus, a.bin)
    ora = {k: oracles(a.corpus, a.bin, k, o) for k, o in (("tcpdump-n", []), ("tcpdump-ne", ["-e"]))}

    differ = collections.Counter()
    total = collections.Counter()
    for _, rows, _, _, _ in tests:
        for kw, ok in rows:
            total[kw] += 1
            differ[kw] += not ok
    for rows in ora.values():
        for _, _, kw, ok, _, _ in rows:
            total[kw] += 1
            differ[kw] += not ok

    if a.diffs:
        for name, rows, _, want, have in tests:
            for i, (kw, ok) in enumerate(rows):
                if kw == a.diffs and not ok:
                    h = have[i] if i < len(have) else ""
                    print(f"TESTLIST {name} #{i + 1}\n  want {want[i]}\n  have {h}")
        for kind, rows in ora.items():
            for rel, n, kw, ok, w, h in rows:
                if kw == a.diffs and not ok:
                    print(f"{kind} {rel} #{n}\n  want {w}\n  have {h}")
        return

    print(f"{'differing':>9} {'records':>8}  protocol (tcpdump keyword), TESTLIST and oracles together")
    for kw, n in sorted(differ.items(), key=lambda kv: (-kv[1], kv[0]))[: a.top]:
        if n:
            print(f"{n:9} {total[kw]:8}  {kw}")

    per = collections.defaultdict(lambda: [0, 0])
    for _, rows, equal, _, _ in tests:
        kws = collections.Counter(kw for kw, _ in rows)
        proto = kws.most_common(1)[0][0] if kws else "(empty)"
        per[proto][0] += equal
        per[proto][1] += 1
    eq = sum(1 for t in tests if t[2])
    print(f"\nTESTLIST: {eq}/{len(tests)} tests equal to tcpdump's ({100 * eq / max(1, len(tests)):.1f}%)")
    for proto, (ok, n) in sorted(per.items(), key=lambda kv: (-(kv[1][1] - kv[1][0]), kv[0])):
        print(f"  {proto:24} {ok}/{n}")
    for kind, rows in ora.items():
        ok = sum(1 for r in rows if r[3])
        print(f"{kind}: {ok}/{len(rows)} packets identical ({100 * ok / max(1, len(rows)):.2f}%)")


if __name__ == "__main__":
    main()
