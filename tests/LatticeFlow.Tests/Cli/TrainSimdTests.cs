using System.Globalization;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Flows;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// `train --simd off | avx2 | auto`: the same losses within float32 rounding, the path that ran in train.json, and the
/// twins really running (the losses are not bit-identical to the bodies'). A 8 × 10 lattice: Lx ≠ Ly, rows not a
/// multiple of the 8 lanes, batch 3 (no multiple of anything), the tutorial's nets (1 → 8 → 8 → 2, 3 × 3).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainSimdTests
{
    private const int Layers = 2, Steps = 3;

    private static string[] Args(string dir, string simd) =>
        ["train", "--Lx", "8", "--Ly", "10", "--m2", "-4", "--lam", "8", "--layers", $"{Layers}", "--batch", "3", "--steps", $"{Steps}",
         "--eval", "0", "--device", "cpu", "--simd", simd, "--quiet", "--out", dir];

    [Fact]
    public void SimdOffAndOnTrainToTheSameLossesAndRecordThePath()
    {
        using var tmp = new TempDir();
        var levels = HostSimd.Detected >= SimdLevel.Avx2 ? new[] { "off", "avx2", "auto" } : ["off", "auto"];
        var losses = new Dictionary<string, double[]>();
        foreach (var simd in levels)
        {
            string dir = tmp.Sub(simd);
            var (code, _, err) = CliRunner.Run(Args(dir, simd));
            Assert.True(code == 0, err);
            string expected = simd == "auto" ? HostSimd.Name(HostSimd.Detected) : simd;
            Assert.Equal(expected, TrainSummary.Read(Path.Combine(dir, TrainRun.Summary)).Simd);
            losses[simd] = Losses(Path.Combine(dir, TrainRun.History));
            Assert.Equal(Steps, losses[simd].Length);
        }
        var body = losses["off"];
        foreach (var simd in levels.Where(l => l != "off"))
        {
            var twin = losses[simd];
            // Tolerance. Each conv output of the twins lies within 2γ_n Σ|w·x| of the body's, n = 8·9 + 1 terms, 2γ_n ≈ 8.7e-6
            // relative to Σ|w·x| (ConvTwins). A site value passes 3 convs per coupling, 3·Layers in all, and each affine
            // coupling φ → e^s φ + t with |s| < 1 (tanh on the net's output) is at most e-Lipschitz in φ, so relative errors
            // of φ stay below 3·Layers·e^Layers·8.7e-6 ≈ 3.9e-4 of the values' magnitudes. The loss, mean of log q + S, is
            // quartic in φ (λφ⁴ dominates at λ = 8): at most 4× that, relative to its terms' magnitudes, which at the first
            // steps (loss in the hundreds, S ≫ |log q|) are the loss itself. The gradient's rounding moves one Adam step
            // by lr times its relative error (Adam divides by √v), far inside this. So |Δloss| ≤ 1.6e-3·|loss|.
            double relative = 4 * 3 * Layers * Math.Exp(Layers) * 2 * (73 / Math.Pow(2, 24)) / (1 - 73 / Math.Pow(2, 24));
            for (int s = 0; s < Steps; s++)
                Assert.True(Math.Abs(twin[s] - body[s]) <= relative * Math.Abs(body[s]),
                    $"step {s}, --simd {simd}: loss {twin[s]:R} against the bodies' {body[s]:R} (bound {relative * Math.Abs(body[s]):E2})");
            if (HostSimd.Detected != SimdLevel.Off)
                Assert.True(twin.Where((l, s) => l != body[s]).Any(), $"--simd {simd} gave the bodies' losses bit for bit: the twins did not run");
        }
    }

    [Fact]
    public void AnUnknownLevelIsRefusedNamingTheOption()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        var (code, _, err) = CliRunner.Run(Args(dir, "sse"));
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: --simd sse: unknown SIMD level (choose auto, off, avx2, avx512)", err.Trim());
        Assert.False(Directory.Exists(dir));
    }

    private static double[] Losses(string history)
    {
        var lines = File.ReadAllLines(history);
        int column = Array.IndexOf(lines[0].Split(','), "loss");
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture))];
    }
}
