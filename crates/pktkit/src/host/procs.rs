//! Which process holds each socket: one pass over `/proc/*/fd`, cached between refreshes.
//!
//! [`ProcessTable::scan`] walks `/proc` and reads each process's descriptor list. A process
//! whose descriptor count (the size of `/proc/PID/fd`) is unchanged is not listed again; in a
//! process listed again, a descriptor seen before (same pid and start time) keeps its target
//! and only new descriptor numbers cost a `readlink`. So a refresh on a busy host reads little
//! more than the counts.
//!
//! Processes in another network namespace than the caller's are listed but their descriptors
//! are not read while every socket of the dump has a holder in the caller's namespace: sockets
//! are created in their process's namespace, and a socket of ours held only across a
//! namespace boundary (passed over a Unix socket, inherited before `setns`) makes them be read.
//! The one thing this leaves out is a second holder in another namespace of a socket already
//! held here (docs/netmon.md).
//!
//! [`ProcessTable::index`] then maps the dump's inodes to their holders. A socket left without
//! one on two refreshes in a row triggers a second look at the descriptors cached as "not a
//! socket" (a number may have been reused); one still not found is "held by no process" from
//! then on, without more reading. Short-lived sockets, gone by the next refresh, cost nothing.
//! Without root, sockets of other users' processes get a reason ([`Unseen`]) instead.
//!
//! `scan` needs no dump, so a caller can run it beside [`super::sockets::SockDiag::dump`].

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use super::sockets::Socket;

/// One descriptor that refers to a socket: the process and the descriptor number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Holder {
    pub pid: u32,
    pub fd: u32,
}

/// The descriptors that hold one socket, lowest pid first (never empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holders<'a>(&'a [(u32, Holder)]);

impl<'a> Holders<'a> {
    /// No holder.
    pub const NONE: Holders<'static> = Holders(&[]);

    /// The first holder: the lowest pid (psutil's `pid`, `fd`).
    pub fn first(self) -> Option<Holder> {
        self.0.first().map(|&(_, h)| h)
    }

    /// True when there is none.
    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// Every holder, lowest pid first.
    pub fn iter(self) -> impl Iterator<Item = Holder> + 'a {
        self.0.iter().map(|&(_, h)| h)
    }
}

/// Why a socket has no process to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unseen {
    /// No process holds it: TIME_WAIT and request sockets by design, or a socket only the
    /// kernel holds.
    NoProcess,
    /// Held by another user's process, whose `/proc/PID/fd` only root (CAP_SYS_PTRACE) may read.
    OtherUser,
    /// `/proc` is mounted with `hidepid`: other users' processes are hidden.
    Hidepid,
}

impl Unseen {
    /// `no_process`, `other_user` or `hidepid` (the JSON value).
    pub fn name(self) -> &'static str {
        match self {
            Unseen::NoProcess => "no_process",
            Unseen::OtherUser => "other_user",
            Unseen::Hidepid => "hidepid",
        }
    }

    /// A short phrase for tables: `no process`, `other user's process`, `hidden by hidepid`.
    pub fn phrase(self) -> &'static str {
        match self {
            Unseen::NoProcess => "no process",
            Unseen::OtherUser => "other user's process",
            Unseen::Hidepid => "hidden by hidepid",
        }
    }
}

/// Who holds a socket, as far as this process can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// Every descriptor that refers to it, lowest pid first.
    Held(Holders<'a>),
    /// Nobody visible, and why.
    Unseen(Unseen),
}

/// What netmon shows of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    /// psutil's `name()`: `comm`, or the command's base name when `comm` was cut at 15 bytes.
    pub name: String,
    /// The command line, one string per argument (empty for kernel threads and zombies).
    pub cmdline: Vec<String>,
    /// The process's owner uid (of `/proc/PID`).
    pub uid: u32,
}

/// A descriptor cached as pointing to no socket.
const NOT_A_SOCKET: u32 = 0;
/// The length at which the kernel cuts `comm` (TASK_COMM_LEN - 1).
const COMM_MAX: usize = 15;

#[derive(Debug)]
struct Proc {
    /// Start time in clock ticks since boot: with the pid, names one process for its life.
    start: u64,
    comm: String,
    /// Read when first asked for ([`ProcessTable::info`]).
    info: std::cell::OnceCell<ProcessInfo>,
    /// (descriptor, socket inode or NOT_A_SOCKET), in the kernel's listing order.
    fds: Vec<(u32, u32)>,
    /// Open descriptors when `fds` was listed (the size of `/proc/PID/fd`, Linux 6.2 and later;
    /// 0 when the kernel does not say).
    fd_count: u64,
    readable: bool,
    uid: u32,
    /// In another network namespace, descriptors not read yet (see the module's comment).
    deferred: bool,
}

