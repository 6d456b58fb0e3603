using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Runs;

namespace LatticeFlow.Sweeps;

/// <summary>An estimate with its error and Wolff's τ_int (½ + Σρ) and δτ_int.</summary>
public sealed record Estimate(double Value, double Error, double TauInt, double TauIntError, bool Reliable)
{
    public static Estimate From(GammaResult r) => new(r.Value, r.Error, r.TauInt, r.TauIntError, r.Reliable);
}

/// <summary>One algorithm at one point of a sweep, all its replicas (and their chains) combined as replicas.</summary>
public sealed record SweepRow
{
    public required int Point { get; init; }
    public required int L { get; init; }
    /// <summary>The point's action, its parameters record written whole (summary.json's "Action").</summary>
    public required Physics.IActionParameters Action { get; init; }
    /// <summary>φ⁴'s m² and λ, for the columns m2 and lam of summary.csv and readers of summary.json outside; from <see cref="Action"/>.</summary>
    public double? M2 => (Action as Physics.Phi4Couplings)?.M2;
    public double? Lambda => (Action as Physics.Phi4Couplings)?.Lambda;
    public required string Algorithm { get; init; }
    public required int Replicas { get; init; }
    public required long Configurations { get; init; }
    public required double Acceptance { get; init; }
    public required Estimate AbsMagnetization { get; init; }
    public required Estimate Chi2 { get; init; }
    public required Estimate IsingEnergy { get; init; }
    /// <summary>m_p·L from the effective-mass plateau (null when no plateau was found).</summary>
    public Estimate? PoleMassTimesL { get; init; }
    public required IReadOnlyDictionary<string, Estimate> Primaries { get; init; }
    /// <summary>Sampling seconds per configuration of one chain.</summary>
    public required double SecondsPerConfiguration { get; init; }
    /// <summary>Seconds per effectively independent configuration: 2 τ_int(max over observables) × seconds per configuration.</summary>
    public required double SecondsPerIndependent { get; init; }
    public double? TrainingSeconds { get; init; }

    /// <summary>
    /// Seconds per effectively independent configuration with the flow's training amortised over this run's independent
    /// configurations (Configurations / 2 τ_int,max): <see cref="SecondsPerIndependent"/> + training seconds over those.
    /// For samplers that train nothing the same as <see cref="SecondsPerIndependent"/>.
    /// </summary>
    public double SecondsPerIndependentWithTraining => TrainingSeconds is double t
        ? SecondsPerIndependent + t * SecondsPerIndependent / (SecondsPerConfiguration * Configurations)
        : SecondsPerIndependent;
    public long? TrainingSteps { get; init; }
    /// <summary>The trained flow on the final evaluation's fresh proposals (train.json): acceptance, ESS per proposal, Pareto k̂.</summary>
    public double? TrainingAcceptance { get; init; }
    public double? TrainingEss { get; init; }
    public double? TrainingParetoK { get; init; }
    /// <summary>The training's periodic checks on fresh proposals (checks.csv), for the acceptance-against-seconds figure.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<FlowCheck> TrainingChecks { get; init; } = [];
    /// <summary>Flow rows: the Pareto k̂ of the proposals' weights and the threshold above which it makes the row unreliable.</summary>
    public double? ParetoK { get; init; }
    public double? ParetoThreshold { get; init; }

    /// <summary>Enough data for every τ_int to mean something (N ≥ 50 τ_int; see GammaResult.Reliable).</summary>
    public bool Reliable => AbsMagnetization.Reliable && Chi2.Reliable && IsingEnergy.Reliable && Primaries.Values.All(p => p.Reliable);

    /// <summary>A flow row whose weights are too heavy-tailed for its errors to mean anything (<see cref="Flows.ParetoTail"/>).</summary>
    public bool HeavyTailed => ParetoK > ParetoThreshold;

    /// <summary>Flow rows: the longest rejection run of the replicas' chain where it is the largest fraction of the chain, and that chain's proposals.</summary>
    public int? LongestRejectionRun { get; init; }
    public long? LongestRunChainProposals { get; init; }

    /// <summary>A flow row whose chain held one configuration too long for its errors (<see cref="AcceptanceStatistics.IsSticky"/>).</summary>
    public bool Sticky => LongestRejectionRun is int r && LongestRunChainProposals is long n && AcceptanceStatistics.IsSticky(r, n);

