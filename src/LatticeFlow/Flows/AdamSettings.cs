namespace LatticeFlow.Flows;

/// <summary>Adam's hyper-parameters (Kingma and Ba, arXiv:1412.6980), PyTorch's defaults.</summary>
public sealed record AdamSettings
{
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;

    public AdamSettings Validated()
    {
        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1))
            throw new InvalidInputException($"--betas {Beta1},{Beta2}: both must lie in [0, 1)");
        if (!(Epsilon > 0)) throw new InvalidInputException($"--eps {Epsilon}: must be > 0");
        return this;
    }
}
