namespace LatticeFlow.Analysis;

/// <summary>Whether the Γ-method could compute an error.</summary>
public enum ErrorStatus
{
    /// <summary>The error and τ_int were computed (see <see cref="GammaResult.Reliable"/> for whether they can be trusted).</summary>
    Determined,
    /// <summary>The series has no fluctuations at all: the mean is exact, the error 0, τ_int undefined (a frozen chain, or a column that never changes).</summary>
    Constant,
    /// <summary>
    /// No error can be computed: an input holds a non-finite value, the derived function or its derivative leaves its
    /// domain at the mean, or the autocorrelation sum is not positive (too few data). Error and τ_int are NaN.
    /// </summary>
    Undetermined,
}

/// <summary>
/// A Monte Carlo estimate with its autocorrelation-aware error (Wolff, hep-lat/0306017).
/// TauInt is Wolff's integrated autocorrelation time ½ + Σ_{t≥1} ρ(t) (emcee's τ is twice this); it can lie below ½ for
/// an anticorrelated chain (then the error is smaller than the naive one). WindowFound is false when the automatic window
/// reached its upper limit (too few data for a trustworthy τ); the error is then a lower bound. Where
/// <see cref="Status"/> is not <see cref="ErrorStatus.Determined"/>, Error, TauInt and their errors are NaN (or 0 for a
/// constant series' error) and must be shown as such, never as numbers.
/// </summary>
public sealed record GammaResult(double Value, double Error, double ErrorOfError, double TauInt, double TauIntError, int Window, double NEff, int N,
    bool WindowFound, ErrorStatus Status = ErrorStatus.Determined)
{
    /// <summary>
    /// Enough data for the error and τ_int to mean something: determined, a window was found and N ≥ 50 max(τ_int, ½)
    /// (then δτ/τ ≲ 30%; Wolff's criterion alone always finds a window on short chains, because
    /// the noise term τ/√(WN) of eq. 52 dominates there; an anticorrelated chain needs at least the data white noise does).
    /// </summary>
    public bool Reliable => Status == ErrorStatus.Determined && WindowFound && N >= MinimumLength * Math.Max(TauInt, 0.5);

    /// <summary>The data a figure needs, in units of its autocorrelation time: N ≥ 50 τ (see <see cref="Reliable"/>).</summary>
    public const int MinimumLength = 50;

    /// <summary>A result whose error cannot be computed (<see cref="ErrorStatus.Undetermined"/>).</summary>
    public static GammaResult Undetermined(double value, int n) =>
        new(value, double.NaN, double.NaN, double.NaN, double.NaN, 0, double.NaN, n, false, ErrorStatus.Undetermined);

    /// <summary>Why the figure cannot be trusted, in a few words; null where it can.</summary>
    public string? Caveat => Status switch
    {
        ErrorStatus.Undetermined => "error undetermined",
        ErrorStatus.Constant => "constant: no fluctuations, the error is 0",
        _ when !WindowFound => "no window found: too few data, the error is a lower bound",
        _ when N < MinimumLength * Math.Max(TauInt, 0.5) => "too few data: N < 50 tau_int",
        _ => null,
    };
}
