using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

[Collection(SamplingCollection.Name)]
public class FlowMetropolisTests(TrainedModels models, EnsembleCache ensembles)
{
    private static SampleSettings Flow(string model, LatticeGeometry g, Phi4Couplings c, string dir, long n, int chains, ulong seed, bool symmetrize = false) => new()
    {
        Algorithm = "flow", Geometry = g, Action = c, OutputDirectory = dir, Configurations = n, Thermalization = 50,
        Chains = chains, Seed = seed, Device = "cpu", Flow = new FlowMetropolisSettings(model, 64, symmetrize),
    };

    /// <summary>The free field (m² = 1, λ = 0) on a 4 × 6 lattice and a briefly trained flow for it.</summary>
    private (LatticeGeometry Geometry, Phi4Couplings Couplings, string Model) FreeFieldSetup(bool equivariant = false, CouplingKind coupling = CouplingKind.Affine)
    {
        var c = Phi4Couplings.Standard(1.0, 0);
        return (new LatticeGeometry(4, 6), c, models.Get(4, 6, c, 100, equivariant: equivariant, coupling: coupling));
    }

    /// <summary>With Z2-symmetrised proposals, an equivariant flow, spline couplings; plain affine flow MH is one of the registered samplers
    /// (RegisteredSamplerTests).</summary>
    [Theory]
    [InlineData(true, false, CouplingKind.Affine)]
    [InlineData(false, true, CouplingKind.Affine)]
    [InlineData(false, false, CouplingKind.Spline)]
    [InlineData(true, false, CouplingKind.Spline)]
    [InlineData(false, true, CouplingKind.Spline)]
    public void FreeFieldPropagatorIsExactEvenWithAPoorFlow(bool symmetrize, bool equivariant, CouplingKind coupling)
    {
        var (g, c, model) = FreeFieldSetup(equivariant, coupling);
        using var tmp = new TempDir();
        var s = Flow(model, g, c, tmp.Sub("ff"), 20000, 4, 3, symmetrize);
        var result = SampleRun.Execute(s, ProgressReporter.Silent, default);
        Assert.InRange(result.MeanAcceptance, 0.02, 0.98);
        using var e = Ensemble.Open(s.OutputDirectory, g, 4, 20000);
        foreach (var (dx, dy) in new[] { (0, 0), (1, 0), (0, 1), (2, 3) })
        {
            double exact = FreeField.Propagator(g.Lx, g.Ly, c.M2, dx, dy);
            var r = GammaMethod.Analyze(e.Correlator(dx, dy));
            Assert.True(r.Reliable, $"G({dx},{dy}): too few data (τ_int {r.TauInt})");
            Assert.True(Math.Abs(r.Value - exact) < 4 * r.Error, $"flow G({dx},{dy}) = {r.Value} ± {r.Error}, exact {exact}");
        }
    }

