namespace LatticeFlow.Sampling;

/// <summary>
/// Robbins–Monro adaptation of a step size towards a target acceptance during thermalisation:
/// log h ← log h + γ_j (a_j − a*), γ_j = (j + 1)^(−0.6), with a_j the acceptance of update j
/// (larger steps accept less). The frozen value is the average of log h over the second half of the
/// planned iterations (Polyak–Ruppert averaging), which removes most of the last iterate's noise.
/// The step is then fixed for production, which keeps the production chain an exact Markov chain.
/// A target of 0 disables tuning.
/// </summary>
public sealed class StepSizeTuner(double initial, double target, long plannedIterations)
{
    public double Target { get; } = target;
    public double LogValue { get; set; } = Math.Log(initial);
    public int Iterations { get; set; }

    /// <summary>Σ log h and the count over the averaging half, kept in checkpoints.</summary>
    public double AverageSum { get; set; }
    public int AverageCount { get; set; }

    public double Value => Math.Exp(LogValue);
    public bool Enabled => Target > 0;

    public void Observe(double acceptance)
    {
        if (!Enabled || double.IsNaN(acceptance)) return;
        double gain = Math.Pow(Iterations + 1, -0.6);
        LogValue += gain * (acceptance - Target);
        Iterations++;
        if (Iterations > plannedIterations / 2)
        {
            AverageSum += LogValue;
            AverageCount++;
        }
    }

    /// <summary>Ends tuning: the step becomes the average of the second half.</summary>
    public void Freeze()
    {
        if (AverageCount > 0) LogValue = AverageSum / AverageCount;
        AverageSum = 0;
        AverageCount = 0;
    }
}
