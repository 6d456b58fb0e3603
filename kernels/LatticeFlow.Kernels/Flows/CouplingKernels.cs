namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Shape of a checkerboard coupling on a batch of lattices [sample, site]: sites of colour <c>Active</c> are
/// transformed, the others frozen. <c>Channels</c> is the conv net's output per site, the transform's parameters
/// (<see cref="ICouplingTransform.Channels"/>), stored [sample, channel, site]. Items cover <c>Width</c> sites of one sample.
/// <c>Mirrored</c> = 1 makes the coupling Z2-equivariant by group averaging: the net also runs on the mirrored frozen
/// sites (samples Batch … 2·Batch − 1 of its input and output), and the transform's parameters are
/// p = ½[n(x_f) + P n(−x_f)] (<see cref="MirrorParametersKernel{TF, TI, TT}"/>).
/// </summary>
public readonly struct CouplingShape(int batch, int volume, int width, int active, int channels, int mirrored = 0)
{
    public readonly int Batch = batch, Volume = volume, Width = width, Active = active, Channels = channels, Mirrored = mirrored;

    public int Items => Batch * (Volume / Width);

    public void Locate(int item, out int sample, out int s0)
    {
        int perSample = Volume / Width;
        sample = item / perSample;
        s0 = (item - sample * perSample) * Width;
    }

    /// <summary>The parameters (or their gradients) of site s of sample b in a net output [b, c, s].</summary>
    public SiteParameters<TF> Parameters<TF>(TF netOutput, int b, int s) where TF : struct, IView<float> =>
        new(netOutput, b * Channels * Volume + s, Volume);
}

/// <summary>
/// The transform's parameters of an equivariant (mirrored) coupling on its active sites, by group averaging over Z2:
/// p_c = ½[n_c(x_f) + σ_c n_{m(c)}(−x_f)], with n the net's output on the frozen sites (samples 0 … B − 1) and on their
/// mirror image (samples B … 2B − 1), and (m(c), σ_c) the transform's mirror of its parameters
/// (<see cref="ICouplingTransform.MirrorChannel"/>, <see cref="ICouplingTransform.MirrorSign"/>), for which
/// g(−x; P p) = −g(x; p). Then p(−x_f) = P p(x_f), so the coupling commutes with φ → −φ for any net (biases and any
/// activation) and stays smooth and bijective: averaging over the group, as in Köhler et al., arXiv:2006.02425.
/// </summary>
public readonly partial struct MirrorParametersKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF netOutput, TF parameters, TT transform) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    public void Execute(int index)
    {
        var c = shape;
        c.Locate(index, out int b, out int s0);
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (parity[s] != c.Active) continue;
            var n = c.Parameters(netOutput, b, s);
            var mirror = c.Parameters(netOutput, c.Batch + b, s);
            var p = c.Parameters(parameters, b, s);
            for (int ch = 0; ch < c.Channels; ch++) p[ch] = 0.5f * (n[ch] + transform.MirrorSign(ch) * mirror[transform.MirrorChannel(ch)]);
        }
    }
}

/// <summary>
/// Backward of <see cref="MirrorParametersKernel{TF, TI, TT}"/>: ∂L/∂n_c(x_f) = ½ ∂L/∂p_c and ∂L/∂n_{m(c)}(−x_f) = ½ σ_c ∂L/∂p_c
/// on active sites, 0 elsewhere, into the net's output gradient [2B, C, V].
/// </summary>
public readonly partial struct MirrorParametersBackwardKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF gradParameters, TF gradNetOutput, TT transform) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    public void Execute(int index)
    {
        var c = shape;
        c.Locate(index, out int b, out int s0);
        for (int s = s0; s < s0 + c.Width; s++)
        {
            var gn = c.Parameters(gradNetOutput, b, s);
            var gm = c.Parameters(gradNetOutput, c.Batch + b, s);
            bool active = parity[s] == c.Active;
            var gp = c.Parameters(gradParameters, b, s);
            for (int ch = 0; ch < c.Channels; ch++)
            {
                float g = active ? 0.5f * gp[ch] : 0f;
                gn[ch] = g;
                gm[transform.MirrorChannel(ch)] = transform.MirrorSign(ch) * g;
            }
        }
    }
}

