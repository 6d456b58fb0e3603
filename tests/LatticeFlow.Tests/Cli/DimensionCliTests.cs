using System.Text.Json;
using LatticeFlow.Files;
using LatticeFlow.Analysis;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// `sample --dim` and `--extents` (issue 14): a d-dimensional run writes fields.npy [N, (B,) L_0, …, L_{d−1}] and
/// timeslices over the last axis, meta.json records the extents, `analyze` reads it, and a run resumes; the lattice
/// options that cannot go together, and the samplers written for d = 2, are refused in one line naming the option.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class DimensionCliTests
{
    private static string Line(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData(new[] { "--dim", "3", "--L", "4" }, 1, new long[] { 4, 4, 4 })]
    [InlineData(new[] { "--extents", "4,2,6" }, 2, new long[] { 2, 4, 2, 6 })]
    [InlineData(new[] { "--extents", "2,4,2,6" }, 1, new long[] { 2, 4, 2, 6 })]
    public void ADimensionalRunWritesItsShapeAndResumes(string[] lattice, int chains, long[] shape)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        string[] common = ["sample", "--algo", "hmc", .. lattice, "--m2", "-1", "--lam", "4", "--therm", "10", "--chains", $"{chains}",
            "--out", dir, "--device", "cpu", "--quiet"];
        var (code, _, err) = CliRunner.Run([.. common, "--n", "20"]);
        Assert.True(code == 0, err);
        (code, _, err) = CliRunner.Run(["sample", "--out", dir, "--resume", "--n", "30", "--quiet", "--device", "cpu"]);
        Assert.True(code == 0, err);
        var (_, fieldShape) = NpyReader.Read(RunFiles.Path(dir, RunFiles.Fields));
        Assert.Equal([30, .. shape], fieldShape);
        var (_, sliceShape) = NpyReader.Read(RunFiles.Path(dir, RunFiles.Timeslices));
        Assert.Equal([30, chains, shape[^1]], sliceShape);
        using var meta = JsonDocument.Parse(File.ReadAllText(RunFiles.Path(dir, RunFiles.Meta)));
        var lat = meta.RootElement.GetProperty("lattice");
        var extents = shape.Skip(chains == 1 ? 0 : 1).Select(l => (int)l).ToArray();
        Assert.Equal(extents, lat.GetProperty("extents").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(extents.Length, lat.GetProperty("d").GetInt32());
        Assert.False(lat.TryGetProperty("Lx", out _));

        // An uninterrupted run of 30 is the same chain.
        string whole = tmp.Sub("whole");
        (code, _, err) = CliRunner.Run([.. common.Select(a => a == dir ? whole : a), "--n", "30"]);
        Assert.True(code == 0, err);
        foreach (var f in new[] { RunFiles.Fields, RunFiles.Timeslices, RunFiles.Measurements })
            Assert.True(File.ReadAllBytes(RunFiles.Path(dir, f)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(whole, f))), $"{f} differs after resume");

        (code, var output, err) = CliRunner.Run("analyze", dir, "--therm", "5");
        Assert.True(code == 0, err);
        Assert.Contains($"hmc on {string.Join("x", extents)}", output);
    }

    [Theory]
    [InlineData("--algo cluster --dim 3 --L 4", "--L 4,4,4: cluster runs on lattices of at most 2 dimensions, not 3")]
    [InlineData("--algo cluster --extents 4,4,6", "--extents 4,4,6: cluster runs on lattices of at most 2 dimensions, not 3")]
    [InlineData("--algo metropolis --extents 4,4,4,4,4", "--extents 4,4,4,4,4: a lattice has 2 to 4 dimensions, not 5")]
    [InlineData("--algo metropolis --extents 4,3,4", "--extents 4,3,4: extent 3 (axis 1): lattice sizes must be even and at least 2 (the checkerboard must tile the periodic lattice)")]
    [InlineData("--algo metropolis --dim 5 --L 4", "--dim 5: a lattice has 2 to 4 dimensions")]
    [InlineData("--algo metropolis --dim 3 --Lx 4 --Ly 4", "--dim goes with --L; for other shapes give --extents")]
    [InlineData("--algo metropolis --extents 4,4 --L 4", "give either --extents or --L (with --dim) or --Lx and --Ly, not several")]
    [InlineData("--algo metropolis --dim 3", "--dim needs --L (an L^d lattice)")]
    public void LatticeOptionsThatCannotWorkAreOneLine(string options, string expected)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("x");
        var (code, output, err) = CliRunner.Run(["sample", .. options.Split(' '), "--m2", "-4", "--lam", "8", "--out", dir, "--device", "cpu"]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("latticeflow: error: " + expected, Line(err));
        Assert.False(Directory.Exists(dir));
    }
}
