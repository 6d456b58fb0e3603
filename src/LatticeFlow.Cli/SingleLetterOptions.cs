namespace LatticeFlow.Cli;

/// <summary>
/// Physicists type --L, --n and --S; CommandLineParser only accepts long names of two letters or more,
/// so these are rewritten to the names the options are declared with before parsing.
/// </summary>
public static class SingleLetterOptions
{
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["L"] = "lattice-size",
        ["n"] = "configs",
        ["S"] = "window-s",
    };

    public static string[] Rewrite(string[] args) => [.. args.Select(Rewrite)];

    private static string Rewrite(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal)) return arg;
        int eq = arg.IndexOf('=');
        string name = eq < 0 ? arg[2..] : arg[2..eq];
        return Aliases.TryGetValue(name, out var longName) ? "--" + longName + (eq < 0 ? "" : arg[eq..]) : arg;
    }
}