/// Counts of the last scan, for benchmarks and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub processes: usize,
    /// Processes whose descriptors could not be read.
    pub unreadable: usize,
    /// `readlink` calls made.
    pub readlinks: usize,
    /// Processes in another network namespace whose descriptors were not read.
    pub deferred: usize,
}

/// The socket-inode-to-process map, kept between refreshes.
#[derive(Debug)]
pub struct ProcessTable {
    procs: HashMap<u32, Proc>,
    /// (socket inode, holder) of every socket descriptor read, sorted: the holders of one
    /// inode are a run, lowest pid first. Rebuilt only when a process's descriptors changed.
    holders: Vec<(u32, Holder)>,
    /// True when `holders` must be rebuilt from `procs`.
    dirty: bool,
    /// (inode, index) of the sockets last matched, sorted (kept for its allocation).
    order: Vec<(u32, usize)>,
    /// Per socket of the last match: (start, length) of its holders in `holders`.
    ranges: Vec<(usize, usize)>,
    /// The inodes of the sockets last matched, in their order.
    matched: Vec<u32>,
    /// False when `holders` changed since the last match.
    matched_valid: bool,
    /// The processes that hold a socket, each once (from `holders`).
    holder_pids: Vec<u32>,
    /// The target of `/proc/self/ns/net` (None when it cannot be read: nothing is deferred).
    netns: Option<std::ffi::OsString>,
    /// Sockets left without a holder by the last index: looked for again if they last.
    pending: HashSet<u32>,
    orphans: HashSet<u32>,
    unreadable_uids: HashSet<u32>,
    hidepid: bool,
    my_uid: u32,
    stats: ScanStats,
    /// Scans so far: the first reads every descriptor, so nothing in it can be stale.
    scans: u64,
}

impl Default for ProcessTable {
    fn default() -> Self {
        Self::new()
    }
}

impl ProcessTable {
    /// An empty table; the first [`scan`](Self::scan) reads every descriptor.
    pub fn new() -> ProcessTable {
        let hidepid =
            std::fs::read_to_string("/proc/self/mountinfo").map(|m| proc_hidepid(&m)).unwrap_or(false);
        ProcessTable {
            procs: HashMap::new(),
            holders: Vec::new(),
            dirty: true,
            order: Vec::new(),
            ranges: Vec::new(),
            matched: Vec::new(),
            matched_valid: false,
            holder_pids: Vec::new(),
            netns: std::fs::read_link("/proc/self/ns/net").ok().map(|p| p.into_os_string()),
            pending: HashSet::new(),
            orphans: HashSet::new(),
            unreadable_uids: HashSet::new(),
            hidepid,
            my_uid: nix::unistd::geteuid().as_raw(),
            stats: ScanStats::default(),
            scans: 0,
        }
    }

    /// The last scan's counts.
    pub fn stats(&self) -> ScanStats {
        self.stats
    }

    /// True when `/proc` hides other users' processes (`hidepid=1` or `2`).
    pub fn hidepid(&self) -> bool {
        self.hidepid
    }