    /// <summary>
    /// Whether τ_int of <paramref name="observable"/> can be trusted: reliable (N ≥ 50 τ_int), and for flow rows neither
    /// heavy-tailed weights nor a sticky chain. Untrusted rows stay out of the fits of τ_int against L and are drawn open.
    /// </summary>
    public bool Trusted(string observable) => Tau(observable).Reliable && !HeavyTailed && !Sticky;

    /// <summary>Why this row's errors cannot be trusted, for the sweep's table; "" where they can.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Caveats => string.Concat(
        Reliable ? "" : $"  * too few data: N < {GammaResult.MinimumLength} tau_int, errors and tau unreliable",
        HeavyTailed ? FormattableString.Invariant($"  * heavy-tailed flow weights (Pareto k {ParetoK:F2} > {ParetoThreshold:F2}): errors unreliable") : "",
        Sticky ? FormattableString.Invariant($"  * sticky chain: {LongestRejectionRun} rejections in a row in a chain of {LongestRunChainProposals}, fewer than {GammaResult.MinimumLength} times the run: errors unreliable") : "");

    /// <summary>τ_int of an observable by name: a primary column, or chi2, E, absM_per_V.</summary>
    public Estimate Tau(string observable) => observable switch
    {
        "chi2" => Chi2,
        "E" => IsingEnergy,
        "absM_per_V" => AbsMagnetization,
        _ => Primaries[observable],
    };
}

/// <summary>
/// Collects the finished runs of a sweep directory into summary.csv and summary.json (one row per point and
/// algorithm) and the plots: used at the end of a local sweep and by `sweep --aggregate` after a Slurm array.
/// </summary>
public static class SweepSummary
{
    public static readonly string[] PrimaryObservables = ["absM", "M2", "action_density", "ising_product"];

    public static IReadOnlyList<SweepRow> Aggregate(string output, TextWriter? log = null)
    {
        string specPath = Path.Combine(output, SweepRunner.SpecFile);
        if (!File.Exists(specPath)) throw new InvalidInputException($"{output}: not a sweep directory (no {SweepRunner.SpecFile})");
        var spec = SweepSpec.Parse(File.ReadAllText(specPath), specPath);
        var rows = new List<SweepRow>();
        for (int i = 0; i < spec.Points.Count; i++)
        {
            var p = spec.Points[i];
            foreach (string algorithm in spec.Algorithms)
            {
                var dirs = Enumerable.Range(0, spec.Replicas).Select(r => SweepRunner.RunDirectory(output, p, algorithm, r))
                    .Where(RunMeta.IsComplete).ToList();
                if (dirs.Count == 0)
                {
                    log?.WriteLine($"   {p.Name} {algorithm}: no finished run yet");
                    continue;
                }
                rows.Add(Row(i, p, algorithm, dirs, output));
            }
        }
        Write(output, rows);
        SweepPlots.Write(Path.Combine(output, "plots"), rows);
        return rows;
    }

