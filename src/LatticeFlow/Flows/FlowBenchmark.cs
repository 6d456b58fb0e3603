using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Physics;

namespace LatticeFlow.Flows;

/// <summary>
/// `make bench`: training throughput of the tutorial configuration (L = 8, m² = −4, λ = 8, 16 affine layers,
/// conv 1 → 8 → 8 → 2, 3 × 3, batch 64) on the managed CPU path, with the time split between forward and
/// backward, the memory used, and the share of each kernel (twin or body) in a step.
/// </summary>
public static class FlowBenchmark
{
    public static void Run(TextWriter output, int steps = 200, string deviceName = "cpu", int threads = 0, string simd = "auto")
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var device = DeviceFactory.Create(deviceName, threads, simd);
        using var flow = new RealNvpFlow(FlowArchitecture.Tutorial(8), device);
        flow.InitializeWeights(1);
        using var trainer = new FlowTrainer(flow, Phi4Couplings.Tutorial, 64, new AdamSettings(), 1);
        for (int s = 0; s < 20; s++) trainer.Step(s, 1e-3);
        device.Synchronize();

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (int s = 20; s < 20 + steps; s++) trainer.Step(s, 1e-3);
        device.Synchronize();
        double stepTime = clock.Elapsed.TotalSeconds / steps;
        long perStepAlloc = (GC.GetAllocatedBytesForCurrentThread() - allocated) / steps;

        clock.Restart();
        for (int s = 0; s < steps; s++) flow.SampleLatent(64, new Kernels.RngKey(1), (uint)s);
        device.Synchronize();
        double forwardTime = clock.Elapsed.TotalSeconds / steps;

        using var process = Process.GetCurrentProcess();
        output.WriteLine($"flow training, tutorial configuration ({flow.Architecture.Describe()}), batch 64, {device.Description}");
        output.WriteLine($"  {1 / stepTime,8:F1} steps/s   ({stepTime * 1e3:F2} ms/step over {steps} steps)");
        output.WriteLine($"  forward (prior + 16 couplings): {forwardTime * 1e3:F2} ms/step ({100 * forwardTime / stepTime:F0}%), " +
            $"action, backward and Adam: {(stepTime - forwardTime) * 1e3:F2} ms/step ({100 * (stepTime - forwardTime) / stepTime:F0}%)");
        output.WriteLine($"  memory: working set {process.WorkingSet64 / 1048576.0:F0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F1} MiB, " +
            $"allocated per step on the calling thread {perStepAlloc} B (setup {(allocated - before) / 1048576.0:F1} MiB)");
        if (device is ManagedDevice managed) WhereTheTimeGoes(output, managed, trainer, steps);
    }

    // After the timed loop: the profile's two timestamps per launch (~50 ns of ~270 launches) would bias the steps/s.
    private static void WhereTheTimeGoes(TextWriter output, ManagedDevice device, FlowTrainer trainer, int steps)
    {
        var profile = new KernelProfile();
        device.Profile = profile;
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < steps; s++) trainer.Step(s, 1e-3);
        double total = clock.Elapsed.TotalSeconds;
        device.Profile = null;
        output.Write($"  kernels (simd {device.SimdPath}), share of the step:");
        foreach (var (kernel, seconds, launches) in profile.Entries().Take(8))
            output.Write($" {kernel} {100 * seconds / total:F0}% ({launches / (double)steps:F0}/step);");
        output.WriteLine($" host and the rest {100 * (1 - profile.Entries().Sum(e => e.Seconds) / total):F0}%");
    }
}
