using System.Text.Json;
using LatticeFlow.Analysis;
using LatticeFlow.Files;

namespace LatticeFlow.Runs;

/// <summary>
/// meta.json as a sampling run writes it: <see cref="RunMeta"/> (the record, and its reader, live in Analysis, which reads
/// runs through them) built from the run's <see cref="SampleSettings"/>, here in Runs, which owns those settings.
/// </summary>
public static class RunMetaBuilder
{
    extension(RunMeta)
    {
        /// <summary>The record of a run with settings <paramref name="s"/> after <paramref name="configurations"/> saved configurations.</summary>
        public static RunMeta Build(SampleSettings s, Devices.ComputeDevice device, IReadOnlyDictionary<string, object> algorithm,
            string status, long configurations, long updates, double thermSeconds, double sampleSeconds, double[] acceptance)
        {
            double sampled = configurations * s.SaveEvery;
            return new RunMeta
            {
                Status = status,
                Lattice = LatticeRecord.Of(s.Geometry),
                Action = s.Action,
                Algorithm = algorithm.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value, kv.Value.GetType(), JsonFiles.Options)),
                Chains = s.Chains,
                NTarget = s.Configurations,
                ConfigsWritten = configurations,
                Therm = s.Thermalization,
                SaveEvery = s.SaveEvery,
                UpdatesDone = updates,
                Seed = s.Seed,
                FieldsSaved = s.SaveFields,
                CodeVersion = LatticeFlow.CodeVersion.Current,
                Device = device.Description,
                Simd = device.SimdPath,
                Timings = new RunTimings(thermSeconds, sampleSeconds, sampled > 0 ? sampleSeconds / sampled : double.NaN),
                Acceptance = new RunAcceptance(acceptance.Length > 0 && configurations > 0 ? acceptance.Average() : double.NaN, acceptance),
                Files = new RunFileShapes(
                    s.SaveFields ? $"fields.npy [N, {(s.Chains == 1 ? "" : "B, ")}{FieldAxes(s.Geometry)}] float64" : null,
                    $"timeslices.npy [N, B, {TimeAxis(s.Geometry)}] float64: T(t) = sum over the other coordinates of phi(x, t)",
                    "measurements.csv: " + MeasurementsCsv.Header),
            };
        }
    }

    private static string FieldAxes(Lattice.LatticeGeometry g) => g.Dimensions == 2 ? "Lx, Ly" : string.Join(", ", g.Extents.Select((_, mu) => $"L{mu}"));

    private static string TimeAxis(Lattice.LatticeGeometry g) => g.Dimensions == 2 ? "Ly" : $"L{g.Dimensions - 1}";
}
