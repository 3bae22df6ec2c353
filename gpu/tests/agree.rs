//! The tensor path agrees with the core's CPU path: the same neighbours and,
//! from the same seed, the same k-means labels (up to ties in the last bits
//! of a float). Run on burn's CPU device (flex) always, and on a wgpu adapter
//! where one exists (lavapipe, a Vulkan driver on the CPU, on CI machines).

use futures::executor::block_on;
use kleio_core::compute::{Compute, CpuCompute};
use kleio_core::kmeans::KMeansParams;
use kleio_core::knn::{self, KnnParams};
use kleio_core::matrix::Matrix;
use kleio_embed::{BackendChoice, ComputeDevice};
use kleio_gpu::TensorCompute;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Unit vectors around `groups` random directions.
fn points(n: usize, dim: usize, groups: usize, noise: f32, seed: u64) -> Matrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dirs: Vec<Vec<f32>> = (0..groups).map(|_| (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect()).collect();
    let mut data = Vec::with_capacity(n * dim);
    for i in 0..n {
        let mut v: Vec<f32> = dirs[i % groups].iter().map(|&x| x + noise * (rng.gen::<f32>() - 0.5)).collect();
        kleio_core::vector::normalize(&mut v);
        data.extend(v);
    }
    Matrix::new(data, dim).unwrap()
}

fn devices() -> Vec<TensorCompute> {
    let mut out = vec![TensorCompute::new(ComputeDevice::cpu())];
    match ComputeDevice::select(BackendChoice::Gpu) {
        Ok(gpu) => out.push(TensorCompute::new(gpu)),
        Err(e) => eprintln!("no wgpu adapter here, testing burn's CPU device only: {e}"),
    }
    out
}

#[test]
fn neighbours_match_the_cpu_search() {
    let pts = points(1500, 24, 20, 0.8, 1);
    let truth = knn::exact(&pts, 14);
    for compute in devices() {
        let graph = block_on(compute.knn(&pts, &KnnParams::new(14, 0))).unwrap();
        assert_eq!(graph.len(), 1500);
        let recall = graph.recall(&truth);
        assert!(recall > 0.995, "{}: recall {recall} against the CPU's exact search", compute.describe());
        for i in 0..1500 {
            assert!(graph.neighbours(i).all(|(j, _)| j != i), "{}: point {i} is its own neighbour", compute.describe());
        }
    }
}

#[test]
fn kmeans_gives_the_cpu_labels_from_the_same_seed() {
    let pts = points(2000, 16, 12, 1.2, 2);
    let params = KMeansParams { tolerance: 0.0, max_iterations: 50, ..KMeansParams::new(12, 7) };
    let cpu = block_on(CpuCompute.kmeans(&pts, &params)).unwrap();
    for compute in devices() {
        let fit = block_on(compute.kmeans(&pts, &params)).unwrap();
        let differ = fit.labels.iter().zip(&cpu.labels).filter(|(a, b)| a != b).count();
        assert!(differ <= 2, "{}: {differ} of 2000 labels differ from the CPU's", compute.describe());
        let gap = (fit.inertia - cpu.inertia).abs() / cpu.inertia;
        assert!(gap < 1e-3, "{}: inertia {} against the CPU's {}", compute.describe(), fit.inertia, cpu.inertia);
        assert_eq!(fit.centers.rows(), 12);
    }
}

#[test]
fn bad_input_is_an_error_on_the_device_too() {
    let compute = TensorCompute::new(ComputeDevice::cpu());
    let empty = Matrix::from_rows(&[]).unwrap();
    assert!(block_on(compute.kmeans(&empty, &KMeansParams::new(3, 1))).is_err());
    let one = Matrix::from_rows(&[vec![1.0, 0.0]]).unwrap();
    assert_eq!(block_on(compute.knn(&one, &KnnParams::new(15, 0))).unwrap().k(), 0);
    let fit = block_on(compute.kmeans(&one, &KMeansParams::new(4, 1))).unwrap();
    assert_eq!(fit.labels, vec![0]);
}
