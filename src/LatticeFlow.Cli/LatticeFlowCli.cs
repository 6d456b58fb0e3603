using CommandLine;

namespace LatticeFlow.Cli;

/// <summary>The command line: parse, dispatch to a verb, and turn user errors into one line on stderr.</summary>
public static class LatticeFlowCli
{
    // Verbs live one per file; adding one means adding its options type here.
    private static readonly Type[] Verbs =
    [
        typeof(SampleVerb),
        typeof(TrainVerb),
        typeof(BenchVerb),
        typeof(DemoVerb),
        typeof(SweepVerb),
        typeof(AnalyzeVerb),
    ];

    public static int Run(string[] args)
    {
        args = SingleLetterOptions.Rewrite(args);
        using var parser = new Parser(s =>
        {
            s.HelpWriter = Console.Error;
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = true;
            s.AutoVersion = false;
        });
        try
        {
            return parser.ParseArguments(args, Verbs).MapResult(o => ((IVerb)o).Run(), _ => 2);
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"latticeflow: error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LATTICEFLOW_DEBUG") is null)
        {
            Console.Error.WriteLine($"latticeflow: internal error ({e.GetType().Name}): {e.Message} (set LATTICEFLOW_DEBUG=1 for the stack trace)");
            return 1;
        }
    }
}
