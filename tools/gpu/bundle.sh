#!/bin/bash
# Packs what a GPU node without a .NET SDK needs to run the CUDA tests, the benchmarks and sweeps: the .NET runtime,
# the published CLI, the test build and xunit's console runner, into bin/gpu-bundle.tar.xz (~40 MB). See README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
make build >/dev/null
dotnet build tests/LatticeFlow.Tests/LatticeFlow.Tests.csproj -c Release --nologo -v q >/dev/null
# xunit's console runner (its .NET Core build) runs a test assembly without the SDK's vstest.
runner=$(mktemp -d)
printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup><PackageDownload Include="xunit.runner.console" Version="[2.4.1]" /></ItemGroup></Project>' > "$runner/runner.csproj"
dotnet restore "$runner/runner.csproj" -v q >/dev/null
stage=$(mktemp -d)
mkdir -p "$stage/dotnet/shared"
cp "$dotnet_root/dotnet" "$stage/dotnet/" && cp -r "$dotnet_root/host" "$stage/dotnet/"
cp -r "$dotnet_root/shared/Microsoft.NETCore.App" "$stage/dotnet/shared/"
linux_only() { for r in "$1"/runtimes/*; do case $(basename "$r") in linux-x64|unix) ;; *) rm -rf "$r" ;; esac; done; }
cp -r bin "$stage/cli" && rm -f "$stage/cli/test.log" "$stage/cli/gpu-bundle.tar.xz" && linux_only "$stage/cli"
cp -r tests/LatticeFlow.Tests/bin/Release/net10.0 "$stage/tests" && linux_only "$stage/tests"
cp -r "${NUGET_PACKAGES:-$HOME/.nuget/packages}/xunit.runner.console/2.4.1/tools/netcoreapp2.0" "$stage/xunit"
(cd "$stage" && tar -cf - . | xz -T0 -6 > "$root/bin/gpu-bundle.tar.xz")
rm -rf "$stage" "$runner"
ls -la bin/gpu-bundle.tar.xz