    /// Walks `/proc`: forgets processes that ended, reads new descriptors and those whose
    /// socket closed. Processes that vanish meanwhile are skipped.
    pub fn scan(&mut self) {
        let mut stats = ScanStats::default();
        let mut alive: HashSet<u32> = HashSet::with_capacity(self.procs.len());
        self.unreadable_uids.clear();
        let Ok(entries) = std::fs::read_dir("/proc") else { return };
        let mut path = String::with_capacity(32);
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            let Some((comm, start)) = read_stat(pid) else { continue };
            stats.processes += 1;
            alive.insert(pid);
            let same = self.procs.get(&pid).is_some_and(|p| p.start == start);
            if !same {
                let Ok(meta) = entry.metadata() else { continue };
                let uid = std::os::unix::fs::MetadataExt::uid(&meta);
                self.procs.insert(
                    pid,
                    Proc {
                        start,
                        comm: String::new(),
                        info: std::cell::OnceCell::new(),
                        fds: Vec::new(),
                        fd_count: 0,
                        readable: true,
                        uid,
                        deferred: false,
                    },
                );
                self.dirty = true;
            }
            let proc = self.procs.get_mut(&pid).expect("inserted above");
            if proc.comm != comm {
                // A new program (exec): its name and command line are read again, and its
                // namespace (`ip netns exec` changes it, then execs).
                proc.comm = comm;
                proc.info = std::cell::OnceCell::new();
                if proc.fds.is_empty() && proc.fd_count == 0 {
                    proc.deferred = self.netns.as_ref().is_some_and(|mine| {
                        path.clear();
                        let _ = write!(path, "/proc/{pid}/ns/net");
                        std::fs::read_link(&path).is_ok_and(|theirs| theirs.as_os_str() != mine)
                    });
                }
            }
            if proc.deferred {
                stats.deferred += 1;
                continue;
            }
            // The kernel counts a process's descriptors in the size of /proc/PID/fd: the same
            // count as at the last listing means nothing to read (a socket that replaced a
            // closed descriptor of the same count is found by `index` a refresh later).
            path.clear();
            let _ = write!(path, "/proc/{pid}/fd");
            let count = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if same && proc.readable && count != 0 && count == proc.fd_count {
                continue;
            }
            if read_process(pid, proc, count, |_| true, &mut stats.readlinks) {
                self.unreadable_uids.insert(proc.uid);
                stats.unreadable += 1;
            }
            self.dirty = true;
        }
        let before = self.procs.len();
        self.procs.retain(|pid, _| alive.contains(pid));
        self.dirty |= self.procs.len() != before;
        self.stats = stats;
        self.scans += 1;
    }

    /// Brings the table up to date for `sockets`, a dump newer than the last scan, walking
    /// `/proc` again only when it may have changed the answer: a socket without a holder
    /// (new, or held by a new descriptor) or a holder's process that ended. Otherwise it only
    /// checks that the holders still run. What a refresh of `top` does.
    pub fn update(&mut self, sockets: &[Socket]) {
        let ended = self.holder_ended();
        self.build_holders();
        self.match_sockets(sockets);
        if ended || !self.unresolved(sockets).is_empty() {
            self.scan();
            self.build_holders();
            self.match_sockets(sockets);
        }
        self.resolve(sockets);
    }

    /// Maps the inodes of `sockets` (one dump) to the descriptors that hold them, after a
    /// [`scan`](Self::scan).
    pub fn index(&mut self, sockets: &[Socket]) {
        self.build_holders();
        self.match_sockets(sockets);
        self.resolve(sockets);
    }

    /// Looks again for the sockets of `sockets` (matched) that have no holder. When one has
    /// none, the deferred processes of other namespaces are read; when one lasts without a
    /// holder, the descriptors of readable processes are read again, once.
    fn resolve(&mut self, sockets: &[Socket]) {
        let mut unresolved = self.unresolved(sockets);
        if !unresolved.is_empty() && self.procs.values().any(|p| p.deferred) {
            self.read_deferred();
            self.build_holders();
            self.match_sockets(sockets);
            unresolved = self.unresolved(sockets);
        }
        // A socket seen without a holder twice in a row (not a short-lived one) makes the
        // descriptors cached as "not a socket" be read again, once; if still nobody holds
        // it, it is held by no process (the first scan reads everything: nothing is stale).
        let lasting: Vec<u32> =
            unresolved.iter().copied().filter(|i| self.scans <= 1 || self.pending.contains(i)).collect();
        if self.scans > 1 && !lasting.is_empty() {
            let live: HashSet<u32> = sockets.iter().map(|s| s.inode).filter(|&i| i != 0).collect();
            // Only the processes of those sockets' owners are read again.
            let owners: Option<HashSet<u32>> =
                sockets.iter().filter(|s| lasting.contains(&s.inode)).map(|s| s.uid).collect();
            self.reread_stale(&live, owners.as_ref());
            self.build_holders();
            self.match_sockets(sockets);
        }
        for inode in lasting {
            if self.holders_of(inode).is_empty() {
                self.orphans.insert(inode);
            }
        }
        self.pending = unresolved
            .into_iter()
            .filter(|&i| self.holders_of(i).is_empty() && !self.orphans.contains(&i))
            .collect();
        if !self.orphans.is_empty() {
            let live: HashSet<u32> = sockets.iter().map(|s| s.inode).filter(|&i| i != 0).collect();
            self.orphans.retain(|i| live.contains(i));
        }
    }

    /// The inodes of `sockets` (matched) that have no holder and should have a visible one:
    /// not orphans, not of a user whose processes cannot be seen.
    fn unresolved(&self, sockets: &[Socket]) -> Vec<u32> {
        sockets
            .iter()
            .zip(&self.ranges)
            .filter(|(s, range)| s.inode != 0 && range.1 == 0 && !self.orphans.contains(&s.inode))
            .filter(|(s, _)| s.uid.is_none_or(|u| u == self.my_uid || !self.hidden_uid(u)))
            .map(|(s, _)| s.inode)
            .collect()
    }

    /// Fills `ranges`: each socket's run in `holders`, by one merge of the two sorted by inode.
    fn match_sockets(&mut self, sockets: &[Socket]) {
        // The same holders and the same sockets in the same order (a quiet refresh of `top`):
        // the ranges hold.
        if self.matched_valid
            && self.matched.len() == sockets.len()
            && self.matched.iter().zip(sockets).all(|(&inode, s)| inode == s.inode)
        {
            return;
        }
        self.matched.clear();
        self.matched.extend(sockets.iter().map(|s| s.inode));
        self.matched_valid = true;
        self.order.clear();
        self.order
            .extend(sockets.iter().enumerate().filter(|(_, s)| s.inode != 0).map(|(i, s)| (s.inode, i)));
        // One integer per element compares faster than the tuple (the same order).
        self.order.sort_unstable_by_key(|&(inode, index)| u128::from(inode) << 64 | index as u128);
        self.ranges.clear();
        self.ranges.resize(sockets.len(), (0, 0));
        let mut next = 0;
        for &(inode, index) in &self.order {
            while self.holders.get(next).is_some_and(|&(i, _)| i < inode) {
                next += 1;
            }
            let len = self.holders[next..].iter().take_while(|&&(i, _)| i == inode).count();
            self.ranges[index] = (next, len);
        }
    }

    /// True when a process that held a socket has ended (one `stat` per such process; the
    /// others are forgotten by the next scan).
    fn holder_ended(&self) -> bool {
        let mut path = String::with_capacity(16);
        self.holder_pids.iter().any(|pid| {
            path.clear();
            let _ = write!(path, "/proc/{pid}");
            std::fs::symlink_metadata(&path).is_err()
        })
    }

    /// Reads the descriptors of the processes deferred by [`scan`](Self::scan); from then on
    /// they are read as the others.
    fn read_deferred(&mut self) {
        let mut readlinks = 0;
        let mut path = String::with_capacity(32);
        for (&pid, proc) in self.procs.iter_mut().filter(|(_, p)| p.deferred) {
            proc.deferred = false;
            path.clear();
            let _ = write!(path, "/proc/{pid}/fd");
            let count = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if read_process(pid, proc, count, |_| true, &mut readlinks) {
                self.unreadable_uids.insert(proc.uid);
                self.stats.unreadable += 1;
            }
        }
        self.stats.readlinks += readlinks;
        self.stats.deferred = 0;
        self.dirty = true;
    }

    /// The descriptors that hold socket `inode`, lowest pid first (empty when none).
    fn holders_of(&self, inode: u32) -> &[(u32, Holder)] {
        let start = self.holders.partition_point(|&(i, _)| i < inode);
        let end = start + self.holders[start..].partition_point(|&(i, _)| i == inode);
        &self.holders[start..end]
    }

    /// True when processes of `uid` cannot be seen by this process.
    fn hidden_uid(&self, uid: u32) -> bool {
        self.unreadable_uids.contains(&uid) || (self.hidepid && uid != self.my_uid && self.my_uid != 0)
    }

    /// Rebuilds `holders` when a process's descriptors changed.
    fn build_holders(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        self.matched_valid = false;
        self.holders.clear();
        self.holder_pids.clear();
        for (&pid, proc) in &self.procs {
            if proc.fds.iter().any(|&(_, inode)| inode != NOT_A_SOCKET) {
                self.holder_pids.push(pid);
            }
            self.holders.extend(
                proc.fds
                    .iter()
                    .filter(|&&(_, inode)| inode != NOT_A_SOCKET)
                    .map(|&(fd, inode)| (inode, Holder { pid, fd })),
            );
        }
        // (inode, pid, fd) as one integer: the tuple's order, compared faster.
        self.holders.sort_unstable_by_key(|&(inode, h)| {
            u128::from(inode) << 64 | u128::from(h.pid) << 32 | u128::from(h.fd)
        });
    }

    /// Lists again the descriptors of the readable processes of `owners` (all when None) and
    /// reads those not known to point to one of the `live` sockets.
    fn reread_stale(&mut self, live: &HashSet<u32>, owners: Option<&HashSet<u32>>) {
        let mut readlinks = 0;
        for (&pid, proc) in
            self.procs.iter_mut().filter(|(_, p)| p.readable && owners.is_none_or(|o| o.contains(&p.uid)))
        {
            if let Ok(fds) = read_fds(pid, &proc.fds, 0, |inode| live.contains(&inode), &mut readlinks) {
                proc.fds = fds;
                proc.fd_count = 0;
            }
        }
        self.stats.readlinks += readlinks;
        self.dirty = true;
    }

    /// Who holds `socket`, or why nobody visible does.
    pub fn owner(&self, socket: &Socket) -> Owner<'_> {
        self.owner_with(socket, self.holders_of(socket.inode))
    }

    /// [`owner`](Self::owner) of `sockets[index]`, where `sockets` is the slice of the last
    /// [`index`](Self::index) or [`update`](Self::update) (no lookup).
    pub fn owner_at(&self, index: usize, socket: &Socket) -> Owner<'_> {
        match self.ranges.get(index) {
            Some(&(start, len)) => {
                self.owner_with(socket, self.holders.get(start..start + len).unwrap_or(&[]))
            }
            None => self.owner(socket),
        }
    }

    fn owner_with<'a>(&'a self, socket: &Socket, holders: &'a [(u32, Holder)]) -> Owner<'a> {
        if socket.inode == 0 {
            return Owner::Unseen(Unseen::NoProcess);
        }
        if !holders.is_empty() {
            return Owner::Held(Holders(holders));
        }
        let hidden = match socket.uid {
            Some(uid) => uid != self.my_uid && self.hidden_uid(uid),
            None => !self.unreadable_uids.is_empty() || self.hidepid && self.my_uid != 0,
        };
        Owner::Unseen(match (hidden, self.hidepid) {
            (false, _) => Unseen::NoProcess,
            (true, true) => Unseen::Hidepid,
            (true, false) => Unseen::OtherUser,
        })
    }

    /// The name, command line and uid of `pid` (a holder of the last [`index`](Self::index)),
    /// read from `/proc` on the first call for the process and kept while it runs the same
    /// program.
    pub fn info(&self, pid: u32) -> Option<&ProcessInfo> {
        self.procs.get(&pid).map(|p| p.info.get_or_init(|| read_info(pid, &p.comm, p.uid)))
    }
}

