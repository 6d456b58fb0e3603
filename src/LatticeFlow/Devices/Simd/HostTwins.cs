using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Runs a kernel's host SIMD twin on the managed launcher; false when the twin does not take this launch (a lattice
/// narrower than its lanes, GPU-only slices), and the body runs instead.
/// </summary>
internal delegate bool TwinLaunch<T>(T kernel, TwinContext context, int items, long sites) where T : struct, IKernel;

/// <summary>
/// The one list of host SIMD twins (DESIGN.md principle 2): kernel struct → the method that runs its twin. The managed
/// launcher asks <see cref="HostTwin{T}"/> once per kernel type; every twin listed here has a test against its body
/// (tests/LatticeFlow.Tests/Devices/ConvTwinTests.cs, ElementwiseTwinTests.cs, CouplingTwinTests.cs, HmcTwinTests.cs,
/// MetropolisTwinTests.cs, ObservableTwinTests.cs, PriorTwinTests.cs, SpectrumTwinTests.cs), and one test fails
/// when a twin is listed without one (TwinRegistryTests).
/// </summary>
internal static class HostTwins
{
    public static readonly IReadOnlyDictionary<Type, MethodInfo> All = new Dictionary<Type, MethodInfo>
    {
        [typeof(ConvForwardKernel<,>)] = Twin(typeof(ConvTwins), nameof(ConvTwins.Forward)),
        [typeof(ConvInputGradKernel<,>)] = Twin(typeof(ConvTwins), nameof(ConvTwins.InputGrad)),
        [typeof(ConvWeightGradKernel<,,>)] = Twin(typeof(ConvTwins), nameof(ConvTwins.WeightGrad)),
        [typeof(ActivationBackwardKernel<>)] = Twin(typeof(ElementwiseTwins), nameof(ElementwiseTwins.ActivationBackward)),
        [typeof(CouplingTransformKernel<,,>)] = Twin(typeof(CouplingTwins), nameof(CouplingTwins.Transform)),
        [typeof(CouplingBackwardKernel<,,>)] = Twin(typeof(CouplingTwins), nameof(CouplingTwins.Backward)),
        [typeof(ForceKernel<,>)] = Twin(typeof(HmcTwins), nameof(HmcTwins.Force)),
        [typeof(FieldKernel<>)] = Twin(typeof(HmcTwins), nameof(HmcTwins.Field)),
        [typeof(GaussianKernel<>)] = Twin(typeof(HmcTwins), nameof(HmcTwins.Gaussian)),
        [typeof(MetropolisKernel<,>)] = Twin(typeof(MetropolisTwins), nameof(MetropolisTwins.Update)),
        [typeof(ObservableKernel<,>)] = Twin(typeof(ObservableTwins), nameof(ObservableTwins.Measure)),
        [typeof(PriorSampleKernel<>)] = Twin(typeof(PriorTwins), nameof(PriorTwins.Sample)),
        [typeof(HartleyAxisKernel<>)] = Twin(typeof(SpectrumTwins), nameof(SpectrumTwins.HartleyAxis)),
    };

    private static MethodInfo Twin(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"no twin method {type.Name}.{name}");

    public static TwinLaunch<T>? Find<T>() where T : struct, IKernel
    {
        var type = typeof(T);
        if (!type.IsGenericType || !All.TryGetValue(type.GetGenericTypeDefinition(), out var method)) return null;
        return method.MakeGenericMethod(type.GetGenericArguments()).CreateDelegate<TwinLaunch<T>>();
    }
}

/// <summary>The twin of kernel type <typeparamref name="T"/>, or null; looked up once per type.</summary>
internal static class HostTwin<T> where T : struct, IKernel
{
    public static readonly TwinLaunch<T>? Launch = HostTwins.Find<T>();
}

/// <summary>
/// What a twin gets from the managed launcher: the launcher (a twin runs its own IKernel structs on the same threads), the
/// SIMD level, and scratch memory that stays valid until the next twin launch of this device (launches are sequential).
/// </summary>
internal sealed unsafe class TwinContext(IHostLauncher launcher, SimdLevel level) : IDisposable
{
    private float[]? _scratch;

    public IHostLauncher Launcher { get; } = launcher;
    public SimdLevel Level { get; } = level;

    /// <summary>At least <paramref name="floats"/> floats of pinned scratch, 64-byte aligned; earlier pointers are invalid after a call that grows it.</summary>
    public float* Scratch(long floats)
    {
        long need = floats + 16;
        if (_scratch is null || _scratch.Length < need) _scratch = GC.AllocateUninitializedArray<float>((int)Math.Max(need, 2L * (_scratch?.Length ?? 0)), pinned: true);
        var p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scratch));
        return (float*)(((nint)p + 63) & ~(nint)63);
    }

    public void Dispose() => _scratch = null;
}
