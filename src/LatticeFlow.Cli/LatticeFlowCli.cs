using CommandLine;

namespace LatticeFlow.Cli;

/// <summary>
/// The command line: parse, dispatch to a verb, and turn user errors into one line on stderr. Exit status: 0 done (help
/// and --version included), 1 an internal error (a bug) or a failed run (a diverged training), 2 a refused command line
/// or input, 130 interrupted.
/// </summary>
public static class LatticeFlowCli
{
    // Verbs live one per file; adding one means adding its options type here.
    public static readonly Type[] Verbs =
    [
        typeof(SampleVerb),
        typeof(TrainVerb),
        typeof(AnalyzeVerb),
        typeof(SweepVerb),
        typeof(DemoVerb),
        typeof(BenchVerb),
    ];

    public static int Run(string[] args)
    {
        args = SingleLetterOptions.Rewrite(args);
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null; // help and errors are written by Usage: help on stdout, errors as one line
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = true;
            s.AutoHelp = true;
            s.AutoVersion = true;
        });
        IVerb? verb = null;
        try
        {
            var result = parser.ParseArguments(args, Verbs);
            if (result is NotParsed<object> failed)
            {
                var (text, error) = Usage.ForParseFailure(failed, Verbs, args);
                (error ? Console.Error : Console.Out).WriteLine(text.TrimEnd());
                return error ? 2 : 0;
            }
            verb = (IVerb)((Parsed<object>)result).Value;
            if (Usage.Leftovers(verb.GetType(), args) is string leftover)
            {
                Console.Error.WriteLine($"{Usage.Program}: error: {leftover} (see {Usage.Program} {args[0]} --help)");
                return 2;
            }
            return verb.Run();
        }
        catch (InvalidSettingException e)
        {
            // The library names settings; say each as the option this verb takes for it.
            Console.Error.WriteLine($"{Usage.Program}: error: {(verb is null ? e.Message : e.Describe(s => VerbOption.NameOf(verb, s)))}");
            return 2;
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"{Usage.Program}: error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LATTICEFLOW_DEBUG") is null)
        {
            Console.Error.WriteLine($"{Usage.Program}: internal error ({e.GetType().Name}): {e.Message} (set LATTICEFLOW_DEBUG=1 for the stack trace)");
            return 1;
        }
    }
}
