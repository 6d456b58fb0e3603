using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// Flow-based Markov chain Monte Carlo (Albergo, Kanwar, Shanahan 2019, eq. 9–10): each update proposes
/// φ' ~ q from the trained flow, independently of the current state, and accepts it with probability
/// min(1, p(φ') q(φ) / (p(φ) q(φ'))), in log space with log p = −S. The chain is exact for any q; a good q
/// only makes it efficient. Proposals are generated for all chains in one batched launch of the flow every
/// <c>ProposalBatch</c> updates (batch g keyed by g, so a resumed run regenerates exactly the same ones), with
/// their log q, action and observables, and copied to the host in one transfer. The sequential accept/reject then
/// runs on the host with no device work at all: each chain's current configuration, observables and time slices
/// are host copies of the accepted proposal, so between batches the device waits only for this bookkeeping
/// (microseconds per update), never for a round trip per update. With <see cref="FlowMetropolisSettings.Symmetrize"/>
/// the proposals are ±f(z) with density q_sym(φ) = ½[q(φ) + q(−φ)] (<see cref="RealNvpFlow.Symmetrize"/>).
/// <para>
/// A proposal whose log q or action is not finite (a flow that overflows float32 for rare z) has no usable weight
/// log w = −S − log q: it is rejected, and those of the production phase are counted (<see cref="NonFiniteProposals"/>).
/// The chain stays exact for the target restricted to what the flow proposes finitely; many of them mean a broken model.
/// </para>
/// </summary>
public sealed class FlowMetropolis : IMarkovSampler
{
    /// <summary>Proposal batches draw their latent z at Philox steps from here on, apart from training (t &lt; 2³¹) and evaluation.</summary>
    public const uint ProposalStepBase = 0xC000_0000u;

    private readonly ComputeDevice _device;
    private readonly LatticeGeometry _geometry;
    private readonly int _chains, _perChain;
    private readonly RngKey _key;
    private readonly RealNvpFlow _flow;
    private readonly FieldBatch _proposals;
    private readonly IAction _action;
    private readonly ConfigurationMeter _meter;
    private readonly ConfigurationMeter _chainMeter;
    private readonly double[] _logQ, _logQMirror, _s, _logW, _hostSelect, _currentLogW, _slices, _hostProposals;
    private readonly double[] _currentField, _currentSlices;
    private readonly ConfigurationMeasurement[] _current;
    private bool _started;
    private readonly AcceptanceCounter _acceptance;
    private readonly ConfigurationMeasurement[] _proposalMeasurements;
    private long _generated = -1, _generationTicks;

    public string Name => "flow";

    /// <summary>
    /// Whether proposals are mirrored: symmetrisation asked for and not redundant. An equivariant flow's q is already even
    /// (q_sym = q), so its proposals ±f(z) are distributed as f(z): the mirror pass would cost an inverse and change nothing.
    /// </summary>
    private readonly bool _mirror;

    /// <summary>Symmetrisation was asked for, but the model is Z2-equivariant: nothing to do.</summary>
    public bool SymmetrizeRedundant => Settings.Symmetrize && Model.Equivariant;
    public FlowMetropolisSettings Settings { get; }
    public StepSizeTuner Tuner { get; } = new(1, 0, 0);
    public ModelHeader Model { get; }

    /// <summary>SHA-256 (lower-case hex) of the model file as read: a resume must propose from the same model.</summary>
    public string ModelSha256 { get; }

    /// <summary>Proposals of the production phase (updates from the thermalisation count on) whose log q or action was not finite; all rejected.</summary>
    public long NonFiniteProposals { get; private set; }

    private readonly long _thermalization;

    /// <summary>The proposal each chain saw in the last update: its log w = log p − log q, observables, and the decision.</summary>
    public ReadOnlySpan<double> LastProposalLogW => _lastLogW;
    public ReadOnlySpan<ConfigurationMeasurement> LastProposal => _lastProposal;
    public ReadOnlySpan<double> LastAccepted => _hostSelect;

    private readonly double[] _lastLogW;
    private readonly ConfigurationMeasurement[] _lastProposal;

