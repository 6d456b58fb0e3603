using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>The field half of a molecular-dynamics step: φ(x) ← φ(x) + ε π(x).</summary>
public readonly struct FieldKernel(ArrayView<double> phi, ArrayView<double> pi, double epsilon, int width) : IKernel
{
    private readonly ArrayView<double> _phi = phi, _pi = pi;
    private readonly double _epsilon = epsilon;
    private readonly int _width = width;

    public void Execute(int index)
    {
        int start = index * _width;
        for (int i = start; i < start + _width; i++)
            _phi[i] += _epsilon * _pi[i];
    }
}
