namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Backward of an activation in place: g ← g · act′, with act′ read from the stored output y = act(v)
/// (so the pre-activations need not be kept). Items cover <c>width</c> consecutive elements.
/// </summary>
public readonly partial struct ActivationBackwardKernel<TF>(TF output, TF gradient, int activation, int width) : IRebindableKernel
    where TF : struct, IView<float>
{
    public void Execute(int index)
    {
        int start = index * width;
        for (int j = start; j < start + width; j++) gradient[j] *= ActivationCode.Derivative(activation, output[j]);
    }
}

/// <summary>
/// Gradient with respect to the conv input (the transposed convolution):
/// gin[b, i, s] = Σ_o Σ_k w[o, i, k] · g[b, o, nbr(s, −k)]; tap −k is tap (taps − 1 − k) for the centred,
/// row-major tap order. Output sites of the wrong colour (shape.Parity) carry no gradient and are skipped;
/// <c>inputParity</c> ≥ 0 computes only input sites of that colour (the others are not needed).
/// </summary>
public readonly partial struct ConvInputGradKernel<TF, TI>(ConvShape shape, TF gradOut, TF weights,
    TI neighbours, TI parity, TF gradIn, int inputParity) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    public void Execute(int index)
    {
        var c = shape;
        c.Locate(index, out int b, out int s0);
        int v = c.Volume, taps = c.Taps, cin = c.InChannels, cout = c.OutChannels;
        // Local copies: the JIT may reload a field of this after each store through a view, a local it can keep in a register.
        TF gradOutView = gradOut, weightsView = weights;
        TI neighbourTable = neighbours, parityTable = parity;
        int stride = cin * taps, gBase = b * cout * v;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (inputParity >= 0 && parityTable[s] != inputParity) continue;
            int nb = s * taps;
            // Four input channels at a time share each gradient load (as in the forward kernel).
            for (int i = 0; i < cin; i += 4)
            {
                int i1 = ConvShape.Clamp(i + 1, cin), i2 = ConvShape.Clamp(i + 2, cin), i3 = ConvShape.Clamp(i + 3, cin);
                float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
                for (int k = 0; k < taps; k++)
                {
                    int t = neighbourTable[nb + taps - 1 - k];
                    if (c.Parity >= 0 && parityTable[t] != c.Parity) continue;
                    int w = k, g = gBase + t;
                    for (int o = 0; o < cout; o++)
                    {
                        float go = gradOutView[g];
                        a0 += weightsView[w + i * taps] * go;
                        a1 += weightsView[w + i1 * taps] * go;
                        a2 += weightsView[w + i2 * taps] * go;
                        a3 += weightsView[w + i3 * taps] * go;
                        w += stride;
                        g += v;
                    }
                }
                int gi = (b * cin + i) * v + s;
                gradIn[gi] = a0;
                if (i + 1 < cin) gradIn[gi + v] = a1;
                if (i + 2 < cin) gradIn[gi + 2 * v] = a2;
                if (i + 3 < cin) gradIn[gi + 3 * v] = a3;
            }
        }
    }
}

/// <summary>
/// Parameter gradients of a convolution, accumulated (+=): gw[o, i, k] += Σ_b Σ_s g[b, o, s] · in[b, i, nbr(s, k)]
/// and gb[o] += Σ_b Σ_s g[b, o, s]. Within a slice of samples (<see cref="ConvShape.Slices"/>), item j &lt; ⌈Cout/4⌉·Cin·taps
/// computes the weights (o..o+3, i, k) of a group of four output channels, which share each input load; the last Cout
/// items are the biases. With one slice the sums go straight into the gradients; with several, each slice writes its
/// sums to <c>partial</c> [slice, weights then biases] and <see cref="ConvGradSliceSumKernel{TF, TD}"/> adds them up.
/// Summed in double in a fixed order: deterministic, no atomics.
/// </summary>
public readonly partial struct ConvWeightGradKernel<TF, TI, TD>(ConvShape shape, TF gradOut, TF input,
    TI neighbours, TI parity, TF gradWeights, TF gradBias, TD partial) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
{
    public void Execute(int index)
    {
        var c = shape;
        int v = c.Volume, taps = c.Taps, cin = c.InChannels, cout = c.OutChannels;
        int nw = (cout + 3) / 4 * cin * taps, perSlice = nw + cout;
        int slice = index / perSlice;
        index -= slice * perSlice;
        int samples = (c.Batch + c.Slices - 1) / c.Slices;
        int b0 = slice * samples, b1 = b0 + samples < c.Batch ? b0 + samples : c.Batch;
        int outputs = cout * cin * taps;
        // Local copies: the JIT may reload a field of this after each store through a view, a local it can keep in a register.
        TF gradOutView = gradOut, inputView = input;
        TI neighbourTable = neighbours, parityTable = parity;
        if (index >= nw)
        {
            int ob = index - nw;
            double acc = 0.0;
            for (int b = b0; b < b1; b++)
            {
                int gb = (b * cout + ob) * v;
                for (int s = 0; s < v; s++) acc += gradOutView[gb + s];
            }
            if (c.Slices == 1) gradBias[ob] += (float)acc;
            else partial[slice * c.Parameters + outputs + ob] = acc;
            return;
        }
        int o = index / (cin * taps) * 4;
        int rem = index % (cin * taps);
        int i = rem / taps, k = rem - i * taps;
        int d1 = ConvShape.Clamp(o + 1, cout) - o, d2 = ConvShape.Clamp(o + 2, cout) - o, d3 = ConvShape.Clamp(o + 3, cout) - o;
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        for (int b = b0; b < b1; b++)
        {
            int g0 = (b * cout + o) * v, ib = (b * cin + i) * v;
            int g1 = g0 + d1 * v, g2 = g0 + d2 * v, g3 = g0 + d3 * v;
            for (int s = 0; s < v; s++)
            {
                if (c.Parity >= 0 && parityTable[s] != c.Parity) continue;
                float x = inputView[ib + neighbourTable[s * taps + k]];
                a0 += gradOutView[g0 + s] * x;
                a1 += gradOutView[g1 + s] * x;
                a2 += gradOutView[g2 + s] * x;
                a3 += gradOutView[g3 + s] * x;
            }
        }
        int w = (o * cin + i) * taps + k, step = cin * taps;
        if (c.Slices == 1)
        {
            gradWeights[w] += (float)a0;
            if (o + 1 < cout) gradWeights[w + step] += (float)a1;
            if (o + 2 < cout) gradWeights[w + 2 * step] += (float)a2;
            if (o + 3 < cout) gradWeights[w + 3 * step] += (float)a3;
            return;
        }
        int p = slice * c.Parameters + w;
        partial[p] = a0;
        if (o + 1 < cout) partial[p + step] = a1;
        if (o + 2 < cout) partial[p + 2 * step] = a2;
        if (o + 3 < cout) partial[p + 3 * step] = a3;
    }
}

/// <summary>
/// The slices' parameter-gradient sums of <see cref="ConvWeightGradKernel{TF, TI, TD}"/> added up in slice order and
/// accumulated into the gradients: item j &lt; <c>weights</c> is a weight, the rest are biases.
/// </summary>
public readonly partial struct ConvGradSliceSumKernel<TF, TD>(TD partial, int slices, int weights, int biases, TF gradWeights, TF gradBias) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int index)
    {
        int outputs = weights + biases;
        double sum = 0.0;
        for (int slice = 0; slice < slices; slice++) sum += partial[slice * outputs + index];
        if (index < weights) gradWeights[index] += (float)sum;
        else gradBias[index - weights] += (float)sum;
    }
}
