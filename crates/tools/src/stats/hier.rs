//! The protocol hierarchy (`tshark -z io,phs`): each frame's protocol path
//! ([`pktkit::decode::protocols`]), as a tree of frames and bytes. A frame counts once in
//! every node of its path.

pub use pktkit::decode::protocols::{Path, Proto, bad_ipv4_length};

use super::table::{Count, Merge};

/// A node of the hierarchy.
#[derive(Clone, Debug)]
struct Node {
    proto: Proto,
    count: Count,
    children: Vec<u32>,
}

/// Most nodes of a hierarchy. Real captures need a few hundred; only crafted nesting of
/// tunnels and tags could need more, and is then counted at its longest kept prefix.
pub const MAX_NODES: usize = 10_000;

/// The hierarchy: a tree of protocol paths with frames and bytes.
#[derive(Clone, Debug)]
pub struct Tree {
    /// `nodes[0]` is the root (no protocol).
    nodes: Vec<Node>,
    /// True when a path was cut at [`MAX_NODES`].
    pub truncated: bool,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            nodes: vec![Node { proto: Proto::Data, count: Count::default(), children: Vec::new() }],
            truncated: false,
        }
    }
}

/// A node as seen from outside: protocol, frames and bytes, children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// The protocol.
    pub proto: Proto,
    /// Frames and bytes through this node.
    pub count: Count,
    /// Its children, most bytes first (then by name).
    pub children: Vec<Branch>,
}

impl Tree {
    /// Counts one frame of `bytes` bytes along `path`.
    #[inline]
    pub fn add(&mut self, path: &[Proto], bytes: u64) {
        self.add_count(path, Count { frames: 1, bytes });
    }

    /// Adds `count` to every node along `path`.
    pub fn add_count(&mut self, path: &[Proto], count: Count) {
        let mut at = 0usize;
        for &proto in path {
            let found =
                self.nodes[at].children.iter().copied().find(|&c| self.nodes[c as usize].proto == proto);
            at = match found {
                Some(c) => c as usize,
                None if self.nodes.len() >= MAX_NODES => {
                    self.truncated = true;
                    return;
                }
                None => {
                    let idx = self.nodes.len();
                    self.nodes.push(Node { proto, count: Count::default(), children: Vec::new() });
                    self.nodes[at].children.push(idx as u32);
                    idx
                }
            };
            self.nodes[at].count.merge(&count);
        }
    }

    /// Adds another tree into this one.
    pub fn merge(&mut self, other: &Tree) {
        self.truncated |= other.truncated;
        for b in other.branches() {
            self.merge_branch(&mut Vec::new(), &b);
        }
    }

    /// Adds a branch (and its subtree) below `prefix`.
    pub fn merge_branch(&mut self, prefix: &mut Vec<Proto>, b: &Branch) {
        prefix.push(b.proto);
        // A node's own frames are those of its path; children add to the same nodes again, so
        // add the node's count minus what its children carry.
        let below: Count = b.children.iter().fold(Count::default(), |mut acc, c| {
            acc.merge(&c.count);
            acc
        });
        let own = Count {
            frames: b.count.frames.saturating_sub(below.frames),
            bytes: b.count.bytes.saturating_sub(below.bytes),
        };
        if own.frames > 0 || own.bytes > 0 || b.children.is_empty() {
            self.add_count(prefix, own);
        }
        for c in &b.children {
            self.merge_branch(prefix, c);
        }
        prefix.pop();
    }

    /// The top-level branches, each sorted.
    pub fn branches(&self) -> Vec<Branch> {
        self.branch_children(0)
    }

    fn branch_children(&self, at: usize) -> Vec<Branch> {
        let mut v: Vec<Branch> = self.nodes[at]
            .children
            .iter()
            .map(|&c| {
                let n = &self.nodes[c as usize];
                Branch { proto: n.proto, count: n.count, children: self.branch_children(c as usize) }
            })
            .collect();
        v.sort_by(|x, y| y.count.bytes.cmp(&x.count.bytes).then(x.proto.name().cmp(y.proto.name())));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_counts_and_merges() {
        use Proto::*;
        let mut t = Tree::default();
        t.add(&[Eth, Ip, Udp, Dns], 100);
        t.add(&[Eth, Ip, Tcp], 60);
        t.add(&[Eth, Ipv6, Udp, Dns], 120);
        t.add(&[Eth, Ip, Udp, Dns], 90);
        let b = t.branches();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].count, Count { frames: 4, bytes: 370 });
        assert_eq!(b[0].children[0].proto, Ip);
        assert_eq!(b[0].children[0].count, Count { frames: 3, bytes: 250 });
        assert_eq!(b[0].children[0].children[0].proto, Udp, "most bytes first");

        let mut u = Tree::default();
        u.add(&[Eth, Ip, Tcp], 40);
        u.add(&[Eth], 10);
        let mut m = t.clone();
        m.merge(&u);
        let mut whole = t.clone();
        whole.add(&[Eth, Ip, Tcp], 40);
        whole.add(&[Eth], 10);
        assert_eq!(m.branches(), whole.branches());
        // Rebuilding from branches (as from JSON) gives the same tree.
        let mut back = Tree::default();
        for b in whole.branches() {
            back.merge_branch(&mut Vec::new(), &b);
        }
        assert_eq!(back.branches(), whole.branches());
    }

    #[test]
    fn tree_is_bounded() {
        use Proto::*;
        let mut t = Tree::default();
        let names = [Eth, Vlan, Ip, Ipv6, Udp, Tcp, Gre, Mpls];
        for i in 0..200_000u32 {
            let mut path = Vec::new();
            let mut x = i;
            for _ in 0..8 {
                path.push(names[(x % 8) as usize]);
                x /= 8;
            }
            t.add(&path, 1);
        }
        assert!(t.truncated);
        assert!(t.nodes.len() <= MAX_NODES);
        let total: u64 = t.branches().iter().map(|b| b.count.frames).sum();
        assert_eq!(total, 200_000, "every frame still counts at its first level");
    }
}
