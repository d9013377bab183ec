/* The core of an alignment compiled, each function exactly its Python counterpart:
 *
 * - ``shared_kgrams`` (align/seeds.py): the positions ``(i, j)`` where two streams share a
 *   k-gram, found by merging the two sorted k-gram arrays once instead of a binary search
 *   per k-gram, then emitted in the Python function's order (right position ascending, each
 *   left occurrence in sorted order; the rank-paired frequent k-grams after all the others);
 * - ``tiles`` (align/fragments.py): ``tile(maximal_matches(...))``, the seeds joined into
 *   maximal matches and tiled greedily, longest first, with the same tie-breaks;
 * - ``kgram_table`` (align/seeds.py): a stream's k-grams sorted and counted.
 *
 * Every index read from the arguments is bounds-checked: malformed input raises
 * ValueError, never reads out of bounds.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const uint64_t *sorted;
    const int64_t *order, *counts, *rank, *sorted_counts;
    Py_ssize_t size;
} Table;

/* One side's arrays as ``KgramTable`` holds them; only the ones this side needs. */
static int table(Py_buffer *sorted, Py_buffer *order, Py_buffer *counts, Py_buffer *rank,
                 Py_buffer *sorted_counts, Table *t) {
    t->size = sorted->len / 8;
    if (sorted->len % 8 || order->len != sorted->len || (counts && counts->len != sorted->len) ||
        (rank && rank->len != sorted->len) ||
        (sorted_counts && sorted_counts->len != sorted->len)) {
        PyErr_SetString(PyExc_ValueError, "shared_kgrams: buffer sizes disagree");
        return -1;
    }
    t->sorted = sorted->buf;
    t->order = order->buf;
    t->counts = counts ? counts->buf : NULL;
    t->rank = rank ? rank->buf : NULL;
    t->sorted_counts = sorted_counts ? sorted_counts->buf : NULL;
    for (Py_ssize_t i = 0; i < t->size; i++)
        if (t->order[i] < 0 || t->order[i] >= t->size) {
            PyErr_SetString(PyExc_ValueError, "shared_kgrams: an order index is out of range");
            return -1;
        }
    return 0;
}

static PyObject *shared_kgrams(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer ls, lo, lc, rs, ro, rc, rr;
    long long max_occurrences;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*L", &ls, &lo, &lc, &rs, &ro, &rc, &rr,
                          &max_occurrences))
        return NULL;
    PyObject *result = NULL, *lefts = NULL, *rights = NULL;
    int64_t *start = NULL;
    Table left, right;
    if (table(&ls, &lo, NULL, NULL, &lc, &left) < 0 || table(&rs, &ro, &rc, &rr, NULL, &right) < 0)
        goto done;
    Py_ssize_t n = left.size, m = right.size;
    /* start[j]: where right position j's k-gram starts in left.sorted, -1 if absent. */
    start = PyMem_Malloc((size_t)(m ? m : 1) * sizeof(int64_t));
    if (!start) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < m; j++) start[j] = -1;
    Py_ssize_t i = 0, every = 0, ranked = 0;
    for (Py_ssize_t s = 0; s < m; s++) {
        uint64_t value = right.sorted[s];
        while (i < n && left.sorted[i] < value) i++;
        if (i == n) break;
        if (left.sorted[i] != value) continue;
        int64_t j = right.order[s], count = left.sorted_counts[i];
        if (count < 1 || count > n - i) {
            PyErr_SetString(PyExc_ValueError, "shared_kgrams: a count is out of range");
            goto done;
        }
        start[j] = i;
        if (count > max_occurrences || right.counts[j] > max_occurrences) {
            if (right.rank[j] >= 0 && right.rank[j] < count) ranked++;
        } else {
            every += count;
        }
    }
    lefts = PyByteArray_FromStringAndSize(NULL, (every + ranked) * 8);
    rights = PyByteArray_FromStringAndSize(NULL, (every + ranked) * 8);
    if (!lefts || !rights) goto done;
    int64_t *out_left = (int64_t *)PyByteArray_AS_STRING(lefts);
    int64_t *out_right = (int64_t *)PyByteArray_AS_STRING(rights);
    Py_ssize_t e = 0, r = every;
    for (Py_ssize_t j = 0; j < m; j++) {
        int64_t at = start[j];
        if (at < 0) continue;
        int64_t count = left.sorted_counts[at];
        if (count > max_occurrences || right.counts[j] > max_occurrences) {
            if (right.rank[j] >= 0 && right.rank[j] < count) {
                out_left[r] = left.order[at + right.rank[j]];
                out_right[r++] = j;
            }
            continue;
        }
        for (int64_t k = 0; k < count; k++) {
            out_left[e] = left.order[at + k];
            out_right[e++] = j;
        }
    }
    result = PyTuple_Pack(2, lefts, rights);
