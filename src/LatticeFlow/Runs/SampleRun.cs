using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LatticeFlow.Analysis;
using LatticeFlow.Devices;
using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Runs;

/// <summary>
/// A `sample` run from start (or checkpoint) to finish: thermalise while tuning, then sample with the
/// step frozen, writing the ensemble files as it goes. The run holds its directory's lock (<see cref="DirectoryLock"/>)
/// throughout, so a second writer is refused. At every checkpoint the data files are flushed to the disk before the
/// checkpoint is written, so a SIGKILL or a power cut loses at most the work since the last one. Cancellation finishes
/// the current update, flushes, writes the checkpoint and returns; resuming continues the same Markov chain exactly, from
/// the last configuration that every data file holds whole (<see cref="RunDataFiles.Plan"/>).
/// </summary>
public static class SampleRun
{
    /// <param name="afterUpdate">Test hook: called with the global update number after each update.</param>
    /// <exception cref="InvalidInputException">Bad settings, a directory in use or in the way, or a run that cannot be resumed
    /// (<see cref="ResumeMismatchException"/> for other settings).</exception>
    public static SampleResult Execute(SampleSettings settings, ProgressReporter progress, CancellationToken cancel, Action<long>? afterUpdate = null)
    {
        var s = settings.Validated();
        string dir = s.OutputDirectory;
        string checkpointPath = RunFiles.Path(dir, RunFiles.Checkpoint);
        // Refusals that need no lock come first, so that they leave no directory (or lock file) behind.
        if (s.Resume) Checkpoint.Read(checkpointPath);
        else CheckFreshDirectory(dir, s.Force);
        using var device = DeviceFactory.Create(s.Device, s.Threads, s.Simd);
        using var runLock = DirectoryLock.Acquire(dir);
        CheckpointState? resumed = null;
        if (s.Resume)
        {
            // Read again under the lock: a writer that held it until now may have moved the run on.
            resumed = Checkpoint.Read(checkpointPath);
            CheckCompatible(s, resumed);
        }
        else
        {
            CheckFreshDirectory(dir, s.Force);
            runLock.DeleteContents();
        }
        using var fields = new FieldBatch(device, s.Geometry, s.Chains);
        using var sampler = CreateSampler(s, device);
        using var meter = new ConfigurationMeter(device, s.Geometry, s.Chains, s.Action);
        var flow = sampler as FlowMetropolis;
        var layout = new RunLayout(dir, s.Chains, s.Geometry, s.SaveFields, MeasurementsCsv.HeaderWith(sampler.ExtraColumns),
            flow is not null, s.Thermalization, s.SaveEvery);
        var resumePoint = resumed is null ? null : RunDataFiles.Plan(layout, resumed);
        if (resumePoint is not null) progress.Note(resumePoint.Note);

        long step = 0, written = 0;
        double thermSeconds = 0, sampleSeconds = 0;
        var acceptanceSum = new double[s.Chains];
        if (resumed is null || resumePoint!.Replay)
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
        // A replay writes nothing (and touches no file) until the chain is back at the configuration the files end with.
        long replayTo = resumePoint is { Replay: true } ? resumePoint.Step : 0;
        long keptConfigurations = resumePoint?.Configurations ?? 0;
        RunWriters? files = null;
        try
        {
            if (resumePoint is null)
            {
                // meta.json before any data file: a run killed at this point is one that --force may overwrite.
                RunMeta.Build(s, device, sampler.Describe(), "running", 0, 0, 0, 0, new double[s.Chains]).Write(dir);
                files = RunWriters.Create(layout);
            }
            else if (replayTo == 0) files = RunWriters.Reopen(layout, resumePoint);
            var extra = new double[sampler.ExtraColumns.Count];
            var measurements = new ConfigurationMeasurement[s.Chains];
            var slices = new double[s.Chains * s.Geometry.TimeExtent];
            var host = new double[fields.Sites];
            var acceptance = new double[s.Chains];

            void Save(string status)
            {
                if (files is null) return;
                // Data first, to the disk: a checkpoint must never promise rows that a power cut can take back.
                files.Flush(durable: true);
                sampler.CopyFields(fields, host);
                var tally = sampler.Tally;
                Checkpoint.Write(RunFiles.Path(dir, RunFiles.Checkpoint), new CheckpointState
                {
                    Algorithm = s.Algorithm, Extents = [.. s.Geometry.Extents], Action = s.Action, Chains = s.Chains, Seed = s.Seed,
                    Thermalization = s.Thermalization, SaveEvery = s.SaveEvery, AlgorithmSettings = AlgorithmSettingsKey(s),
                    Step = step, ConfigurationsWritten = written, TunerLogValue = sampler.Tuner.LogValue, TunerIterations = sampler.Tuner.Iterations,
                    TunerAverageSum = sampler.Tuner.AverageSum, TunerAverageCount = sampler.Tuner.AverageCount,
                    TallyAccepted = tally.Accepted, TallyUpdates = tally.Updates, AcceptanceSum = acceptanceSum,
                    ThermalizationSeconds = thermSeconds, SamplingSeconds = sampleSeconds, SamplerState = sampler.ExportState(), Field = host,
                    ModelSha256 = flow?.ModelSha256, SaveFields = s.SaveFields,
                });
                var mean = acceptanceSum.Select(a => written > 0 ? a / written : double.NaN).ToArray();
                var meta = RunMeta.Build(s, device, sampler.Describe(), status, written, step, thermSeconds, sampleSeconds, mean);
                if (flow is not null) meta = meta with { Flow = FlowCounts(flow, step, s) };
                meta.Write(dir);
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
                    progress.Report(replayTo > 0 ? "replay" : "therm", step, replayTo > 0 ? replayTo : s.Thermalization,
                        (step - phaseStartStep) / Math.Max(thermSeconds, 1e-9), sampler.TuningDetail);
                }
                else
                {
                    sampleSeconds += now - phaseStart;
                    phaseStart = now;
                    if (files?.Proposals is CsvLog proposals)
                        for (int b = 0; b < s.Chains; b++)
                            ProposalsCsv.Append(proposals, step - 1 - s.Thermalization, b, flow!.LastProposalLogW[b], flow.LastProposal[b], flow.LastAccepted[b] > 0);
                    if ((step - s.Thermalization) % s.SaveEvery == 0)
                    {
                        sampler.Acceptance(acceptance);
                        for (int b = 0; b < s.Chains; b++) acceptanceSum[b] += acceptance[b];
                        if (files is not null)
                        {
                            sampler.Measure(fields, meter, measurements, slices);
                            var deltaH = sampler.LastDeltaH;
                            for (int b = 0; b < s.Chains; b++)
                            {
                                sampler.ExtraValues(b, extra);
                                MeasurementsCsv.Append(files.Measurements, written, b, measurements[b], acceptance[b], deltaH.IsEmpty ? null : deltaH[b], extra);
                            }
                            files.Slices.Append(slices);
                            if (files.Fields is not null)
                            {
                                sampler.CopyFields(fields, host);
                                files.Fields.Append(host);
                            }
                        }
                        sampler.ResetAcceptance();
                        written++;
                        double rate = (step - phaseStartStep) / Math.Max(sampleSeconds, 1e-9) / s.SaveEvery;
                        if (replayTo > 0) progress.Report("replay", step, replayTo, (step - phaseStartStep) / Math.Max(sampleSeconds, 1e-9), "");
                        else progress.Report("sample", written, s.Configurations, rate, $"acc {acceptanceSum.Sum() / (written * s.Chains):F3}");
                    }
                }
                if (step == replayTo)
                {
                    // Back where the files end: from here on the run writes, and checkpoints at once so a kill needs no second replay.
                    if (written != keptConfigurations) throw new InvalidOperationException($"replay reached update {step} with {written} configurations, expected {keptConfigurations}");
                    files = RunWriters.Reopen(layout, resumePoint!);
                    replayTo = 0;
                    Save("running");
                    lastSave = clock.Elapsed.TotalSeconds;
                }
                if (now - lastSave > s.CheckpointSeconds && files is not null)
                {
                    Save("running");
                    lastSave = clock.Elapsed.TotalSeconds;
                }
            }
            progress.Finish();
            Save(interrupted ? "interrupted" : "complete");
            if (flow is not null && written > 0 && files is not null)
            {
                files.Flush(durable: false);
                var meta = RunMeta.Read(dir);
                // The report is derived from the files, which are complete by now: a report that cannot be computed is
                // recorded, and the run still ends as the complete (or interrupted) run it is.
                JsonObject report;
                try { report = FlowRunReport.Compute(dir, s.Geometry.Volume).ToJson(); }
                catch (InvalidInputException e) { report = new JsonObject { [RunMeta.FlowReportError] = e.Message }; }
                foreach (var (key, value) in meta.Flow!) report[key] = value?.DeepClone();
                (meta with { Flow = report }).Write(dir);
            }
            var final = acceptanceSum.Select(a => written > 0 ? a / written : double.NaN).ToArray();
            return new SampleResult(dir, s.Algorithm, device.Description, written, step, !interrupted, final, thermSeconds, sampleSeconds, sampler.Describe(),
                resumePoint?.Note);
        }
        finally
        {
            files?.Dispose();
        }
    }

    /// <summary>meta.json's flow section as the sampler knows it: production proposals and the non-finite ones among them.</summary>
    private static JsonObject FlowCounts(FlowMetropolis flow, long step, SampleSettings s) => new()
    {
        ["proposals"] = Math.Max(0, step - s.Thermalization) * s.Chains,
        ["non_finite_proposals"] = flow.NonFiniteProposals,
    };

    /// <summary>The run's sampler, from the registry (<see cref="Samplers"/>).</summary>
    public static IMarkovSampler CreateSampler(SampleSettings s, ComputeDevice device) =>
        s.Sampler.Create(new SamplerContext(device, s.Geometry, s.Chains, s.Action, s.Seed, s.Thermalization), s.SamplerSettings);

    /// <summary>The settings that must not change across a resume, as stored in the checkpoint.</summary>
    private static string AlgorithmSettingsKey(SampleSettings s)
    {
        var stored = s.SamplerSettings.Canonical();
        return JsonSerializer.Serialize(stored, stored.GetType());
    }

    /// <summary>
    /// A checkpoint's algorithm settings read as today's settings record: settings added since it was written (the flow's
    /// Symmetrize) take their defaults, which are what the run did.
    /// </summary>
    private static ISamplerSettings StoredSettings(Type type, string json, string dir)
    {
        try { return (ISamplerSettings)(JsonSerializer.Deserialize(json, type) ?? throw new JsonException("null")); }
        catch (JsonException e) { throw new InvalidInputException($"{dir}: the checkpoint's algorithm settings are unreadable ({e.Message})"); }
    }

    /// <summary>Every setting that must not change across a resume, compared one by one (<see cref="ResumeMismatchException"/>).</summary>
    private static void CheckCompatible(SampleSettings s, CheckpointState c)
    {
        string dir = s.OutputDirectory;
        var diffs = new List<SettingDifference>();
        void Same<T>(string name, T mine, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(mine, theirs))
                diffs.Add(new SettingDifference(name, SettingComparison.Format(mine), SettingComparison.Format(theirs)));
        }
        Same("algorithm", s.Algorithm, c.Algorithm);
        Same("lattice", s.Geometry.ToString(), c.Geometry.ToString());
        if (!s.Action.Equals(c.Action))
        {
            // The records compared as wholes; the difference named key by key, as meta.json's "action" names them.
            JsonObject mine = Actions.ToJson(s.Action), theirs = Actions.ToJson(c.Action);
            foreach (string key in mine.Select(kv => kv.Key).Union(theirs.Select(kv => kv.Key)))
                if (!JsonNode.DeepEquals(mine[key], theirs[key]))
                    diffs.Add(new SettingDifference($"action.{key}", mine[key]?.ToJsonString() ?? "none", theirs[key]?.ToJsonString() ?? "none"));
        }
        Same("chains", s.Chains, c.Chains);
        Same("seed", s.Seed, c.Seed);
        Same("therm", s.Thermalization, c.Thermalization);
        Same("save_every", s.SaveEvery, c.SaveEvery);
        if (s.Algorithm == c.Algorithm)
        {
            var kind = s.Sampler;
            var run = StoredSettings(kind.SettingsType, c.AlgorithmSettings, dir);
            // The model is compared by its content, below, wherever it now lies.
            diffs.AddRange(SettingComparison.Compare(kind.SettingsType, s.SamplerSettings, run, nameof(FlowMetropolisSettings.ModelPath)));
            if (run is FlowMetropolisSettings flow && ModelDifference(s.Flow.ModelPath, flow.ModelPath, c.ModelSha256) is SettingDifference d) diffs.Add(d);
        }
        Same("save_fields", s.SaveFields, c.SaveFields ?? File.Exists(RunFiles.Path(dir, RunFiles.Fields)));
        if (diffs.Count > 0) throw new ResumeMismatchException(dir, diffs);
    }

    /// <summary>
    /// The model is the same when its content is (SHA-256), wherever it now lies; checkpoints from before the hash
    /// can only compare the path.
    /// </summary>
    private static SettingDifference? ModelDifference(string path, string runPath, string? runSha256)
    {
        string full = Path.GetFullPath(path);
        if (runSha256 is null)
            return full == runPath ? null : new SettingDifference("model", full, runPath);
        string now = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        if (now == runSha256) return null;
        string note = full == runPath ? $"the model file {full} has changed since the run began" : $"{full} is another model than the run's {runPath}";
        return new SettingDifference("model_sha256", now[..12], runSha256[..12], note);
    }

    /// <summary>Refuses a directory that holds anything but a lock, unless <paramref name="force"/> and it is a LatticeFlow run.</summary>
    private static void CheckFreshDirectory(string dir, bool force)
    {
        if (File.Exists(dir)) throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "is a file");
        if (!DirectoryLock.HasContent(dir)) return;
        if (!force)
            throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "exists and is not empty ({resume} continues it, {force} replaces it)");
        if (!File.Exists(RunFiles.Path(dir, RunFiles.Meta)))
            throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "{force} refuses to delete a directory that is not a LatticeFlow run");
    }
}
