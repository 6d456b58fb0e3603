using System.Text.Json;
using LatticeFlow.Devices.Simd;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// `sample --simd off | auto` end to end (issue 16): Metropolis, HMC and the cluster hybrid write byte-identical
/// ensembles on both paths, a run begun on one path and resumed on the other is byte-identical to an uninterrupted one,
/// and meta.json names the path that ran. The lattices are wide enough for the sampler twins to take their rows (34 sites:
/// 17 of a colour, a whole AVX2 block and one site past it; 8 × 66 with Lx ≠ Ly), and two chains make the rows of one
/// item belong to two Markov chains. The kernel-level bit-identity on awkward shapes is in Devices/*TwinTests.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SampleSimdTests
{
    private static readonly string[] Files = ["fields.npy", "measurements.csv", "timeslices.npy"];

    public static TheoryData<string, string[]> Cases => new()
    {
        { "metropolis", ["--L", "34"] },
        { "metropolis", ["--Lx", "8", "--Ly", "66", "--hits", "3"] },
        { "hmc", ["--L", "34"] },
        { "hmc", ["--Lx", "8", "--Ly", "66", "--integrator", "omelyan"] },
        { "cluster", ["--L", "34"] },
    };

    private static string[] Args(string algo, string[] shape, string simd, int n, string dir) =>
        ["sample", "--algo", algo, .. shape, "--m2", "-4", "--lam", "8", "--n", $"{n}", "--therm", "20", "--chains", "2",
         "--seed", "7", "--device", "cpu", "--simd", simd, "--quiet", "--out", dir];

    [SimdTheory]
    [MemberData(nameof(Cases))]
    public void OffAndAutoGiveByteIdenticalEnsemblesAndResumeAcrossThePaths(string algo, string[] shape)
    {
        using var tmp = new TempDir();
        const int n = 40;
        foreach (var simd in new[] { "off", "auto" })
        {
            var (code, _, err) = CliRunner.Run(Args(algo, shape, simd, n, tmp.Sub(simd)));
            Assert.True(code == 0, err);
            string expected = simd == "auto" ? HostSimd.Name(HostSimd.Detected) : "off";
            using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp.Sub(simd), "meta.json")));
            Assert.Equal(expected, meta.RootElement.GetProperty("simd").GetString());
        }
        AssertSameBytes(tmp.Sub("off"), tmp.Sub("auto"), $"{algo} off against auto");

        // Half the configurations on one path, the rest after --resume on the other, both ways round.
        foreach (var (first, second) in new[] { ("off", "auto"), ("auto", "off") })
        {
            string dir = tmp.Sub($"{first}-then-{second}");
            var (code, _, err) = CliRunner.Run(Args(algo, shape, first, n / 2, dir));
            Assert.True(code == 0, err);
            (code, _, err) = CliRunner.Run("sample", "--out", dir, "--resume", "--n", $"{n}", "--device", "cpu", "--simd", second, "--quiet");
            Assert.True(code == 0, err);
            AssertSameBytes(tmp.Sub("off"), dir, $"{algo} {first} resumed with {second}");
        }
    }

    private static void AssertSameBytes(string expectedDir, string actualDir, string what)
    {
        foreach (var file in Files)
        {
            var expected = File.ReadAllBytes(Path.Combine(expectedDir, file));
            var actual = File.ReadAllBytes(Path.Combine(actualDir, file));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{file} differs ({what}): {expected.Length} against {actual.Length} bytes");
        }
    }
}
