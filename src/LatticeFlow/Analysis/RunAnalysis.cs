using System.Text.Json;
using System.Text.Json.Nodes;
using LatticeFlow.Files;

namespace LatticeFlow.Analysis;

/// <summary>How `analyze` treats the data: Wolff's S, the thermalisation cut, blocking, where the files go.</summary>
public sealed record AnalysisOptions(double S = GammaMethod.DefaultS, long Thermalization = 0, int Bin = 1, string? OutputDirectory = null, bool Pyerrors = false, bool Plots = true);

/// <summary>Everything `analyze` computes for one parameter point (one or more runs, all chains as replicas).</summary>
public sealed record AnalysisResult
{
    public required IReadOnlyList<string> Runs { get; init; }
    public required string Algorithm { get; init; }
    public required Lattice.LatticeGeometry Lattice { get; init; }
    /// <summary>The action of the runs (their parameters record).</summary>
    public required Physics.IActionParameters Action { get; init; }
    public required PointResult Point { get; init; }
    public FlowRunReport? Flow { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }
    public required string OutputDirectory { get; init; }

    public int Replicas => Point.Replicas;
    public long ConfigurationsPerReplica => Point.ConfigurationsPerReplica;

    /// <summary>"2 replica(s) of 300 configurations", or "… of 300 to 800 configurations (1100 in all)" where they differ.</summary>
    public string ReplicaSummary => Point.ConfigurationsPerReplica == Point.LongestReplica
        ? $"{Replicas} replica(s) of {Point.ConfigurationsPerReplica} configurations"
        : $"{Replicas} replica(s) of {Point.ConfigurationsPerReplica} to {Point.LongestReplica} configurations ({Point.Configurations} in all)";
    public IReadOnlyList<PrimaryResult> Primaries => Point.Primaries;
    public GammaResult AbsMagnetization => Point.Derived[DerivedQuantities.AbsMagnetizationDensity.Key];
    public GammaResult Chi2 => Point.Derived[DerivedQuantities.Chi2.Key];
    public GammaResult IsingEnergy => Point.Derived[DerivedQuantities.IsingEnergy.Key];
    public CorrelatorResult Correlator => Point.Correlator;
}

/// <summary>
/// `analyze`: one parameter point (<see cref="PointAnalysis"/>: every primary, χ₂, E, G̃(t), m_eff(t), m_p and m_p·L with
/// Γ-method errors, runs and their chains as replicas), the flow report where the run is a flow run, and the files:
/// analysis.json, optionally pyerrors' JSON, and the plots.
/// </summary>
public static class RunAnalysis
{
    public const string Json = "analysis.json", PyerrorsJson = PyerrorsExport.File;