done:
    PyMem_Free(start);
    Py_XDECREF(lefts);
    Py_XDECREF(rights);
    PyBuffer_Release(&ls);
    PyBuffer_Release(&lo);
    PyBuffer_Release(&lc);
    PyBuffer_Release(&rs);
    PyBuffer_Release(&ro);
    PyBuffer_Release(&rc);
    PyBuffer_Release(&rr);
    return result;
}

/* ------------------------------------------------------------------ tiles */

typedef struct {
    int64_t left, right, length;
} Match;

static int by_diagonal(const void *a, const void *b) {
    const Match *x = a, *y = b;
    int64_t dx = x->left - x->right, dy = y->left - y->right;
    if (dx != dy) return dx < dy ? -1 : 1;
    return (x->left > y->left) - (x->left < y->left);
}

static int by_position(const void *a, const void *b) {
    const Match *x = a, *y = b;
    if (x->left != y->left) return x->left < y->left ? -1 : 1;
    if (x->right != y->right) return x->right < y->right ? -1 : 1;
    return (x->length > y->length) - (x->length < y->length);
}

/* The heap's order is Python's on ``(-length, left, right)``: longest first, then leftmost. */
static int before(const Match *x, const Match *y) {
    if (x->length != y->length) return x->length > y->length;
    if (x->left != y->left) return x->left < y->left;
    return x->right < y->right;
}

typedef struct {
    Match *items;
    Py_ssize_t size, capacity;
} Heap;

static int heap_push(Heap *h, Match m) {
    if (h->size == h->capacity) {
        Py_ssize_t capacity = h->capacity ? 2 * h->capacity : 64;
        Match *grown = PyMem_Realloc(h->items, (size_t)capacity * sizeof(Match));
        if (!grown) return -1;
        h->items = grown;
        h->capacity = capacity;
    }
    Py_ssize_t at = h->size++;
    while (at > 0) {
        Py_ssize_t parent = (at - 1) / 2;
        if (!before(&m, &h->items[parent])) break;
        h->items[at] = h->items[parent];
        at = parent;
    }
    h->items[at] = m;
    return 0;
}

static Match heap_pop(Heap *h) {
    Match top = h->items[0], last = h->items[--h->size];
    Py_ssize_t at = 0;
    for (;;) {
        Py_ssize_t child = 2 * at + 1;
        if (child >= h->size) break;
        if (child + 1 < h->size && before(&h->items[child + 1], &h->items[child])) child++;
        if (!before(&h->items[child], &last)) break;
        h->items[at] = h->items[child];
        at = child;
    }
    if (h->size) h->items[at] = last;
    return top;
}

/* ``fragments.maximal_matches``: seeds sorted by diagonal then position, consecutive ones
 * joined into runs, a run whose neighbouring tokens agree grown both ways, the matches
 * sorted by position and made distinct, the short ones left out.  Returns how many of
 * ``matches`` (one per seed at most) were filled. */
static Py_ssize_t maximal(const int64_t *ls, const int64_t *rs, Py_ssize_t seeds,
                          const uint64_t *left, Py_ssize_t nl, const uint64_t *right,
                          Py_ssize_t nr, int64_t k, int64_t min_length, Match *matches) {
    for (Py_ssize_t s = 0; s < seeds; s++) matches[s] = (Match){ls[s], rs[s], 0};
    qsort(matches, (size_t)seeds, sizeof(Match), by_diagonal);
    Py_ssize_t runs = 0;
    for (Py_ssize_t s = 0; s < seeds;) {
        Py_ssize_t e = s;
        while (e + 1 < seeds && matches[e + 1].left - matches[e + 1].right ==
                                    matches[s].left - matches[s].right &&
               matches[e + 1].left == matches[e].left + 1)
            e++;
        int64_t i = matches[s].left, j = matches[s].right, length = matches[e].left - i + k;
        int grows = (i > 0 && j > 0 && left[i - 1] == right[j - 1]) ||
                    (i + length < nl && j + length < nr && left[i + length] == right[j + length]);
        if (grows) {
            int64_t back = 0, ahead = 0;
            while (i - 1 - back >= 0 && j - 1 - back >= 0 && left[i - 1 - back] == right[j - 1 - back])
                back++;
            while (i + length + ahead < nl && j + length + ahead < nr &&
                   left[i + length + ahead] == right[j + length + ahead])
                ahead++;
            i -= back;
            j -= back;
            length += back + ahead;
        }
        matches[runs++] = (Match){i, j, length};
        s = e + 1;
    }
    qsort(matches, (size_t)runs, sizeof(Match), by_position);
    Py_ssize_t kept = 0;
    for (Py_ssize_t r = 0; r < runs; r++) {
        if (r > 0 && matches[r].left == matches[r - 1].left &&
            matches[r].right == matches[r - 1].right && matches[r].length == matches[r - 1].length)
            continue;
        if (matches[r].length < min_length) continue;
        matches[kept++] = matches[r];
    }
    return kept;
}

