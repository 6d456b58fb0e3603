# LatticeFlow: every target restores what it needs itself (README.md).
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

CLI := bin/latticeflow
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all restore build test test-slurm run bench clean

all: build

restore:
	$(DOTNET) restore LatticeFlow.sln

build: restore
	$(DOTNET) publish src/LatticeFlow.Cli/LatticeFlow.Cli.csproj -c Release -o bin --no-restore
	printf '#!/bin/sh\nexec "$$(dirname "$$0")/LatticeFlow.Cli" "$$@"\n' > $(CLI)
	chmod +x $(CLI)

# The last line is the plain "N passed, N failed, N skipped" that CI logs are read by.
test: restore
	mkdir -p bin
	$(DOTNET) test tests/LatticeFlow.Tests/LatticeFlow.Tests.csproj -c Release --no-restore --logger "console;verbosity=normal" 2>&1 | tee bin/test.log
	awk '/^ +Passed: +[0-9]+$$/{p=$$2} /^ +Failed: +[0-9]+$$/{f=$$2} /^ +Skipped: +[0-9]+$$/{s=$$2} END{printf "%d passed, %d failed, %d skipped\n", p, f, s}' bin/test.log

# The emitted Slurm job arrays on a real one-node Slurm 22.05 brought up on localhost (installs Debian's packages where
# missing; needs root, skips with the reason otherwise); a few minutes. Not part of `make test`: it starts daemons.
test-slurm: build
	bash tools/slurm/test-slurm.sh

# The main job: a reduced albergo2019 sweep (L = 6, 8, 10; flow MH, HMC, Metropolis, cluster), 8–15 minutes on 2 cores.
run: build
	$(CLI) sweep --preset demo --out runs/sweep-demo

# Every figure with --simd off and auto side by side, and each hot kernel's fraction of peak (README, Performance);
# also as JSON in bin/bench.json. A few minutes on 2 cores.
bench: build
	$(CLI) bench --json bin/bench.json

clean:
	rm -rf bin */*/bin */*/obj
