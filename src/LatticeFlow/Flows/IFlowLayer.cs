using ILGPU;

namespace LatticeFlow.Flows;

/// <summary>
/// One invertible layer of a flow on a batch of lattices [sample, site] (DESIGN.md principle 5: Forward caches what
/// Backward needs; Backward takes the gradient in and gives it out, accumulating parameter gradients). log|det| is
/// that of the forward map, added per sample in double by both directions, so log q = log r(z) − Σ log det either way.
/// The layers of a flow: the spectrum scaling (<see cref="SpectrumScalingLayer"/>), checkerboard couplings
/// (<see cref="CouplingLayer"/>) and the global rescaling (<see cref="GlobalScaleLayer"/>).
/// </summary>
public interface IFlowLayer : IDisposable
{
    /// <summary>Makes room for batches of up to <paramref name="batch"/> samples (allocations happen here only).</summary>
    void EnsureCapacity(int batch);

    /// <summary>y = f(x); logDet[b] += log|det ∂y/∂x|. x and y are different buffers.</summary>
    void Forward(int batch, ArrayView<float> x, ArrayView<float> y, ArrayView<double> logDet);

    /// <summary>x = f⁻¹(y); logDet[b] += log|det ∂y/∂x| at that x.</summary>
    void Inverse(int batch, ArrayView<float> y, ArrayView<float> x, ArrayView<double> logDet);

    /// <summary>
    /// Back-propagates through the last <see cref="Forward"/> (whose input was <paramref name="x"/>): gradient holds ∂L/∂y on
    /// entry and ∂L/∂x on return; <paramref name="logDetGrad"/> is ∂L/∂(log det) of every sample; parameter gradients accumulate.
    /// </summary>
    void Backward(int batch, ArrayView<float> x, ArrayView<float> gradient, float logDetGrad);
}
