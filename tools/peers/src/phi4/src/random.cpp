#include <cstdlib>
#include <cstdio>

#include "types.h"

rand48_array* rand48_array::generator_;

taus_array* taus_array::generator_;
