namespace LatticeFlow.Sampling;

/// <summary>A reversible, area-preserving integrator of Hamilton's equations (separate from the action and from HMC, as in Grid).</summary>
public interface IIntegrator
{
    string Name { get; }

    /// <summary>Force evaluations per step, for cost accounting.</summary>
    int ForcesPerStep { get; }

    void Integrate(MolecularDynamics md, double epsilon, int steps);

    public static IIntegrator Create(IntegratorKind kind) => kind switch
    {
        IntegratorKind.Leapfrog => new Leapfrog(),
        IntegratorKind.Omelyan => new Omelyan(),
        _ => throw new InvalidInputException($"unknown integrator {kind}"),
    };
}

public enum IntegratorKind
{
    Leapfrog,
    Omelyan,
}
