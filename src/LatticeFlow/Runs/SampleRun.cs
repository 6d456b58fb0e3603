using System.Diagnostics;
using System.Text.Json;
using LatticeFlow.Analysis;
using LatticeFlow.Devices;
using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Sampling;

namespace LatticeFlow.Runs;

/// <summary>
/// A `sample` run from start (or checkpoint) to finish: thermalise while tuning, then sample with the
/// step frozen, writing the ensemble files as it goes. Cancellation finishes the current update, flushes,
/// writes the checkpoint and returns; resuming continues the same Markov chain exactly.
/// </summary>
public static class SampleRun
{
    /// <param name="afterUpdate">Test hook: called with the global update number after each update.</param>
    public static SampleResult Execute(SampleSettings settings, ProgressReporter progress, CancellationToken cancel, Action<long>? afterUpdate = null)
    {
        var s = settings.Validated();
        string dir = s.OutputDirectory;
        CheckpointState? resumed = s.Resume ? Checkpoint.Read(RunFiles.Path(dir, RunFiles.Checkpoint)) : null;
        if (resumed is not null) CheckCompatible(s, resumed);
        using var device = DeviceFactory.Create(s.Device, s.Threads);
        if (resumed is null)
        {
            PrepareFreshDirectory(dir, s.Force);
            Directory.CreateDirectory(dir);
        }
        using var fields = new FieldBatch(device, s.Geometry, s.Chains);
        using var sampler = CreateSampler(s, device);
        using var meter = new ConfigurationMeter(device, s.Geometry, s.Chains, s.Couplings);

        long step = 0, written = 0;
        double thermSeconds = 0, sampleSeconds = 0;
        var acceptanceSum = new double[s.Chains];
        if (resumed is null)
        {
            fields.Randomize(s.Seed, 1.0);
        }
        else
        {
            fields.CopyFrom(resumed.Field);
            step = resumed.Step;
            written = resumed.ConfigurationsWritten;
            sampler.Tuner.LogValue = resumed.TunerLogValue;
            sampler.Tuner.Iterations = resumed.TunerIterations;
            sampler.Tuner.AverageSum = resumed.TunerAverageSum;
            sampler.Tuner.AverageCount = resumed.TunerAverageCount;
            sampler.Tally = new AcceptanceTally(resumed.TallyAccepted, resumed.TallyUpdates);
            sampler.ImportState(resumed.SamplerState);
            acceptanceSum = resumed.AcceptanceSum;
            thermSeconds = resumed.ThermalizationSeconds;
            sampleSeconds = resumed.SamplingSeconds;
        }

        int[] fieldShape = s.Chains == 1 ? [s.Geometry.Lx, s.Geometry.Ly] : [s.Chains, s.Geometry.Lx, s.Geometry.Ly];
        using var fieldsFile = !s.SaveFields ? null : resumed is null
            ? NpyWriter.Create(RunFiles.Path(dir, RunFiles.Fields), fieldShape)
            : NpyWriter.Reopen(RunFiles.Path(dir, RunFiles.Fields), written, fieldShape);
        using var slicesFile = resumed is null
            ? NpyWriter.Create(RunFiles.Path(dir, RunFiles.Timeslices), s.Chains, s.Geometry.Ly)
            : NpyWriter.Reopen(RunFiles.Path(dir, RunFiles.Timeslices), written, s.Chains, s.Geometry.Ly);
        string header = MeasurementsCsv.HeaderWith(sampler.ExtraColumns);
        using var csv = resumed is null
            ? CsvLog.Create(RunFiles.Path(dir, RunFiles.Measurements), header)
            : CsvLog.Reopen(RunFiles.Path(dir, RunFiles.Measurements), header, written * s.Chains);
        var flow = sampler as FlowMetropolis;
        long productionUpdates = Math.Max(0, step - s.Thermalization);
        using var proposals = flow is null ? null : resumed is null
            ? CsvLog.Create(RunFiles.Path(dir, ProposalsCsv.File), ProposalsCsv.Header)
            : CsvLog.Reopen(RunFiles.Path(dir, ProposalsCsv.File), ProposalsCsv.Header, productionUpdates * s.Chains);
        var extra = new double[sampler.ExtraColumns.Count];

        var measurements = new ConfigurationMeasurement[s.Chains];
        var slices = new double[s.Chains * s.Geometry.Ly];
        var host = new double[fields.Sites];
        var acceptance = new double[s.Chains];
        long totalUpdates = s.Thermalization + s.Configurations * s.SaveEvery;

        void Save(string status)
        {
            fieldsFile?.Flush();
            slicesFile.Flush();
            csv.Flush();
            proposals?.Flush();
            sampler.CopyFields(fields, host);
            var tally = sampler.Tally;
            Checkpoint.Write(RunFiles.Path(dir, RunFiles.Checkpoint), new CheckpointState
            {
                Algorithm = s.Algorithm, Lx = s.Geometry.Lx, Ly = s.Geometry.Ly, M2 = s.Couplings.M2, Lambda = s.Couplings.Lambda,
                Kappa = s.Couplings.Kappa, LambdaHop = s.Couplings.LambdaHop, Chains = s.Chains, Seed = s.Seed,
                Thermalization = s.Thermalization, SaveEvery = s.SaveEvery, AlgorithmSettings = AlgorithmSettingsKey(s),
                Step = step, ConfigurationsWritten = written, TunerLogValue = sampler.Tuner.LogValue, TunerIterations = sampler.Tuner.Iterations,
                TunerAverageSum = sampler.Tuner.AverageSum, TunerAverageCount = sampler.Tuner.AverageCount,
                TallyAccepted = tally.Accepted, TallyUpdates = tally.Updates, AcceptanceSum = acceptanceSum,
                ThermalizationSeconds = thermSeconds, SamplingSeconds = sampleSeconds, SamplerState = sampler.ExportState(), Field = host,
            });
            var mean = acceptanceSum.Select(a => written > 0 ? a / written : double.NaN).ToArray();
            RunMeta.Build(s, device.Description, sampler.Describe(), status, written, step, thermSeconds, sampleSeconds, mean).Write(dir);
        }

        if (resumed is null) Save("running");
        var clock = Stopwatch.StartNew();
        double lastSave = 0, phaseStart = 0;
        long phaseStartStep = step;
        bool interrupted = false;
        while (written < s.Configurations)
        {
            if (cancel.IsCancellationRequested) { interrupted = true; break; }
            bool thermalizing = step < s.Thermalization;
            sampler.Update(fields, step);
            step++;
            afterUpdate?.Invoke(step);
            double now = clock.Elapsed.TotalSeconds;
            if (thermalizing)
            {
                thermSeconds += now - phaseStart;
                phaseStart = now;
                sampler.Adapt();
                if (step == s.Thermalization)
                {
                    sampler.Tuner.Freeze();
                    sampler.ResetAcceptance();
                    phaseStartStep = step;
                }
                progress.Report("therm", step, s.Thermalization, (step - phaseStartStep) / Math.Max(thermSeconds, 1e-9), TuningDetail(sampler));
            }
            else
            {
                sampleSeconds += now - phaseStart;
                phaseStart = now;
                if (proposals is not null)
                    for (int b = 0; b < s.Chains; b++)
                        ProposalsCsv.Append(proposals, step - 1 - s.Thermalization, b, flow!.LastProposalLogW[b], flow.LastProposal[b], flow.LastAccepted[b] > 0);
                if ((step - s.Thermalization) % s.SaveEvery == 0)
                {
                    sampler.Measure(fields, meter, measurements, slices);
                    sampler.Acceptance(acceptance);
                    var deltaH = sampler.LastDeltaH;
                    for (int b = 0; b < s.Chains; b++)
                    {
                        sampler.ExtraValues(b, extra);
                        MeasurementsCsv.Append(csv, written, b, measurements[b], acceptance[b], deltaH.IsEmpty ? null : deltaH[b], extra);
                        acceptanceSum[b] += acceptance[b];
                    }
                    slicesFile.Append(slices);
                    if (fieldsFile is not null)
                    {
                        sampler.CopyFields(fields, host);
                        fieldsFile.Append(host);
                    }
                    sampler.ResetAcceptance();
                    written++;
                    double rate = (step - phaseStartStep) / Math.Max(sampleSeconds, 1e-9) / s.SaveEvery;
                    progress.Report("sample", written, s.Configurations, rate,
                        $"acc {acceptanceSum.Sum() / (written * s.Chains):F3}");
                }
            }
            if (now - lastSave > s.CheckpointSeconds)
            {
                Save("running");
                lastSave = clock.Elapsed.TotalSeconds;
            }
        }
        progress.Finish();
        Save(interrupted ? "interrupted" : "complete");
        if (flow is not null && written > 0)
        {
            csv.Flush();
            proposals!.Flush();
            (RunMeta.Read(dir) with { Flow = FlowRunReport.Compute(dir, s.Geometry.Volume).ToJson() }).Write(dir);
        }
        var final = acceptanceSum.Select(a => written > 0 ? a / written : double.NaN).ToArray();
        return new SampleResult(dir, s.Algorithm, device.Description, written, step, !interrupted, final, thermSeconds, sampleSeconds, sampler.Describe());
    }

