//! Choosing where the numbers are crunched, at run time, and saying which.

use burn::prelude::*;

/// What the caller asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// A real GPU when there is one, else the CPU. Software GPUs (lavapipe,
    /// SwiftShader) are slower than the CPU backend, so `auto` skips them.
    Auto,
    Cpu,
    /// The wgpu backend on whatever adapter exists, software ones included.
    Gpu,
}

impl std::str::FromStr for BackendChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(BackendChoice::Auto),
            "cpu" => Ok(BackendChoice::Cpu),
            "gpu" => Ok(BackendChoice::Gpu),
            other => Err(format!("unknown backend {other:?}: expected auto, cpu or gpu")),
        }
    }
}

/// A device and the words to report it with.
#[derive(Clone, Debug)]
pub struct ComputeDevice {
    pub device: Device,
    /// For example "CPU (burn flex)" or "GPU: NVIDIA H100 (Vulkan)".
    pub description: String,
    pub is_gpu: bool,
    /// The largest storage buffer one shader may bind, where the device has
    /// such a limit (WebGPU's default is 128 MiB); batches are cut to fit it.
    pub max_binding_bytes: Option<u64>,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum DeviceError {
    #[error("no GPU adapter is available: {0}")]
    NoGpu(String),
    #[error("this kleio was built without the GPU backend: build it with `KLEIO_GPU=1 bash scripts/run` (or `cargo build --release --features kleio/gpu`)")]
    NotBuilt,
}

impl ComputeDevice {
    pub fn cpu() -> Self {
        // In WebAssembly the encoder runs on its own kernel (`host_encoder`),
        // in one of two builds; which one is worth saying.
        let description = if cfg!(not(target_arch = "wasm32")) {
            "CPU (burn flex)"
        } else if cfg!(feature = "relaxed-simd") {
            "CPU (WebAssembly, relaxed SIMD)"
        } else {
            "CPU (WebAssembly SIMD)"
        };
        ComputeDevice { device: Device::flex(), description: description.into(), is_gpu: false, max_binding_bytes: None }
    }

    /// Sets up the device natively (synchronously).
    #[cfg(not(target_family = "wasm"))]
    pub fn select(choice: BackendChoice) -> Result<Self, DeviceError> {
        match choice {
            BackendChoice::Cpu => Ok(Self::cpu()),
            BackendChoice::Gpu => Self::gpu(false),
            BackendChoice::Auto => Ok(Self::gpu(true).unwrap_or_else(|_| Self::cpu())),
        }
    }

    #[cfg(all(feature = "wgpu", not(target_family = "wasm")))]
    fn gpu(hardware_only: bool) -> Result<Self, DeviceError> {
        // wgpu panics deep inside when no adapter exists; keep that from taking the process down.
        let init = std::panic::catch_unwind(|| Device::wgpu_options().init_with_setup());
        match init {
            Ok(Ok((device, setup))) => Self::from_wgpu(device, &setup, hardware_only),
            Ok(Err(e)) => Err(DeviceError::NoGpu(e.to_string())),
            Err(_) => Err(DeviceError::NoGpu("adapter initialisation panicked".into())),
        }
    }

    /// Sets up the device in the browser, where everything GPU is asynchronous.
    /// `adapter_exists` is the caller's answer from `navigator.gpu.requestAdapter()`:
    /// burn-wgpu must not be initialised without one, since a panic in wasm
    /// ends the whole module. `Auto` takes any adapter there (the browser does
    /// not say reliably which ones are software); `Cpu` is the user's way out.
    #[cfg(target_family = "wasm")]
    pub async fn select_in_browser(choice: BackendChoice, adapter_exists: bool) -> Result<Self, DeviceError> {
        match (choice, adapter_exists) {
            (BackendChoice::Cpu, _) | (BackendChoice::Auto, false) => Ok(Self::cpu()),
            (BackendChoice::Gpu, false) => Err(DeviceError::NoGpu("this browser offers no WebGPU adapter".into())),
            (_, true) => Self::webgpu().await,
        }
    }

    /// burn-wgpu's runtime can be initialised once per page; later calls get
    /// the same device.
    #[cfg(all(feature = "wgpu", target_family = "wasm"))]
    async fn webgpu() -> Result<Self, DeviceError> {
        thread_local! {
            static WEBGPU: std::cell::RefCell<Option<ComputeDevice>> = const { std::cell::RefCell::new(None) };
        }
        if let Some(d) = WEBGPU.with_borrow(Clone::clone) {
            return Ok(d);
        }
        let (device, setup) = Device::wgpu_options().init_with_setup_async().await.map_err(|e| DeviceError::NoGpu(e.to_string()))?;
        let d = Self::from_wgpu(device, &setup, false)?;
        WEBGPU.set(Some(d.clone()));
        Ok(d)
    }

    #[cfg(all(not(feature = "wgpu"), target_family = "wasm"))]
    async fn webgpu() -> Result<Self, DeviceError> {
        Err(DeviceError::NotBuilt)
    }

    /// Describes an initialised wgpu device. Kleio computes in f32 whatever
    /// the adapter offers; whether `shader-f16` exists is reported, not assumed.
    #[cfg(feature = "wgpu")]
    fn from_wgpu(device: Device, setup: &burn::tensor::wgpu::WgpuSetup, hardware_only: bool) -> Result<Self, DeviceError> {
        use burn::tensor::wgpu::wgpu;
        let info = setup.adapter.get_info();
        let software = info.device_type == wgpu::DeviceType::Cpu;
        if hardware_only && software {
            return Err(DeviceError::NoGpu(format!("only a software adapter ({})", info.name)));
        }
        let kind = if software { "software GPU" } else { "GPU" };
        let name = [info.name.as_str(), info.driver.as_str()].into_iter().find(|s| !s.is_empty()).unwrap_or("unnamed adapter");
        let f16 = if setup.adapter.features().contains(wgpu::Features::SHADER_F16) { "available" } else { "absent" };
        let description = format!("{kind}: {name} ({:?}; shader-f16 {f16}, computing in f32)", info.backend);
        let max_binding_bytes = Some(setup.device.limits().max_storage_buffer_binding_size);
        Ok(ComputeDevice { device, description, is_gpu: true, max_binding_bytes })
    }

    #[cfg(all(not(feature = "wgpu"), not(target_family = "wasm")))]
    fn gpu(_hardware_only: bool) -> Result<Self, DeviceError> {
        Err(DeviceError::NotBuilt)
    }
}
