using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Runs;

public class ProgressReporterTests
{
    /// <summary>The ETA keeps whole days: a 31-day run showed 13:37:58 (TimeSpan's h format drops them).</summary>
    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(59.4, "0:59")]
    [InlineData(3599, "59:59")]
    [InlineData(3600, "1:00:00")]
    [InlineData(86399, "23:59:59")]
    [InlineData(86400, "1d 00:00:00")]
    [InlineData(31 * 86400 + 13 * 3600 + 37 * 60 + 58, "31d 13:37:58")]
    [InlineData(double.NaN, "--:--")]
    [InlineData(double.PositiveInfinity, "--:--")]
    [InlineData(1e300, "--:--")]
    public void EtaKeepsWholeDays(double seconds, string expected) => Assert.Equal(expected, ProgressReporter.FormatDuration(seconds));
}
