//! pkt-decode --parquet as a user runs it: the file holds the rows of `--fields`, typed (read
//! back with the parquet crate, on tests/data/demo.pcap and every corpus capture); DuckDB's
//! answers to the queries of docs/parquet.md equal pkt-stats' report on the same capture;
//! filters, stdin, damaged input and the usage errors.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::{DurationNanosecondType, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use support::{captures, corpus, parallel, pkt_decode, run_timed, run_with};

const T: Duration = Duration::from_secs(120);

/// The DuckDB release the queries were checked with.
/// The pinned DuckDB package: the one line of tests/python/duckdb-requirements.txt that is not
/// a comment (scripts/test installs the same file's packages before the tests).
const DUCKDB_REQUIREMENTS: &str = include_str!("python/duckdb-requirements.txt");

fn duckdb_package() -> &'static str {
    DUCKDB_REQUIREMENTS
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap()
}

/// Fields of every value type, list and not: integers (decimal and hex), booleans, times,
/// addresses, text, stream indexes.
const FIELDS: &str = "frame.number,frame.time_epoch,frame.time_relative,frame.time_delta,frame.len,\
eth.src,vlan.id,ip.src,ip.dst,ip.ttl,ip.id,ip.flags.df,ipv6.src,ipv6.hlim,tcp.srcport,tcp.flags,\
tcp.flags.syn,tcp.stream,tcp.len,udp.dstport,udp.stream,icmp.type,icmpv6.type,arp.opcode,\
arp.src.proto_ipv4,dns.id,dns.qry.name,dns.a,dns.aaaa,dns.flags.response,http.host,\
http.request.uri,tls.handshake.extensions_server_name,dhcp.option.dhcp";

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/demo.pcap")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pktkit-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Reads a Parquet file's record batches.
fn read_batches(bytes: Vec<u8>) -> Vec<RecordBatch> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
        .expect("a Parquet file")
        .build()
        .unwrap();
    reader.map(Result::unwrap).collect()
}

/// Seconds with nine decimals, as `--fields` writes times.
fn seconds(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    format!("{sign}{}.{:09}", n / 1_000_000_000, n % 1_000_000_000)
}

/// One value as `--fields` text (integers in decimal).
fn cell(a: &ArrayRef, i: usize) -> String {
    if a.is_null(i) {
        return String::new();
    }
    match a.data_type() {
        arrow_schema::DataType::Int64 => a.as_primitive::<Int64Type>().value(i).to_string(),
        arrow_schema::DataType::Boolean => (a.as_boolean().value(i) as u8).to_string(),
        arrow_schema::DataType::Utf8 => a.as_string::<i32>().value(i).to_string(),
        arrow_schema::DataType::Timestamp(..) => {
            seconds(a.as_primitive::<TimestampNanosecondType>().value(i))
        }
        arrow_schema::DataType::Duration(..) => seconds(a.as_primitive::<DurationNanosecondType>().value(i)),
        arrow_schema::DataType::List(_) => {
            let values = a.as_list::<i32>().value(i);
            let list: Vec<String> = (0..values.len()).map(|j| cell(&values, j)).collect();
            list.join(",")
        }
        other => panic!("unexpected column type {other}"),
    }
}

/// The rows of a Parquet file, each value as `--fields` text (integers in decimal).
fn parquet_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for b in read_batches(bytes) {
        for i in 0..b.num_rows() {
            rows.push(b.columns().iter().map(|c| cell(c, i)).collect());
        }
    }
    rows
}

/// `--fields` rows with hex integers (`0x0012`) written in decimal, for the columns whose
/// Parquet type is an integer.
fn fields_rows(text: &str, int_columns: &[bool]) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            line.split('\t')
                .zip(int_columns)
                .map(|(v, &int)| {
                    if !int || v.is_empty() {
                        return v.to_string();
                    }
                    let decimal: Vec<String> = v
                        .split(',')
                        .map(|x| match x.strip_prefix("0x") {
                            Some(hex) => u64::from_str_radix(hex, 16).unwrap().to_string(),
                            None => x.parse::<u64>().unwrap_or_else(|_| panic!("integer {x:?}")).to_string(),
                        })
                        .collect();
                    decimal.join(",")
                })
                .collect()
        })
        .collect()
}

/// Which columns of a file hold integers (or lists of them).
fn int_columns(batches: &[RecordBatch]) -> Vec<bool> {
    use arrow_schema::DataType;
    let schema = batches.first().expect("a batch").schema();
    schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Int64 => true,
            DataType::List(item) => item.data_type() == &DataType::Int64,
            _ => false,
        })
        .collect()
}

