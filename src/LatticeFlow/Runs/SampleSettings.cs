using System.Globalization;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Runs;

/// <summary>
/// Everything a `sample` run needs; the CLI builds it, tests build it directly. The defaults here are the only ones:
/// the CLI and README take them from this record. Errors name the settings as <see cref="SettingNames"/> does.
/// </summary>
public sealed record SampleSettings
{
    public required string Algorithm { get; init; }
    public required LatticeGeometry Geometry { get; init; }
    /// <summary>The action's parameters (φ⁴'s couplings from the CLI and sweeps).</summary>
    public required IActionParameters Action { get; init; }
    public required string OutputDirectory { get; init; }
    public long Configurations { get; init; } = 10000;
    public long Thermalization { get; init; } = 1000;
    public int SaveEvery { get; init; } = 1;
    public int Chains { get; init; } = 1;
    public ulong Seed { get; init; } = 1;
    public bool SaveFields { get; init; } = true;
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }
    /// <summary>Host SIMD twins on the CPU (auto, off, avx2, avx512). Metropolis and HMC kernels have none yet, so their ensembles do not
    /// depend on it; a flow's proposals (conv twins) differ from the bodies' by float32 rounding, so flow ensembles may.</summary>
    public string Simd { get; init; } = "auto";
    public bool Resume { get; init; }
    public bool Force { get; init; }
    public MetropolisSettings Metropolis { get; init; } = new();
    public HmcSettings Hmc { get; init; } = new();
    public FlowMetropolisSettings Flow { get; init; } = new();
    public ClusterSettings Cluster { get; init; } = new();

    /// <summary>Seconds between checkpoints (and flushes of the ensemble files).</summary>
    public double CheckpointSeconds { get; init; } = 10;

    /// <summary>The settings record of each registered sampler (<see cref="Samplers"/>): the one property of its type.</summary>
    private static readonly Dictionary<Type, System.Reflection.PropertyInfo> SamplerProperties = Samplers.All.ToDictionary(k => k.SettingsType,
        k => typeof(SampleSettings).GetProperties().SingleOrDefault(p => p.PropertyType == k.SettingsType)
            ?? throw new InvalidOperationException($"SampleSettings has no property of type {k.SettingsType.Name} for the sampler {k.Name}"));

    /// <summary>The settings of sampler <paramref name="kind"/> that this run would use (whichever algorithm it runs).</summary>
    public ISamplerSettings SettingsOf(SamplerKind kind) => (ISamplerSettings)SamplerProperties[kind.SettingsType].GetValue(this)!;

    /// <summary>The sampler this run uses.</summary>
    /// <exception cref="InvalidSettingException">No sampler of that name.</exception>
    public SamplerKind Sampler => Samplers.Get(Algorithm);

    /// <summary>The settings of the sampler this run uses.</summary>
    public ISamplerSettings SamplerSettings => SettingsOf(Sampler);

    /// <summary>A copy with <paramref name="settings"/> as the settings of their sampler.</summary>
    public SampleSettings With(ISamplerSettings settings)
    {
        var copy = this with { };
        var property = SamplerProperties.GetValueOrDefault(settings.GetType()) ?? throw new ArgumentException($"no sampler takes {settings.GetType().Name}");
        property.SetValue(copy, settings);
        return copy;
    }

    /// <summary>
    /// Checks everything that can be checked before a directory is touched: every setting (<see cref="ValidatedSettings"/>),
    /// the flow's model file, and that the files the run will write fit on the output's file system
    /// (<see cref="Storage"/>; a resumed or replaced run counts the bytes its directory already holds as available).
    /// </summary>
    /// <exception cref="InvalidSettingException">The first unusable setting, or a run too large for the disk.</exception>
    /// <exception cref="InvalidInputException">The model file is unreadable or made for another lattice or couplings.</exception>
    public SampleSettings Validated()
    {
        ValidatedSettings();
        if (Algorithm == "flow")
        {
            Flow.Validated();
            Flows.ModelFile.CheckMatches(Flows.ModelFile.Read(Flow.ModelPath).Header, Geometry.Lx, Geometry.Ly, Action, Flow.ModelPath);
        }
        var storage = Storage();
        if (storage.Free is long free && storage.Needed > free)
            throw new InvalidSettingException(SettingNames.Configurations, Configurations,
                $"the run would write {StorageEstimate.Format(storage.Total)}{(SaveFields ? $" ({StorageEstimate.Format(storage.Fields)} of them fields)" : "")} " +
                $"and {storage.FileSystemPath} has {StorageEstimate.Format(free)} free; " +
                (SaveFields ? "skip the fields ({save_fields}), save every k-th update only ({save_every} k) or ask for fewer configurations"
                    : "save every k-th update only ({save_every} k) or ask for fewer configurations"));
        return this;
    }

    /// <summary>
    /// The checks of <see cref="Validated"/> that read no file: the settings alone. A sweep runs these on every run it
    /// will make before it writes anything (its flow models do not exist yet).
    /// </summary>
    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public SampleSettings ValidatedSettings()
    {
        var sampler = Sampler;
        if (Configurations <= 0) throw new InvalidSettingException(SettingNames.Configurations, Configurations, "the number of configurations must be positive");
        if (Thermalization < 0) throw new InvalidSettingException(SettingNames.Thermalization, Thermalization, "must be ≥ 0");
        if (SaveEvery < 1) throw new InvalidSettingException(SettingNames.SaveEvery, SaveEvery, "must be ≥ 1");
        if (Chains < 1) throw new InvalidSettingException(SettingNames.Chains, Chains, "need at least one chain");
        if (Threads < 0) throw new InvalidSettingException(SettingNames.Threads, Threads, "must be ≥ 0 (0: all cores)");
        Devices.Simd.HostSimd.Parse(Simd);
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new InvalidSettingException(SettingNames.OutputDirectory, "", "an output directory is required");
        // Decimal, not long: a long product could itself overflow.
        if (Thermalization + (decimal)Configurations * SaveEvery >= uint.MaxValue)
            throw new InvalidSettingException(SettingNames.Configurations, Configurations,
                "too long a run: {thermalization} + {configurations} × {save_every} must stay below 2^32 updates (the random-number counter is 32 bits per step)");
        if (Geometry.Dimensions > sampler.MaxDimensions)
            throw new InvalidSettingException(SettingNames.Extents, string.Join(",", Geometry.Extents),
                $"{sampler.Name} runs on lattices of at most {sampler.MaxDimensions} dimensions, not {Geometry.Dimensions}");
        if ((long)Geometry.Volume * Chains > int.MaxValue / 2)
            throw new InvalidSettingException(SettingNames.Chains, Chains, $"too many sites for one batch of {Geometry} lattices");
        if (!double.IsFinite(CheckpointSeconds) || CheckpointSeconds <= 0)
            throw new InvalidSettingException(SettingNames.CheckpointSeconds, CheckpointSeconds, "must be a positive number of seconds");
        SettingsOf(sampler).Check();
        return this;
    }

    /// <summary>What the finished run's files will hold, and what the output's file system has free.</summary>
    public StorageEstimate Storage()
    {
        // In decimal: with lattices and run lengths at their limits the products overflow a long.
        decimal rows = (decimal)Configurations * Chains;
        decimal site = (decimal)Geometry.Volume * Chains * sizeof(double);
        var estimate = new StorageEstimate
        {
            Fields = SaveFields ? Bytes(NpyHeader + Configurations * site) : 0,
            Timeslices = Bytes(NpyHeader + rows * Geometry.TimeExtent * sizeof(double)),
            // measurements.csv: two integer columns, 7 numbers and the sampler's own in "R" format, at most ~24 characters each.
            Measurements = Bytes(rows * (2 * 12 + (7 + (Samplers.Find(Algorithm)?.ExtraColumns.Count ?? 0)) * 24)),
            // proposals.csv: one row per production update and chain, three integer columns and six numbers.
            Proposals = Algorithm == "flow" ? Bytes((decimal)Configurations * SaveEvery * Chains * (3 * 12 + 6 * 24)) : 0,
            Checkpoint = Bytes(2 * site + 4096), // the field (and the flow chains' state), with room for the rest
        };
        var (path, free) = FreeSpace(OutputDirectory);
        return estimate with { Free = free, FileSystemPath = path, Present = BytesIn(OutputDirectory) };
    }

    /// <summary>Saturates at 2^59 bytes (an exabyte), so that sums of a few of them cannot overflow either.</summary>
    private static long Bytes(decimal b) => b >= 1L << 59 ? 1L << 59 : (long)b;

    private const long NpyHeader = 128;

    /// <summary>The nearest existing folder at or above <paramref name="dir"/> and its free bytes; null where unknown.</summary>
    private static (string? Path, long? Free) FreeSpace(string dir)
    {
        try
        {
            string? p = Path.GetFullPath(string.IsNullOrWhiteSpace(dir) ? "." : dir);
            while (p is not null && !Directory.Exists(p)) p = Path.GetDirectoryName(p);
            return p is null ? (null, null) : (p, new DriveInfo(p).AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, null); // no figure to compare with: the run goes ahead, as it did before this check
        }
    }

    private static long BytesIn(string dir)
    {
        try { return Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles().Sum(f => f.Length) : 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }
}

