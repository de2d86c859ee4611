#!/usr/bin/env python3
"""pktkit on Spark: pkt-stats over capture shards, and synscan's shards, each run in the
executors and merged into one result. Submit it with spark-submit (examples/spark/README.md):

  spark-submit --master local[2] pktkit_spark.py stats [OPTIONS] SHARD...
  spark-submit --master local[2] pktkit_spark.py synscan --shards N [OPTIONS] -- SYNSCAN-ARGS...

stats: one task per shard runs `pkt-stats --json [--stats-args] SHARD`; one task merges the
reports with `pkt-stats --json --merge -`. The result is byte for byte `pkt-stats --json` of
the whole capture (docs/pkt-stats.md, "Merging reports").

synscan: task K of N runs `synscan --json -q --shard K/N --seed S -g BASE+K-1 SYNSCAN-ARGS`;
the driver merges the NDJSON records (merge_scan below: port records sorted by host and port,
one summary record with the counters summed).

Exit status: 0 done, 1 a tool or Spark failed (one line names the tool and the shard), 2 usage.
"""
import argparse
import ipaddress
import json
import os
import random
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

NAME = "pktkit_spark"
SCAN_SCHEMA = "pktkit.synscan/1"
# Summary counters that add up over shards (docs/json-schema.md, synscan's `summary`).
SCAN_SUMMED = ("probes", "retries", "received", "answers", "duplicates", "ignored", "dropped",
               "open", "closed", "filtered", "send_rate")
# synscan options the job sets for each task.
SCAN_SET = ("-g", "--source-port", "--shard")
# synscan options that write files of their own: in a task each would write its own part.
SCAN_FILES = ("-oX", "--oX", "--output-xml", "-oG", "--oG", "--output-grepable", "-w")
# The first source port of the scan tasks: above Linux's default ephemeral range
# (32768-60999), so no local connection uses it.
SOURCE_PORT_BASE = 61000


class ToolFailed(Exception):
    """A pktkit tool exited non-zero in a task; the message names the tool and the shard."""


def resolve(program):
    """The path of `program` on this executor: a path that exists, else a file shipped with
    spark-submit --files (made executable), else the program found on PATH."""
    if os.sep in program or Path(program).exists():
        return program
    try:
        from pyspark import SparkFiles
        shipped = SparkFiles.get(program)
    except Exception:  # no SparkContext here (driver-side tests) or nothing shipped
        shipped = None
    if shipped and Path(shipped).is_file():
        mode = os.stat(shipped).st_mode
        if not mode & stat.S_IXUSR:
            os.chmod(shipped, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return shipped
    return shutil.which(program) or program


def run_tool(prefix, program, args, what, stdin=None):
    """Runs prefix + [program] + args (stdin: bytes or None); returns its stdout as text, or
    raises ToolFailed naming `what` with the tool's last line on stderr."""
    argv = [*prefix, resolve(program), *args]
    try:
        done = subprocess.run(argv, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                              capture_output=True)
    except OSError as e:
        raise ToolFailed(f"cannot run {shlex.join(argv)} for {what}: {e.strerror}") from None
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        why = lines[-1] if lines else "no message"
        raise ToolFailed(f"{Path(program).name} exited {done.returncode} on {what}: {why}")
    return done.stdout.decode()


def spark_session(app):
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName(app).getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("PKTKIT_SPARK_LOG_LEVEL", "WARN"))
    return spark


