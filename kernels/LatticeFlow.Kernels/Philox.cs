namespace LatticeFlow.Kernels;

/// <summary>Four 32-bit random words from one Philox call.</summary>
public readonly struct RandomWords(uint x0, uint x1, uint x2, uint x3)
{
    public readonly uint X0 = x0, X1 = x1, X2 = x2, X3 = x3;
}

/// <summary>The words of two Philox calls (<see cref="Philox.Generate2"/>).</summary>
public readonly struct RandomWords8(RandomWords a, RandomWords b)
{
    public readonly RandomWords A = a, B = b;
}

/// <summary>The 64-bit key of a run's random numbers, derived from the user's seed.</summary>
public readonly struct RngKey(ulong seed)
{
    public readonly uint K0 = (uint)seed, K1 = (uint)(seed >> 32);
}

/// <summary>
/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy as
/// 1, 2, 3" (SC11). Every random number is a pure function of (seed; site, chain, step, stream), so
/// an ensemble does not depend on the backend, the thread count or where a run was resumed
/// (DESIGN.md, principle 3). Streams keep the uses apart (<see cref="RngStream"/>).
/// </summary>
public static class Philox
{
    /// <summary>The round multipliers M0, M1 and the Weyl key increments W0, W1 of Philox4x32 (Salmon et al., SC11).</summary>
    public const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    public static RandomWords Generate(RngKey key, uint site, uint chain, uint step, uint stream)
    {
        uint c0 = site, c1 = chain, c2 = step, c3 = stream, k0 = key.K0, k1 = key.K1;
        for (int r = 0; r < 10; r++)
        {
            Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
            k0 += W0;
            k1 += W1;
        }
        return new RandomWords(c0, c1, c2, c3);
    }

    /// <summary>
    /// Two Philox calls for sites <paramref name="siteA"/> and <paramref name="siteB"/> (same chain, step, stream), their
    /// rounds interleaved so the two serial chains of multiplies overlap in the core (about twice the throughput of two
    /// calls in sequence). Words 0–3 are siteA's <see cref="Generate"/>, words 4–7 siteB's.
    /// </summary>
    public static RandomWords8 Generate2(RngKey key, uint siteA, uint siteB, uint chain, uint step, uint stream)
    {
        uint a0 = siteA, a1 = chain, a2 = step, a3 = stream;
        uint b0 = siteB, b1 = chain, b2 = step, b3 = stream;
        uint k0 = key.K0, k1 = key.K1;
        for (int r = 0; r < 10; r++)
        {
            Round(ref a0, ref a1, ref a2, ref a3, k0, k1);
            Round(ref b0, ref b1, ref b2, ref b3, k0, k1);
            k0 += W0;
            k1 += W1;
        }
        return new RandomWords8(new RandomWords(a0, a1, a2, a3), new RandomWords(b0, b1, b2, b3));
    }

    /// <summary>One Philox4x32 round (Salmon et al., SC11): two 32 × 32 → 64 multiplies, xors with the round key.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Round(ref uint c0, ref uint c1, ref uint c2, ref uint c3, uint k0, uint k1)
    {
        ulong p0 = (ulong)M0 * c0;
        ulong p1 = (ulong)M1 * c2;
        uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
        uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint)p1;
        c3 = (uint)p0;
        c0 = n0;
        c2 = n2;
    }

    /// <summary>A uniform number in (0, 1) from one word (32 bits of resolution, never 0 or 1).</summary>
    public static double Uniform(uint w) => (w + 0.5) * (1.0 / 4294967296.0);

    /// <summary>A uniform number in (0, 1) with 53 bits of resolution from two words.</summary>
    public static double Uniform53(uint hi, uint lo) =>
        ((((ulong)hi << 21) ^ (lo >> 11)) + 0.5) * (1.0 / 9007199254740992.0);
}

/// <summary>The stream word of the Philox counter: which part of which algorithm draws the numbers.</summary>
public static class RngStream
{
    /// <summary>Local Metropolis, hits 2k and 2k+1 share stream Metropolis + k.</summary>
    public const uint Metropolis = 0x1000;
    public const uint HmcMomentum = 0x2000;
    public const uint HmcAccept = 0x2001;

    /// <summary>HMC: the step size of each trajectory (one draw per trajectory, shared by all chains).</summary>
    public const uint HmcTrajectory = 0x2002;
    public const uint InitialField = 0x3000;

    /// <summary>Flow: prior draws z ~ N(0, 1) for training batches and proposals.</summary>
    public const uint FlowPrior = 0x4000;

    /// <summary>Flow Metropolis–Hastings: the accept/reject uniforms.</summary>
    public const uint FlowAccept = 0x4001;

    /// <summary>Flow: weight initialisation.</summary>
    public const uint FlowInit = 0x4002;

    /// <summary>Flow Metropolis–Hastings with Z2-symmetrised proposals: the sign of each proposal.</summary>
    public const uint FlowSign = 0x4003;

    /// <summary>Embedded-Ising cluster updates: the seed site of cluster c (site word c), one call per chain, update and cluster.</summary>
    public const uint ClusterSeed = 0x5000;

    /// <summary>
    /// Embedded-Ising cluster updates: the bond uniforms of cluster c use stream ClusterBond + c (c below 2²⁰), keyed by
    /// the bond's lower site; words 0–1 are its x̂ bond, words 2–3 its ŷ bond.
    /// </summary>
    public const uint ClusterBond = 0x5000_0000;
}
