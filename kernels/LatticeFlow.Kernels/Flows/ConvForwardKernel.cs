using System.Runtime.CompilerServices;

namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Periodic convolution with fused bias and activation:
/// out[b, o, s] = act( bias[o] + Σ_i Σ_k w[o, i, k] · in[b, i, nbr(s, k)] ),
/// nbr(s, k) the site displaced by tap k (circular padding). Weights stored [o, i, k].
/// Sites of the wrong colour are skipped when <c>shape.Parity</c> ≥ 0 (left as they were: zero).
/// Four output channels share each input load: four independent sums instead of one serial chain,
/// which on the CPU is bound by the latency of the add (a 4–5× difference measured, see README).
/// </summary>
public readonly partial struct ConvForwardKernel<TF, TI>(ConvShape shape, TF input, TF weights, TF bias,
    TI neighbours, TI parity, TF output, int activation) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    public void Execute(int index)
    {
        var c = shape;
        c.Locate(index, out int b, out int s0);
        int v = c.Volume, taps = c.Taps, cin = c.InChannels, cout = c.OutChannels;
        int inBase = b * cin * v, outBase = b * cout * v, stride = cin * taps;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (c.Parity >= 0 && parity[s] != c.Parity) continue;
            int nb = s * taps;
            for (int o = 0; o < cout; o += 4)
            {
                // A group past the last channel repeats the last one and does not store it.
                int o1 = ConvShape.Clamp(o + 1, cout), o2 = ConvShape.Clamp(o + 2, cout), o3 = ConvShape.Clamp(o + 3, cout);
                var a = Sums(input, weights, neighbours, inBase, nb, v, cin, taps,
                    o * stride, o1 * stride, o2 * stride, o3 * stride, new Sums4(bias[o], bias[o1], bias[o2], bias[o3]));
                output[outBase + o * v + s] = ActivationCode.Apply(activation, a.A0);
                if (o + 1 < cout) output[outBase + (o + 1) * v + s] = ActivationCode.Apply(activation, a.A1);
                if (o + 2 < cout) output[outBase + (o + 2) * v + s] = ActivationCode.Apply(activation, a.A2);
                if (o + 3 < cout) output[outBase + (o + 3) * v + s] = ActivationCode.Apply(activation, a.A3);
            }
        }
    }

    // A method of its own so the JIT keeps the four sums in registers: inlined next to the activation's exp call,
    // it spilled them to the stack on every multiply-add (seen in DOTNET_JitDisasm), costing 2× in the forward pass.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Sums4 Sums(TF input, TF weights, TI neighbours, int inBase, int nb, int v, int cin, int taps, int w0, int w1, int w2, int w3, Sums4 start)
    {
        float a0 = start.A0, a1 = start.A1, a2 = start.A2, a3 = start.A3;
        for (int i = 0; i < cin; i++)
        {
            int ib = inBase + i * v;
            for (int k = 0; k < taps; k++)
            {
                float x = input[ib + neighbours[nb + k]];
                a0 += weights[w0 + k] * x;
                a1 += weights[w1 + k] * x;
                a2 += weights[w2 + k] * x;
                a3 += weights[w3 + k] * x;
            }
            w0 += taps; w1 += taps; w2 += taps; w3 += taps;
        }
        return new Sums4(a0, a1, a2, a3);
    }
}

/// <summary>Four running sums, carried in registers through the conv kernels' inner loops.</summary>
public readonly struct Sums4(float a0, float a1, float a2, float a3)
{
    public readonly float A0 = a0, A1 = a1, A2 = a2, A3 = a3;
}