    public static IMarkovSampler CreateSampler(SampleSettings s, ComputeDevice device) => s.Algorithm switch
    {
        "metropolis" => new LocalMetropolis(device, s.Geometry, s.Chains, s.Couplings, s.Metropolis, s.Seed, s.Thermalization),
        "hmc" => new Hmc(device, s.Geometry, s.Chains, s.Couplings, s.Hmc, s.Seed, s.Thermalization),
        "flow" => new FlowMetropolis(device, s.Geometry, s.Chains, s.Couplings, s.Flow, s.Seed),
        _ => throw new InvalidSettingException(SettingNames.Algorithm, s.Algorithm, "unknown algorithm"),
    };

    private static string TuningDetail(IMarkovSampler sampler) => sampler switch
    {
        LocalMetropolis m => $"delta {m.Delta:G4}",
        Hmc h => $"eps {h.StepSize:G4} (traj {h.TrajectoryLength:G4})",
        _ => "",
    };

    /// <summary>The settings that must not change across a resume, as one comparable string.</summary>
    private static string AlgorithmSettingsKey(SampleSettings s) => AlgorithmSettings(s) is object o ? JsonSerializer.Serialize(o, o.GetType()) : "";

    private static object? AlgorithmSettings(SampleSettings s) => s.Algorithm switch
    {
        "metropolis" => s.Metropolis,
        "hmc" => s.Hmc,
        "flow" => s.Flow with { ModelPath = Path.GetFullPath(s.Flow.ModelPath) },
        _ => null,
    };

