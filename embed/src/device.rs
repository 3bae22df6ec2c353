//! Choosing where the numbers are crunched, at run time, and saying which.

use burn::prelude::*;

/// What the caller asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
}

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum DeviceError {
    #[error("no GPU adapter is available: {0}")]
    NoGpu(String),
    #[error("this build has no GPU backend (built without the `wgpu` feature)")]
    NotBuilt,
}

impl ComputeDevice {
    pub fn cpu() -> Self {
        ComputeDevice { device: Device::flex(), description: "CPU (burn flex)".into(), is_gpu: false }
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
        let (device, setup) = match init {
            Ok(Ok(pair)) => pair,
            Ok(Err(e)) => return Err(DeviceError::NoGpu(e.to_string())),
            Err(_) => return Err(DeviceError::NoGpu("adapter initialisation panicked".into())),
        };
        let info = setup.adapter.get_info();
        let software = info.device_type == burn::tensor::wgpu::wgpu::DeviceType::Cpu;
        if hardware_only && software {
            return Err(DeviceError::NoGpu(format!("only a software adapter ({})", info.name)));
        }
        let kind = if software { "software GPU" } else { "GPU" };
        Ok(ComputeDevice { device, description: format!("{kind}: {} ({:?})", info.name, info.backend), is_gpu: true })
    }

    #[cfg(all(not(feature = "wgpu"), not(target_family = "wasm")))]
    fn gpu(_hardware_only: bool) -> Result<Self, DeviceError> {
        Err(DeviceError::NotBuilt)
    }
}
