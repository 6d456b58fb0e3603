// Kernel bodies are generic over how they see memory; the library builds them over device views,
// and the managed launcher rebinds them to host pointers (kernels/LatticeFlow.Kernels/Views.cs).
global using Reals = LatticeFlow.Kernels.DeviceView<double>;
global using Floats = LatticeFlow.Kernels.DeviceView<float>;
global using Ints = LatticeFlow.Kernels.DeviceView<int>;
