using LatticeFlow.Analysis;
using LatticeFlow.Files;

namespace LatticeFlow.Runs;

/// <summary>
/// The data files of a run directory and their shapes: fields.npy [N, (B,) L_0, …, L_{d−1}] (unless not saved), timeslices.npy
/// [N, B, L_{d−1}], measurements.csv (one row per configuration and chain) and, for flow runs, proposals.csv (one row per
/// production update and chain).
/// </summary>
public sealed record RunLayout(string Directory, int Chains, Lattice.LatticeGeometry Geometry, bool SaveFields, string MeasurementsHeader, bool Proposals,
    long Thermalization, int SaveEvery)
{
    public int[] FieldShape => Chains == 1 ? [.. Geometry.Extents] : [Chains, .. Geometry.Extents];
    public int[] SliceShape => [Chains, Geometry.TimeExtent];
    public string FieldsPath => RunFiles.Path(Directory, RunFiles.Fields);
    public string SlicesPath => RunFiles.Path(Directory, RunFiles.Timeslices);
    public string MeasurementsPath => RunFiles.Path(Directory, RunFiles.Measurements);
    public string ProposalsPath => RunFiles.Path(Directory, ProposalsCsv.File);
}

/// <summary>
/// Where a resumed run continues: <see cref="Configurations"/> saved configurations that every data file holds whole, at
/// update <see cref="Step"/>. From the checkpoint when every file holds what the checkpoint expects; otherwise the chain
/// state at that configuration is not stored, and the run replays the chain from its start to <see cref="Step"/> without
/// writing (<see cref="Replay"/>), which reproduces it exactly because every random number is a function of (seed,
/// chain, step, site, stream) (DESIGN.md, principle 3). <see cref="Note"/> says which, in one line.
/// </summary>
public sealed record ResumePoint(long Configurations, long Step, bool Replay, string Note,
    bool FieldsHeaderWhole, bool SlicesHeaderWhole, CsvExtent Measurements, CsvExtent? Proposals);

/// <summary>The checks of a resume and the writers of a run's data files.</summary>
public static class RunDataFiles
{
    /// <summary>
    /// Checks every data file against its header and the checkpoint <paramref name="c"/>: the .npy files by their header's
    /// row count and the bytes actually present, the CSV files by their complete rows in the right (config or update,
    /// chain) sequence (<see cref="CsvLog.Scan"/>), and finds the last configuration that all of them hold whole.
    /// </summary>
    /// <remarks>A missing file holds nothing (a run killed as it started has a checkpoint at update 0 and no data yet).</remarks>
    /// <exception cref="InvalidInputException">A file is not one this run writes (header, shape).</exception>
    public static ResumePoint Plan(RunLayout l, CheckpointState c)
    {
        long expected = c.ConfigurationsWritten;
        long expectedUpdates = Math.Max(0, c.Step - l.Thermalization);
        long whole = expected;
        var shortfalls = new List<string>();

        void Check(bool enough, long configurations, string what)
        {
            if (enough) return;
            shortfalls.Add(what);
            whole = Math.Min(whole, configurations);
        }

        bool fieldsHeader = true;
        if (l.SaveFields)
        {
            var (header, rows, held) = Npy(l.FieldsPath, l.FieldShape);
            fieldsHeader = header;
            Check(held >= expected, held, Describe(RunFiles.Fields, rows, held, header));
        }
        var (slicesHeader, sliceRows, slices) = Npy(l.SlicesPath, l.SliceShape);
        Check(slices >= expected, slices, Describe(RunFiles.Timeslices, sliceRows, slices, slicesHeader));
        var measurements = CsvLog.Scan(l.MeasurementsPath, l.MeasurementsHeader, l.Chains, expected * l.Chains);
        long measured = measurements.Rows / l.Chains;
        Check(measured >= expected, measured, $"{RunFiles.Measurements} holds {measured} whole configurations");
        CsvExtent? proposals = null;
        if (l.Proposals)
        {
            var p = CsvLog.Scan(l.ProposalsPath, ProposalsCsv.Header, l.Chains, expectedUpdates * l.Chains);
            long updates = p.Rows / l.Chains;
            Check(updates >= expectedUpdates, updates / l.SaveEvery, $"{ProposalsCsv.File} holds {updates} whole updates of the {expectedUpdates} sampled");
            proposals = p;
        }

        if (shortfalls.Count == 0)
            return new ResumePoint(expected, c.Step, false, $"resuming at configuration {expected} (update {c.Step}) from the checkpoint",
                fieldsHeader, slicesHeader, measurements, proposals);

        long step = l.Thermalization + whole * l.SaveEvery;
        // The CSV files are cut after the rows of the configurations kept, so they are scanned again to find where those end.
        measurements = CsvLog.Scan(l.MeasurementsPath, l.MeasurementsHeader, l.Chains, whole * l.Chains);
        if (l.Proposals) proposals = CsvLog.Scan(l.ProposalsPath, ProposalsCsv.Header, l.Chains, whole * l.SaveEvery * l.Chains);
        string note = $"{string.Join("; ", shortfalls)}; the checkpoint is at configuration {expected}: resuming at configuration {whole}, " +
            $"replaying the chain from its start to update {step} without writing (exact: the random numbers are counter-based)";
        return new ResumePoint(whole, step, true, note, fieldsHeader, slicesHeader, measurements, proposals);
    }