    /// <summary>
    /// The tutorial point L = 8, m² = −4, λ = 8 with a half-size flow trained for 25 s (independence-Metropolis
    /// acceptance ≈ 0.29, τ_int ≈ 15): MH and reweighting must both reproduce HMC, with plain and with Z2-symmetrised
    /// proposals (whose mirrored configurations must carry their flipped M). The plain run and HMC's are the generic
    /// tests' (RegisteredSamplerTests.TutorialRun).
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void FlowAndHmcAgreeAtTheTutorialPoint(bool symmetrize, bool equivariant)
    {
        var g = LatticeGeometry.Square(8);
        var c = Phi4Couplings.Tutorial;
        string model = models.Get(8, 8, c, 1500, layers: 8, hidden: [8, 8], learningRate: 3e-3, equivariant: equivariant);
        using var tmp = new TempDir();
        var s = Flow(model, g, c, tmp.Sub("flow"), 30000, 2, 4, symmetrize);
        if (symmetrize || equivariant) SampleRun.Execute(s, ProgressReporter.Silent, default);
        else s = s with { OutputDirectory = RegisteredSamplerTests.TutorialRun("flow", models, ensembles) };
        using var flow = Ensemble.Open(s.OutputDirectory, g, 2, 30000);
        using var hmc = Ensemble.Open(RegisteredSamplerTests.TutorialRun("hmc", models, ensembles), g, 4, SamplerCases.For("hmc").TutorialConfigurations);
        double v = g.Volume;
        var report = FlowRunReport.Compute(s.OutputDirectory, v);
        Assert.False(report.HeavyTailed, $"weights heavy-tailed: Pareto k {report.ParetoK} > {report.ParetoThreshold}");
        foreach (var q in DerivedQuantities.Bulk)
        {
            string name = q.Key;
            GammaResult f(MeasurementTable t) => GammaMethod.Derived(Ensemble.Replicas([.. q.Primaries.Select(t.Column)]), q.At(v));
            var reweighted = report.Reweighted[q.Key];
            var a = f(flow.Table);
            var b = f(hmc.Table);
            Assert.True(a.Reliable, $"{name}: flow chain too short (τ_int {a.TauInt})");
            double sigma = Math.Sqrt(a.Error * a.Error + b.Error * b.Error);
            Assert.True(Math.Abs(a.Value - b.Value) < 4 * sigma, $"{name}: flow MH {a.Value} ± {a.Error}, HMC {b.Value} ± {b.Error}");
            double sigmaRw = Math.Sqrt(reweighted.Error * reweighted.Error + b.Error * b.Error);
            Assert.True(Math.Abs(reweighted.Value - b.Value) < 4 * sigmaRw, $"{name}: reweighted {reweighted.Value} ± {reweighted.Error}, HMC {b.Value} ± {b.Error}");
        }
    }

    /// <summary>Mirrored proposals keep the run's files consistent: each saved field sums to its M and to its time slices.</summary>
    [Fact]
    public void SymmetrizedRunsKeepFieldsMeasurementsAndTimeSlicesConsistent()
    {
        var g = LatticeGeometry.Square(4);
        string model = models.Get(4, 4, Phi4Couplings.Tutorial, 200);
        using var tmp = new TempDir();
        var s = Flow(model, g, Phi4Couplings.Tutorial, tmp.Sub("sym"), 300, 2, 8, symmetrize: true);
        SampleRun.Execute(s, ProgressReporter.Silent, default);
        var (field, _) = NpyReader.Read(RunFiles.Path(s.OutputDirectory, RunFiles.Fields));
        var (slices, _) = NpyReader.Read(RunFiles.Path(s.OutputDirectory, RunFiles.Timeslices));
        var m = MeasurementTable.Load(s.OutputDirectory).Column("M");
        int v = g.Volume;
        for (int k = 0; k < 300; k++)
            for (int b = 0; b < 2; b++)
            {
                long o = k * 2 + b;
                Assert.Equal(m[b][k], field.Skip((int)(o * v)).Take(v).Sum(), 1e-9);
                Assert.Equal(m[b][k], slices.Skip((int)(o * g.Ly)).Take(g.Ly).Sum(), 1e-9);
            }
        Assert.Contains(m.SelectMany(x => x), x => x > 0);
        Assert.Contains(m.SelectMany(x => x), x => x < 0);
        Assert.True(RunMeta.Read(s.OutputDirectory).Algorithm["symmetrize"].GetBoolean());
    }

