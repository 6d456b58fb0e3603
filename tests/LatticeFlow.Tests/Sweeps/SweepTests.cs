using LatticeFlow.Physics;
using LatticeFlow.Analysis;
using LatticeFlow.Sampling;
using LatticeFlow.Runs;
using LatticeFlow.Sweeps;

namespace LatticeFlow.Tests.Sweeps;

public class SweepTests
{
    private const string Tiny = """
        {"name": "tiny", "configs": 400, "therm": 100, "chains": 2, "seed": 7,
         "flow": {"layers": 2, "hidden": [4], "max_steps": 20, "target_accept": null},
         "points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 6, "kappa": 0.25, "lam_hop": 0.02}]}
        """;

    [Fact]
    public void PresetsHoldThePapersEnsembles()
    {
        var a = SweepSpec.Preset("albergo2019");
        Assert.Equal([6, 8, 10, 12, 14], a.Points.Select(p => p.L));
        Assert.Equal([6.975, 6.008, 5.550, 5.276, 5.113], a.Points.Select(p => p.Couplings.Lambda));
        Assert.All(a.Points, p => Assert.Equal(-4.0, p.Couplings.M2));
        Assert.Equal([6, 8, 10, 12, 14, 20, 32, 64], SweepSpec.Preset("extended").Points.Select(p => p.L));
        var e = Assert.Throws<InvalidSettingException>(() => SweepSpec.Preset("nope"));
        Assert.Equal(("preset", "nope"), (e.Setting, e.Value));
        Assert.Contains("unknown preset", e.Message);
    }

    private const string Point = """{"L": 4, "m2": -4, "lam": 8}""";

