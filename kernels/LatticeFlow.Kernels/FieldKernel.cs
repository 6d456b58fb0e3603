namespace LatticeFlow.Kernels;

/// <summary>The field half of a molecular-dynamics step: φ(x) ← φ(x) + ε π(x).</summary>
public readonly partial struct FieldKernel<TV>(TV phi, TV pi, double epsilon, int width) : IRebindableKernel where TV : struct, IView<double>
{
    public void Execute(int index)
    {
        int start = index * width;
        for (int i = start; i < start + width; i++)
            phi[i] += epsilon * pi[i];
    }
}