/// <summary>
/// Bytes a run's files will hold when it is complete, estimated from its settings (fields.npy and timeslices.npy exactly;
/// the CSV files from an upper bound on the characters per number), and the free bytes of the file system it writes to.
/// </summary>
public sealed record StorageEstimate
{
    public long Fields { get; init; }
    public long Timeslices { get; init; }
    public long Measurements { get; init; }
    public long Proposals { get; init; }
    public long Checkpoint { get; init; }
    /// <summary>Bytes the output directory holds already (a run resumed, or replaced with --force).</summary>
    public long Present { get; init; }
    /// <summary>Free bytes where the output goes; null where the file system does not say.</summary>
    public long? Free { get; init; }
    /// <summary>The existing folder whose file system <see cref="Free"/> describes.</summary>
    public string? FileSystemPath { get; init; }

    public long Total => Fields + Timeslices + Measurements + Proposals + Checkpoint;

    /// <summary>Bytes still to be written.</summary>
    public long Needed => Math.Max(0, Total - Present);

    /// <summary>
    /// Worth a warning before the run starts: at least 10 GB still to write, or more than half of the free space.
    /// </summary>
    public bool IsLarge => Needed >= 10_000_000_000 || (Free is long f && Needed > f / 2);

    /// <summary>Several runs' files together (a sweep's), on the file system that <paramref name="b"/> describes.</summary>
    public static StorageEstimate operator +(StorageEstimate a, StorageEstimate b) => new()
    {
        Fields = a.Fields + b.Fields, Timeslices = a.Timeslices + b.Timeslices, Measurements = a.Measurements + b.Measurements,
        Proposals = a.Proposals + b.Proposals, Checkpoint = a.Checkpoint + b.Checkpoint, Present = a.Present + b.Present,
        Free = b.Free, FileSystemPath = b.FileSystemPath,
    };

    /// <summary>Bytes in decimal units with three significant figures: 65.5 TB, 812 MB.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
        double v = bytes;
        int u = 0;
        while (v >= 999.5 && u < units.Length - 1) { v /= 1000; u++; } // 999.7 kB is 1 MB, not "1E+03 kB"
        return u == 0 ? $"{bytes} bytes" : string.Create(CultureInfo.InvariantCulture, $"{v:G3} {units[u]}");
    }
}
