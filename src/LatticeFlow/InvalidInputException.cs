using System.Globalization;
using System.Text.RegularExpressions;

namespace LatticeFlow;

/// <summary>
/// A problem with what the user asked for (a bad parameter, a missing or corrupt file, an output
/// directory in the way). The CLI prints its message as one line and exits non-zero; anything else
/// that escapes is a bug in LatticeFlow.
/// </summary>
public class InvalidInputException(string message) : Exception(message);

/// <summary>
/// A setting with an unusable value. The library names the setting as its records do (<see cref="SettingNames"/>,
/// snake_case, e.g. "md_steps"), never as a command-line flag (DESIGN.md, principle 6): each front end says it in the
/// user's words, the CLI as the option typed (<see cref="Setting"/> → "--md-steps"), a sweep file as its key ("hmc_steps").
/// A reason that points at another setting names it in braces ("{save_every}"), so that front ends can say that one
/// in the user's words too (<see cref="Describe(Func{string, string})"/>); <see cref="Exception.Message"/> shows the
/// library's names.
/// </summary>
/// <param name="setting">The setting's name in the library's records (<see cref="SettingNames"/>).</param>
/// <param name="value">The value given, as the user would write it; empty where none was given.</param>
/// <param name="reason">Why it cannot be used, e.g. "need at least one integrator step per trajectory".</param>
public sealed class InvalidSettingException(string setting, string value, string reason)
    : InvalidInputException(Render(setting, value, reason, s => s, " = "))
{
    /// <param name="value">Formatted with the invariant culture (1e-3 as 0.001, whatever the machine's locale).</param>
    public InvalidSettingException(string setting, IFormattable value, string reason)
        : this(setting, value.ToString(null, CultureInfo.InvariantCulture), reason) { }

    public string Setting { get; } = setting;
    public string Value { get; } = value;
    public string Reason { get; } = reason;

    /// <summary>The same error with the setting called <paramref name="name"/> (a flag or a sweep-file key).</summary>
    public string Describe(string name) => Describe(s => s == Setting ? name : s);

    /// <summary>
    /// The error in a front end's words: <paramref name="nameOf"/> turns each setting name (this one and those the
    /// reason mentions) into the flag or key the user knows, e.g. "--md-steps 0: need at least one integrator step".
    /// </summary>
    public string Describe(Func<string, string> nameOf) => Render(Setting, Value, Reason, nameOf, " ");

    private static readonly Regex Mention = new(@"\{([a-z0-9_]+)\}");

    private static string Render(string setting, string value, string reason, Func<string, string> nameOf, string separator) =>
        $"{nameOf(setting)}{(value.Length > 0 ? separator + value : "")}: {Mention.Replace(reason, m => nameOf(m.Groups[1].Value))}";
}
