//! Link options of the tools' binaries.

fn main() {
    println!("cargo:rerun-if-changed=crates/tools/build.rs");
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    if target("CARGO_CFG_TARGET_OS") == "linux" && target("CARGO_CFG_TARGET_ENV") == "gnu" {
        // tracert: the unwinder is linked in (gcc's libgcc_eh.a, the same code) instead of
        // loaded from libgcc_s.so.1. A trace of a short path takes a few milliseconds, and
        // loading libgcc_s cost a tenth of them: its relocations, and its constructor's CPUID
        // instructions, which trap to the hypervisor on a virtual machine.
        println!(
            "cargo:rustc-link-arg-bin=tracert=-Wl,--push-state,--whole-archive,-l:libgcc_eh.a,--pop-state"
        );
    }
}
