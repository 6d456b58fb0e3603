using LatticeFlow.Analysis;
using LatticeFlow.Flows;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// Everything that works with affine flows works with spline flows, through the command line: training with periodic
/// checks and keep-best, resuming with the architecture taken from the checkpoint, training from it on another lattice
/// (init-from), flow MH with the model; and a spline whose net overflows stops training in one line.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SplineFlowTests
{
    private static readonly string[] Network = ["--layers", "4", "--hidden", "8", "--coupling", "spline", "--bins", "6", "--bound", "3", "--no-final-tanh"];

    [Fact]
    public void ASplineFlowTrainsResumesFineTunesAndSamples()
    {
        using var tmp = new TempDir();
        string a = tmp.Sub("L6"), b = tmp.Sub("L8"), run = tmp.Sub("mh");
        var (code, output, _) = CliRunner.Run(["train", "--L", "6", "--m2", "-4", "--lam", "6.975", .. Network, "--steps", "120", "--lr", "3e-3",
            "--check-every", "40", "--keep-best", "--eval", "2000", "--device", "cpu", "--quiet", "--out", a]);
        Assert.Equal(0, code);
        Assert.Contains("keep-best: the model holds the weights of step", output);
        var model = ModelFile.Read(Path.Combine(a, TrainRun.Model)).Header;
        Assert.Equal(("spline", 6, 3.0, 3), (model.Coupling, model.Bins, model.Bound, model.FormatVersion));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(a, CheckLog.File)).Length - 1);
        Assert.True(TrainSummary.Read(Path.Combine(a, TrainRun.Summary)).EvalAcceptance > 0.05);

        // --resume takes the coupling, bins and bound from the checkpoint.
        Assert.Equal(0, CliRunner.Run("train", "--out", a, "--resume", "--steps", "160", "--quiet", "--device", "cpu").Code);
        var resumed = ModelFile.Read(Path.Combine(a, TrainRun.Checkpoint)).Header;
        Assert.Equal((160L, "spline", 6), (resumed.OptimizerStep, resumed.Coupling, resumed.Bins));

        // init-from: the same network on L = 8; another bin count is another network.
        string[] l8 = ["train", "--L", "8", "--m2", "-4", "--lam", "6.008", "--steps", "20", "--eval", "0", "--device", "cpu", "--quiet", "--init-from", Path.Combine(a, TrainRun.Model)];
        Assert.Equal(0, CliRunner.Run([.. l8, .. Network, "--out", b]).Code);
        Assert.Single(ModelFile.Read(Path.Combine(b, TrainRun.Model)).Header.Lineage);
        var (refused, _, err) = CliRunner.Run([.. l8, .. Network.Select(x => x == "6" ? "7" : x), "--out", tmp.Sub("other")]);
        Assert.Equal(2, refused);
        Assert.Contains("is not the one asked for", err);

        // Flow MH with the spline model.
        Assert.Equal(0, CliRunner.Run("sample", "--algo", "flow", "--model", Path.Combine(a, TrainRun.Model), "--n", "2000", "--therm", "100",
            "--seed", "3", "--device", "cpu", "--quiet", "--out", run).Code);
        Assert.InRange(RunMeta.Read(run).Acceptance.Mean, 0.05, 0.95);
    }

    /// <summary>
    /// A spline's parameters come through a softmax and a softplus, so no bin degenerates; but a net that overflows
    /// (here the weights and bias of the first width logit of the last coupling set to the largest float) turns the
    /// softmax into ∞ − ∞ = NaN: training stops in one line, writing no model.
    /// </summary>
    [Fact]
    public void ANonFiniteSplineStopsTraining()
    {
        using var tmp = new TempDir();
        string a = tmp.Sub("a"), b = tmp.Sub("b");
        string[] args = ["--L", "4", "--m2", "-4", "--lam", "8", .. Network, "--eval", "0", "--device", "cpu", "--quiet"];
        Assert.Equal(0, CliRunner.Run(["train", .. args, "--steps", "2", "--out", a]).Code);
        string path = Path.Combine(a, TrainRun.Model);
        var m = ModelFile.Read(path);
        var weights = (float[])m.Weights.Clone();
        // The last conv of the last coupling: weights [17, 8, 3, 3], then 17 biases; output channel 0 is the first width logit.
        int start = weights.Length - (17 * 8 * 9 + 17);
        for (int j = 0; j < 8 * 9; j++) weights[start + j] = float.MaxValue;
        weights[start + 17 * 8 * 9] = float.MaxValue;
        ModelFile.Write(path, m.Header, weights);
        var (code, output, _) = CliRunner.Run(["train", .. args, "--steps", "5", "--init-from", path, "--out", b]);
        Assert.Equal(1, code);
        Assert.StartsWith("train: diverged: step 0: the loss is NaN; training stopped without applying it", output);
        Assert.False(File.Exists(Path.Combine(b, TrainRun.Model)));
    }
}
