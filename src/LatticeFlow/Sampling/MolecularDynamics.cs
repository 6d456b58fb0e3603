using ILGPU;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// The two elementary moves of Hamiltonian evolution with H = ½ Σ π² + S(φ), each one launch over the
/// batch: P(ε): π ← π − ε ∂S/∂φ, and Q(ε): φ ← φ + ε π. Integrators compose them.
/// </summary>
public sealed class MolecularDynamics(Phi4Action action, FieldBatch fields, ArrayView<double> momenta)
{
    public FieldBatch Fields => fields;
    public ArrayView<double> Momenta => momenta;

    public void UpdateMomenta(double epsilon)
    {
        var s = fields.Shape;
        action.Device.Launch(s.Items, fields.Sites, new ForceKernel<Reals>(s, action.Couplings.Params, fields.View, momenta, 1, epsilon));
    }

    public void UpdateField(double epsilon)
    {
        var s = fields.Shape;
        action.Device.Launch(s.Items, fields.Sites, new FieldKernel<Reals>(fields.View, momenta, epsilon, s.Width));
    }
}
