/* A stream's fingerprints (fingerprint/__init__.py's ``fingerprint``) compiled: the symbols'
 * hashes looked up in the cache ``symbol_hash`` fills, the k-gram hashes (polynomial mod
 * 2**64, then the splitmix64 finalizer) and the positions winnowing selects (each window's
 * rightmost minimum, found with a monotone queue); and the k-gram hashes alone, for a
 * unit's tokens.  Same arithmetic as the numpy code, so
 * the same arrays; the tests compare them.  A file is about a thousand tokens, so the numpy
 * calls' own cost was most of the work.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

#include "_splitmix.h"

static const uint64_t BASE = 0x100000001B3ull;


/* The ``m`` k-gram hashes of ``hashes`` (at least ``m + k - 1`` of them). */
static void kgram_loop(const uint64_t *hashes, Py_ssize_t m, Py_ssize_t k, uint64_t *kgrams) {
    for (Py_ssize_t i = 0; i < m; i++) {
        uint64_t v = hashes[i];
        for (Py_ssize_t offset = 1; offset < k; offset++) v = v * BASE + hashes[i + offset];
        kgrams[i] = splitmix64(v);
    }
}

static PyObject *kgram_hashes(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer hashes, out;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "y*nw*", &hashes, &k, &out)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = hashes.len / 8, m = n - k + 1 > 0 ? n - k + 1 : 0;
    if (k < 1 || hashes.len % 8 || out.len != m * 8) {
        PyErr_SetString(PyExc_ValueError, "kgram_hashes: buffer sizes disagree with k");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    kgram_loop(hashes.buf, m, k, out.buf);
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&hashes);
    PyBuffer_Release(&out);
    return result;
}

/* Positions of each window's rightmost minimum, consecutive repeats dropped (a stream
 * shorter than a window is one window); ``queue`` has room for ``n`` indexes.  Returns how
 * many were written to ``out``. */
static Py_ssize_t winnow(const uint64_t *kgrams, Py_ssize_t n, Py_ssize_t window, Py_ssize_t *queue,
                         int64_t *out) {
    Py_ssize_t head = 0, tail = 0, written = 0;
    Py_ssize_t first_end = (n < window ? n : window) - 1;
    for (Py_ssize_t j = 0; j < n; j++) {
        /* An equal value later in the window wins, so equal ones leave the queue too. */
        while (tail > head && kgrams[queue[tail - 1]] >= kgrams[j]) tail--;
        queue[tail++] = j;
        if (j < first_end) continue;
        while (queue[head] < j - window + 1) head++;
        if (!written || out[written - 1] != queue[head]) out[written++] = queue[head];
    }
    return written;
}

static PyObject *fingerprint(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *symbols, *cache, *hash_symbol;
    Py_ssize_t k, window;
    Py_buffer hashes_out, kgrams_out, positions_out;
    if (!PyArg_ParseTuple(args, "O!O!Onnw*w*w*", &PyList_Type, &symbols, &PyDict_Type, &cache,
                          &hash_symbol, &k, &window, &hashes_out, &kgrams_out, &positions_out))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t *queue = NULL;
    Py_ssize_t n = PyList_GET_SIZE(symbols);
    Py_ssize_t m = n - k + 1 > 0 ? n - k + 1 : 0;
    if (k < 1 || window < 1) {
        PyErr_SetString(PyExc_ValueError, "fingerprint: k and window must be at least 1");
        goto done;
    }
    if (hashes_out.len != n * 8 || kgrams_out.len != m * 8 || positions_out.len != m * 8) {
        PyErr_SetString(PyExc_ValueError, "fingerprint: buffer sizes disagree with the stream");
        goto done;
    }
    uint64_t *hashes = hashes_out.buf, *kgrams = kgrams_out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *symbol = PyList_GET_ITEM(symbols, i);
        PyObject *value = PyDict_GetItemWithError(cache, symbol); /* borrowed */
        PyObject *made = NULL;
        if (!value) {
            /* A symbol not hashed before in this process (most files have a few): hashed
             * by the caller's function, which keeps it in ``cache`` for the next time. */
            if (PyErr_Occurred() || !(value = made = PyObject_CallOneArg(hash_symbol, symbol)))
                goto done;
        }
        hashes[i] = PyLong_AsUnsignedLongLong(value);
        Py_XDECREF(made);
        if (hashes[i] == (uint64_t)-1 && PyErr_Occurred()) goto done;
    }
    if (m && !(queue = PyMem_Malloc(m * sizeof(Py_ssize_t)))) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t selected;
    Py_BEGIN_ALLOW_THREADS
    kgram_loop(hashes, m, k, kgrams);
    selected = winnow(kgrams, m, window, queue, positions_out.buf);
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(selected);
done:
    PyMem_Free(queue);
    PyBuffer_Release(&hashes_out);
    PyBuffer_Release(&kgrams_out);
    PyBuffer_Release(&positions_out);
    return result;
}

static PyMethodDef methods[] = {
    {"kgram_hashes", kgram_hashes, METH_VARARGS,
     "kgram_hashes(hashes, k, out)\n--\n\n"
     "Fill ``out`` (uint64, one a k-gram) with the k-gram hashes of ``hashes`` (uint64)."},
    {"fingerprint", fingerprint, METH_VARARGS,
     "fingerprint(symbols, cache, hash_symbol, k, window, hashes, kgrams, positions)\n--\n\n"
     "Fill ``hashes`` (one uint64 a symbol, from ``cache``, or ``hash_symbol(symbol)`` for one "
     "not in it), ``kgrams`` (uint64, one a k-gram) and the start of ``positions`` (int64, as "
     "long as ``kgrams``) with the winnowed positions; return how many were selected."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_prints", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__prints(void) { return PyModule_Create(&module); }