    private static SweepRow Row(int index, SweepPoint p, string algorithm, List<string> dirs, string output)
    {
        var runs = dirs.Select(d => RunData.Load(d)).ToList();
        var point = PointAnalysis.Analyze(runs, new PointAnalysisOptions());
        var tables = runs.Select(r => r.Measurements).ToList();
        var primaries = PrimaryObservables.ToDictionary(o => o, o => Estimate.From(point.Primary(o)));
        var absM = Estimate.From(point.Derived[DerivedQuantities.AbsMagnetizationDensity.Key]);
        var chi2 = Estimate.From(point.Derived[DerivedQuantities.Chi2.Key]);
        var energy = Estimate.From(point.Derived[DerivedQuantities.IsingEnergy.Key]);
        var correlator = point.Correlator;
        double seconds = 0, chainConfigurations = 0;
        foreach (var meta in runs.Select(r => r.Meta))
        {
            seconds += meta.Timings.SamplingSeconds;
            chainConfigurations += meta.ConfigsWritten * meta.Chains;
        }
        // Chains of one run share the wall time: a configuration of one chain costs the run's time over all chains' configurations.
        double perConfiguration = seconds / chainConfigurations;
        // The slowest observable sets the cost; τ_int of a constant or undetermined one (NaN) says nothing about it.
        double tauMax = primaries.Values.Concat([chi2, energy]).Select(e => e.TauInt).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        double acceptance = tables.SelectMany(t => t.Column("accept_rate")).SelectMany(c => c).Average();
        var row = new SweepRow
        {
            Point = index, L = p.L, Action = p.Couplings, Algorithm = algorithm, Replicas = dirs.Count,
            Configurations = tables.Sum(t => (long)t.Configurations * t.Chains), Acceptance = acceptance,
            AbsMagnetization = absM, Chi2 = chi2, IsingEnergy = energy, Primaries = primaries,
            PoleMassTimesL = correlator.PoleMassTimesL is GammaResult mpl ? Estimate.From(mpl) : null,
            SecondsPerConfiguration = perConfiguration, SecondsPerIndependent = 2 * tauMax * perConfiguration,
        };
        if (algorithm == "flow")
        {
            var reports = dirs.Where(d => File.Exists(RunFiles.Path(d, ProposalsCsv.File))).Select(d => FlowRunReport.Compute(d, (double)p.L * p.L)).ToList();
            if (reports.Count > 0)
            {
                var stickiest = Stickiest(reports.Select(r => r.Acceptance));
                row = row with
                {
                    ParetoK = reports.Max(r => r.ParetoK), ParetoThreshold = reports.Min(r => r.ParetoThreshold),
                    LongestRejectionRun = stickiest.LongestRejectionRun, LongestRunChainProposals = stickiest.ChainProposals,
                };
            }
            string train = Path.Combine(SweepRunner.TrainingDirectory(output, p), TrainRun.Summary);
            if (File.Exists(train) && TrainSummary.Read(train) is var t)
                row = row with { TrainingSeconds = t.Seconds, TrainingSteps = t.StepsDone, TrainingAcceptance = t.EvalAcceptance, TrainingEss = t.EvalEss, TrainingParetoK = t.EvalParetoK,
                    TrainingChecks = CheckLog.Read(Path.Combine(SweepRunner.TrainingDirectory(output, p), CheckLog.File), long.MaxValue).Checks };
        }
        return row;
    }

    /// <summary>The replicas' chain whose longest rejection run is the largest fraction of its length (<see cref="AcceptanceHistory.Worse"/>).</summary>
    internal static AcceptanceStatistics Stickiest(IEnumerable<AcceptanceStatistics> replicas) =>
        replicas.Aggregate((a, b) => AcceptanceHistory.Worse(b.LongestRejectionRun, b.ChainProposals, a.LongestRejectionRun, a.ChainProposals) ? b : a);

    private static readonly string[] Observables = ["absM_per_V", "chi2", "E", .. PrimaryObservables];

    /// <summary>Whether some lattice size has several points (other couplings): then τ_int against L is not one curve.</summary>
    public static bool HasRepeatedSizes(IReadOnlyList<SweepRow> rows) =>
        rows.GroupBy(r => r.Algorithm).Any(g => g.Select(r => r.Point).Distinct().Count() != g.Select(r => r.L).Distinct().Count());

    /// <summary>A point's label: "L = 8", or with its couplings where another point has the same L.</summary>
    public static string PointLabel(SweepRow row, IReadOnlyList<SweepRow> rows) =>
        rows.Any(r => r.L == row.L && r.Point != row.Point)
            ? string.Create(CultureInfo.InvariantCulture, $"L = {row.L}, m² = {row.M2:G4}, λ = {row.Lambda:G4}")
            : $"L = {row.L}";

