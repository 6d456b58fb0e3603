namespace LatticeFlow.Analysis;

/// <summary>
/// ∂f/∂a_α by central differences, (f(a + h_α e_α) − f(a − h_α e_α)) / 2h_α: the derivative that linear error
/// propagation needs (Wolff hep-lat/0306017 eq. 19; the delta method of reweighting). A component with h_α = 0 gets
/// derivative 0 (the primary does not fluctuate). A step that leaves f's domain gives NaN, which callers must report
/// as an undetermined error, never as 0.
/// </summary>
public static class NumericalGradient
{
    public static double[] Central(Func<double[], double> f, double[] at, ReadOnlySpan<double> steps)
    {
        var gradient = new double[at.Length];
        var point = (double[])at.Clone();
        for (int alpha = 0; alpha < at.Length; alpha++)
        {
            double h = steps[alpha];
            if (h == 0) continue;
            point[alpha] = at[alpha] + h;
            double up = f(point);
            point[alpha] = at[alpha] - h;
            double down = f(point);
            point[alpha] = at[alpha];
            gradient[alpha] = (up - down) / (2 * h);
        }
        return gradient;
    }
}
