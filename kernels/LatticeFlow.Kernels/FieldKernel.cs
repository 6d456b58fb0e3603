namespace LatticeFlow.Kernels;

/// <summary>The field half of a molecular-dynamics step: φ(x) ← φ(x) + ε π(x).</summary>
public readonly struct FieldKernel<TV>(TV phi, TV pi, double epsilon, int width) : IRebindableKernel where TV : struct, IView<double>
{
    private readonly TV _phi = phi, _pi = pi;
    private readonly double _epsilon = epsilon;
    private readonly int _width = width;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new FieldKernel<HostView<double>>(_phi.Host, _pi.Host, _epsilon, _width));

    public void Execute(int index)
    {
        int start = index * _width;
        for (int i = start; i < start + _width; i++)
            _phi[i] += _epsilon * _pi[i];
    }
}
