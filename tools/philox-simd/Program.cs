// Philox4x32-10 throughput: the kernels' scalar Philox.Generate2 (two interleaved calls) against the same
// function in AVX-512 lanes (eight calls per vector, two vectors interleaved), checked bit for bit first.
// It measures what DESIGN.md principle 2 (no vector types in kernel bodies) costs local Metropolis on the CPU.
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LatticeFlow.Kernels;

const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
if (!Avx512F.IsSupported) { Console.WriteLine("no AVX-512 on this CPU"); return 1; }

var key = new RngKey(0x123456789ABCDEFUL);
var words = new uint[64];
Generate16(key, 1000, 3, 77, RngStream.Metropolis, words);
for (uint i = 0; i < 16; i++)
{
    var w = Philox.Generate(key, 1000 + i, 3, 77, RngStream.Metropolis);
    if ((w.X0, w.X1, w.X2, w.X3) != (words[i], words[16 + i], words[32 + i], words[48 + i]))
    {
        Console.WriteLine($"lane {i} differs from Philox.Generate");
        return 1;
    }
}
Console.WriteLine("AVX-512 lanes are bit-identical to Philox.Generate");

const long Calls = 50_000_000;
for (int rep = 0; rep < 3; rep++)
{
    uint sink = 0;
    var clock = Stopwatch.StartNew();
    for (uint i = 0; i < Calls; i += 2)
    {
        var w = Philox.Generate2(key, i, i + 1, 3, 77, RngStream.Metropolis);
        sink ^= w.A.X0 ^ w.A.X1 ^ w.A.X2 ^ w.A.X3 ^ w.B.X0 ^ w.B.X1 ^ w.B.X2 ^ w.B.X3;
    }
    double scalar = clock.Elapsed.TotalSeconds;
    clock.Restart();
    for (uint i = 0; i < Calls; i += 16)
    {
        Generate16(key, i, 3, 77, RngStream.Metropolis, words);
        sink ^= words[0] ^ words[63];
    }
    double simd = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"one core: scalar Generate2 {Calls / scalar / 1e6:F0} M calls/s ({scalar * 1e9 / Calls:F2} ns/call), " +
        $"AVX-512 {Calls / simd / 1e6:F0} M calls/s ({simd * 1e9 / Calls:F2} ns/call) [{sink:x8}]");
}
return 0;

// Sixteen calls for sites site0 .. site0 + 15, one per 64-bit lane of two vectors (vpmuludq reads the low 32 bits of
// each lane, so the high halves may carry garbage until the end). Output structure of arrays: word j of call i at 16j + i.
static void Generate16(RngKey key, uint site0, uint chain, uint step, uint stream, uint[] output)
{
    var a0 = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) + Vector512.Create((ulong)site0);
    var b0 = a0 + Vector512.Create(8UL);
    var a1 = Vector512.Create((ulong)chain); var a2 = Vector512.Create((ulong)step); var a3 = Vector512.Create((ulong)stream);
    var b1 = a1; var b2 = a2; var b3 = a3;
    var m0 = Vector512.Create((ulong)M0).AsUInt32(); var m1 = Vector512.Create((ulong)M1).AsUInt32();
    uint k0 = key.K0, k1 = key.K1;
    for (int r = 0; r < 10; r++)
    {
        var kk0 = Vector512.Create((ulong)k0); var kk1 = Vector512.Create((ulong)k1);
        var pa0 = Avx512F.Multiply(a0.AsUInt32(), m0); var pa1 = Avx512F.Multiply(a2.AsUInt32(), m1);
        var pb0 = Avx512F.Multiply(b0.AsUInt32(), m0); var pb1 = Avx512F.Multiply(b2.AsUInt32(), m1);
        a0 = Avx512F.TernaryLogic(Avx512F.ShiftRightLogical(pa1, 32), a1, kk0, 0x96);
        a2 = Avx512F.TernaryLogic(Avx512F.ShiftRightLogical(pa0, 32), a3, kk1, 0x96);
        b0 = Avx512F.TernaryLogic(Avx512F.ShiftRightLogical(pb1, 32), b1, kk0, 0x96);
        b2 = Avx512F.TernaryLogic(Avx512F.ShiftRightLogical(pb0, 32), b3, kk1, 0x96);
        a1 = pa1; a3 = pa0; b1 = pb1; b3 = pb0;
        k0 += W0; k1 += W1;
    }
    Store(a0, b0, output, 0); Store(a1, b1, output, 16); Store(a2, b2, output, 32); Store(a3, b3, output, 48);
}

static void Store(Vector512<ulong> a, Vector512<ulong> b, uint[] output, int at)
{
    Avx512F.ConvertToVector256UInt32(a).StoreUnsafe(ref output[at]);
    Avx512F.ConvertToVector256UInt32(b).StoreUnsafe(ref output[at + 8]);
}
