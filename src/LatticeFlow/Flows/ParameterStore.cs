using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;

namespace LatticeFlow.Flows;

/// <summary>
/// All parameters of a model in one flat float32 device buffer, with a gradient buffer of the same layout
/// (after Torch7's flattened parameters): the optimiser updates one buffer in one launch, and the model file
/// stores it as is. Modules take consecutive slices at construction.
/// </summary>
public sealed class ParameterStore : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _values, _gradients;
    private MemoryBuffer1D<double, Stride1D.Dense>? _scratch;
    private int _taken;

    public int Count { get; }
    public ComputeDevice Device { get; }

    public ParameterStore(ComputeDevice device, int count)
    {
        Device = device;
        Count = count;
        _values = device.Allocate<float>(count);
        _gradients = device.Allocate<float>(count);
    }

    public ArrayView<float> Values => _values.View;
    public ArrayView<float> Gradients => _gradients.View;

    /// <summary>The next <paramref name="count"/> parameters, as an offset into both buffers.</summary>
    public int Take(int count)
    {
        if (_taken + count > Count) throw new InvalidOperationException($"parameter store overflow: {_taken} + {count} > {Count}");
        int offset = _taken;
        _taken += count;
        return offset;
    }

    public ArrayView<float> ValuesAt(int offset, int count) => _values.View.SubView(offset, count);
    public ArrayView<float> GradientsAt(int offset, int count) => _gradients.View.SubView(offset, count);

    /// <summary>
    /// Device scratch memory shared by the modules' backward passes (partial gradient sums), at least
    /// <paramref name="length"/> doubles; grown, never shrunk, so training steps allocate nothing once warm. Launches run
    /// in order on one stream, so modules can share it: each one's use ends with its own launches.
    /// </summary>
    public ArrayView<double> Scratch(long length)
    {
        if (_scratch is null || _scratch.Length < length)
        {
            Device.Synchronize();
            _scratch?.Dispose();
            _scratch = Device.Allocate<double>(Math.Max(length, 2 * (_scratch?.Length ?? 0)));
        }
        return _scratch.View.SubView(0, length);
    }

    public void ZeroGradients() => _gradients.MemSetToZero();

    public float[] GetValues()
    {
        var host = new float[Count];
        Device.CopyToHost(Values, host);
        return host;
    }

    public void SetValues(ReadOnlySpan<float> host)
    {
        if (host.Length != Count) throw new ArgumentException($"expected {Count} parameters, got {host.Length}");
        Device.CopyFromHost(host, Values);
    }

    public float[] GetGradients()
    {
        var host = new float[Count];
        Device.CopyToHost(Gradients, host);
        return host;
    }

    public void Dispose()
    {
        _values.Dispose();
        _gradients.Dispose();
        _scratch?.Dispose();
    }
}
