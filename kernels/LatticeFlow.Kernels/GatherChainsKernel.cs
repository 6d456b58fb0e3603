namespace LatticeFlow.Kernels;

/// <summary>
/// destination chain b ← source chain sourceChain[b] (no change where sourceChain[b] &lt; 0): moves accepted
/// flow proposals into the Markov chains' state without a host round trip.
/// </summary>
public readonly struct GatherChainsKernel<TV>(TV source, TV destination, int volume, int width, TV sourceChain) : IRebindableKernel
    where TV : struct, IView<double>
{
    private readonly TV _source = source, _destination = destination, _sourceChain = sourceChain;
    private readonly int _volume = volume, _width = width;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new GatherChainsKernel<HostView<double>>(_source.Host, _destination.Host, _volume, _width, _sourceChain.Host));

    public void Execute(int index)
    {
        int start = index * _width;
        int b = start / _volume;
        int from = (int)_sourceChain[b];
        if (from < 0) return;
        int offset = from * _volume - b * _volume;
        for (int i = start; i < start + _width; i++)
            _destination[i] = _source[offset + i];
    }
}
