using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices;

/// <summary>
/// Kernels compiled by ILGPU: CUDA or OpenCL on a GPU, or ILGPU's CPU accelerator, which simulates GPU
/// threads and serves as the test harness proving every kernel compiles for ILGPU.
/// One site per thread; kernels are loaded once per kernel type.
/// </summary>
public sealed class IlgpuDevice(Accelerator accelerator, string description) : ComputeDevice
{
    private readonly Dictionary<Type, Delegate> _kernels = [];

    public override string Description => description;
    public override Accelerator Accelerator => accelerator;
    public override bool HostMemory => accelerator.AcceleratorType == AcceleratorType.CPU;
    public override int ItemWidth(int sitesInRow) => 1;

    public override void Launch<T>(int items, long sites, T kernel)
    {
        if (items == 0) return;
        if (!_kernels.TryGetValue(typeof(T), out var loaded))
        {
            loaded = accelerator.LoadAutoGroupedStreamKernel<Index1D, T>(KernelEntry.Run);
            _kernels[typeof(T)] = loaded;
        }
        ((Action<Index1D, T>)loaded)(items, kernel);
    }

    public override void Dispose() => accelerator.Dispose();
}