    [Fact]
    public void AcceptanceBasedTauAgreesWithGammaMethod()
    {
        // The free field is unimodal and symmetric under φ → −φ, so an imperfect flow cannot trap the chain in one
        // sector of M; at the tutorial couplings a short-trained flow can, and τ_int(M) then exceeds eq. 16's estimate.
        var (g, c, model) = FreeFieldSetup();
        using var tmp = new TempDir();
        var s = Flow(model, g, c, tmp.Sub("tau"), 40000, 2, 5);
        SampleRun.Execute(s, ProgressReporter.Silent, default);
        var report = FlowRunReport.Compute(s.OutputDirectory, g.Volume);
        using var e = Ensemble.Open(s.OutputDirectory, g, 2, 40000);
        // ρ(t) of an observable is P(no acceptance in t steps) plus the correlation carried across an acceptance,
        // which is not zero when the observable is correlated with the weight w (the chain sticks longer at large
        // w, and what it moves to depends on w). M is odd under φ → −φ while w is even (up to the flow's small
        // asymmetry), so for M only the first term remains and eq. 16 must reproduce its τ_int.
        var gamma = GammaMethod.Analyze(e.Table.Column("M"));
        var acc = report.Acceptance;
        double sigma = Math.Sqrt(gamma.TauIntError * gamma.TauIntError + acc.TauIntFromAcceptanceError * acc.TauIntFromAcceptanceError);
        Assert.True(Math.Abs(gamma.TauInt - acc.TauIntFromAcceptance) < 4 * sigma,
            $"τ_int: Γ-method {gamma.TauInt} ± {gamma.TauIntError}, acceptance-based {acc.TauIntFromAcceptance} ± {acc.TauIntFromAcceptanceError}");
        Assert.True(acc.TauIntFromAcceptance >= acc.TauIntLowerBound - 4 * acc.TauIntFromAcceptanceError);
    }

    /// <summary>Ten proposals are too few for a Pareto tail: the run must still finish, with pareto_k null in meta.json (JSON has no NaN).</summary>
    [Fact]
    public void AShortRunWithoutAParetoTailStillWritesItsReport()
    {
        var (g, c, model) = FreeFieldSetup();
        using var tmp = new TempDir();
        var s = Flow(model, g, c, tmp.Sub("short"), 10, 1, 6) with { Thermalization = 0 };
        var result = SampleRun.Execute(s, ProgressReporter.Silent, default);
        Assert.True(result.Completed);
        var flow = RunMeta.Read(s.OutputDirectory).Flow!;
        Assert.Null(flow["pareto_k"]);
        Assert.NotNull(flow["acceptance"]);
    }

    [Fact]
    public void RejectionRunsAreCountedBetweenAcceptances()
    {
        bool T = true, F = false;
        var stats = AcceptanceHistory.Analyze([new[] { F, T, F, F, T, T, F, T, F, F, F }]);
        // Runs of 2 and 1 rejections are closed by an acceptance; the leading and trailing ones are not runs between acceptances.
        Assert.Equal(new Dictionary<int, long> { [1] = 1, [2] = 1 }, stats.RejectionRuns);
        Assert.Equal(4 / 11.0, stats.Acceptance, 12);
        Assert.Equal(1.5, stats.MeanRejectionRun, 12);
        Assert.Equal(11 / 4.0 - 0.5, stats.TauIntLowerBound, 12);
        // The longest stay counts the unclosed runs too: the trailing 3 here.
        Assert.Equal(3, stats.LongestRejectionRun);
        Assert.Equal(11, stats.ChainProposals);
    }

    /// <summary>
    /// The longest rejection run is the longest stay of any chain, leading and trailing runs included, and is judged
    /// against the length of the chain that holds it: sticky where that chain is shorter than 50 times the run.
    /// </summary>
    [Theory]
    [InlineData(100, 5000, false)]
    [InlineData(100, 4999, true)]
    [InlineData(101, 5000, true)]
    public void AChainShorterThanFiftyTimesItsLongestStayIsSticky(int run, int length, bool sticky)
    {
        var held = Enumerable.Range(0, length).Select(i => i < 10 || i % 2 == 0).ToArray();
        held[length - run - 1] = true;
        for (int i = length - run; i < length; i++) held[i] = false;
        var other = Enumerable.Repeat(false, run - 1).Concat(Enumerable.Repeat(true, 20_000)).ToArray();
        var stats = AcceptanceHistory.Analyze([other, held]);
        Assert.Equal(run, stats.LongestRejectionRun);
        Assert.Equal(length, stats.ChainProposals);
        Assert.Equal(sticky, stats.Sticky);
    }

