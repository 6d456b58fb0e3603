namespace LatticeFlow.Kernels;

/// <summary>
/// dst ← src for the chains whose flag equals <c>when</c> (when &lt; 0: all chains). HMC saves φ before
/// a trajectory and restores it on the chains that rejected.
/// </summary>
public readonly struct CopyKernel<TV>(TV source, TV destination, int volume, int width, TV flags, int when) : IRebindableKernel
    where TV : struct, IView<double>
{
    private readonly TV _source = source, _destination = destination, _flags = flags;
    private readonly int _volume = volume, _width = width, _when = when;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new CopyKernel<HostView<double>>(_source.Host, _destination.Host, _volume, _width, _flags.Host, _when));

    public void Execute(int index)
    {
        int start = index * _width;
        if (_when >= 0 && _flags[start / _volume] != _when) return;
        for (int i = start; i < start + _width; i++)
            _destination[i] = _source[i];
    }
}
