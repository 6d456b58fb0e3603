using LatticeFlow.Kernels;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;
using MathNet.Numerics.LinearAlgebra;

namespace LatticeFlow.Tests.Sampling;

/// <summary>
/// The cluster update alone, against exact answers: its transition matrix on tiny lattices (every sign configuration,
/// every seed, every outcome of every bond the growth asks about) satisfies detailed balance with respect to exp(−S) of the
/// full action, and the update driven by its real random numbers follows that matrix; on exact free-field magnitudes,
/// cluster flips alone reproduce the free-field propagator.
/// </summary>
public class EmbeddedIsingTests
{
    /// <summary>Answers the growth's bond queries from a script; past its end, answers "inactive" and notes that it ran out.</summary>
    private struct ScriptedBonds(bool[] script) : IBondSource
    {
        public int Asked;
        public double Probability; // of the scripted answers, for the growth's own p of each bond
        public double AltProbability; // the same with the wrong coupling 1 − exp(−2 φ_x φ_y), to show the test can fail
        public double[]? Field;
        public int Lx, Ly;

        public bool Active(int site, int axis, double p)
        {
            if (Asked >= script.Length) { Asked++; return false; }
            bool a = script[Asked++];
            Assert.InRange(p, 1e-12, 1 - 1e-12);
            int x = site / Ly, y = site % Ly;
            int other = axis == 0 ? (x + 1) % Lx * Ly + y : x * Ly + (y + 1) % Ly;
            double alt = 1 - Math.Exp(-2 * Math.Abs(Field![site] * Field[other]));
            Probability *= a ? p : 1 - p;
            AltProbability *= a ? alt : 1 - alt;
            return a;
        }
    }

    /// <summary>
    /// T[ε → ε'] of one single-cluster update at fixed magnitudes (seed uniform over the V sites), by enumerating the tree of
    /// answers to the growth's bond queries: <see cref="EmbeddedIsing.Grow"/> itself, with each outcome weighted by the
    /// probabilities the growth asked with (and, in <c>wrong</c>, by those of a coupling half as strong).
    /// </summary>
    private static (double[,] Right, double[,] Wrong) TransitionMatrix(double[] magnitudes, int lx, int ly)
    {
        int v = lx * ly, states = 1 << v;
        var right = new double[states, states];
        var wrong = new double[states, states];
        var stack = new int[v];
        for (int from = 0; from < states; from++)
            for (int seed = 0; seed < v; seed++)
            {
                double total = 0;
                var pending = new Stack<bool[]>();
                pending.Push([]);
                while (pending.Count > 0)
                {
                    var script = pending.Pop();
                    var phi = Field(magnitudes, from);
                    var bonds = new ScriptedBonds(script) { Probability = 1, AltProbability = 1, Field = (double[])phi.Clone(), Lx = lx, Ly = ly };
                    EmbeddedIsing.Grow(phi, lx, ly, seed, stack, ref bonds);
                    if (bonds.Asked > script.Length)
                    {
                        pending.Push([.. script, true]);
                        pending.Push([.. script, false]);
                        continue;
                    }
                    int to = Signs(phi);
                    right[from, to] += bonds.Probability / v;
                    wrong[from, to] += bonds.AltProbability / v;
                    total += bonds.Probability;
                }
                Assert.Equal(1.0, total, 12);
            }
        return (right, wrong);
    }

    private static double[] Field(double[] magnitudes, int signs) =>
        [.. magnitudes.Select((a, i) => (signs >> i & 1) == 1 ? -a : a)];

    private static int Signs(double[] phi) => phi.Select((p, i) => p < 0 ? 1 << i : 0).Sum();

    /// <summary>S of the whole field, summed site by site with forward differences (Phi4LocalAction.SiteAction), periodic.</summary>
    private static double Action(double[] phi, int lx, int ly, Phi4LocalAction action)
    {
        double s = 0;
        for (int x = 0; x < lx; x++)
            for (int y = 0; y < ly; y++)
            {
                double p = phi[x * ly + y], dx = phi[(x + 1) % lx * ly + y] - p, dy = phi[x * ly + (y + 1) % ly] - p;
                s += action.SiteAction(p, dx * dx + dy * dy);
            }
        return s;
    }

