using LatticeFlow.Kernels;

namespace LatticeFlow.Sampling;

/// <summary>Whether bond (<c>site</c>, <c>axis</c>) of the current cluster is active, given its probability <c>p</c>.</summary>
public interface IBondSource
{
    /// <param name="site">The bond's lower site, x·Ly + y within its chain; the bond joins it to its neighbour along <paramref name="axis"/>.</param>
    /// <param name="axis">0: the x̂ bond (to x + 1), 1: the ŷ bond (to y + 1), periodic.</param>
    /// <param name="p">The probability that the bond is active, 1 − exp(−4 φ_x φ_y) (<see cref="EmbeddedIsing.BondProbability"/>).</param>
    bool Active(int site, int axis, double p);
}

/// <summary>
/// The bonds of cluster <c>cluster</c> of update <c>step</c> in chain <c>chain</c>, from Philox keyed by the bond's lower
/// site: one call per site gives 53-bit uniforms for its x̂ bond (words 0–1) and ŷ bond (words 2–3), in stream
/// <see cref="RngStream.ClusterBond"/> + cluster. Each bond's fate is fixed before the growth starts, so the cluster does
/// not depend on the order in which it is grown (nor on threads or resumption).
/// </summary>
public readonly struct PhiloxBonds(RngKey key, int chain, uint step, int cluster) : IBondSource
{
    private readonly RngKey _key = key;
    private readonly uint _chain = (uint)chain, _step = step, _stream = RngStream.ClusterBond + (uint)cluster;

    public bool Active(int site, int axis, double p)
    {
        var w = Philox.Generate(_key, (uint)site, _chain, _step, _stream);
        double u = axis == 0 ? Philox.Uniform53(w.X0, w.X1) : Philox.Uniform53(w.X2, w.X3);
        return u < p;
    }
}

/// <summary>
/// Wolff's single-cluster update (PRL 62, 361, 1989) of the signs of φ embedded as an Ising model (Brower and Tamayo,
/// PRL 62, 1087, 1989), for our action S = Σ_x [Σ_μ (φ(x+μ̂) − φ(x))² + m² φ(x)² + λ φ(x)⁴].
/// <para>
/// The embedding. Expanding the square, S = Σ_x [(2d + m²) φ_x² + λ φ_x⁴] − 2 Σ_x Σ_μ φ_x φ_{x+μ̂}. Write φ_x = ε_x a_x with
/// a_x = |φ_x| and ε_x = ±1: the on-site terms depend on a alone, so at fixed magnitudes
/// exp(−S) ∝ exp(Σ_b J_b ε_x ε_{x+μ̂}) with one bond b = (x, μ) per term of the hopping sum and J_b = 2 a_x a_{x+μ̂}: an
/// Ising model with bond-dependent couplings (temperature absorbed into J). Fortuin–Kasteleyn for a weight exp(J ε ε'):
/// a bond between aligned signs is active with probability p_b = 1 − exp(−2 J_b) = 1 − exp(−4 φ_x φ_{x+μ̂})
/// (φ_x φ_{x+μ̂} &gt; 0), between opposite signs never. The cluster of a seed site is its component under the active bonds;
/// flipping all its signs (φ → −φ on the cluster) is accepted always. Detailed balance with respect to exp(−S): for a
/// cluster C grown in ε and the same C grown in ε' (ε flipped on C), the bonds inside C and their probabilities are the
/// same, and the boundary bonds of C that must be inactive are those aligned in ε (probability Π e^{−2J_b}) and those
/// aligned in ε' respectively; their ratio is exp(−2 Σ_{b∈∂C} J_b ε_x ε_y) = exp(−S(ε'a)) / exp(−S(εa)), because S
/// changes only through the boundary bonds and not at all through the on-site terms. The seed may come from any
/// distribution that does not depend on the field (the sum over seeds in C is the same both ways): here uniform from
/// 64 random bits (Lemire's multiply-shift, bias below V/2⁶⁴). The magnitudes never change, so the chain needs another
/// update for them (<see cref="ClusterHybrid"/>: a Metropolis sweep).
/// </para>
/// <para>
/// On lattices with Lx or Ly = 2, x + μ̂ and x − μ̂ are the same site and two bonds of S join the pair; each is its own
/// bond here with its own J and test, as the sum over (x, μ) has it. Checked against the exact transition matrix on
/// 2 × 2 and 4 × 2 lattices (tests: EmbeddedIsingTests).
/// </para>
/// </summary>
public static class EmbeddedIsing
{
    /// <summary>p_b = 1 − exp(−4 φ_x φ_y) for aligned neighbours (φ_x φ_y &gt; 0), else 0.</summary>
    public static double BondProbability(double phiX, double phiY)
    {
        double product = phiX * phiY;
        return product > 0 ? 1.0 - Math.Exp(-4.0 * product) : 0.0;
    }