    /// <param name="thermalization">Updates before the production phase, whose non-finite proposals are not counted.</param>
    public FlowMetropolis(ComputeDevice device, LatticeGeometry geometry, int chains, IActionParameters action, FlowMetropolisSettings settings, ulong seed,
        long thermalization = 0)
    {
        geometry.RequireTwoDimensions("flow MH (the flow)");
        Settings = settings.Validated();
        ModelSha256 = HashFile(settings.ModelPath);
        _thermalization = thermalization;
        var contents = ModelFile.Read(settings.ModelPath);
        ModelFile.CheckMatches(contents.Header, geometry.Lx, geometry.Ly, action, settings.ModelPath);
        Model = contents.Header;
        _mirror = Settings.Symmetrize && !Model.Equivariant;
        _flow = contents.ToFlow(device);
        _device = device;
        _geometry = geometry;
        _chains = chains;
        _perChain = settings.ProposalBatch;
        _key = new RngKey(seed);
        int k = chains * _perChain;
        _proposals = new FieldBatch(device, geometry, k);
        _action = action.Create(device, geometry, k);
        _meter = new ConfigurationMeter(device, geometry, k, action);
        _chainMeter = new ConfigurationMeter(device, geometry, chains, action);
        _hostProposals = new double[(long)k * geometry.Volume];
        _currentField = new double[(long)chains * geometry.Volume];
        _currentSlices = new double[chains * geometry.Ly];
        _current = new ConfigurationMeasurement[chains];
        _logQ = new double[k];
        _logQMirror = new double[k];
        _s = new double[k];
        _logW = new double[k];
        _slices = new double[k * geometry.Ly];
        _proposalMeasurements = new ConfigurationMeasurement[k];
        _hostSelect = new double[chains];
        _acceptance = new AcceptanceCounter(chains, 1);
        _currentLogW = new double[chains];
        _lastLogW = new double[chains];
        _lastProposal = new ConfigurationMeasurement[chains];
        Array.Fill(_currentLogW, double.NegativeInfinity);
    }

    /// <summary>log p − log q of each chain's current configuration (−∞ before its first acceptance).</summary>
    public ReadOnlySpan<double> CurrentLogW => _currentLogW;

    public void Update(FieldBatch fields, long step)
    {
        if (!_started) Start(fields);
        long batch = step / _perChain;
        int slot = (int)(step % _perChain);
        if (batch != _generated) Generate(batch);
        int v = _geometry.Volume, ly = _geometry.Ly;
        for (int b = 0; b < _chains; b++)
        {
            int i = b * _perChain + slot;
            double logW = _logW[i];
            var u = Philox.Generate(_key, 0u, (uint)b, (uint)step, RngStream.FlowAccept);
            if (!ImportanceWeights.Usable(logW) && step >= _thermalization) NonFiniteProposals++;
            bool accept = ImportanceWeights.Accept(logW, _currentLogW[b], Philox.Uniform53(u.X0, u.X1));
            _hostSelect[b] = accept ? 1 : 0;
            _lastLogW[b] = logW;
            _lastProposal[b] = _proposalMeasurements[i];
            if (accept)
            {
                _currentLogW[b] = logW;
                _current[b] = _proposalMeasurements[i];
                Array.Copy(_hostProposals, (long)i * v, _currentField, (long)b * v, v);
                Array.Copy(_slices, i * ly, _currentSlices, b * ly, ly);
                _acceptance.Add(b, 1);
            }
        }
        _acceptance.CountUpdate();
    }

    /// <summary>The chains start from the given fields (random, or a checkpoint's): their observables once, on the device.</summary>
    private void Start(FieldBatch fields)
    {
        fields.CopyTo(_currentField);
        _chainMeter.Measure(fields, _current, _currentSlices);
        _started = true;
    }

    /// <summary>The chains live on the host between updates: their observables are those of the accepted proposals.</summary>
    public void Measure(FieldBatch fields, ConfigurationMeter meter, Span<ConfigurationMeasurement> measurements, Span<double> timeslices)
    {
        if (!_started) Start(fields);
        _current.CopyTo(measurements);
        _currentSlices.CopyTo(timeslices);
    }

    public void CopyFields(FieldBatch fields, Span<double> host)
    {
        if (!_started) Start(fields);
        _currentField.CopyTo(host);
    }

