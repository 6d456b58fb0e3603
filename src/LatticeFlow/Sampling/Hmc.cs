using ILGPU.Runtime;
using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// Hybrid Monte Carlo on every chain of a batch: fresh Gaussian momenta, a molecular-dynamics trajectory of a
/// randomised number of steps (<see cref="HmcSettings.TrajectoryJitter"/>), and a Metropolis test on ΔH per chain;
/// rejected chains get their old field back. Only B numbers per trajectory (ΔH and the decision) come back to the host.
/// </summary>
public sealed class Hmc : IMarkovSampler
{
    private readonly ComputeDevice _device;
    private readonly IAction _action;
    private readonly int _chains;
    private readonly RngKey _key;
    private readonly IIntegrator _integrator;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _momenta, _saved, _hStart, _hEnd, _deltaH;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _acceptFlags;
    private readonly double[] _hostDeltaH;
    private readonly double[] _hostFlags;
    private readonly AcceptanceCounter _acceptance;

    public HmcSettings Settings { get; }
    public StepSizeTuner Tuner { get; }
    public string Name => "hmc";
    public IIntegrator Integrator => _integrator;

    public Hmc(ComputeDevice device, LatticeGeometry geometry, int chains, IActionParameters action, HmcSettings settings, ulong seed, long tuningIterations = 0)
    {
        Settings = settings.Validated();
        _device = device;
        _chains = chains;
        _action = action.Create(device, geometry, chains);
        _key = new RngKey(seed);
        _integrator = IIntegrator.Create(settings.Integrator);
        long sites = (long)geometry.Volume * chains;
        _momenta = device.Allocate<double>(sites);
        _saved = device.Allocate<double>(sites);
        _hStart = device.Allocate<double>(chains);
        _hEnd = device.Allocate<double>(chains);
        _deltaH = device.Allocate<double>(chains);
        _acceptFlags = device.Allocate<double>(chains);
        _hostDeltaH = new double[chains];
        _hostFlags = new double[chains];
        _acceptance = new AcceptanceCounter(chains, 1);
        Tuner = new StepSizeTuner(settings.TrajectoryLength / settings.Steps, settings.TargetAcceptance, tuningIterations);
    }

    /// <summary>The integrator step ε; the mean trajectory length is Steps·ε (see <see cref="StepsAt"/>).</summary>
    public double StepSize => Tuner.Value;
    public double TrajectoryLength => StepSize * Settings.Steps;

    public string TuningDetail => FormattableString.Invariant($"eps {StepSize:G4} (traj {TrajectoryLength:G4})");

    /// <summary>d: trajectories have n − d … n + d integrator steps (<see cref="HmcSettings.TrajectoryJitter"/>).</summary>
    public int StepSpread => Math.Min((int)Math.Round(Settings.TrajectoryJitter * Settings.Steps, MidpointRounding.AwayFromZero), Settings.Steps - 1);

    /// <summary>
    /// The integrator steps of trajectory <paramref name="step"/>: uniform in {n − d, …, n + d} (<see cref="StepSpread"/>),
    /// from one Philox word keyed by (seed, step) alone and shared by all chains (Lemire's multiply-shift, exact in integers):
    /// independent of the field, so each trajectory stays reversible and area-preserving and the update exact; the same
    /// on every backend, thread count and resume. d = 0 gives n, without drawing.
    /// </summary>
    public int StepsAt(long step)
    {
        int n = Settings.Steps, d = StepSpread;
        if (d == 0) return n;
        var w = Philox.Generate(_key, 0u, 0u, (uint)step, RngStream.HmcTrajectory);
        return n - d + (int)(((ulong)w.X0 * (ulong)(2 * d + 1)) >> 32);
    }

    public void Update(FieldBatch fields, long step)
    {
        var s = fields.Shape;
        int v = fields.Geometry.Volume;
        ArrayView<double> momenta = _momenta.View, saved = _saved.View;
        _device.Launch(s.Items, fields.Sites, new CopyKernel<Reals>(fields.View, saved, v, s.Width, _acceptFlags.View, -1));
        _device.Launch(s.Items, fields.Sites, new GaussianKernel<Reals>(momenta, v, s.Width, _key, (uint)step, RngStream.HmcMomentum, 1.0));
        _action.Hamiltonian(fields, momenta, _hStart.View);
        _integrator.Integrate(new MolecularDynamics(_action, fields, momenta), StepSize, StepsAt(step));
        _action.Hamiltonian(fields, momenta, _hEnd.View);
        _device.Launch(_chains, _chains, new HmcAcceptKernel<Reals>(_hStart.View, _hEnd.View, _deltaH.View, _acceptFlags.View, _key, (uint)step));
        _device.Launch(s.Items, fields.Sites, new CopyKernel<Reals>(saved, fields.View, v, s.Width, _acceptFlags.View, 0));
        _device.CopyToHost(_deltaH.View.AsContiguous(), _hostDeltaH);
        _device.CopyToHost(_acceptFlags.View.AsContiguous(), _hostFlags);
        for (int b = 0; b < _chains; b++) _acceptance.Add(b, _hostFlags[b]);
        _acceptance.CountUpdate();
    }

    /// <summary>Uses ⟨min(1, e^−ΔH)⟩ over chains, a smoother estimate of the acceptance than the 0/1 decisions.</summary>
    public void Adapt()
    {
        double sum = 0;
        foreach (double dH in _hostDeltaH) sum += double.IsNaN(dH) ? 0 : Math.Min(1.0, Math.Exp(-dH));
        Tuner.Observe(sum / _chains);
    }

    public void Acceptance(Span<double> perChain) => _acceptance.Rates(perChain);

    public void ResetAcceptance() => _acceptance.Reset();

    public AcceptanceTally Tally
    {
        get => _acceptance.Tally;
        set => _acceptance.Tally = value;
    }

    public ReadOnlySpan<double> LastDeltaH => _hostDeltaH;

    public IReadOnlyDictionary<string, object> Describe() => new Dictionary<string, object>
    {
        ["name"] = Name,
        ["integrator"] = _integrator.Name,
        ["md_steps"] = Settings.Steps,
        ["step_size"] = StepSize,
        ["trajectory_length"] = TrajectoryLength,
        ["trajectory_length_initial"] = Settings.TrajectoryLength,
        ["trajectory_jitter"] = Settings.TrajectoryJitter,
        ["md_steps_min"] = Settings.Steps - StepSpread,
        ["md_steps_max"] = Settings.Steps + StepSpread,
        ["target_acceptance"] = Settings.TargetAcceptance,
        ["tuning_iterations"] = Tuner.Iterations,
    };

    public void Dispose()
    {
        _action.Dispose();
        _momenta.Dispose();
        _saved.Dispose();
        _hStart.Dispose();
        _hEnd.Dispose();
        _deltaH.Dispose();
        _acceptFlags.Dispose();
    }
}
