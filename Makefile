# LatticeFlow: every target restores what it needs itself (README.md).
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

CLI := bin/latticeflow

.PHONY: all restore build test run bench clean

all: build

restore:
	$(DOTNET) restore LatticeFlow.sln

build: restore
	$(DOTNET) publish src/LatticeFlow.Cli/LatticeFlow.Cli.csproj -c Release -o bin --no-restore
	printf '#!/bin/sh\nexec "$$(dirname "$$0")/LatticeFlow.Cli" "$$@"\n' > $(CLI)
	chmod +x $(CLI)

test: restore
	$(DOTNET) test tests/LatticeFlow.Tests/LatticeFlow.Tests.csproj -c Release --no-restore --logger "console;verbosity=normal"

run: build
	$(CLI) demo

bench: build
	$(CLI) bench

clean:
	rm -rf bin */*/bin */*/obj
