using LatticeFlow.Lattice;

namespace LatticeFlow.Sampling;

/// <summary>
/// A Markov chain update of every chain of a batch at once. <c>step</c> is the global update number:
/// it keys the random numbers, so a run resumed at step n continues exactly.
/// </summary>
public interface IMarkovSampler : IDisposable
{
    /// <summary>"metropolis", "hmc", ...: the name in meta.json and on the command line.</summary>
    string Name { get; }

    /// <summary>One sweep (Metropolis) or one trajectory (HMC) of every chain.</summary>
    void Update(FieldBatch fields, long step);

    /// <summary>The step-size tuner; adapted after every thermalisation update, frozen afterwards.</summary>
    StepSizeTuner Tuner { get; }

    /// <summary>The tuned step for the progress line during thermalisation ("delta 0.83"); empty where nothing is tuned.</summary>
    string TuningDetail => "";

    /// <summary>Nudges the tuned step towards the target from the last update's acceptance.</summary>
    void Adapt();

    /// <summary>Acceptance per chain of the updates since the last <see cref="ResetAcceptance"/>.</summary>
    void Acceptance(Span<double> perChain);

    void ResetAcceptance();

    /// <summary>What <see cref="Acceptance"/> is built from, for checkpoints: accepted trials per chain and updates.</summary>
    AcceptanceTally Tally { get; set; }

    /// <summary>ΔH of the last trajectory per chain (HMC), or null where the algorithm has none.</summary>
    ReadOnlySpan<double> LastDeltaH { get; }

    /// <summary>The settings and tuned values, for meta.json.</summary>
    IReadOnlyDictionary<string, object> Describe();

    /// <summary>Algorithm state beyond the field and the tuned step that a checkpoint must keep.</summary>
    double[] ExportState() => [];

    void ImportState(double[] state) { }

    /// <summary>Columns this algorithm adds to measurements.csv, after the common ones.</summary>
    IReadOnlyList<string> ExtraColumns => [];

    /// <summary>This chain's values for <see cref="ExtraColumns"/> after the last update.</summary>
    void ExtraValues(int chain, Span<double> values) { }

    /// <summary>
    /// Observables and time slices of every chain's current configuration. Samplers that keep their chains on the
    /// host between updates (flow MH) answer from there; the others measure <paramref name="fields"/> on the device.
    /// </summary>
    void Measure(FieldBatch fields, ConfigurationMeter meter, Span<ConfigurationMeasurement> measurements, Span<double> timeslices) =>
        meter.Measure(fields, measurements, timeslices);

    /// <summary>Every chain's current configuration, [chain, x, y], for fields.npy and checkpoints.</summary>
    void CopyFields(FieldBatch fields, Span<double> host) => fields.CopyTo(host);
}

/// <summary>Accepted trials per chain and updates done since the last measurement row.</summary>
public sealed record AcceptanceTally(double[] Accepted, long Updates);
