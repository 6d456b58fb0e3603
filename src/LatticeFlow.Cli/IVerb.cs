namespace LatticeFlow.Cli;

/// <summary>A CLI verb: its options class parses the command line, Run does the work through library calls.</summary>
public interface IVerb
{
    /// <returns>The process exit code.</returns>
    int Run();
}
