namespace LatticeFlow;

/// <summary>
/// A problem with what the user asked for (a bad parameter, a missing or corrupt file, an output
/// directory in the way). The CLI prints its message as one line and exits non-zero; anything else
/// that escapes is a bug in LatticeFlow.
/// </summary>
public class InvalidInputException(string message) : Exception(message);

/// <summary>
/// A setting with an unusable value. The library names the setting as its records do (snake_case, e.g. "md_steps"), never
/// as a command-line flag (DESIGN.md, principle 6): each front end says it in the user's words, the CLI as the option
/// typed (<see cref="Setting"/> → "--md-steps"), a sweep file as its key ("hmc_steps").
/// </summary>
/// <param name="setting">The setting's name in the library's records.</param>
/// <param name="value">The value given, as the user would write it.</param>
/// <param name="reason">Why it cannot be used, e.g. "need at least one integrator step per trajectory".</param>
public sealed class InvalidSettingException(string setting, string value, string reason) : InvalidInputException($"{setting} = {value}: {reason}")
{
    public string Setting { get; } = setting;
    public string Value { get; } = value;
    public string Reason { get; } = reason;

    /// <summary>The same error with the setting called <paramref name="name"/> (a flag or a sweep-file key).</summary>
    public string Describe(string name) => $"{name} {Value}: {Reason}";
}