/// Lists and reads the descriptors of `proc` (`count` open, from the directory's size);
/// returns true when they cannot be read (another user's process).
fn read_process(
    pid: u32,
    proc: &mut Proc,
    count: u64,
    keep: impl Fn(u32) -> bool,
    readlinks: &mut usize,
) -> bool {
    // Descriptors listed before keep their targets: one whose number now holds another
    // socket leaves that socket without a holder, which `index` then looks for.
    match read_fds(pid, &proc.fds, count, keep, readlinks) {
        Ok(fds) => {
            proc.fds = fds;
            proc.fd_count = count;
            proc.readable = true;
            false
        }
        Err(Errno::EACCES | Errno::EPERM) => {
            proc.readable = false;
            proc.fds.clear();
            true
        }
        // It ended meanwhile: the next scan forgets it.
        Err(_) => {
            proc.fds.clear();
            false
        }
    }
}

/// Reads `/proc/PID/stat` (one read: the line is far shorter than the buffer): the command
/// name and the start time (field 22).
fn read_stat(pid: u32) -> Option<(String, u64)> {
    use std::io::Read;
    let mut buf = [0u8; 1024];
    let n = std::fs::File::open(format!("/proc/{pid}/stat")).ok()?.read(&mut buf).ok()?;
    parse_stat(&buf[..n])
}