    /// <summary>
    /// π(ε) T(ε → ε') = π(ε') T(ε' → ε) for every pair of sign configurations, π ∝ exp(−S) of the full action at fixed |φ|,
    /// on 2 × 2 and 4 × 2 lattices (where x ± μ̂ coincide: two bonds of S join such a pair). The same tree weighted with
    /// 1 − exp(−2 φ_x φ_y), a coupling half as strong, must violate it: the test can tell the factor.
    /// </summary>
    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(2, 4, 3)]
    public void TheTransitionMatrixSatisfiesDetailedBalance(int lx, int ly, int seed)
    {
        var rng = new Random(seed);
        double[] magnitudes = [.. Enumerable.Range(0, lx * ly).Select(_ => 0.2 + 0.9 * rng.NextDouble())];
        var action = new Phi4LocalAction(-4, 3, 2); // the on-site terms do not matter at fixed |φ|; any couplings do
        var (t, wrong) = TransitionMatrix(magnitudes, lx, ly);
        int states = 1 << (lx * ly);
        double[] logPi = [.. Enumerable.Range(0, states).Select(e => -Action(Field(magnitudes, e), lx, ly, action))];
        double worst = 0, worstWrong = 0;
        for (int a = 0; a < states; a++)
        {
            double row = 0;
            for (int b = 0; b < states; b++)
            {
                row += t[a, b];
                // π(a) T(a→b) − π(b) T(b→a), relative to the larger term, with π(b)/π(a) = exp(logPi[b] − logPi[a]).
                double ratio = Math.Exp(logPi[b] - logPi[a]);
                double lhs = t[a, b], rhs = ratio * t[b, a];
                if (Math.Max(lhs, rhs) > 0) worst = Math.Max(worst, Math.Abs(lhs - rhs) / Math.Max(lhs, rhs));
                double wl = wrong[a, b], wr = ratio * wrong[b, a];
                if (Math.Max(wl, wr) > 0) worstWrong = Math.Max(worstWrong, Math.Abs(wl - wr) / Math.Max(wl, wr));
            }
            Assert.Equal(1.0, row, 12);
        }
        Assert.True(worst < 1e-12, $"detailed balance violated by {worst:E2} (relative)");
        Assert.True(worstWrong > 1e-2, $"a coupling half as strong went unnoticed ({worstWrong:E2})");
        // Clusters of every size occur, not only single sites or the whole lattice.
        Assert.True(Enumerable.Range(0, states).Count(b => t[0, b] > 0) > lx * ly + 1, "too few reachable configurations");
    }

    /// <summary>
    /// The update as it runs (seed and bonds from Philox, <see cref="EmbeddedIsing.SeedSite"/> and <see cref="PhiloxBonds"/>)
    /// follows the exact transition matrix: from one configuration of a 4 × 2 lattice, 2·10⁵ independent updates (one per
    /// update number) land on each configuration as often as T says, within 5σ.
    /// </summary>
    [Fact]
    public void TheRandomUpdateFollowsTheTransitionMatrix()
    {
        const int lx = 4, ly = 2, draws = 200_000;
        var rng = new Random(9);
        double[] magnitudes = [.. Enumerable.Range(0, lx * ly).Select(_ => 0.2 + 0.6 * rng.NextDouble())];
        var (t, _) = TransitionMatrix(magnitudes, lx, ly);
        const int from = 0b0010_0100;
        var counts = new int[1 << (lx * ly)];
        var key = new RngKey(77);
        var stack = new int[lx * ly];
        for (int k = 0; k < draws; k++)
        {
            var phi = Field(magnitudes, from);
            var bonds = new PhiloxBonds(key, 3, (uint)k, 5);
            EmbeddedIsing.Grow(phi, lx, ly, EmbeddedIsing.SeedSite(key, 3, (uint)k, 5, lx * ly), stack, ref bonds);
            counts[Signs(phi)]++;
        }
        int checkedStates = 0;
        for (int to = 0; to < counts.Length; to++)
        {
            double p = t[from, to], expected = p * draws, sigma = Math.Sqrt(draws * p * (1 - p));
            if (p == 0) { Assert.Equal(0, counts[to]); continue; }
            checkedStates++;
            Assert.True(Math.Abs(counts[to] - expected) < 5 * sigma + 1, $"to {to}: {counts[to]} times, expected {expected:F1} ± {sigma:F1}");
        }
        Assert.True(checkedStates >= 8, $"only {checkedStates} reachable configurations");
    }

    /// <summary>
    /// Cluster flips alone at the free field (λ = 0, m² = 0.5, 6 × 8): magnitudes |φ| of exact Gaussian draws (Cholesky of
    /// the exact propagator), signs set to + everywhere, then 30 single-cluster updates, of which the last 20 are measured.
    /// The signs then follow exp(−S) at those magnitudes, so ⟨φ(x)φ(0)⟩ is the exact propagator: within 4σ at every
    /// separation (draws independent; the all-plus start is far from it at long distances).
    /// </summary>
    [Fact]
    public void ClusterFlipsAloneReproduceTheFreeFieldPropagator()
    {
        const int lx = 6, ly = 8, v = lx * ly, draws = 3000, burn = 10, measured = 20;
        const double m2 = 0.5;
        var covariance = Matrix<double>.Build.Dense(v, v, (i, j) =>
            FreeField.Propagator(lx, ly, m2, ((j / ly - i / ly) % lx + lx) % lx, ((j % ly - i % ly) % ly + ly) % ly));
        var cholesky = covariance.Cholesky().Factor;
        (int Dx, int Dy)[] separations = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 3), (3, 4)];
        var perDraw = new double[separations.Length][];
        var unflipped = new double[draws]; // G(3, 4) of the all-plus start
        for (int s = 0; s < separations.Length; s++) perDraw[s] = new double[draws];
        var rng = new Random(31);
        var key = new RngKey(4);
        var stack = new int[v];
        var z = Vector<double>.Build.Dense(v);
        for (int d = 0; d < draws; d++)
        {
            for (int i = 0; i < v; i++) z[i] = Gaussian(rng);
            double[] phi = [.. (cholesky * z).Select(Math.Abs)];
            unflipped[d] = Correlator(phi, lx, ly, 3, 4);
            for (int c = 0; c < burn + measured; c++)
            {
                var bonds = new PhiloxBonds(key, d, (uint)c, 0);
                EmbeddedIsing.Grow(phi, lx, ly, EmbeddedIsing.SeedSite(key, d, (uint)c, 0, v), stack, ref bonds);
                if (c < burn) continue;
                for (int s = 0; s < separations.Length; s++)
                    perDraw[s][d] += Correlator(phi, lx, ly, separations[s].Dx, separations[s].Dy) / measured;
            }
        }
        for (int s = 0; s < separations.Length; s++)
        {
            var (dx, dy) = separations[s];
            double mean = perDraw[s].Average();
            double error = Math.Sqrt(perDraw[s].Select(x => (x - mean) * (x - mean)).Sum() / (draws - 1) / draws);
            double exact = FreeField.Propagator(lx, ly, m2, dx, dy);
            Assert.True(Math.Abs(mean - exact) < 4 * error, $"G({dx},{dy}) = {mean} ± {error}, exact {exact} ({(mean - exact) / error:F1}σ)");
        }
        // Without the flips (all signs +) the long-distance correlator is far off: the test can fail.
        double start = unflipped.Average(), startError = Math.Sqrt(unflipped.Select(x => (x - start) * (x - start)).Sum() / (draws - 1) / draws);
        Assert.True(start - FreeField.Propagator(lx, ly, m2, 3, 4) > 20 * startError, $"the all-plus start {start} ± {startError} is not far enough off");
    }

    /// <summary>(1/V) Σ_x φ(x) φ(x + (dx, dy)) of one periodic Lx × Ly field.</summary>
    private static double Correlator(double[] phi, int lx, int ly, int dx, int dy)
    {
        double sum = 0;
        for (int x = 0; x < lx; x++)
            for (int y = 0; y < ly; y++)
                sum += phi[x * ly + y] * phi[(x + dx) % lx * ly + (y + dy) % ly];
        return sum / (lx * ly);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
