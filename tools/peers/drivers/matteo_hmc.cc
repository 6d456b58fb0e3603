// Times Matteo294/LatticeSimulations' Phi4_2D HMC (HMC::runMC) on an L x L lattice (LatticeFlow tools/peers).
// Not part of that repository: built against a checkout's Phi4_2D/ sources (the repository states no licence, so it is
// not vendored). Sets dt and the trajectory so that every trajectory has exactly `steps` leapfrog steps (their loop
// `for (t = dt; t <= T; t += dt)` runs steps - 1 times for T = (steps - 0.5) dt).
// usage: matteo_hmc L m2 g dt steps seconds     prints: L, trajectories, seconds, ns per site per leapfrog step
// (whole trajectories: momenta, two Hamiltonians, the copy for a rejection, `steps` leapfrog steps; as LatticeFlow's bench)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include "Simulators/HMC.h"
#include "Models/Phi4_2d.h"
#include "Lattices/Lattice.h"

int main(int argc, char* argv[]) {
  if (argc != 7) { fprintf(stderr, "usage: %s L m2 g dt steps seconds\n", argv[0]); return 2; }
  int L = atoi(argv[1]);
  double m2 = atof(argv[2]), g = atof(argv[3]), dt = atof(argv[4]);
  int steps = atoi(argv[5]);
  double seconds = atof(argv[6]);
  Lattice latt(L, L);
  Phi4_2d model(&latt, m2, g);
  HMC sim(&model, &latt);
  sim.dt = dt;
  sim.T = (steps - 0.5) * dt;
  int inner = 0;
  for (double t = sim.dt; t <= sim.T; t += sim.dt) inner++;
  if (inner + 1 != steps) { fprintf(stderr, "step count %d != %d\n", inner + 1, steps); return 1; }
  std::cout.setstate(std::ios::failbit);  // runMC prints progress lines
  sim.runMC(2, 0.0);                      // warm-up
  auto start = std::chrono::steady_clock::now();
  int n = 0, accepted = 0;
  double t = 0;
  while (t < seconds) {  // one trajectory per call (runMC resets its acceptance count)
    sim.runMC(1, 0.0);
    accepted += sim.acceptance;
    n++;
    t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::cout.clear();
  printf("L=%d trajectories=%d steps=%d seconds=%.3f ns_per_site_step=%.3f acceptance=%.3f\n", L, n, steps, t,
         1e9 * t / (double(n) * steps * L * L), double(accepted) / n);
  return 0;
}
