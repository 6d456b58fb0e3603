using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Sampling;

/// <summary>
/// The test classes that share trained flows and ensembles (the generic sampler tests and the flow's own): they run one
/// after the other, each model and each ensemble made once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SamplingCollection : ICollectionFixture<TrainedModels>, ICollectionFixture<EnsembleCache>
{
    public const string Name = "trained flows and shared ensembles";
}

/// <summary>Ensembles made once per test run and read by several tests (the tutorial point's reference runs).</summary>
public sealed class EnsembleCache : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly Dictionary<string, string> _dirs = [];
    private readonly Lock _lock = new();

    /// <summary>The run directory of <paramref name="key"/>, sampled with <paramref name="settings"/>(directory) the first time it is asked for.</summary>
    public string Get(string key, Func<string, SampleSettings> settings)
    {
        lock (_lock)
        {
            if (_dirs.TryGetValue(key, out var dir)) return dir;
            dir = _tmp.Sub(key);
            SampleRun.Execute(settings(dir), ProgressReporter.Silent, default);
            _dirs[key] = dir;
            return dir;
        }
    }

    public void Dispose() => _tmp.Dispose();
}
