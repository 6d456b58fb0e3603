namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// The global rescaling φ → e^{σa} φ on every site (σ = +1 forward, −1 inverse), a read from the parameter buffer at
/// <c>index</c> (anvil's GlobalRescaling, arXiv:2105.12481), and log|det| = V·a added to logDet[b] by the first item of
/// each sample. Items cover <c>width</c> sites; the sample of a site is its index over <c>volume</c>.
/// </summary>
public readonly partial struct GlobalScaleKernel<TF, TD>(TF parameters, int index, TF source, TF destination, int volume, int width, float sign, TD logDet)
    : IRebindableKernel where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int item)
    {
        float a = parameters[index];
        float factor = ActivationCode.FastExp(sign * a);
        int start = item * width;
        for (int j = start; j < start + width; j++) destination[j] = factor * source[j];
        if (start % volume == 0) logDet[start / volume] += (double)volume * a;
    }
}

/// <summary>
/// Backward of y = e^a x for one sample per item: g ← e^a g in place (∂L/∂x), and the sample's share of ∂L/∂a,
/// Σ_s g_s x_s e^a + V·∂L/∂(log det), into partial[b] (in double).
/// </summary>
public readonly partial struct GlobalScaleBackwardKernel<TF, TD>(TF parameters, int index, TF x, TF gradient, int volume, float logDetGrad, TD partial)
    : IRebindableKernel where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int sample)
    {
        float e = ActivationCode.FastExp(parameters[index]);
        double sum = (double)volume * logDetGrad;
        int o = sample * volume;
        for (int s = o; s < o + volume; s++)
        {
            float g = gradient[s];
            sum += (double)(g * x[s] * e);
            gradient[s] = g * e;
        }
        partial[sample] = sum;
    }
}

/// <summary>gradient[index] += Σ_b partial[b] in sample order (one item): the samples' shares of ∂L/∂a.</summary>
public readonly partial struct GlobalScaleGradientKernel<TF, TD>(TD partial, int samples, TF gradients, int index) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int item)
    {
        double sum = 0.0;
        for (int b = 0; b < samples; b++) sum += partial[b];
        gradients[index] += (float)sum;
    }
}
