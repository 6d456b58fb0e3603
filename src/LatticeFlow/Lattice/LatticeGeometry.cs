using LatticeFlow.Devices;
using LatticeFlow.Kernels;

namespace LatticeFlow.Lattice;

/// <summary>
/// A periodic hypercubic lattice of d = 2 … 4 dimensions with extents (L_0, …, L_{d−1}), spacing 1, every extent even
/// (the checkerboard colours, the parity of Σ_μ x_μ, must tile the periodic lattice). Fields are stored in C order
/// [x_0, …, x_{d−1}]; the last axis is the time direction of the correlators (<see cref="TimeExtent"/>). The one
/// description of the lattice: samplers, observables, flows and run files take it, and kernels get its device form
/// (<see cref="Shape"/>, <see cref="HalfShape"/>).
/// </summary>
public sealed record LatticeGeometry
{
    /// <summary>The dimensions the kernels support (<see cref="LatticeShape"/> has three row axes).</summary>
    public const int MinDimensions = 2, MaxDimensions = StencilRows.MaxRowAxes + 1;

    private readonly int[] _extents;

    /// <summary>The extents L_μ, the last one the time direction.</summary>
    public IReadOnlyList<int> Extents => _extents;

    public int Dimensions => _extents.Length;
    public int Volume { get; }

    /// <summary>L_{d−1}, the extent of the time direction (the last axis; Ly in d = 2).</summary>
    public int TimeExtent => _extents[^1];

    /// <summary>V / L_{d−1}: the sites of one time slice.</summary>
    public int SpatialVolume => Volume / TimeExtent;

    /// <summary>L_0 of a two-dimensional lattice (flows and the cluster update are written for d = 2).</summary>
    /// <exception cref="InvalidOperationException">d ≠ 2.</exception>
    public int Lx => Dimensions == 2 ? _extents[0] : throw new InvalidOperationException($"Lx of a {Dimensions}-dimensional lattice");

    /// <summary>L_1 of a two-dimensional lattice, the time direction.</summary>
    /// <exception cref="InvalidOperationException">d ≠ 2.</exception>
    public int Ly => Dimensions == 2 ? _extents[1] : throw new InvalidOperationException($"Ly of a {Dimensions}-dimensional lattice");

    /// <exception cref="InvalidSettingException">Fewer than 2 or more than 4 extents, an odd extent or one below 2, or more
    /// than 2³¹ − 1 sites.</exception>
    public LatticeGeometry(params int[] extents)
    {
        if (extents.Length is < MinDimensions or > MaxDimensions)
            throw new InvalidSettingException(SettingNames.Extents, string.Join(",", extents),
                $"a lattice has {MinDimensions} to {MaxDimensions} dimensions, not {extents.Length}");
        long volume = 1;
        for (int mu = 0; mu < extents.Length; mu++)
        {
            if (extents.Length == 2) Check(mu == 0 ? SettingNames.Lx : SettingNames.Ly, extents[mu]);
            else if (extents[mu] < 2 || extents[mu] % 2 != 0)
                throw new InvalidSettingException(SettingNames.Extents, string.Join(",", extents), $"extent {extents[mu]} (axis {mu}): {SizeRule}");
            volume *= extents[mu];
            if (volume > int.MaxValue)
                throw new InvalidSettingException(SettingNames.Extents, string.Join(",", extents), "more than 2^31 - 1 sites");
        }
        _extents = [.. extents];
        Volume = (int)volume;
    }

    /// <summary>L^d.</summary>
    /// <exception cref="InvalidSettingException">d outside 2 … 4, or L odd or below 2.</exception>
    public static LatticeGeometry Hypercube(int l, int dimensions)
    {
        if (dimensions is < MinDimensions or > MaxDimensions)
            throw new InvalidSettingException(SettingNames.Dimensions, dimensions, $"a lattice has {MinDimensions} to {MaxDimensions} dimensions");
        return new([.. Enumerable.Repeat(l, dimensions)]);
    }

