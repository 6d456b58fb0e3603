using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using LatticeFlow.Kernels;

namespace LatticeFlow.Tests.Kernels;

/// <summary>
/// Every kernel body compiles to PTX for the GPUs we run on (sm_90: H100, H200), without a GPU present:
/// ILGPU's CPU accelerator accepts code that its PTX backend rejects, so this is CI's guard for the CUDA path.
/// The views are closed with <see cref="DeviceView{T}"/>, as <see cref="LatticeFlow.Devices.IlgpuDevice"/> launches them.
/// </summary>
public sealed class PtxCompilationTests
{
    public static TheoryData<string> KernelNames => [.. KernelTypes().Select(Name)];

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void KernelCompilesToPtx(string name)
    {
        var kernel = KernelTypes().Single(t => Name(t) == name);
        using var context = Context.Create(b => b.CPU().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90),
            CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null);
        var entry = typeof(KernelEntry).GetMethod(nameof(KernelEntry.Run))!.MakeGenericMethod(kernel);
        var description = EntryPointDescription.FromImplicitlyGroupedKernel(entry);
        var compiled = (PTXCompiledKernel)backend.Compile(description, default);
        Assert.Contains(".entry", compiled.PTXAssembly);
    }

    /// <summary>
    /// The kernels compiled above are exactly these: a kernel that stops being found (renamed, made a class, moved out of
    /// the kernels assembly) fails here instead of silently leaving the PTX check, and a new kernel must be added.
    /// </summary>
    [Fact]
    public void EveryKernelIsListed() => Assert.Equal(
        [
            "ActivationBackwardKernel", "AdamKernel", "ConvForwardKernel", "ConvGradSliceSumKernel", "ConvInputGradKernel",
            "ConvWeightGradKernel", "CopyKernel",
            "CouplingBackwardKernel<AdditiveTransform>", "CouplingBackwardKernel<AffineTransform>", "CouplingBackwardKernel<SplineTransform>",
            "CouplingLogDetKernel", "CouplingMaskKernel",
            "CouplingTransformKernel<AdditiveTransform>", "CouplingTransformKernel<AffineTransform>", "CouplingTransformKernel<SplineTransform>",
            "DoubleToFloatKernel", "EnergyKernel<Phi4LocalAction>", "FieldKernel", "FloatToDoubleKernel", "ForceKernel<Phi4LocalAction>",
            "GaussianKernel", "GlobalScaleBackwardKernel", "GlobalScaleGradientKernel", "GlobalScaleKernel", "HartleyAxisKernel", "HmcAcceptKernel", "MaskedAddKernel", "MetropolisKernel<Phi4LocalAction>",
            "MirrorParametersBackwardKernel<AdditiveTransform>", "MirrorParametersBackwardKernel<AffineTransform>", "MirrorParametersBackwardKernel<SplineTransform>",
            "MirrorParametersKernel<AdditiveTransform>", "MirrorParametersKernel<AffineTransform>", "MirrorParametersKernel<SplineTransform>", "ObservableKernel<Phi4LocalAction>", "PriorLogDensityKernel",
            "PriorSampleKernel", "SegmentSumKernel", "SpectrumKernel", "SpectrumLogDetKernel", "SpectrumMomentumGradientKernel",
            "SpectrumParameterGradientKernel", "SquaredNormKernel",
        ],
        KernelTypes().Select(Name).ToArray());

    /// <summary>
    /// Every kernel struct of the kernels assembly, its view parameters closed with device views and its seam parameters
    /// (<see cref="LatticeFlow.Kernels.Flows.ICouplingTransform"/>, <see cref="ILocalAction"/>) with every struct that implements the seam.
    /// </summary>
    private static IEnumerable<Type> KernelTypes() =>
        typeof(IKernel).Assembly.GetTypes()
            .Where(t => t.IsValueType && typeof(IKernel).IsAssignableFrom(t))
            .SelectMany(t => t.IsGenericTypeDefinition ? Closings(t.GetGenericArguments()).Select(args => t.MakeGenericType(args)) : [t])
            .OrderBy(Name);

    private static IEnumerable<Type[]> Closings(Type[] parameters)
    {
        IEnumerable<Type[]> all = [[]];
        foreach (var p in parameters)
        {
            var choices = ArgumentsFor(p).ToList();
            all = all.SelectMany(prefix => choices.Select(c => (Type[])[.. prefix, c]));
        }
        return all;
    }

    private static IEnumerable<Type> ArgumentsFor(Type parameter)
    {
        var constraints = parameter.GetGenericParameterConstraints();
        if (constraints.FirstOrDefault(c => c.IsGenericType && c.GetGenericTypeDefinition() == typeof(IView<>)) is { } view)
            return [typeof(DeviceView<>).MakeGenericType(view.GetGenericArguments()[0])];
        var seam = constraints.Single(c => c.IsInterface);
        return typeof(IKernel).Assembly.GetTypes().Where(t => t.IsValueType && !t.IsGenericTypeDefinition && seam.IsAssignableFrom(t));
    }

    private static string Name(Type t) =>
        t.IsGenericType && t.GetGenericArguments().Any(a => !a.IsGenericType)
            ? $"{t.Name.Split('`')[0]}<{string.Join(",", t.GetGenericArguments().Where(a => !a.IsGenericType).Select(a => a.Name))}>"
            : t.Name.Split('`')[0];
}
