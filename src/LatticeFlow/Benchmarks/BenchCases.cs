using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Benchmarks;

/// <summary>
/// One figure of `bench` on one device, set up (and warmed up) once and then timed in rounds, so that
/// <see cref="SideBySide"/> can alternate the rounds of the same figure on two devices (<c>--simd off</c> and <c>auto</c>).
/// </summary>
public interface IBenchCase : IDisposable
{
    /// <summary>Runs one timed round and returns the figure (in the figure's unit).</summary>
    double Round();

    /// <summary>A remark on the last round (memory, acceptance), or null.</summary>
    string? Note { get; }
}

/// <summary>
/// A registered sampler with a benchmark case (<see cref="SamplerKind.Benchmark"/>): Metropolis site updates per
/// second, HMC nanoseconds per site per leapfrog step (issue 2's figures), the cluster hybrid's nanoseconds per site per
/// update, on a batch of chains (<see cref="ChainsFor"/>) at the tutorial couplings, each round after a warm-up.
/// </summary>
public sealed class SamplerCase : IBenchCase
{
    private readonly ComputeDevice _device;
    private readonly FieldBatch _fields;
    private readonly IMarkovSampler _sampler;
    private readonly SamplerBenchmark _bench;
    private readonly double _seconds;
    private long _step;

    public SamplerCase(ComputeDevice device, SamplerKind kind, int l, double secondsPerRound)
    {
        _device = device;
        _bench = kind.Benchmark ?? throw new ArgumentException($"{kind.Name} has no benchmark case", nameof(kind));
        _seconds = secondsPerRound;
        var geometry = LatticeGeometry.Square(l);
        int chains = ChainsFor(device, l);
        _fields = new FieldBatch(device, geometry, chains);
        _fields.Randomize(1, 0.5);
        _sampler = kind.Create(new SamplerContext(device, geometry, chains, Phi4Couplings.Tutorial, 1, 0), _bench.Settings);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < Math.Min(0.5, secondsPerRound / 4)) _sampler.Update(_fields, _step++);
        device.Synchronize();
    }

    public string? Note => null;

    /// <summary>
    /// A batch that fills the cores: on the CPU, a 256² lattice per thread's worth of sites (the chains of one thread
    /// then stay in its caches between launches); on a GPU, 2²⁴ sites, enough threads to hide memory latency.
    /// </summary>
    public static int ChainsFor(ComputeDevice device, int l) => device is ManagedDevice m
        ? Math.Max(m.Threads, 65536 * m.Threads / (l * l))
        : Math.Max(1, (1 << 24) / (l * l));

    public double Round()
    {
        var clock = Stopwatch.StartNew();
        long n = 0;
        while (clock.Elapsed.TotalSeconds < _seconds)
        {
            _sampler.Update(_fields, _step++);
            n++;
        }
        _device.Synchronize();
        return _bench.FromSecondsPerSiteUpdate(clock.Elapsed.TotalSeconds / (n * (double)_fields.Sites));
    }

    public void Dispose()
    {
        _sampler.Dispose();
        _fields.Dispose();
    }
}

/// <summary>
/// Training throughput, steps per second, of the tutorial configuration (L = 8, m² = −4, λ = 8, 16 affine layers,
/// conv 1 → 8 → 8 → 2, 3 × 3, batch 64) after 20 warm-up steps; the note gives the memory used and what a step allocates.
/// </summary>
public sealed class FlowTrainingCase : IBenchCase
{
    private const int Batch = 64;
    private readonly ComputeDevice _device;
    private readonly RealNvpFlow _flow;
    private readonly FlowTrainer _trainer;
    private readonly int _steps;
    private readonly long _setupBytes;
    private long _step;

    public FlowTrainingCase(ComputeDevice device, int stepsPerRound)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        _device = device;
        _steps = Math.Max(1, stepsPerRound);
        _flow = new RealNvpFlow(FlowArchitecture.Tutorial(8), device);
        _flow.InitializeWeights(1);
        _trainer = new FlowTrainer(_flow, Phi4Couplings.Tutorial, Batch, new AdamSettings(), 1);
        for (; _step < Math.Min(20, 2 * _steps); _step++) _trainer.Step(_step, 1e-3);
        device.Synchronize();
        _setupBytes = GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public static string Figure => $"flow training steps/s (tutorial model, batch {Batch})";

    public string? Note { get; private set; }

    public double Round()
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < _steps; s++) _trainer.Step(_step++, 1e-3);
        _device.Synchronize();
        double seconds = clock.Elapsed.TotalSeconds;
        using var process = Process.GetCurrentProcess();
        Note = $"{seconds / _steps * 1e3:F2} ms/step; working set {process.WorkingSet64 / 1048576.0:F0} MiB, managed heap " +
            $"{GC.GetTotalMemory(false) / 1048576.0:F1} MiB, allocated per step on the calling thread " +
            $"{(GC.GetAllocatedBytesForCurrentThread() - allocated) / _steps} B (setup {_setupBytes / 1048576.0:F1} MiB)";
        return _steps / seconds;
    }

    public void Dispose()
    {
        _trainer.Dispose();
        _flow.Dispose();
    }
}

/// <summary>
/// Flow Metropolis–Hastings throughput (issue 5), proposals per second with the tutorial architecture at one L, freshly
/// initialised (proposals/s is what a trained flow costs too; its acceptance is an untrained flow's); the note gives the
/// acceptance and the share of time outside proposal generation (the chain's accept/reject and copies on the host),
/// which must stay small.
/// </summary>
public sealed class FlowSamplerCase : IBenchCase
{
    private readonly ComputeDevice _device;
    private readonly string _dir;
    private readonly FlowMetropolis _sampler;
    private readonly FieldBatch _fields;
    private readonly int _chains;
    private readonly double _seconds;
    private long _step;

    public FlowSamplerCase(ComputeDevice device, int l, int chains, double secondsPerRound)
    {
        _device = device;
        _chains = chains;
        _seconds = secondsPerRound;
        _dir = Path.Combine(Path.GetTempPath(), "latticeflow-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        var arch = FlowArchitecture.Tutorial(l);
        string model = Path.Combine(_dir, $"L{l}.lfm");
        using (var flow = new RealNvpFlow(arch, device))
        {
            flow.InitializeWeights(1);
            ModelFile.Write(model, ModelHeader.For(arch, Phi4Couplings.Tutorial), flow.Parameters.GetValues());
        }
        var g = LatticeGeometry.Square(l);
        _sampler = new FlowMetropolis(device, g, chains, Phi4Couplings.Tutorial, new FlowMetropolisSettings(model, 64), 1);
        _fields = new FieldBatch(device, g, chains);
        _sampler.Update(_fields, _step++);
    }

    public string? Note { get; private set; }

    public double Round()
    {
        long first = _step;
        double generatedBefore = _sampler.GenerationSeconds;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < _seconds || _step == first) _sampler.Update(_fields, _step++);
        _device.Synchronize();
        double elapsed = clock.Elapsed.TotalSeconds;
        var acc = new double[_chains];
        _sampler.Acceptance(acc);
        Note = $"untrained flow, acceptance {acc.Average():F3}; chain bookkeeping {100 * (1 - (_sampler.GenerationSeconds - generatedBefore) / elapsed):F2}% of the time";
        return (_step - first) * (double)_chains / elapsed;
    }

    public void Dispose()
    {
        _fields.Dispose();
        _sampler.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
