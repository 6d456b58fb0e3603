namespace LatticeFlow.Analysis;

/// <summary>
/// Wolff's automatic window (hep-lat/0306017, sec. 3.3, eq. 50–52), written once for every τ_int this code estimates:
/// summing ρ(t) up to W, the window is optimal at the first W where
/// g(W) = exp(−W/τ(W)) − τ(W)/√(W N) &lt; 0, τ(W) = S / ln[(2τ_int(W) + 1)/(2τ_int(W) − 1)],
/// and at once where τ_int(W) ≤ ½ (τ(W) is then taken as a tiny positive number, so g(W) &lt; 0): a series without
/// positive autocorrelation stops at W = 1, as in UWerr.
/// </summary>
public static class WolffWindow
{
    /// <param name="tauIntW">τ_int(W) = ½ + Σ_{t=1}^{W} ρ(t).</param>
    /// <param name="w">The window W ≥ 1.</param>
    /// <param name="n">All measurements, over replicas.</param>
    /// <param name="s">Wolff's S (1.5 by default; τ_exp/τ_int ≈ S for a single exponential).</param>
    public static bool IsOptimal(double tauIntW, int w, double n, double s)
    {
        // Not "τ = ε and test g < 0": with the smallest double, ε/√(WN) underflows to 0 and g = 0 never is < 0.
        if (!(tauIntW > 0.5)) return true;
        double tau = s / Math.Log((2 * tauIntW + 1) / (2 * tauIntW - 1));
        return Math.Exp(-w / tau) - tau / Math.Sqrt(w * n) < 0;
    }

    /// <summary>
    /// δτ_int = 2τ_int √((W − τ_int + ½)/N) (Wolff eq. 42, Madras–Sokal), with τ_int taken no smaller than ½ in the
    /// prefactor: each ρ̂(t) carries noise of order 1/√N whatever the true τ, so an anticorrelated series (τ_int &lt; ½)
    /// cannot know its τ_int better than white noise does (the plain formula would shrink to 0 with τ_int).
    /// </summary>
    public static double TauIntError(double tauInt, int window, double n) => 2 * Math.Max(tauInt, 0.5) * Math.Sqrt(Math.Max(window - tauInt + 0.5, 0) / n);
}
