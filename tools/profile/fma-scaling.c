// Whether this machine's cores scale: the same FMA-bound loop on 1 and on 2 threads (2× the total means two cores that
// do not share execution units, not SMT siblings). Not part of the build; docs/results/performance-simd.md quotes it.
//   gcc -O2 -mavx2 -mfma -pthread tools/profile/fma-scaling.c -o /tmp/fma && /tmp/fma 1 && /tmp/fma 2
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <pthread.h>
static long N = 1000000000;
// Ten independent chains of 8-float FMAs per thread, in registers (2 FMA ports × 4 cycles' latency need 8 in flight);
// the result is kept so that the loop is not removed.
static void *run(void *arg) {
  __m256 b = _mm256_set1_ps(1.0f), c = _mm256_set1_ps(1e-7f);
  __m256 a0 = _mm256_set1_ps(0), a1 = _mm256_set1_ps(1), a2 = _mm256_set1_ps(2), a3 = _mm256_set1_ps(3), a4 = _mm256_set1_ps(4);
  __m256 a5 = _mm256_set1_ps(5), a6 = _mm256_set1_ps(6), a7 = _mm256_set1_ps(7), a8 = _mm256_set1_ps(8), a9 = _mm256_set1_ps(9);
  for (long n = 0; n < N; n++) {
    a0 = _mm256_fmadd_ps(a0, b, c); a1 = _mm256_fmadd_ps(a1, b, c); a2 = _mm256_fmadd_ps(a2, b, c); a3 = _mm256_fmadd_ps(a3, b, c);
    a4 = _mm256_fmadd_ps(a4, b, c); a5 = _mm256_fmadd_ps(a5, b, c); a6 = _mm256_fmadd_ps(a6, b, c); a7 = _mm256_fmadd_ps(a7, b, c);
    a8 = _mm256_fmadd_ps(a8, b, c); a9 = _mm256_fmadd_ps(a9, b, c);
  }
  __m256 s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
  *(float *)arg = s[0]; return 0; }
static double now() { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1; pthread_t th[64]; float out[64];
  if (threads < 1 || threads > 64) { fprintf(stderr, "usage: fma THREADS (1-64)\n"); return 2; }
  double t0 = now();
  for (int i = 0; i < threads; i++) pthread_create(&th[i], 0, run, &out[i]);
  for (int i = 0; i < threads; i++) pthread_join(th[i], 0);
  double t = now() - t0;
  printf("%d threads: %.2f s, %.1f GFLOP/s in all (%.1f per thread; checksum %g)\n", threads, t, threads * N * 10 * 16.0 / t / 1e9,
         N * 10 * 16.0 / t / 1e9, out[0]);
}
