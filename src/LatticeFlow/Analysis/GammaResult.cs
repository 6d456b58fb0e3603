namespace LatticeFlow.Analysis;

/// <summary>
/// A Monte Carlo estimate with its autocorrelation-aware error (Wolff, hep-lat/0306017).
/// TauInt is Wolff's integrated autocorrelation time ½ + Σ_{t≥1} ρ(t) (emcee's τ is twice this).
/// WindowFound is false when the automatic window reached its upper limit (too few data for a
/// trustworthy τ); the error is then a lower bound.
/// </summary>
public sealed record GammaResult(double Value, double Error, double ErrorOfError, double TauInt, double TauIntError, int Window, double NEff, int N, bool WindowFound)
{
    /// <summary>
    /// Enough data for the error and τ_int to mean something: a window was found and N ≥ 50 τ_int
    /// (then δτ/τ ≲ 30%; Wolff's criterion alone always finds a window on short chains, because
    /// the noise term τ/√(WN) of eq. 52 dominates there).
    /// </summary>
    public bool Reliable => WindowFound && N >= 50 * TauInt;
}