/// Parses a `/proc/PID/stat` line: `pid (comm) state ...`; comm may hold spaces and `)`.
fn parse_stat(text: &[u8]) -> Option<(String, u64)> {
    let open = text.iter().position(|&b| b == b'(')?;
    let close = text.iter().rposition(|&b| b == b')')?;
    let comm = String::from_utf8_lossy(text.get(open + 1..close)?).into_owned();
    let rest = std::str::from_utf8(text.get(close + 1..)?).ok()?;
    // After `)`: field 3 (state) is the first word; start time is field 22.
    let start = rest.split_ascii_whitespace().nth(22 - 3)?.parse().ok()?;
    Some((comm, start))
}

/// Lists `/proc/PID/fd`, reusing `old` targets that `keep` accepts and reading the others.
fn read_fds(
    pid: u32,
    old: &[(u32, u32)],
    count: u64,
    keep: impl Fn(u32) -> bool,
    readlinks: &mut usize,
) -> Result<Vec<(u32, u32)>, Errno> {
    let mut dir = Dir::open(
        format!("/proc/{pid}/fd").as_str(),
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if old.is_empty()
        && count >= PROBE_FROM
        && let Some(fds) = probe_fds(pid, &dir, count, readlinks)?
    {
        return Ok(fds);
    }
    let mut numbers: Vec<u32> = Vec::with_capacity(old.len());
    for entry in dir.iter() {
        let entry = entry?;
        if let Some(fd) = std::str::from_utf8(entry.file_name().to_bytes()).ok().and_then(|n| n.parse().ok())
        {
            numbers.push(fd);
        }
    }
    // Old targets by descriptor: the listing is usually in the same order, so look there first.
    let cached: HashMap<u32, u32> =
        if old.len() > 64 { old.iter().copied().collect() } else { HashMap::new() };
    // (descriptor, inode or UNREAD) in listing order; then the unread ones are read.
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(numbers.len());
    let mut unread: Vec<usize> = Vec::new();
    for (i, &fd) in numbers.iter().enumerate() {
        let previous = match old.get(i) {
            Some(&(n, inode)) if n == fd => Some(inode),
            _ if old.len() > 64 => cached.get(&fd).copied(),
            _ => old.iter().find(|(n, _)| *n == fd).map(|&(_, inode)| inode),
        };
        match previous {
            Some(inode) if keep(inode) => out.push((fd, inode)),
            _ => {
                unread.push(out.len());
                out.push((fd, UNREAD));
            }
        }
    }
    // A link that cannot be read (EACCES) ends the listing: the process counts as unreadable.
    *readlinks += unread.len().min(1);
    if unread.len() >= PARALLEL_READLINKS {
        // A process with thousands of new descriptors (a busy server): half of the links are
        // read on a second thread, through a second handle on the same directory.
        let (first, second) = unread.split_at(unread.len() / 2);
        let other_dir = std::fs::File::open(format!("/proc/{pid}/fd"))
            .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(0)))?;
        let (mine, theirs) = std::thread::scope(|scope| {
            let snapshot = &out;
            let helper = scope.spawn(|| read_links(&other_dir, snapshot, second));
            (read_links(&dir, snapshot, first), helper.join().expect("readlink thread does not panic"))
        });
        for (index, inode) in mine?.into_iter().chain(theirs?) {
            out[index].1 = inode;
        }
    } else {
        for (index, inode) in read_links(&dir, &out, &unread)? {
            out[index].1 = inode;
        }
    }
    *readlinks += unread.len().saturating_sub(1);
    // Descriptors closed between the listing and their readlink.
    out.retain(|&(_, inode)| inode != UNREAD);
    Ok(out)
}

