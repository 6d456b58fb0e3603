using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Sampling;

/// <summary>Small flows trained once per test class: deliberately imperfect, since MH must make any flow exact.</summary>
public sealed class TrainedModels : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly Dictionary<string, string> _paths = [];
    private readonly Lock _lock = new();

    /// <param name="equivariant">A Z2-equivariant flow with a global rescaling.</param>
    public string Get(int lx, int ly, IActionParameters couplings, long steps, int layers = 4, int[]? hidden = null, double learningRate = 1e-3,
        bool equivariant = false, CouplingKind coupling = CouplingKind.Affine)
    {
        hidden ??= [8];
        string key = $"{lx}x{ly}-{Actions.Describe(couplings).GetHashCode():x}-{steps}-{layers}-{string.Join("_", hidden)}-{learningRate}-{equivariant}-{coupling}";
        lock (_lock)
        {
            if (_paths.TryGetValue(key, out var path)) return path;
            string dir = _tmp.Sub(key);
            TrainRun.Execute(new TrainSettings
            {
                Architecture = new FlowArchitecture
                {
                    Lx = lx, Ly = ly, Layers = layers, Hidden = hidden, Kernel = 3, Coupling = coupling,
                    Equivariant = equivariant, GlobalScale = equivariant,
                },
                Action = couplings,
                OutputDirectory = dir,
                Batch = 64,
                LearningRate = learningRate,
                Steps = steps,
                Seed = 11,
                Device = "cpu",
                EvaluationProposals = 0,
            }, ProgressReporter.Silent, default);
            path = Path.Combine(dir, "model.lfm");
            _paths[key] = path;
            return path;
        }
    }

    public void Dispose() => _tmp.Dispose();
}
