using System.Reflection;
using LatticeFlow.Cli;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

/// <summary>The command line itself: help, version, one-line errors, and settings named as the options typed.</summary>
[Collection(ConsoleCollection.Name)]
public class CommandLineTests
{
    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public void VersionIsPrintedWithStatusZero(string arg)
    {
        var (code, output, err) = CliRunner.Run(arg);
        Assert.Equal(0, code);
        Assert.Equal($"latticeflow {CodeVersion.Current}", output.Trim());
        Assert.Equal("", err);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    public void HelpListsEveryCommandOnStdoutWithStatusZero(string arg)
    {
        var (code, output, err) = CliRunner.Run(arg);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        foreach (string verb in new[] { "sample", "train", "analyze", "sweep", "demo", "bench", "version", "help" })
            Assert.Matches($@"(?m)^  {verb} +\S", output);
    }

    /// <summary>Each command's help lists every option as typed, with the default that its library record holds.</summary>
    [Theory]
    [InlineData("sample", "--help")]
    [InlineData("help", "sample")]
    public void CommandHelpShowsTheRecordsDefaults(string a, string b)
    {
        var (code, output, err) = CliRunner.Run(a, b);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var d = new SampleSettings { Algorithm = "hmc", Geometry = LatticeGeometry.Square(2), Action = Phi4Couplings.Tutorial, OutputDirectory = "" };
        Assert.Matches($@"(?m)^  --n N +Configurations to save\. \(default {d.Configurations}\)$", output);
        Assert.Matches($@"(?m)^  --therm N +.*\(default {d.Thermalization}\)$", output);
        Assert.Matches($@"(?m)^  --md-steps N +.*\(default {d.Hmc.Steps}\)$", output);
        Assert.Matches(@"(?m)^  --L N +", output);
        Assert.DoesNotContain("lattice-size", output);
        Assert.Equal(10000, d.Configurations); // README's table says so too
    }

    [Theory]
    [InlineData("sample")]
    [InlineData("train")]
    [InlineData("analyze")]
    [InlineData("sweep")]
    [InlineData("demo")]
    [InlineData("bench")]
    public void EveryCommandHasHelp(string verb)
    {
        var (code, output, _) = CliRunner.Run(verb, "--help");
        Assert.Equal(0, code);
        Assert.StartsWith($"latticeflow {verb}: ", output);
        Assert.Contains("--help", output);
    }

    /// <summary>A command line that does not parse is one line naming the problem and where the help is, exit 2.</summary>
    [Theory]
    [InlineData("", "no command given (one of sample, train, analyze, sweep, demo, bench, version, help) (see latticeflow --help)")]
    [InlineData("smaple", "smaple: unknown command (one of sample, train, analyze, sweep, demo, bench, version, help) (see latticeflow --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --lam 8 --out x --lamm 8", "--lamm: unknown option of `latticeflow sample`; did you mean --lam? (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --lam inf --out x", "--lam inf: not a finite number (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L four --m2 -4 --lam 8 --out x", "--L four: not a whole number (at most 2147483647) (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --lam 8 --out x --seed -1", "--seed -1: not a whole number ≥ 0 (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --lam 8", "--out is required (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --lam --out x", "--lam needs a value (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --out x --lam", "--lam needs a value (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --lam 8 --n 5 --n 6 --out x", "--n is given more than once (see latticeflow sample --help)")]
    [InlineData("sample --algo hmc --L 4 --m2 -4 --lam 8 --out x 17", "17: unexpected argument (options start with --) (see latticeflow sample --help)")]
    [InlineData("train --L 4 --m2 -4 --lam 8 --out x --layers", "--layers needs a value (see latticeflow train --help)")]
    [InlineData("analyze", "`latticeflow analyze` needs runs (Run directories of one parameter point) (see latticeflow analyze --help)")]
    [InlineData("sweep --preset demo --treads 2", "--treads: unknown option of `latticeflow sweep`; did you mean --threads? (see latticeflow sweep --help)")]
    public void AnUnparsableCommandLineIsOneLine(string commandLine, string expected)
    {
        using var tmp = new TempDir();
        string[] args = commandLine.Length == 0 ? [] : commandLine.Split(' ').Select(a => a == "x" ? tmp.Sub("x") : a).ToArray();
        var (code, output, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("latticeflow: error: " + expected, Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(tmp.Sub("x")));
    }

    /// <summary>
    /// Every option's settings are names the library uses (<see cref="SettingNames"/>), each library name is one setting,
    /// and every setting a verb's options claim maps back to one of them: the tables the errors are translated by.
    /// </summary>
    [Fact]
    public void OptionsNameTheLibrarysSettings()
    {
        var names = typeof(SettingNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z][a-z0-9_]*$", n));
        foreach (var verb in LatticeFlowCli.Verbs)
        {
            var options = VerbOption.Of(verb);
            Assert.All(options.SelectMany(o => o.Settings), s => Assert.Contains(s, names));
            // Defaults shown in help are those of settings the verb's options set.
            Assert.All(((IVerb)Activator.CreateInstance(verb)!).Defaults.Keys, k => Assert.Contains(options, o => o.Settings.Contains(k)));
        }
    }

    [Fact]
    public void ASettingIsNamedAsTheOptionTheUserTyped()
    {
        var both = new SampleVerb { Lx = 4, Ly = 6 };
        Assert.Equal("--Lx", VerbOption.NameOf(both, SettingNames.Lx));
        Assert.Equal("--Ly", VerbOption.NameOf(both, SettingNames.Ly));
        var square = new SampleVerb { L = 5 };
        Assert.Equal("--L", VerbOption.NameOf(square, SettingNames.Lx));
        Assert.Equal("--L", VerbOption.NameOf(square, SettingNames.Ly));
        Assert.Equal("--n", VerbOption.NameOf(square, SettingNames.Configurations));
        Assert.Equal("--no-fields", VerbOption.NameOf(square, SettingNames.SaveFields));
        Assert.Equal("target_check_proposals", VerbOption.NameOf(square, SettingNames.TargetCheckProposals));
        var e = new InvalidSettingException(SettingNames.Configurations, 5L, "with {save_every} and {save_fields} as they are");
        Assert.Equal("configurations = 5: with save_every and save_fields as they are", e.Message);
        Assert.Equal("--n 5: with --save-every and --no-fields as they are", e.Describe(s => VerbOption.NameOf(square, s)));
        Assert.Equal("--out: required", new InvalidSettingException(SettingNames.OutputDirectory, "", "required").Describe("--out"));
        Assert.Equal("lambda = 0.001: x", new InvalidSettingException(SettingNames.Lambda, 1e-3, "x").Message);
    }
}
