using System.Text;
using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Runs;

/// <summary>
/// Resuming from damaged files: whatever a crash or an interrupted copy left, the resumed run continues from the last
/// configuration that every file holds whole and ends with the files of an uninterrupted run, byte for byte.
/// </summary>
public class ResumeTests
{
    private static SampleSettings Settings(string algorithm, string dir, bool resume = false) => ShortRun.Settings(algorithm, dir, resume: resume);

    private const int Rows = 40, FieldRowBytes = 2 * 6 * 4 * 8, SliceRowBytes = 2 * 4 * 8;
    private static readonly string[] DataFiles = [RunFiles.Fields, RunFiles.Measurements, RunFiles.Timeslices];

    private static void AssertSameFiles(string a, string b)
    {
        foreach (var f in DataFiles)
            Assert.True(File.ReadAllBytes(RunFiles.Path(a, f)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(b, f))), $"{f} differs");
    }

    private static void Cut(string path, long length)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        fs.SetLength(length);
    }

    /// <summary>Byte offset just after data line <paramref name="line"/> (1-based; 0 is the header) of a CSV file.</summary>
    private static long AfterLine(string path, int line)
    {
        var bytes = File.ReadAllBytes(path);
        int seen = -1;
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] == '\n' && ++seen == line) return i + 1;
        throw new ArgumentException("not that many lines");
    }

    /// <summary>
    /// Damage that leaves fewer whole configurations than the checkpoint knows of (the run complete, or interrupted at update
    /// 99, 23 configurations), and the configuration every file then holds whole.
    /// </summary>
    [Theory]
    [InlineData("hmc", "fields bytes", null, 17L)]            // the header says 40 rows, the bytes hold 17 and a half
    [InlineData("metropolis", "fields bytes", 99L, 17L)]
    [InlineData("hmc", "both npy", null, 12L)]                // fields.npy and timeslices.npy cut by hand, as in the issue
    [InlineData("metropolis", "slices header", null, 12L)]    // the header claims 12 rows: the rest is not trusted
    [InlineData("hmc", "fields inside header", 99L, 0L)]      // an interrupted copy: nothing whole, the chain replays from its start
    [InlineData("hmc", "csv mid-line", null, 9L)]             // measurements.csv ends in half a row (chain 1 of configuration 9)
    [InlineData("metropolis", "csv gap", 99L, 6L)]            // a row missing: the sequence breaks at configuration 6
    [InlineData("hmc", "csv zeros", null, 20L)]               // a block of zero bytes where rows were (a power cut)
    public void DataCutBelowTheCheckpointIsReplayedExactly(string algorithm, string damage, long? interruptAt, long expected)
    {
        using var tmp = new TempDir();
        string whole = tmp.Sub("whole"), run = tmp.Sub("run");
        SampleRun.Execute(Settings(algorithm, whole), ProgressReporter.Silent, default);
        using (var cts = new CancellationTokenSource())
            SampleRun.Execute(Settings(algorithm, run), ProgressReporter.Silent, cts.Token, step => { if (step == interruptAt) cts.Cancel(); });
        long atCheckpoint = Checkpoint.Read(RunFiles.Path(run, RunFiles.Checkpoint)).ConfigurationsWritten;
        Assert.Equal(interruptAt is null ? Rows : 23, atCheckpoint);

        string fields = RunFiles.Path(run, RunFiles.Fields), slices = RunFiles.Path(run, RunFiles.Timeslices), csv = RunFiles.Path(run, RunFiles.Measurements);
        switch (damage)
        {
            case "fields bytes": Cut(fields, NpyWriter.HeaderBytes + 17 * FieldRowBytes + FieldRowBytes / 2); break;
            case "both npy":
                Cut(fields, NpyWriter.HeaderBytes + 12 * FieldRowBytes);
                Cut(slices, NpyWriter.HeaderBytes + 13 * SliceRowBytes + 5);
                break;
            case "slices header":
                using (var fs = new FileStream(slices, FileMode.Open, FileAccess.Write)) fs.Write(NpyWriter.BuildHeader([12, 2, 4]));
                break;
            case "fields inside header": Cut(fields, 100); break;
            case "csv mid-line": Cut(csv, AfterLine(csv, 2 * 9 + 1) + 7); break;
            case "csv gap":
            {
                var lines = File.ReadAllLines(csv).ToList();
                lines.RemoveAt(1 + 2 * 6 + 1);
                File.WriteAllText(csv, string.Join("\n", lines) + "\n");
                break;
            }
            case "csv zeros":
            {
                var bytes = File.ReadAllBytes(csv);
                long from = AfterLine(csv, 2 * 20);
                for (long i = from; i < from + 300; i++) bytes[i] = 0;
                File.WriteAllBytes(csv, bytes);
                break;
            }
        }

        var result = SampleRun.Execute(Settings(algorithm, run, resume: true), ProgressReporter.Silent, default);
        Assert.True(result.Completed);
        Assert.Contains($"resuming at configuration {expected}, replaying the chain from its start to update {30 + 3 * expected} without writing", result.ResumeNote);
        Assert.Contains($"the checkpoint is at configuration {atCheckpoint}", result.ResumeNote);
        AssertSameFiles(whole, run);
        Assert.Equal(RunMeta.Read(whole).Acceptance.PerChain, RunMeta.Read(run).Acceptance.PerChain);
        Assert.Equal("complete", RunMeta.Read(run).Status);
    }

    /// <summary>
    /// What a SIGKILL between checkpoints leaves: rows past the checkpoint, half a CSV line, npy rows the header does not
    /// count yet. The run continues from its checkpoint, cutting them off.
    /// </summary>
    [Theory]
    [InlineData("metropolis")]
    [InlineData("hmc")]
    public void RowsPastTheCheckpointAreCutAndTheRunContinuesFromIt(string algorithm)
    {
        using var tmp = new TempDir();
        string whole = tmp.Sub("whole"), run = tmp.Sub("run");
        SampleRun.Execute(Settings(algorithm, whole), ProgressReporter.Silent, default);
        using (var cts = new CancellationTokenSource())
            SampleRun.Execute(Settings(algorithm, run), ProgressReporter.Silent, cts.Token, step => { if (step == 66) cts.Cancel(); });
        File.AppendAllText(RunFiles.Path(run, RunFiles.Measurements), "12,0,1.5,1.5,2.25,0.1,0.2,0.7,\n12,1,0.3");
        using (var fs = new FileStream(RunFiles.Path(run, RunFiles.Fields), FileMode.Append)) fs.Write(new byte[FieldRowBytes * 2 + 11]);
        using (var fs = new FileStream(RunFiles.Path(run, RunFiles.Timeslices), FileMode.Append)) fs.Write(new byte[SliceRowBytes]);

        var result = SampleRun.Execute(Settings(algorithm, run, resume: true), ProgressReporter.Silent, default);
        Assert.Equal("resuming at configuration 12 (update 66) from the checkpoint", result.ResumeNote);
        AssertSameFiles(whole, run);
    }

    [Fact]
    public void AResumeWithOtherSettingsNamesEachOneInWords()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        SampleRun.Execute(Settings("hmc", dir), ProgressReporter.Silent, default);
        var other = Settings("hmc", dir, resume: true) with
        {
            Action = Phi4Couplings.Standard(-4, 7),
            Hmc = new HmcSettings(Steps: 10, Integrator: IntegratorKind.Omelyan),
            SaveEvery = 2,
        };
        var e = Assert.Throws<ResumeMismatchException>(() => SampleRun.Execute(other, ProgressReporter.Silent, default));
        Assert.Equal(
            [new("action.lambda", "7", "8"), new("save_every", "2", "3"), new("md_steps", "10", "4"), new("integrator", "omelyan", "leapfrog")],
            e.Differences);
        Assert.EndsWith("other parameters: action.lambda 7 (run has 8); save_every 2 (run has 3); md_steps 10 (run has 4); integrator omelyan (run has leapfrog)", e.Message);
        Assert.DoesNotContain("{", e.Message);
    }

    /// <summary>Every checkpoint promises only rows that are already in the files (they are flushed, and synced, first).</summary>
    [Fact]
    public void EveryCheckpointFindsItsRowsInTheFiles()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        string checkpoint = RunFiles.Path(dir, RunFiles.Checkpoint);
        var s = Settings("metropolis", dir) with { CheckpointSeconds = 1e-6 };
        int seen = 0;
        DateTime last = default;
        SampleRun.Execute(s, ProgressReporter.Silent, default, _ =>
        {
            var stamp = File.GetLastWriteTimeUtc(checkpoint);
            if (stamp == last) return;
            last = stamp;
            var c = Checkpoint.Read(checkpoint);
            long fields = NpyReader.Extent(RunFiles.Path(dir, RunFiles.Fields), NpyReader.ReadHeader(RunFiles.Path(dir, RunFiles.Fields))).WholeRows;
            long slices = NpyReader.Extent(RunFiles.Path(dir, RunFiles.Timeslices), NpyReader.ReadHeader(RunFiles.Path(dir, RunFiles.Timeslices))).WholeRows;
            var csv = CsvLog.Scan(RunFiles.Path(dir, RunFiles.Measurements), MeasurementsCsv.Header, 2, long.MaxValue);
            Assert.Equal(c.ConfigurationsWritten, fields);
            Assert.Equal(c.ConfigurationsWritten, slices);
            Assert.Equal(c.ConfigurationsWritten * 2, csv.Rows);
            seen++;
        });
        Assert.True(seen > 10, $"only {seen} checkpoints were seen");
    }
}
