namespace LatticeFlow.Flows;

/// <summary>Adam's hyper-parameters (Kingma and Ba, arXiv:1412.6980), PyTorch's defaults.</summary>
public sealed record AdamSettings
{
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;

    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public AdamSettings Validated()
    {
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new InvalidSettingException(SettingNames.Beta1, Beta1, "β₁ must lie in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new InvalidSettingException(SettingNames.Beta2, Beta2, "β₂ must lie in [0, 1)");
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon)) throw new InvalidSettingException(SettingNames.Epsilon, Epsilon, "must be a positive number");
        return this;
    }
}
