#!/usr/bin/env python3
"""pktkit benchmarks: each section times our tool and its anchor on the same input, in the same
run (median of PKTKIT_BENCH_RUNS runs, default 5; tshark's minutes-long runs PKTKIT_BENCH_TSHARK_RUNS,
default 3; pkt-decode's tenth-of-a-second runs PKTKIT_BENCH_QUICK_RUNS, default 15), measures our
peak memory, and rewrites its own section of docs/benchmarks.md. Run through scripts/bench."""
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
CACHE = ROOT / "target" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
RUNS = int(os.environ.get("PKTKIT_BENCH_RUNS", "5"))


def gen_mix(packets, name):
    """A gen-mix.py capture with `packets` packets, made once and cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / name
    if out.exists():
        return out
    gen = os.environ.get("PKTKIT_BENCH_GEN", str(ROOT.parent / "shared" / "bench" / "gen-mix.py"))
    if not Path(gen).exists():
        sys.exit(f"scripts/bench: no capture generator at {gen} (set PKTKIT_BENCH_GEN)")
    print(f"generating {out} ({packets} packets) ...", file=sys.stderr)
    tmp = out.with_suffix(".tmp")
    subprocess.run([sys.executable, gen, str(tmp), "--packets", str(packets)], check=True)
    tmp.rename(out)
    return out


def run_once(argv, stdin_path, stdout_path=os.devnull):
    """Runs argv with stdin from a file and stdout to /dev/null (or `stdout_path`); returns
    (seconds, peak RSS KiB).

    Peak memory comes from GNU time (`%M`): the child's own maximum resident set, not counting
    the interpreter that forked it."""
    rss_file = CACHE / "rss.txt"
    with open(stdin_path, "rb") as fin, open(stdout_path, "wb") as fout:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *argv],
                           stdin=fin, stdout=fout, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"scripts/bench: {' '.join(argv)} exited {p.returncode}")
    return elapsed, int(rss_file.read_text().split()[-1])


def measure(argv, stdin_path, runs=None, stdout_path=os.devnull):
    """Median seconds and max peak RSS over `runs` (default RUNS) runs, after a warm-up run."""
    run_once(argv, stdin_path, stdout_path)
    times, rss = [], []
    for _ in range(runs or RUNS):
        t, m = run_once(argv, stdin_path, stdout_path)
        times.append(t)
        rss.append(m)
    return statistics.median(times), max(rss)


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
        mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    ver = lambda cmd: subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0:1]
    tools = "; ".join(
        v[0] for v in [ver(["tcpdump", "--version"]), ver(["tshark", "--version"]), ver(["rustc", "--version"])] if v
    )
    return f"{os.cpu_count()} cores ({cpu}){mem}, Linux {platform.release()}; {tools}"


def mib(kb):
    return f"{kb / 1024:.1f} MiB"


def section_filter():
    big = gen_mix(2_000_000, "mix-2m.pcap")
    small = gen_mix(200_000, "mix-200k.pcap")
    expr = "tcp port 80"
    ours = [str(BIN / "pcap-filter"), expr]
    anchor = ["tcpdump", "-r", "-", "-w", "-", expr]
    t_ours, m_ours = measure(ours, big)
    t_anchor, m_anchor = measure(anchor, big)
    _, m_small = measure(ours, small)
    size = big.stat().st_size / 1e6
    lines = [
        f"2,000,000-packet gen-mix capture ({size:.0f} MB), page-cached, `'{expr}'`, "
        f"median of {RUNS} runs after a warm-up run.",
        "",
        "| command | median time | packets/s | peak memory |",
        "|---|---|---|---|",
        f"| `pcap-filter '{expr}' < f > /dev/null` | {t_ours:.3f} s | {2e6 / t_ours / 1e6:.2f} M | {mib(m_ours)} |",
        f"| `tcpdump -r - -w - '{expr}' < f > /dev/null` | {t_anchor:.3f} s | {2e6 / t_anchor / 1e6:.2f} M | {mib(m_anchor)} |",
        "",
        f"**pcap-filter is {t_anchor / t_ours:.2f}x faster than tcpdump** (target: at least 1.5x). "
        f"Peak memory {mib(m_ours)} on 2,000,000 packets and {mib(m_small)} on 200,000 "
        "(target: under 32 MiB whatever the file size).",
    ]
    return "\n".join(lines)


def section_stats():
    big = gen_mix(2_000_000, "mix-2m.pcap")
    small = gen_mix(200_000, "mix-200k.pcap")
    ours = [str(BIN / "pkt-stats"), "--json"]
    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
    tshark = ["tshark", "-q", "-z", "io,phs", "-z", "conv,tcp", "-r", "-"]
    t_big, m_big = measure(ours, big)
    t_small, m_small = measure(ours, small)
    # tshark needs minutes for 2,000,000 packets: it runs on the 200,000-packet file, against
    # pkt-stats on that same file.
    t_tshark, m_tshark = measure(tshark, small)
    # capinfos reads a named file (not stdin); by default it also hashes the file.
    t_cap, m_cap = measure(["capinfos", str(big)], os.devnull)
    # The same counts and times without the hashes: capinfos -c -s -d -u -a -e -y -i -z -x.
    t_capn, _ = measure(["capinfos", "-c", "-s", "-d", "-u", "-a", "-e", "-y", "-i", "-z", "-x", str(big)], os.devnull)
    size = big.stat().st_size / 1e6
    lines = [
        f"gen-mix captures of 2,000,000 packets ({size:.0f} MB) and 200,000 packets, page-cached, "
        f"median of {RUNS} runs after a warm-up run (load average {load} when the section started: "
        "the machine is shared). pkt-stats computes every report (summary, "
        "protocols, hierarchy, hosts, conversations, ports, names) and writes the full JSON report.",
        "",
        "| command | packets | median time | packets/s | peak memory |",
        "|---|---|---|---|---|",
        f"| `pkt-stats --json < f > /dev/null` | 2,000,000 | {t_big:.3f} s | {2e6 / t_big / 1e6:.2f} M | {mib(m_big)} |",
        f"| `pkt-stats --json < f > /dev/null` | 200,000 | {t_small:.3f} s | {2e5 / t_small / 1e6:.2f} M | {mib(m_small)} |",
        f"| `tshark -q -z io,phs -z conv,tcp -r - < f` | 200,000 | {t_tshark:.3f} s | {2e5 / t_tshark / 1e6:.3f} M | {mib(m_tshark)} |",
        f"| `capinfos f` (with its default hashes) | 2,000,000 | {t_cap:.3f} s | {2e6 / t_cap / 1e6:.2f} M | {mib(m_cap)} |",
        f"| `capinfos -csduaeyizx f` (no hashes) | 2,000,000 | {t_capn:.3f} s | {2e6 / t_capn / 1e6:.2f} M | |",
        "",
        f"**pkt-stats is {t_tshark / t_small:.1f}x faster than tshark** on the same 200,000 packets "
        f"(target: at least 10x; on 2,000,000 packets tshark would take about {t_tshark * 10:.0f} s, "
        f"{t_tshark * 10 / t_big:.1f}x pkt-stats' time), "
        f"**{t_cap / t_big:.1f}x faster than capinfos** on 2,000,000 packets (target: at least 3x), "
        f"with a peak memory of {mib(m_big)} on 2,000,000 packets (target: under 64 MiB). "
        "capinfos' default run hashes the file (SHA256, RIPEMD160, SHA1); asked for its counts "
        f"and times only it takes {t_capn:.2f} s: it decodes no packet.",
    ]
    return "\n".join(lines)


def section_decode():
    big = gen_mix(2_000_000, "mix-2m.pcap")
    small = gen_mix(200_000, "mix-200k.pcap")
    dec = str(BIN / "pkt-decode")
    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
    fields = "ip.src,ip.dst,dns.qry.name,tls.handshake.extensions_server_name,http.host"
    tshark_fields = ["tshark", "-r", "-", "-T", "fields"] + [a for f in fields.split(",") for a in ("-e", f)]
    # tshark takes minutes per run on these files: median of TSHARK_RUNS (default 3) runs.
    tr = int(os.environ.get("PKTKIT_BENCH_TSHARK_RUNS", "3"))
    t_text, m_text = measure([dec, "-n"], big)
    t_tcpdump, _ = measure(["tcpdump", "-nn", "-r", "-"], big)
    t_json_big, m_json = measure([dec, "--json"], big)
    t_fields_big, m_fields = measure([dec, "--fields", fields], big)
    # Runs of a few tenths of a second feel every burst of a shared machine's noise: median
    # of QUICK_RUNS (default 15) for pkt-decode on the small file.
    quick = int(os.environ.get("PKTKIT_BENCH_QUICK_RUNS", "15"))
    t_json, _ = measure([dec, "--json"], small, quick)
    t_ek, m_ek = measure(["tshark", "-r", "-", "-T", "ek"], small, tr)
    t_fields, _ = measure([dec, "--fields", fields], small, quick)
    t_tf, _ = measure(tshark_fields, small, tr)
    lines = [
        f"gen-mix captures of 2,000,000 and 200,000 packets, page-cached, stdout to /dev/null; "
        f"median of {RUNS} runs after a warm-up run ({tr} for tshark, which takes minutes; {quick} "
        f"for pkt-decode on the 200,000-packet file, whose runs take tenths of a second). "
        f"Load average {load} when the section started (the machine is shared).",
        "",
        "| mode | pkt-decode | anchor | anchor time | ratio | target |",
        "|---|---|---|---|---|---|",
        f"| text, 2,000,000 packets | `pkt-decode -n < f`: {t_text:.2f} s | `tcpdump -nn -r - < f` | {t_tcpdump:.2f} s | **{t_tcpdump / t_text:.1f}x** | 5x |",
        f"| `--json`, 200,000 packets | {t_json:.3f} s | `tshark -r - -T ek` | {t_ek:.1f} s | **{t_ek / t_json:.0f}x** | 100x |",
        f"| `--fields {fields}`, 200,000 packets | {t_fields:.3f} s | `tshark -T fields -e ...` | {t_tf:.1f} s | **{t_tf / t_fields:.0f}x** | 20x |",
        "",
        f"Peak memory on 2,000,000 packets: text {mib(m_text)}, `--json` {mib(m_json)} "
        f"({t_json_big:.2f} s), `--fields` {mib(m_fields)} ({t_fields_big:.2f} s) (target: under "
        f"32 MiB); tshark -T ek on 200,000 packets: {mib(m_ek)}.",
    ]
    return "\n".join(lines)


def section_dfilter():
    small = gen_mix(200_000, "mix-200k.pcap")
    big = gen_mix(2_000_000, "mix-2m.pcap")
    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
    tr = int(os.environ.get("PKTKIT_BENCH_TSHARK_RUNS", "3"))
    quick = int(os.environ.get("PKTKIT_BENCH_QUICK_RUNS", "15"))
    y_dec = 'dns.qry.name contains "example" || tls.handshake.extensions_server_name'
    fields = ["frame.number", "dns.qry.name", "tls.handshake.extensions_server_name"]
    dec = [str(BIN / "pkt-decode"), "-Y", y_dec, "--fields", ",".join(fields)]
    t_dec_anchor = ["tshark", "-r", "-", "-Y", y_dec, "-T", "fields"] + [a for f in fields for a in ("-e", f)]
    y_flt = 'http.request.method == "GET"'
    flt = [str(BIN / "pcap-filter"), "-Y", y_flt]
    # tshark -w - writes pcapng to stdout; -F pcap for the same output format as pcap-filter.
    t_flt_anchor = ["tshark", "-r", "-", "-Y", y_flt, "-F", "pcap", "-w", "-"]
    t_dec, m_dec = measure(dec, small, quick)
    t_dec_t, _ = measure(t_dec_anchor, small, tr)
    t_flt, m_flt = measure(flt, small, quick)
    t_flt_t, _ = measure(t_flt_anchor, small, tr)
    _, m_dec_big = measure(dec, big, 1)
    _, m_flt_big = measure(flt, big, 1)
    lines = [
        f"200,000-packet gen-mix capture, page-cached, stdout to /dev/null; median of {quick} runs "
        f"for pktkit, {tr} for tshark, after a warm-up run. Load average {load} when the section "
        "started (the machine is shared).",
        "",
        "| command | pktkit | tshark | ratio | target |",
        "|---|---|---|---|---|",
        f"| `pkt-decode -Y '{y_dec.replace('|', chr(92) + '|')}' --fields {','.join(fields)}` vs `tshark -Y ... -T fields -e ...` "
        f"| {t_dec:.3f} s | {t_dec_t:.1f} s | **{t_dec_t / t_dec:.0f}x** | 30x |",
        f"| `pcap-filter -Y '{y_flt}'` vs `tshark -Y ... -F pcap -w -` | {t_flt:.3f} s | {t_flt_t:.1f} s "
        f"| **{t_flt_t / t_flt:.0f}x** | 30x |",
        "",
        f"Peak memory: pkt-decode -Y {mib(m_dec)} on 200,000 packets, {mib(m_dec_big)} on 2,000,000; "
        f"pcap-filter -Y {mib(m_flt)} and {mib(m_flt_big)} (flat in the file's size).",
    ]
    return "\n".join(lines)


def section_parquet():
    big = gen_mix(2_000_000, "mix-2m.pcap")
    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
    tr = int(os.environ.get("PKTKIT_BENCH_TSHARK_RUNS", "3"))
    fields = "frame.time_epoch,frame.len,ip.src,ip.dst,tcp.srcport,tcp.dstport,udp.srcport,udp.dstport,dns.qry.name"
    parquet, csv = CACHE / "out.parquet", CACHE / "out.csv"
    ours = [str(BIN / "pkt-decode"), "--fields", fields, "--parquet", str(parquet)]
    # CSV as people load it into an engine: comma-separated, a header row, values quoted.
    anchor = ["tshark", "-r", "-", "-T", "fields", "-E", "separator=,", "-E", "header=y", "-E", "quote=d"]
    anchor += [a for f in fields.split(",") for a in ("-e", f)]
    t_ours, m_ours = measure(ours, big)
    t_anchor, m_anchor = measure(anchor, big, tr, csv)
    size = lambda p: p.stat().st_size / 1e6
    lines = [
        f"2,000,000-packet gen-mix capture ({size(big):.0f} MB), page-cached; both write a file in "
        f"target/bench/; median of {RUNS} runs for pkt-decode, {tr} for tshark (minutes per run), "
        f"after a warm-up run. Load average {load} when the section started (the machine is shared). "
        f"Fields: `{fields}`.",
        "",
        "| command | median time | packets/s | peak memory | output |",
        "|---|---|---|---|---|",
        f"| `pkt-decode --fields ... --parquet out.parquet < f` | {t_ours:.2f} s | {2e6 / t_ours / 1e6:.2f} M "
        f"| {mib(m_ours)} | {size(parquet):.1f} MB Parquet (zstd) |",
        f"| `tshark -r - -T fields -E separator=, -E header=y -E quote=d -e ... < f > out.csv` | {t_anchor:.1f} s "
        f"| {2e6 / t_anchor / 1e6:.3f} M | {mib(m_anchor)} | {size(csv):.1f} MB CSV |",
        "",
        f"**pkt-decode --parquet is {t_anchor / t_ours:.0f}x faster than tshark writing CSV**, "
        f"with {m_anchor / max(m_ours, 1):.0f}x less peak memory, and its file is "
        f"{size(csv) / size(parquet):.1f}x smaller (and typed).",
    ]
    return "\n".join(lines)


def spark_submit():
    """spark-submit of scripts/pyenv's environment (pyspark of examples/spark/requirements.txt),
    with the local-mode settings of examples/spark/README.md."""
    req = ROOT / "examples" / "spark" / "requirements.txt"
    specs = [l.strip() for l in req.read_text().splitlines() if l.strip() and not l.startswith("#")]
    python = subprocess.run([str(ROOT / "scripts" / "pyenv"), *specs], check=True, capture_output=True,
                            text=True).stdout.strip()
    env = dict(os.environ, PYSPARK_PYTHON=python, SPARK_LOCAL_IP="127.0.0.1")
    argv = [str(Path(python).with_name("spark-submit")), "--master", "local[2]", "--conf", "spark.ui.enabled=false",
            "--driver-java-options", f"-Dlog4j.configurationFile={ROOT / 'examples' / 'spark' / 'log4j2.properties'}",
            str(ROOT / "examples" / "spark" / "pktkit_spark.py")]
    return argv, env


def editcap_shards(capture, shards):
    """`capture` cut into `shards` files of consecutive packets with editcap -c, made once."""
    out = CACHE / f"{capture.stem}-{shards}-shards"
    if not out.is_dir():
        packets = int(subprocess.run(["capinfos", "-M", "-c", "-T", "-r", str(capture)], check=True,
                                     capture_output=True, text=True).stdout.split()[-1])
        tmp = out.with_suffix(".tmp")
        subprocess.run(["rm", "-rf", str(tmp)], check=True)
        tmp.mkdir(parents=True)
        subprocess.run(["editcap", "-c", str(-(-packets // shards)), str(capture), str(tmp / "shard.pcap")], check=True)
        tmp.rename(out)
    return sorted(out.glob("shard_*.pcap"))


def section_spark():
    big = gen_mix(2_000_000, "mix-2m.pcap")
    parts = editcap_shards(big, 8)
    submit, env = spark_submit()
    runs = int(os.environ.get("PKTKIT_BENCH_SPARK_RUNS", "3"))
    load = open("/proc/loadavg").read().split()[0]
    merged, whole = CACHE / "spark-merged.json", CACHE / "spark-whole.json"

    def job(shards):
        argv = [*submit, "stats", "--pkt-stats", str(BIN / "pkt-stats"), "-o", str(merged), *map(str, shards)]
        start = time.perf_counter()
        p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if p.returncode != 0:
            sys.exit(f"scripts/bench: the Spark job exited {p.returncode}")
        return time.perf_counter() - start

    def median_of(fn):
        fn()
        return statistics.median(fn() for _ in range(runs))

    t_job = median_of(lambda: job(parts))
    with open(whole, "wb") as out:
        subprocess.run([str(BIN / "pkt-stats"), "--json", str(big)], stdout=out, check=True)
    if merged.read_bytes() != whole.read_bytes():
        sys.exit("scripts/bench: the Spark job's report differs from pkt-stats --json of the whole capture")
    t_whole, m_whole = measure([str(BIN / "pkt-stats"), "--json"], big, runs)
    # The job's fixed cost: the same 8 tasks and merge on shards of 20 packets.
    tiny = ROOT / "tests" / "data" / "demo.pcap"
    t_fixed = median_of(lambda: job([tiny] * 8))
    t_shard = statistics.median(measure([str(BIN / "pkt-stats"), "--json"], p, 1)[0] for p in parts)
    reports = []
    for i, part in enumerate(parts):
        reports.append(CACHE / f"spark-shard-{i}.json")
        with open(part, "rb") as fin, open(reports[-1], "wb") as out:
            subprocess.run([str(BIN / "pkt-stats"), "--json"], stdin=fin, stdout=out, check=True)
    t_merge, m_merge = measure([str(BIN / "pkt-stats"), "--json", "--merge", *map(str, reports)], os.devnull, runs)
    report_mb = whole.stat().st_size / 1e6
    lines = [
        f"The 2,000,000-packet gen-mix capture ({big.stat().st_size / 1e6:.0f} MB) cut by `editcap -c 250000` "
        f"into {len(parts)} shards, page-cached; `spark-submit --master local[2]` of "
        "`examples/spark/pktkit_spark.py stats` (pyspark from PyPI, the system's Java; one task per "
        "shard, one merging task) against one `pkt-stats --json` of the whole file; median of "
        f"{runs} run{'s' if runs != 1 else ''} after a warm-up run (load average {load} when the section started: the machine "
        "is shared). The job's report is checked to be byte for byte the whole file's "
        f"({report_mb:.1f} MB of JSON).",
        "",
        "| command | median time |",
        "|---|---|",
        f"| Spark job, 8 shards of 250,000 packets, `local[2]` | {t_job:.2f} s |",
        f"| Spark job, 8 shards of 20 packets (its fixed cost: JVM, Python workers, shuffle) | {t_fixed:.2f} s |",
        f"| `pkt-stats --json < f > /dev/null`, the whole file | {t_whole:.3f} s (peak {mib(m_whole)}) |",
        f"| `pkt-stats --json < shard`, one shard (median of the 8) | {t_shard:.3f} s |",
        f"| `pkt-stats --json --merge` of the 8 shard reports | {t_merge:.3f} s (peak {mib(m_merge)}) |",
        "",
        f"**The Spark job takes {t_job / t_whole:.1f}x the time of one pkt-stats run** on this 2-core "
        f"machine; {t_fixed:.1f} s of it is Spark's fixed cost. Spark pays on data that outgrows one "
        "machine (shards on many executors); on one machine pkt-stats alone, or `xargs -P`, is faster.",
    ]
    return "\n".join(lines)


def script_section(script, intro):
    """A lab benchmark script that prints its own markdown tables (needs root)."""
    def run():
        if os.geteuid() != 0:
            sys.exit(f"scripts/bench: {script} needs root (network namespaces)")
        out = subprocess.run([str(ROOT / "scripts" / script)], check=True, capture_output=True, text=True).stdout
        return intro + "\n\n" + out.strip()
    return run


SECTIONS = {
    "filter": ("pcap-filter", section_filter),
    "decode": ("pkt-decode", section_decode),
    "stats": ("pkt-stats", section_stats),
    "dfilter": ("display filters (-Y)", section_dfilter),
    "parquet": ("pkt-decode --parquet", section_parquet),
    "spark": ("pkt-stats on Spark (local mode)", section_spark),
    "capture": (
        "pcap-capture (lab)",
        script_section(
            "bench-capture",
            "1,000,000 60-byte UDP frames sent with `tcpreplay --topspeed` from the lab's client and "
            "captured on r1's eth0 (`udp port 9`, `-w` to a file), once per tool and buffer size, "
            "3 rounds; each capture stopped with SIGINT after the burst. Target: pcap-capture keeps "
            "at least as many packets as tcpdump with the same `-B`. Details of the method: "
            "docs/pcap-capture.md (Performance) and scripts/bench-capture.",
        ),
    ),
    "synscan": (
        "synscan (lab)",
        script_section(
            "bench-synscan",
            "From the lab's client, alternating rounds of `synscan --json --all`, `nmap -sS -T4 -n -Pn "
            "--reason -oX -` and `masscan --rate 100000 --wait 1 --router-mac <gateway> -oL -`: every "
            "port of the server (synscan and nmap `-p-`, masscan `-p0-65535`), then 22-1024 on the "
            "server and host2, both across the chain's two routers; then every port of the server again "
            "over netlab's `direct` link (one veth from client to server, no routers: a veth runs the "
            "far side's receive path inside the sender's system call, so on the chain the two routers' "
            "forwarding is charged to the scanner). synscan's and nmap's states and reasons must be identical (the script "
            "fails otherwise). masscan 1.3.2 does not exit on a quiet link after its --wait, so the server "
            "pings the client every 0.1 s while it runs. Targets: at least 3x faster than nmap -T4, "
            "faster than masscan with more found, at least 100,000 probes/s sustained (synscan's first "
            "round). The machine is shared: the load average is given with each table. Method: "
            "scripts/bench-synscan.",
        ),
    ),
    "send": (
        "pkt-send --replay (lab)",
        script_section(
            "bench-send",
            "A 200,000-packet gen-mix capture replayed from the lab's client eth0 across the veth "
            "to r1 with `tcpreplay --topspeed` and `pkt-send --replay --topspeed` (alternating "
            "rounds), then each at `--pps 50000`, the rate seen on the far side by r1's tcpdump. "
            "Targets: pkt-send at least 1.5x tcpreplay's packets per second with none failed; "
            "rate within 0.5% at 50,000 pps.",
        ),
    ),
    "netmon": (
        "netmon",
        script_section(
            "bench-netmon",
            "One socket snapshot against ss and psutil, and the cost of the live view. Method: "
            "scripts/bench-netmon.",
        ),
    ),
    "tracert": (
        "tracert (lab)",
        script_section(
            "bench-tracert",
            "`tracert -n` against `traceroute -n` (traceroute 2.1) on the lab's plain chain and on "
            "its silent-hop variant (r2 sends no time-exceeded), for UDP, `-I` and `-T`, and "
            "`tracert --report -c 10` against mtr-tiny's `mtr -r -c 10` at the same interval. "
            "Targets: at most traceroute's time on the plain chain, at most half of it on the "
            "silent hop, with the same hops; the same loss figures as mtr. Method: "
            "scripts/bench-tracert; how tracert waits: docs/tracert.md.",
        ),
    ),
}


def write_section(key, title, body):
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\nWritten by `scripts/bench`; each section is rewritten when it runs.\n"
    stamp = time.strftime("%Y-%m-%d")
    block = f"<!-- bench:{key} -->\n## {title}\n\nMeasured {stamp} on {machine()}.\n\n{body}\n<!-- /bench:{key} -->"
    pattern = re.compile(rf"<!-- bench:{key} -->.*?<!-- /bench:{key} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


def main():
    wanted = sys.argv[1:] or list(SECTIONS)
    for key in wanted:
        if key not in SECTIONS:
            sys.exit(f"scripts/bench: unknown section {key!r} (known: {', '.join(SECTIONS)})")
        title, fn = SECTIONS[key]
        body = fn()
        print(f"## {title}\n\n{body}\n")
        write_section(key, title, body)


if __name__ == "__main__":
    main()