static PyObject *tiles(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer lsb, rsb, lb, rb;
    long long k, min_length;
    if (!PyArg_ParseTuple(args, "y*y*y*y*LL", &lsb, &rsb, &lb, &rb, &k, &min_length)) return NULL;
    PyObject *result = NULL, *outs[3] = {NULL, NULL, NULL};
    Match *matches = NULL;
    Heap heap = {NULL, 0, 0};
    unsigned char *left_taken = NULL, *right_taken = NULL;
    Py_ssize_t seeds = lsb.len / 8, nl = lb.len / 8, nr = rb.len / 8;
    const int64_t *ls = lsb.buf, *rs = rsb.buf;
    if (lsb.len % 8 || rsb.len != lsb.len || lb.len % 8 || rb.len % 8) {
        PyErr_SetString(PyExc_ValueError, "tiles: buffer sizes disagree");
        goto done;
    }
    if (k < 1 || min_length < 0) {
        PyErr_SetString(PyExc_ValueError, "tiles: k must be positive, min_length not negative");
        goto done;
    }
    for (Py_ssize_t s = 0; s < seeds; s++)
        if (ls[s] < 0 || rs[s] < 0 || ls[s] > nl - k || rs[s] > nr - k) {
            PyErr_SetString(PyExc_ValueError, "tiles: a seed lies outside the streams");
            goto done;
        }
    matches = PyMem_Malloc((size_t)(seeds ? seeds : 1) * sizeof(Match));
    left_taken = PyMem_Calloc((size_t)(nl ? nl : 1), 1);
    right_taken = PyMem_Calloc((size_t)(nr ? nr : 1), 1);
    if (!matches || !left_taken || !right_taken) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t found = maximal(ls, rs, seeds, lb.buf, nl, rb.buf, nr, k, min_length, matches);
    for (Py_ssize_t m = 0; m < found; m++)
        if (heap_push(&heap, matches[m]) < 0) {
            PyErr_NoMemory();
            goto done;
        }
    /* ``fragments.tile``: longest first; a match overlapping taken tokens competes again
     * with its untaken pieces that are still long enough. */
    Py_ssize_t count = 0;
    while (heap.size) {
        Match m = heap_pop(&heap);
        int clear = 1;
        for (int64_t t = 0; t < m.length && clear; t++)
            clear = !left_taken[m.left + t] && !right_taken[m.right + t];
        if (clear) {
            memset(left_taken + m.left, 1, (size_t)m.length);
            memset(right_taken + m.right, 1, (size_t)m.length);
            matches[count++] = m;
            continue;
        }
        for (int64_t t = 0; t < m.length;) {
            if (left_taken[m.left + t] || right_taken[m.right + t]) {
                t++;
                continue;
            }
            int64_t start = t;
            while (t < m.length && !left_taken[m.left + t] && !right_taken[m.right + t]) t++;
            if (t - start >= min_length &&
                heap_push(&heap, (Match){m.left + start, m.right + start, t - start}) < 0) {
                PyErr_NoMemory();
                goto done;
            }
        }
    }
    qsort(matches, (size_t)count, sizeof(Match), by_position);
    for (int f = 0; f < 3; f++) {
        outs[f] = PyByteArray_FromStringAndSize(NULL, count * 8);
        if (!outs[f]) goto done;
    }
    int64_t *oi = (int64_t *)PyByteArray_AS_STRING(outs[0]);
    int64_t *oj = (int64_t *)PyByteArray_AS_STRING(outs[1]);
    int64_t *ol = (int64_t *)PyByteArray_AS_STRING(outs[2]);
    for (Py_ssize_t t = 0; t < count; t++) {
        oi[t] = matches[t].left;
        oj[t] = matches[t].right;
        ol[t] = matches[t].length;
    }
    result = PyTuple_Pack(3, outs[0], outs[1], outs[2]);
done:
    for (int f = 0; f < 3; f++) Py_XDECREF(outs[f]);
    PyMem_Free(matches);
    PyMem_Free(heap.items);
    PyMem_Free(left_taken);
    PyMem_Free(right_taken);
    PyBuffer_Release(&lsb);
    PyBuffer_Release(&rsb);
    PyBuffer_Release(&lb);
    PyBuffer_Release(&rb);
    return result;
}

