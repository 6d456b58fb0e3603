namespace LatticeFlow.Flows;

/// <summary>
/// The element-wise transform a <see cref="CouplingLayer"/> applies to its active sites, parameterised by the
/// conv net of the frozen ones (after zuko: the split and merge are generic, the transform plugs in).
/// It says how many net outputs it reads: log-scale and shift, or the shift alone.
/// </summary>
public interface ICouplingTransform
{
    /// <summary>Net output channels: 2 (s, t) for affine, 1 (t) for additive.</summary>
    int NetOutputs { get; }

    /// <summary>Whether log|det J| can be non-zero (Σ_active s).</summary>
    bool HasLogScale { get; }

    CouplingKind Kind { get; }
}

/// <summary>Real NVP affine coupling y = x · e^s + t, log|det J| = Σ_active s (arXiv:1605.08803 eqs. 6, 9).</summary>
public sealed class AffineCoupling : ICouplingTransform
{
    public static readonly AffineCoupling Instance = new();
    public int NetOutputs => 2;
    public bool HasLogScale => true;
    public CouplingKind Kind => CouplingKind.Affine;
}

/// <summary>NICE additive coupling y = x + t, volume preserving (arXiv:1410.8516 eq. 4).</summary>
public sealed class AdditiveCoupling : ICouplingTransform
{
    public static readonly AdditiveCoupling Instance = new();
    public int NetOutputs => 1;
    public bool HasLogScale => false;
    public CouplingKind Kind => CouplingKind.Additive;

    /// <summary>The transform for a coupling kind.</summary>
    public static ICouplingTransform For(CouplingKind kind) => kind == CouplingKind.Affine ? AffineCoupling.Instance : Instance;
}
