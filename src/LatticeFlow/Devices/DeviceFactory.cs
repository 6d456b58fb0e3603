using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using LatticeFlow.Devices.Simd;

namespace LatticeFlow.Devices;

/// <summary>Turns a device name (auto, cpu, cuda, opencl, ilgpu-cpu) into a <see cref="ComputeDevice"/>.</summary>
public static class DeviceFactory
{
    public static readonly string[] Names = ["auto", "cpu", "cuda", "opencl", "ilgpu-cpu"];

    private static readonly Lazy<Context> SharedContext = new(() =>
        Context.Create(b => b.Default().EnableAlgorithms().Optimize(OptimizationLevel.O2)));

    /// <summary>One ILGPU context per process: creating one probes every driver, which is slow.</summary>
    public static Context Context => SharedContext.Value;

    /// <param name="name">auto picks CUDA, then an OpenCL GPU, then the managed CPU path.</param>
    /// <param name="threads">CPU threads for the managed path (0: all cores).</param>
    /// <param name="simd">Host SIMD twins on the managed path (<see cref="HostSimd.Names"/>): auto, off (the kernel bodies), avx2, avx512.</param>
    /// <exception cref="InvalidSettingException">An unknown name, a GPU kind that this machine does not have, or a SIMD level its CPU lacks.</exception>
    public static ComputeDevice Create(string name, int threads = 0, string simd = "auto")
    {
        if (threads < 0) throw new InvalidSettingException(SettingNames.Threads, threads, "must be ≥ 0 (0: all cores)");
        var level = HostSimd.Parse(simd);
        switch (name)
        {
            case "cpu":
                return new ManagedDevice(Context, threads, level);
            case "ilgpu-cpu":
                return new IlgpuDevice(Context.CreateCPUAccelerator(0), "ilgpu-cpu (ILGPU CPU accelerator: a test harness, not a fast path)");
            case "cuda":
                return CreateGpu(AcceleratorType.Cuda) ?? throw Missing(name);
            case "opencl":
                return CreateGpu(AcceleratorType.OpenCL) ?? throw Missing(name);
            case "auto":
                return CreateGpu(AcceleratorType.Cuda) ?? CreateGpu(AcceleratorType.OpenCL) ?? (ComputeDevice)new ManagedDevice(Context, threads, level);
            default:
                throw Unknown(name);
        }
    }

    /// <summary>
    /// What <see cref="Create"/> would refuse, without creating anything: callers that write files check this first,
    /// so that a refusal leaves nothing behind.
    /// </summary>
    /// <exception cref="InvalidSettingException">An unknown name, a GPU kind that this machine does not have, or a SIMD level its CPU lacks.</exception>
    public static void Check(string name, string simd = "auto")
    {
        HostSimd.Parse(simd);
        if (!Names.Contains(name)) throw Unknown(name);
        if (name == "cuda" && !HasCuda) throw Missing(name);
        if (name == "opencl" && !Context.Devices.Any(d => d is CLDevice cl && cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU)) throw Missing(name);
    }

    private static InvalidSettingException Unknown(string name) =>
        new(SettingNames.Device, name, $"unknown device (choose {string.Join(", ", Names)})");

    private static InvalidSettingException Missing(string name) => name == "cuda"
        ? new(SettingNames.Device, name, "no CUDA device found (is the NVIDIA driver installed?); use cpu or auto")
        : new(SettingNames.Device, name, "no OpenCL GPU found; use cpu or auto");

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
