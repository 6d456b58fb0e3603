using System.Reflection;
using CommandLine;

namespace LatticeFlow.Cli;

/// <summary>
/// The library settings (<see cref="SettingNames"/>) an option sets. The library's errors name settings
/// (<see cref="InvalidSettingException"/>); this is how the CLI says them back as the option the user typed, and how help
/// finds each option's default in the library's records (<see cref="IVerb.Defaults"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(params string[] settings) : Attribute
{
    public IReadOnlyList<string> Settings { get; } = settings;
}

/// <summary>One option of a verb: its property, its CommandLineParser attribute and the settings it sets.</summary>
public sealed record VerbOption(PropertyInfo Property, OptionAttribute Option, IReadOnlyList<string> Settings)
{
    /// <summary>The option as users type it: --L, not the --lattice-size it is declared as (<see cref="SingleLetterOptions"/>).</summary>
    public string Typed => "--" + (SingleLetterOptions.Aliases.FirstOrDefault(a => a.Value == Option.LongName).Key ?? Option.LongName);

    public bool IsSwitch => Property.PropertyType == typeof(bool);

    /// <summary>Whether the command line gave it (a value, or a switch that is on).</summary>
    public bool IsGiven(object verb) => Property.GetValue(verb) is { } v && !(v is bool b && !b);

    /// <summary>The options of a verb type, in declaration order.</summary>
    public static IReadOnlyList<VerbOption> Of(Type verb) =>
        [.. verb.GetProperties()
            .Select(p => (Property: p, Option: p.GetCustomAttribute<OptionAttribute>()))
            .Where(x => x.Option is not null)
            .Select(x => new VerbOption(x.Property, x.Option!, x.Property.GetCustomAttribute<SettingAttribute>()?.Settings ?? []))];

    /// <summary>
    /// What the user knows <paramref name="setting"/> as on this verb's command line: the option that sets it (the one
    /// given where several do, e.g. --L or --Lx), or the setting's own name where no option sets it.
    /// </summary>
    public static string NameOf(object verb, string setting)
    {
        var options = Of(verb.GetType()).Where(o => o.Settings.Contains(setting)).ToList();
        return (options.FirstOrDefault(o => o.IsGiven(verb)) ?? options.FirstOrDefault())?.Typed ?? setting;
    }
}
