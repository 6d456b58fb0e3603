using System.Runtime.Intrinsics;
using LatticeFlow.Devices.Simd;

namespace LatticeFlow.Tests.Devices;

/// <summary>The masked memory operations of <see cref="ILanes{TV}"/> (narrow conv rows) touch only their lanes, at 256 and 512 bits.</summary>
public sealed unsafe class LanesTests
{
    [Fact]
    public void MaskedLoadsAndStoresTouchOnlyTheirLanes()
    {
        Check<Lanes8, Vector256<float>>();
        Check<Lanes16, Vector512<float>>();
    }

    private static void Check<TL, TV>() where TL : struct, ILanes<TV> where TV : unmanaged
    {
        int n = TL.Count;
        float* memory = stackalloc float[n], maskBits = stackalloc float[n], loaded = stackalloc float[n];
        for (int l = 0; l < n; l++)
        {
            memory[l] = 100 + l;
            maskBits[l] = l % 3 == 1 || l == n - 1 ? BitConverter.Int32BitsToSingle(-1) : 0f;
        }
        var mask = TL.Load(maskBits);
        TL.Store(loaded, TL.MaskLoad(memory, mask));
        TL.MaskStore(memory, mask, TL.Broadcast(-1f));
        for (int l = 0; l < n; l++)
        {
            bool on = l % 3 == 1 || l == n - 1;
            Assert.Equal(on ? 100 + l : 0f, loaded[l]);
            Assert.Equal(on ? -1f : 100 + l, memory[l]);
        }
    }
}