    private static void Write(string output, IReadOnlyList<SweepRow> rows)
    {
        var c = CultureInfo.InvariantCulture;
        string F(double? x) => x is double d && double.IsFinite(d) ? d.ToString("R", c) : "";
        var header = new List<string> { "point", "L", "m2", "lam", "algorithm", "replicas", "configurations", "acceptance",
            "absM_per_V", "absM_per_V_err", "chi2", "chi2_err", "E", "E_err", "mpL", "mpL_err" };
        foreach (var o in Observables) header.AddRange([$"tau_{o}", $"dtau_{o}"]);
        header.AddRange(["seconds_per_config", "seconds_per_independent_config", "seconds_per_independent_config_incl_training", "training_seconds", "training_steps", "training_acceptance", "reliable", "pareto_k", "heavy_tailed", "training_ess", "training_pareto_k", "longest_rejection_run", "longest_rejection_run_chain_proposals", "sticky"]);
        var lines = new List<string> { string.Join(",", header) };
        foreach (var r in rows)
        {
            var f = new List<string> { r.Point.ToString(c), r.L.ToString(c), F(r.M2), F(r.Lambda), r.Algorithm, r.Replicas.ToString(c), r.Configurations.ToString(c), F(r.Acceptance),
                F(r.AbsMagnetization.Value), F(r.AbsMagnetization.Error), F(r.Chi2.Value), F(r.Chi2.Error), F(r.IsingEnergy.Value), F(r.IsingEnergy.Error),
                F(r.PoleMassTimesL?.Value), F(r.PoleMassTimesL?.Error) };
            foreach (var o in Observables) f.AddRange([F(r.Tau(o).TauInt), F(r.Tau(o).TauIntError)]);
            f.AddRange([F(r.SecondsPerConfiguration), F(r.SecondsPerIndependent), F(r.SecondsPerIndependentWithTraining), F(r.TrainingSeconds), r.TrainingSteps?.ToString(c) ?? "", F(r.TrainingAcceptance), r.Reliable ? "1" : "0", F(r.ParetoK), r.HeavyTailed ? "1" : "0", F(r.TrainingEss), F(r.TrainingParetoK), r.LongestRejectionRun?.ToString(c) ?? "", r.LongestRunChainProposals?.ToString(c) ?? "", r.Sticky ? "1" : "0"]);
            lines.Add(string.Join(",", f));
        }
        AtomicFile.WriteAllText(Path.Combine(output, "summary.csv"), string.Join("\n", lines) + "\n");
        var json = new JsonObject
        {
            ["tau_int_convention"] = "Wolff: 1/2 + sum_t rho(t) (emcee's tau is twice this); Gamma method, S = 1.5; chains and replicas combined as replicas",
            ["cost_convention"] = "seconds_per_independent_config = 2 * max(tau_int over observables) * seconds_per_config; " +
                "seconds_per_independent_config_incl_training adds the flow's training seconds over this run's independent configurations (configurations / (2 * max tau_int))",
            ["rows"] = JsonSerializer.SerializeToNode(rows, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }),
            ["fits"] = new JsonObject(Fits(rows).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject { ["z"] = kv.Value.Z, ["z_err"] = kv.Value.ZError, ["chi2_per_dof"] = double.IsNaN(kv.Value.ChiSquaredPerDof) ? null : kv.Value.ChiSquaredPerDof, ["points"] = kv.Value.Points, ["excluded_unreliable"] = kv.Value.Excluded }))),
        };
        AtomicFile.WriteAllText(Path.Combine(output, "summary.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// τ_int ∝ L^z per algorithm and observable: weighted least squares of ln τ on ln L (weights (τ/δτ)²), over the
    /// sizes whose τ_int is reliable (<see cref="DynamicExponent.Excluded"/> counts the others). A sweep with several
    /// points at one L (a grid over the couplings) has no such curve: it gets no fits (<see cref="HasRepeatedSizes"/>).
    /// </summary>
    public static Dictionary<string, DynamicExponent> Fits(IReadOnlyList<SweepRow> rows)
    {
        var fits = new Dictionary<string, DynamicExponent>();
        if (HasRepeatedSizes(rows)) return fits;
        foreach (var group in rows.GroupBy(r => r.Algorithm))
            foreach (var o in Observables)
            {
                var all = group.Select(r => (L: (double)r.L, T: r.Tau(o), Trusted: r.Trusted(o))).Where(x => x.T.TauInt > 0 && x.T.TauIntError > 0).ToList();
                var pts = all.Where(x => x.Trusted).ToList();
                if (pts.Select(x => x.L).Distinct().Count() < 2) continue;
                fits[$"{group.Key}/{o}"] = DynamicExponent.Fit(pts.Select(x => x.L).ToArray(), pts.Select(x => x.T.TauInt).ToArray(), pts.Select(x => x.T.TauIntError).ToArray())
                    with { Excluded = all.Count - pts.Count };
            }
        return fits;
    }

    /// <summary>
    /// The "algorithm/observable" keys of <paramref name="observables"/> that <paramref name="fits"/> lacks for an
    /// algorithm with several sizes (its τ_int untrusted or undetermined at all but one), with that algorithm's count of
    /// sizes; none for a grid over the couplings, which has no fits at all (<see cref="HasRepeatedSizes"/>).
    /// </summary>
    public static IEnumerable<(string Key, int Sizes)> Unfitted(IReadOnlyList<SweepRow> rows, IReadOnlyDictionary<string, DynamicExponent> fits, params string[] observables) =>
        HasRepeatedSizes(rows) ? [] :
            from g in rows.GroupBy(r => r.Algorithm)
            where g.Count() > 1
            from o in observables
            where !fits.ContainsKey($"{g.Key}/{o}")
            select ($"{g.Key}/{o}", g.Count());

    /// <summary>
    /// The runs of the sweep in <paramref name="output"/> that are not complete, in sweep order, each with what its files
    /// say: not started, flow training unfinished, or the status in its meta.json (running, which also means killed
    /// without the chance to say so, or interrupted) and the configurations written so far.
    /// </summary>
    public static IReadOnlyList<UnfinishedRun> Unfinished(string output)
    {
        string specPath = Path.Combine(output, SweepRunner.SpecFile);
        if (!File.Exists(specPath)) throw new InvalidInputException($"{output}: not a sweep directory (no {SweepRunner.SpecFile})");
        var spec = SweepSpec.Parse(File.ReadAllText(specPath), specPath);
        var left = new List<UnfinishedRun>();
        for (int i = 0; i < spec.Points.Count; i++)
            foreach (string algorithm in spec.Algorithms)
                for (int r = 0; r < spec.Replicas; r++)
                {
                    string dir = SweepRunner.RunDirectory(output, spec.Points[i], algorithm, r);
                    if (File.Exists(Path.Combine(dir, RunFiles.Meta)))
                    {
                        var meta = RunMeta.Read(dir);
                        if (meta.Status != "complete")
                            left.Add(new(i, algorithm, r, $"{meta.Status} at {meta.ConfigsWritten} of {meta.NTarget} configurations"));
                    }
                    else
                    {
                        string train = SweepRunner.TrainingDirectory(output, spec.Points[i]);
                        string summary = Path.Combine(train, TrainRun.Summary);
                        bool training = algorithm == "flow" && Directory.Exists(train) && !(File.Exists(summary) && TrainSummary.Read(summary).Completed);
                        left.Add(new(i, algorithm, r, training ? "flow training not finished" : "not started"));
                    }
                }
        return left;
    }
}

/// <summary>A run of a sweep that is not complete (<see cref="SweepSummary.Unfinished"/>).</summary>
public sealed record UnfinishedRun(int Point, string Algorithm, int Replica, string State);

/// <summary>
/// The fitted dynamical exponent z of τ_int ∝ L^z. <c>ZError</c> is the fit's error scaled by √(χ²/dof) when that exceeds
/// 1 (the Particle Data Group's scale factor): a single power law does not describe HMC from L = 6 to 64, whose curve
/// steepens as its trajectory shortens (χ²/dof 30 there, README), and the unscaled error would claim a precision the
/// data do not have. <c>ChiSquaredPerDof</c> is NaN for two sizes.
/// </summary>
public sealed record DynamicExponent(double Z, double ZError, double Amplitude, int Points, double ChiSquaredPerDof)
{
    /// <summary>Sizes left out of the fit because their τ_int is unreliable.</summary>
    public int Excluded { get; init; }

    /// <summary>"z = 2.14 ± 0.07", with χ²/dof where there is one.</summary>
    public string Describe() => double.IsNaN(ChiSquaredPerDof)
        ? FormattableString.Invariant($"z = {Z:F2} ± {ZError:F2}")
        : FormattableString.Invariant($"z = {Z:F2} ± {ZError:F2}, χ²/dof {ChiSquaredPerDof:0.0#}");

    public static DynamicExponent Fit(double[] l, double[] tau, double[] tauError)
    {
        double[] x = [.. l.Select(v => Math.Log(v))], y = [.. tau.Select(v => Math.Log(v))];
        double[] w = [.. tau.Zip(tauError, (t, e) => Math.Pow(t / e, 2))];
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < l.Length; i++)
        {
            sw += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i]; sxx += w[i] * x[i] * x[i]; sxy += w[i] * x[i] * y[i];
        }
        double det = sw * sxx - sx * sx;
        double z = (sw * sxy - sx * sy) / det;
        double a = (sxx * sy - sx * sxy) / det;
        double chi2 = 0;
        for (int i = 0; i < l.Length; i++) chi2 += w[i] * Math.Pow(y[i] - a - z * x[i], 2);
        int dof = l.Length - 2;
        double perDof = dof > 0 ? chi2 / dof : double.NaN;
        double scale = dof > 0 ? Math.Sqrt(Math.Max(1.0, perDof)) : 1.0;
        return new DynamicExponent(z, Math.Sqrt(sw / det) * scale, Math.Exp(a), l.Length, perDof);
    }
}
