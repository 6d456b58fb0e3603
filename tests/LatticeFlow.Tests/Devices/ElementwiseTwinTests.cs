using Floats = LatticeFlow.Kernels.DeviceView<float>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Kernels.Flows;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The element-wise twins (<see cref="ElementwiseTwins"/>) against their bodies: bit for bit, since they do the same float
/// operations per element (a select instead of a branch, 1 − y·y unfused). Lengths that leave a scalar tail in the last
/// 4096-element item and in the last vector, outputs of both signs and exact zeros (LeakyReLU's derivative at 0 is the
/// slope, y &gt; 0 being false there).
/// </summary>
public sealed class ElementwiseTwinTests
{
    [Theory]
    [InlineData(SimdLevel.Avx2, ActivationCode.LeakyRelu, 1)]
    [InlineData(SimdLevel.Avx2, ActivationCode.LeakyRelu, 8203)]
    [InlineData(SimdLevel.Avx2, ActivationCode.Tanh, 8203)]
    [InlineData(SimdLevel.Avx2, ActivationCode.Identity, 37)]
    [InlineData(SimdLevel.Avx512, ActivationCode.LeakyRelu, 12301)]
    [InlineData(SimdLevel.Avx512, ActivationCode.Tanh, 12301)]
    [InlineData(SimdLevel.Avx512, ActivationCode.Tanh, 15)]
    public void ActivationBackwardTwinIsBitIdenticalToTheBody(SimdLevel level, int activation, int width)
    {
        // Items of one element each and items of `width` elements: the twin sees the launch as one flat range either way.
        foreach (var (items, w) in new[] { (3, width), (width, 1) })
        {
            var body = Run(SimdLevel.Off, activation, items, w);
            var twin = Run(level, activation, items, w);
            for (int j = 0; j < body.Length; j++) BitIdentical(body[j], twin[j], $"gradient[{j}] ({level}, activation {activation}, {items} × {w})");
        }
    }

    private static float[] Run(SimdLevel level, int activation, int items, int width)
    {
        int n = items * width;
        var rng = new Random(n + activation);
        var y = new float[n];
        var g = new float[n];
        for (int j = 0; j < n; j++)
        {
            float v = (float)(4 * rng.NextDouble() - 2);
            y[j] = j % 7 == 3 ? 0f : activation == ActivationCode.Tanh ? (float)Math.Tanh(v) : v > 0 ? v : ActivationCode.LeakySlope * v;
            g[j] = (float)(2 * rng.NextDouble() - 1);
        }
        using var device = new ManagedDevice(DeviceFactory.Context, 2, level);
        using var output = device.Allocate<float>(n);
        using var gradient = device.Allocate<float>(n);
        device.CopyFromHost<float>(y, output.View);
        device.CopyFromHost<float>(g, gradient.View);
        device.Launch(items, n, new ActivationBackwardKernel<Floats>(output.View, gradient.View, activation, width));
        var result = new float[n];
        device.CopyToHost(gradient.View, result);
        return result;
    }
}

/// <summary>The one list of twins (<see cref="HostTwins.All"/>) holds only kernels that a twin test above compares with their bodies.</summary>
public sealed class TwinRegistryTests
{
    // Kernel type → the test class that compares its twin with its body; a twin listed without an entry here fails.
    private static readonly Dictionary<Type, Type> Tested = new()
    {
        [typeof(ConvForwardKernel<,>)] = typeof(ConvTwinTests),
        [typeof(ConvInputGradKernel<,>)] = typeof(ConvTwinTests),
        [typeof(ConvWeightGradKernel<,,>)] = typeof(ConvTwinTests),
        [typeof(ActivationBackwardKernel<>)] = typeof(ElementwiseTwinTests),
        [typeof(CouplingTransformKernel<,,>)] = typeof(CouplingTwinTests),
        [typeof(CouplingBackwardKernel<,,>)] = typeof(CouplingTwinTests),
        [typeof(LatticeFlow.Kernels.ForceKernel<,>)] = typeof(HmcTwinTests),
        [typeof(LatticeFlow.Kernels.FieldKernel<>)] = typeof(HmcTwinTests),
        [typeof(LatticeFlow.Kernels.GaussianKernel<>)] = typeof(HmcTwinTests),
        [typeof(LatticeFlow.Kernels.MetropolisKernel<,>)] = typeof(MetropolisTwinTests),
        [typeof(LatticeFlow.Kernels.ObservableKernel<,>)] = typeof(ObservableTwinTests),
        [typeof(PriorSampleKernel<>)] = typeof(PriorTwinTests),
        [typeof(HartleyAxisKernel<>)] = typeof(SpectrumTwinTests),
    };

    [Fact]
    public void EveryListedTwinHasATestAgainstItsBody()
    {
        foreach (var kernel in HostTwins.All.Keys)
            Assert.True(Tested.ContainsKey(kernel), $"{kernel.Name} has a host twin but no test against its body");
        Assert.Equal(Tested.Count, HostTwins.All.Count);
    }

    [Fact]
    public void EveryListedTwinBindsToItsKernel()
    {
        Assert.NotNull(HostTwin<ConvForwardKernel<Floats, LatticeFlow.Kernels.DeviceView<int>>>.Launch);
        Assert.NotNull(HostTwin<ConvInputGradKernel<Floats, LatticeFlow.Kernels.DeviceView<int>>>.Launch);
        Assert.NotNull(HostTwin<ConvWeightGradKernel<Floats, LatticeFlow.Kernels.DeviceView<int>, LatticeFlow.Kernels.DeviceView<double>>>.Launch);
        Assert.NotNull(HostTwin<ActivationBackwardKernel<Floats>>.Launch);
        Assert.NotNull(HostTwin<CouplingTransformKernel<Floats, LatticeFlow.Kernels.DeviceView<int>, AffineTransform>>.Launch);
        Assert.NotNull(HostTwin<CouplingBackwardKernel<Floats, LatticeFlow.Kernels.DeviceView<int>, AffineTransform>>.Launch);
        Assert.NotNull(HostTwin<LatticeFlow.Kernels.ForceKernel<LatticeFlow.Kernels.DeviceView<double>, LatticeFlow.Kernels.Phi4LocalAction>>.Launch);
        Assert.NotNull(HostTwin<LatticeFlow.Kernels.FieldKernel<LatticeFlow.Kernels.DeviceView<double>>>.Launch);
        Assert.NotNull(HostTwin<LatticeFlow.Kernels.GaussianKernel<LatticeFlow.Kernels.DeviceView<double>>>.Launch);
        Assert.NotNull(HostTwin<LatticeFlow.Kernels.MetropolisKernel<LatticeFlow.Kernels.DeviceView<double>, LatticeFlow.Kernels.Phi4LocalAction>>.Launch);
        Assert.NotNull(HostTwin<PriorSampleKernel<Floats>>.Launch);
    }
}
