using System.Text.Json.Nodes;
using System.Text.Json;
using LatticeFlow.Files;
using LatticeFlow.Runs;

namespace LatticeFlow.Analysis;

/// <summary>How `analyze` treats the data: Wolff's S, the thermalisation cut, blocking, where the files go.</summary>
public sealed record AnalysisOptions(double S = GammaMethod.DefaultS, long Thermalization = 0, int Bin = 1, string? OutputDirectory = null, bool Pyerrors = false, bool Plots = true);

/// <summary>One primary observable: its Γ-method result and curves.</summary>
public sealed record PrimaryResult(string Name, GammaResult Result, GammaCurves Curves, string? DriftWarning);

/// <summary>Everything `analyze` computes for one parameter point (one or more runs, all chains as replicas).</summary>
public sealed record AnalysisResult
{
    public required IReadOnlyList<string> Runs { get; init; }
    public required string Algorithm { get; init; }
    public required int Lx { get; init; }
    public required int Ly { get; init; }
    public required double M2 { get; init; }
    public required double Lambda { get; init; }
    public required int Replicas { get; init; }
    public required long ConfigurationsPerReplica { get; init; }
    public required IReadOnlyList<PrimaryResult> Primaries { get; init; }
    public required GammaResult AbsMagnetization { get; init; }
    public required GammaResult Chi2 { get; init; }
    public required GammaResult IsingEnergy { get; init; }
    public required CorrelatorResult Correlator { get; init; }
    public FlowRunReport? Flow { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }
    public required string OutputDirectory { get; init; }
}

/// <summary>
/// `analyze`: every primary of measurements.csv with the Γ-method (Wolff, hep-lat/0306017), the derived χ₂, E,
/// G̃(t), m_eff(t), m_p and m_p·L by linear error propagation of the means (UWerr's way: one Γ-analysis of the
/// projected fluctuations per derived quantity keeps all cross-correlations, needs no choice of block size, and
/// for smooth functions agrees with the jackknife to O(1/N)); runs of one point and the chains inside them enter
/// as replicas. Writes analysis.json, optionally pyerrors' JSON, and the plots.
/// </summary>
public static class RunAnalysis
{
    public const string Json = "analysis.json", PyerrorsJson = "analysis_pyerrors.json";

    private static readonly string[] Skip = ["config", "chain"];

