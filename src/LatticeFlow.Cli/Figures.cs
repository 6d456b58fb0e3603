using System.Globalization;
using LatticeFlow.Analysis;

namespace LatticeFlow.Cli;

/// <summary>How the CLI prints a Γ-method result: an error that cannot be computed is "undetermined", never ± 0 or a number.</summary>
public static class Figures
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The error as printed: a number, "0 (constant)", or "undetermined".</summary>
    public static string Error(GammaResult r, string format = "G3") => r.Status switch
    {
        ErrorStatus.Undetermined => "undetermined",
        ErrorStatus.Constant => "0 (constant)",
        _ => r.Error.ToString(format, C),
    };

    /// <summary>τ_int ± δτ_int as printed, or "undetermined" / "-" (constant series).</summary>
    public static string TauInt(GammaResult r) => r.Status switch
    {
        ErrorStatus.Undetermined => "undetermined",
        ErrorStatus.Constant => "-",
        _ => $"{r.TauInt.ToString("F2", C)} ± {r.TauIntError.ToString(r.TauIntError < 0.01 ? "G2" : "F2", C)}",
    };

    /// <summary>N_eff = N / (2 τ_int) as printed.</summary>
    public static string NEff(GammaResult r) => r.Status == ErrorStatus.Determined ? r.NEff.ToString("F0", C) : "-";

    /// <summary>The reason a figure cannot be trusted, in brackets, or nothing.</summary>
    public static string Caveat(GammaResult r) => r.Caveat is string c ? $"  ({c})" : "";
}
