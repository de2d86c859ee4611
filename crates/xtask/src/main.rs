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
    for mut cmd in pktkit_tools::commands() {
        cmd.build();
        let name = cmd.get_name().to_string();
        // A tool with subcommands (netmon) gets a page per subcommand too: TOOL-SUB.1.
        for sub in cmd.get_subcommands() {
            let sub_name = format!("{name}-{}", sub.get_name());
            // clap names are &'static str without its `string` feature; xtask runs once.
            let page_name: &'static str = Box::leak(sub_name.clone().into_boxed_str());
            fs::write(dir.join(format!("{sub_name}.1")), page(&sub.clone().name(page_name))?)?;
        }
        fs::write(dir.join(format!("{name}.1")), page(&cmd)?)?;
    }
    Ok(())
}

/// One man page: clap_mangen's title, name, description and options, with our SYNOPSIS and
/// the EXAMPLES, EXIT STATUS and SEE ALSO sections.
fn page(cmd: &clap::Command) -> Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    page.extend(synopsis(cmd).as_bytes());
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    if cmd.get_subcommands().next().is_some() {
        man.render_subcommands_section(&mut page)?;
    }
    page.extend(man_tail(cmd).as_bytes());
    Ok(page)
}

/// Escapes text for roff: backslashes and leading dots or quotes.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    text.lines()
        .map(|l| if l.starts_with('.') || l.starts_with('\'') { format!("\\&{l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

/// SYNOPSIS with every option's argument name (clap_mangen drops them: `[-r ]`).
fn synopsis(cmd: &clap::Command) -> String {
    let mut cmd = cmd.clone();
    cmd.build();
    let (mut words, mut positionals) = (Vec::new(), Vec::new());
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values())
            && !matches!(
                arg.get_action(),
                clap::ArgAction::SetTrue
                    | clap::ArgAction::Count
                    | clap::ArgAction::Help
                    | clap::ArgAction::Version
            );
        let value = arg
            .get_value_names()
            .map(|v| v.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
        let flag = match (arg.get_short(), arg.get_long()) {
            (Some(short), _) => format!("\\fB\\-{}\\fR", roff(&short.to_string())),
            (None, Some(long)) => format!("\\fB\\-\\-{}\\fR", roff(long)),
            (None, None) => {
                let many = matches!(arg.get_action(), clap::ArgAction::Append)
                    || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
                let dots = if many { "..." } else { "" };
                positionals.push(if arg.is_required_set() {
                    format!("\\fI{}\\fR{dots}", roff(&value))
                } else {
                    format!("[\\fI{}\\fR]{dots}", roff(&value))
                });
                continue;
            }
        };
        let repeat = if matches!(arg.get_action(), clap::ArgAction::Count) { "..." } else { "" };
        if takes_value {
            words.push(format!("[{flag} \\fI{}\\fR]{repeat}", roff(&value)));
        } else {
            words.push(format!("[{flag}]{repeat}"));
        }
    }
    words.extend(positionals);
    if cmd.get_subcommands().next().is_some() {
        words.push("\\fICOMMAND\\fR [\\fIOPTIONS\\fR]".to_string());
    }
    format!(".SH SYNOPSIS\n\\fB{}\\fR {}\n", roff(cmd.get_name()), words.join(" "))
}

/// EXAMPLES (the help's epilogue, not reflowed), EXIT STATUS and SEE ALSO; no repository paths.
fn man_tail(cmd: &clap::Command) -> String {
    let mut out = String::new();
    if let Some(after) = cmd.get_after_help() {
        let text = after.to_string();
        let text = text.strip_prefix("Examples:\n").unwrap_or(&text);
        let mut clean = String::new();
        for word in text.split_inclusive(|c: char| c.is_whitespace() || c == '(' || c == ')') {
            let bare = word.trim_end_matches(|c: char| c.is_whitespace() || c == ')' || c == ',' || c == '(');
            if bare.starts_with("docs/") {
                clean.push_str(&word.replacen(bare, "the pktkit documentation", 1));
            } else {
                clean.push_str(word);
            }
        }
        out.push_str(&format!(".SH EXAMPLES\n.nf\n{}\n.fi\n", roff(&clean)));
    }
    out.push_str(
        ".SH \"EXIT STATUS\"\n.TP\n0\nSuccess (also when the reader of the output goes away).\n\
         .TP\n1\nA runtime error: unreadable or damaged input, I/O, permissions, the network.\n\
         .TP\n2\nA usage error: bad options, filter expression or packet spec.\n",
    );
    let name = cmd.get_name();
    let others: Vec<String> = [
        "pcap-capture",
        "pcap-filter",
        "pkt-decode",
        "pkt-stats",
        "pkt-send",
        "tracert",
        "synscan",
        "netmon",
    ]
    .iter()
    .filter(|t| **t != name)
    .map(|t| format!("\\fB{}\\fR(1)", roff(t)))
    .collect();
    out.push_str(&format!(
        ".SH \"SEE ALSO\"\n{}, \\fBtcpdump\\fR(8), \\fBpcap\\-filter\\fR(7), \\fBtshark\\fR(1)\n",
        others.join(", ")
    ));
    out
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
            if shell == Shell::Bash && name == "pkt-decode" {
                let text = fs::read_to_string(&path)?;
                fs::write(&path, bash_field_names(&text))?;
            }
        }
    }
    Ok(())
}

/// pkt-decode's bash completion offers the field names after `--fields` (each name of a
/// comma-separated list) and `--tshark-field`, instead of file names.
fn bash_field_names(text: &str) -> String {
    let names: Vec<&str> = pktkit::render::fields::known_names().collect();
    let names = names.join(" ");
    let mut out = text.to_string();
    for (option, list) in [("--fields", true), ("--tshark-field", false)] {
        let generated = format!(
            "                {option})\n                    COMPREPLY=($(compgen -f \"${{cur}}\"))\n"
        );
        let body = if list {
            // The word after the last comma is completed; the names before it are kept.
            format!(
                "                {option})\n                    local prefix=\"\"\n                    [[ \"${{cur}}\" == *,* ]] && prefix=\"${{cur%,*}},\"\n                    COMPREPLY=($(compgen -P \"${{prefix}}\" -W \"list {names}\" -- \"${{cur##*,}}\"))\n                    compopt -o nospace 2>/dev/null\n"
            )
        } else {
            format!(
                "                {option})\n                    COMPREPLY=($(compgen -W \"{names}\" -- \"${{cur}}\"))\n"
            )
        };
        out = out.replacen(&generated, &body, 1);
    }
    out
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