/// Runs pkt-decode with `args` plus `--parquet -` and with `args` alone (`--fields`), and
/// checks that both give the same rows; returns how many.
fn same_rows(args: &[&str]) -> Result<usize, String> {
    let mut text_cmd = pkt_decode();
    text_cmd.args(args);
    let text = run_timed(text_cmd, None, T);
    let mut parquet_cmd = pkt_decode();
    parquet_cmd.args(["--parquet", "-"]).args(args);
    let file = run_timed(parquet_cmd, None, T);
    if text.code != file.code {
        return Err(format!("{args:?}: exit {:?} with --fields, {:?} with --parquet", text.code, file.code));
    }
    let got = parquet_rows(file.stdout.clone());
    if got.is_empty() && text.stdout.is_empty() {
        return Ok(0);
    }
    let want = fields_rows(&text.stdout_text(), &int_columns(&read_batches(file.stdout)));
    if got.len() != want.len() {
        return Err(format!("{args:?}: {} rows in Parquet, {} with --fields", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if g != w {
            return Err(format!("{args:?}: row {}:\n  parquet {g:?}\n  fields  {w:?}", i + 1));
        }
    }
    Ok(got.len())
}

#[test]
fn rows_equal_fields_on_the_demo_capture() {
    let demo = demo();
    let n = same_rows(&["--fields", FIELDS, demo.to_str().unwrap()]).unwrap();
    assert_eq!(n, 20);
    // -T fields -e names the fields too.
    assert_eq!(
        same_rows(&["-T", "fields", "-e", "ip.src", "-e", "tcp.dstport", demo.to_str().unwrap()]),
        Ok(20)
    );
}

#[test]
fn rows_equal_fields_on_every_corpus_capture() {
    let Some(dir) = corpus("rows_equal_fields_on_every_corpus_capture") else { return };
    let files = captures(&dir);
    assert!(files.len() > 100, "{} captures", files.len());
    let results = parallel(&files, |f| same_rows(&["--fields", FIELDS, f.to_str().unwrap()]));
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let rows: usize = results.iter().filter_map(|r| r.as_ref().ok()).sum();
    assert!(failures.is_empty(), "{} of {} captures differ:\n{}", failures.len(), files.len(), failures[0]);
    assert!(rows > 10_000, "{rows} rows");
}

#[test]
fn filters_apply_first() {
    let demo = demo();
    let demo = demo.to_str().unwrap();
    // A display filter and a BPF expression; tcp.stream and the time delta still count the
    // packets they drop.
    let fields = "frame.number,frame.time_delta,frame.time_delta_displayed,tcp.stream,ip.src";
    assert_eq!(same_rows(&["-Y", "tcp.flags.syn == 1", "--fields", fields, "-r", demo, "tcp"]), Ok(2));
    let n = same_rows(&["-Y", "ip", "--fields", fields, "-r", demo, "not", "port", "80"]).unwrap();
    assert!(n > 0 && n < 20, "{n}");
}

#[test]
fn stdin_streams_and_a_damaged_capture_keeps_its_rows() {
    let capture = std::fs::read(demo()).unwrap();
    let path = tmp("stdin.parquet");
    let mut cmd = pkt_decode();
    cmd.args(["--fields", "frame.number,ip.src"]).arg("-w").arg(&path);
    let run = run_with(cmd, &capture, T);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(parquet_rows(std::fs::read(&path).unwrap()).len(), 20);
    // Cut in the middle of a record: the rows before it are in a complete file, exit 1.
    let cut = &capture[..capture.len() - 10];
    let mut cmd = pkt_decode();
    cmd.args(["--fields", "frame.number"]).arg("--parquet").arg(&path);
    let run = run_with(cmd, cut, T);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.starts_with("pkt-decode: ") && run.stderr.lines().count() == 1, "{}", run.stderr);
    let rows = parquet_rows(std::fs::read(&path).unwrap());
    assert_eq!(rows.len(), 19);
    assert_eq!(rows[18], ["19"]);
}

#[test]
fn usage_errors() {
    let demo = demo();
    let demo = demo.to_str().unwrap();
    let out = tmp("usage.parquet");
    let out = out.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--parquet", out, demo], "--parquet needs --fields"),
        (&["--fields", "ip.src", "--json", "--parquet", out, demo], "cannot be used with"),
        (&["--fields", "ip.src", "--header", "--parquet", out, demo], "cannot be used with"),
        (&["--fields", "ip.src", "-l", "--parquet", out, demo], "-l shapes text rows only"),
        (&["-T", "fields", "-e", "ip.src", "-E", "separator=,", "--parquet", out, demo], "-E shapes"),
        (&["--fields", "ip.src", "-v", "--parquet", out, demo], "nothing with --parquet"),
        (&["--fields", "ip.src", "-w", "x.pcap", demo], "writes only Parquet"),
        (&["--fields", "ip.srcc", "--parquet", out, demo], "did you mean ip.src"),
        (&["--fields", "ip.src,ip.src", "--parquet", out, demo], "given twice"),
    ];
    for (args, message) in cases {
        let _ = std::fs::remove_file(out);
        let mut cmd = pkt_decode();
        cmd.args(*args);
        let run = run_timed(cmd, None, T);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("pkt-decode: ") && run.stderr.contains(message),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.lines().count() <= 2, "{args:?}: {}", run.stderr);
        assert!(!Path::new(out).exists(), "{args:?} created the file");
    }
}

