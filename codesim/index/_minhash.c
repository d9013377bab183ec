/* MinHash signatures (index/minhash.py's ``signatures``) compiled: for every unit, the
 * minimum over its values of each of the NUM_PERM affine permutations of the values'
 * MurmurHash3-finalized low 32 bits.  One pass over the values with the running minima in
 * cache, where numpy permutes a block of values by every permutation into memory and reduces
 * it.  Same arithmetic (uint32, wrapping), so the same signatures; the tests compare them
 * with datasketch's.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "../fingerprint/_splitmix.h"

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    return h ^ (h >> 16);
}

/* The permutations of a value are independent lanes: with AVX2 (chosen when the module is
 * loaded, on a machine that has it) eight at once: 29 -> 4 ms here for 366k values and
 * 128 permutations.  GCC's function clones need its ifunc support: Linux on x86-64. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define LANES __attribute__((target_clones("avx2", "default"), optimize("tree-vectorize")))
#else
#define LANES
#endif

LANES static void fill_rows(const uint64_t *value, const int64_t *count, Py_ssize_t units,
                            const uint32_t *pa, const uint32_t *pb, Py_ssize_t perms,
                            uint32_t *row) {
    Py_ssize_t used = 0;
    for (Py_ssize_t u = 0; u < units; u++, row += perms) {
        for (Py_ssize_t p = 0; p < perms; p++) row[p] = 0xFFFFFFFFu;
        for (int64_t k = 0; k < count[u]; k++) {
            uint32_t h = fmix32((uint32_t)value[used + k]);
            for (Py_ssize_t p = 0; p < perms; p++) {
                uint32_t v = pa[p] * h + pb[p];
                row[p] = v < row[p] ? v : row[p];
            }
        }
        used += count[u];
    }
}

static PyObject *fill(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer values, counts, a, b, out;
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*", &values, &counts, &a, &b, &out)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t perms = a.len / 4, units = counts.len / 8, total = values.len / 8;
    if (a.len != b.len || a.len % 4 || counts.len % 8 || values.len % 8 ||
        out.len != units * perms * 4) {
        PyErr_SetString(PyExc_ValueError, "fill: buffer sizes disagree");
        goto done;
    }
    const uint64_t *value = values.buf;
    const int64_t *count = counts.buf;
    const uint32_t *pa = a.buf, *pb = b.buf;
    uint32_t *row = out.buf;
    Py_ssize_t used = 0;
    for (Py_ssize_t u = 0; u < units; u++) {
        if (count[u] < 0 || count[u] > total - used) {
            PyErr_SetString(PyExc_ValueError, "fill: counts exceed the values");
            goto done;
        }
        used += count[u];
    }
    Py_BEGIN_ALLOW_THREADS
    fill_rows(value, count, units, pa, pb, perms, row);
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&values);
    PyBuffer_Release(&counts);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    PyBuffer_Release(&out);
    return result;
}

/* bands.py's ``band_ids``: per unit and band, the band's values byte-swapped, zero-padded to
 * whole 64-bit words read in native order, each word mixed into the band's id by the
 * splitmix64 finalizer; the same bytes numpy's views give, so the same ids. */
static PyObject *band_ids(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer signatures, out;
    Py_ssize_t perms, bands, rows;
    if (!PyArg_ParseTuple(args, "y*nnnw*", &signatures, &perms, &bands, &rows, &out)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t words = (rows * 4 + 7) / 8;
    if (perms < 1 || bands < 1 || rows < 1 || bands * rows > perms || rows > 64 ||
        signatures.len % (perms * 4) || out.len != signatures.len / (perms * 4) * bands * 8) {
        PyErr_SetString(PyExc_ValueError, "band_ids: buffer sizes disagree");
        goto done;
    }
    Py_ssize_t units = signatures.len / (perms * 4);
    const uint32_t *row = signatures.buf;
    int64_t *id = out.buf;
    Py_BEGIN_ALLOW_THREADS
    unsigned char key[64 * 4 + 8];
    for (Py_ssize_t u = 0; u < units; u++, row += perms) {
        for (Py_ssize_t b = 0; b < bands; b++) {
            memset(key, 0, (size_t)words * 8);
            for (Py_ssize_t r = 0; r < rows; r++) {
                uint32_t swapped = __builtin_bswap32(row[b * rows + r]);
                memcpy(key + r * 4, &swapped, 4);
            }
            uint64_t value = (uint64_t)(b + 1) * 0x9E3779B97F4A7C15ull;
            for (Py_ssize_t w = 0; w < words; w++) {
                uint64_t word;
                memcpy(&word, key + w * 8, 8);
                value = splitmix64(value ^ word);
            }
            *id++ = (int64_t)value;
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&signatures);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"fill", fill, METH_VARARGS,
     "fill(values, counts, a, b, out)\n--\n\n"
     "Write each unit's signature into ``out`` (units x len(a) uint32): ``values`` are the "
     "units' uint64 hashes one unit after another, ``counts`` (int64) how many each has."},
    {"band_ids", band_ids, METH_VARARGS,
     "band_ids(signatures, perms, bands, rows, out)\n--\n\n"
     "Write the ``bands`` bucket ids of each signature (rows of ``perms`` uint32) into ``out`` "
     "(units x bands int64), ``rows`` values a band."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_minhash", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__minhash(void) { return PyModule_Create(&module); }