    public static LatticeGeometry Square(int l) => new(l, l);

    /// <summary>Refuses a lattice that code written for d = 2 (flows, the cluster update) cannot take.</summary>
    /// <exception cref="InvalidSettingException">d ≠ 2, naming <paramref name="what"/>.</exception>
    public void RequireTwoDimensions(string what)
    {
        if (Dimensions != 2)
            throw new InvalidSettingException(SettingNames.Dimensions, Dimensions, $"{what} is written for d = 2 lattices only");
    }

    /// <summary>The coordinates of site <paramref name="site"/> (C order, the last axis fastest).</summary>
    public int[] Coordinates(int site)
    {
        var x = new int[Dimensions];
        for (int mu = Dimensions - 1; mu >= 0; mu--)
        {
            x[mu] = site % _extents[mu];
            site /= _extents[mu];
        }
        return x;
    }

    /// <summary>The site at coordinates <paramref name="x"/>, each taken modulo its extent (periodic).</summary>
    public int Site(ReadOnlySpan<int> x)
    {
        int s = 0;
        for (int mu = 0; mu < Dimensions; mu++) s = s * _extents[mu] + ((x[mu] % _extents[mu]) + _extents[mu]) % _extents[mu];
        return s;
    }

    /// <summary>The checkerboard colour of every site, (Σ_μ x_μ) mod 2: the colours the Metropolis kernel and the coupling layers split by.</summary>
    public int[] ParityTable() => [.. Enumerable.Range(0, Volume).Select(s => Coordinates(s).Sum() & 1)];

    /// <summary>
    /// The taps of a K × K convolution with circular padding: table[s·K² + k] is the site displaced from s by
    /// (a, c) ∈ [−r, r]², k = (a + r)·K + (c + r), r = (K − 1)/2; tap K² − 1 − k is the displacement −k. For the flow's
    /// nets, which are written for d = 2.
    /// </summary>
    /// <exception cref="InvalidSettingException">d ≠ 2.</exception>
    public int[] ConvTapTable(int kernel)
    {
        RequireTwoDimensions("a K × K convolution");
        int r = (kernel - 1) / 2, taps = kernel * kernel;
        var table = new int[Volume * taps];
        for (int s = 0; s < Volume; s++)
        {
            var x = Coordinates(s);
            for (int a = -r; a <= r; a++)
                for (int c = -r; c <= r; c++)
                    table[s * taps + (a + r) * kernel + (c + r)] = Site([x[0] + a, x[1] + c]);
        }
        return table;
    }

    /// <summary>The kernels' view of B lattices, items of whole rows (CPU) or single sites (GPU).</summary>
    public LatticeShape Shape(ComputeDevice device, int chains) => Describe(chains, device.ItemWidth(TimeExtent));

    /// <summary>The kernels' view for one checkerboard colour (Width counts sites of that colour).</summary>
    public LatticeShape HalfShape(ComputeDevice device, int chains) => Describe(chains, device.ItemWidth(TimeExtent / 2));

    private LatticeShape Describe(int chains, int width)
    {
        int rowDims = Dimensions - 1;
        return new LatticeShape(rowDims, _extents[0], rowDims > 1 ? _extents[1] : 1, rowDims > 2 ? _extents[2] : 1, TimeExtent, chains, width);
    }

    private const string SizeRule = "lattice sizes must be even and at least 2 (the checkerboard must tile the periodic lattice)";

    /// <exception cref="InvalidSettingException">The size is odd or below 2.</exception>
    private static void Check(string setting, int l)
    {
        if (l < 2 || l % 2 != 0)
            throw new InvalidSettingException(setting, l, SizeRule);
    }

    public bool Equals(LatticeGeometry? other) => other is not null && _extents.AsSpan().SequenceEqual(other._extents);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int l in _extents) h.Add(l);
        return h.ToHashCode();
    }

    /// <summary>"8x8", "8x8x16".</summary>
    public override string ToString() => string.Join("x", _extents);
}