/// The command of docs/parquet.md that writes `packets.parquet`: its `--fields` list.
fn documented_fields(doc: &str) -> String {
    let line = doc
        .lines()
        .find(|l| l.starts_with("pkt-decode --defrag --fields ") && l.contains("--parquet packets.parquet"))
        .expect("docs/parquet.md names the command");
    line.split_whitespace().skip_while(|w| *w != "--fields").nth(1).unwrap().to_string()
}

/// The Python of the project's virtual environment with DuckDB, or why there is none.
fn duckdb_python() -> Result<PathBuf, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pyenv");
    let out =
        Command::new(script).arg(duckdb_package()).output().map_err(|e| format!("scripts/pyenv: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// pkt-stats' numbers for the documented queries: top talkers, DNS names, bytes per minute.
fn pkt_stats_numbers(capture: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_pkt-stats"))
        .args(["--json", "--hosts", "--names", "--io", "--interval", "1m"])
        .arg(capture)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = |v: &serde_json::Value| v["rows"].as_array().unwrap().clone();
    let mut talkers: Vec<(String, u64, u64)> = rows(&report["hosts"])
        .iter()
        .filter(|h| h["sent_frames"].as_u64().unwrap() > 0)
        .map(|h| {
            (
                h["addr"].as_str().unwrap().to_string(),
                h["sent_frames"].as_u64().unwrap(),
                h["sent_bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    talkers.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    talkers.truncate(10);
    let mut names: Vec<(String, u64, u64)> = rows(&report["names"]["dns"])
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_string(),
                n["queries"].as_u64().unwrap(),
                n["responses"].as_u64().unwrap(),
            )
        })
        .collect();
    names.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    names.truncate(10);
    let minutes: Vec<(i64, u64, u64)> = rows(&report["io"])
        .iter()
        .map(|r| {
            (r["start_sec"].as_i64().unwrap(), r["frames"].as_u64().unwrap(), r["bytes"].as_u64().unwrap())
        })
        .collect();
    serde_json::json!({ "top_talkers": talkers, "dns_names": names, "bytes_per_minute": minutes })
}

#[test]
fn duckdb_answers_equal_pkt_stats() {
    let python = match duckdb_python() {
        Ok(p) => p,
        Err(why) => {
            eprintln!(
                "duckdb_answers_equal_pkt_stats: SKIPPED: no Python environment with {}: {why}",
                duckdb_package()
            );
            return;
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc_path = root.join("docs/parquet.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let fields = documented_fields(&doc);
    let mut inputs = vec![demo()];
    if let Some(dir) = corpus("duckdb_answers_equal_pkt_stats (corpus captures)") {
        inputs.push(dir.join("samples/PcapExamples/DnsPackets.pcap"));
        inputs.push(dir.join("samples/PcapExamples/sll.pcap"));
        inputs.push(dir.join("tcpdump/dns_tcp.pcap"));
    }
    for (i, capture) in inputs.iter().enumerate() {
        let dir = tmp(&format!("duckdb-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let status = pkt_decode()
            .args(["--defrag", "--fields", &fields, "--parquet"])
            .arg(dir.join("packets.parquet"))
            .arg(capture)
            .status()
            .unwrap();
        assert!(status.success(), "{}", capture.display());
        let out = Command::new(&python)
            .arg(root.join("tests/support/parquet_queries.py"))
            .arg(&doc_path)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let duckdb: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let stats = pkt_stats_numbers(capture);
        for query in ["top_talkers", "dns_names", "bytes_per_minute"] {
            assert_eq!(duckdb[query], stats[query], "{query} on {}", capture.display());
        }
        assert!(!stats["top_talkers"].as_array().unwrap().is_empty(), "{}", capture.display());
        if capture.ends_with("DnsPackets.pcap") {
            assert_eq!(stats["dns_names"].as_array().unwrap().len(), 10);
            assert!(stats["bytes_per_minute"].as_array().unwrap().len() > 10);
        }
    }
}

#[test]
fn refuses_a_terminal() {
    // util-linux's script(1) runs the command on a pseudo-terminal; -e passes its exit code.
    if !support::have("script", "refuses_a_terminal") {
        return;
    }
    let command =
        format!("{} --fields ip.src --parquet - {}", env!("CARGO_BIN_EXE_pkt-decode"), demo().display());
    let out = Command::new("script").args(["-qec", &command, "/dev/null"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("pkt-decode: refusing to write binary Parquet to a terminal"), "{text}");
}
