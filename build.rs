//! Build script for the C API:
//!
//! - generates the C header from `src/ffi` with cbindgen, into `OUT_DIR`
//!   and next to the libraries (`target/<profile>/include/oxtls.h`), where
//!   `make header` copies it to the committed `include/oxtls.h` and
//!   `make test` checks that the committed one is current;
//! - links `liboxtls.so` with its soname and a version script that exports
//!   only `oxtls_*`;
//! - sets `has_msg_nosignal` where send(2) takes `MSG_NOSIGNAL`.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// The soname's number: changed only when the ABI breaks (a function
/// removed or changed), not with every release. The Makefile's
/// `ABI_VERSION` must match (the C tests check the installed soname).
const ABI_VERSION: &str = "0";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");

    link_shared_library(&manifest_dir);
    generate_header(&manifest_dir);
    set_msg_nosignal_cfg();
}

/// The systems for which the libc crate (0.2.191) defines `MSG_NOSIGNAL`,
/// but QNX (defined for some `target_env`s only). Apple's send(2) has no
/// such flag (see `SEND_FLAGS` in `src/ffi/transport.rs`).
const MSG_NOSIGNAL_SYSTEMS: &[&str] = &[
    "linux",
    "android",
    "freebsd",
    "dragonfly",
    "openbsd",
    "netbsd",
    "illumos",
    "solaris",
    "haiku",
    "hurd",
    "aix",
    "cygwin",
];

/// One list of systems, named once, instead of a `cfg(any(...))` and its
/// negation written out in the code.
fn set_msg_nosignal_cfg() {
    println!("cargo:rustc-check-cfg=cfg(has_msg_nosignal)");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if MSG_NOSIGNAL_SYSTEMS.contains(&os.as_str()) {
        println!("cargo:rustc-cfg=has_msg_nosignal");
    }
}

fn link_shared_library(manifest_dir: &Path) {
    // Sonames and version scripts are ELF; other platforms link as usual.
    if env::var("CARGO_CFG_TARGET_OBJECT_FORMAT").as_deref() != Ok("elf")
        && env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux")
    {
        return;
    }
    let map = manifest_dir.join("src/ffi/exports.map");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liboxtls.so.{ABI_VERSION}");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        map.display()
    );
}

fn generate_header(manifest_dir: &Path) {
    let version = |part: &str| {
        env::var(format!("CARGO_PKG_VERSION_{part}"))
            .expect("cargo sets the version")
            .parse::<u32>()
            .expect("version parts are numbers")
    };
    let (major, minor, patch) = (version("MAJOR"), version("MINOR"), version("PATCH"));
    let macros = format!(
        "\n/** The version of this header; `oxtls_version()` gives the library's. */\n\
         #define OXTLS_VERSION_MAJOR {major}\n\
         #define OXTLS_VERSION_MINOR {minor}\n\
         #define OXTLS_VERSION_PATCH {patch}\n\
         /** MAJOR * 1000000 + MINOR * 1000 + PATCH, as `oxtls_version_number()`. */\n\
         #define OXTLS_VERSION_NUMBER {}\n",
        major * 1_000_000 + minor * 1_000 + patch
    );

    let config = cbindgen::Config::from_file(manifest_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(manifest_dir.join("src/ffi/mod.rs"))
        .with_after_include(macros)
        .generate()
        .expect("cbindgen can read src/ffi");

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let header = out_dir.join("oxtls.h");
    bindings.write_to_file(&header);

    // OUT_DIR is target/<profile>/build/oxtls-<hash>/out; put a copy in
    // target/<profile>/include, beside the libraries it describes.
    if let Some(profile_dir) = out_dir.ancestors().nth(3) {
        let include = profile_dir.join("include");
        fs::create_dir_all(&include).expect("create target include dir");
        fs::copy(&header, include.join("oxtls.h")).expect("copy oxtls.h");
    }
}
