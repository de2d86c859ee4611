//! `cargo run -p xtask -- <task>`: files generated from the code, so they never drift from it.
//!
//! - `man DIR`: a man page per tool, from its clap definition (clap_mangen).
//! - `completions DIR`: bash, zsh and fish completions per tool (clap_complete).
//! - `sample FILE`: the demo capture, built packet by packet with pktkit's own writer.
//! - `fuzz-seeds DIR`: seed inputs for the fuzz targets (`DIR/<target>/`), see `seeds.rs`.
//! - `check`: regenerates all of them in a temporary folder and fails if the committed copies
//!   (docs/man, docs/completions, tests/data/demo.pcap) differ.

mod sample;
mod seeds;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap_complete::Shell;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["man", dir] => man(Path::new(dir)),
        ["completions", dir] => completions(Path::new(dir)),
        ["sample", file] => sample::write(Path::new(file)),
        ["fuzz-seeds", dir] => seeds::write(&root, Path::new(dir)),
        ["generate"] => {
            man(&root.join("docs/man"))?;
            completions(&root.join("docs/completions"))?;
            sample::write(&root.join("tests/data/demo.pcap"))
        }
        ["check"] => check(&root),
        _ => {
            bail!("usage: xtask man DIR | completions DIR | sample FILE | fuzz-seeds DIR | generate | check")
        }
    }
}

fn man(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    for cmd in pktkit_tools::commands() {
        let name = cmd.get_name().to_string();
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page)?;
        fs::write(dir.join(format!("{name}.1")), page)?;
    }
    Ok(())
}

fn completions(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    for mut cmd in pktkit_tools::commands() {
        let name = cmd.get_name().to_string();
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let path = clap_complete::generate_to(shell, &mut cmd, &name, dir)?;
            if shell == Shell::Fish {
                // clap_complete writes `-s #` bare, which fish reads as a comment (pkt-decode -#).
                let text = fs::read_to_string(&path)?;
                fs::write(&path, text.replace(" -s # ", " -s '#' "))?;
            }
        }
    }
    Ok(())
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("{}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    v.sort();
    Ok(v)
}

fn check(root: &Path) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("pktkit-xtask-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    man(&tmp.join("man"))?;
    completions(&tmp.join("completions"))?;
    sample::write(&tmp.join("demo.pcap"))?;
    let mut stale = Vec::new();
    for sub in ["man", "completions"] {
        let fresh = files(&tmp.join(sub))?;
        let committed = files(&root.join("docs").join(sub)).unwrap_or_default();
        let names = |v: &[PathBuf]| v.iter().map(|p| p.file_name().map(|n| n.to_owned())).collect::<Vec<_>>();
        if names(&fresh) != names(&committed) {
            stale.push(format!("docs/{sub}: files differ"));
            continue;
        }
        for (a, b) in fresh.iter().zip(&committed) {
            if fs::read(a)? != fs::read(b)? {
                stale.push(b.display().to_string());
            }
        }
    }
    if fs::read(tmp.join("demo.pcap"))? != fs::read(root.join("tests/data/demo.pcap")).unwrap_or_default() {
        stale.push("tests/data/demo.pcap".into());
    }
    let _ = fs::remove_dir_all(&tmp);
    if !stale.is_empty() {
        bail!("generated files are stale (run `cargo run -p xtask -- generate`): {}", stale.join(", "));
    }
    Ok(())
}
