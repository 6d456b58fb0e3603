using LatticeFlow.Flows;

namespace LatticeFlow.Tests.Flows;

/// <summary>
/// The one list of flow variants every flow test enumerates (DESIGN.md principle 7, zuko's test over all transforms):
/// every registered coupling transform (<see cref="CouplingTransforms.All"/>), each activation, with and without the final
/// tanh, the global rescaling and the spectrum scaling. <see cref="FlowVariantsTests"/> fails when a transform is registered but not listed here.
/// </summary>
public static class FlowVariants
{
    private static readonly Dictionary<string, Func<FlowArchitecture, FlowArchitecture>> List = new()
    {
        ["affine"] = a => a,
        ["affine, tanh"] = a => a with { Activation = ActivationKind.Tanh },
        ["affine, no final tanh"] = a => a with { FinalTanh = false },
        ["affine, clamped, no final tanh"] = a => a with { FinalTanh = false, Clamp = 1.5 },
        ["affine, global scale"] = a => a with { GlobalScale = true },
        ["affine, equivariant"] = a => a with { Equivariant = true },
        ["affine, spectrum scaling"] = a => a with { SpectrumScaling = true },
        ["affine, equivariant, global scale, spectrum scaling"] = a => a with { Equivariant = true, GlobalScale = true, SpectrumScaling = true },
        ["affine, equivariant, tanh, global scale, no final tanh"] = a => a with { Equivariant = true, Activation = ActivationKind.Tanh, GlobalScale = true, FinalTanh = false },
        ["affine, clamped, equivariant"] = a => a with { Equivariant = true, Clamp = 1.5 },
        ["additive"] = a => a with { Coupling = CouplingKind.Additive },
        ["additive, tanh, no final tanh"] = a => a with { Coupling = CouplingKind.Additive, Activation = ActivationKind.Tanh, FinalTanh = false },
        ["additive, equivariant, global scale"] = a => a with { Coupling = CouplingKind.Additive, Equivariant = true, GlobalScale = true },
        ["spline, 4 bins on [-2, 2]"] = a => a with { Coupling = CouplingKind.Spline, Bins = 4, Bound = 2 },
        ["spline, 3 bins on [-1.5, 1.5], tanh, no final tanh"] = a => a with { Coupling = CouplingKind.Spline, Bins = 3, Bound = 1.5, Activation = ActivationKind.Tanh, FinalTanh = false },
        ["spline, 8 bins on [-4, 4], global scale, no final tanh"] = a => a with { Coupling = CouplingKind.Spline, GlobalScale = true, FinalTanh = false },
        ["spline, 4 bins on [-2, 2], spectrum scaling"] = a => a with { Coupling = CouplingKind.Spline, Bins = 4, Bound = 2, SpectrumScaling = true },
        ["spline, equivariant, 4 bins on [-2, 2]"] = a => a with { Coupling = CouplingKind.Spline, Bins = 4, Bound = 2, Equivariant = true },
        ["spline, equivariant, 5 bins on [-2.5, 2.5], global scale, no final tanh"] = a => a with { Coupling = CouplingKind.Spline, Bins = 5, Bound = 2.5, Equivariant = true, Activation = ActivationKind.Tanh, GlobalScale = true, FinalTanh = false },
    };

    public static IEnumerable<string> Names => List.Keys;

    public static TheoryData<string> All => [.. List.Keys];

    /// <summary>The Z2-equivariant variants.</summary>
    public static TheoryData<string> Equivariant => [.. List.Keys.Where(k => Tiny(k).Equivariant)];

    /// <summary>A small flow of variant <paramref name="name"/> on an l × l (or l × ly) lattice: hidden widths 3, 2 and 3 × 3 kernels.</summary>
    public static FlowArchitecture Tiny(string name, int l = 4, int layers = 3, int? ly = null) =>
        List[name](new FlowArchitecture { Lx = l, Ly = ly ?? l, Layers = layers, Hidden = [3, 2], Kernel = 3 }).Validated();

    /// <summary>
    /// Every variant on the 4 × 4 lattice, and the spectrum-scaled ones also on 6 × 8 and 8 × 6, whose momenta span several
    /// of the spectrum's knots (on 4 × 4, p̂² is 2, 4, 6 or 8: one interval).
    /// </summary>
    public static TheoryData<string, int, int> Shapes
    {
        get
        {
            var data = new TheoryData<string, int, int>();
            foreach (var name in List.Keys) data.Add(name, 4, 4);
            foreach (var name in List.Keys.Where(n => Tiny(n).SpectrumScaling)) { data.Add(name, 6, 8); data.Add(name, 8, 6); }
            return data;
        }
    }
}

public sealed class FlowVariantsTests
{
    [Fact]
    public void EveryRegisteredTransformAndEveryExtraLayerAreTested()
    {
        var tested = FlowVariants.Names.Select(n => CouplingTransforms.For(FlowVariants.Tiny(n)).Name).ToHashSet();
        foreach (var t in CouplingTransforms.All) Assert.Contains(t.Name, tested);
        Assert.Contains(FlowVariants.Names, n => FlowVariants.Tiny(n).GlobalScale);
        Assert.Contains(FlowVariants.Names, n => FlowVariants.Tiny(n).GlobalScale && FlowVariants.Tiny(n).Equivariant);
        Assert.Contains(FlowVariants.Names, n => FlowVariants.Tiny(n).SpectrumScaling && FlowVariants.Tiny(n).Equivariant);
        foreach (var t in CouplingTransforms.All)
            Assert.Contains(FlowVariants.Names, n => FlowVariants.Tiny(n).Equivariant && CouplingTransforms.For(FlowVariants.Tiny(n)).Name == t.Name);
    }
}
