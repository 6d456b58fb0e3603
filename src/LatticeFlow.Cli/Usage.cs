using System.Globalization;
using System.Reflection;
using System.Text;
using CommandLine;

namespace LatticeFlow.Cli;

/// <summary>
/// What the command line says about itself: help (on stdout, exit 0), the version, and the one-line messages for a
/// command line that does not parse, each with a pointer to the help that would have helped.
/// </summary>
public static class Usage
{
    public const string Program = "latticeflow";

    public static string Version => $"{Program} {CodeVersion.Current}";

    /// <summary>The commands and what each does.</summary>
    public static string Commands(IEnumerable<Type> verbs)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{Program}: Monte Carlo for 2D phi^4 lattice field theory with normalizing flows ({CodeVersion.Current})");
        sb.AppendLine();
        sb.AppendLine($"usage: {Program} COMMAND [options]");
        sb.AppendLine();
        sb.AppendLine("commands:");
        foreach (var t in verbs)
        {
            var v = t.GetCustomAttribute<VerbAttribute>()!;
            Wrap(sb, "  " + v.Name.PadRight(10), v.HelpText);
        }
        Wrap(sb, "  " + "version".PadRight(10), "Print the version and exit.");
        Wrap(sb, "  " + "help".PadRight(10), $"This list; `{Program} help COMMAND` or `{Program} COMMAND --help` for a command's options.");
        return sb.ToString();
    }

    /// <summary>A command's options, each with what it does and its default (from the library's records).</summary>
    public static string Command(Type verb)
    {
        var attribute = verb.GetCustomAttribute<VerbAttribute>()!;
        var defaults = ((IVerb)Activator.CreateInstance(verb)!).Defaults;
        var values = verb.GetProperties().Select(p => p.GetCustomAttribute<ValueAttribute>()).OfType<ValueAttribute>().ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"{Program} {attribute.Name}: {attribute.HelpText}");
        sb.AppendLine();
        sb.AppendLine($"usage: {Program} {attribute.Name}{string.Concat(values.Select(v => $" {v.MetaName.ToUpperInvariant()}..."))} [options]");
        sb.AppendLine();
        sb.AppendLine("options:");
        foreach (var o in VerbOption.Of(verb))
        {
            string name = o.IsSwitch ? o.Typed : $"{o.Typed} {Metavalue(o)}";
            object? d = o.Option.Default ?? o.Settings.Select(s => defaults.GetValueOrDefault(s)).FirstOrDefault(x => x is not null);
            string text = o.Option.HelpText + (o.Option.Required ? " Required." : "") + (d is null ? "" : $" (default {Format(d)})");
            Wrap(sb, "  " + name.PadRight(28), text);
        }
        Wrap(sb, "  " + "--help".PadRight(28), "This text.");
        return sb.ToString();
    }

    private static string Metavalue(VerbOption o)
    {
        if (!string.IsNullOrEmpty(o.Option.MetaValue)) return o.Option.MetaValue;
        var t = Nullable.GetUnderlyingType(o.Property.PropertyType) ?? o.Property.PropertyType;
        return t == typeof(double) ? "X" : t == typeof(string) ? "TEXT" : "N";
    }

    private static string Format(object value) => value switch
    {
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Appends "head text", wrapping the text at 110 columns under itself.</summary>
    private static void Wrap(StringBuilder sb, string head, string text)
    {
        const int width = 110;
        string indent = new(' ', head.Length + 1);
        var line = new StringBuilder(head);
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length + 1 + word.Length > width && line.Length > indent.Length)
            {
                sb.AppendLine(line.ToString().TrimEnd());
                line.Clear().Append(indent);
            }
            else line.Append(' ');
            line.Append(word);
        }
        sb.AppendLine(line.ToString().TrimEnd());
    }

    /// <summary>
    /// What to print for a command line that did not parse, and the exit status: help and the version on stdout with
    /// 0; anything else one line on stderr with 2, naming what is wrong and where the help is.
    /// </summary>
    public static (string Text, bool Error) ForParseFailure(NotParsed<object> result, IReadOnlyList<Type> verbs, string[] args)
    {
        var errors = result.Errors.ToList();
        Type? verb = verbs.Contains(result.TypeInfo.Current) ? result.TypeInfo.Current : null;
        if (errors.OfType<HelpVerbRequestedError>().FirstOrDefault() is { } hv)
            return (hv.Type is Type t && verbs.Contains(t) ? Command(t) : Commands(verbs), false);
        if (errors.Any(e => e is HelpRequestedError)) return (verb is null ? Commands(verbs) : Command(verb), false);
        if (errors.Any(e => e is VersionRequestedError)) return (Version, false);
        string hint = verb is null ? $"see {Program} --help" : $"see {Program} {Name(verb)} --help";
        // The most telling error first: a missing --out matters less than the mistyped option that may have been meant as it.
        var error = errors.OrderBy(e => e switch
        {
            BadVerbSelectedError => 0, UnknownOptionError => 1, BadFormatConversionError => 2, RepeatedOptionError => 3,
            MissingValueOptionError => 4, MissingRequiredOptionError => 5, _ => 6,
        }).First();
        string message = error switch
        {
            NoVerbSelectedError => $"no command given (one of {string.Join(", ", verbs.Select(Name))}, version, help)",
            BadVerbSelectedError b => $"{b.Token}: unknown command (one of {string.Join(", ", verbs.Select(Name))}, version, help)",
            UnknownOptionError u => $"{AsTyped(u.Token, args)}: unknown option of `{Program} {Name(verb)}`{Suggestion(u.Token, verb)}",
            BadFormatConversionError f => Conversion(f.NameInfo, verb, args),
            RepeatedOptionError r => $"{Typed(r.NameInfo.LongName)} is given more than once",
            MissingValueOptionError m => $"{Typed(m.NameInfo.LongName)} needs a value",
            MissingRequiredOptionError m when m.NameInfo.LongName.Length == 0 => $"`{Program} {Name(verb)}` needs {Values(verb)}",
            MissingRequiredOptionError m => $"{Typed(m.NameInfo.LongName)} is required",
            NamedError n => $"{Typed(n.NameInfo.LongName)}: not understood ({n.Tag})",
            TokenError t => $"{t.Token}: not understood ({t.Tag})",
            _ => $"the command line is not understood ({error.Tag})",
        };
        return ($"{Program}: error: {message} ({hint})", true);
    }

    /// <summary>
    /// What CommandLineParser lets through: an option at the end, or before another option, with no value (it leaves the
    /// option unset) and words that no option takes (it ignores them). Null where the command line is whole.
    /// </summary>
    public static string? Leftovers(Type verb, string[] args)
    {
        var options = VerbOption.Of(verb);
        bool takesValues = verb.GetProperties().Any(p => p.GetCustomAttribute<ValueAttribute>() is not null);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                if (a.Contains('=')) continue;
                var o = options.FirstOrDefault(x => x.Option.LongName == a[2..]);
                if (o is null || o.IsSwitch) continue;
                if (i + 1 >= args.Length || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                    return $"{o.Typed} needs a value";
                i++;
            }
            else if (i > 0 && !takesValues) return $"{a}: unexpected argument (options start with --)";
        }
        return null;
    }

    private static string Name(Type? verb) => verb?.GetCustomAttribute<VerbAttribute>()?.Name ?? "";

    private static string Typed(string longName) =>
        "--" + (SingleLetterOptions.Aliases.FirstOrDefault(a => a.Value == longName).Key ?? longName);

    /// <summary>The token as the user typed it (CommandLineParser strips the dashes).</summary>
    private static string AsTyped(string token, string[] args) =>
        args.FirstOrDefault(a => a.TrimStart('-').Split('=')[0] == token && a.StartsWith('-')) is string typed
            ? typed.Split('=')[0] : "--" + token;

    private static string Values(Type? verb) =>
        string.Join(", ", verb?.GetProperties().Select(p => p.GetCustomAttribute<ValueAttribute>()).OfType<ValueAttribute>()
            .Select(v => $"{v.MetaName} ({v.HelpText.TrimEnd('.')})") ?? []);

    /// <summary>"; did you mean --lam?" where an option of the verb is one or two edits away.</summary>
    private static string Suggestion(string token, Type? verb)
    {
        if (verb is null) return "";
        var near = VerbOption.Of(verb).Select(o => (o.Typed, Distance: Levenshtein(token.ToLowerInvariant(), o.Typed[2..].ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(1, Math.Min(2, token.Length / 3))).OrderBy(x => x.Distance).FirstOrDefault();
        return near.Typed is null ? "" : $"; did you mean {near.Typed}?";
    }

    private static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>"--lam inf: not a finite number": the value typed and the kind of value the option takes.</summary>
    private static string Conversion(NameInfo name, Type? verb, string[] args)
    {
        int at = Array.FindIndex(args, a => a == "--" + name.LongName || a.StartsWith($"--{name.LongName}=", StringComparison.Ordinal));
        string value = at < 0 ? "" : args[at].Contains('=') ? args[at][(args[at].IndexOf('=') + 1)..] : at + 1 < args.Length ? args[at + 1] : "";
        var property = verb is null ? null : VerbOption.Of(verb).FirstOrDefault(o => o.Option.LongName == name.LongName)?.Property.PropertyType;
        var t = property is null ? null : Nullable.GetUnderlyingType(property) ?? property;
        if (value.Length == 0 || value.StartsWith("--", StringComparison.Ordinal)) return $"{Typed(name.LongName)} needs a value";
        string expected = t == typeof(double) ? "not a finite number"
            : t == typeof(int) ? "not a whole number (at most 2147483647)"
            : t == typeof(long) ? "not a whole number"
            : t == typeof(ulong) ? "not a whole number ≥ 0"
            : "not a value this option takes";
        return $"{Typed(name.LongName)} {value}: {expected}";
    }
}
