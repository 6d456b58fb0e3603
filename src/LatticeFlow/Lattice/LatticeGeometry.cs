namespace LatticeFlow.Lattice;

/// <summary>A periodic Lx × Ly lattice, both sizes even (checkerboard colours must tile it), spacing 1, d = 2.</summary>
public sealed record LatticeGeometry
{
    public const int Dimensions = 2;

    public int Lx { get; }
    public int Ly { get; }
    public int Volume => Lx * Ly;

    public LatticeGeometry(int lx, int ly)
    {
        Check(SettingNames.Lx, lx);
        Check(SettingNames.Ly, ly);
        Lx = lx;
        Ly = ly;
    }

    public static LatticeGeometry Square(int l) => new(l, l);

    /// <exception cref="InvalidSettingException">The size is odd or below 2.</exception>
    private static void Check(string setting, int l)
    {
        if (l < 2 || l % 2 != 0)
            throw new InvalidSettingException(setting, l, "lattice sizes must be even and at least 2 (the checkerboard must tile the periodic lattice)");
    }

    public override string ToString() => $"{Lx}x{Ly}";
}