def stats_job(opts, context):
    """The report of the whole capture, merged from one `pkt-stats --json` task per shard
    (`context()` starts Spark, once the arguments are checked)."""
    shards = list(opts.shard)
    if opts.shards_file:
        text = Path(opts.shards_file).read_text()
        shards += [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not shards:
        usage("stats: no shards (give paths, or --shards-file)")
    prefix, program = shlex.split(opts.prefix), opts.pkt_stats
    stats_args = shlex.split(opts.stats_args)

    def report(shard):
        return run_tool(prefix, program, ["--json", *stats_args, shard], f"shard {shard}")

    def merge(reports):
        text = "".join(line if line.endswith("\n") else line + "\n" for line in reports)
        yield run_tool(prefix, program, ["--json", "--merge", "-"], f"the merge of {len(shards)} reports",
                       stdin=text.encode())

    # One task per shard; repartition(1) shuffles the reports to one merging task (coalesce
    # would run every shard in that one task).
    reports = context().parallelize(shards, len(shards)).map(report)
    return reports.repartition(1).mapPartitions(merge).collect()[0]


def scan_host_key(host):
    """Sort key of a scanned address: every IPv4 address before every IPv6 one, numerically."""
    addr = ipaddress.ip_address(host)
    return (addr.version, int(addr))


def merge_scan(lines_of_shards, shards):
    """One NDJSON result from the `synscan --json` output of every shard.

    Port records: all of them, sorted by host (IPv4 before IPv6, numerically) then port, each
    as its shard wrote it. Summary: the counters of SCAN_SUMMED summed; `hosts` the distinct
    hosts of the port records; `ports`, `seed` the shards' common values; `elapsed`, `time` the
    latest shard's; `rate` the summed probes over that elapsed time; `srtt` the mean of the
    shards' weighted by their answers; `shard` "1/1" (the whole scan) and `shards` N."""
    ports, summaries = [], []
    for lines in lines_of_shards:
        for line in lines.splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("schema") != SCAN_SCHEMA:
                raise ToolFailed(f"synscan wrote a record of schema {record.get('schema')!r}, not {SCAN_SCHEMA}")
            (summaries if record.get("type") == "summary" else ports).append(record)
    if len(summaries) != shards:
        raise ToolFailed(f"{len(summaries)} summary records from {shards} shards")
    for key in ("ports", "seed"):
        values = {s[key] for s in summaries}
        if len(values) != 1:
            raise ToolFailed(f"the shards' summaries disagree on {key}: {sorted(values)}")
    ports.sort(key=lambda r: (scan_host_key(r["host"]), r["port"]))
    last = max(summaries, key=lambda s: (s["elapsed"], s["time_sec"], s["time_nsec"]))
    merged = {"schema": SCAN_SCHEMA, "type": "summary",
              "time": last["time"], "time_sec": last["time_sec"], "time_nsec": last["time_nsec"],
              "elapsed": last["elapsed"]}
    totals = {key: sum(s[key] for s in summaries) for key in SCAN_SUMMED}
    merged["rate"] = round(totals["probes"] / last["elapsed"]) if last["elapsed"] > 0 else 0
    merged["send_rate"] = totals.pop("send_rate")
    merged["hosts"] = len({r["host"] for r in ports})
    merged["ports"] = summaries[0]["ports"]
    merged.update(totals)
    timed = [(s["srtt"], s["answers"]) for s in summaries if "srtt" in s and s["answers"] > 0]
    if timed:
        merged["srtt"] = round(sum(t * n for t, n in timed) / sum(n for _, n in timed), 6)
    merged["seed"] = summaries[0]["seed"]
    merged["shard"] = "1/1"
    merged["shards"] = shards
    out = [json.dumps(r, separators=(",", ":")) for r in ports]
    out.append(json.dumps(merged, separators=(",", ":")))
    return "\n".join(out) + "\n"


def option_value(args, name):
    """The value of option `name` in a synscan argument list (`--name V` or `--name=V`)."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def synscan_job(opts, context):
    """The merged NDJSON of `--shards` synscan tasks, each scanning its part of the probes
    (`context()` starts Spark, once the arguments are checked)."""
    args = list(opts.synscan_args)
    if args and args[0] == "--":
        args = args[1:]
    args = [a for a in args if a not in ("--json", "-q")]  # every task writes NDJSON, quietly
    if not args:
        usage("synscan: give synscan's targets and ports after --")
    for arg in args:
        name = arg.split("=", 1)[0]
        if name in SCAN_SET:
            usage(f"synscan: {name} is set by the job for each task: leave it out")
        if name in SCAN_FILES:
            usage(f"synscan: {name} would write one file per task on the executors: leave it out")
    if opts.shards < 1:
        usage("synscan: --shards must be at least 1")
    if opts.source_port_base + opts.shards - 1 > 65535:
        usage("synscan: --source-port-base + --shards - 1 must be at most 65535")
    seed = option_value(args, "--seed")
    if seed is None:
        seed = str(random.getrandbits(63))
        args = ["--seed", seed, *args]
    prefix, program, shards, base = shlex.split(opts.prefix), opts.synscan, opts.shards, opts.source_port_base

    def scan(k):
        # Each task its own source port: tasks on one host then never see each other's answers
        # (synscan filters its capture on its source port).
        own = ["--json", "-q", "--shard", f"{k}/{shards}", "-g", str(base + k - 1)]
        return run_tool(prefix, program, [*own, *args], f"shard {k}/{shards}")

    parts = context().parallelize(range(1, shards + 1), shards).map(scan).collect()
    return merge_scan(parts, shards)


def usage(message):
    print(f"{NAME}: {message}", file=sys.stderr)
    print(f"try '{NAME}.py --help'", file=sys.stderr)
    sys.exit(2)


def parser():
    p = argparse.ArgumentParser(prog=f"{NAME}.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="job", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--prefix", default="", metavar="CMD",
                        help="command the executors put before each tool, e.g. 'ip netns exec NS'")
    common.add_argument("-o", "--output", metavar="FILE", help="write the result to FILE on the driver (default: stdout)")
    s = sub.add_parser("stats", parents=[common], help="pkt-stats over capture shards, merged")
    s.add_argument("shard", nargs="*", help="capture shards, as the executors see them (shared storage)")
    s.add_argument("--shards-file", metavar="FILE", help="a file (on the driver) of shard paths, one a line")
    s.add_argument("--pkt-stats", default="pkt-stats", metavar="PROG",
                   help="pkt-stats on the executors: a path, a name shipped with --files, or on PATH")
    s.add_argument("--stats-args", default="", metavar="ARGS",
                   help="pkt-stats options for every shard, e.g. '--interval 1s --me 10.0.0.0/8'")
    n = sub.add_parser("synscan", parents=[common], help="synscan --shard K/N in N tasks, merged")
    n.add_argument("--shards", type=int, required=True, metavar="N", help="number of scan tasks")
    n.add_argument("--synscan", default="synscan", metavar="PROG",
                   help="synscan on the executors: a path, a name shipped with --files, or on PATH")
    n.add_argument("--source-port-base", type=int, default=SOURCE_PORT_BASE, metavar="PORT",
                   help=f"task K sends from port PORT+K-1 (default {SOURCE_PORT_BASE})")
    n.add_argument("synscan_args", nargs=argparse.REMAINDER, help="-- then synscan's options, targets and ports")
    return p


def spark_failure(error):
    """The one line to print for an exception from Spark: a task's ToolFailed message when
    there is one, else the exception's first line."""
    text = str(error)
    found = re.search(r"ToolFailed: (.*)", text)
    return found.group(1).strip() if found else (text.strip().splitlines() or ["unknown error"])[0]


def main():
    opts = parser().parse_args()
    started = []

    def context():
        started.append(spark_session(f"pktkit {opts.job}"))
        return started[0].sparkContext

    try:
        result = (stats_job if opts.job == "stats" else synscan_job)(opts, context)
    except ToolFailed as e:
        print(f"{NAME}: {opts.job}: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # Py4JJavaError from a failed task, or any Spark failure
        print(f"{NAME}: {opts.job}: {spark_failure(e)}", file=sys.stderr)
        return 1
    finally:
        for spark in started:
            spark.stop()
    if opts.output:
        Path(opts.output).write_text(result)
    else:
        sys.stdout.write(result)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
