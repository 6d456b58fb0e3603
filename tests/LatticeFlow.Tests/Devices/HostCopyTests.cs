using ILGPU;
using LatticeFlow.Devices;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// Copies between device views and host memory: the managed device reads and writes its buffers directly, the
/// others go through ILGPU; both must see sub-views at their offsets and leave the rest of a buffer alone.
/// </summary>
public sealed class HostCopyTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void SubViewsAreCopiedAtTheirOffsets(string deviceName)
    {
        using var device = DeviceFactory.Create(deviceName, 2);
        using var buffer = device.Allocate<double>(10);
        double[] values = [.. Enumerable.Range(0, 10).Select(i => i + 0.5)];
        device.CopyFromHost<double>(values, buffer.View);

        var middle = new double[4];
        device.CopyToHost(buffer.View.SubView(3, 4), middle);
        Assert.Equal([3.5, 4.5, 5.5, 6.5], middle);

        device.CopyFromHost<double>([-1.0, -2.0], buffer.View.SubView(5, 2));
        var all = new double[10];
        device.CopyToHost(buffer.View, all);
        Assert.Equal([0.5, 1.5, 2.5, 3.5, 4.5, -1.0, -2.0, 7.5, 8.5, 9.5], all);
    }

    /// <summary>ILGPU copies the destination's length, the managed path the source's: both refuse unequal ones.</summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void CopiesBetweenUnequalLengthsAreRefused(string deviceName)
    {
        using var device = DeviceFactory.Create(deviceName, 2);
        using var buffer = device.Allocate<double>(8);
        Assert.Throws<ArgumentException>(() => device.CopyFromHost<double>([1.0, 2.0, 3.0], buffer.View));
        Assert.Throws<ArgumentException>(() => device.CopyToHost(buffer.View.SubView(2, 4), new double[6]));
        Assert.Throws<ArgumentException>(() => device.CopyToHost(buffer.View, new double[4]));
    }
}
