//! `--parquet`: the rows of `--fields` as a Parquet file, one typed column per field, for
//! DuckDB, Spark, pandas and the other engines that read Parquet.
//!
//! The column types come from the field table's value types ([`Kind`], the ones display
//! filters compare with): integers are `Int64` (Spark has no unsigned 64-bit type; every
//! field fits), booleans `Boolean`, addresses and text `Utf8`, `frame.time_epoch` a UTC
//! timestamp in nanoseconds and the other times (`frame.time_relative`, `frame.time_delta`,
//! ...) durations in nanoseconds. Fields of the frame itself (`frame.*`, `sll.*`, `arp.*`)
//! have one value per packet; every other field has one per tunnel level, ICMP-quoted packet
//! or DNS record, so its column is a list, in the order `--fields` joins them with `,`. A
//! packet without the field has a null. Column names are the field names with every
//! character other than letters, digits and `_` replaced by `_` ([`sql_name`]).
//!
//! Rows are collected in batches of at most [`BATCH_ROWS`] rows (or [`BATCH_BYTES`] of text)
//! and written in row groups of at most [`ROW_GROUP_ROWS`] rows, so memory stays bounded
//! whatever the input; columns are compressed with zstd.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, DurationNanosecondBuilder, Int64Builder, ListBuilder, StringBuilder,
    TimestampNanosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::capture::Packet;
use crate::decode::Decoded;
use crate::render::fields::{FieldReader, FieldRef, FieldsWriter, Kind};

/// Most rows collected before they are handed to the Parquet encoder.
pub const BATCH_ROWS: usize = 8192;
/// Most bytes of field text collected before the rows are handed to the encoder.
pub const BATCH_BYTES: usize = 8 << 20;
/// Most rows of a row group.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;
/// Most encoded bytes of a row group held in memory before it is written.
const ROW_GROUP_BYTES: usize = 64 << 20;
/// zstd level: the fastest, which still makes the files several times smaller than CSV.
const ZSTD_LEVEL: i32 = 1;

/// The time zone of `frame.time_epoch` timestamps.
const UTC: &str = "UTC";

/// Why writing a Parquet file failed.
#[derive(Debug, thiserror::Error)]
pub enum ParquetOutputError {
    /// The field list is wrong (unknown or repeated name): a usage error.
    #[error("{0}")]
    Fields(String),
    /// The Parquet encoder or the file failed.
    #[error("{0}")]
    Write(#[from] parquet::errors::ParquetError),
    /// The rows did not make a record batch of the schema (a bug).
    #[error("{0}")]
    Batch(#[from] arrow_schema::ArrowError),
}

impl ParquetOutputError {
    /// The output was a pipe whose reader went away.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            ParquetOutputError::Write(parquet::errors::ParquetError::External(e)) => {
                e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }
            _ => false,
        }
    }
}

/// The SQL-friendly column name of a field: `ip.src` is `ip_src`, `tcp.flags.str` is
/// `tcp_flags_str` (every character but ASCII letters, digits and `_` becomes `_`).
pub fn sql_name(field: &str) -> String {
    field.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// Whether a field can occur more than once in a packet (its column is then a list). Only
/// the frame's own fields cannot: `frame.*`, the Linux cooked header (`sll.*`) and ARP,
/// which `--fields` reads from the outer frame alone.
pub fn repeats(field: &str) -> bool {
    !["frame.", "sll.", "arp."].iter().any(|prefix| field.starts_with(prefix))
}

/// How a column stores one value of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Int,
    Bool,
    Text,
    /// Nanoseconds since the epoch (UTC).
    Timestamp,
    /// Nanoseconds between two packets.
    Duration,
}

impl ValueType {
    /// The value type of a field of type `kind` named `field`.
    pub fn of(field: &str, kind: Kind) -> ValueType {
        match kind {
            Kind::Uint => ValueType::Int,
            Kind::Bool => ValueType::Bool,
            Kind::Time if field == "frame.time_epoch" => ValueType::Timestamp,
            Kind::Time => ValueType::Duration,
            Kind::Mac | Kind::Ipv4 | Kind::Ipv6 | Kind::Str | Kind::None => ValueType::Text,
        }
    }

