using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace LatticeFlow.Runs;

/// <summary>
/// One setting that differs between a resume and the run it continues: its name as the library's records write it
/// (meta.json's keys: "md_steps", "lam", "save_every", …; never a command-line flag, DESIGN.md principle 6), the value
/// asked for, the run's, and optionally what that means.
/// </summary>
public sealed record SettingDifference(string Setting, string Value, string RunValue, string? Note = null)
{
    public override string ToString() => $"{Setting} {Value} (run has {RunValue}){(Note is null ? "" : ": " + Note)}";
}

/// <summary>
/// A resume asked for settings other than the run's: one line listing each difference in words
/// ("md_steps 10 (run has 4); lam 7 (run has 8)"); <see cref="Differences"/> lets a front end name them its own way.
/// </summary>
public sealed class ResumeMismatchException(string dir, IReadOnlyList<SettingDifference> differences)
    : InvalidInputException($"{dir}: cannot resume: the run was made with other parameters: {string.Join("; ", differences)}")
{
    public IReadOnlyList<SettingDifference> Differences { get; } = differences;
}

/// <summary>Setting-by-setting comparison of settings records, with the names meta.json gives them.</summary>
public static class SettingComparison
{
    // Where a record's property is not called what meta.json calls the setting.
    private static readonly Dictionary<string, string> Names = new()
    {
        ["Steps"] = "md_steps",
        ["ModelPath"] = "model",
    };

    /// <summary>The setting's name for a property of a settings record: meta.json's, else the property's in snake_case.</summary>
    public static string NameOf(string property) =>
        Names.TryGetValue(property, out var n) ? n : JsonNamingPolicy.SnakeCaseLower.ConvertName(property);

    /// <summary>A value as a person would type it: invariant round-trip numbers, lower-case enums and booleans.</summary>
    public static string Format(object? value) => value switch
    {
        null => "none",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString().ToLowerInvariant(),
        System.Collections.IEnumerable list and not string => string.Join(",", list.Cast<object?>().Select(Format)),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// The public properties of two records of type <typeparamref name="T"/> that differ, in declaration order, except
    /// those named in <paramref name="skip"/>.
    /// </summary>
    public static IEnumerable<SettingDifference> Compare<T>(T mine, T run, params string[] skip) where T : notnull =>
        Compare(typeof(T), mine, run, skip);

    /// <summary>The public properties of <paramref name="type"/> in which two records of it differ, except those in <paramref name="skip"/>.</summary>
    public static IEnumerable<SettingDifference> Compare(Type type, object mine, object run, params string[] skip)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (skip.Contains(p.Name) || p.GetIndexParameters().Length > 0) continue;
            object? a = p.GetValue(mine), b = p.GetValue(run);
            bool same = a is System.Collections.IEnumerable x and not string && b is System.Collections.IEnumerable y and not string
                ? x.Cast<object?>().SequenceEqual(y.Cast<object?>())
                : Equals(a, b);
            if (!same) yield return new SettingDifference(NameOf(p.Name), Format(a), Format(b));
        }
    }
}
