using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Flows;

/// <summary>
/// A trained flow's quality on fresh proposals: independence-Metropolis acceptance, ESS per proposal, mean of log q + S,
/// and the Pareto k̂ of the weights p/q (<see cref="ParetoTail"/>; above ~0.7 the flow misses regions p weighs).
/// </summary>
public sealed record FlowQuality(long Proposals, double Acceptance, double Ess, double MeanLoss, double ParetoK);

/// <summary>
/// Runs an independence Metropolis chain over <c>proposals</c> fresh flow samples (the sampler of Albergo et al.
/// 2019, Sec. IV, without storing configurations) and reports its acceptance, the ESS per configuration of all the
/// proposals together, and the mean of log q + S (the reverse-KL loss). Draws use step numbers from 2³¹ on, apart
/// from those of training: the periodic checks all draw the same proposals (<see cref="Draws.Checks"/>: comparisons
/// between checks, which keep-best and the acceptance target make, are then not blurred by sampling noise), and the
/// final evaluation draws others (<see cref="Draws.Final"/>), so that the model chosen on the checks is not measured on
/// the proposals it was chosen by. <c>symmetrize</c>: the chain of the Z2-symmetrised proposals (<see cref="RealNvpFlow.Symmetrize"/>),
/// whose acceptance needs no signs drawn, since p and q_sym are both even in φ.
/// </summary>
public static class FlowEvaluation
{
    public const uint StepBase = 0x8000_0000u;

    /// <summary>Which fresh proposals an evaluation draws: batch i from step <see cref="StepBase"/> + i (checks) or + 2³⁰ + i (final).</summary>
    public enum Draws : uint { Checks = 0, Final = 0x4000_0000u }

    public static FlowQuality Run(RealNvpFlow flow, IActionParameters actionParameters, long proposals, int batch, ulong seed, bool symmetrize = false,
        Draws draws = Draws.Checks)
    {
        uint first = StepBase + (uint)draws;
        var geometry = new LatticeGeometry(flow.Architecture.Lx, flow.Architecture.Ly);
        using var fields = new FieldBatch(flow.Device, geometry, batch);
        using var action = actionParameters.Create(flow.Device, geometry, batch);
        var key = new RngKey(seed);
        var logQ = new double[batch];
        var mirror = new double[batch];
        var s = new double[batch];
        var logW = new double[proposals];
        double current = double.NegativeInfinity, loss = 0;
        long accepted = 0, done = 0;
        for (uint i = 0; done < proposals; i++)
        {
            flow.Sample(batch, key, first + i, fields, logQ);
            if (symmetrize) flow.Symmetrize(fields, logQ, mirror);
            action.Action(fields, s);
            int take = (int)Math.Min(batch, proposals - done);
            for (int b = 0; b < take; b++)
            {
                logW[done + b] = -s[b] - logQ[b];
                loss += logQ[b] + s[b];
            }
            accepted += ImportanceWeights.AcceptedInChain(logW.AsSpan((int)done, take), ref current, key, first + i);
            done += take;
        }
        return new FlowQuality(proposals, accepted / (double)(proposals - 1), ImportanceWeights.EssPerSample(logW), loss / proposals, ParetoTail.Shape(logW));
    }
}