    /// <summary>
    /// The stay judged is the chain's whose longest run is the largest fraction of its length: a short sticky chain is not
    /// hidden by a longer run in a long chain; a leading run counts; an all-rejected chain is sticky, an empty one is not.
    /// </summary>
    [Fact]
    public void TheStickiestChainIsJudgedWhateverItsLength()
    {
        static bool[] Chain(int length, int start, int run) => [.. Enumerable.Range(0, length).Select(i => i < start || i >= start + run)];
        // 300 of 100 000 (not sticky) against 30 of 1000 (sticky): the short chain is reported.
        var s = AcceptanceHistory.Analyze([Chain(100_000, 5000, 300), Chain(1000, 0, 30)]);
        Assert.Equal((30, 1000L, true), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
        s = AcceptanceHistory.Analyze([Chain(1000, 0, 30), Chain(100_000, 5000, 300)]);
        Assert.Equal((30, 1000L, true), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
        // A leading run (before the first acceptance) and a trailing one (never closed) are stays too.
        s = AcceptanceHistory.Analyze([Chain(10_000, 0, 250)]);
        Assert.Equal((250, 10_000L, true), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
        s = AcceptanceHistory.Analyze([Chain(10_000, 9750, 250)]);
        Assert.Equal((250, 10_000L, true), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
        // Equal fractions: the longer run, in either order.
        s = AcceptanceHistory.Analyze([Chain(1000, 10, 10), Chain(2000, 10, 20)]);
        Assert.Equal((20, 2000L, false), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
        s = AcceptanceHistory.Analyze([Chain(2000, 10, 20), Chain(1000, 10, 10)]);
        Assert.Equal((20, 2000L, false), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
        // Replicas of a sweep point: the same choice across runs (SweepSummary.Stickiest), whatever their order.
        var longRun = AcceptanceHistory.Analyze([Chain(100_000, 5000, 300)]);
        var shortChain = AcceptanceHistory.Analyze([Chain(1000, 0, 30)]);
        Assert.Same(shortChain, LatticeFlow.Sweeps.SweepSummary.Stickiest([longRun, shortChain]));
        Assert.Same(shortChain, LatticeFlow.Sweeps.SweepSummary.Stickiest([shortChain, longRun]));
        s = AcceptanceHistory.Analyze([new bool[40]]);
        Assert.Equal((40, 40L, true), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
        s = AcceptanceHistory.Analyze([Array.Empty<bool>()]);
        Assert.Equal((0, 0L, false), (s.LongestRejectionRun, s.ChainProposals, s.Sticky));
    }

    /// <summary>
    /// `analyze` of several flow runs gives each run's notes, prefixed with its directory, and no single flow section: a
    /// briefly trained flow's short run is sticky, a longer one of a better flow is judged on its own.
    /// </summary>
    [Fact]
    public void AnalyzingSeveralFlowRunsGivesEachRunsNotes()
    {
        var g = LatticeGeometry.Square(4);
        var c = Phi4Couplings.Tutorial;
        using var tmp = new TempDir();
        SampleRun.Execute(Flow(models.Get(4, 4, c, 20), g, c, tmp.Sub("poor"), 200, 1, 3), ProgressReporter.Silent, default);
        SampleRun.Execute(Flow(models.Get(4, 4, c, 200), g, c, tmp.Sub("better"), 4000, 1, 4), ProgressReporter.Silent, default);
        var reports = new[] { "poor", "better" }.ToDictionary(d => d, d => FlowRunReport.Compute(tmp.Sub(d), g.Volume));
        Assert.True(reports["poor"].Sticky);
        var r = RunAnalysis.Analyze([tmp.Sub("poor"), tmp.Sub("better")], new AnalysisOptions(OutputDirectory: tmp.Sub("analysis"), Plots: false));
        Assert.Null(r.Flow);
        foreach (var (d, report) in reports)
            Assert.Equal(report.Sticky, r.Notes.Contains($"{tmp.Sub(d)}: {report.StickyNote}"));
        var single = RunAnalysis.Analyze([tmp.Sub("poor")], new AnalysisOptions(OutputDirectory: tmp.Sub("analysis1"), Plots: false));
        Assert.NotNull(single.Flow);
        Assert.Contains(reports["poor"].StickyNote, single.Notes);
    }

    [Theory]
    [InlineData(30L, false)]
    [InlineData(130L, false)]
    [InlineData(130L, true)]
    public void ResumeAfterInterruptionEqualsUninterruptedRun(long interruptAt, bool symmetrize)
    {
        var g = LatticeGeometry.Square(4);
        var c = Phi4Couplings.Tutorial;
        string model = models.Get(4, 4, c, 200);
        using var tmp = new TempDir();
        SampleRun.Execute(Flow(model, g, c, tmp.Sub("whole"), 200, 2, 6, symmetrize), ProgressReporter.Silent, default);
        using var cts = new CancellationTokenSource();
        SampleRun.Execute(Flow(model, g, c, tmp.Sub("split"), 200, 2, 6, symmetrize), ProgressReporter.Silent, cts.Token, step => { if (step == interruptAt) cts.Cancel(); });
        SampleRun.Execute(Flow(model, g, c, tmp.Sub("split"), 200, 2, 6, symmetrize) with { Resume = true }, ProgressReporter.Silent, default);
        foreach (var f in new[] { RunFiles.Fields, RunFiles.Measurements, RunFiles.Timeslices, ProposalsCsv.File })
            Assert.True(File.ReadAllBytes(Path.Combine(tmp.Sub("whole"), f)).SequenceEqual(File.ReadAllBytes(Path.Combine(tmp.Sub("split"), f))), $"{f} differs");
    }

    /// <summary>A checkpoint written before Symmetrize existed (its settings lack the key) resumes as the plain run it was.</summary>
    [Fact]
    public void ACheckpointFromBeforeSymmetrizeResumes()
    {
        var g = LatticeGeometry.Square(4);
        var c = Phi4Couplings.Tutorial;
        string model = models.Get(4, 4, c, 200);
        using var tmp = new TempDir();
        SampleRun.Execute(Flow(model, g, c, tmp.Sub("whole"), 200, 2, 6), ProgressReporter.Silent, default);
        using var cts = new CancellationTokenSource();
        SampleRun.Execute(Flow(model, g, c, tmp.Sub("split"), 200, 2, 6), ProgressReporter.Silent, cts.Token, step => { if (step == 90) cts.Cancel(); });
        string path = RunFiles.Path(tmp.Sub("split"), RunFiles.Checkpoint);
        var state = Checkpoint.Read(path);
        Assert.Contains(",\"Symmetrize\":false", state.AlgorithmSettings);
        Checkpoint.Write(path, state with { AlgorithmSettings = state.AlgorithmSettings.Replace(",\"Symmetrize\":false", "") });
        SampleRun.Execute(Flow(model, g, c, tmp.Sub("split"), 200, 2, 6) with { Resume = true }, ProgressReporter.Silent, default);
        Assert.True(File.ReadAllBytes(RunFiles.Path(tmp.Sub("whole"), RunFiles.Fields)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(tmp.Sub("split"), RunFiles.Fields))));
    }

    /// <summary>proposals.csv cut below the checkpoint (an interrupted copy): the chain is replayed from its start, exactly.</summary>
    [Fact]
    public void ProposalsCutBelowTheCheckpointAreReplayedExactly()
    {
        var g = LatticeGeometry.Square(4);
        var c = Phi4Couplings.Tutorial;
        string model = models.Get(4, 4, c, 200);
        using var tmp = new TempDir();
        var whole = Flow(model, g, c, tmp.Sub("whole"), 200, 2, 6, symmetrize: true) with { SaveEvery = 2 };
        var split = whole with { OutputDirectory = tmp.Sub("split") };
        SampleRun.Execute(whole, ProgressReporter.Silent, default);
        using (var cts = new CancellationTokenSource())
            SampleRun.Execute(split, ProgressReporter.Silent, cts.Token, step => { if (step == 301) cts.Cancel(); });
        // 251 production updates, 125 configurations; the proposals of update 157 on (configuration 78 on) are lost.
        string path = Path.Combine(split.OutputDirectory, ProposalsCsv.File);
        var lines = File.ReadAllLines(path);
        Assert.Equal(1 + 251 * 2, lines.Length);
        File.WriteAllText(path, string.Join("\n", lines.Take(1 + 157 * 2)) + "\n" + lines[1 + 157 * 2][..5]);
        var result = SampleRun.Execute(split with { Resume = true }, ProgressReporter.Silent, default);
        Assert.Contains("proposals.csv holds 157 whole updates of the 251 sampled", result.ResumeNote);
        Assert.Contains("resuming at configuration 78, replaying the chain from its start to update 206", result.ResumeNote);
        foreach (var f in new[] { RunFiles.Fields, RunFiles.Measurements, RunFiles.Timeslices, ProposalsCsv.File })
            Assert.True(File.ReadAllBytes(Path.Combine(whole.OutputDirectory, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(split.OutputDirectory, f))), $"{f} differs");
        Assert.Equal(RunMeta.Read(whole.OutputDirectory).Flow!.ToJsonString(), RunMeta.Read(split.OutputDirectory).Flow!.ToJsonString());
    }

    /// <summary>
    /// The checkpoint and meta.json record the model's SHA-256: a resume with another model at the run's path is refused,
    /// saying what changed; the same model moved elsewhere continues the chain exactly.
    /// </summary>
    [Fact]
    public void AResumeRefusesAChangedModelAndFollowsAMovedOne()
    {
        var g = LatticeGeometry.Square(4);
        var c = Phi4Couplings.Tutorial;
        using var tmp = new TempDir();
        string model = tmp.Sub("model.lfm");
        File.Copy(models.Get(4, 4, c, 200), model);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)));
        SampleRun.Execute(Flow(model, g, c, tmp.Sub("whole"), 100, 2, 6), ProgressReporter.Silent, default);
        using (var cts = new CancellationTokenSource())
            SampleRun.Execute(Flow(model, g, c, tmp.Sub("split"), 100, 2, 6), ProgressReporter.Silent, cts.Token, step => { if (step == 90) cts.Cancel(); });
        Assert.Equal(sha, RunMeta.Read(tmp.Sub("split")).Algorithm["model_sha256"].GetString());
        Assert.Equal(sha, Checkpoint.Read(RunFiles.Path(tmp.Sub("split"), RunFiles.Checkpoint)).ModelSha256);

        // Retrained into the same path.
        File.Move(model, tmp.Sub("moved.lfm"));
        File.Copy(models.Get(4, 4, c, 20), model);
        string other = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)));
        var e = Assert.Throws<ResumeMismatchException>(() =>
            SampleRun.Execute(Flow(model, g, c, tmp.Sub("split"), 100, 2, 6) with { Resume = true }, ProgressReporter.Silent, default));
        Assert.Equal(new SettingDifference("model_sha256", other[..12], sha[..12], $"the model file {model} has changed since the run began"), Assert.Single(e.Differences));
        e = Assert.Throws<ResumeMismatchException>(() =>
            SampleRun.Execute(Flow(tmp.Sub("model.lfm"), g, c, tmp.Sub("split"), 100, 2, 6) with { Resume = true }, ProgressReporter.Silent, default));

        var moved = SampleRun.Execute(Flow(tmp.Sub("moved.lfm"), g, c, tmp.Sub("split"), 100, 2, 6) with { Resume = true }, ProgressReporter.Silent, default);
        Assert.True(moved.Completed);
        foreach (var f in new[] { RunFiles.Fields, RunFiles.Measurements, ProposalsCsv.File })
            Assert.True(File.ReadAllBytes(Path.Combine(tmp.Sub("whole"), f)).SequenceEqual(File.ReadAllBytes(Path.Combine(tmp.Sub("split"), f))), $"{f} differs");
        Assert.Equal(tmp.Sub("moved.lfm"), RunMeta.Read(tmp.Sub("split")).Algorithm["model"].GetString());
    }

