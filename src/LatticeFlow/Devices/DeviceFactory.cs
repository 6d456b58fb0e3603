using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace LatticeFlow.Devices;

/// <summary>Turns --device auto|cpu|cuda|opencl|ilgpu-cpu into a <see cref="ComputeDevice"/>.</summary>
public static class DeviceFactory
{
    public static readonly string[] Names = ["auto", "cpu", "cuda", "opencl", "ilgpu-cpu"];

    private static readonly Lazy<Context> SharedContext = new(() =>
        Context.Create(b => b.Default().EnableAlgorithms().Optimize(OptimizationLevel.O2)));

    /// <summary>One ILGPU context per process: creating one probes every driver, which is slow.</summary>
    public static Context Context => SharedContext.Value;

    /// <param name="name">auto picks CUDA, then an OpenCL GPU, then the managed CPU path.</param>
    /// <param name="threads">CPU threads for the managed path (0: all cores).</param>
    public static ComputeDevice Create(string name, int threads = 0)
    {
        switch (name)
        {
            case "cpu":
                return new ManagedDevice(Context, threads);
            case "ilgpu-cpu":
                return new IlgpuDevice(Context.CreateCPUAccelerator(0), "ilgpu-cpu (ILGPU CPU accelerator: a test harness, not a fast path)");
            case "cuda":
                return CreateGpu(AcceleratorType.Cuda)
                    ?? throw new InvalidInputException("--device cuda: no CUDA device found (is the NVIDIA driver installed?); use --device cpu or auto");
            case "opencl":
                return CreateGpu(AcceleratorType.OpenCL)
                    ?? throw new InvalidInputException("--device opencl: no OpenCL GPU found; use --device cpu or auto");
            case "auto":
                return CreateGpu(AcceleratorType.Cuda) ?? CreateGpu(AcceleratorType.OpenCL) ?? (ComputeDevice)new ManagedDevice(Context, threads);
            default:
                throw new InvalidInputException($"--device {name}: unknown device (choose {string.Join(", ", Names)})");
        }
    }

    /// <summary>True when a CUDA device is visible (GPU-only tests skip otherwise).</summary>
    public static bool HasCuda => Context.Devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda);

    private static IlgpuDevice? CreateGpu(AcceleratorType type)
    {
        Device? device = null;
        foreach (var d in Context)
        {
            bool gpu = d is not CLDevice cl || cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU;
            if (d.AcceleratorType == type && gpu) { device = d; break; }
        }
        if (device is null) return null;
        var accelerator = device.CreateAccelerator(Context);
        return new IlgpuDevice(accelerator, $"{type.ToString().ToLowerInvariant()}: {device.Name}");
    }
}