    /// The Arrow type of one value.
    pub fn arrow(self) -> DataType {
        match self {
            ValueType::Int => DataType::Int64,
            ValueType::Bool => DataType::Boolean,
            ValueType::Text => DataType::Utf8,
            ValueType::Timestamp => DataType::Timestamp(TimeUnit::Nanosecond, Some(UTC.into())),
            ValueType::Duration => DataType::Duration(TimeUnit::Nanosecond),
        }
    }
}

/// One column of the file: the field, its SQL name and how it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The Wireshark field name (`ip.src`).
    pub field: &'static str,
    /// The column name (`ip_src`).
    pub name: String,
    pub value: ValueType,
    /// A list of values per row (see [`repeats`]).
    pub list: bool,
}

impl Column {
    /// The column of a field of the table.
    pub fn of(field: FieldRef) -> Column {
        let name = field.name();
        let value = ValueType::of(name, field.kind());
        // Times are the frame's own and never repeat.
        let list = repeats(name) && !matches!(value, ValueType::Timestamp | ValueType::Duration);
        Column { field: name, name: sql_name(name), value, list }
    }

    /// The column's Arrow field (always nullable: a packet may lack the field).
    pub fn arrow(&self) -> Field {
        let value = self.value.arrow();
        let data_type =
            if self.list { DataType::List(Arc::new(Field::new_list_field(value, true))) } else { value };
        Field::new(self.name.clone(), data_type, true)
    }
}

/// The columns of a `--fields` list (comma-separated Wireshark names), with the errors of
/// `--fields` for unknown names; a name given twice is an error too (two columns would share
/// a name).
pub fn columns(spec: &str) -> Result<Vec<Column>, ParquetOutputError> {
    FieldsWriter::new(spec).map_err(ParquetOutputError::Fields)?;
    let mut columns: Vec<Column> = Vec::new();
    for name in spec.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let field = FieldRef::lookup(name)
            .ok_or_else(|| ParquetOutputError::Fields(format!("unknown field '{name}'")))?;
        if columns.iter().any(|c| c.field == name) {
            return Err(ParquetOutputError::Fields(format!("field '{name}' given twice")));
        }
        columns.push(Column::of(field));
    }
    Ok(columns)
}

/// The Arrow schema of `columns`.
pub fn schema(columns: &[Column]) -> Schema {
    Schema::new(columns.iter().map(Column::arrow).collect::<Vec<_>>())
}

/// Parses an integer as `--fields` writes it: decimal, or hex after `0x`.
fn parse_int(text: &str) -> Option<i64> {
    let value = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => text.parse::<u64>().ok()?,
    };
    i64::try_from(value).ok()
}

/// Parses a boolean as `--fields` writes it (`1` or `0`).
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