/* ``seeds.kgram_table``: the k-grams' stable sort order (a bottom-up merge sort of the
 * positions), the sorted values, each k-gram's count of equal ones, and its rank among
 * them in sorted (that is position) order. */
static PyObject *kgram_table(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer kgrams, order_out, sorted_out, counts_out, rank_out, sorted_counts_out;
    if (!PyArg_ParseTuple(args, "y*w*w*w*w*w*", &kgrams, &order_out, &sorted_out, &counts_out,
                          &rank_out, &sorted_counts_out))
        return NULL;
    PyObject *result = NULL;
    int64_t *spare = NULL;
    Py_ssize_t n = kgrams.len / 8;
    if (kgrams.len % 8 || order_out.len != kgrams.len || sorted_out.len != kgrams.len ||
        counts_out.len != kgrams.len || rank_out.len != kgrams.len ||
        sorted_counts_out.len != kgrams.len) {
        PyErr_SetString(PyExc_ValueError, "kgram_table: buffer sizes disagree");
        goto done;
    }
    if (n && !(spare = PyMem_Malloc(n * sizeof(int64_t)))) {
        PyErr_NoMemory();
        goto done;
    }
    const uint64_t *value = kgrams.buf;
    int64_t *order = order_out.buf, *counts = counts_out.buf, *rank = rank_out.buf;
    int64_t *sorted_counts = sorted_counts_out.buf;
    uint64_t *sorted = sorted_out.buf;
    Py_BEGIN_ALLOW_THREADS
    int64_t *from = order, *to = spare;
    for (Py_ssize_t i = 0; i < n; i++) from[i] = i;
    for (Py_ssize_t width = 1; width < n; width *= 2) {
        for (Py_ssize_t lo = 0; lo < n; lo += 2 * width) {
            Py_ssize_t mid = lo + width < n ? lo + width : n;
            Py_ssize_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            Py_ssize_t a = lo, b = mid, at = lo;
            /* Ties take the left run first: stable. */
            while (a < mid && b < hi) to[at++] = value[from[b]] < value[from[a]] ? from[b++] : from[a++];
            while (a < mid) to[at++] = from[a++];
            while (b < hi) to[at++] = from[b++];
        }
        int64_t *swap = from; from = to; to = swap;
    }
    if (from != order) memcpy(order, from, n * sizeof(int64_t));
    for (Py_ssize_t i = 0; i < n; i++) sorted[i] = value[order[i]];
    for (Py_ssize_t start = 0, end; start < n; start = end) {
        for (end = start + 1; end < n && sorted[end] == sorted[start]; end++) {}
        for (Py_ssize_t i = start; i < end; i++) {
            sorted_counts[i] = end - start;
            counts[order[i]] = end - start;
            rank[order[i]] = i - start;
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(spare);
    PyBuffer_Release(&kgrams);
    PyBuffer_Release(&order_out);
    PyBuffer_Release(&sorted_out);
    PyBuffer_Release(&counts_out);
    PyBuffer_Release(&rank_out);
    PyBuffer_Release(&sorted_counts_out);
    return result;
}

static PyMethodDef methods[] = {
    {"kgram_table", kgram_table, METH_VARARGS,
     "kgram_table(kgrams, order, sorted, counts, rank, sorted_counts)\n--\n\n"
     "Fill the five arrays of ``seeds.kgram_table`` (int64, the sorted values uint64) for "
     "``kgrams`` (uint64)."},
    {"shared_kgrams", shared_kgrams, METH_VARARGS,
     "shared_kgrams(left_sorted, left_order, left_sorted_counts, right_sorted, right_order, "
     "right_counts, right_rank, max_occurrences)\n--\n\n"
     "``seeds.shared_kgrams`` of two ``KgramTable``s' arrays (uint64 k-grams, int64 the "
     "rest): the left and right positions as two bytearrays of int64."},
    {"tiles", tiles, METH_VARARGS,
     "tiles(left_seeds, right_seeds, left_hashes, right_hashes, k, min_length)\n--\n\n"
     "``fragments.tile(fragments.maximal_matches(...), len(left), len(right), min_length)`` "
     "on int64 seeds and uint64 symbol hashes: the tiles' left starts, right starts and "
     "lengths as three bytearrays of int64, sorted by position."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_align", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__align(void) { return PyModule_Create(&module); }
