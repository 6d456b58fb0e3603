namespace LatticeFlow.Analysis;

/// <summary>How one parameter point is analysed: Wolff's S, blocking, and what to compute beyond the primaries.</summary>
/// <param name="Bin">Block averages of this many configurations first (the Γ-method does not need it).</param>
/// <param name="Curves">Keep ρ(t) and τ_int(W) of every primary, for plots.</param>
/// <param name="Correlator">Compute G̃(t), m_eff(t) and the pole mass (needs the runs' correlator primaries).</param>
public sealed record PointAnalysisOptions(double S = GammaMethod.DefaultS, int Bin = 1, bool Curves = false, bool Correlator = true);

/// <summary>One primary observable: its Γ-method result and curves, and a warning where its start drifts.</summary>
public sealed record PrimaryResult(string Name, GammaResult Result, GammaCurves Curves, string? DriftWarning);

/// <summary>Everything measured at one parameter point: every primary, the bulk derived quantities, the correlator.</summary>
public sealed record PointResult
{
    public required IReadOnlyList<PrimaryResult> Primaries { get; init; }
    /// <summary>By <see cref="DerivedQuantity.Key"/>: absM_per_V, chi2, E.</summary>
    public required IReadOnlyDictionary<string, GammaResult> Derived { get; init; }
    public required CorrelatorResult Correlator { get; init; }
    public required int Replicas { get; init; }
    /// <summary>The shortest replica's measurements (after the thermalisation cut and blocking).</summary>
    public required long ConfigurationsPerReplica { get; init; }
    /// <summary>The longest replica's; replicas of different lengths all enter whole.</summary>
    public required long LongestReplica { get; init; }
    /// <summary>Measurements of all replicas together: N of every primary.</summary>
    public required long Configurations { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }

    public GammaResult Primary(string name) => Primaries.First(p => p.Name == name).Result;
}

/// <summary>
/// The analysis of one parameter point, written once and used by `analyze`, sample's summary, sweeps and tests
/// (DESIGN.md principle 8): the chains of all runs of the point enter as replicas (Wolff hep-lat/0306017 eq. 31),
/// every primary and every <see cref="DerivedQuantities"/> quantity gets a Γ-method error, and the correlator its
/// G̃(t), m_eff(t) and pole mass (<see cref="ZeroMomentumCorrelator"/>).
/// </summary>
public static class PointAnalysis
{
    private static readonly string[] IndexColumns = ["config", "chain"];

