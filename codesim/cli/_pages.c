/* Transparent huge pages for the command line's heap.
 *
 * Most of what a run allocates outside Python's small-object arenas comes from the C heap:
 * tree-sitter's trees, the long lists and buffers of token streams, numpy's arrays, the
 * pickled messages between processes.  Touched in 4 KB pages, that heap cost ``cross`` at
 * N = 100 about 10,000 page faults of its 23,600.  glibc's ``glibc.malloc.hugetlb=1``
 * tunable removes them, but only when set before the process starts; this does the same
 * from inside it, for the heap it grows now: the heap is padded (every growth by at least
 * ``pad`` bytes), never trimmed back below twice that, blocks up to 32 MiB come from it
 * (glibc's dynamic threshold ends there anyway), and the padded stretch is advised as
 * huge-page memory.  The heap's later growth is padded alike but not advised: it is what
 * runs beyond the first ``pad`` bytes.  Processes forked afterwards inherit all of it.
 *
 * No Python code does this: where this module was not built, or the C library is not glibc,
 * or the kernel has no transparent huge pages, the heap stays as it was.
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define LARGEST_FROM_HEAP (32 << 20)

static PyObject *huge_heap(PyObject *self, PyObject *arg) {
    (void)self;
    Py_ssize_t pad = PyLong_AsSsize_t(arg);
    if (pad == -1 && PyErr_Occurred()) return NULL;
    if (pad < (Py_ssize_t)HUGE_PAGE || pad >= (Py_ssize_t)1 << 30) {
        PyErr_SetString(PyExc_ValueError, "pad must be at least 2 MiB and under 1 GiB");
        return NULL;
    }
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    if (!mallopt(M_MMAP_THRESHOLD, LARGEST_FROM_HEAP) || !mallopt(M_TRIM_THRESHOLD, 2 * (int)pad) ||
        !mallopt(M_TOP_PAD, (int)pad))
        Py_RETURN_FALSE;
    char *before = sbrk(0);
    /* Volatile, or the compiler drops a malloc its free undoes, and the heap does not grow. */
    void *volatile grown = malloc(1 << 20);
    free(grown);
    char *after = sbrk(0);
    if (before == (char *)-1 || after == (char *)-1) Py_RETURN_FALSE;
    /* Only whole, aligned huge pages can be huge: the rest of the stretch keeps small ones. */
    uintptr_t start = ((uintptr_t)before + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t end = (uintptr_t)after & ~(HUGE_PAGE - 1);
    if (end <= start || madvise((void *)start, end - start, MADV_HUGEPAGE) != 0) Py_RETURN_FALSE;
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef methods[] = {
    {"huge_heap", huge_heap, METH_O,
     "huge_heap(pad)\n--\n\n"
     "Grow the C heap by ``pad`` bytes (at least 2 MiB, under 1 GiB) and advise that stretch as "
     "transparent huge pages, glibc keeping blocks up to 32 MiB on the heap and padding "
     "its later growth alike (not advised).  Whether the stretch was advised: False where "
     "the C library is not glibc or the system refused.  For a process of its own, as the "
     "command line is: the allocator's settings are the whole process's."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pages", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__pages(void) { return PyModule_Create(&module); }
