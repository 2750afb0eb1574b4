// Tiny wrappers for C facilities Swift's Glibc module does not import.
#ifndef BAOHAO_CSYSTEM_H
#define BAOHAO_CSYSTEM_H

#include <malloc.h>

/// Caps the number of malloc arenas (glibc's default is 8 per core).
static inline int csystem_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

/// Large blocks (from `threshold` bytes) come from mmap and go back to the system when
/// freed, and free memory at the top of the heap is returned from `trim` bytes: a fixed
/// threshold instead of glibc's, which grows with the largest block freed and keeps it.
static inline void csystem_return_freed_memory(int threshold, int trim) {
    mallopt(M_MMAP_THRESHOLD, threshold);
    mallopt(M_TRIM_THRESHOLD, trim);
    mallopt(M_TOP_PAD, 0);
}

/// Returns the heap's free pages to the system (glibc's malloc_trim): after start-up, the
/// memory that loading and training used is free but still resident until then.
static inline void csystem_release_free_memory(void) {
    malloc_trim(0);
}

#endif
