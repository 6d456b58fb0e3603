using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// The embedded-Ising cluster hybrid for φ⁴ (Brower and Tamayo, PRL 62, 1087, 1989): each update is one checkerboard
/// Metropolis sweep (<see cref="LocalMetropolis"/>, on the device, its δ tuned during thermalisation), which moves the
/// magnitudes |φ|, followed by <see cref="ClusterSettings.Clusters"/> Wolff single-cluster flips of the signs
/// (<see cref="EmbeddedIsing"/>), which move whole domains at once and need no acceptance test. Both parts leave exp(−S)
/// invariant, so their product does; together they are ergodic.
/// <para>
/// The clusters grow on the host: the batch is copied to host memory after the sweep, each chain's clusters are grown
/// one after the other by a stack-based flood fill, chains in parallel over <see cref="ComputeDevice.HostThreads"/>
/// threads, and the batch is copied back. Every random number is Philox keyed by (seed; site or cluster, chain, update,
/// stream), so the ensemble is the same on any backend, thread count, and after a resume. On a GPU each update thus
/// moves the batch to the host and back (2 × 8·B·V bytes) and grows clusters on the CPU cores.
/// </para>
/// <para>
/// Acceptance and tuning are the Metropolis sweep's (cluster flips are always accepted). measurements.csv gets a column
/// <c>cluster_fraction</c>: the mean size of the clusters flipped since the previous row, as a fraction of V.
/// </para>
/// </summary>
public sealed class ClusterHybrid : IMarkovSampler
{
    public const string FractionColumn = "cluster_fraction";

    private readonly ComputeDevice _device;
    private readonly LatticeGeometry _geometry;
    private readonly int _chains;
    private readonly RngKey _key;
    private readonly LocalMetropolis _metropolis;
    private readonly double[] _host;
    private readonly double[] _sizeSum;
    private long _clustersCounted;
    private readonly int _threads;
    private readonly int[][] _stacks;
    private readonly ParallelOptions _parallel;

    public ClusterSettings Settings { get; }
    public string Name => "cluster";
    public StepSizeTuner Tuner => _metropolis.Tuner;

    /// <summary>The Metropolis proposal width δ.</summary>
    public double Delta => _metropolis.Delta;

    public ClusterHybrid(ComputeDevice device, LatticeGeometry geometry, int chains, IActionParameters action, ClusterSettings settings, ulong seed, long tuningIterations = 0)
    {
        geometry.RequireTwoDimensions("the cluster update (embedded-Ising bonds)");
        // The embedded Ising bonds J = 2 φ(x) φ(y) come from the kinetic term every local action has; flipping a cluster's
        // signs leaves exp(−S) invariant only if the rest of S is even in φ, which φ⁴ is and an action in general is not.
        if (action is not Phi4Couplings)
            throw new InvalidInputException($"the cluster update is written for phi4 (its sign flips need an action even in φ), not for action '{action.ActionName}'");
        Settings = settings.Validated();
        _device = device;
        _geometry = geometry;
        _chains = chains;
        _key = new RngKey(seed);
        _metropolis = new LocalMetropolis(device, geometry, chains, action, settings.MetropolisPart(), seed, tuningIterations);
        _host = settings.Clusters > 0 ? new double[geometry.Volume * chains] : [];
        _sizeSum = new double[chains];
        _threads = Math.Max(1, Math.Min(device.HostThreads, chains));
        _stacks = [.. Enumerable.Range(0, _threads).Select(_ => new int[settings.Clusters > 0 ? geometry.Volume : 0])];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
    }

    public void Update(FieldBatch fields, long step)
    {
        _metropolis.Update(fields, step);
        if (Settings.Clusters == 0) return;
        fields.CopyTo(_host);
        if (_threads == 1) FlipChains(0, _chains, (uint)step, _stacks[0]);
        else
            // Contiguous blocks of chains, one per thread, each with its own stack; the result does not depend on the split.
            Parallel.For(0, _threads, _parallel, t => FlipChains(_chains * t / _threads, _chains * (t + 1) / _threads, (uint)step, _stacks[t]));
        fields.CopyFrom(_host);
        _clustersCounted += Settings.Clusters;
    }

    private void FlipChains(int from, int to, uint step, int[] stack)
    {
        int v = _geometry.Volume;
        for (int b = from; b < to; b++)
        {
            var phi = _host.AsSpan(b * v, v);
            double sizes = 0;
            for (int c = 0; c < Settings.Clusters; c++)
            {
                var bonds = new PhiloxBonds(_key, b, step, c);
                sizes += EmbeddedIsing.Grow(phi, _geometry.Lx, _geometry.Ly, EmbeddedIsing.SeedSite(_key, b, step, c, v), stack, ref bonds);
            }
            _sizeSum[b] += sizes;
        }
    }

    public void Adapt() => _metropolis.Adapt();

    public void Acceptance(Span<double> perChain) => _metropolis.Acceptance(perChain);

    public void ResetAcceptance()
    {
        _metropolis.ResetAcceptance();
        Array.Clear(_sizeSum);
        _clustersCounted = 0;
    }

    public AcceptanceTally Tally
    {
        get => _metropolis.Tally;
        set => _metropolis.Tally = value;
    }

    public ReadOnlySpan<double> LastDeltaH => default;

    public string TuningDetail => _metropolis.TuningDetail;

    public IReadOnlyList<string> ExtraColumns => [FractionColumn];

    /// <summary>Mean cluster size over V of the clusters since the last row; NaN where none was flipped.</summary>
    public void ExtraValues(int chain, Span<double> values) =>
        values[0] = _clustersCounted > 0 ? _sizeSum[chain] / ((double)_clustersCounted * _geometry.Volume) : double.NaN;

    /// <summary>The cluster sizes summed since the last row (per chain) and their count: a resume mid-interval continues them.</summary>
    public double[] ExportState() => [.. _sizeSum, _clustersCounted];

    public void ImportState(double[] state)
    {
        if (state.Length != _chains + 1) throw new InvalidInputException($"cluster state of {state.Length} numbers, expected {_chains + 1}");
        state.AsSpan(0, _chains).CopyTo(_sizeSum);
        _clustersCounted = (long)state[_chains];
    }

    public IReadOnlyDictionary<string, object> Describe() => new Dictionary<string, object>
    {
        ["name"] = Name,
        ["clusters"] = Settings.Clusters,
        ["cluster_growth"] = "host",
        ["delta"] = Delta,
        ["delta_initial"] = Settings.Delta,
        ["hits"] = Settings.Hits,
        ["target_acceptance"] = Settings.TargetAcceptance,
        ["tuning_iterations"] = Tuner.Iterations,
    };

    public void Dispose() => _metropolis.Dispose();
}
