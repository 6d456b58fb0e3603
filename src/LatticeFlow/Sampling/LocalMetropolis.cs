using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// Checkerboard local Metropolis: a sweep updates the even sites, then the odd ones, each colour in one
/// launch over all chains with the action's local change (<see cref="IAction.MetropolisHalfSweep"/>).
/// </summary>
public sealed class LocalMetropolis : IMarkovSampler
{
    private readonly ComputeDevice _device;
    private readonly LatticeGeometry _geometry;
    private readonly int _chains;
    private readonly IAction _action;
    private readonly RngKey _key;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _counters;
    private readonly double[] _hostCounters;
    private readonly AcceptanceCounter _acceptance;

    public MetropolisSettings Settings { get; }
    public StepSizeTuner Tuner { get; }
    public string Name => "metropolis";

    public LocalMetropolis(ComputeDevice device, LatticeGeometry geometry, int chains, IActionParameters action, MetropolisSettings settings, ulong seed, long tuningIterations = 0)
    {
        Settings = settings.Validated();
        _device = device;
        _geometry = geometry;
        _chains = chains;
        _action = action.Create(device, geometry, chains);
        _key = new RngKey(seed);
        int items = geometry.HalfShape(device, chains).HalfItems;
        _counters = device.Allocate<double>(items);
        _hostCounters = new double[items];
        _acceptance = new AcceptanceCounter(chains, (double)geometry.Volume * settings.Hits);
        Tuner = new StepSizeTuner(settings.Delta, settings.TargetAcceptance, tuningIterations);
    }

    public double Delta => Tuner.Value;

    public string TuningDetail => FormattableString.Invariant($"delta {Delta:G4}");

    public void Update(FieldBatch fields, long step)
    {
        double delta = Delta;
        for (int parity = 0; parity < 2; parity++)
            _action.MetropolisHalfSweep(fields, _counters.View, _key, (uint)step, parity, delta, Settings.Hits);
        _acceptance.CountUpdate();
    }

    public void Adapt()
    {
        double before = _acceptance.TotalAccepted;
        Collect();
        double total = _acceptance.TotalAccepted;
        Tuner.Observe((double)(total - before) / ((long)_geometry.Volume * Settings.Hits * _chains));
    }

    /// <summary>Moves the device's per-item counts into the per-chain tally.</summary>
    private void Collect()
    {
        _device.CopyToHost(_counters.View.AsContiguous(), _hostCounters);
        _counters.MemSetToZero();
        int perChain = _hostCounters.Length / _chains;
        for (int b = 0; b < _chains; b++)
        {
            double sum = 0;
            for (int i = b * perChain; i < (b + 1) * perChain; i++) sum += _hostCounters[i];
            _acceptance.Add(b, sum);
        }
    }

    public void Acceptance(Span<double> perChain)
    {
        Collect();
        _acceptance.Rates(perChain);
    }

    public void ResetAcceptance()
    {
        Collect();
        _acceptance.Reset();
    }

    public AcceptanceTally Tally
    {
        get { Collect(); return _acceptance.Tally; }
        set { Collect(); _acceptance.Tally = value; }
    }

    public ReadOnlySpan<double> LastDeltaH => default;

    public IReadOnlyDictionary<string, object> Describe() => new Dictionary<string, object>
    {
        ["name"] = Name,
        ["delta"] = Delta,
        ["delta_initial"] = Settings.Delta,
        ["hits"] = Settings.Hits,
        ["target_acceptance"] = Settings.TargetAcceptance,
        ["tuning_iterations"] = Tuner.Iterations,
    };

    public void Dispose()
    {
        _counters.Dispose();
        _action.Dispose();
    }
}
