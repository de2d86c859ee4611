//! examples/spark/pktkit_spark.py on a real Spark in local mode (`local[2]`, pyspark from PyPI
//! in scripts/pyenv's environment, the system's Java): pkt-stats over capture shards merges to
//! byte for byte the whole capture's report; a failing shard is one line and exit 1, a usage
//! error one line and exit 2; and, as root in the lab, synscan's shards run in N tasks merge to
//! one full scan's results.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;
use support::Scratch;
use support::lab::{Host, Lab, is_root, notice};

const STATS: &str = env!("CARGO_BIN_EXE_pkt-stats");
const SYNSCAN: &str = env!("CARGO_BIN_EXE_synscan");
/// The job's PyPI requirements, one `name==version` a line (`#` comments).
const REQUIREMENTS: &str = include_str!("../examples/spark/requirements.txt");
/// Shards the stats test cuts its capture into, and scan tasks of the scan test.
const SHARDS: usize = 8;
const SCAN_SHARDS: usize = 4;

/// Each job starts a JVM and loads both cores: one at a time in this binary.
static SPARK: Mutex<()> = Mutex::new(());

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// spark-submit, in the project's Python environment, with the local-mode settings of
/// examples/spark/README.md; `None` after a skip notice when the environment or Java is missing.
fn spark_submit(test: &str) -> Option<Command> {
    if Command::new("java").arg("-version").output().map(|o| !o.status.success()).unwrap_or(true) {
        notice(&format!("SKIP {test}: no Java runtime (apt-get install default-jre-headless)"));
        return None;
    }
    let specs: Vec<&str> =
        REQUIREMENTS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let env = Command::new(repo().join("scripts/pyenv")).args(&specs).stdin(Stdio::null()).output();
    let python = match env {
        Ok(out) if out.status.success() => PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
        Ok(out) => {
            let why = String::from_utf8_lossy(&out.stderr);
            notice(&format!("SKIP {test}: scripts/pyenv {} failed: {}", specs.join(" "), why.trim()));
            return None;
        }
        Err(e) => {
            notice(&format!("SKIP {test}: cannot run scripts/pyenv: {e}"));
            return None;
        }
    };
    let mut cmd = Command::new(python.with_file_name("spark-submit"));
    cmd.env("PYSPARK_PYTHON", &python).env("SPARK_LOCAL_IP", "127.0.0.1").stdin(Stdio::null());
    let log4j = repo().join("examples/spark/log4j2.properties");
    cmd.args(["--master", "local[2]", "--conf", "spark.ui.enabled=false", "--driver-java-options"])
        .arg(format!("-Dlog4j.configurationFile={}", log4j.display()))
        .arg(repo().join("examples/spark/pktkit_spark.py"));
    Some(cmd)
}

/// Runs a job, printing how long it took (the test's added time in CI).
fn run_job(test: &str, mut cmd: Command) -> Output {
    let start = Instant::now();
    let out = cmd.output().expect("run spark-submit");
    notice(&format!("{test}: spark-submit took {:.1} s", start.elapsed().as_secs_f64()));
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A varied capture: 30,000 packets of ../shared/bench/gen-mix.py when it is there, else
/// tests/data/demo.pcap (20 packets, made by pktkit).
fn capture(dir: &Scratch) -> PathBuf {
    let generator = repo().join("../shared/bench/gen-mix.py");
    let out = dir.path("whole.pcap");
    if generator.is_file() {
        let status = Command::new("python3")
            .arg(&generator)
            .arg(&out)
            .args(["--packets", "30000"])
            .stderr(Stdio::null())
            .status()
            .expect("python3");
        if status.success() {
            return out;
        }
    }
    notice("spark: no ../shared/bench/gen-mix.py: the stats job runs on tests/data/demo.pcap");
    std::fs::copy(repo().join("tests/data/demo.pcap"), &out).expect("copy demo.pcap");
    out
}

/// Cuts `whole` into about SHARDS parts with editcap -c (docs/pkt-stats.md, "Sharded runs"),
/// sorted by name; `None` after a notice when editcap is missing.
fn shards(test: &str, dir: &Scratch, whole: &Path) -> Option<Vec<PathBuf>> {
    let packets = Command::new(STATS).args(["--json"]).arg(whole).output().expect("pkt-stats");
    let report: Value = serde_json::from_slice(&packets.stdout).expect("report");
    let total = report["summary"]["packets"].as_u64().unwrap() as usize;
    let per_shard = total.div_ceil(SHARDS).max(1);
    let cut = Command::new("editcap")
        .args(["-c", &per_shard.to_string()])
        .arg(whole)
        .arg(dir.path("shard.pcap"))
        .output();
    match cut {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("editcap failed: {}", text(&out.stderr)),
        Err(_) => {
            notice(&format!("SKIP {test}: no editcap (Debian package wireshark-common)"));
            return None;
        }
    }
    let mut parts: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("shard_"))
        .collect();
    parts.sort();
    Some(parts)
}

