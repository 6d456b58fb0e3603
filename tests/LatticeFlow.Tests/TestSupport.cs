using LatticeFlow.Devices;

namespace LatticeFlow.Tests;

/// <summary>A fact that needs a CUDA device; skipped, with the reason shown, where none is present.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!DeviceFactory.HasCuda) Skip = "no CUDA device on this machine (CI and developer machines have none); run on the GPU machine to include it";
    }
}

/// <summary>A theory that needs a CUDA device; skipped, with the reason shown, where none is present.</summary>
public sealed class CudaTheoryAttribute : TheoryAttribute
{
    public CudaTheoryAttribute()
    {
        if (!DeviceFactory.HasCuda) Skip = "no CUDA device on this machine (CI and developer machines have none); run on the GPU machine to include it";
    }
}

/// <summary>
/// A theory that compares the host SIMD twins with the kernel bodies on the whole path (`--simd avx2` and wider against `off`);
/// skipped, with the reason shown, on a CPU without AVX2, where both would run the bodies and the comparison would prove
/// nothing.
/// </summary>
public sealed class SimdTheoryAttribute : TheoryAttribute
{
    public SimdTheoryAttribute()
    {
        if (LatticeFlow.Devices.Simd.HostSimd.Detected == LatticeFlow.Devices.Simd.SimdLevel.Off)
            Skip = "this CPU has no AVX2: only the kernel bodies run here, so there is no second path to compare";
    }
}

/// <summary>
/// A fact about machines without a CUDA device (what --device cuda says there); skipped, with the reason shown, where
/// one is present, rather than passing without checking anything.
/// </summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (DeviceFactory.HasCuda) Skip = "this machine has a CUDA device; the test is of machines without one";
    }
}

/// <summary>Scratch directories under the system temp folder, removed when disposed.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "latticeflow-tests", Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Deterministic host-side random fields for tests (independent of the engine's RNG).</summary>
public static class TestFields
{
    public static double[] Random(int n, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = scale * (2 * rng.NextDouble() - 1);
        return a;
    }
}

/// <summary>The repository this test assembly was built from: the first directory above the test binaries holding LatticeFlow.sln.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LatticeFlow.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no LatticeFlow.sln above the test binaries");
    }
}
