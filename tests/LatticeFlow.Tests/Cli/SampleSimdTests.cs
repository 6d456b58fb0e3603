using System.Text.Json;
using LatticeFlow.Devices.Simd;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// `sample --simd off | avx2 | avx512` end to end (issue 16): Metropolis, HMC and the cluster hybrid write
/// byte-identical ensembles on every path this CPU runs, a run begun on one path and resumed on the other is byte-identical to an uninterrupted one,
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
    public void EverySimdPathGivesByteIdenticalEnsemblesAndResumesAcrossThem(string algo, string[] shape)
    {
        using var tmp = new TempDir();
        const int n = 40;
        // Every path this CPU runs: on an AVX-512 machine `auto` is avx512, and avx2 is compared too.
        var levels = new List<string> { "off", "avx2" };
        if (HostSimd.Detected >= SimdLevel.Avx512) levels.Add("avx512");
        foreach (var simd in levels)
        {
            var (code, _, err) = CliRunner.Run(Args(algo, shape, simd, n, tmp.Sub(simd)));
            Assert.True(code == 0, err);
            Assert.Equal(simd, Simd(tmp.Sub(simd)));
            if (simd != "off") AssertSameBytes(tmp.Sub("off"), tmp.Sub(simd), $"{algo} off against {simd}");
        }

        // Half the configurations on one path, the rest after --resume on the other, both ways round; meta.json names
        // the path of the session that wrote it last.
        string widest = levels[^1];
        foreach (var (first, second) in new[] { ("off", widest), (widest, "off") })
        {
            string dir = tmp.Sub($"{first}-then-{second}");
            var (code, _, err) = CliRunner.Run(Args(algo, shape, first, n / 2, dir));
            Assert.True(code == 0, err);
            (code, _, err) = CliRunner.Run("sample", "--out", dir, "--resume", "--n", $"{n}", "--device", "cpu", "--simd", second, "--quiet");
            Assert.True(code == 0, err);
            Assert.Equal(second, Simd(dir));
            AssertSameBytes(tmp.Sub("off"), dir, $"{algo} {first} resumed with {second}");
        }
    }

    private static string? Simd(string dir)
    {
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")));
        return meta.RootElement.GetProperty("simd").GetString();
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
