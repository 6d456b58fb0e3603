using System.Reflection;

namespace LatticeFlow;

/// <summary>The version and git commit this build came from (stamped at build time, see Directory.Build.props).</summary>
public static class CodeVersion
{
    public static string Current { get; } =
        typeof(CodeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
