namespace LatticeFlow.Kernels.Flows;

/// <summary>dst[j] = (double) src[j]: the flow's float32 fields to the engine's float64 lattices.</summary>
public readonly partial struct FloatToDoubleKernel<TF, TD>(TF source, TD destination, int width) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int index)
    {
        int start = index * width;
        for (int j = start; j < start + width; j++) destination[j] = source[j];
    }
}

/// <summary>dst[j] = (float)(scale · src[j]): fields into the flow, and the force, scaled by 1/B, as the loss gradient.</summary>
public readonly partial struct DoubleToFloatKernel<TF, TD>(TD source, TF destination, double scale, int width) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int index)
    {
        int start = index * width;
        for (int j = start; j < start + width; j++) destination[j] = (float)(scale * source[j]);
    }
}

/// <summary>partial[j] = Σ v² over elements [j·width, (j+1)·width) ∩ [0, n), in double: the gradient norm for clipping.</summary>
public readonly partial struct SquaredNormKernel<TF, TD>(TF values, int count, int width, TD partial) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int index)
    {
        double sum = 0.0;
        int end = (index + 1) * width;
        if (end > count) end = count;
        for (int j = index * width; j < end; j++)
        {
            double v = values[j];
            sum += v * v;
        }
        partial[index] = sum;
    }
}

/// <summary>
/// One Adam step (Kingma and Ba, arXiv:1412.6980, Algorithm 1) on a flat parameter buffer, the gradient first
/// multiplied by <c>gradScale</c> (gradient-norm clipping): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// θ ← θ − lr · (m / c₁) / (√(v / c₂) + ε) with the bias corrections c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ (as in PyTorch).
/// </summary>
public readonly partial struct AdamKernel<TF>(TF parameters, TF gradients, TF m, TF v,
    int count, int width, float lr, float beta1, float beta2, float eps, float correction1, float correction2, float gradScale) : IRebindableKernel
    where TF : struct, IView<float>
{
    public void Execute(int index)
    {
        int end = (index + 1) * width;
        if (end > count) end = count;
        for (int j = index * width; j < end; j++)
        {
            float g = gradients[j] * gradScale;
            float mj = beta1 * m[j] + (1f - beta1) * g;
            float vj = beta2 * v[j] + (1f - beta2) * g * g;
            m[j] = mj;
            v[j] = vj;
            parameters[j] -= lr * (mj / correction1) / (ILGPU.Algorithms.XMath.Sqrt(vj / correction2) + eps);
        }
    }
}
