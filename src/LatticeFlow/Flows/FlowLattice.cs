using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;

namespace LatticeFlow.Flows;

/// <summary>
/// The device tables every flow kernel shares: neighbours[s·taps + k] = site displaced from s by tap k
/// (k = (a + r)·K + (c + r) for displacements a, c ∈ [−r, r], r = (K − 1)/2, periodic: circular padding),
/// and parity[s] = (x + y) mod 2, the checkerboard colour. Tap taps − 1 − k is the displacement −k.
/// </summary>
public sealed class FlowLattice : IDisposable
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _neighbours, _parity;

    public int Lx { get; }
    public int Ly { get; }
    public int Kernel { get; }
    public int Volume => Lx * Ly;
    public int Taps => Kernel * Kernel;

    public FlowLattice(ComputeDevice device, int lx, int ly, int kernel)
    {
        Lx = lx;
        Ly = ly;
        Kernel = kernel;
        int r = (kernel - 1) / 2;
        var nb = new int[Volume * Taps];
        var par = new int[Volume];
        for (int x = 0; x < lx; x++)
            for (int y = 0; y < ly; y++)
            {
                int s = x * ly + y;
                par[s] = (x + y) & 1;
                for (int a = -r; a <= r; a++)
                    for (int c = -r; c <= r; c++)
                        nb[s * Taps + (a + r) * kernel + (c + r)] = Mod(x + a, lx) * ly + Mod(y + c, ly);
            }
        _neighbours = device.Allocate<int>(nb.Length);
        device.CopyFromHost(nb, _neighbours.View);
        _parity = device.Allocate<int>(par.Length);
        device.CopyFromHost(par, _parity.View);
    }

    public ArrayView<int> Neighbours => _neighbours.View;
    public ArrayView<int> Parity => _parity.View;

    private static int Mod(int a, int n) => ((a % n) + n) % n;

    public void Dispose()
    {
        _neighbours.Dispose();
        _parity.Dispose();
    }
}
