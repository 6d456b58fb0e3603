using System.Runtime.Intrinsics.X86;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Which host SIMD twins the managed launcher runs in place of kernel bodies (DESIGN.md principle 2): none (the bodies,
/// <c>--simd off</c>), the AVX2 + FMA twins (256-bit lanes), or the AVX-512 twins (512-bit lanes where a kernel's rows fill
/// them, 256-bit otherwise). GPU launchers always run the bodies.
/// </summary>
public enum SimdLevel
{
    Off = 0,
    Avx2 = 1,
    Avx512 = 2,
}

/// <summary>Run-time detection and the names of <see cref="SimdLevel"/>, as <c>--simd</c> takes them and run records write them.</summary>
public static class HostSimd
{
    /// <summary>What <c>--simd</c> accepts: auto (the widest this CPU runs), off (the kernel bodies), or a narrower level forced.</summary>
    public static readonly string[] Names = ["auto", "off", "avx2", "avx512"];

    /// <summary>The widest level this CPU runs: AVX-512 (F, with FMA) → AVX2 with FMA → off.</summary>
    public static SimdLevel Detected { get; } =
        Avx512F.IsSupported && Fma.IsSupported ? SimdLevel.Avx512 :
        Avx2.IsSupported && Fma.IsSupported ? SimdLevel.Avx2 : SimdLevel.Off;

    /// <exception cref="InvalidSettingException">An unknown name, or a level this CPU does not run.</exception>
    public static SimdLevel Parse(string name)
    {
        var level = name switch
        {
            "auto" => Detected,
            "off" => SimdLevel.Off,
            "avx2" => SimdLevel.Avx2,
            "avx512" => SimdLevel.Avx512,
            _ => throw new InvalidSettingException(SettingNames.Simd, name, $"unknown SIMD level (choose {string.Join(", ", Names)})"),
        };
        if (level > Detected)
            throw new InvalidSettingException(SettingNames.Simd, name, $"this CPU runs at most {Name(Detected)}; use auto");
        return level;
    }

    public static string Name(SimdLevel level) => level switch
    {
        SimdLevel.Avx2 => "avx2",
        SimdLevel.Avx512 => "avx512",
        _ => "off",
    };
}