    public static AnalysisResult Analyze(IReadOnlyList<string> dirs, AnalysisOptions o)
    {
        if (dirs.Count == 0) throw new InvalidInputException("analyze: give at least one run directory");
        if (!(o.S > 0) || !double.IsFinite(o.S)) throw new InvalidSettingException(SettingNames.WindowS, o.S, "must be a positive number");
        if (o.Thermalization < 0) throw new InvalidSettingException(SettingNames.Thermalization, o.Thermalization, "must be ≥ 0");
        if (o.Bin < 1) throw new InvalidSettingException(SettingNames.Bin, o.Bin, "must be ≥ 1");
        var notes = new List<string>();
        var metas = dirs.Select(d => (Dir: d, Meta: RunMeta.Read(d))).ToList();
        var first = metas[0].Meta;
        int lx = first.Lattice.Lx, ly = first.Lattice.Ly;
        double m2 = first.Physics.M2, lam = first.Physics.Lam;
        foreach (var (d, m) in metas)
        {
            if (m.Lattice.Lx != lx || m.Lattice.Ly != ly || m.Physics.M2 != m2 || m.Physics.Lam != lam)
                throw new InvalidInputException($"{d}: another lattice or other couplings than {metas[0].Dir}; runs combine as replicas only at one parameter point");
            if (m.AlgorithmName != first.AlgorithmName)
                throw new InvalidInputException($"{d}: made with another algorithm than {metas[0].Dir}; their autocorrelations differ, so analyse them separately");
            if (m.Status != "complete") notes.Add($"{d}: status \"{m.Status}\": analysing the {m.ConfigsWritten} configurations written so far");
        }
        var tables = metas.Select(m => MeasurementTable.Load(m.Dir)).ToList();
        long shortest = tables.Min(t => (long)t.Configurations);
        if (o.Thermalization >= shortest)
            throw new InvalidSettingException(SettingNames.Thermalization, o.Thermalization, $"longer than the run ({shortest} configurations)");
        tables = [.. metas.Select(m => MeasurementTable.Load(m.Dir, o.Thermalization))];
        double v = (double)lx * ly;

        double[][][] Replicas(params string[] names) =>
            [.. tables.SelectMany(t => Enumerable.Range(0, t.Chains).Select(b => names.Select(n => Bin(t.Column(n)[b], o.Bin)).ToArray()))];
        int replicas = tables.Sum(t => t.Chains);
        long perReplica = tables.Min(t => (long)t.Configurations) / o.Bin;
        if (perReplica < 4) throw new InvalidInputException($"too few configurations ({perReplica} per chain after the thermalisation cut and binning) for a window");

        var primaries = new List<PrimaryResult>();
        foreach (string name in tables[0].Names.Where(n => !Skip.Contains(n)))
        {
            var data = Replicas(name);
            var (gamma, curves) = GammaMethod.DerivedWithCurves(data, a => a[0], o.S);
            if (!gamma.Reliable) notes.Add($"{name}: too few configurations for a reliable τ_int (N = {gamma.N}, τ_int ≈ {gamma.TauInt:F1}; want N ≥ 50 τ_int)");
            primaries.Add(new PrimaryResult(name, gamma, curves, Drift(name, data)));
        }
        foreach (var p in primaries)
            if (p.DriftWarning is not null) notes.Add(p.DriftWarning);

        var absM = GammaMethod.Derived(Replicas("absM"), a => a[0] / v, o.S);
        var chi2 = GammaMethod.Derived(Replicas("M2", "M"), a => (a[0] - a[1] * a[1]) / v, o.S);
        var energy = GammaMethod.Derived(Replicas("ising_product", "M"), a => a[0] - a[1] * a[1] / (v * v), o.S);

        var slices = new List<double[][]>();
        foreach (var (d, _) in metas)
        {
            var (data, shape) = NpyReader.Read(RunFiles.Path(d, RunFiles.Timeslices));
            int n = (int)shape[0], chains = (int)shape[1];
            for (int b = 0; b < chains; b++)
            {
                var rows = Enumerable.Range((int)o.Thermalization, Math.Max(0, n - (int)o.Thermalization))
                    .Select(k => data.AsSpan((k * chains + b) * ly, ly).ToArray()).ToArray();
                slices.Add(BinRows(rows, o.Bin));
            }
        }
        var correlator = ZeroMomentumCorrelator.Analyze(slices, lx, ly, o.S);
        if (correlator.PoleMass is null) notes.Add("no effective-mass plateau: m_eff(t) is not determined to 50 % at any t (too few data, or a correlator too noisy)");

        FlowRunReport? flow = null;
        if (first.AlgorithmName == "flow" && metas.Count == 1 && File.Exists(RunFiles.Path(dirs[0], ProposalsCsv.File)))
            flow = FlowRunReport.Compute(dirs[0], v);
        if (flow is { HeavyTailed: true }) notes.Add(flow.HeavyTailNote);

        string outDir = o.OutputDirectory ?? dirs[0];
        var result = new AnalysisResult
        {
            Runs = dirs, Algorithm = first.AlgorithmName, Lx = lx, Ly = ly, M2 = m2, Lambda = lam,
            Replicas = replicas, ConfigurationsPerReplica = perReplica, Primaries = primaries, AbsMagnetization = absM, Chi2 = chi2,
            IsingEnergy = energy, Correlator = correlator, Flow = flow, Notes = notes, OutputDirectory = outDir,
        };
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, Json), ToJson(result, o).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (o.Pyerrors) AtomicFile.WriteAllText(Path.Combine(outDir, PyerrorsJson), PyerrorsExport.Create(dirs, tables, o).ToJsonString() + "\n");
        if (o.Plots) AnalysisPlots.Write(Path.Combine(outDir, "plots"), result, Replicas("M"));
        return result;
    }

    /// <summary>Block averages of <paramref name="bin"/> consecutive measurements (an option; the Γ-method does not need it).</summary>
    internal static double[] Bin(double[] x, int bin) =>
        bin == 1 ? x : [.. Enumerable.Range(0, x.Length / bin).Select(k => x.AsSpan(k * bin, bin).ToArray().Average())];

    private static double[][] BinRows(double[][] rows, int bin) =>
        bin == 1 ? rows : [.. Enumerable.Range(0, rows.Length / bin).Select(k => Enumerable.Range(0, rows[0].Length)
            .Select(t => Enumerable.Range(k * bin, bin).Average(i => rows[i][t])).ToArray())];

    /// <summary>
    /// A visibly drifting start: each chain is cut into ten blocks; the history drifts if the first block's mean lies
    /// more than 4σ from the mean of the last five, σ from the scatter of the block means 2–10 (blocks much longer
    /// than τ_int scatter like independent estimates; a drift would inflate a Γ-method error of the first block itself).
    /// Suggests a larger --therm.
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
                return $"{name}: the first tenth of the history drifts (block mean {means[0]:G4} against {late:G4} ± {sd:G2} later); consider --therm {block}";
        }
        return null;
    }

    private static JsonObject Figure(GammaResult r) => new()
    {
        ["value"] = JsonFiles.Number(r.Value), ["error"] = JsonFiles.Number(r.Error), ["error_of_error"] = JsonFiles.Number(r.ErrorOfError),
        ["tau_int"] = JsonFiles.Number(r.TauInt), ["tau_int_error"] = JsonFiles.Number(r.TauIntError), ["window"] = r.Window, ["n_eff"] = JsonFiles.Number(r.NEff),
        ["n"] = r.N, ["reliable"] = r.Reliable,
    };


    private static JsonObject ToJson(AnalysisResult r, AnalysisOptions o)
    {
        var c = r.Correlator;
        var json = new JsonObject
        {
            ["runs"] = new JsonArray([.. r.Runs.Select(d => (JsonNode)Path.GetFullPath(d))]),
            ["algorithm"] = r.Algorithm,
            ["lattice"] = new JsonObject { ["Lx"] = r.Lx, ["Ly"] = r.Ly },
            ["physics"] = new JsonObject { ["m2"] = r.M2, ["lam"] = r.Lambda },
            ["method"] = new JsonObject
            {
                ["name"] = "Gamma method (Wolff, hep-lat/0306017), derived quantities by linear error propagation of the means (UWerr)",
                ["S"] = o.S, ["therm"] = o.Thermalization, ["bin"] = o.Bin,
                ["tau_int_convention"] = "Wolff: 1/2 + sum_{t>=1} rho(t) (emcee's tau is twice this)",
                ["replicas"] = r.Replicas, ["configurations_per_replica"] = r.ConfigurationsPerReplica,
            },
            ["primary"] = new JsonObject(r.Primaries.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)Figure(p.Result)))),
            ["derived"] = new JsonObject
            {
                ["absM_per_V"] = Figure(r.AbsMagnetization),
                ["chi2"] = Figure(r.Chi2),
                ["ising_energy"] = Figure(r.IsingEnergy),
                ["G_tilde"] = new JsonArray([.. c.Correlator.Select(g => (JsonNode)Figure(g))]),
                ["m_eff"] = new JsonArray([.. c.EffectiveMass.Select(m => m is null ? null : (JsonNode)Figure(m))]),
                ["pole_mass"] = c.PoleMass is null ? null : Figure(c.PoleMass),
                ["plateau"] = c.Plateau is null ? null : new JsonObject { ["t_first"] = c.Plateau.First, ["t_last"] = c.Plateau.Last, ["chi2_per_dof"] = c.Plateau.ChiSquaredPerDof },
                ["m_p_L"] = c.PoleMassTimesL is null ? null : Figure(c.PoleMassTimesL),
            },
            ["notes"] = new JsonArray([.. r.Notes.Select(n => (JsonNode)n)]),
        };
        if (r.Flow is not null) json["flow"] = r.Flow.ToJson();
        return json;
    }
}