    /// <summary>
    /// A model whose first layer overflows float32 for |z| &gt; 3 (two weights of its first convolution set to ±1.13·10³⁸,
    /// the case of the issue): a few % of the proposals have a non-finite log q or action. They are all rejected and counted in meta.json's flow
    /// section, their rows in proposals.csv read as numbers in pandas and numpy (nan, inf, -inf), and the run completes.
    /// </summary>
    [Fact]
    public void NonFiniteProposalsAreRejectedCountedAndWrittenReadably()
    {
        var g = LatticeGeometry.Square(4);
        var c = Phi4Couplings.Tutorial;
        using var tmp = new TempDir();
        var trained = ModelFile.Read(models.Get(4, 4, c, 200));
        var weights = (float[])trained.Weights.Clone();
        // The centre taps of two channels of the first convolution (1 -> 8, 3x3) of the first coupling: w·z overflows for
        // |z| > 3, to +inf in one channel and -inf in the other, and the next layer's sum of both is NaN.
        weights[4] = 1.13e38f;
        weights[9 + 4] = -1.13e38f;
        string model = tmp.Sub("overflow.lfm");
        ModelFile.Write(model, trained.Header, weights);
        var s = Flow(model, g, c, tmp.Sub("run"), 2000, 2, 7);
        var result = SampleRun.Execute(s, ProgressReporter.Silent, default);
        Assert.True(result.Completed);

        var rows = File.ReadAllLines(Path.Combine(s.OutputDirectory, ProposalsCsv.File)).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(2000 * 2, rows.Length);
        var nonFinite = rows.Where(r => !double.IsFinite(double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var meta = RunMeta.Read(s.OutputDirectory);
        Assert.Equal("complete", meta.Status);
        Assert.Equal(nonFinite.Length, meta.NonFiniteProposals);
        Assert.Equal(4000, meta.Proposals);
        Assert.InRange(nonFinite.Length, 10, 400);
        Assert.All(nonFinite, r => Assert.Equal("0", r[^1]));
        // Python's float() reads nan, inf and -inf; .NET's "NaN" and "Infinity" would not be read by numpy.loadtxt as written.
        Assert.All(rows.SelectMany(r => r), f => Assert.True(f is "nan" or "inf" or "-inf" || double.TryParse(f, System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double v) && double.IsFinite(v), $"field '{f}'"));
        Assert.Contains(nonFinite, r => r[2] == "nan");
        // The chain itself only ever holds finite configurations.
        Assert.All(File.ReadAllLines(RunFiles.Path(s.OutputDirectory, RunFiles.Measurements)).Skip(1).SelectMany(l => l.Split(',').Take(8)),
            f => Assert.DoesNotContain("nan", f));
    }

    [Fact]
    public void ModelForAnotherLatticeOrCouplingIsRefusedBeforeAnythingIsWritten()
    {
        string model = models.Get(4, 4, Phi4Couplings.Tutorial, 20);
        using var tmp = new TempDir();
        var wrongSize = Flow(model, LatticeGeometry.Square(6), Phi4Couplings.Tutorial, tmp.Sub("a"), 10, 1, 1);
        Assert.Contains("trained on the 4x4 lattice", Assert.Throws<InvalidInputException>(() => SampleRun.Execute(wrongSize, ProgressReporter.Silent, default)).Message);
        var wrongCoupling = Flow(model, LatticeGeometry.Square(4), Phi4Couplings.Standard(-4, 7), tmp.Sub("b"), 10, 1, 1);
        Assert.Contains("trained for the action {\"name\":\"phi4\",\"m2\":-4,\"lambda\":8}", Assert.Throws<InvalidInputException>(() => SampleRun.Execute(wrongCoupling, ProgressReporter.Silent, default)).Message);
        Assert.False(Directory.Exists(tmp.Sub("a")));
        Assert.False(Directory.Exists(tmp.Sub("b")));
    }
}
