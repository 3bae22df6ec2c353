//! Names the build of the pipeline this app runs (`KLEIO_PIPELINE_BUILD`):
//! a digest of the sources of what makes a run's kept work (core, embed,
//! gpu), of the data core compiles in (its name lists) and of the locked
//! dependencies. Work one build kept is never resumed
//! by another (`run_store::forget_other_builds_work`), so a run's result
//! comes from one version of the pipeline.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

/// What a run's kept work depends on, relative to the workspace root.
const PIPELINE: [&str; 5] = ["core/src", "core/data", "embed/src", "gpu/src", "Cargo.lock"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for part in PIPELINE {
        println!("cargo:rerun-if-changed=../{part}");
        collect(&root.join(part), &mut files);
    }
    files.sort();
    // SipHash with fixed keys: the same sources give the same digest on
    // every build with this toolchain, which is all a resume needs.
    let mut hasher = DefaultHasher::new();
    for file in &files {
        hasher.write(file.strip_prefix(&root).unwrap_or(file).to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(file).unwrap_or_default());
    }
    println!("cargo:rustc-env=KLEIO_PIPELINE_BUILD={:016x}", hasher.finish());
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries.flatten() {
                collect(&entry.path(), out);
            }
        }
        Err(_) if path.is_file() => out.push(path.to_path_buf()),
        Err(_) => {}
    }
}
