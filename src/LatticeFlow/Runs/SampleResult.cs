namespace LatticeFlow.Runs;

/// <summary>What a `sample` run did, for the summary line and for tests.</summary>
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
    IReadOnlyDictionary<string, object> AlgorithmSettings)
{
    public double MeanAcceptance => Acceptance.Length == 0 ? double.NaN : Acceptance.Average();
}
