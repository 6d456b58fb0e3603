using ILGPU;

namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// S(φ) per sample in double, one item per sample: Σ_x of <see cref="Phi4Params.SiteAction"/> (forward differences).
/// The flow's own reduction, because the engine's EnergyKernel carries a bool field, which ILGPU refuses as a kernel
/// parameter (not blittable); fixed order of additions, so results do not depend on the thread count.
/// </summary>
public readonly struct FlowActionKernel(int lx, int ly, Phi4Params action, ArrayView<double> phi, ArrayView<double> actionOut) : IKernel
{
    private readonly int _lx = lx, _ly = ly;
    private readonly Phi4Params _action = action;
    private readonly ArrayView<double> _phi = phi, _actionOut = actionOut;

    public void Execute(int index)
    {
        int o = index * _lx * _ly;
        double sum = 0.0;
        for (int x = 0; x < _lx; x++)
        {
            int row = o + x * _ly, up = o + (x + 1 == _lx ? 0 : x + 1) * _ly;
            for (int y = 0; y < _ly; y++)
                sum += _action.SiteAction(_phi[row + y], _phi[up + y], _phi[row + (y + 1 == _ly ? 0 : y + 1)]);
        }
        _actionOut[index] = sum;
    }
}
