using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Benchmarks;

/// <summary>
/// Flow Metropolis–Hastings throughput (issue 5): proposals per second and accepted configurations per second
/// with the tutorial architecture at several L, freshly initialised (the acceptance, and so accepted/s, is that of an
/// untrained flow; proposals/s is what a trained one costs too). Also the share of time spent outside proposal
/// generation (the chain's accept/reject and copies on the host), which must stay small.
/// </summary>
public static class FlowSamplerBenchmark
{
    public static void Run(TextWriter output, int[] sizes, string deviceName = "cpu", int chains = 2, double seconds = 3, string simd = "auto")
    {
        string tmp = Path.Combine(Path.GetTempPath(), "latticeflow-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            using var device = DeviceFactory.Create(deviceName, simd: simd);
            foreach (int l in sizes)
            {
                var couplings = Phi4Couplings.Tutorial;
                var arch = FlowArchitecture.Tutorial(l);
                string model = Path.Combine(tmp, $"L{l}.lfm");
                using (var flow = new RealNvpFlow(arch, device))
                {
                    flow.InitializeWeights(1);
                    ModelFile.Write(model, ModelHeader.For(arch, couplings), flow.Parameters.GetValues());
                }
                var g = LatticeGeometry.Square(l);
                using var sampler = new FlowMetropolis(device, g, chains, couplings, new FlowMetropolisSettings(model, 64), 1);
                using var fields = new FieldBatch(device, g, chains);
                long step = 0;
                sampler.Update(fields, step++);
                double generatedBefore = sampler.GenerationSeconds;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds) sampler.Update(fields, step++);
                device.Synchronize();
                double elapsed = clock.Elapsed.TotalSeconds;
                var acc = new double[chains];
                sampler.Acceptance(acc);
                double proposals = (step - 1) * (double)chains / elapsed;
                double chainShare = 1 - (sampler.GenerationSeconds - generatedBefore) / elapsed;
                output.WriteLine($"flow MH L={l,-3} {chains} chains: {proposals,9:F0} proposals/s, {proposals * acc.Average(),9:F1} accepted/s " +
                    $"(untrained flow, acceptance {acc.Average():F3}); chain bookkeeping {100 * chainShare:F2}% of the time [{device.Description}]");
            }
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
