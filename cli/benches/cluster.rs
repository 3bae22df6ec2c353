//! Kleio's side of `bench/cluster_peers.py`: k-means or the 2-D layout of a
//! file of vectors, timed, with the result written for the peers' script to
//! score (it computes inertia and trustworthiness the same way for everyone).
//!
//!   cargo bench -p kleio --bench cluster -- kmeans VECTORS DIM K ITERATIONS SEED OUT
//!   cargo bench -p kleio --bench cluster -- layout VECTORS DIM SEED OUT
//!
//! VECTORS is raw little-endian f32, DIM values per row. `kmeans` writes the
//! labels (u32 per point) to OUT; `layout` writes two f32 per point. One JSON
//! line on stdout gives the timings. `KLEIO_COMPUTE` chooses where: `cpu`
//! (the core's code, the default), `gpu` (the tensor code on burn-wgpu's
//! adapter, whatever the size) or `burn-cpu` (the tensor code on burn's CPU
//! backend).

use std::time::Instant;

use anyhow::{bail, Context};
use kleio_core::compute::{Compute, CpuCompute};
use kleio_core::kmeans::KMeansParams;
use kleio_core::knn::KnnParams;
use kleio_core::matrix::Matrix;
use kleio_core::projection::{project, ProjectionParams};
use kleio_embed::{BackendChoice, ComputeDevice};
use kleio_gpu::{DeviceCompute, TensorCompute};

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let arg = |i: usize, what: &str| args.get(i).cloned().with_context(|| format!("missing {what}; see the header of cli/benches/cluster.rs"));
    let task = arg(0, "the task (kmeans or layout)")?;
    let points = read_vectors(&arg(1, "the vectors file")?, arg(2, "the dimension")?.parse()?)?;
    let compute = match std::env::var("KLEIO_COMPUTE").as_deref() {
        Ok("gpu") => DeviceCompute::Tensor(TensorCompute::new(ComputeDevice::select(BackendChoice::Gpu)?)),
        Ok("burn-cpu") => DeviceCompute::Tensor(TensorCompute::new(ComputeDevice::cpu())),
        Ok("cpu") | Err(_) => DeviceCompute::Cpu(CpuCompute),
        Ok(other) => bail!("KLEIO_COMPUTE={other:?}: expected cpu, gpu or burn-cpu"),
    };
    match task.as_str() {
        "kmeans" => {
            let k: usize = arg(3, "k")?.parse()?;
            let iterations: u64 = arg(4, "the iterations")?.parse()?;
            let seed: u64 = arg(5, "the seed")?.parse()?;
            // Exactly `iterations` Lloyd steps unless the labels settle: no tolerance stop.
            let params = KMeansParams { max_iterations: iterations, tolerance: 0.0, ..KMeansParams::new(k, seed) };
            let start = Instant::now();
            let fit = futures::executor::block_on(compute.kmeans(&points, &params))?;
            let seconds = start.elapsed().as_secs_f64();
            // The cost of one Lloyd iteration, seeding apart: the same fit
            // stopped after one iteration, subtracted (the GPU goal is per iteration).
            let per_iteration_ms = if fit.iterations > 1 {
                let one = KMeansParams { max_iterations: 1, ..params.clone() };
                let start = Instant::now();
                futures::executor::block_on(compute.kmeans(&points, &one))?;
                Some((seconds - start.elapsed().as_secs_f64()) * 1000.0 / (fit.iterations - 1) as f64)
            } else {
                None
            };
            let bytes: Vec<u8> = fit.labels.iter().flat_map(|l| l.to_le_bytes()).collect();
            std::fs::write(arg(6, "the output file")?, bytes)?;
            println!(
                "{}",
                serde_json::json!({"task": "kmeans", "device": compute.describe(), "seconds": seconds, "iterations": fit.iterations,
                    "inertia": fit.inertia, "ms_per_iteration": per_iteration_ms})
            );
        }
        "layout" => {
            let seed: u64 = arg(3, "the seed")?.parse()?;
            let params = ProjectionParams { seed, ..Default::default() };
            let start = Instant::now();
            let graph = futures::executor::block_on(compute.knn(&points, &KnnParams::new(params.graph_k(), seed)))?;
            let knn_seconds = start.elapsed().as_secs_f64();
            let layout = project(&points, &graph, &params)?;
            let seconds = start.elapsed().as_secs_f64();
            let bytes: Vec<u8> = layout.iter().flatten().flat_map(|x| x.to_le_bytes()).collect();
            std::fs::write(arg(4, "the output file")?, bytes)?;
            println!("{}", serde_json::json!({"task": "layout", "device": compute.describe(), "seconds": seconds, "knn_seconds": knn_seconds}));
        }
        other => bail!("unknown task {other:?}: expected kmeans or layout"),
    }
    Ok(())
}

fn read_vectors(path: &str, dim: usize) -> anyhow::Result<Matrix> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {path}"))?;
    if bytes.len() % 4 != 0 {
        bail!("{path}: {} bytes are not whole f32 values", bytes.len());
    }
    let data: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    Matrix::new(data, dim).with_context(|| format!("{path} as rows of {dim}"))
}