    /// <exception cref="InvalidInputException">No runs, a bad option, or too few configurations for a window.</exception>
    public static PointResult Analyze(IReadOnlyList<RunData> runs, PointAnalysisOptions o)
    {
        if (runs.Count == 0) throw new InvalidInputException("no runs to analyse");
        if (!(o.S > 0) || !double.IsFinite(o.S)) throw new InvalidSettingException(SettingNames.WindowS, o.S, "must be a positive number");
        if (o.Bin < 1) throw new InvalidSettingException(SettingNames.Bin, o.Bin, "must be ≥ 1");
        var notes = runs.SelectMany(r => r.Notes).ToList();
        var tables = runs.Select(r => r.Measurements).ToList();
        long perReplica = tables.Min(t => (long)t.Configurations) / o.Bin;
        if (perReplica < 4) throw new InvalidInputException($"too few configurations ({perReplica} per chain after the thermalisation cut and blocking) for a window");
        double v = runs[0].Meta.Lattice.Volume;

        double[][][] Replicas(IReadOnlyList<string> names) =>
            [.. tables.SelectMany(t => Enumerable.Range(0, t.Chains).Select(b => names.Select(n => Bin(t.Column(n)[b], o.Bin)).ToArray()))];

        var primaries = new List<PrimaryResult>();
        foreach (string name in tables[0].Names.Where(n => !IndexColumns.Contains(n) && tables.All(t => t.Has(n))))
        {
            var data = Replicas([name]);
            var (gamma, curves) = o.Curves ? GammaMethod.DerivedWithCurves(data, a => a[0], o.S) : (GammaMethod.Derived(data, a => a[0], o.S), GammaCurves.Empty);
            if (gamma.Caveat is string caveat)
                notes.Add($"{name}: {caveat}" + (gamma.Status == ErrorStatus.Determined ? $" (N = {gamma.N}, tau_int ≈ {gamma.TauInt:F1}; want N ≥ 50 tau_int)" : ""));
            var drift = Drift(name, data);
            if (drift is not null) notes.Add(drift);
            primaries.Add(new PrimaryResult(name, gamma, curves, drift));
        }
        if (primaries.FirstOrDefault(p => p.Name == "M")?.Result.Status == ErrorStatus.Constant)
            notes.Add("M never changed: the chain did not move (every update rejected?); its figures describe one configuration");
        var derived = DerivedQuantities.Bulk.ToDictionary(q => q.Key, q => GammaMethod.Derived(Replicas(q.Primaries), q.At(v), o.S));
        var correlator = CorrelatorResult.None;
        if (o.Correlator)
        {
            var c = runs.Select(r => r.Correlator ?? throw new ArgumentException("runs loaded without their correlator")).ToList();
            var joined = new CorrelatorPrimaries(c[0].SpatialVolume, c[0].TimeExtent, [.. c.SelectMany(p => p.Replicas).Select(r => r.Select(x => Bin(x, o.Bin)).ToArray())]);
            correlator = ZeroMomentumCorrelator.Analyze(joined, o.S);
            if (correlator.PoleMass is null) notes.Add("no effective-mass plateau: m_eff(t) is not determined to 50 % at any t (too few data, or a correlator too noisy)");
        }
        return new PointResult
        {
            Primaries = primaries, Derived = derived, Correlator = correlator,
            Replicas = tables.Sum(t => t.Chains), ConfigurationsPerReplica = perReplica, Notes = notes,
            LongestReplica = tables.Max(t => (long)t.Configurations) / o.Bin, Configurations = tables.Sum(t => t.Chains * ((long)t.Configurations / o.Bin)),
        };
    }

    /// <summary>Block averages of <paramref name="bin"/> consecutive measurements.</summary>
    internal static double[] Bin(double[] x, int bin)
    {
        if (bin == 1) return x;
        var blocks = new double[x.Length / bin];
        for (int k = 0; k < blocks.Length; k++)
        {
            double sum = 0;
            for (int i = k * bin; i < (k + 1) * bin; i++) sum += x[i];
            blocks[k] = sum / bin;
        }
        return blocks;
    }

    /// <summary>
    /// A visibly drifting start: each chain is cut into ten blocks; the history drifts if the first block's mean lies
    /// more than 4σ from the mean of the last five, σ from the scatter of the block means 2–10 (blocks much longer
    /// than τ_int scatter like independent estimates; a drift would inflate a Γ-method error of the first block itself).
    /// Suggests a larger thermalisation cut.
    /// </summary>
    private static string? Drift(string name, double[][][] data)
    {
        foreach (var replica in data)
        {
            var x = replica[0];
            int block = x.Length / 10;
            if (block < 10) return null;
            double[] means = [.. Enumerable.Range(0, 10).Select(k => x.AsSpan(k * block, block).ToArray().Average())];
            double late = means[5..].Average();
            double avg = means[1..].Average();
            double sd = Math.Sqrt(means[1..].Sum(m => (m - avg) * (m - avg)) / 8);
            if (sd > 0 && Math.Abs(means[0] - late) > 4 * sd * Math.Sqrt(1 + 1 / 5.0))
                return $"{name}: the first tenth of the history drifts (block mean {means[0]:G4} against {late:G4} ± {sd:G2} later); consider a thermalisation cut of {block}";
        }
        return null;
    }
}
