using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LatticeFlow.Kernels.Generators;

/// <summary>
/// Writes the host rebinding of every kernel, so that a kernel's parameter list is written once: in its primary
/// constructor (DESIGN.md principle 1; docs/architecture.md, "Writing a kernel"). For each <c>partial</c> struct that
/// implements <c>LatticeFlow.Kernels.IRebindableKernel</c> it emits
/// <list type="bullet">
/// <item><c>LaunchOnHost</c>: the same kernel built again with every view type parameter (constrained to
/// <c>IView&lt;X&gt;</c>) replaced by <c>HostView&lt;X&gt;</c>, its arguments the constructor's parameters in order,
/// <c>.Host</c> on those whose type is a view type parameter, the others as they are;</item>
/// <item>one read-only property per parameter, named in PascalCase (<c>gradOut</c> → <c>GradOut</c>), for host SIMD
/// twins and tests.</item>
/// </list>
/// Both carry <see cref="System.CodeDom.Compiler.GeneratedCodeAttribute"/>. A kernel that cannot be generated is a
/// compile error (LFK001–LFK005), never a silently missing or partial rebinding.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelRebindingGenerator : IIncrementalGenerator
{
    public const string RebindableKernel = "LatticeFlow.Kernels.IRebindableKernel";
    public const string ViewInterface = "LatticeFlow.Kernels.IView`1";
    public const string Tool = "LatticeFlow.Kernels.Generators";
    public const string ToolVersion = "1.0";

    private const string Category = "LatticeFlow.Kernels";

    public static readonly DiagnosticDescriptor NotPartial = Error("LFK001", "Kernel is not partial",
        "Kernel '{0}' implements IRebindableKernel without LaunchOnHost: declare it 'partial' so that LaunchOnHost is generated from its primary constructor");

    public static readonly DiagnosticDescriptor NoPrimaryConstructor = Error("LFK002", "Kernel has no primary constructor",
        "Kernel '{0}' has no primary constructor: its arguments are the parameters of one primary constructor, from which LaunchOnHost is generated");

    public static readonly DiagnosticDescriptor HandWritten = Error("LFK003", "LaunchOnHost is generated",
        "Kernel '{0}' is partial and declares LaunchOnHost: delete it, it is generated from the primary constructor");

    public static readonly DiagnosticDescriptor CannotRebind = Error("LFK004", "Kernel parameter cannot be rebound",
        "Parameter '{1}' of kernel '{0}' cannot be rebound to host memory: {2}");

    public static readonly DiagnosticDescriptor WrongShape = Error("LFK005", "Kernel is not a top-level readonly struct",
        "Kernel '{0}' must be a readonly struct declared directly in a namespace");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var kernels = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => node is StructDeclarationSyntax { BaseList: not null },
                static (syntax, token) => Analyze((StructDeclarationSyntax)syntax.Node, syntax.SemanticModel, token))
            .Where(static k => k is not null);
        context.RegisterSourceOutput(kernels, static (output, kernel) => kernel!.Emit(output));
    }

    private static KernelModel? Analyze(StructDeclarationSyntax syntax, SemanticModel model, CancellationToken token)
    {
        if (model.GetDeclaredSymbol(syntax, token) is not { } type) return null;
        var rebindable = model.Compilation.GetTypeByMetadataName(RebindableKernel);
        var view = model.Compilation.GetTypeByMetadataName(ViewInterface);
        if (rebindable is null || view is null || !type.AllInterfaces.Contains(rebindable, SymbolEqualityComparer.Default)) return null;
        // A partial struct has several declarations: the one that carries the primary constructor speaks for it (or the
        // first, to report that there is none).
        var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(token)).OfType<StructDeclarationSyntax>().ToList();
        var primary = declarations.FirstOrDefault(d => d.ParameterList is not null) ?? declarations.First();
        if (primary != syntax) return null;

        string name = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var location = syntax.Identifier.GetLocation();
        bool isPartial = declarations.Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
        bool handWritten = declarations.Any(d => d.Members.OfType<MethodDeclarationSyntax>().Any(m => m.Identifier.ValueText == "LaunchOnHost"));
        if (!isPartial)
            // Not partial and with its own LaunchOnHost: a kernel not yet converted (KernelPatternTests lists them).
            return handWritten ? null : KernelModel.Failed(NotPartial, location, name);
        if (handWritten) return KernelModel.Failed(HandWritten, location, name);
        if (!type.IsReadOnly || type.ContainingType is not null) return KernelModel.Failed(WrongShape, location, name);
        if (syntax.ParameterList is null) return KernelModel.Failed(NoPrimaryConstructor, location, name);

        // View type parameters: those constrained to IView<X>, rebound to HostView<X>.
        var hostArguments = new List<string>();
        var views = new HashSet<ITypeParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (var parameter in type.TypeParameters)
        {
            var constraint = parameter.ConstraintTypes.OfType<INamedTypeSymbol>()
                .FirstOrDefault(c => SymbolEqualityComparer.Default.Equals(c.OriginalDefinition, view));
            if (constraint is null) hostArguments.Add(parameter.Name);
            else
            {
                views.Add(parameter);
                hostArguments.Add($"global::LatticeFlow.Kernels.HostView<{constraint.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>");
            }
        }

        var arguments = new List<KernelArgument>();
        foreach (var parameterSyntax in syntax.ParameterList.Parameters)
        {
            if (model.GetDeclaredSymbol(parameterSyntax, token) is not { } parameter) return null;
            var where = parameterSyntax.GetLocation();
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
                return KernelModel.Failed(CannotRebind, where, name, parameter.Name, "kernel arguments are plain values (no ref, in, out or params)");
            bool isView = parameter.Type is ITypeParameterSymbol t && views.Contains(t);
            if (!isView && Mentions(parameter.Type, views))
                return KernelModel.Failed(CannotRebind, where, name, parameter.Name,
                    $"its type '{parameter.Type.ToDisplayString()}' holds a view; pass the view itself (a parameter of the view type parameter)");
            arguments.Add(new KernelArgument(parameter.Name, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), isView));
        }

        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        string typeParameters = type.TypeParameters.Length == 0 ? "" : $"<{string.Join(", ", type.TypeParameters.Select(p => p.Name))}>";
        string hostType = type.Name + (hostArguments.Count == 0 ? "" : $"<{string.Join(", ", hostArguments)}>");
        return new KernelModel(type.MetadataName, ns, type.Name + typeParameters, hostType, new EquatableArray<KernelArgument>(arguments.ToImmutableArray()), null);
    }

    private static bool Mentions(ITypeSymbol type, HashSet<ITypeParameterSymbol> views) => type switch
    {
        ITypeParameterSymbol t => views.Contains(t),
        IArrayTypeSymbol a => Mentions(a.ElementType, views),
        IPointerTypeSymbol p => Mentions(p.PointedAtType, views),
        INamedTypeSymbol n => n.TypeArguments.Any(a => Mentions(a, views)) || (n.ContainingType is { } c && Mentions(c, views)),
        _ => false,
    };

    /// <summary>PascalCase of a parameter name: its first letter in upper case.</summary>
    public static string PropertyName(string parameter) =>
        parameter.Length == 0 ? parameter : char.ToUpperInvariant(parameter[0]) + parameter.Substring(1);

    private sealed record KernelArgument(string Name, string Type, bool IsView);

    private sealed record KernelModel(string HintName, string Namespace, string Declaration, string HostType,
        EquatableArray<KernelArgument> Arguments, DiagnosticInfo? Failure)
    {
        public static KernelModel Failed(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
            new("", "", "", "", default, new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments.ToImmutableArray())));

        public void Emit(SourceProductionContext output)
        {
            if (Failure is { } failure)
            {
                output.ReportDiagnostic(Diagnostic.Create(failure.Descriptor, failure.Location, failure.Arguments.ToArray()));
                return;
            }
            string generated = $"[global::System.CodeDom.Compiler.GeneratedCode(\"{Tool}\", \"{ToolVersion}\")]";
            var s = new StringBuilder();
            s.AppendLine("// <auto-generated/> by LatticeFlow.Kernels.Generators (KernelRebindingGenerator) from the primary constructor.");
            s.AppendLine("#nullable enable");
            if (Namespace.Length > 0) s.AppendLine($"namespace {Namespace};").AppendLine();
            s.AppendLine($"partial struct {Declaration}");
            s.AppendLine("{");
            s.AppendLine("    /// <summary>This kernel with its views rebound to host pointers, run by the managed launcher.</summary>");
            s.AppendLine($"    {generated}");
            // The method's parameters are named so that they cannot hide a kernel parameter.
            s.AppendLine("    public void LaunchOnHost(global::LatticeFlow.Kernels.IHostLauncher __launcher, int __items, long __sites) =>");
            s.Append($"        __launcher.Launch(__items, __sites, new {HostType}(");
            s.Append(string.Join(", ", Arguments.Select(a => a.IsView ? a.Name + ".Host" : a.Name)));
            s.AppendLine("));");
            foreach (var a in Arguments)
            {
                s.AppendLine();
                s.AppendLine($"    /// <summary>The argument <c>{a.Name}</c>.</summary>");
                s.AppendLine($"    {generated}");
                s.AppendLine($"    public {a.Type} {PropertyName(a.Name)} => {a.Name};");
            }
            s.AppendLine("}");
            output.AddSource($"{Namespace}.{HintName}.g.cs".TrimStart('.'), s.ToString());
        }
    }

    private sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, Location Location, EquatableArray<string> Arguments);
}

/// <summary>An immutable array compared by its elements, so that the incremental pipeline can cache models.</summary>
internal readonly struct EquatableArray<T>(ImmutableArray<T> items) : System.IEquatable<EquatableArray<T>>, IEnumerable<T>
{
    private readonly ImmutableArray<T> _items = items;

    private IEnumerable<T> Items => _items.IsDefault ? Enumerable.Empty<T>() : _items;

    public IEnumerator<T> GetEnumerator() => Items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(EquatableArray<T> other) => Items.SequenceEqual(other.Items);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode() => Items.Aggregate(17, (h, x) => h * 31 + (x?.GetHashCode() ?? 0));
}