    /// <summary>Seconds spent generating proposal batches (flow, action, observables, copy to the host); the rest of an update is the chain's bookkeeping.</summary>
    public double GenerationSeconds => _generationTicks / (double)Stopwatch.Frequency;

    /// <summary>One batched launch: K = chains × ProposalBatch proposals with log q, their action and observables.</summary>
    private void Generate(long batch)
    {
        long start = Stopwatch.GetTimestamp();
        int k = _chains * _perChain;
        _flow.Sample(k, _key, ProposalStepBase + (uint)batch, _proposals, _logQ);
        _action.Action(_proposals, _s);
        // q_sym is even in φ, as S is: log w is that of either sign, drawn after the measurement (Mirror).
        if (_mirror) _flow.Symmetrize(_proposals, _logQ, _logQMirror);
        for (int i = 0; i < k; i++) _logW[i] = -_s[i] - _logQ[i];
        _meter.Measure(_proposals, _proposalMeasurements, _slices);
        _proposals.CopyTo(_hostProposals);
        if (_mirror) Mirror(batch);
        _generated = batch;
        _generationTicks += Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Each proposal of the batch is mirrored (φ → −φ) with probability ½: its M and time slices change sign.</summary>
    private void Mirror(long batch)
    {
        int v = _geometry.Volume, ly = _geometry.Ly;
        for (int i = 0; i < _logQ.Length; i++)
        {
            if ((Philox.Generate(_key, 0u, (uint)i, (uint)batch, RngStream.FlowSign).X0 & 1u) == 0) continue;
            foreach (ref double x in _hostProposals.AsSpan(i * v, v)) x = -x;
            foreach (ref double x in _slices.AsSpan(i * ly, ly)) x = -x;
            _proposalMeasurements[i] = _proposalMeasurements[i] with { M = -_proposalMeasurements[i].M };
        }
    }

    public void Adapt() { }

    public void Acceptance(Span<double> perChain) => _acceptance.Rates(perChain);

    public void ResetAcceptance() => _acceptance.Reset();

    public AcceptanceTally Tally
    {
        get => _acceptance.Tally;
        set => _acceptance.Tally = value;
    }

    public ReadOnlySpan<double> LastDeltaH => default;

    /// <summary>
    /// The chains' log w, then <see cref="NonFiniteProposals"/>. log w must survive a resume bit for bit: recomputing it
    /// through the inverse flow would differ in the last float digits.
    /// </summary>
    public double[] ExportState() => [.. _currentLogW, NonFiniteProposals];

    /// <summary>A state from <see cref="ExportState"/>, or the chains' log w alone (checkpoints from before the count).</summary>
    public void ImportState(double[] state)
    {
        if (state.Length != _chains && state.Length != _chains + 1)
            throw new InvalidInputException("checkpoint: flow sampler state does not match the number of chains");
        state.AsSpan(0, _chains).CopyTo(_currentLogW);
        NonFiniteProposals = state.Length > _chains ? (long)state[_chains] : 0;
    }

    private static string HashFile(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));
    }

    public IReadOnlyList<string> ExtraColumns => ["log_p_minus_log_q"];

    public void ExtraValues(int chain, Span<double> values) => values[0] = _currentLogW[chain];

    public IReadOnlyDictionary<string, object> Describe() => new Dictionary<string, object>
    {
        ["name"] = Name,
        ["model"] = Path.GetFullPath(Settings.ModelPath),
        ["model_sha256"] = ModelSha256,
        ["model_layers"] = Model.Layers,
        ["model_hidden"] = string.Join(",", Model.Hidden),
        ["model_kernel"] = Model.Kernel,
        ["model_coupling"] = Model.Coupling,
        ["model_code_version"] = Model.CodeVersion,
        ["proposal_batch"] = _perChain,
        ["symmetrize"] = Settings.Symmetrize,
        ["symmetrize_redundant"] = SymmetrizeRedundant,
        ["model_equivariant"] = Model.Equivariant,
    };

    public void Dispose()
    {
        _flow.Dispose();
        _proposals.Dispose();
        _action.Dispose();
        _meter.Dispose();
        _chainMeter.Dispose();
    }
}
