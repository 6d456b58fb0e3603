namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// The spectrum of the spectrum-scaling layer, one item per momentum k: ln σ(k) = (1 − w_k) S(j_k) + w_k S(j_k + 1), with
/// S(m) = Σ_{i ≥ m} c[i] the value at knot m (m = 0: the zero mode), the layer's piecewise-linear function of ln p̂²
/// (<c>knot</c> j_k and <c>weight</c> w_k tabulated on the host, j_k + 1 &lt; <c>count</c>), into <c>logScale</c>, and
/// σ(k)^sign into <c>scale</c> (sign = +1 forward, −1 inverse).
/// </summary>
public readonly partial struct SpectrumKernel<TF, TI>(TF parameters, int offset, int count, TI knot, TF weight, float sign, TF scale, TF logScale)
    : IRebindableKernel where TF : struct, IView<float> where TI : struct, IView<int>
{
    public void Execute(int k)
    {
        int j = knot[k];
        float w = weight[k];
        float above = 0f;
        for (int i = j + 1; i < count; i++) above += parameters[offset + i];
        float l = (1f - w) * (parameters[offset + j] + above) + w * above;
        logScale[k] = l;
        scale[k] = ActivationCode.FastExp(sign * l);
    }
}

/// <summary>logDet[b] += Σ_k log σ(k) in double, one item per sample: the log|det| of y = H σ H x, H orthogonal.</summary>
public readonly partial struct SpectrumLogDetKernel<TF, TD>(TF logScale, int volume, TD logDet) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int sample)
    {
        double sum = 0.0;
        for (int k = 0; k < volume; k++) sum += logScale[k];
        logDet[sample] += sum;
    }
}

/// <summary>
/// One axis of the separable discrete Hartley transform, times a factor per site, one item per output element q of a
/// batch [sample, x·Ly + y]: destination[q] = scale[s] Σ_m H[r, m] source[q − r·stride + m·stride], with s = q mod V,
/// r = (s / stride) mod n the output's index along the axis, H the n × n orthonormal Hartley matrix
/// H[r, m] = [cos(2πrm/n) + sin(2πrm/n)]/√n (symmetric, H² = 1; Bracewell 1983). stride = Ly and n = Lx transform x,
/// stride = 1 and n = Ly transform y. The host twin (SpectrumTwins) reads H's rows as its columns: the matrix must be
/// symmetric to the bit, as SpectrumScalingLayer.Hartley builds it.
/// </summary>
public readonly partial struct HartleyAxisKernel<TF>(TF source, TF destination, TF matrix, int n, int stride, int volume, TF scale) : IRebindableKernel
    where TF : struct, IView<float>
{
    public void Execute(int q)
    {
        int s = q % volume;
        int r = s / stride % n;
        int start = q - r * stride;
        int row = r * n;
        // Four partial sums: a single one is a chain of dependent adds, four times slower on a CPU core.
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
        int m = 0;
        for (; m + 3 < n; m += 4)
        {
            a0 += matrix[row + m] * source[start + m * stride];
            a1 += matrix[row + m + 1] * source[start + (m + 1) * stride];
            a2 += matrix[row + m + 2] * source[start + (m + 2) * stride];
            a3 += matrix[row + m + 3] * source[start + (m + 3) * stride];
        }
        for (; m < n; m++) a0 += matrix[row + m] * source[start + m * stride];
        destination[q] = (a0 + a1 + (a2 + a3)) * scale[s];
    }
}

/// <summary>
/// ∂L/∂log σ(k), one item per momentum: Σ_b u_b(k) x̂_b(k) + B·∂L/∂(log det) in double, with u = σ ⊙ (H g) the scaled
/// transform of the output gradient and x̂ = H x the transform of the input (both [sample, k]).
/// </summary>
public readonly partial struct SpectrumMomentumGradientKernel<TF, TD>(TF scaled, TF transformed, int samples, int volume, float logDetGrad, TD perMomentum)
    : IRebindableKernel where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int k)
    {
        double sum = (double)samples * logDetGrad;
        for (int b = 0; b < samples; b++) sum += (double)scaled[b * volume + k] * transformed[b * volume + k];
        perMomentum[k] = sum;
    }
}

/// <summary>
/// gradients[offset + i] += Σ_k ∂L/∂ln σ(k) · ∂ln σ(k)/∂c_i, one item per parameter i, in momentum order: the chain rule
/// through <see cref="SpectrumKernel{TF, TI}"/>, where ∂ln σ(k)/∂c_i = (1 − w_k)[i ≥ j_k] + w_k[i ≥ j_k + 1].
/// </summary>
public readonly partial struct SpectrumParameterGradientKernel<TF, TI, TD>(TD perMomentum, TI knot, TF weight, int volume, TF gradients, int offset)
    : IRebindableKernel where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
{
    public void Execute(int i)
    {
        double sum = 0.0;
        for (int k = 0; k < volume; k++)
        {
            int j = knot[k];
            if (i > j) sum += perMomentum[k];
            else if (i == j) sum += (1.0 - weight[k]) * perMomentum[k];
        }
        gradients[offset + i] += (float)sum;
    }
}
