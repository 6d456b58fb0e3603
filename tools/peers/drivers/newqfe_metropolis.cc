// Times ksvenson/newQFE's QfePhi4::Metropolis() sweeps on a flat periodic L x L lattice (LatticeFlow tools/peers).
// Not part of newQFE: built against a newQFE checkout's include/ (the repository states no licence, so it is not vendored).
// usage: newqfe_metropolis L msq lambda z seconds     prints: L sweeps seconds ns_per_update updates_per_s acceptance
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include "lattice.h"
#include "phi4.h"

int main(int argc, char* argv[]) {
  if (argc != 6) { fprintf(stderr, "usage: %s L msq lambda z seconds\n", argv[0]); return 2; }
  int L = atoi(argv[1]);
  double msq = atof(argv[2]), lambda = atof(argv[3]), z = atof(argv[4]), seconds = atof(argv[5]);
  QfeLattice lattice;
  lattice.InitRect(L, L, 1.0, 1.0);
  QfePhi4 field(&lattice, msq, lambda);
  field.metropolis_z = z;
  field.HotStart();
  using clock = std::chrono::steady_clock;
  auto warm = clock::now();
  while (std::chrono::duration<double>(clock::now() - warm).count() < 0.25) field.Metropolis();
  long sweeps = 0;
  double accept = 0;
  auto start = clock::now();
  double t = 0;
  while (t < seconds) {
    accept += field.Metropolis();
    sweeps++;
    t = std::chrono::duration<double>(clock::now() - start).count();
  }
  double updates = double(sweeps) * lattice.n_sites;
  printf("L=%d sweeps=%ld seconds=%.3f ns_per_update=%.3f updates_per_s=%.4g acceptance=%.3f\n", L, sweeps, t,
         1e9 * t / updates, updates / t, accept / sweeps);
  return 0;
}
