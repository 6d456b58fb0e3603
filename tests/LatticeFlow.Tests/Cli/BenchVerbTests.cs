using System.Text.Json;
using LatticeFlow.Devices.Simd;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// `bench --simd both` (issue 16): every figure with the kernel bodies and the twins side by side, the kernels' rates
/// against the machine's peak, the JSON record; bad --simd values refused in one line. No timings are checked.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BenchVerbTests
{
    [Fact]
    public void BothPrintsTheOffAndAutoColumnsForEveryFigureAndWritesThemAsJson()
    {
        using var tmp = new TempDir();
        string json = tmp.Sub("bench.json");
        var (code, output, err) = CliRunner.Run("bench", "--simd", "both", "--sizes", "8", "--seconds", "0.05", "--flow-steps", "2", "--json", json);
        Assert.True(code == 0, err);
        string auto = $"auto ({HostSimd.Name(HostSimd.Detected)})";
        var header = output.Split('\n').Single(l => l.StartsWith("figure "));
        Assert.Contains(" off ", header);
        Assert.Contains(auto, header);
        Assert.Contains("auto/off", header);
        foreach (string figure in new[] { "metropolis site updates per second", "hmc time per site per leapfrog step", "flow training steps/s", "flow MH proposals/s" })
            Assert.Contains(output.Split('\n'), l => l.StartsWith(figure));
        Assert.Contains("peak", output);
        Assert.Contains("  ConvForwardKernel ", output);
        Assert.Contains("  MetropolisKernel ", output);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var figures = doc.RootElement.GetProperty("figures").EnumerateArray().ToList();
        Assert.Equal(3 + 1 + 3, figures.Count); // three samplers at L = 8, training, flow MH at L = 8, 16, 32
        foreach (var f in figures)
        {
            var modes = f.GetProperty("modes").EnumerateArray().Select(m => m.GetProperty("simd").GetString()).ToList();
            Assert.Equal(["off", "auto"], modes);
            Assert.True(f.GetProperty("speedup").GetDouble() > 0);
        }
        Assert.True(doc.RootElement.GetProperty("machine").GetProperty("triad_gb_per_second").GetDouble() > 0);
    }

    [Theory]
    [InlineData("sse")]
    [InlineData("Both")]
    public void AnUnknownSimdValueIsRefusedInOneLine(string simd)
    {
        var (code, output, err) = CliRunner.Run("bench", "--simd", simd, "--sizes", "8", "--flow-steps", "0");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"latticeflow: error: --simd {simd}: unknown SIMD level (choose both, auto, off, avx2, avx512)",
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void ASimdLevelThisCpuLacksIsRefusedInOneLine()
    {
        if (HostSimd.Detected == SimdLevel.Avx512) return; // every level runs here
        var (code, _, err) = CliRunner.Run("bench", "--simd", "avx512", "--sizes", "8", "--flow-steps", "0");
        Assert.Equal(2, code);
        Assert.Contains("--simd avx512: this CPU runs at most", Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