    private static string Describe(string file, long headerRows, long whole, bool header) =>
        !header ? $"{file} has no whole header"
        : headerRows == whole ? $"{file} holds {whole} whole configurations"
        : $"{file} holds {whole} whole configurations (its header says {headerRows})";

    /// <summary>Whether the .npy header is whole, the rows it claims, and the rows whose bytes are all there.</summary>
    private static (bool Header, long Rows, long Whole) Npy(string path, int[] inner)
    {
        // Missing, or cut inside its fixed-size header (an interrupted copy): no rows, and the header is written anew.
        if (!File.Exists(path) || new FileInfo(path).Length < NpyWriter.HeaderBytes) return (false, 0, 0);
        var h = NpyReader.ReadHeader(path);
        if (!h.Shape.Skip(1).SequenceEqual(inner.Select(i => (long)i)))
            throw new InvalidInputException($"{path}: shape [{string.Join(", ", h.Shape)}] does not match this run");
        var (rows, whole) = NpyReader.Extent(path, h);
        return (true, rows, whole);
    }
}

/// <summary>
/// A run's data files open for appending. <see cref="Flush"/> with durable: true (at every checkpoint, before the
/// checkpoint is written) makes them survive a SIGKILL or a power cut up to that point.
/// </summary>
public sealed class RunWriters : IDisposable
{
    public NpyWriter? Fields { get; }
    public NpyWriter Slices { get; }
    public CsvLog Measurements { get; }
    public CsvLog? Proposals { get; }

    private RunWriters(NpyWriter? fields, NpyWriter slices, CsvLog measurements, CsvLog? proposals)
    {
        Fields = fields;
        Slices = slices;
        Measurements = measurements;
        Proposals = proposals;
    }

    /// <summary>New, empty files (replacing any).</summary>
    public static RunWriters Create(RunLayout l) => new(
        l.SaveFields ? NpyWriter.Create(l.FieldsPath, l.FieldShape) : null,
        NpyWriter.Create(l.SlicesPath, l.SliceShape),
        CsvLog.Create(l.MeasurementsPath, l.MeasurementsHeader),
        l.Proposals ? CsvLog.Create(l.ProposalsPath, ProposalsCsv.Header) : null);

    /// <summary>The files cut back to what <paramref name="p"/> keeps, open to append after it.</summary>
    public static RunWriters Reopen(RunLayout l, ResumePoint p) => new(
        !l.SaveFields ? null : p.FieldsHeaderWhole ? NpyWriter.Reopen(l.FieldsPath, p.Configurations, l.FieldShape) : NpyWriter.Create(l.FieldsPath, l.FieldShape),
        p.SlicesHeaderWhole ? NpyWriter.Reopen(l.SlicesPath, p.Configurations, l.SliceShape) : NpyWriter.Create(l.SlicesPath, l.SliceShape),
        CsvLog.Reopen(l.MeasurementsPath, l.MeasurementsHeader, p.Measurements),
        l.Proposals ? CsvLog.Reopen(l.ProposalsPath, ProposalsCsv.Header, p.Proposals!.Value) : null);

    public void Flush(bool durable)
    {
        Fields?.Flush(durable);
        Slices.Flush(durable);
        Measurements.Flush(durable);
        Proposals?.Flush(durable);
    }

    public void Dispose()
    {
        Fields?.Dispose();
        Slices.Dispose();
        Measurements.Dispose();
        Proposals?.Dispose();
    }
}
