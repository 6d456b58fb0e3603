namespace LatticeFlow.Kernels;

/// <summary>
/// dst ← src for the chains whose flag equals <c>when</c> (when &lt; 0: all chains). HMC saves φ before
/// a trajectory and restores it on the chains that rejected.
/// </summary>
public readonly partial struct CopyKernel<TV>(TV source, TV destination, int volume, int width, TV flags, int when) : IRebindableKernel
    where TV : struct, IView<double>
{
    public void Execute(int index)
    {
        int start = index * width;
        if (when >= 0 && flags[start / volume] != when) return;
        for (int i = start; i < start + width; i++)
            destination[i] = source[i];
    }
}
