using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LatticeFlow.Tests.Kernels;

/// <summary>
/// The kernel source generator on small sources compiled against the kernels assembly: what it writes for a kernel, and
/// the compile error (LFK001–LFK005) for each kernel it cannot write for.
/// </summary>
public sealed class KernelGeneratorTests
{
    private const string Usings = "using LatticeFlow.Kernels;\nnamespace Probe;\n";

    private static (string Generated, Diagnostic[] Errors) Run(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(IKernel).Assembly.Location).Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Probe", [CSharpSyntaxTree.ParseText(Usings + source, new CSharpParseOptions(LanguageVersion.Latest))],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        CSharpGeneratorDriver.Create(new KernelRebindingGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorErrors);
        string generated = string.Join("\n", output.SyntaxTrees.Skip(1).Select(t => t.ToString()));
        return (generated, [.. generatorErrors.Concat(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error)]);
    }

    [Fact]
    public void WritesTheHostRebindingFromThePrimaryConstructor()
    {
        var (generated, errors) = Run("""
            public readonly partial struct Scale<TF, TI, TT>(TF x, TI map, int width, TT seam) : IRebindableKernel
                where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct
            {
                public void Execute(int index) => x[index] *= width + map[index];
            }
            """);
        Assert.Empty(errors);
        Assert.Contains("new Scale<global::LatticeFlow.Kernels.HostView<float>, global::LatticeFlow.Kernels.HostView<int>, TT>(x.Host, map.Host, width, seam)", generated);
        Assert.Contains("public int Width => width;", generated);
    }

    [Theory]
    [InlineData("LFK001", "public readonly struct K<TV>(TV v) : IRebindableKernel where TV : struct, IView<double> { public void Execute(int i) => v[i] = 0; }")]
    [InlineData("LFK002", "public readonly partial struct K : IRebindableKernel { public void Execute(int i) { } }")]
    [InlineData("LFK003", """
        public readonly partial struct K(int n) : IRebindableKernel
        {
            public void Execute(int i) { }
            public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites, this);
        }
        """)]
    [InlineData("LFK004", """
        public readonly struct Pair<TV>(TV a) where TV : struct, IView<double> { public readonly TV A = a; }
        public readonly partial struct K<TV>(Pair<TV> pair) : IRebindableKernel where TV : struct, IView<double> { public void Execute(int i) => pair.A[i] = 0; }
        """)]
    [InlineData("LFK005", "public partial struct K(int n) : IRebindableKernel { public void Execute(int i) { } }")]
    public void RefusesWhatItCannotWrite(string id, string source) =>
        Assert.Contains(id, Run(source).Errors.Select(d => d.Id));
}
