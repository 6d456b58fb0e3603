using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Physics;

namespace LatticeFlow.Tests.Flows;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lf-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string WriteModel(out float[] weights, bool withMoments = false)
    {
        var arch = FlowTestModels.Tiny();
        weights = FlowTestModels.RandomWeights(arch.ParameterCount, 61);
        string path = Path.Combine(_dir, "m.lfm");
        var header = ModelHeader.For(arch, Phi4Couplings.Tutorial) with { OptimizerStep = withMoments ? 7 : null };
        if (withMoments) ModelFile.Write(path, header, weights, weights, weights);
        else ModelFile.Write(path, header, weights);
        return path;
    }

    [Fact]
    public void RoundTripKeepsArchitectureWeightsAndDensities()
    {
        string path = WriteModel(out var weights);
        using var device = DeviceFactory.Create("cpu", 1);
        using var flow = RealNvpFlow.Load(path, device);
        Assert.Equal(FlowTestModels.Tiny().Describe(), flow.Architecture.Describe());
        Assert.Equal(weights, flow.Parameters.GetValues());
        var c = ModelFile.Read(path);
        Assert.Equal(Phi4Couplings.Tutorial, c.Header.Action);
        Assert.Null(c.AdamM);
        var ck = ModelFile.Read(WriteModel(out _, withMoments: true));
        Assert.Equal(7, ck.Header.OptimizerStep);
        Assert.Equal(weights, ck.AdamV);
    }

    [Fact]
    public void CorruptTruncatedOrForeignFilesGiveClearErrors()
    {
        string path = WriteModel(out _);
        byte[] bytes = File.ReadAllBytes(path);
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidInputException>(() => ModelFile.Read(path)).Message);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        Assert.Contains("truncated", Assert.Throws<InvalidInputException>(() => ModelFile.Read(path)).Message);
        File.WriteAllText(path, "not a model");
        Assert.Contains("bad magic", Assert.Throws<InvalidInputException>(() => ModelFile.Read(path)).Message);
        Assert.Contains("not found", Assert.Throws<InvalidInputException>(() => ModelFile.Read(path + ".missing")).Message);
    }

    [Fact]
    public void MismatchedLatticeOrCouplingsAreRefused()
    {
        var header = ModelFile.Read(WriteModel(out _)).Header;
        Assert.Contains("4x4", Assert.Throws<InvalidInputException>(() => ModelFile.CheckMatches(header, 8, 8, Phi4Couplings.Tutorial, "m.lfm")).Message);
        Assert.Contains("m2", Assert.Throws<InvalidInputException>(() => ModelFile.CheckMatches(header, 4, 4, Phi4Couplings.Standard(-2, 8), "m.lfm")).Message);
    }
}
