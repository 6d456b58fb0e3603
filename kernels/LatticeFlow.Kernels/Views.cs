using ILGPU;
using ILGPU.Runtime;

namespace LatticeFlow.Kernels;

/// <summary>
/// How a kernel body reaches memory. On ILGPU backends it is a <see cref="DeviceView{T}"/> (an ArrayView);
/// on the managed launcher the same body runs with <see cref="HostView{T}"/> (a raw pointer), because
/// the ArrayView indexer costs 3–5× more than a pointer in plain .NET code (measured: 12–15 vs 4 ns per
/// site of the force stencil). Kernel bodies are generic over the view, so they stay one body.
/// </summary>
public interface IView<T> where T : unmanaged
{
    ref T this[int index] { get; }

    /// <summary>The same memory as a host pointer (only for buffers in host memory; never called inside kernels).</summary>
    HostView<T> Host { get; }
}

/// <summary>An ArrayView, as kernels compiled by ILGPU see memory.</summary>
public readonly struct DeviceView<T>(ArrayView<T> view) : IView<T> where T : unmanaged
{
    private readonly ArrayView<T> _view = view;

    public ref T this[int index] => ref _view[index];

    public unsafe HostView<T> Host => new((T*)_view.LoadEffectiveAddressAsPtr());

    public static implicit operator DeviceView<T>(ArrayView<T> view) => new(view);

    public static implicit operator DeviceView<T>(ArrayView1D<T, Stride1D.Dense> view) => new(view.AsContiguous());
}

/// <summary>A raw pointer to host memory, for the managed launcher.</summary>
public readonly unsafe struct HostView<T>(T* pointer) : IView<T> where T : unmanaged
{
    private readonly T* _pointer = pointer;

    public ref T this[int index] => ref _pointer[index];

    public HostView<T> Host => this;

    /// <summary>The pointer itself, for host SIMD twins (never inside kernel bodies).</summary>
    public T* Pointer => _pointer;
}