    /// <exception cref="InvalidInputException">No runs, runs of different points or algorithms, a bad option, or unreadable files.</exception>
    public static AnalysisResult Analyze(IReadOnlyList<string> dirs, AnalysisOptions o)
    {
        if (dirs.Count == 0) throw new InvalidInputException("analyze: give at least one run directory");
        if (o.Thermalization < 0) throw new InvalidSettingException(SettingNames.Thermalization, o.Thermalization, "must be ≥ 0");
        var metas = dirs.Select(d => (Dir: d, Meta: RunMeta.Read(d))).ToList();
        var first = metas[0].Meta;
        foreach (var (d, m) in metas)
        {
            if (m.Lattice.Geometry != first.Lattice.Geometry || !m.Action.Equals(first.Action))
                throw new InvalidInputException($"{d}: another lattice or other couplings than {metas[0].Dir}; runs combine as replicas only at one parameter point");
            if (m.AlgorithmName != first.AlgorithmName)
                throw new InvalidInputException($"{d}: made with another algorithm than {metas[0].Dir}; their autocorrelations differ, so analyse them separately");
        }
        var runs = dirs.Select(d => RunData.Load(d, o.Thermalization)).ToList();
        var point = PointAnalysis.Analyze(runs, new PointAnalysisOptions(o.S, o.Bin, Curves: o.Plots));
        var notes = point.Notes.ToList();

        // Flow runs: each run's report (its chain and proposals); analysis.json's flow section where there is one run,
        // the notes of every run where there are several.
        FlowRunReport? flow = null;
        if (first.AlgorithmName == "flow")
            foreach (var d in dirs.Where(d => File.Exists(RunFiles.Path(d, ProposalsCsv.File))))
            {
                var report = FlowRunReport.Compute(d, first.Lattice.Volume);
                if (dirs.Count == 1) flow = report;
                string run = dirs.Count == 1 ? "" : $"{d}: ";
                if (report.HeavyTailed) notes.Add(run + report.HeavyTailNote);
                if (report.Sticky) notes.Add(run + report.StickyNote);
                if (report.NonFinite > 0) notes.Add(run + report.NonFiniteNote);
            }

        string outDir = o.OutputDirectory ?? dirs[0];
        var result = new AnalysisResult
        {
            Runs = dirs, Algorithm = first.AlgorithmName, Lattice = first.Lattice.Geometry, Action = first.Action,
            Point = point, Flow = flow, Notes = notes, OutputDirectory = outDir,
        };
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, Json), ToJson(result, o).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (o.Pyerrors) PyerrorsExport.Write(Path.Combine(outDir, PyerrorsJson), first, dirs, runs.Select(r => r.Measurements).ToList(), o);
        if (o.Plots) AnalysisPlots.Write(Path.Combine(outDir, "plots"), result, [.. runs.SelectMany(r => r.Measurements.Column("M"))]);
        return result;
    }

    /// <summary>One figure of analysis.json: value, error and τ_int with their errors, window, N_eff, N, and whether it can be trusted.</summary>
    private static JsonArray Extents(Lattice.LatticeGeometry g) => new([.. g.Extents.Select(l => (JsonNode)l)]);

    internal static JsonObject Figure(GammaResult r) => new()
    {
        ["value"] = JsonFiles.Number(r.Value), ["error"] = JsonFiles.Number(r.Error), ["error_of_error"] = JsonFiles.Number(r.ErrorOfError),
        ["tau_int"] = JsonFiles.Number(r.TauInt), ["tau_int_error"] = JsonFiles.Number(r.TauIntError), ["window"] = r.Window, ["n_eff"] = JsonFiles.Number(r.NEff),
        ["n"] = r.N, ["status"] = r.Status.ToString().ToLowerInvariant(), ["reliable"] = r.Reliable, ["caveat"] = r.Caveat,
    };

    private static JsonObject ToJson(AnalysisResult r, AnalysisOptions o)
    {
        var c = r.Correlator;
        var derived = new JsonObject(r.Point.Derived.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Figure(kv.Value))))
        {
            ["G_tilde"] = new JsonArray([.. c.Correlator.Select(g => (JsonNode)Figure(g))]),
            ["m_eff"] = new JsonArray([.. c.EffectiveMass.Select(m => m is null ? null : (JsonNode)Figure(m))]),
            ["pole_mass"] = c.PoleMass is null ? null : Figure(c.PoleMass),
            ["plateau"] = c.Plateau is null ? null : new JsonObject { ["t_first"] = c.Plateau.First, ["t_last"] = c.Plateau.Last, ["chi2_per_dof"] = c.Plateau.ChiSquaredPerDof },
            ["m_p_L"] = c.PoleMassTimesL is null ? null : Figure(c.PoleMassTimesL),
        };
        var json = new JsonObject
        {
            ["runs"] = new JsonArray([.. r.Runs.Select(d => (JsonNode)Path.GetFullPath(d))]),
            ["algorithm"] = r.Algorithm,
            ["lattice"] = r.Lattice.Dimensions == 2
                ? new JsonObject { ["Lx"] = r.Lattice.Lx, ["Ly"] = r.Lattice.Ly, ["d"] = 2, ["extents"] = Extents(r.Lattice) }
                : new JsonObject { ["d"] = r.Lattice.Dimensions, ["extents"] = Extents(r.Lattice) },
            ["action"] = Physics.Actions.ToJson(r.Action),
            ["method"] = new JsonObject
            {
                ["name"] = "Gamma method (Wolff, hep-lat/0306017), derived quantities by linear error propagation of the means (UWerr)",
                ["S"] = o.S, ["therm"] = o.Thermalization, ["bin"] = o.Bin,
                ["tau_int_convention"] = "Wolff: 1/2 + sum_{t>=1} rho(t) (emcee's tau is twice this)",
                ["status_convention"] = "determined: error computed; constant: no fluctuations (error 0); undetermined: no error can be computed (non-finite data, a derivative outside its domain, too few data); null numbers are not known",
                ["replicas"] = r.Replicas, ["configurations_per_replica"] = r.ConfigurationsPerReplica,
                ["longest_replica"] = r.Point.LongestReplica, ["configurations"] = r.Point.Configurations,
            },
            ["primary"] = new JsonObject(r.Primaries.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)Figure(p.Result)))),
            ["derived"] = derived,
            ["notes"] = new JsonArray([.. r.Notes.Select(n => (JsonNode)n)]),
        };
        // φ⁴'s couplings also under the keys analysis.json has always had, for readers outside (written from the action).
        if (r.Action is Physics.Phi4Couplings phi4) json.Insert(json.IndexOf("action") + 1, "physics", new JsonObject { ["m2"] = phi4.M2, ["lam"] = phi4.Lambda });
        if (r.Flow is not null) json["flow"] = r.Flow.ToJson();
        return json;
    }
}
