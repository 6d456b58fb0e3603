#include <immintrin.h>
__m256 _ZGVdN8v_logf(__m256);
__m256 __svml_logf8(__m256 x) { return _ZGVdN8v_logf(x); }
