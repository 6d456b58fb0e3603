// HMC ns per site per leapfrog step with the kernel bodies (--simd off) and the host SIMD twins (the widest this CPU
// runs), in one process, paired and alternating: `rounds` windows of `seconds` each per path, the order flipped every
// round, on bench's case (tutorial couplings, leapfrog, 10 steps, 2 threads, 65536·2/L² chains). Then one profiled window
// per path: each kernel's share in ns per site per step and its launches per trajectory.
//   dotnet run -c Release --project tools/bench-hmc -- L [rounds] [seconds]
using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

int l = int.Parse(args[0]);
int rounds = args.Length > 1 ? int.Parse(args[1]) : 8;
double seconds = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1.0;
const int Steps = 10, Threads = 2;
SimdLevel[] paths = [SimdLevel.Off, HostSimd.Detected];
int chains = Math.Max(Threads, 65536 * Threads / (l * l));
var geometry = LatticeGeometry.Square(l);
var settings = new HmcSettings(0.5, Steps, IntegratorKind.Leapfrog, 0) { TrajectoryJitter = 0 };
var runs = paths.ToDictionary(p => p, p =>
{
    var device = new ManagedDevice(DeviceFactory.Context, Threads, p);
    var fields = new FieldBatch(device, geometry, chains);
    fields.Randomize(1, 0.5);
    var hmc = new Hmc(device, geometry, chains, Phi4Couplings.Tutorial, settings, 1);
    for (int i = 0; i < 5; i++) hmc.Update(fields, i);
    return (Device: device, Fields: fields, Hmc: hmc, Figures: new List<double>());
});
long step = 5;
double Window(SimdLevel p, out long trajectories)
{
    var r = runs[p];
    var clock = Stopwatch.StartNew();
    long n = 0;
    while (clock.Elapsed.TotalSeconds < seconds) { r.Hmc.Update(r.Fields, step++); n++; }
    trajectories = n;
    return clock.Elapsed.TotalSeconds * 1e9 / (n * (double)Steps * r.Fields.Sites);
}
for (int round = 0; round < rounds; round++)
    foreach (var p in round % 2 == 0 ? paths : paths.Reverse())
        runs[p].Figures.Add(Window(p, out _));
foreach (var p in paths)
{
    var f = runs[p].Figures.Order().ToList();
    Console.WriteLine($"L={l} B={chains} simd={HostSimd.Name(p),-6} ns/site/step median {f[f.Count / 2]:F3} min {f[0]:F3}  [{string.Join(" ", runs[p].Figures.Select(x => x.ToString("F3")))}]");
}
foreach (var p in paths)
{
    var r = runs[p];
    var profile = new KernelProfile();
    r.Device.Profile = profile;
    double total = Window(p, out long n);
    r.Device.Profile = null;
    double perSiteStep = 1e9 / (n * (double)Steps * r.Fields.Sites);
    Console.Write($"  simd {HostSimd.Name(p)}: total {total:F3};");
    foreach (var (kernel, s, launches, _) in profile.Entries().Take(6)) Console.Write($" {kernel} {s * perSiteStep:F3} ({launches / (double)n:F0}/traj);");
    Console.WriteLine();
}
