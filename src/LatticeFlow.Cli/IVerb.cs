namespace LatticeFlow.Cli;

/// <summary>A CLI verb: its options class parses the command line, Run does the work through library calls.</summary>
public interface IVerb
{
    /// <returns>The process exit code.</returns>
    int Run();

    /// <summary>
    /// The default of each setting this verb's options set (<see cref="SettingAttribute"/>), read from the library's
    /// records, where the defaults live; help shows them. Options not listed here show their attribute's Default, if any.
    /// </summary>
    IReadOnlyDictionary<string, object?> Defaults => new Dictionary<string, object?>();
}
