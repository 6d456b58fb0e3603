using LatticeFlow.Analysis;
using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Tests.Cli;

namespace LatticeFlow.Tests.Flows;

/// <summary>
/// The spectrum scaling (<see cref="SpectrumScalingLayer"/>) beyond the generic flow tests of <see cref="FlowVariants"/>:
/// every Fourier mode of the lattice is an eigenvector with eigenvalue σ(k) from the documented function of p̂², on square
/// and rectangular lattices, so the same parameters mean the same spectrum on every lattice; and the model file and the
/// command line carry it.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SpectrumScalingTests
{
    /// <summary>ln σ at p̂², from the layer's documentation: knots at 8·2^−i, values the sums of the parameters from the knot up.</summary>
    private static double LogSigma(double[] c, double p2)
    {
        const int knots = SpectrumScalingLayer.Knots;
        double Value(int m) => c.Skip(m).Sum();
        if (p2 == 0) return Value(0);
        double position = Math.Log2(p2 / 8) + knots - 1;
        if (position <= 0) return Value(1);
        if (position >= knots - 1) return Value(knots);
        int i = (int)Math.Floor(position);
        double w = position - i;
        return (1 - w) * Value(1 + i) + w * Value(2 + i);
    }

    private static double MomentumSquared(int nx, int ny, int lx, int ly) => LatticeMomentum.Squared(nx, lx) + LatticeMomentum.Squared(ny, ly);

    /// <summary>
    /// cos(k·x) and sin(k·x), with k = 2π(n_x/L_x, n_y/L_y), come out multiplied by σ(k), a function of p̂²(k) alone with
    /// the same parameters on every lattice, and log det = Σ_k ln σ(k).
    /// </summary>
    [Theory]
    [InlineData(6, 10)]
    [InlineData(8, 8)]
    [InlineData(16, 16)]
    public void EveryFourierModeIsScaledByItsSigma(int lx, int ly)
    {
        var arch = new FlowArchitecture { Lx = lx, Ly = ly, Layers = 1, Hidden = [2], SpectrumScaling = true };
        using var device = DeviceFactory.Create("cpu", 2);
        var weights = FlowTestModels.RandomWeights(arch.ParameterCount, 5, scale: 0.8);
        using var flow = FlowTestModels.Build(arch, device, weights);
        var layer = Assert.IsType<SpectrumScalingLayer>(flow.Layers[0]);
        double[] c = [.. weights.Skip(layer.Offset).Take(SpectrumScalingLayer.ParameterCount).Select(w => (double)w)];
        int v = lx * ly;
        double logDet = 0;
        for (int nx = 0; nx < lx; nx++)
            for (int ny = 0; ny < ly; ny++) logDet += LogSigma(c, MomentumSquared(nx, ny, lx, ly));

        using var x = device.Allocate<float>(2 * v);
        using var y = device.Allocate<float>(2 * v);
        using var det = device.Allocate<double>(2);
        layer.EnsureCapacity(2);
        foreach (var (nx, ny) in new[] { (0, 0), (1, 0), (0, 1), (1, 2), (2, 4), (lx / 2, ly / 2), (lx - 1, 3 % ly) })
        {
            var wave = new float[2 * v];
            for (int s = 0; s < v; s++)
            {
                double phase = 2 * Math.PI * ((double)nx * (s / ly) / lx + (double)ny * (s % ly) / ly);
                (wave[s], wave[v + s]) = ((float)Math.Cos(phase), (float)Math.Sin(phase));
            }
            device.CopyFromHost(wave, x.View);
            det.MemSetToZero();
            layer.Forward(2, x.View, y.View, det.View);
            var output = new float[2 * v];
            device.CopyToHost(y.View, output);
            double sigma = Math.Exp(LogSigma(c, MomentumSquared(nx, ny, lx, ly)));
            for (int j = 0; j < 2 * v; j++)
                Assert.True(Math.Abs(output[j] - sigma * wave[j]) < 3e-5 * Math.Max(1, sigma), $"mode ({nx}, {ny}), element {j}: {output[j]} against σ·x = {sigma * wave[j]}");
            var logDets = new double[2];
            device.CopyToHost(det.View, logDets);
            Assert.Equal(logDet, logDets[0], 4);
            Assert.Equal(logDet, logDets[1], 4);
        }
    }

    [Fact]
    public void TheModelFileKeepsItInFormat4AndTheCommandLineTrainsAndSamplesWithIt()
    {
        using var tmp = new TempDir();
        string a = tmp.Sub("L6"), b = tmp.Sub("L8"), run = tmp.Sub("mh");
        string[] network = ["--layers", "4", "--hidden", "8", "--spectrum-scaling"];
        var (code, _, _) = CliRunner.Run(["train", "--L", "6", "--m2", "-4", "--lam", "6.975", .. network, "--steps", "800", "--lr", "3e-3",
            "--eval", "1000", "--device", "cpu", "--quiet", "--out", a]);
        Assert.Equal(0, code);
        var model = ModelFile.Read(Path.Combine(a, TrainRun.Model));
        Assert.Equal((4, true), (model.Header.FormatVersion, model.Header.SpectrumScaling));
        Assert.True(model.Header.Architecture().SpectrumScaling);
        // Training moved the spectrum off the identity (its parameters are the last ones).
        Assert.Contains(model.Weights[^SpectrumScalingLayer.ParameterCount..], w => w != 0);

        // Another lattice from it keeps the spectrum's parameters, the layer taken from the model where not asked for.
        string[] l8 = ["train", "--L", "8", "--m2", "-4", "--lam", "6.008", "--steps", "0", "--eval", "0", "--device", "cpu", "--quiet"];
        Assert.Equal(0, CliRunner.Run([.. l8, "--layers", "4", "--hidden", "8", "--init-from", Path.Combine(a, TrainRun.Model), "--out", b]).Code);
        var child = ModelFile.Read(Path.Combine(b, TrainRun.Model));
        Assert.True(child.Header.SpectrumScaling);
        Assert.Equal(model.Weights, child.Weights);
        // A flow without the layer is another network.
        string plain = tmp.Sub("plain");
        Assert.Equal(0, CliRunner.Run([.. l8, "--layers", "4", "--hidden", "8", "--out", plain]).Code);
        var (refused, _, err) = CliRunner.Run([.. l8, .. network, "--init-from", Path.Combine(plain, TrainRun.Model), "--out", tmp.Sub("other")]);
        Assert.Equal(2, refused);
        Assert.Contains("is not the one asked for", err);

        Assert.Equal(0, CliRunner.Run("sample", "--algo", "flow", "--model", Path.Combine(a, TrainRun.Model), "--n", "1000", "--therm", "100",
            "--seed", "3", "--device", "cpu", "--quiet", "--out", run).Code);
        Assert.InRange(RunMeta.Read(run).Acceptance.Mean, 0.05, 0.99);

        // A flow without the layer is still written in format 2, which older builds read; a header that claims the layer
        // in an older format is refused by name rather than by its parameter count.
        Assert.Equal(2, ModelHeader.For(new FlowArchitecture { Lx = 6, Ly = 6 }, Phi4Couplings.Tutorial).FormatVersion);
        string contradictory = Path.Combine(tmp.Path, "format3.lfm");
        ModelFile.Write(contradictory, model.Header with { FormatVersion = 3 }, model.Weights);
        var e = Assert.Throws<InvalidInputException>(() => ModelFile.Read(contradictory));
        Assert.Equal("model file: spectrum_scaling in a format 3 header (the layer needs format 4)", e.Message);
        // Written only when true: a flow without the layer has the header it had before format 4.
        var plainHeader = ModelFile.Read(Path.Combine(plain, TrainRun.Model)).Header;
        Assert.DoesNotContain("spectrum_scaling", System.Text.Json.JsonSerializer.Serialize(plainHeader, LatticeFlow.Files.JsonFiles.Options));
        Assert.Contains("\"spectrum_scaling\": true", System.Text.Json.JsonSerializer.Serialize(model.Header, LatticeFlow.Files.JsonFiles.Options));
    }
}
