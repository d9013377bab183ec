/* splitmix64's finalizer, the 64-bit mix every hash of codesim ends in (fingerprint/hashing.py's
 * ``splitmix64`` is its specification): every input bit reaches every output bit.  Included by
 * the C modules that hash (each is compiled on its own, see hatch_build.py). */
#ifndef CODESIM_SPLITMIX_H
#define CODESIM_SPLITMIX_H

#include <stdint.h>

static inline uint64_t splitmix64(uint64_t v) {
    v ^= v >> 30;
    v *= 0xBF58476D1CE4E5B9ull;
    v ^= v >> 27;
    v *= 0x94D049BB133111EBull;
    return v ^ (v >> 31);
}

#endif
