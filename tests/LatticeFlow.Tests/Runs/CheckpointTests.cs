using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Runs;

public class CheckpointTests
{
    private static CheckpointState State() => new()
    {
        Algorithm = "hmc", Lx = 2, Ly = 2, Action = Phi4Couplings.Tutorial, Chains = 1, Seed = 3, Thermalization = 10, SaveEvery = 1,
        AlgorithmSettings = "{}", Step = 17, ConfigurationsWritten = 7, TunerLogValue = -1.5, TunerIterations = 10,
        TallyAccepted = [1], TallyUpdates = 1, AcceptanceSum = [5.5], ThermalizationSeconds = 1, SamplingSeconds = 2,
        Field = [0.1, -0.2, 0.3, 0.4],
    };

    [Fact]
    public void RoundTrips()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("ck.bin");
        Checkpoint.Write(path, State());
        var back = Checkpoint.Read(path);
        Assert.Equal(State().Field, back.Field);
        Assert.Equal(17, back.Step);
        Assert.Equal(-1.5, back.TunerLogValue);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    public void DamagedCheckpointIsAClearError(string damage)
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("ck.bin");
        Checkpoint.Write(path, State());
        var bytes = File.ReadAllBytes(path);
        bytes = damage switch
        {
            "flip" => bytes.Select((b, i) => i == bytes.Length / 2 ? (byte)(b ^ 0x10) : b).ToArray(),
            "truncate" => bytes[..(bytes.Length - 20)],
            _ => [],
        };
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidInputException>(() => Checkpoint.Read(path));
        Assert.Contains("corrupt or truncated", e.Message);
    }
}
