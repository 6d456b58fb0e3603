namespace LatticeFlow.Runs;

/// <summary>
/// What a `sample` run did, for the summary line and for tests. <see cref="ResumeNote"/>: on a resume, where it continued
/// from and how (one line; see <see cref="ResumePoint"/>).
/// </summary>
public sealed record SampleResult(
    string Directory,
    string Algorithm,
    string Device,
    long Configurations,
    long Updates,
    bool Completed,
    double[] Acceptance,
    double ThermalizationSeconds,
    double SamplingSeconds,
    IReadOnlyDictionary<string, object> AlgorithmSettings,
    string? ResumeNote = null)
{
    public double MeanAcceptance => Acceptance.Length == 0 ? double.NaN : Acceptance.Average();
}