    /// <summary>The seed site of cluster <paramref name="cluster"/>: uniform over the V sites from 64 bits, independent of the field.</summary>
    public static int SeedSite(RngKey key, int chain, uint step, int cluster, int volume)
    {
        var w = Philox.Generate(key, (uint)cluster, (uint)chain, step, RngStream.ClusterSeed);
        return (int)Math.BigMul(((ulong)w.X0 << 32) | w.X1, (ulong)volume, out _);
    }

    /// <summary>
    /// Grows the cluster of <paramref name="seed"/> in one chain's field <paramref name="phi"/> ([x, y], C order, Lx × Ly,
    /// periodic) and flips it in place. Stack-based flood fill: a site joins when a bond from a cluster site to it is active
    /// and its sign is the seed's original sign; it is flipped on joining, which also marks it as taken, so each bond is
    /// tested at most once.
    /// </summary>
    /// <param name="stack">Scratch of at least Lx·Ly entries.</param>
    /// <returns>The cluster's size in sites.</returns>
    public static int Grow<TBonds>(Span<double> phi, int lx, int ly, int seed, Span<int> stack, ref TBonds bonds) where TBonds : struct, IBondSource
    {
        bool positive = phi[seed] > 0;
        phi[seed] = -phi[seed];
        int top = 0, size = 1;
        stack[top++] = seed;
        while (top > 0)
        {
            int site = stack[--top];
            int x = site / ly, y = site - x * ly;
            double a = Math.Abs(phi[site]);
            int xUp = x + 1 == lx ? 0 : x + 1, xDown = x == 0 ? lx - 1 : x - 1;
            int yUp = y + 1 == ly ? 0 : y + 1, yDown = y == 0 ? ly - 1 : y - 1;
            // The four bonds of the site, each named by its lower site and axis.
            size += Visit(phi, xUp * ly + y, site, 0, a, positive, stack, ref top, ref bonds);
            size += Visit(phi, xDown * ly + y, xDown * ly + y, 0, a, positive, stack, ref top, ref bonds);
            size += Visit(phi, x * ly + yUp, site, 1, a, positive, stack, ref top, ref bonds);
            size += Visit(phi, x * ly + yDown, x * ly + yDown, 1, a, positive, stack, ref top, ref bonds);
        }
        return size;
    }

    private static int Visit<TBonds>(Span<double> phi, int neighbour, int bondSite, int axis, double a, bool positive, Span<int> stack, ref int top, ref TBonds bonds)
        where TBonds : struct, IBondSource
    {
        double v = phi[neighbour];
        // Only sites with the seed's original sign can join; cluster sites carry the flipped sign by now.
        if (positive ? !(v > 0) : !(v < 0)) return 0;
        if (!bonds.Active(bondSite, axis, BondProbability(a, Math.Abs(v)))) return 0;
        phi[neighbour] = -v;
        stack[top++] = neighbour;
        return 1;
    }
}