/// Parses seconds with a fraction (`1700000000.123456789`, `-0.5`) into nanoseconds.
fn parse_nanos(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (secs, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if secs.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let mut nanos: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    for _ in frac.len()..9 {
        nanos *= 10;
    }
    let total = secs.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    Some(if negative { -total } else { total })
}

/// A column's values being collected.
enum Builder {
    Int(Int64Builder),
    Bool(BooleanBuilder),
    Text(StringBuilder),
    Timestamp(TimestampNanosecondBuilder),
    Duration(DurationNanosecondBuilder),
    IntList(ListBuilder<Int64Builder>),
    BoolList(ListBuilder<BooleanBuilder>),
    TextList(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(column: &Column) -> Builder {
        match (column.value, column.list) {
            (ValueType::Int, false) => Builder::Int(Int64Builder::new()),
            (ValueType::Bool, false) => Builder::Bool(BooleanBuilder::new()),
            (ValueType::Text, false) => Builder::Text(StringBuilder::new()),
            (ValueType::Int, true) => Builder::IntList(ListBuilder::new(Int64Builder::new())),
            (ValueType::Bool, true) => Builder::BoolList(ListBuilder::new(BooleanBuilder::new())),
            (ValueType::Text, true) => Builder::TextList(ListBuilder::new(StringBuilder::new())),
            (ValueType::Timestamp, _) => {
                Builder::Timestamp(TimestampNanosecondBuilder::new().with_timezone(UTC))
            }
            (ValueType::Duration, _) => Builder::Duration(DurationNanosecondBuilder::new()),
        }
    }

    /// Appends one row: the occurrences `spans` of the field in `text` (a value that does not
    /// parse as the column's type is a null).
    fn append(&mut self, text: &str, spans: &[(usize, usize)]) {
        let first = spans.first().map(|&(from, to)| &text[from..to]);
        let each = || spans.iter().map(|&(from, to)| &text[from..to]);
        match self {
            Builder::Int(b) => b.append_option(first.and_then(parse_int)),
            Builder::Bool(b) => b.append_option(first.and_then(parse_bool)),
            Builder::Text(b) => b.append_option(first),
            Builder::Timestamp(b) => b.append_option(first.and_then(parse_nanos)),
            Builder::Duration(b) => b.append_option(first.and_then(parse_nanos)),
            Builder::IntList(b) => {
                for v in each() {
                    b.values().append_option(parse_int(v));
                }
                b.append(!spans.is_empty());
            }
            Builder::BoolList(b) => {
                for v in each() {
                    b.values().append_option(parse_bool(v));
                }
                b.append(!spans.is_empty());
            }
            Builder::TextList(b) => {
                for v in each() {
                    b.values().append_value(v);
                }
                b.append(!spans.is_empty());
            }
        }
    }

    /// The values collected so far, as an array; the builder starts again empty.
    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Timestamp(b) => Arc::new(b.finish()),
            Builder::Duration(b) => Arc::new(b.finish()),
            Builder::IntList(b) => Arc::new(b.finish()),
            Builder::BoolList(b) => Arc::new(b.finish()),
            Builder::TextList(b) => Arc::new(b.finish()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Builder::Int(b) => b.len(),
            Builder::Bool(b) => b.len(),
            Builder::Text(b) => b.len(),
            Builder::Timestamp(b) => b.len(),
            Builder::Duration(b) => b.len(),
            Builder::IntList(b) => b.len(),
            Builder::BoolList(b) => b.len(),
            Builder::TextList(b) => b.len(),
        }
    }
}

/// Writes `--fields` rows as a Parquet file to `W` (a file or a pipe: nothing is sought).
pub struct ParquetWriter<W: Write + Send> {
    columns: Vec<Column>,
    refs: Vec<FieldRef>,
    reader: FieldReader,
    /// One packet's field text and each field's occurrences in it (reused).
    text: Vec<u8>,
    spans: Vec<Vec<(usize, usize)>>,
    builders: Vec<Builder>,
    /// Bytes of text in the rows collected.
    batch_bytes: usize,
    schema: SchemaRef,
    writer: ArrowWriter<W>,
}

impl<W: Write + Send> ParquetWriter<W> {
    /// A writer of the fields `spec` (as `--fields` takes them) to `sink`.
    pub fn new(spec: &str, sink: W) -> Result<Self, ParquetOutputError> {
        let columns = columns(spec)?;
        let refs = columns.iter().filter_map(|c| FieldRef::lookup(c.field)).collect();
        let schema = Arc::new(schema(&columns));
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_created_by(concat!("pktkit pkt-decode ", env!("CARGO_PKG_VERSION")).to_string())
            .build();
        let writer = ArrowWriter::try_new(sink, schema.clone(), Some(props))?;
        let builders = columns.iter().map(Builder::new).collect();
        Ok(ParquetWriter {
            columns,
            refs,
            reader: FieldReader::default(),
            text: Vec::with_capacity(256),
            spans: Vec::new(),
            builders,
            batch_bytes: 0,
            schema,
            writer,
        })
    }

    /// The file's columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Adds one packet's row.
    pub fn packet(&mut self, pkt: &Packet<'_>, d: &Decoded<'_>) -> Result<(), ParquetOutputError> {
        self.reader.read(&self.refs, pkt, d, &mut self.text, &mut self.spans);
        self.reader.done(pkt, true);
        let text = String::from_utf8_lossy(&self.text);
        for (builder, spans) in self.builders.iter_mut().zip(&self.spans) {
            builder.append(&text, spans);
        }
        self.batch_bytes += self.text.len();
        if self.builders[0].len() >= BATCH_ROWS || self.batch_bytes >= BATCH_BYTES {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Takes note of a packet not shown (a display filter dropped it): fields that depend on
    /// earlier packets (`tcp.stream`, time deltas) still count it, as with `--fields`.
    pub fn skip(&mut self, pkt: &Packet<'_>, d: &Decoded<'_>) {
        self.reader.read(&self.refs, pkt, d, &mut self.text, &mut self.spans);
        self.reader.done(pkt, false);
    }

    /// Hands the rows collected to the encoder (which writes a row group when it is full).
    fn write_batch(&mut self) -> Result<(), ParquetOutputError> {
        if self.builders[0].len() == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        self.batch_bytes = 0;
        self.writer.write(&batch)?;
        Ok(())
    }

    /// Writes the last rows and the file's footer; returns the sink.
    pub fn finish(mut self) -> Result<W, ParquetOutputError> {
        self.write_batch()?;
        Ok(self.writer.into_inner()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Interface, LinkType, Precision, Timestamp};
    use crate::decode::{DecodeOptions, decode};
    use crate::render::fields::known_names;
    use crate::test_frames::{crafted, tcp4, udp4};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{DurationNanosecondType, Int64Type, TimestampNanosecondType};
    use arrow_array::{Array, ListArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn sql_names() {
        assert_eq!(sql_name("ip.src"), "ip_src");
        assert_eq!(sql_name("tls.handshake.extensions_server_name"), "tls_handshake_extensions_server_name");
        assert_eq!(sql_name("frame.time_epoch"), "frame_time_epoch");
        let mut names: Vec<String> = known_names().map(sql_name).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "two fields share a column name");
    }

    #[test]
    fn types_follow_the_field_table() {
        let cols = columns("frame.number,frame.time_epoch,frame.time_delta,ip.src,ip.ttl,tcp.flags.syn,dns.qry.name,eth.src,sll.pkttype,arp.src.proto_ipv4").unwrap();
        let got: Vec<(&str, ValueType, bool)> =
            cols.iter().map(|c| (c.name.as_str(), c.value, c.list)).collect();
        assert_eq!(
            got,
            [
                ("frame_number", ValueType::Int, false),
                ("frame_time_epoch", ValueType::Timestamp, false),
                ("frame_time_delta", ValueType::Duration, false),
                ("ip_src", ValueType::Text, true),
                ("ip_ttl", ValueType::Int, true),
                ("tcp_flags_syn", ValueType::Bool, true),
                ("dns_qry_name", ValueType::Text, true),
                ("eth_src", ValueType::Text, true),
                ("sll_pkttype", ValueType::Int, false),
                ("arp_src_proto_ipv4", ValueType::Text, false),
            ]
        );
        let schema = schema(&cols);
        assert_eq!(
            schema.field(1).data_type(),
            &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
        );
        assert_eq!(
            schema.field(4).data_type(),
            &DataType::List(Arc::new(Field::new_list_field(DataType::Int64, true)))
        );
        // Every known field has a column.
        assert!(columns(&known_names().collect::<Vec<_>>().join(",")).is_ok());
    }

    #[test]
    fn bad_field_lists() {
        let err = |spec: &str| columns(spec).unwrap_err().to_string();
        assert!(err("ip.srcc").contains("did you mean ip.src"), "{}", err("ip.srcc"));
        assert_eq!(err("ip.src,ip.src"), "field 'ip.src' given twice");
        assert!(err("").contains("at least one"));
    }

    #[test]
    fn values_as_fields_writes_them() {
        assert_eq!(parse_int("0x0012"), Some(18));
        assert_eq!(parse_int("443"), Some(443));
        assert_eq!(parse_int("x"), None);
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_nanos("1700000000.000000123"), Some(1_700_000_000_000_000_123));
        assert_eq!(parse_nanos("-0.5"), Some(-500_000_000));
        assert_eq!(parse_nanos("2"), Some(2_000_000_000));
        assert_eq!(parse_nanos("1.x"), None);
    }

    /// Writes frames (raw IPv4) with `spec` and reads the file back with the parquet crate.
    fn round_trip(spec: &str, frames: &[Vec<u8>]) -> RecordBatch {
        let iface = Interface::live(LinkType::RAW, 65535, Precision::Nano);
        let mut w = ParquetWriter::new(spec, Vec::new()).unwrap();
        for (i, f) in frames.iter().enumerate() {
            let pkt = Packet::new(
                i as u64 + 1,
                Timestamp::new(1_700_000_000 + i as i64, 7),
                f,
                f.len() as u32,
                &iface,
            );
            let d = decode(LinkType::RAW, f, f.len() as u32, &DecodeOptions::default());
            w.packet(&pkt, &d).unwrap();
        }
        let file = bytes::Bytes::from(w.finish().unwrap());
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        let mut batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        assert_eq!(batches.len(), 1);
        batches.remove(0)
    }

    #[test]
    fn round_trip_through_the_parquet_reader() {
        let icmp = crafted(
            "IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(type=3,code=3)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=40000,dport=53)/Raw(load=x)",
        );
        let frames = [tcp4(40000, 80, b""), icmp, udp4(1, 2, b"")];
        let batch = round_trip(
            "frame.number,frame.time_epoch,frame.time_delta,ip.src,udp.dstport,tcp.flags",
            &frames,
        );
        assert_eq!(batch.num_rows(), 3);
        let numbers = batch.column(0).as_primitive::<Int64Type>();
        assert_eq!(numbers.values(), &[1, 2, 3]);
        let times = batch.column(1).as_primitive::<TimestampNanosecondType>();
        assert_eq!(times.value(1), 1_700_000_001_000_000_007);
        let deltas = batch.column(2).as_primitive::<DurationNanosecondType>();
        assert_eq!(deltas.values(), &[0, 1_000_000_000, 1_000_000_000]);
        let ips: &ListArray = batch.column(3).as_list();
        // The ICMP error carries the quoted packet's addresses too.
        assert_eq!(ips.value(1).as_string::<i32>().len(), 2);
        let ports: &ListArray = batch.column(4).as_list();
        assert!(ports.is_null(0));
        assert_eq!(ports.value(1).as_primitive::<Int64Type>().values(), &[53]);
        assert_eq!(ports.value(2).as_primitive::<Int64Type>().values(), &[2]);
        let flags: &ListArray = batch.column(5).as_list();
        assert!(flags.value(0).as_primitive::<Int64Type>().value(0) > 0);
        assert!(flags.is_null(2));
    }

    #[test]
    fn many_rows_make_several_row_groups() {
        let frame = udp4(1, 2, b"");
        let rows = ROW_GROUP_ROWS + 10;
        let iface = Interface::live(LinkType::RAW, 65535, Precision::Micro);
        let mut w = ParquetWriter::new("frame.number,udp.srcport", Vec::new()).unwrap();
        for i in 0..rows {
            let pkt = Packet::new(i as u64 + 1, Timestamp::new(1, 0), &frame, frame.len() as u32, &iface);
            let d = decode(LinkType::RAW, &frame, frame.len() as u32, &DecodeOptions::default());
            w.packet(&pkt, &d).unwrap();
        }
        let file = bytes::Bytes::from(w.finish().unwrap());
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let groups: Vec<i64> = builder.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, [ROW_GROUP_ROWS as i64, 10]);
    }
}