/// Descriptors open from which [`read_fds`] reads a process seen for the first time by
/// number, without listing its directory.
const PROBE_FROM: usize = 256;
/// The numbers probed first, and the gaps among them past which the directory is listed.
const PROBE_HEAD: u32 = 64;
const PROBE_GAPS: usize = 8;

/// Reads the links of descriptors 0, 1, 2, ... of a process with `count` open, without listing
/// `/proc/PID/fd` (listing costs the kernel a lookup per entry, about a fifth of the links'
/// own cost). The kernel gives out the lowest free number, so the descriptors of a process
/// are nearly always 0 to about `count`; None when they are not (more than [`PROBE_GAPS`]
/// gaps in the first [`PROBE_HEAD`], or fewer than `count` found up to `count` plus a
/// sixteenth), and the caller lists them.
fn probe_fds(
    pid: u32,
    dir: &Dir,
    count: usize,
    readlinks: &mut usize,
) -> Result<Option<Vec<(u32, u32)>>, Errno> {
    let mut fds = Vec::with_capacity(count);
    probe_links(dir, 0..PROBE_HEAD, &mut fds)?;
    *readlinks += PROBE_HEAD as usize;
    let gaps = PROBE_HEAD as usize - fds.len();
    if gaps > PROBE_GAPS {
        return Ok(None);
    }
    let end = u32::try_from(count + gaps).unwrap_or(u32::MAX);
    let rest = PROBE_HEAD..end.max(PROBE_HEAD);
    if rest.len() >= PARALLEL_READLINKS {
        // Half of the links on a second thread, through a second handle on the directory.
        let middle = rest.start + (rest.end - rest.start) / 2;
        let other_dir = std::fs::File::open(format!("/proc/{pid}/fd"))
            .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(0)))?;
        let mut second = Vec::with_capacity((rest.end - middle) as usize);
        let (mine, theirs) = std::thread::scope(|scope| {
            let helper = scope.spawn(|| probe_links(&other_dir, middle..rest.end, &mut second));
            (
                probe_links(dir, rest.start..middle, &mut fds),
                helper.join().expect("readlink thread does not panic"),
            )
        });
        mine?;
        theirs?;
        fds.append(&mut second);
    } else {
        probe_links(dir, rest.clone(), &mut fds)?;
    }
    *readlinks += rest.len();
    // Descriptors past the gaps of the upper part, up to a sixteenth more numbers.
    let limit = u32::try_from(count + count / 16 + PROBE_GAPS).unwrap_or(u32::MAX);
    let mut next = rest.end;
    while fds.len() < count && next < limit {
        probe_links(dir, next..next + 1, &mut fds)?;
        *readlinks += 1;
        next += 1;
    }
    Ok((fds.len() >= count).then_some(fds))
}

