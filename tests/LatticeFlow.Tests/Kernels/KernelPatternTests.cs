using System.CodeDom.Compiler;
using System.Reflection;
using System.Runtime.CompilerServices;
using LatticeFlow.Kernels;

namespace LatticeFlow.Tests.Kernels;

/// <summary>
/// Every kernel follows the pattern of <see cref="IRebindableKernel"/> (docs/architecture.md, "Writing a kernel"): its
/// arguments are the parameters of one primary constructor, captured by the compiler (no fields of its own), and its
/// LaunchOnHost is the generated one.
/// </summary>
public sealed class KernelPatternTests
{
    private static IEnumerable<Type> RebindableKernels() =>
        typeof(IKernel).Assembly.GetTypes().Where(t => t.IsValueType && typeof(IRebindableKernel).IsAssignableFrom(t)).OrderBy(t => t.Name);

    private static bool Generated(MemberInfo? member) => member?.GetCustomAttribute<GeneratedCodeAttribute>() is { Tool: "LatticeFlow.Kernels.Generators" };

    private static MethodInfo LaunchOnHost(Type kernel) => kernel.GetMethod(nameof(IRebindableKernel.LaunchOnHost))!;

    [Fact]
    public void LaunchOnHostIsGenerated() =>
        Assert.Empty(RebindableKernels().Where(t => !Generated(LaunchOnHost(t))).Select(t => t.Name));

    [Fact]
    public void ArgumentsAreCapturedConstructorParameters()
    {
        foreach (var kernel in RebindableKernels())
        {
            var parameters = Assert.Single(kernel.GetConstructors()).GetParameters();
            var fields = kernel.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            // One compiler-generated field per parameter: a field declared beside them would be the parameter list written twice.
            Assert.All(fields, f => Assert.True(f.IsDefined(typeof(CompilerGeneratedAttribute)) && f.IsInitOnly,
                $"{kernel.Name}.{f.Name} is declared by hand: use the primary constructor's parameter"));
            Assert.Equal(parameters.Length, fields.Length);
            foreach (var p in parameters)
            {
                var property = kernel.GetProperty(char.ToUpperInvariant(p.Name![0]) + p.Name[1..]);
                Assert.True(Generated(property) && property!.PropertyType == p.ParameterType, $"{kernel.Name}: no generated property for {p.Name}");
            }
        }
    }
}
