using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Tests.Flows;

namespace LatticeFlow.Tests.Files;

public sealed class BinaryContainerTests
{
    private sealed record TestHeader(string Name, int Count, double Scale);

    private static readonly BinaryContainer<TestHeader> Container = new("LFTEST01", "test file", JsonFiles.Options);

    private static readonly float[] Floats = [1.5f, -2.25f, float.Epsilon];
    private static readonly double[] Doubles = [Math.PI, -0.0, double.MaxValue];

    private static void WriteSample(string path) => Container.Write(path, new TestHeader("x", 3, 0.5), w =>
    {
        w.Int32(Floats.Length);
        w.Floats(Floats);
        w.Doubles(Doubles);
    });

    /// <summary>Writes the sample to a file in <paramref name="tmp"/> and returns its bytes.</summary>
    private static byte[] WrittenSample(TempDir tmp, out string path)
    {
        path = tmp.Sub("f.bin");
        WriteSample(path);
        return File.ReadAllBytes(path);
    }

    private static (TestHeader, float[], double[], string) ReadSample(string path) =>
        Container.Read(path, (h, r) => (h, r.Floats(r.Int32()), r.Doubles(h.Count), r.Sha256));

    /// <summary>The old layout, written independently of the container: magic, int32 header length, header, payload, SHA-256.</summary>
    private static byte[] OldLayout(string magic, string headerJson, Action<BinaryWriter> payload)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Encoding.ASCII.GetBytes(magic));
            byte[] json = Encoding.UTF8.GetBytes(headerJson);
            w.Write(json.Length);
            w.Write(json);
            payload(w);
        }
        body.Write(SHA256.HashData(body.ToArray()));
        return body.ToArray();
    }

    /// <summary>A container's header JSON and payload (between the header and the SHA-256).</summary>
    private static (string Json, byte[] Payload) Split(byte[] file)
    {
        int n = BitConverter.ToInt32(file, 8);
        return (Encoding.UTF8.GetString(file, 12, n), file[(12 + n)..^32]);
    }

    private static string OldFile(string name) => Path.Combine(AppContext.BaseDirectory, "Files", "OldFormats", name);

    [Fact]
    public void RoundTripsHeaderPayloadAndChecksum()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("f.bin");
        WriteSample(path);
        var (header, floats, doubles, sha) = ReadSample(path);
        Assert.Equal(new TestHeader("x", 3, 0.5), header);
        Assert.Equal(Floats, floats);
        Assert.Equal(Doubles, doubles);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32))), sha);
    }

    /// <summary>The layout checkpoints and model files have always had, byte for byte.</summary>
    [Fact]
    public void WritesTheLayoutOfEarlierFiles()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("f.bin");
        WriteSample(path);
        byte[] expected = OldLayout("LFTEST01", JsonSerializer.Serialize(new TestHeader("x", 3, 0.5), JsonFiles.Options), w =>
        {
            w.Write(Floats.Length);
            foreach (float f in Floats) w.Write(f);
            foreach (double d in Doubles) w.Write(d);
        });
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void AnyFlippedByteIsRefused()
    {
        using var tmp = new TempDir();
        byte[] bytes = WrittenSample(tmp, out string path);
        for (int i = 0; i < bytes.Length; i++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[i] ^= 0x01;
            File.WriteAllBytes(path, flipped);
            string message = Assert.Throws<InvalidInputException>(() => ReadSample(path)).Message;
            Assert.StartsWith(path + ": ", message);
            Assert.Contains(i < 8 ? "not a LatticeFlow test file (bad magic" : "test file corrupt or truncated (checksum mismatch)", message);
        }
    }

    [Fact]
    public void TruncationAtEveryLengthIsACleanError()
    {
        using var tmp = new TempDir();
        byte[] bytes = WrittenSample(tmp, out string path);
        for (int n = 0; n < bytes.Length; n++)
        {
            File.WriteAllBytes(path, bytes[..n]);
            string message = Assert.Throws<InvalidInputException>(() => ReadSample(path)).Message;
            Assert.StartsWith(path + ": test file corrupt or truncated", message);
            Assert.DoesNotContain('\n', message);
        }
    }

    [Fact]
    public void AnotherKindIsRefusedByName()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("f.bin");
        WriteSample(path);
        Assert.Equal($"{path}: not a LatticeFlow checkpoint (bad magic; expected \"LFCKPT01\")",
            Assert.Throws<InvalidInputException>(() => Checkpoint.Read(path)).Message);
        Assert.Equal($"{path}: not a LatticeFlow model file (bad magic; expected \"LFFLOW01\")",
            Assert.Throws<InvalidInputException>(() => ModelFile.Read(path)).Message);
        Assert.Equal($"{path}.missing: test file not found", Assert.Throws<InvalidInputException>(() => ReadSample(path + ".missing")).Message);
    }

    /// <summary>A file whose checksum holds but whose counts do not fit its payload (a writer's bug) is refused, not read past.</summary>
    [Theory]
    [InlineData(4, "ends 4 bytes early")]
    [InlineData(-1, "negative count")]
    [InlineData(int.MaxValue, "bytes early")]
    [InlineData(2, "4 unexpected trailing bytes")]
    public void CountsThatDoNotFitThePayloadAreRefused(int count, string expected)
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("f.bin");
        Container.Write(path, new TestHeader("x", 0, 0), w =>
        {
            w.Int32(count);
            w.Floats(Floats);
        });
        string message = Assert.Throws<InvalidInputException>(() => Container.Read(path, (h, r) => r.Floats(r.Int32()))).Message;
        Assert.StartsWith(path + ": test file ", message);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ", "header is not valid JSON")]
    [InlineData("null", "empty test file header")]
    public void AHeaderThatIsNotTheRecordIsRefused(string json, string expected)
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("f.bin");
        File.WriteAllBytes(path, OldLayout("LFTEST01", json, _ => { }));
        Assert.Contains(expected, Assert.Throws<InvalidInputException>(() => Container.Read(path, (h, r) => h)).Message);
    }

    /// <summary>Files written by the build before the container (fe2f5a8; see OldFormats/README.md) read, and a model rewrites byte for byte.</summary>
    [Fact]
    public void FilesWrittenBeforeTheContainerRead()
    {
        var model = ModelFile.Read(OldFile("model-format2.lfm"));
        Assert.Equal(2, model.Header.FormatVersion);
        Assert.Equal(20, model.Weights.Length);
        Assert.Null(model.AdamM);
        byte[] old = File.ReadAllBytes(OldFile("model-format2.lfm"));
        Assert.Equal(Convert.ToHexStringLower(old.AsSpan(old.Length - 32)), model.Checksum);
        Assert.Equal(Phi4Couplings.Standard(-4, 8), model.Header.Action);
        // Rewritten, the header gains the action record (before φ⁴'s m2 and lambda, which stay for builds before it) and
        // nothing else changes, byte for byte.
        using var tmp = new TempDir();
        ModelFile.Write(tmp.Sub("again.lfm"), model.Header, model.Weights);
        var (json, payload) = Split(old);
        var header = JsonNode.Parse(json)!.AsObject();
        header.Insert(header.IndexOf("m2"), "action", JsonNode.Parse("""{"name": "phi4", "m2": -4, "lambda": 8}"""));
        Assert.Equal(OldLayout("LFFLOW01", header.ToJsonString(JsonFiles.Options), w => w.Write(payload)), File.ReadAllBytes(tmp.Sub("again.lfm")));
        Assert.Equal(Phi4Couplings.Standard(-4, 8), ModelFile.Read(tmp.Sub("again.lfm")).Header.Action);

        var training = ModelFile.Read(OldFile("train-checkpoint-format2.lfm"));
        Assert.Equal(3, training.Header.OptimizerStep);
        Assert.Equal(20, training.AdamM!.Length);
        Assert.Equal(20, training.AdamV!.Length);

        var state = Checkpoint.Read(OldFile("flow-checkpoint.bin"));
        Assert.Equal(("flow", 4, 4, 2, 3L, 3L), (state.Algorithm, state.Lx, state.Ly, state.Chains, state.Step, state.ConfigurationsWritten));
        Assert.Equal(Phi4Couplings.Standard(-4, 8), state.Action);
        Assert.Equal(32, state.Field.Length);
        Assert.Equal(3, state.SamplerState.Length);
    }

    /// <summary>
    /// A format-1 model file (the tutorial's flows: no equivariant, global_scale, clamp or lineage) assembled as the first
    /// writer did, and a checkpoint whose flow chain has log w = −∞ (no acceptance yet), which must resume exactly.
    /// </summary>
    [Fact]
    public void AFormatOneModelAndAnInfiniteLogWeightRead()
    {
        using var tmp = new TempDir();
        var arch = FlowTestModels.Tiny();
        var weights = FlowTestModels.RandomWeights(arch.ParameterCount, 3);
        var v2 = JsonSerializer.SerializeToNode(ModelHeader.For(arch, Phi4Couplings.Tutorial), JsonFiles.Options)!.AsObject();
        foreach (string key in new[] { "equivariant", "global_scale", "clamp", "lineage", "bins", "bound", "optimizer_step" }) v2.Remove(key);
        v2["format_version"] = 1;
        string path = tmp.Sub("v1.lfm");
        File.WriteAllBytes(path, OldLayout("LFFLOW01", v2.ToJsonString(), w =>
        {
            w.Write(weights.Length);
            foreach (float f in weights) w.Write(f);
            w.Write(0);
        }));
        var v1 = ModelFile.Read(path);
        Assert.Equal(1, v1.Header.FormatVersion);
        Assert.False(v1.Header.Equivariant);
        Assert.Equal(weights, v1.Weights);

        var state = Checkpoint.Read(OldFile("flow-checkpoint.bin")) with { SamplerState = [double.NegativeInfinity, -1, 0] };
        Checkpoint.Write(tmp.Sub("ck.bin"), state);
        Assert.Equal(state.SamplerState, Checkpoint.Read(tmp.Sub("ck.bin")).SamplerState);
        Assert.Equal(state.Field, Checkpoint.Read(tmp.Sub("ck.bin")).Field);
    }
}