#[test]
fn stats_job_on_shards_is_byte_for_byte_the_whole_report() {
    let test = "stats_job_on_shards_is_byte_for_byte_the_whole_report";
    let _one = SPARK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(mut submit) = spark_submit(test) else { return };
    let dir = Scratch::new("spark-stats");
    let whole = capture(&dir);
    let Some(parts) = shards(test, &dir, &whole) else { return };
    assert!(parts.len() >= 2, "{} shards", parts.len());
    let options = ["--interval", "1s", "--me", "10.0.0.0/8"];
    let merged = dir.path("merged.json");
    submit
        .args(["stats", "--pkt-stats", STATS, "--stats-args", &options.join(" "), "-o"])
        .arg(&merged)
        .args(&parts)
        .current_dir(&dir.0);
    let out = run_job(test, submit);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let expected = Command::new(STATS).arg("--json").args(options).arg(&whole).output().unwrap();
    assert!(expected.status.success());
    let got = std::fs::read(&merged).unwrap();
    assert!(got == expected.stdout, "the merged report differs from the whole capture's");
    let report: Value = serde_json::from_slice(&got).unwrap();
    assert!(report["summary"]["packets"].as_u64().unwrap() >= 20);
    assert_eq!(report["config"]["me"], serde_json::json!(["10.0.0.0/8"]), "options reach every shard");
    // Spark kept quiet: no INFO lines, only WARN at most.
    let stderr = text(&out.stderr);
    assert!(!stderr.lines().any(|l| l.contains(" INFO ")), "{stderr}");
}

#[test]
fn a_damaged_shard_fails_the_job_with_one_line_naming_it() {
    let test = "a_damaged_shard_fails_the_job_with_one_line_naming_it";
    let _one = SPARK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(mut submit) = spark_submit(test) else { return };
    let dir = Scratch::new("spark-damaged");
    let good = dir.path("good.pcap");
    std::fs::copy(repo().join("tests/data/demo.pcap"), &good).unwrap();
    let damaged = dir.path("damaged.pcap");
    std::fs::write(&damaged, b"this is not a capture").unwrap();
    submit.args(["stats", "--pkt-stats", STATS]).arg(&good).arg(&damaged).current_dir(&dir.0);
    let out = run_job(test, submit);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // spark-submit merges the Python driver's stderr into its stdout (Spark's PythonRunner):
    // the job's one line is there, and nothing else of the job's.
    let stdout = text(&out.stdout);
    let ours: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(ours.len(), 1, "one line and no report: {stdout}");
    let line = ours[0];
    let want = format!("pktkit_spark: stats: pkt-stats exited 1 on shard {}: pkt-stats: ", damaged.display());
    assert!(line.starts_with(&want), "{line}");
}

#[test]
fn a_usage_error_exits_2_with_one_line() {
    let test = "a_usage_error_exits_2_with_one_line";
    let _one = SPARK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(mut submit) = spark_submit(test) else { return };
    submit.args(["synscan", "--shards", "2", "--", "--seed", "1", "-oX", "scan.xml", "10.0.3.2"]);
    let out = run_job(test, submit);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "pktkit_spark: synscan: -oX would write one file per task on the executors: leave it out\n"
        ),
        "{stdout}"
    );
}

