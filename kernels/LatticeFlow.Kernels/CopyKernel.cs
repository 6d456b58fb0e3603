using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>
/// dst ← src for the chains whose flag equals <c>when</c> (when &lt; 0: all chains). HMC saves φ before
/// a trajectory and restores it on the chains that rejected.
/// </summary>
public readonly struct CopyKernel(ArrayView<double> source, ArrayView<double> destination, int volume, int width, ArrayView<int> flags, int when) : IKernel
{
    private readonly ArrayView<double> _source = source, _destination = destination;
    private readonly int _volume = volume, _width = width;
    private readonly ArrayView<int> _flags = flags;
    private readonly int _when = when;

    public void Execute(int index)
    {
        int start = index * _width;
        if (_when >= 0 && _flags[start / _volume] != _when) return;
        for (int i = start; i < start + _width; i++)
            _destination[i] = _source[i];
    }
}
