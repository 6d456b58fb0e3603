using LatticeFlow.Devices;
using LatticeFlow.Flows;
using MathNet.Numerics.LinearAlgebra;

namespace LatticeFlow.Tests.Flows;

/// <summary>Round trips and densities of every coupling variant (after zuko's one test over all transforms).</summary>
public sealed class FlowInvertibilityTests
{
    [Theory]
    [MemberData(nameof(FlowVariants.All), MemberType = typeof(FlowVariants))]
    public void InverseOfForwardIsIdentityAndLogDensitiesAgree(string variant)
    {
        var arch = FlowVariants.Tiny(variant, l: 6, layers: 4);
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = FlowTestModels.Build(arch, device, FlowTestModels.RandomWeights(arch.ParameterCount, 11, RoundTripScale(arch)));
        const int batch = 5;
        var z = FlowTestModels.Normals(batch * arch.Volume, 5);
        var phi = new float[z.Length];
        var back = new float[z.Length];
        var logQf = new double[batch];
        var logQi = new double[batch];
        flow.Forward(z, phi, logQf);
        flow.Inverse(phi, back, logQi);
        double maxDiff = z.Zip(back, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 1e-5, $"max |z − f⁻¹(f(z))| = {maxDiff}");
        Assert.True(z.Zip(phi, (a, b) => Math.Abs(a - b)).Max() > 0.1, "the flow should not be the identity");
        for (int b = 0; b < batch; b++) Assert.True(Math.Abs(logQf[b] - logQi[b]) < 1e-4, $"log q forward {logQf[b]} vs inverse {logQi[b]}");
    }

    /// <summary>
    /// Weights of the round trip. A float32 inverse cannot be more accurate than the rounding of y divided by g'(x),
    /// and a spline net without the final tanh, at weights ±0.5, gives logits of ±10, bins of slope ~1e-3 and, inside
    /// them, g' ~ 1e-6 (s²/δ): round trips off by 0.1 there, as the conditioning says (SplineTransformTests checks the
    /// error against that bound); with the final tanh, slopes of ~0.05 in four layers leave 1.06e-5. Weights ±0.25 keep
    /// the test about the algebra, not the conditioning.
    /// </summary>
    private static double RoundTripScale(FlowArchitecture arch) => arch.Coupling == CouplingKind.Spline ? 0.25 : 0.5;

    /// <summary>
    /// log q(φ) = log r(z) − log|det ∂φ/∂z| with the Jacobian determinant computed independently: central differences
    /// of the double-precision reference flow, LU determinant (MathNet). Also checks φ against the reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(FlowVariants.All), MemberType = typeof(FlowVariants))]
    public void LogDensityMatchesNumericalJacobian(string variant)
    {
        var arch = FlowVariants.Tiny(variant, l: 4, layers: 3);
        var weights = FlowTestModels.RandomWeights(arch.ParameterCount, 21);
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = FlowTestModels.Build(arch, device, weights);
        var reference = new ReferenceFlow(arch, FlowTestModels.ToDouble(weights));
        var z = FlowTestModels.Normals(arch.Volume, 9);
        var phi = new float[z.Length];
        var logQ = new double[1];
        flow.Forward(z, phi, logQ);

        var z0 = FlowTestModels.ToDouble(z);
        var refPhi = reference.Forward(z0).Phi;
        for (int s = 0; s < z.Length; s++) Assert.True(Math.Abs(refPhi[s] - phi[s]) < 1e-5 * (1 + Math.Abs(refPhi[s])), $"φ[{s}]: {phi[s]} vs reference {refPhi[s]}");

        int v = arch.Volume;
        var jac = Matrix<double>.Build.Dense(v, v);
        const double h = 1e-5;
        for (int j = 0; j < v; j++)
        {
            var zp = (double[])z0.Clone();
            var zm = (double[])z0.Clone();
            zp[j] += h;
            zm[j] -= h;
            var fp = reference.Forward(zp).Phi;
            var fm = reference.Forward(zm).Phi;
            for (int i = 0; i < v; i++) jac[i, j] = (fp[i] - fm[i]) / (2 * h);
        }
        double logQNumerical = ReferenceFlow.LogPrior(z0) - Math.Log(Math.Abs(jac.Determinant()));
        Assert.True(Math.Abs(logQNumerical - logQ[0]) < 1e-4, $"log q = {logQ[0]}, numerical Jacobian gives {logQNumerical}");
        if (arch.Coupling == CouplingKind.Additive && !arch.GlobalScale) Assert.True(Math.Abs(jac.Determinant() - 1) < 1e-6, "additive couplings preserve volume");
    }
}
