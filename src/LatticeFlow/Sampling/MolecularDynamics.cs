using ILGPU;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// The two elementary moves of Hamiltonian evolution with H = ½ Σ π² + S(φ), each one launch over the
/// batch: P(ε): π ← π − ε ∂S/∂φ, and Q(ε): φ ← φ + ε π. Integrators compose them.
/// </summary>
public sealed class MolecularDynamics(IAction action, FieldBatch fields, ArrayView<double> momenta)
{
    public FieldBatch Fields => fields;
    public ArrayView<double> Momenta => momenta;

    /// <summary>P(ε), asked of the action (Grid's integrators do the same through Action::deriv).</summary>
    public void UpdateMomenta(double epsilon) => action.UpdateMomenta(fields, momenta, epsilon);

    public void UpdateField(double epsilon)
    {
        var s = fields.Shape;
        action.Device.Launch(s.Items, fields.Sites, new FieldKernel<Reals>(fields.View, momenta, epsilon, s.Width));
    }
}
