using LatticeFlow.Files;

namespace LatticeFlow.Analysis;

/// <summary>
/// One run directory as the analysis reads it, through one typed reader: its record (meta.json), the measurement
/// columns by chain (<see cref="MeasurementTable"/>) and, when asked, the correlator primaries streamed from
/// timeslices.npy (never loaded whole, so files beyond 2 GiB or memory are fine). Both are cut to the configurations
/// every file holds (a run still being written), after dropping <c>therm</c> leading ones.
/// </summary>
public sealed record RunData(string Directory, RunMeta Meta, MeasurementTable Measurements, CorrelatorPrimaries? Correlator, IReadOnlyList<string> Notes)
{
    /// <exception cref="InvalidInputException">Not a run directory, a file missing or unreadable, or <paramref name="therm"/> not shorter than the run.</exception>
    public static RunData Load(string dir, long therm = 0, bool correlator = true)
    {
        var meta = RunMeta.Read(dir);
        var notes = new List<string>();
        if (meta.Status != "complete") notes.Add($"{dir}: status \"{meta.Status}\": analysing the {meta.ConfigsWritten} configurations written so far");
        string slicesPath = RunFiles.Path(dir, RunFiles.Timeslices);
        if (correlator && !File.Exists(slicesPath))
            throw new InvalidInputException($"{dir}: no {RunFiles.Timeslices}; the correlator and the pole mass need it (the run directory is incomplete)");
        long slices = correlator ? NpyReader.RowsHeld(slicesPath) : long.MaxValue;
        var table = MeasurementTable.Load(dir, therm, limit: slices);
        notes.AddRange(table.Notes);
        long n = Math.Min(table.Total, slices);
        if (correlator && table.Total != slices)
            notes.Add($"{dir}: measurements.csv holds {table.Total} configurations and {RunFiles.Timeslices} {slices}; using the first {n}");
        if (therm >= n) throw new InvalidSettingException(SettingNames.Thermalization, therm, $"must be shorter than the run ({n} configurations)");
        var primaries = correlator ? ReadCorrelator(slicesPath, meta, therm, n) : null;
        return new RunData(dir, meta, table, primaries, notes);
    }

    private static CorrelatorPrimaries ReadCorrelator(string path, RunMeta meta, long therm, long n)
    {
        var header = NpyReader.ReadHeader(path);
        var geometry = meta.Lattice.Geometry;
        int ly = geometry.TimeExtent;
        if (header.Shape.Length != 3 || header.Shape[2] != ly)
            throw new InvalidInputException($"{path}: shape [{string.Join(", ", header.Shape)}], expected [N, chains, {ly}]");
        int chains = (int)header.Shape[1], half = ly / 2;
        long kept = n - therm;
        if (kept * (half + 2) * chains > (long)Array.MaxLength * 8) throw new InvalidInputException($"{path}: too many configurations to analyse at once");
        var replicas = Enumerable.Range(0, chains).Select(_ => Enumerable.Range(0, half + 2).Select(_ => new double[kept]).ToArray()).ToArray();
        double volume = geometry.Volume;
        var fft = ly >= CorrelatorPrimaries.FftFrom ? new System.Numerics.Complex[ly] : null;
        NpyReader.Rows(path, therm, (row, values) =>
        {
            if (row >= n) return;
            for (int b = 0; b < chains; b++)
                CorrelatorPrimaries.Measure(values.Slice(b * ly, ly), volume, replicas[b], row - therm, fft);
        });
        return new CorrelatorPrimaries(geometry.SpatialVolume, ly, replicas);
    }
}