/// (host, port) -> every field of the port record but its times.
type Ports = BTreeMap<(String, u64), Value>;

/// The port records of synscan NDJSON (in order) and its summary record.
fn scan_records(ndjson: &str) -> (Vec<Value>, Value) {
    let mut ports = Vec::new();
    let mut summary = Value::Null;
    for line in ndjson.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["schema"], "pktkit.synscan/1");
        match v["type"].as_str() {
            Some("port") => ports.push(v),
            Some("summary") => summary = v,
            other => panic!("unknown record type {other:?}"),
        }
    }
    assert!(summary.is_object(), "no summary record");
    (ports, summary)
}

fn without_times(records: &[Value]) -> Ports {
    let mut out = Ports::new();
    for r in records {
        let mut r = r.clone();
        let object = r.as_object_mut().unwrap();
        for key in ["time", "time_sec", "time_nsec", "elapsed"] {
            object.remove(key);
        }
        let key = (r["host"].as_str().unwrap().to_string(), r["port"].as_u64().unwrap());
        assert!(out.insert(key.clone(), r).is_none(), "{key:?} reported twice");
    }
    out
}

#[test]
fn synscan_shards_on_spark_are_one_full_scan() {
    let test = "synscan_shards_on_spark_are_one_full_scan";
    let _one = SPARK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !is_root() {
        notice(&format!("SKIP {test}: needs root (CAP_NET_ADMIN) for the namespace lab"));
        return;
    }
    let Some(mut submit) = spark_submit(test) else { return };
    let Some(lab) = Lab::up() else { return };
    let (server, host2) = (lab.get("SERVER_V4"), lab.get("HOST2_V4"));
    let scan = ["--rate", "20000", "--seed", "77", "-p", "1-2000", server, host2];

    let mut full = lab.command(Host::Client, SYNSCAN, ["--json", "-q"]);
    full.args(scan).stdin(Stdio::null());
    let full = full.output().unwrap();
    assert!(full.status.success(), "{}", text(&full.stderr));
    let (full_ports, full_summary) = scan_records(&text(&full.stdout));

    let dir = Scratch::new("spark-scan");
    let prefix = format!("ip netns exec {}", lab.ns(Host::Client));
    submit
        .args([
            "synscan",
            "--shards",
            &SCAN_SHARDS.to_string(),
            "--prefix",
            &prefix,
            "--synscan",
            SYNSCAN,
            "--",
        ])
        .args(scan)
        .current_dir(&dir.0);
    let out = run_job(test, submit);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (ports, summary) = scan_records(&text(&out.stdout));

    // Sorted by host (as addresses) and port, each port once, equal to the full scan.
    let order: Vec<(String, u64)> = ports
        .iter()
        .map(|r| (r["host"].as_str().unwrap().to_string(), r["port"].as_u64().unwrap()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|(h, p)| (h.parse::<std::net::IpAddr>().unwrap(), *p));
    assert_eq!(order, sorted, "port records sorted by host and port");
    assert_eq!(ports.len(), 4000);
    let (ours, theirs) = (without_times(&ports), without_times(&full_ports));
    let differ: Vec<_> = ours.iter().filter(|(k, v)| theirs.get(*k) != Some(*v)).take(5).collect();
    assert!(ours.len() == theirs.len() && differ.is_empty(), "differ from the full scan: {differ:#?}");
    assert!(ours.values().any(|r| r["state"] == "open") && ours.values().any(|r| r["state"] == "filtered"));

    // The summary: the whole scan's counts; the counters the sum of the shards'.
    for key in ["hosts", "ports", "open", "closed", "filtered", "answers", "seed"] {
        assert_eq!(summary[key], full_summary[key], "summary {key}: {summary} against {full_summary}");
    }
    let n = |k: &str| summary[k].as_u64().unwrap_or_else(|| panic!("summary has no {k}: {summary}"));
    assert_eq!(n("probes"), 4000 + n("retries"));
    assert_eq!(n("received"), n("answers") + n("duplicates") + n("ignored"));
    assert_eq!((summary["shard"].as_str(), n("shards")), (Some("1/1"), SCAN_SHARDS as u64));
}
