using System.Text;
using System.Text.RegularExpressions;

namespace LatticeFlow.Tests;

/// <summary>
/// The library's folders (namespaces LatticeFlow.X) form one order, and a folder uses only folders below it
/// (docs/architecture.md, "Dependencies"; issue 14). Read from the source: for every file, the LatticeFlow.X it names
/// (using directives, fully qualified names, <c>X.Type</c> written from inside a sibling namespace, and doc-comment
/// crefs), and the flags it names in its messages (DESIGN.md, principle 6: the library's errors name settings and the
/// CLI maps them to flags).
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>
    /// Lowest first; "" is the root namespace LatticeFlow (InvalidInputException, SettingNames, CodeVersion), which every
    /// folder may use and which uses none. The CLI (another project) stands above all of them.
    /// </summary>
    public static readonly string[] Order =
        ["", "Files", "Devices", "Lattice", "Physics", "Flows", "Sampling", "Analysis", "Benchmarks", "Runs", "Sweeps"];

    /// <summary>The one library file that writes a command line on purpose: the Slurm script runs `latticeflow sweep`.</summary>
    private static readonly string[] MayNameFlags = ["Sweeps/SlurmArray.cs"];

    private static string Library => Path.Combine(Repository.Root, "src", "LatticeFlow");

    [Fact]
    public void EachFolderUsesOnlyFoldersBelowItInTheOrder()
    {
        var files = LibraryFiles();
        Assert.NotEmpty(files);
        var types = files.GroupBy(f => f.Folder).ToDictionary(g => g.Key, g => g.SelectMany(f => f.Declared).ToHashSet());
        var problems = new List<string>();
        foreach (var f in files)
        {
            int level = Array.IndexOf(Order, f.Folder);
            if (level < 0)
            {
                problems.Add($"{f.Path}: folder {f.Folder} is not in ArchitectureTests.Order (place it there and in docs/architecture.md)");
                continue;
            }
            string expected = f.Folder == "" ? "LatticeFlow" : "LatticeFlow." + f.Folder;
            foreach (string ns in f.Namespaces.Where(n => n != expected && !n.StartsWith(expected + ".", StringComparison.Ordinal)))
                problems.Add($"{f.Path}: namespace {ns} in folder {(f.Folder == "" ? "(root)" : f.Folder)}");
            foreach (string used in References(f.Scanned, types, f.Folder).Where(u => Array.IndexOf(Order, u) > level))
                problems.Add($"{f.Path}: {(f.Folder == "" ? "the root namespace" : f.Folder)} uses {used}, which stands above it");
        }
        Assert.True(problems.Count == 0, "Dependencies must point down " + string.Join(" → ", Order.Skip(1)) + ":\n" + string.Join("\n", problems));
    }

    [Fact]
    public void TheArchitecturePageStatesTheSameOrder()
    {
        string page = File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md"));
        string order = string.Join(" → ", Order.Skip(1)) + " → Cli";
        Assert.True(page.Contains(order, StringComparison.Ordinal), $"docs/architecture.md should state the order \"{order}\"");
    }

    [Fact]
    public void TheLibraryNamesNoFlagInItsMessages()
    {
        var flag = new Regex(@"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*");
        var problems = LibraryFiles()
            .Where(f => !MayNameFlags.Contains(f.Path))
            .SelectMany(f => f.Strings.SelectMany(s => flag.Matches(s).Select(m => $"{f.Path}: \"{m.Value}\" in \"{Shorten(s)}\"")))
            .ToList();
        Assert.True(problems.Count == 0,
            "The library names settings (SettingNames, {setting} in reasons), and the CLI maps them to flags; found flags in:\n" + string.Join("\n", problems));
    }

    /// <summary>The scanner itself: what counts as a reference, and what does not.</summary>
    [Fact]
    public void TheScannerFindsUsingsQualifiedNamesAndCrefsButNotCommentsOrStrings()
    {
        var types = new Dictionary<string, HashSet<string>> { ["Runs"] = ["TrainRun"], ["Devices"] = ["ComputeDevice"], ["Analysis"] = ["RunMeta"] };
        string Scan(string source) => string.Join(",", References(new SourceScan(source).Code, types, "Flows").Order());
        Assert.Equal("Runs", Scan("using LatticeFlow.Runs;\nnamespace LatticeFlow.Flows;"));
        Assert.Equal("Runs", Scan("namespace LatticeFlow.Flows;\nclass A { object x = global::LatticeFlow.Runs.TrainRun.Summary; }"));
        Assert.Equal("Devices", Scan("namespace LatticeFlow.Flows;\nclass A { void F(Devices.ComputeDevice d) { } }"));
        Assert.Equal("Analysis", Scan("namespace LatticeFlow.Flows;\n/// <summary>See <see cref=\"Analysis.RunMeta\"/>.</summary>\nclass A { }"));
        Assert.Equal("", Scan("namespace LatticeFlow.Flows;\n// LatticeFlow.Runs and Runs.TrainRun\n/* Analysis.RunMeta */\nclass A { }"));
        Assert.Equal("", Scan("namespace LatticeFlow.Flows;\nclass A { string s = \"LatticeFlow.Runs\" + $\"{(1 > 0 ? \"Runs.TrainRun\" : \"\")}\"; }"));
        Assert.Equal("", Scan("namespace LatticeFlow.Flows;\nclass A { bool F() => Devices.Contains(\"cpu\"); string[] Devices = []; }"));
        Assert.Equal(["a --flag", "raw \"--b\"", "x{}z"],
            new SourceScan("var s = \"a --flag\" + \"\"\"\nraw \"--b\"\n\"\"\" + $\"x{y}z\"; char c = '\"'; // \"--comment\"").Strings);
    }

    private sealed record LibraryFile(string Path, string Folder, string Scanned, IReadOnlyList<string> Strings, IReadOnlyList<string> Namespaces,
        IReadOnlyList<string> Declared);

    private static List<LibraryFile> LibraryFiles()
    {
        var declared = new Regex(@"\b(?:class|struct|interface|enum|record|delegate\s+\w+)\s+(?:class\s+|struct\s+)?(\w+)");
        var ns = new Regex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline);
        return Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
            .Select(p => System.IO.Path.GetRelativePath(Library, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith("bin/", StringComparison.Ordinal) && !p.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p =>
            {
                var scan = new SourceScan(File.ReadAllText(System.IO.Path.Combine(Library, p)));
                var names = ns.Matches(scan.Code).Select(m => m.Groups[1].Value).ToList();
                // Types, and the sub-namespaces a folder holds (Devices.Simd), are what X.Name may name.
                var inside = declared.Matches(scan.Code).Select(m => m.Groups[1].Value)
                    .Concat(names.Select(n => n.Split('.')).Where(s => s.Length > 2).Select(s => s[2])).ToList();
                return new LibraryFile(p, p.Contains('/') ? p[..p.IndexOf('/')] : "", scan.Code, scan.Strings, names, inside);
            })
            .ToList();
    }

    /// <summary>
    /// The folders that code names: LatticeFlow.X anywhere (using, global::, fully qualified), and X.Name where Name is
    /// a type or sub-namespace declared in folder X (from inside LatticeFlow.Y, X.Name means LatticeFlow.X.Name); not
    /// <paramref name="self"/>, the folder the code is in.
    /// </summary>
    private static HashSet<string> References(string code, IReadOnlyDictionary<string, HashSet<string>> types, string self)
    {
        var folders = Order.Where(o => o != "").ToHashSet();
        var used = Regex.Matches(code, @"\bLatticeFlow\.(\w+)").Select(m => m.Groups[1].Value).Where(folders.Contains).ToHashSet();
        foreach (Match m in Regex.Matches(code, @"(?<![\w.])(\w+)\s*\.\s*(\w+)"))
        {
            string folder = m.Groups[1].Value;
            if (folders.Contains(folder) && types.TryGetValue(folder, out var inside) && inside.Contains(m.Groups[2].Value)) used.Add(folder);
        }
        used.Remove(self);
        return used;
    }

    private static string Shorten(string s) => s.Length <= 100 ? s.ReplaceLineEndings(" ") : s[..100].ReplaceLineEndings(" ") + "…";

    /// <summary>
    /// C# source split into code with comments and string literals blanked (doc-comment crefs kept as code, since the
    /// compiler binds them) and the text of the string literals (regular, verbatim, raw, interpolated; the holes of an
    /// interpolated string are scanned as code, their strings as strings).
    /// </summary>
    private sealed class SourceScan
    {
        private readonly string _s;
        private readonly StringBuilder _code = new();
        private readonly List<string> _strings = [];
        private int _i;

        public SourceScan(string source)
        {
            _s = source;
            while (_i < _s.Length) Step(closeBrace: false);
            Code = _code.ToString();
        }

        public string Code { get; }
        public IReadOnlyList<string> Strings => _strings;

        /// <summary>One token; in a hole (closeBrace), returns true at the hole's closing brace.</summary>
        private bool Step(bool closeBrace)
        {
            char c = _s[_i];
            if (c == '/' && At("//"))
            {
                int end = _s.IndexOf('\n', _i);
                if (end < 0) end = _s.Length;
                foreach (Match m in Regex.Matches(_s[_i..end], "cref=\"([^\"]*)\"")) _code.Append(' ').Append(m.Groups[1].Value).Append(' ');
                _i = end;
                return false;
            }
            if (c == '/' && At("/*"))
            {
                int end = _s.IndexOf("*/", _i + 2, StringComparison.Ordinal);
                _i = end < 0 ? _s.Length : end + 2;
                _code.Append(' ');
                return false;
            }
            if (c == '\'')
            {
                int end = _i + 1;
                while (end < _s.Length && _s[end] != '\'') end += _s[end] == '\\' ? 2 : 1;
                _i = end + 1;
                _code.Append("' '");
                return false;
            }
            int start = _i;
            while (_i < _s.Length && (_s[_i] == '$' || _s[_i] == '@')) _i++;
            if (_i < _s.Length && _s[_i] == '"')
            {
                string prefix = _s[start.._i];
                Literal(prefix.Contains('$'), prefix.Contains('@'));
                _code.Append("\"\"");
                return false;
            }
            _i = start;
            if (closeBrace && c == '}') { _i++; return true; }
            if (closeBrace && c == '{') { _code.Append(c); _i++; while (_i < _s.Length && !Step(closeBrace: true)) { } _code.Append('}'); return false; }
            _code.Append(c);
            _i++;
            return false;
        }

        private bool At(string token) => string.CompareOrdinal(_s, _i, token, 0, token.Length) == 0;

        /// <summary>A string literal starting at the opening quote: its text (holes left out) goes to the strings.</summary>
        private void Literal(bool interpolated, bool verbatim)
        {
            int quotes = 0;
            while (_i + quotes < _s.Length && _s[_i + quotes] == '"') quotes++;
            var text = new StringBuilder();
            if (quotes >= 3)
            {
                // Raw: ends at the same run of quotes; holes ({ } per $) cannot hold that run, so they stay in the text.
                string close = new('"', quotes);
                int end = _s.IndexOf(close, _i + quotes, StringComparison.Ordinal);
                if (end < 0) end = _s.Length;
                text.Append(_s, _i + quotes, end - _i - quotes);
                _i = Math.Min(_s.Length, end + quotes);
                _strings.Add(text.ToString().Trim('\n', '\r'));
                return;
            }
            if (quotes == 2) { _i += 2; _strings.Add(""); return; } // ""
            _i++;
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c == '"' && verbatim && At("\"\"")) { text.Append('"'); _i += 2; continue; }
                if (c == '"') { _i++; break; }
                if (c == '\\' && !verbatim) { text.Append(_s, _i, Math.Min(2, _s.Length - _i)); _i += 2; continue; }
                if (interpolated && (At("{{") || At("}}"))) { text.Append(c); _i += 2; continue; }
                if (interpolated && c == '{')
                {
                    text.Append('{');
                    _i++;
                    while (_i < _s.Length && !Step(closeBrace: true)) { }
                    text.Append('}');
                    continue;
                }
                text.Append(c);
                _i++;
            }
            _strings.Add(text.ToString());
        }
    }
}
