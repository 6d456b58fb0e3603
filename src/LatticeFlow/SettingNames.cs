namespace LatticeFlow;

/// <summary>
/// The one name of each setting, as the library's errors give it (<see cref="InvalidSettingException"/>): the snake_case
/// name of the record property that holds it, and where meta.json already names it otherwise, that name (HMC's
/// <c>Steps</c> is "md_steps"). A setting that several records hold (the tuning target of Metropolis, HMC and training)
/// has one name. Front ends map these names to what their users type: the CLI to options, sweep files to keys.
/// </summary>
public static class SettingNames
{
    // Lattice.LatticeGeometry and Physics.Phi4Couplings
    public const string Lx = "lx", Ly = "ly", Extents = "extents", Dimensions = "dimensions";
    public const string M2 = "m2", Lambda = "lambda", Kappa = "kappa", LambdaHop = "lambda_hop";

    // Runs.SampleSettings
    public const string Algorithm = "algorithm", Configurations = "configurations", Thermalization = "thermalization",
        SaveEvery = "save_every", Chains = "chains", Seed = "seed", SaveFields = "save_fields", Device = "device",
        Threads = "threads", Simd = "simd", OutputDirectory = "output_directory", Resume = "resume", Force = "force",
        CheckpointSeconds = "checkpoint_seconds";

    // Sampling.MetropolisSettings, HmcSettings (and the training's acceptance target, TrainSettings.TargetAcceptance)
    public const string Delta = "delta", Hits = "hits", TargetAcceptance = "target_acceptance";
    public const string TrajectoryLength = "trajectory_length", MdSteps = "md_steps", Integrator = "integrator", TrajectoryJitter = "trajectory_jitter";

    // Sampling.ClusterSettings (with Delta, Hits and TargetAcceptance above)
    public const string Clusters = "clusters";

    // Sampling.FlowMetropolisSettings (Symmetrize also TrainSettings.Symmetrize)
    public const string ModelPath = "model_path", ProposalBatch = "proposal_batch", Symmetrize = "symmetrize";

    // Flows.FlowArchitecture
    public const string Layers = "layers", Hidden = "hidden", Kernel = "kernel", Coupling = "coupling",
        Activation = "activation", FinalTanh = "final_tanh", Equivariant = "equivariant", GlobalScale = "global_scale", SpectrumScaling = "spectrum_scaling", Clamp = "clamp",
        Bins = "bins", Bound = "bound";

    // Runs.TrainSettings and Flows.AdamSettings
    public const string Batch = "batch", Steps = "steps", LearningRate = "learning_rate", Schedule = "schedule",
        ClipNorm = "clip_norm", TargetEss = "target_ess", TargetCheckProposals = "target_check_proposals",
        EvaluationProposals = "evaluation_proposals", StopWindow = "stop_window",
        Beta1 = "beta1", Beta2 = "beta2", Epsilon = "epsilon", InitFrom = "init_from", KeepBest = "keep_best", CheckEvery = "check_every",
        MaxSeconds = "max_seconds";

    // Sweeps.SweepOptions and presets
    public const string Preset = "preset", OnlyPoint = "only_point", AllowChanged = "allow_changed";

    // Analysis.AnalysisOptions
    public const string WindowS = "s", Bin = "bin";
}