/// <summary>
/// The conv net's input: the frozen sites of x, zero on the active ones (x ⊙ m of Real NVP, arXiv:1605.08803 eq. 9); a
/// mirrored coupling also writes −(x ⊙ m) as sample B + b.
/// </summary>
public readonly partial struct CouplingMaskKernel<TF, TI>(CouplingShape shape, TI parity, TF x, TF netInput) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    public void Execute(int index)
    {
        var c = shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume, mirror = (c.Batch + b) * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            float v = parity[s] == c.Active ? 0f : x[o + s];
            netInput[o + s] = v;
            if (c.Mirrored != 0) netInput[mirror + s] = -v;
        }
    }
}

/// <summary>
/// The element-wise transform of the active sites by <typeparamref name="TT"/> (Real NVP, arXiv:1605.08803 eq. 9;
/// Albergo et al. 2019 eq. 14): y = g(x; p) forward, x = g⁻¹(y; p) inverse, p the net output of the frozen sites, with
/// log|∂y/∂x| per site written to <c>logJ</c> (0 on frozen sites, which are copied).
/// </summary>
public readonly partial struct CouplingTransformKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF source, TF netOutput,
    TF destination, TF logJ, TT transform, int inverse) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    public void Execute(int index)
    {
        shape.Locate(index, out int b, out int s0);
        for (int s = s0; s < s0 + shape.Width; s++) Site(b, s);
    }

    /// <summary>Site s of sample b (the host SIMD twin runs the sites past its last whole vector through it).</summary>
    public void Site(int b, int s)
    {
        var c = shape;
        int i = b * c.Volume + s;
        float v = source[i], lj = 0f;
        if (parity[s] == c.Active)
        {
            var p = c.Parameters(netOutput, b, s);
            v = inverse != 0 ? transform.Inverse(v, p, out lj) : transform.Forward(v, p, out lj);
        }
        destination[i] = v;
        logJ[i] = lj;
    }
}

/// <summary>
/// log|det ∂y/∂x| of a coupling, Σ_active log|∂y/∂x| per site (arXiv:1605.08803 eq. 6), summed in double in site order
/// and added to logDet[b] with the given sign. One item per sample.
/// </summary>
public readonly partial struct CouplingLogDetKernel<TF, TI, TD>(CouplingShape shape, TI parity, TF logJ, TD logDet, double sign) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
{
    public void Execute(int index)
    {
        var c = shape;
        double sum = 0.0;
        int o = index * c.Volume;
        for (int s = 0; s < c.Volume; s++)
            if (parity[s] == c.Active) sum += logJ[o + s];
        logDet[index] += sign * sum;
    }
}

/// <summary>
/// Backward of the forward transform y = g(x; p) with a loss L that also depends on log det through
/// ∂L/∂(log det) = <c>logDetGrad</c> (the same for every sample): on active sites ∂L/∂x and ∂L/∂p from
/// <typeparamref name="TT"/>'s Backward; frozen sites pass g to ∂L/∂x (the net's contribution is added later by <see cref="MaskedAddKernel{TF, TI}"/>) and
/// have no ∂L/∂p (zeros are written). gradY and gradX may be the same buffer.
/// </summary>
public readonly partial struct CouplingBackwardKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF x, TF netOutput,
    TF gradY, TF gradX, TF gradNetOutput, float logDetGrad, TT transform) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    public void Execute(int index)
    {
        shape.Locate(index, out int b, out int s0);
        for (int s = s0; s < s0 + shape.Width; s++) Site(b, s);
    }

    /// <summary>Site s of sample b (the host SIMD twin runs the sites past its last whole vector through it).</summary>
    public void Site(int b, int s)
    {
        var c = shape;
        int i = b * c.Volume + s;
        float g = gradY[i];
        var gp = c.Parameters(gradNetOutput, b, s);
        if (parity[s] == c.Active)
        {
            gradX[i] = transform.Backward(x[i], c.Parameters(netOutput, b, s), g, logDetGrad, gp);
            return;
        }
        gradX[i] = g;
        for (int ch = 0; ch < c.Channels; ch++) gp[ch] = 0f;
    }
}

/// <summary>
/// gx[b, s] += gNet[b, s] on the frozen sites: the conv net's input was x ⊙ m, so only they feel it; a mirrored
/// coupling's net also saw −(x ⊙ m) as sample B + b, whose gradient enters with a minus sign.
/// </summary>
public readonly partial struct MaskedAddKernel<TF, TI>(CouplingShape shape, TI parity, TF gradNetInput, TF gradX) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    public void Execute(int index)
    {
        var c = shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume, mirror = (c.Batch + b) * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (parity[s] == c.Active) continue;
            float g = gradNetInput[o + s];
            if (c.Mirrored != 0) g -= gradNetInput[mirror + s];
            gradX[o + s] += g;
        }
    }
}
