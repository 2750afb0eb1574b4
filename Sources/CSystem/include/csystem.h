// Tiny wrappers for C facilities Swift's Glibc module does not import.
#ifndef BAOHAO_CSYSTEM_H
#define BAOHAO_CSYSTEM_H

#include <malloc.h>

/// Caps the number of malloc arenas (glibc's default is 8 per core).
static inline int csystem_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

#endif