/// Appends (descriptor, socket inode or NOT_A_SOCKET) for each open descriptor of `numbers`
/// (relative to `dir`); numbers not open are skipped.
fn probe_links(
    dir: &impl std::os::fd::AsFd,
    numbers: std::ops::Range<u32>,
    out: &mut Vec<(u32, u32)>,
) -> Result<(), Errno> {
    let mut name = itoa::Buffer::new();
    for fd in numbers {
        match read_link_inode(dir, name.format(fd)) {
            Ok(inode) => out.push((fd, inode)),
            Err(Errno::ENOENT) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The socket inode `name` (a descriptor number in `dir`) links to, or NOT_A_SOCKET. The
/// link is read into a stack buffer: a `socket:[N]` target is short, and a longer target
/// (a path) is cut, which only tells that it is not a socket.
fn read_link_inode(dir: &impl std::os::fd::AsFd, name: &str) -> Result<u32, Errno> {
    let mut target = [0u8; 64];
    let len = rustix::fs::readlinkat_raw(dir, name, &mut target[..])
        .map_err(|e| Errno::from_raw(e.raw_os_error()))?;
    Ok(socket_inode(&target[..len.min(target.len())]).unwrap_or(NOT_A_SOCKET))
}

/// The inode of a `socket:[12345]` link target.
fn socket_inode(target: &[u8]) -> Option<u32> {
    let digits = target.strip_prefix(b"socket:[")?.strip_suffix(b"]")?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Marks a listed descriptor whose link is not read yet (or vanished before it was).
const UNREAD: u32 = u32::MAX;
/// New descriptors in one process from which their links are read on two threads.
const PARALLEL_READLINKS: usize = 2048;

/// Reads the links of `out[index]` for each of `indices` (relative to `dir`): (index, socket
/// inode or NOT_A_SOCKET), or UNREAD for a descriptor closed meanwhile.
fn read_links(
    dir: &impl std::os::fd::AsFd,
    out: &[(u32, u32)],
    indices: &[usize],
) -> Result<Vec<(usize, u32)>, Errno> {
    let mut name = itoa::Buffer::new();
    let mut found = Vec::with_capacity(indices.len());
    for &index in indices {
        let inode = match read_link_inode(dir, name.format(out[index].0)) {
            Ok(inode) => inode,
            Err(Errno::ENOENT) => UNREAD,
            Err(e) => return Err(e),
        };
        found.push((index, inode));
    }
    Ok(found)
}

/// Reads a process's command line and derives psutil's name from it.
fn read_info(pid: u32, comm: &str, uid: u32) -> ProcessInfo {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmdline: Vec<String> = raw
        .strip_suffix(&[0])
        .unwrap_or(&raw)
        .split(|&b| b == 0)
        .filter(|_| !raw.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    ProcessInfo { name: process_name(comm, &cmdline), cmdline, uid }
}

/// psutil's `Process.name()`: `comm`, unless the kernel cut it and the command's base name
/// starts with it.
fn process_name(comm: &str, cmdline: &[String]) -> String {
    if comm.len() >= COMM_MAX
        && let Some(first) = cmdline.first()
    {
        let base = first.rsplit('/').next().unwrap_or(first);
        if base.starts_with(comm) {
            return base.to_string();
        }
    }
    comm.to_string()
}

/// True when `/proc` (in a `/proc/self/mountinfo` text) is mounted with `hidepid` other than
/// 0 / `off`.
fn proc_hidepid(mountinfo: &str) -> bool {
    mountinfo.lines().any(|line| {
        let mut halves = line.splitn(2, " - ");
        let (Some(left), Some(right)) = (halves.next(), halves.next()) else { return false };
        let mount_point = left.split(' ').nth(4);
        let mut right = right.split(' ');
        let fs_type = right.next();
        let options = right.nth(1).unwrap_or("");
        mount_point == Some("/proc")
            && fs_type == Some("proc")
            && options.split(',').filter_map(|o| o.strip_prefix("hidepid=")).any(|v| v != "0" && v != "off")
    })
}

/// The user name of `uid` from the system's user database, cached.
#[derive(Debug, Default)]
pub struct Users {
    names: HashMap<u32, Option<String>>,
}

impl Users {
    /// The name of `uid`, or None when no user has it.
    pub fn name(&mut self, uid: u32) -> Option<&str> {
        self.names
            .entry(uid)
            .or_insert_with(|| {
                nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)).ok().flatten().map(|u| u.name)
            })
            .as_deref()
    }

    /// The name of `uid` if [`Users::name`] looked it up before.
    pub fn cached(&self, uid: u32) -> Option<&str> {
        self.names.get(&uid).and_then(|n| n.as_deref())
    }

    /// The uid of user `name`, or `name` itself when it is a number.
    pub fn uid_of(name: &str) -> Option<u32> {
        if let Ok(uid) = name.parse() {
            return Some(uid);
        }
        nix::unistd::User::from_name(name).ok().flatten().map(|u| u.uid.as_raw())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_spaces_and_parens_in_comm() {
        let line =
            b"4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50";
        let (comm, start) = parse_stat(line).unwrap();
        assert_eq!(comm, "my (odd) prog");
        assert_eq!(start, 987_654);
        assert!(parse_stat(b"12 (short) S 1").is_none());
    }

    #[test]
    fn socket_link_targets() {
        assert_eq!(socket_inode(b"socket:[123456]"), Some(123_456));
        assert_eq!(socket_inode(b"/dev/null"), None);
        assert_eq!(socket_inode(b"pipe:[77]"), None);
        assert_eq!(socket_inode(b"socket:[x]"), None);
    }

    #[test]
    fn names_as_psutil() {
        let cmd = vec!["/usr/sbin/systemd-networkd".to_string()];
        assert_eq!(process_name("systemd-network", &cmd), "systemd-networkd");
        assert_eq!(process_name("socat", &["socat".to_string()]), "socat");
        assert_eq!(process_name("kworker/0:1-eve", &[]), "kworker/0:1-eve");
    }

    #[test]
    fn hidepid_from_mountinfo() {
        let plain = "22 28 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n";
        let hidden = "22 28 0:20 / /proc rw,nosuid shared:12 - proc proc rw,hidepid=invisible\n";
        let off = "22 28 0:20 / /proc rw - proc proc rw,hidepid=0\n";
        let other = "30 22 0:25 / /proc/sys/fs/binfmt_misc rw - binfmt_misc x rw,hidepid=2\n";
        assert!(!proc_hidepid(plain));
        assert!(proc_hidepid(hidden));
        assert!(!proc_hidepid(off));
        assert!(!proc_hidepid(other));
    }

    #[test]
    fn many_descriptors_are_read_by_number() {
        // More than PROBE_FROM descriptors: a new process's links are read by number.
        let files: Vec<std::fs::File> =
            (0..PROBE_FROM + 50).map(|_| std::fs::File::open("/dev/null").unwrap()).collect();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let count = std::fs::metadata("/proc/self/fd").unwrap().len();
        let mut readlinks = 0;
        let fds = read_fds(std::process::id(), &[], count, |_| true, &mut readlinks).unwrap();
        // Other tests open and close descriptors meanwhile: ours, held throughout, are all there.
        for file in &files {
            let fd = u32::try_from(std::os::fd::AsRawFd::as_raw_fd(file)).unwrap();
            assert!(fds.iter().any(|&(n, inode)| n == fd && inode == NOT_A_SOCKET), "descriptor {fd}");
        }
        let inode = std::os::unix::fs::MetadataExt::ino(
            &std::fs::metadata(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&listener)))
                .unwrap(),
        );
        assert!(fds.iter().any(|&(_, i)| u64::from(i) == inode), "the listener's inode {inode}");
        drop((files, listener));
    }

    #[test]
    fn own_process_holds_own_socket() {
        use super::super::sockets::{SockDiag, StateMask, Table};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut diag = SockDiag::open().unwrap();
        let mut sockets = Vec::new();
        diag.dump(&[Table::Tcp4], StateMask::ALL, &mut sockets).unwrap();
        let mine =
            sockets.iter().find(|s| s.local.port() == Some(port)).expect("listener in the dump").clone();
        assert_eq!(mine.state.map(|s| s.name()), Some("LISTEN"));
        assert_eq!(mine.uid, Some(nix::unistd::geteuid().as_raw()));
        let mut table = ProcessTable::new();
        table.scan();
        table.index(&sockets);
        let Owner::Held(holders) = table.owner(&mine) else { panic!("no holder for our listener") };
        assert!(holders.iter().any(|h| h.pid == std::process::id()));
        let first_readlinks = table.stats().readlinks;
        // A later refresh reads only new descriptors: a new listener is found without reading
        // every descriptor of the host again.
        let second = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let refresh = |table: &mut ProcessTable, diag: &mut SockDiag| {
            let mut sockets = Vec::new();
            diag.dump(&[Table::Tcp4], StateMask::ALL, &mut sockets).unwrap();
            table.scan();
            table.index(&sockets);
            sockets
        };
        let held_by_us = |table: &ProcessTable, sockets: &[Socket], port: u16| {
            let socket = sockets.iter().find(|s| s.local.port() == Some(port)).expect("in the dump");
            matches!(table.owner(socket), Owner::Held(h) if h.iter().any(|h| h.pid == std::process::id()))
        };
        // New processes elsewhere on the host are read in full: on a busy machine some refresh
        // out of five still reads far fewer links than the first scan.
        let mut incremental = Vec::new();
        for _ in 0..5 {
            let sockets = refresh(&mut table, &mut diag);
            assert!(held_by_us(&table, &sockets, port));
            incremental.push(table.stats().readlinks);
        }
        assert!(
            incremental.iter().any(|&n| n * 4 < first_readlinks),
            "{incremental:?} readlinks on refreshes, {first_readlinks} on the first scan"
        );
        // Its descriptor may reuse the number of a file the test harness closed meanwhile: then
        // it is found on the next refresh.
        let sockets = refresh(&mut table, &mut diag);
        assert!(held_by_us(&table, &sockets, second.local_addr().unwrap().port()));
        // A descriptor number reused by a new socket (close, then open) is read again, at the
        // latest on the refresh after the one that first saw the socket.
        drop(second);
        let third = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        refresh(&mut table, &mut diag);
        let sockets = refresh(&mut table, &mut diag);
        assert!(held_by_us(&table, &sockets, third.local_addr().unwrap().port()));
        let info = table.info(std::process::id()).unwrap();
        assert!(!info.cmdline.is_empty());
    }
}
