using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Files;

namespace LatticeFlow.Benchmarks;

/// <summary>
/// A kernel's achieved rates in one figure's profiled round: its share of the round's wall time, work units, flops and
/// bytes per unit (<see cref="KernelCounts"/>), GFLOP/s and GB/s, and those as fractions of <see cref="MachinePeak"/>
/// (flops against the float32 or float64 peak, as the kernel computes). A kernel <see cref="KernelCounts"/> does not count
/// has its share and seconds only (the rest NaN, null in JSON).
/// </summary>
public sealed record KernelRate(string Kernel, string Unit, double Share, double Seconds, double Units, double FlopsPerUnit, double BytesPerUnit,
    double Gflops, double GBPerSecond, double PeakFlopFraction, double PeakByteFraction, bool SinglePrecision);

/// <summary>One SIMD mode's rounds of a figure, the best of them, and its kernels' rates (CPU only; empty on a GPU).</summary>
public sealed record ModeResult(string Simd, string Path, IReadOnlyList<double> Rounds, double Best, IReadOnlyList<KernelRate> Kernels, string? Note);

/// <summary>
/// One figure of `bench` with each SIMD mode (the first is the reference); <see cref="Speedup"/> is the second mode's
/// over the first's (its throughput over the first's, or the first's time over its own for a time figure).
/// </summary>
public sealed record FigureResult(string Name, int L, int Chains, string Unit, bool HigherIsBetter, IReadOnlyList<ModeResult> Modes)
{
    public double Speedup => Modes.Count < 2 ? double.NaN
        : HigherIsBetter ? Modes[1].Best / Modes[0].Best : Modes[0].Best / Modes[1].Best;
}

/// <summary>What `bench --json` writes: the machine's peak, the modes compared, how rounds were taken, every figure.</summary>
public sealed record BenchReport(string Code, DateTime Date, MachinePeak Machine, IReadOnlyList<string> Simd, int Rounds, string Taken,
    double GammaSeconds, IReadOnlyList<FigureResult> Figures)
{
    public void Write(string path) => JsonFiles.Write(path, this);
}

/// <summary>
/// `bench`'s figures with the kernel bodies and the host SIMD twins side by side (issue 16): each figure is set up once
/// per device, then timed in rounds that alternate between the devices (off, auto, off, auto, …), so that drift on a
/// shared machine (other processes, clock changes) hits both; each mode's figure is the best of its rounds (other load
/// can only slow a round down). Then one more round per device runs with the kernel profile on, counting each kernel's
/// time, flops and bytes (<see cref="KernelCounts"/>) for its rates and fractions of peak; it is not one of the timed
/// rounds (the profile's timestamps cost ~50 ns per launch).
/// </summary>
public sealed class SideBySide(IReadOnlyList<ComputeDevice> devices, IReadOnlyList<string> modes, int rounds, MachinePeak peak)
{
    /// <summary>How a mode's figure is taken from its rounds (written in the table's header and the JSON).</summary>
    public const string Taken = "best";

    public IReadOnlyList<string> Modes => modes;

    public List<FigureResult> Figures { get; } = [];

    /// <summary>
    /// The SIMD modes <c>bench</c> runs for a <c>--simd</c> value: "both" is off then auto; any other is one mode, checked
    /// as <see cref="HostSimd.Parse"/> checks it.
    /// </summary>
    /// <exception cref="InvalidSettingException">An unknown name, or a level this CPU does not run.</exception>
    public static IReadOnlyList<string> ParseModes(string simd)
    {
        if (simd == "both") return ["off", "auto"];
        if (!HostSimd.Names.Contains(simd))
            throw new InvalidSettingException(SettingNames.Simd, simd, $"unknown SIMD level (choose both, {string.Join(", ", HostSimd.Names)})");
        HostSimd.Parse(simd);
        return [simd];
    }

    public FigureResult Measure(string name, int l, int chains, string unit, bool higherIsBetter, Func<ComputeDevice, IBenchCase> create)
    {
        var cases = new List<IBenchCase>();
        try
        {
            foreach (var d in devices) cases.Add(create(d));
            var values = devices.Select(_ => new List<double>()).ToArray();
            for (int r = 0; r < rounds; r++)
                for (int i = 0; i < cases.Count; i++) values[i].Add(cases[i].Round());
            var results = new List<ModeResult>();
            for (int i = 0; i < cases.Count; i++)
            {
                var kernels = Profile(devices[i], cases[i]);
                double best = higherIsBetter ? values[i].Max() : values[i].Min();
                results.Add(new ModeResult(modes[i], devices[i].SimdPath, values[i], best, kernels, cases[i].Note));
            }
            var figure = new FigureResult(name, l, chains, unit, higherIsBetter, results);
            Figures.Add(figure);
            return figure;
        }
        finally
        {
            foreach (var c in cases) c.Dispose();
        }
    }