    /// <summary>
    /// A checkpoint's algorithm settings read as today's settings record and written again: settings added since it
    /// was written (the flow's Symmetrize) take their defaults, which are what the run did.
    /// </summary>
    private static string Normalized(SampleSettings s, string json)
    {
        if (AlgorithmSettings(s) is not object o) return json;
        try { return JsonSerializer.Serialize(JsonSerializer.Deserialize(json, o.GetType()), o.GetType()); }
        catch (JsonException) { return json; }
    }

    private static void CheckCompatible(SampleSettings s, CheckpointState c)
    {
        var diffs = new List<string>();
        void Same<T>(string name, T mine, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(mine, theirs)) diffs.Add($"{name} {mine} (run has {theirs})");
        }
        Same("--algo", s.Algorithm, c.Algorithm);
        Same("--Lx", s.Geometry.Lx, c.Lx);
        Same("--Ly", s.Geometry.Ly, c.Ly);
        Same("--m2", s.Couplings.M2, c.M2);
        Same("--lam", s.Couplings.Lambda, c.Lambda);
        Same("--chains", s.Chains, c.Chains);
        Same("--seed", s.Seed, c.Seed);
        Same("--therm", s.Thermalization, c.Thermalization);
        Same("--save-every", s.SaveEvery, c.SaveEvery);
        Same("algorithm settings", AlgorithmSettingsKey(s), Normalized(s, c.AlgorithmSettings));
        if (diffs.Count > 0)
            throw new InvalidInputException($"--resume {s.OutputDirectory}: the run was made with other parameters: {string.Join("; ", diffs)}");
        if (s.SaveFields != File.Exists(RunFiles.Path(s.OutputDirectory, RunFiles.Fields)))
            throw new InvalidInputException($"--resume {s.OutputDirectory}: --no-fields (a sweep's \"fields\") must match the original run");
    }

    private static void PrepareFreshDirectory(string dir, bool force)
    {
        if (File.Exists(dir)) throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "is a file");
        if (!Directory.Exists(dir) || !Directory.EnumerateFileSystemEntries(dir).Any()) return;
        if (!force)
            throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "exists and is not empty ({resume} continues it, {force} replaces it)");
        if (!File.Exists(RunFiles.Path(dir, RunFiles.Meta)))
            throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "{force} refuses to delete a directory that is not a LatticeFlow run");
        Directory.Delete(dir, recursive: true);
    }
}
