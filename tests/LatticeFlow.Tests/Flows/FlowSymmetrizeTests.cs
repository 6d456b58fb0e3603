using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;

namespace LatticeFlow.Tests.Flows;

/// <summary>The Z2-symmetrised density q_sym(φ) = ½[q(φ) + q(−φ)] of a flow that is itself far from symmetric.</summary>
public sealed class FlowSymmetrizeTests
{
    [Fact]
    public void SymmetrizedDensityIsTheMeanOfBothSignsAndEven()
    {
        var arch = FlowTestModels.Tiny(l: 4, layers: 3);
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = FlowTestModels.Build(arch, device, FlowTestModels.RandomWeights(arch.ParameterCount, 7));
        const int batch = 6;
        var geometry = LatticeGeometry.Square(4);
        var phi = TestFields.Random(batch * geometry.Volume, 3, 1.5);
        using var fields = new FieldBatch(device, geometry, batch);
        using var mirrored = new FieldBatch(device, geometry, batch);
        fields.CopyFrom(phi);
        mirrored.CopyFrom([.. phi.Select(x => -x)]);

        var plus = new double[batch];
        var minus = new double[batch];
        flow.LogDensity(fields, plus);
        flow.LogDensity(mirrored, minus);
        Assert.Contains(Enumerable.Range(0, batch), b => Math.Abs(plus[b] - minus[b]) > 0.1);

        var sym = (double[])plus.Clone();
        var symMirrored = (double[])minus.Clone();
        var scratch = new double[batch];
        flow.Symmetrize(fields, sym, scratch);
        flow.Symmetrize(mirrored, symMirrored, scratch);
        for (int b = 0; b < batch; b++)
        {
            double expected = Math.Log(0.5 * (Math.Exp(plus[b]) + Math.Exp(minus[b])));
            Assert.Equal(expected, sym[b], 1e-9);
            Assert.Equal(sym[b], symMirrored[b], 1e-9);
        }
    }
}
