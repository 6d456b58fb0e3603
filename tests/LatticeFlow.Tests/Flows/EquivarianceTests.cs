using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Flows;

/// <summary>
/// Z2-equivariant flows (every coupling conjugated with the sign of its frozen sites; Del Debbio et al., arXiv:2105.12481):
/// f(−z) = −f(z) exactly up to float rounding, hence q(−φ) = q(φ), for any net (biases, LeakyReLU) and transform.
/// </summary>
public sealed class EquivarianceTests
{
    private static void AssertOdd(RealNvpFlow flow, int batch, ulong seed)
    {
        int v = flow.Volume;
        var z = FlowTestModels.Normals(batch * v, seed);
        var minus = z.Select(x => -x).ToArray();
        var phi = new float[z.Length];
        var phiMinus = new float[z.Length];
        var logQ = new double[batch];
        var logQMinus = new double[batch];
        flow.Forward(z, phi, logQ);
        flow.Forward(minus, phiMinus, logQMinus);
        for (int i = 0; i < phi.Length; i++)
            Assert.True(Math.Abs(phi[i] + phiMinus[i]) <= 1e-6 * (1 + Math.Abs(phi[i])), $"f(−z)[{i}] = {phiMinus[i]}, −f(z)[{i}] = {-phi[i]}");
        for (int b = 0; b < batch; b++) Assert.Equal(logQ[b], logQMinus[b], 1e-9 * (1 + Math.Abs(logQ[b])));

        // q(−φ) = q(φ) through the inverse: the density of the mirror image, as flow MH would compute it.
        var back = new float[z.Length];
        var logQInverse = new double[batch];
        var logQMirror = new double[batch];
        flow.Inverse(phi, back, logQInverse);
        flow.Inverse([.. phi.Select(x => -x)], back, logQMirror);
        for (int b = 0; b < batch; b++) Assert.Equal(logQInverse[b], logQMirror[b], 1e-9 * (1 + Math.Abs(logQInverse[b])));
    }

    [Theory]
    [MemberData(nameof(FlowVariants.Equivariant), MemberType = typeof(FlowVariants))]
    public void AnEquivariantFlowIsOddWithRandomWeights(string variant)
    {
        var arch = FlowVariants.Tiny(variant, l: 6, layers: 4);
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = FlowTestModels.Build(arch, device, FlowTestModels.RandomWeights(arch.ParameterCount, 17));
        AssertOdd(flow, 4, 23);
    }

    [Fact]
    public void ATrainedEquivariantFlowIsOdd()
    {
        using var tmp = new TempDir();
        var arch = new FlowArchitecture { Lx = 6, Ly = 6, Layers = 4, Hidden = [4], Equivariant = true, GlobalScale = true, SpectrumScaling = true };
        TrainRun.Execute(new TrainSettings
        {
            Architecture = arch, Action = Phi4Couplings.Standard(-4, 6.975), OutputDirectory = tmp.Path, Steps = 150, LearningRate = 3e-3,
            Device = "cpu", EvaluationProposals = 0,
        }, ProgressReporter.Silent, default);
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = RealNvpFlow.Load(Path.Combine(tmp.Path, TrainRun.Model), device);
        Assert.True(flow.Architecture.Equivariant);
        AssertOdd(flow, 8, 5);
    }

    [Fact]
    public void ANonEquivariantFlowIsNotOdd()
    {
        // The test above can fail: the same check on the tutorial architecture finds f(−z) ≠ −f(z).
        var arch = FlowVariants.Tiny("affine", l: 6, layers: 4);
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = FlowTestModels.Build(arch, device, FlowTestModels.RandomWeights(arch.ParameterCount, 17));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertOdd(flow, 4, 23));
    }
}