    /// <summary>
    /// Every problem of a sweep file is one line that names the key and the value, in the file's words (never a flag,
    /// never a .NET type), whether JSON finds it (kind, unknown or repeated key) or a run's own settings check does.
    /// </summary>
    [Theory]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 5, "m2": -4, "lam": 8}]}""", "points[1].L = 5: lattice sizes must be even and at least 2 (the checkerboard must tile the periodic lattice)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": -1}]}""", "points[0].lam = -1: λ must be ≥ 0 (the action is unbounded below otherwise)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4}]}""", "points[0] = {\"L\":4,\"m2\":-4}: give either \"m2\" and \"lam\" or \"kappa\" and \"lam_hop\"")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8, "kappa": 0.2}]}""", "points[0] = {\"L\":4,\"m2\":-4,\"lam\":8,\"kappa\":0.2}: give either \"m2\" and \"lam\" or \"kappa\" and \"lam_hop\"")]
    [InlineData("""{"points": [{"L": 6, "kappa": 0.3, "lam_hop": 0}]}""", "points[0].kappa = 0.3: the free field (λ_h = 0) needs κ < 1/4, i.e. m² > 0 (the Gaussian is not normalisable otherwise)")]
    [InlineData("""{"points": []}""", "points = []: give at least one point")]
    [InlineData("""{}""", "missing \"points\" (required)")]
    [InlineData("""{"pionts": []}""", "unknown key \"pionts\" (known keys here: name, algorithms, replicas, seed, configs, therm, chains, save_every, fields, target_accept, hmc_steps, clusters, flow, points)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8, "Lx": 4}]}""", "unknown key \"points[0].Lx\" (known keys here: L, m2, lam, kappa, lam_hop)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"layerz": 2}}""", "unknown key \"flow.layerz\" (known keys here: layers, hidden, kernel, batch, lr, max_steps, target_accept, schedule, symmetrize, coupling, bins, bound, activation, final_tanh, equivariant, global_scale, spectrum_scaling, clamp, ladder, check_every, keep_best, max_seconds, ladder_seconds, eval)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "configs": 5, "configs": 6}""", "key \"configs\" appears twice; give each key once")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"lr": 0.1, "lr": 0.2}}""", "key \"flow.lr\" appears twice; give each key once")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "algorithms": ["gibbs"]}""", "algorithms[0] = \"gibbs\": unknown algorithm (choose flow, hmc, metropolis, cluster)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "algorithms": []}""", "algorithms = []: give at least one of flow, hmc, metropolis, cluster")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "algorithms": ["hmc", "hmc"]}""", "algorithms[1] = \"hmc\": listed twice")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "configs": "many"}""", "configs = \"many\": expected a whole number")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "chains": 2.5}""", "chains = 2.5: expected a whole number (at most 2147483647)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "seed": -1}""", "seed = -1: expected a whole number ≥ 0")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "name": null}""", "name = null: expected a string in quotes")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"hidden": [8, "x"]}}""", "flow.hidden[1] = \"x\": expected a whole number (at most 2147483647)")]
    [InlineData("""{"points": {"L": 4}}""", "points = {\"L\": 4}: expected a list [...] whose entries are each a point {\"L\": …, \"m2\": …, \"lam\": …} or {\"L\": …, \"kappa\": …, \"lam_hop\": …}")]
    [InlineData("""{"points": [ """, "not valid JSON at line 1, byte 14: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed")]
    [InlineData("""[1, 2]""", "a sweep file is one JSON object {\"points\": [...], ...} (README)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"schedule": "linear"}}""", "flow.schedule = linear: unknown schedule (constant or cosine)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"symmetrize": "yes"}}""", "flow.symmetrize = \"yes\": expected true or false")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"kernel": 5}}""", "flow.kernel = 5: larger than the 4x4 lattice")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"lr": 0}}""", "flow.lr = 0: must be a positive number")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"coupling": "cubic"}}""", "flow.coupling = cubic: unknown coupling (affine, additive or spline)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"coupling": "spline", "bins": 1}}""", "flow.bins = 1: a spline needs between 2 and 128 bins")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"coupling": "spline", "bound": 0}}""", "flow.bound = 0: the spline's interval [-B, B] needs 0 < B ≤ 1e6")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"max_steps": -1}}""", "flow.max_steps = -1: must be ≥ 0")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"max_seconds": -1}}""", "flow.max_seconds = -1: must be a number of seconds ≥ 0 (0: no limit)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"ladder_seconds": -5, "ladder": true}}""", "flow.ladder_seconds = -5: must be a number of seconds ≥ 0 (0: no ladder budget)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"ladder_seconds": 600}}""", "flow.ladder_seconds = 600: a budget for a ladder: set flow.ladder too")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"eval": -1}}""", "flow.eval = -1: must be 0 (no evaluation) or at least 2 (a chain needs two proposals)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"target_accept": 2}}""", "flow.target_accept = 2: must lie in (0, 1]")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "target_accept": 1}""", "target_accept = 1: must lie in [0, 1) (0: no tuning)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "hmc_steps": 0}""", "hmc_steps = 0: need at least one integrator step per trajectory")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "clusters": -1}""", "clusters = -1: must be ≥ 0 (0: Metropolis sweeps alone)")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "configs": 0}""", "configs = 0: the number of configurations must be positive")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "therm": -1}""", "therm = -1: must be ≥ 0")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "save_every": 0}""", "save_every = 0: must be ≥ 1")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "replicas": 0}""", "replicas = 0: need at least 1")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 4, "m2": -4, "lam": 8}]}""", "points[1] = L4_m2-4_lam8: the same point as points[0]")]
    public void MalformedSweepFileSaysWhichKeyValueAndWhy(string json, string expected)
    {
        var e = Assert.ThrowsAny<InvalidInputException>(() => SweepSpec.Parse(json, "sweep.json"));
        Assert.Equal("sweep.json: " + expected, e.Message);
        Assert.DoesNotContain("--", e.Message.Replace("...", ""));
        Assert.DoesNotMatch(@"System\.|Int32|Int64|UInt|Double|Boolean|\.NET", e.Message);
    }

    /// <summary>The flow's training is checked only where a flow is trained: a 3 × 3 kernel does not fit L = 2, but an HMC sweep there is fine.</summary>
    [Fact]
    public void FlowTrainingIsCheckedOnlyWhereAFlowIsTrained()
    {
        const string json = """{"algorithms": ["hmc"], "points": [{"L": 2, "m2": 1, "lam": 0}]}""";
        Assert.Equal(2, SweepSpec.Parse(json, "s.json").Points[0].L);
        Assert.Contains("flow.kernel = 3: larger than the 2x2 lattice",
            Assert.ThrowsAny<InvalidInputException>(() => SweepSpec.Parse(json.Replace("\"hmc\"", "\"flow\""), "s.json")).Message);
    }

    /// <summary>The flow keys for time budgets and the final evaluation reach every point's training; their defaults are none and 2000.</summary>
    [Fact]
    public void MaxSecondsAndEvalReachTheTraining()
    {
        var spec = SweepSpec.Parse("""{"points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 6, "m2": -4, "lam": 7}], "flow": {"max_seconds": 12.5, "eval": 777}}""", "s.json");
        foreach (int point in new[] { 0, 1 })
        {
            var t = spec.TrainingSettings(point, "dir");
            Assert.Equal(12.5, t.MaxSeconds);
            Assert.Equal(777, t.EvaluationProposals);
        }
        var plain = SweepSpec.Parse("""{"points": [{"L": 4, "m2": -4, "lam": 8}]}""", "s.json").TrainingSettings(0, "dir");
        Assert.Equal(0, plain.MaxSeconds);
        Assert.Equal(SweepSpec.DefaultEvaluationProposals, plain.EvaluationProposals);
    }

    /// <summary>README's sweep file parses, and every key but points and name holds the default it claims.</summary>
    [Fact]
    public void ReadmesSweepFileParsesWithTheDefaultsItShows()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        int start = readme.IndexOf("```json\n{\"name\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has the sweep-file example");
        string json = readme[(start + 8)..readme.IndexOf("```", start + 8, StringComparison.Ordinal)];
        var spec = SweepSpec.Parse(json, "README.md");
        Assert.Equal([8, 8], spec.Points.Select(p => p.L));
        var defaults = new SweepSpec { Name = spec.Name, Points = spec.Points };
        Assert.Equal(defaults.ToJson(), spec.ToJson());
    }

    /// <summary>What ToJson writes (sweep.json in sweep and job-array directories) reads back as the same sweep.</summary>
    [Theory]
    [InlineData("albergo2019")]
    [InlineData("extended")]
    [InlineData("demo")]
    [InlineData("tiny")]
    public void StoredSweepFilesReadBackAsWritten(string name)
    {
        var spec = name == "tiny" ? SweepSpec.Parse(Tiny, "tiny.json") : SweepSpec.Preset(name);
        var back = SweepSpec.Parse(spec.ToJson(), "sweep.json");
        Assert.Equal(spec.ToJson(), back.ToJson());
        Assert.Equal(spec.Points.Select(p => p.Name), back.Points.Select(p => p.Name));
    }

    /// <summary>
    /// sweep.json as the first sweep version wrote it (no flow.schedule, flow.symmetrize or fields) reads as the sweep it
    /// ran: a constant learning rate, plain proposals, fields saved; not as today's defaults.
    /// </summary>
    [Fact]
    public void ASweepFileFromTheFirstVersionReadsAsTheSweepItRan()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("sweep.json");
        File.WriteAllText(path, """
            {
              "name": "old", "algorithms": ["flow", "hmc"], "replicas": 1, "seed": 1, "configs": 400, "therm": 100, "chains": 2,
              "save_every": 1, "target_accept": 0.7, "hmc_steps": 10,
              "flow": {"layers": 2, "hidden": [4], "kernel": 3, "batch": 64, "lr": 0.001, "max_steps": 20, "target_accept": null},
              "points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 6, "kappa": 0.25, "lam_hop": 0.02}]
            }
            """);
        var stored = SweepSpec.ReadStored(path)!;
        Assert.Equal("constant", stored.Flow.Schedule);
        Assert.False(stored.Flow.Symmetrize);
        Assert.True(stored.SaveFields);
        Assert.Null(stored.Flow.TargetAcceptance);
        Assert.Equal(0.25, stored.Points[1].Couplings.Kappa);
        Assert.Equal("cosine", SweepSpec.Parse(File.ReadAllText(path), path).Flow.Schedule); // today's file, today's default
    }

    /// <summary>
    /// A sweep that a run would refuse is refused whole before anything is written: no directory, no sweep.json, no
    /// "== point 0"; the corrected sweep then starts there as a new sweep (issue 12).
    /// </summary>
    [Fact]
    public void ASweepARunWouldRefuseWritesNothingAndItsCorrectionIsNotAChangedSweep()
    {
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        var bad = SweepSpec.Parse(Tiny, "tiny.json") with { Algorithms = ["hmc"], HmcSteps = 0 };
        var log = new StringWriter();
        var e = Assert.ThrowsAny<InvalidInputException>(() =>
            SweepRunner.Run(bad, new SweepOptions(outDir, "cpu"), log, () => ProgressReporter.Silent, default));
        Assert.Equal("sweep: hmc_steps = 0: need at least one integrator step per trajectory", e.Message);
        Assert.Equal("", log.ToString());
        Assert.False(Directory.Exists(outDir));
        Assert.True(SweepRunner.Run(bad with { HmcSteps = 10, Points = [bad.Points[0]] }, new SweepOptions(outDir, "cpu"), log, () => ProgressReporter.Silent, default));
    }

    [Theory]
    [InlineData("device", "tpu")]
    [InlineData("only_point", "2")]
    [InlineData("threads", "-1")]
    public void UnusableOptionsAreRefusedBeforeAnythingIsWritten(string setting, string value)
    {
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        var spec = SweepSpec.Parse(Tiny, "tiny.json");
        var options = setting switch
        {
            "device" => new SweepOptions(outDir, value),
            "only_point" => new SweepOptions(outDir, "cpu", OnlyPoint: int.Parse(value)),
            _ => new SweepOptions(outDir, "cpu", Threads: int.Parse(value)),
        };
        var e = Assert.Throws<InvalidSettingException>(() => SweepRunner.Run(spec, options, TextWriter.Null, () => ProgressReporter.Silent, default));
        Assert.Equal((setting, value), (e.Setting, e.Value));
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>A sweep whose files cannot fit on the disk is refused before anything is written, with both figures.</summary>
    [Fact]
    public void ASweepTooLargeForTheDiskIsRefusedUpFront()
    {
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        var spec = new SweepSpec { Algorithms = ["hmc"], Points = [SweepPoint.Standard(1024, -4, 8)], Configurations = 4_000_000_000, Thermalization = 0 };
        var e = Assert.Throws<InvalidSettingException>(() => SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), TextWriter.Null, () => ProgressReporter.Silent, default));
        Assert.Equal("output_directory", e.Setting);
        Assert.Matches(@"would write 33\.6 PB more \(33\.6 PB of them fields\) and .* has [0-9.]+ [kMGTP]?B free; in the sweep file set ""fields"": false", e.Message);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>flow.symmetrize (default on) reaches the flow runs and the stored sweep file; false turns it off.</summary>
    [Theory]
    [InlineData("", true)]
    [InlineData(", \"symmetrize\": false", false)]
    public void FlowSweepsSymmetrizeTheirRunsUnlessTold(string key, bool expected)
    {
        var spec = SweepSpec.Parse(Tiny.Replace("\"max_steps\": 20", "\"max_steps\": 20" + key), "tiny.json") with { Algorithms = ["flow"] };
        spec = spec with { Points = [spec.Points[0]] };
        Assert.Equal(expected, spec.Flow.Symmetrize);
        Assert.Contains($"\"symmetrize\": {(expected ? "true" : "false")}", spec.ToJson());
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
        var run = Directory.GetDirectories(outDir, "flow-r0", SearchOption.AllDirectories).Single();
        Assert.Equal(expected, RunMeta.Read(run).Algorithm["symmetrize"].GetBoolean());
    }

    /// <summary>
    /// "fields": false leaves no fields.npy but the measurements the summary needs; a sweep directory from before the key
    /// (which saved fields) continues under the default.
    /// </summary>
    [Theory]
    [InlineData("", true)]
    [InlineData("\"fields\": false, ", false)]
    public void SweepsSaveFieldsUnlessTold(string key, bool expected)
    {
        var spec = SweepSpec.Parse(Tiny.Replace("\"seed\": 7,", "\"seed\": 7, " + key), "tiny.json") with { Algorithms = ["hmc"] };
        spec = spec with { Points = [spec.Points[0]] };
        Assert.Equal(expected, spec.SaveFields);
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        Directory.CreateDirectory(outDir);
        var stored = System.Text.Json.Nodes.JsonNode.Parse(spec.ToJson())!;
        stored.AsObject().Remove("fields");
        File.WriteAllText(Path.Combine(outDir, "sweep.json"), stored.ToJsonString());
        if (!expected)
        {
            Assert.Contains("other settings", Assert.ThrowsAny<InvalidInputException>(() =>
                SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default)).Message);
            File.Delete(Path.Combine(outDir, "sweep.json"));
        }
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
        string run = SweepRunner.RunDirectory(outDir, spec.Points[0], "hmc", 0);
        Assert.Equal(expected, File.Exists(Path.Combine(run, RunFiles.Fields)));
        Assert.True(File.Exists(Path.Combine(run, RunFiles.Measurements)));
        Assert.Equal(800, SweepSummary.Aggregate(outDir).Single().Configurations);  // 400 per chain, 2 chains
    }

    /// <summary>A sweep directory from before flow.symmetrize (plain proposals) continues with "symmetrize": false, not with the new default.</summary>
    [Fact]
    public void ASweepFromBeforeSymmetrizeContinuesOnlyWithPlainProposals()
    {
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        var plain = SweepSpec.Parse(Tiny.Replace("\"max_steps\": 20", "\"max_steps\": 20, \"symmetrize\": false"), "tiny.json") with { Algorithms = ["hmc"] };
        Directory.CreateDirectory(outDir);
        var old = System.Text.Json.Nodes.JsonNode.Parse(plain.ToJson())!;
        old["flow"]!.AsObject().Remove("symmetrize");
        File.WriteAllText(Path.Combine(outDir, "sweep.json"), old.ToJsonString());
        var e = Assert.ThrowsAny<InvalidInputException>(() => SweepRunner.Run(plain with { Flow = plain.Flow with { Symmetrize = true } },
            new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
        Assert.Contains("other settings", e.Message);
        Assert.True(SweepRunner.Run(plain, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
    }

    [Fact]
    public void LocalSweepSummarisesResumesAndRefusesAChangedFile()
    {
        using var tmp = new TempDir();
        var spec = SweepSpec.Parse(Tiny, "tiny.json");
        string outDir = tmp.Sub("sweep");
        var log = new StringWriter();
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), log, () => ProgressReporter.Silent, default));
        var rows = SweepSummary.Aggregate(outDir);
        Assert.Equal(8, rows.Count);
        Assert.Equal(["flow", "hmc", "metropolis", "cluster"], rows.Where(r => r.Point == 0).Select(r => r.Algorithm));
        Assert.All(rows, r => Assert.Equal(800, r.Configurations));
        Assert.All(rows, r => Assert.True(r.Chi2.Error > 0 && r.Chi2.TauInt >= 0.5 - 1e-9 && r.SecondsPerIndependent > 0));
        Assert.All(rows.Where(r => r.Algorithm == "flow"), r => Assert.Equal(20, r.TrainingSteps));
        // Hopping-form points are converted: m² = (1 − 2λ_h)/κ − 4, λ = λ_h/κ².
        Assert.Equal((1 - 2 * 0.02) / 0.25 - 4, rows.First(r => r.L == 6).M2!.Value, 12);
        var csv = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        Assert.Equal(9, csv.Length);
        Assert.Contains("tau_chi2", csv[0]);
        Assert.Contains("mpL", csv[0]);
        Assert.True(File.Exists(Path.Combine(outDir, "plots", "mpL_vs_L.png")));
        Assert.True(new FileInfo(Path.Combine(outDir, "plots", "tau_vs_L_chi2.png")).Length > 10_000);
        Assert.True(File.Exists(Path.Combine(outDir, "plots", "cost_vs_L.svg")));

        // Re-running skips what is done, with identical ensembles.
        byte[] before = File.ReadAllBytes(Path.Combine(SweepRunner.RunDirectory(outDir, spec.Points[0], "hmc", 0), RunFiles.Fields));
        var again = new StringWriter();
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), again, () => ProgressReporter.Silent, default));
        Assert.Equal(10, again.ToString().Split('\n').Count(l => l.Contains("done before")));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(SweepRunner.RunDirectory(outDir, spec.Points[0], "hmc", 0), RunFiles.Fields)));

        var changed = spec with { Configurations = 500 };
        Assert.Contains("other settings", Assert.ThrowsAny<InvalidInputException>(() =>
            SweepRunner.Run(changed, new SweepOptions(outDir, "cpu"), TextWriter.Null, () => ProgressReporter.Silent, default)).Message);
    }

    /// <summary>
    /// A run's seed is base + 1000·point + 10·replica + its sampler's own fixed offset: the seeds of flow, HMC and Metropolis
    /// runs are those they had before the cluster sampler was registered, whatever the order of the registry or of the
    /// sweep file's list; the presets run all four samplers.
    /// </summary>
    [Fact]
    public void SeedsDependOnEachSamplersOwnOffsetOnly()
    {
        var spec = new SweepSpec { Seed = 7, Points = [SweepPoint.Standard(4, -4, 8)] };
        Assert.Equal([7UL + 2030, 7UL + 2031, 7UL + 2032, 7UL + 2033], new[] { "flow", "hmc", "metropolis", "cluster" }.Select(a => spec.SeedFor(2, 3, a)));
        var reordered = spec with { Algorithms = ["cluster", "metropolis", "hmc"] };
        Assert.Equal(7UL + 2032, reordered.SeedFor(2, 3, "metropolis"));
        foreach (string preset in new[] { "albergo2019", "extended", "demo" })
            Assert.Equal(["flow", "hmc", "metropolis", "cluster"], SweepSpec.Preset(preset).Algorithms);
        Assert.Equal(ClusterSettings.DefaultClusters, spec.RunSettings(0, "cluster", 0, "d").Cluster.Clusters);
        var tuned = spec with { Clusters = 5, TargetAcceptance = 0.6 };
        Assert.Equal(new ClusterSettings(TargetAcceptance: 0.6, Clusters: 5), tuned.RunSettings(0, "cluster", 0, "d").Cluster);
    }

    /// <summary>
    /// A sweep directory made before the cluster sampler (its sweep.json has no "clusters" and three algorithms) continues
    /// as it was; adding "cluster" to it is a changed sweep, which --allow-changed continues: the old runs are kept (same
    /// seeds, done before) and the cluster runs added.
    /// </summary>
    [Fact]
    public void ASweepFromBeforeTheClusterSamplerKeepsItsRunsAndSeeds()
    {
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        var old = SweepSpec.Parse(Tiny, "tiny.json") with { Algorithms = ["hmc"] };
        old = old with { Points = [old.Points[0]] };
        Assert.True(SweepRunner.Run(old, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
        var stored = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "sweep.json")))!.AsObject();
        stored.Remove("clusters");
        File.WriteAllText(Path.Combine(outDir, "sweep.json"), stored.ToJsonString());
        string hmc = SweepRunner.RunDirectory(outDir, old.Points[0], "hmc", 0);
        byte[] before = File.ReadAllBytes(RunFiles.Path(hmc, RunFiles.Fields));
        Assert.True(SweepRunner.Run(old, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));

        var added = old with { Algorithms = ["hmc", "cluster"] };
        Assert.Contains("other settings", Assert.ThrowsAny<InvalidInputException>(() =>
            SweepRunner.Run(added, new SweepOptions(outDir, "cpu"), TextWriter.Null, () => ProgressReporter.Silent, default)).Message);
        var log = new StringWriter();
        Assert.True(SweepRunner.Run(added, new SweepOptions(outDir, "cpu", AllowChanged: true), log, () => ProgressReporter.Silent, default));
        Assert.Contains("hmc r0: done before", log.ToString());
        Assert.Equal(before, File.ReadAllBytes(RunFiles.Path(hmc, RunFiles.Fields)));
        Assert.Equal(7UL + 1, RunMeta.Read(hmc).Seed);
        Assert.Equal(7UL + 3, RunMeta.Read(SweepRunner.RunDirectory(outDir, old.Points[0], "cluster", 0)).Seed);
        Assert.Equal(["hmc", "cluster"], SweepSummary.Aggregate(outDir).Select(r => r.Algorithm));
    }

    [Fact]
    public void DynamicExponentFitRecoversAPowerLaw()
    {
        double[] l = [6, 8, 10, 12, 14];
        var tau = l.Select(x => 0.3 * Math.Pow(x, 2.1)).ToArray();
        var fit = DynamicExponent.Fit(l, tau, tau.Select(t => 0.05 * t).ToArray());
        Assert.Equal(2.1, fit.Z, 10);
        Assert.Equal(0.3, fit.Amplitude, 10);
        Assert.True(fit.ZError > 0);
    }

    /// <summary>
    /// Scatter beyond the error bars (χ²/dof &gt; 1) widens z's error by √(χ²/dof): the same as refitting with the errors
    /// widened until χ²/dof = 1. Error bars larger than the scatter are not shrunk.
    /// </summary>
    [Fact]
    public void ExponentErrorGrowsWithTheScatterBeyondTheErrorBars()
    {
        double[] l = [6, 8, 10, 12, 14, 20];
        var tau = l.Select((x, i) => 0.3 * Math.Pow(x, 2.1) * (i % 2 == 0 ? 1.15 : 0.87)).ToArray();
        var errors = tau.Select(t => 0.02 * t).ToArray();
        var fit = DynamicExponent.Fit(l, tau, errors);
        Assert.True(fit.ChiSquaredPerDof > 10, $"chi2/dof {fit.ChiSquaredPerDof}");
        double c = Math.Sqrt(fit.ChiSquaredPerDof);
        var widened = DynamicExponent.Fit(l, tau, errors.Select(e => e * c).ToArray());
        Assert.Equal(1.0, widened.ChiSquaredPerDof, 9);
        Assert.Equal(widened.ZError, fit.ZError, 12);
        Assert.Equal(widened.Z, fit.Z, 12);
        var generous = DynamicExponent.Fit(l, tau, errors.Select(e => e * 10 * c).ToArray());
        Assert.Equal(10 * widened.ZError, generous.ZError, 9);
        Assert.True(double.IsNaN(DynamicExponent.Fit([6, 8], [1, 2], [0.1, 0.2]).ChiSquaredPerDof));
    }

    /// <summary>
    /// A size whose τ_int cannot be trusted (too few data, heavy-tailed flow weights, a sticky flow chain) must not pull
    /// the fitted z; a chain of exactly 50 times its longest rejection run is not sticky, one proposal fewer is.
    /// </summary>
    [Fact]
    public void UntrustedSizesStayOutOfTheExponentFit()
    {
        static Estimate E(double tau, bool reliable) => new(1, 0.1, tau, 0.05 * tau, reliable);
        SweepRow Row(int l, double tau, bool reliable, double? paretoK, long chain = 5000) => new()
        {
            Point = l, L = l, Action = Phi4Couplings.Standard(-4, 6), Algorithm = "flow", Replicas = 1, Configurations = 1000, Acceptance = 0.3,
            AbsMagnetization = E(tau, reliable), Chi2 = E(tau, reliable), IsingEnergy = E(tau, reliable),
            Primaries = SweepSummary.PrimaryObservables.ToDictionary(p => p, _ => E(tau, reliable)),
            SecondsPerConfiguration = 1e-3, SecondsPerIndependent = 2e-3 * tau, ParetoK = paretoK, ParetoThreshold = 0.7,
            LongestRejectionRun = 100, LongestRunChainProposals = chain,
        };
        var rows = new List<SweepRow>
        {
            Row(6, 0.3 * Math.Pow(6, 2.1), true, 0.5), Row(8, 0.3 * Math.Pow(8, 2.1), true, 0.5), Row(10, 0.3 * Math.Pow(10, 2.1), true, 0.6),
            Row(12, 1000, false, 0.6), Row(14, 1000, true, 0.8), Row(16, 1000, true, 0.5, chain: 4999),
        };
        Assert.Equal([false, false, false, false, false, true], rows.Select(r => r.Sticky));
        Assert.Contains("sticky chain: 100 rejections in a row in a chain of 4999, fewer than 50 times the run", rows[5].Caveats);
        Assert.Equal("", rows[0].Caveats);
        var fits = SweepSummary.Fits(rows);
        var fit = fits["flow/chi2"];
        Assert.Equal(2.1, fit.Z, 8);
        Assert.Equal(3, fit.Points);
        Assert.Equal(3, fit.Excluded);
        Assert.Empty(SweepSummary.Unfitted(rows, fits, "chi2", "absM"));
        // One trusted size left: no fit, and the table must say so rather than drop the algorithm's z lines.
        var few = rows.Where(r => r.L == 6 || r.L >= 12).ToList();
        Assert.Equal([("flow/chi2", 4), ("flow/absM", 4)], SweepSummary.Unfitted(few, SweepSummary.Fits(few), "chi2", "absM"));
    }
}
