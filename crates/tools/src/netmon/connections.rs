//! `netmon connections`: one snapshot of the sockets, with their processes, filtered.

use std::io::Write;
use std::time::Instant;

use pktkit::host::HostError;
use pktkit::host::procs::{Holders, Owner, ProcessInfo, ProcessTable, Unseen, Users};
use pktkit::host::sockets::{SockDiag, Socket, StateMask, Table};

use super::columns::{self, Column};
use super::table::TextTable;
use super::{ConnectionsArgs, Filters};
use crate::cli::{self, Failure};

/// The sockets of the last refresh and who holds them; kept between refreshes (`top`).
#[derive(Debug)]
pub struct Monitor {
    diag: SockDiag,
    procs: ProcessTable,
    users: Users,
    sockets: Vec<Socket>,
    dumped_at: Instant,
    refreshes: u64,
}

/// One socket with what is known of its process and user.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub socket: &'a Socket,
    /// Every descriptor that holds it (empty when `unseen`).
    pub holders: Holders<'a>,
    pub unseen: Option<Unseen>,
    /// The first holder's process.
    pub process: Option<&'a ProcessInfo>,
    /// The socket owner's user name.
    pub user: Option<&'a str>,
}

impl Monitor {
    /// Opens the sock_diag socket; nothing is read yet.
    pub fn open() -> Result<Monitor, HostError> {
        Ok(Monitor {
            diag: SockDiag::open()?,
            procs: ProcessTable::new(),
            users: Users::default(),
            sockets: Vec::new(),
            dumped_at: Instant::now(),
            refreshes: 0,
        })
    }

    /// Dumps `tables` (TCP in `tcp_states`) and matches the sockets with their processes.
    /// The first refresh walks `/proc` on a second thread while the dump runs; later ones
    /// walk it only when the dump has a socket without a known holder, or a holder ended
    /// ([`ProcessTable::update`]).
    pub fn refresh(&mut self, tables: &[Table], tcp_states: StateMask) -> Result<(), HostError> {
        self.sockets.clear();
        if self.refreshes == 0 {
            let Monitor { diag, procs, sockets, dumped_at, .. } = self;
            let dumped = std::thread::scope(|scope| {
                let scan = scope.spawn(|| procs.scan());
                let dumped = diag.dump(tables, tcp_states, sockets);
                *dumped_at = Instant::now();
                scan.join().expect("the /proc scan does not panic");
                dumped
            });
            dumped?;
            self.procs.index(&self.sockets);
        } else {
            self.diag.dump(tables, tcp_states, &mut self.sockets)?;
            self.dumped_at = Instant::now();
            self.procs.update(&self.sockets);
        }
        self.refreshes += 1;
        let mut last = None;
        for uid in self.sockets.iter().filter_map(|s| s.uid) {
            if last != Some(uid) {
                self.users.name(uid);
                last = Some(uid);
            }
        }
        Ok(())
    }

    /// When the last dump ended: the time of its counters (the /proc scan may end later).
    pub fn dumped_at(&self) -> Instant {
        self.dumped_at
    }

    /// The sockets of the last refresh.
    pub fn sockets(&self) -> &[Socket] {
        &self.sockets
    }

    /// Who holds `sockets()[index]`.
    pub fn owner(&self, index: usize) -> Owner<'_> {
        self.procs.owner_at(index, &self.sockets[index])
    }

    /// The row of `sockets()[index]`.
    pub fn row(&self, index: usize) -> Row<'_> {
        let socket = &self.sockets[index];
        let (holders, unseen) = match self.procs.owner_at(index, socket) {
            Owner::Held(h) => (h, None),
            Owner::Unseen(why) => (Holders::NONE, Some(why)),
        };
        Row {
            socket,
            holders,
            unseen,
            process: holders.first().and_then(|h| self.procs.info(h.pid)),
            user: socket.uid.and_then(|uid| self.users.cached(uid)),
        }
    }
}

impl Filters {
    /// The tables to dump and the kernel's TCP state filter.
    pub fn query(&self) -> (Vec<Table>, StateMask) {
        let mask = self.state.map_or(StateMask::ALL, |s| s.tcp);
        let tables = self
            .kind
            .iter()
            .copied()
            .filter(|t| if t.is_tcp() { mask.0 != 0 } else { self.state.is_none_or(|s| s.none) })
            .collect();
        (tables, mask)
    }

    /// True when `row` passes the port, pid and user filters (states were filtered by the dump).
    pub fn keep(&self, row: &Row) -> bool {
        let s = row.socket;
        (self.port.is_empty()
            || self
                .port
                .iter()
                .any(|&p| s.local.port() == Some(p) || s.remote.as_ref().and_then(|r| r.port()) == Some(p)))
            && (self.pid.is_empty() || row.holders.iter().any(|h| self.pid.contains(&h.pid)))
            && (self.user.is_empty() || s.uid.is_some_and(|u| self.user.contains(&u)))
    }
}

/// Runs `netmon connections`.
pub fn run(args: &ConnectionsArgs) -> Result<(), Failure> {
    let (tables, mask) = args.filters.query();
    let mut monitor = Monitor::open()?;
    monitor.refresh(&tables, mask)?;
    let mut out = cli::open_output(None, false)?;
    let rows = (0..monitor.sockets().len()).map(|i| monitor.row(i)).filter(|r| args.filters.keep(r));
    if args.json {
        let fields = if args.fields.is_empty() { Column::ALL.to_vec() } else { args.fields.clone() };
        let mut line = Vec::with_capacity(1024);
        for row in rows {
            line.clear();
            columns::write_json(&mut line, &row, &fields);
            out.write_all(&line)?;
        }
    } else {
        let fields = if args.fields.is_empty() { Column::DEFAULT.to_vec() } else { args.fields.clone() };
        let mut table = TextTable::new(fields.iter().map(|c| (c.header(), c.right_aligned())).collect());
        for row in rows {
            for column in &fields {
                column.write_text(&row, table.cell());
                table.end_cell();
            }
        }
        table.write(&mut out, !args.no_header)?;
    }
    out.flush()?;
    Ok(())
}