    private IReadOnlyList<KernelRate> Profile(ComputeDevice device, IBenchCase benchCase)
    {
        if (device is not ManagedDevice managed) return [];
        var profile = new KernelProfile(KernelCounts.Instance);
        managed.Profile = profile;
        var clock = Stopwatch.StartNew();
        try { benchCase.Round(); }
        finally { managed.Profile = null; }
        double total = clock.Elapsed.TotalSeconds;
        var rates = new List<KernelRate>();
        foreach (var e in profile.Entries())
        {
            if (e.Seconds == 0) continue;
            if (e.Work is not KernelWork w || w.Units == 0)
            {
                // Not counted (Gaussian momenta, Adam, copies …): its share of the time only.
                rates.Add(new KernelRate(e.Kernel, "", e.Seconds / total, e.Seconds, double.NaN, double.NaN, double.NaN,
                    double.NaN, double.NaN, double.NaN, double.NaN, false));
                continue;
            }
            double gflops = w.Flops / e.Seconds / 1e9, gbs = w.Bytes / e.Seconds / 1e9;
            rates.Add(new KernelRate(e.Kernel, KernelCounts.Unit.GetValueOrDefault(e.Kernel, "unit"), e.Seconds / total, e.Seconds, w.Units,
                w.Flops / w.Units, w.Bytes / w.Units, gflops, gbs, gflops / peak.Gflops(w.SinglePrecision), gbs / peak.TriadGBPerSecond, w.SinglePrecision));
        }
        return rates;
    }

    /// <summary>The figures, one row each, a column per mode and the speed-up; then each mode's note.</summary>
    public void WriteFigures(TextWriter o)
    {
        o.Write($"{"figure",-66} {"L",4} {"B",6}");
        foreach (var m in ModeHeaders()) o.Write($" {m,18}");
        o.WriteLine(modes.Count > 1 ? $" {"auto/off",8}" : "");
        foreach (var f in Figures)
        {
            o.Write($"{f.Name,-66} {f.L,4} {f.Chains,6}");
            foreach (var m in f.Modes) o.Write($" {Value(m.Best, f.Unit),18}");
            o.WriteLine(modes.Count > 1 ? $" {f.Speedup,8:F2}" : "");
            foreach (var m in f.Modes.Where(m => m.Note is not null))
                o.WriteLine($"    {(modes.Count > 1 ? m.Simd + ": " : "")}{m.Note}");
        }
    }

    /// <summary>
    /// Each kernel of each figure, longest first: its counts per work unit, then per mode its share of the round, GFLOP/s and
    /// GB/s with their fractions of peak (kernels without counts: the share alone).
    /// </summary>
    public void WriteKernels(TextWriter o)
    {
        o.Write($"{"kernel",-26} {"unit",-12} {"flop/unit",9} {"B/unit",8}");
        foreach (var m in ModeHeaders()) o.Write($" | {m + ": share",-13} {"GFLOP/s",8} {"%peak",6} {"GB/s",7} {"%peak",6}");
        o.WriteLine();
        foreach (var f in Figures)
        {
            var names = f.Modes.SelectMany(m => m.Kernels).GroupBy(k => k.Kernel)
                .OrderByDescending(g => g.Max(k => k.Share)).Select(g => g.Key).ToList();
            if (names.Count == 0) continue;
            o.WriteLine($"{f.Name} L={f.L}");
            foreach (string name in names)
            {
                var first = f.Modes.SelectMany(m => m.Kernels).First(k => k.Kernel == name);
                bool counted = !double.IsNaN(first.Units);
                var line = new System.Text.StringBuilder();
                line.Append(counted ? $"  {name,-24} {first.Unit,-12} {first.FlopsPerUnit,9:G4} {first.BytesPerUnit,8:G4}"
                    : $"  {name,-24} {"(not counted)",-12} {"",9} {"",8}");
                foreach (var m in f.Modes)
                {
                    var k = m.Kernels.FirstOrDefault(k => k.Kernel == name);
                    line.Append(k is null ? $" | {"",13} {"",8} {"",6} {"",7} {"",6}"
                        : counted ? $" | {k.Share,13:P0} {k.Gflops,8:F2} {k.PeakFlopFraction,6:P1} {k.GBPerSecond,7:F2} {k.PeakByteFraction,6:P0}"
                        : $" | {k.Share,13:P0} {"",8} {"",6} {"",7} {"",6}");
                }
                o.WriteLine(line.ToString().TrimEnd());
            }
        }
    }

    private IEnumerable<string> ModeHeaders() => modes.Select((m, i) =>
        m == "auto" && devices[i].SimdPath != "" ? $"auto ({devices[i].SimdPath})" : m);

    private static string Value(double v, string unit) => unit switch
    {
        "updates/s" => $"{v / 1e6:F1} M/s",
        "ns" => $"{v:F3} ns",
        _ => $"{v:G4} {unit}",
    };
}
