namespace LatticeFlow.Sampling;

/// <summary>
/// Robbins–Monro adaptation of a step size towards a target acceptance during thermalisation:
/// log h ← log h + γ_j (a_j − a*), γ_j = (j + 1)^(−0.6), with a_j the acceptance of update j
/// (larger steps accept less). The gains shrink, so the step settles; it is frozen for production,
/// which keeps the production chain an exact Markov chain. A target of 0 disables tuning.
/// </summary>
public sealed class StepSizeTuner(double initial, double target)
{
    public double Target { get; } = target;
    public double LogValue { get; set; } = Math.Log(initial);
    public int Iterations { get; set; }

    public double Value => Math.Exp(LogValue);
    public bool Enabled => Target > 0;

    public void Observe(double acceptance)
    {
        if (!Enabled || double.IsNaN(acceptance)) return;
        double gain = Math.Pow(Iterations + 1, -0.6);
        LogValue += gain * (acceptance - Target);
        Iterations++;
    }
}
