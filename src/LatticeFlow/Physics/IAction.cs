using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;

namespace LatticeFlow.Physics;

/// <summary>
/// The parameters of an action, one record that names the action and creates it on a device (the library side of the
/// action seam; <see cref="Phi4Couplings"/> is the first). Samplers, flow training and flow MH get the action from it.
/// Files record it whole, with its name, through the registry <see cref="Actions"/> (<see cref="ActionRecordConverter"/>).
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ActionRecordConverter))]
public interface IActionParameters
{
    /// <summary>The action's name in run records ("phi4").</summary>
    string ActionName { get; }

    /// <summary>The action of <paramref name="chains"/> lattices of <paramref name="geometry"/> on <paramref name="device"/>.</summary>
    IAction Create(ComputeDevice device, LatticeGeometry geometry, int chains);
}

/// <summary>
/// An action S[φ] on a batch of B lattices, after Grid's Action (S and its derivative, deriv): samplers and integrators
/// ask it for S, H = S + ½ Σ π², the force ∂S/∂φ and the moves built on them, and never see the couplings. Every
/// method works on all chains of the batch in a fixed order of additions, so results are bit-identical for any thread
/// count. Implementations: <see cref="LatticeAction{TA}"/> for every local action of a real scalar field.
/// </summary>
public interface IAction : IDisposable
{
    IActionParameters Parameters { get; }
    ComputeDevice Device { get; }
    LatticeGeometry Geometry { get; }
    int ChainCount { get; }

    /// <summary>S(φ) of every chain into <paramref name="actionOut"/> (length ≥ B).</summary>
    void Action(FieldBatch fields, Span<double> actionOut);

    /// <summary>H = S(φ) + ½ Σ_x π(x)² of every chain (HMC).</summary>
    void Hamiltonian(FieldBatch fields, ArrayView<double> momenta, Span<double> energyOut);

    /// <summary>H per chain, left on the device for kernels that consume it there.</summary>
    void Hamiltonian(FieldBatch fields, ArrayView<double> momenta, ArrayView<double> energyOut);

    /// <summary>F(x) = ∂S/∂φ(x) at every site of every chain, into a buffer the caller owns ([B, V]).</summary>
    void Force(FieldBatch fields, ArrayView<double> forceOut);

    /// <summary>The momentum step of molecular dynamics, P(ε): π(x) ← π(x) − ε ∂S/∂φ(x), in one launch.</summary>
    void UpdateMomenta(FieldBatch fields, ArrayView<double> momenta, double epsilon);

    /// <summary>
    /// One local Metropolis pass over the sites of checkerboard colour <paramref name="parity"/> with this action's local
    /// change ΔS (<see cref="MetropolisKernel{TV, TA}"/>): <paramref name="hits"/> proposals φ + δ·U(−1, 1) per site, the
    /// random numbers keyed by (<paramref name="key"/>, <paramref name="sweep"/>); accepted hits are added to
    /// <paramref name="accepted"/>, one slot per work item of <see cref="FieldBatch.HalfShape"/>.
    /// </summary>
    void MetropolisHalfSweep(FieldBatch fields, ArrayView<double> accepted, RngKey key, uint sweep, int parity, double delta, int hits);

    /// <summary>Per chain and time slice t: T(t), Σ s(x) and Σ φ(x) Σ_μ φ(x+μ̂) over the slice (<see cref="ObservableKernel{TV, TA}"/>), [B, Ly, 3].</summary>
    void MeasureSlices(FieldBatch fields, ArrayView<double> output);
}
