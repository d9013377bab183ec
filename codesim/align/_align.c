/* The core of an alignment compiled, each function exactly its Python counterpart:
 *
 * - ``shared_kgrams`` (align/seeds.py): the positions ``(i, j)`` where two streams share a
 *   k-gram, found by merging the two sorted k-gram arrays once instead of a binary search
 *   per k-gram, then emitted in the Python function's order (right position ascending, each
 *   left occurrence in sorted order; the rank-paired frequent k-grams after all the others);
 * - ``tiles`` (align/fragments.py): ``tile(maximal_matches(...))``, the seeds joined into
 *   maximal matches and tiled greedily, longest first, with the same tie-breaks;
 * - ``kgram_table`` (align/seeds.py): a stream's k-grams sorted and counted;
 * - ``kgram_covers`` and ``kgram_cover`` (align/seeds.py): each stream's tokens inside a
 *   k-gram the other also has, or one stream's inside a k-gram of a sorted set, from one
 *   merge of the sorted arrays;
 * - ``verify`` (align/__init__.py): tiles cut where their names or constants say "not a
 *   copy", and trimmed at a definition they barely enter;
 * - ``names`` (align/__init__.py, ``Stream.names``): each placeholder's ``(scope, text)``
 *   ranked among the stream's distinct ones.
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

/* Sets the k tokens (fewer at the end) from each position ``order[from, to)`` holds. */
static int cover_run(const int64_t *order, Py_ssize_t from, Py_ssize_t to, Py_ssize_t k,
                     unsigned char *covered, Py_ssize_t tokens) {
    for (Py_ssize_t i = from; i < to; i++) {
        int64_t at = order[i];
        if (at < 0 || at >= tokens) {
            PyErr_SetString(PyExc_ValueError, "kgram cover: a k-gram lies past the tokens");
            return -1;
        }
        memset(covered + at, 1, (size_t)(k < tokens - at ? k : tokens - at));
    }
    return 0;
}

/* One merge of two sorted k-gram arrays, stepped without branches (most values are on one
 * side only): each value both hold covers every occurrence's k tokens, on the left and,
 * where ``right_order`` is given, on the right. */
static int merge_covers(const uint64_t *left, const int64_t *left_order, Py_ssize_t n,
                        unsigned char *left_out, Py_ssize_t left_tokens, const uint64_t *right,
                        const int64_t *right_order, Py_ssize_t m, unsigned char *right_out,
                        Py_ssize_t right_tokens, Py_ssize_t k) {
    if (k < 1) {
        PyErr_SetString(PyExc_ValueError, "kgram cover: k must be positive");
        return -1;
    }
    Py_ssize_t i = 0, j = 0;
    while (i < n && j < m) {
        uint64_t a = left[i], b = right[j];
        if (a != b) {
            i += a < b;
            j += b < a;
            continue;
        }
        Py_ssize_t i_end = i, j_end = j;
        while (i_end < n && left[i_end] == a) i_end++;
        while (j_end < m && right[j_end] == a) j_end++;
        if (cover_run(left_order, i, i_end, k, left_out, left_tokens) < 0) return -1;
        if (right_order && cover_run(right_order, j, j_end, k, right_out, right_tokens) < 0)
            return -1;
        i = i_end;
        j = j_end;
    }
    return 0;
}

static PyObject *kgram_covers(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer ls, lo, rs, ro, lout, rout;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "y*y*y*y*nw*w*", &ls, &lo, &rs, &ro, &k, &lout, &rout))
        return NULL;
    PyObject *result = NULL;
    /* Only the positions used are read, each checked where it is (``cover_run``). */
    if (ls.len % 8 || lo.len != ls.len || rs.len % 8 || ro.len != rs.len) {
        PyErr_SetString(PyExc_ValueError, "kgram_covers: buffer sizes disagree");
        goto done;
    }
    if (merge_covers(ls.buf, lo.buf, ls.len / 8, lout.buf, lout.len, rs.buf, ro.buf, rs.len / 8,
                     rout.buf, rout.len, k) < 0)
        goto done;
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&ls);
    PyBuffer_Release(&lo);
    PyBuffer_Release(&rs);
    PyBuffer_Release(&ro);
    PyBuffer_Release(&lout);
    PyBuffer_Release(&rout);
    return result;
}

static PyObject *kgram_cover(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer ls, lo, values, out;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "y*y*y*nw*", &ls, &lo, &values, &k, &out)) return NULL;
    PyObject *result = NULL;
    if (ls.len % 8 || lo.len != ls.len || values.len % 8) {
        PyErr_SetString(PyExc_ValueError, "kgram_cover: buffer sizes disagree");
        goto done;
    }
    if (merge_covers(ls.buf, lo.buf, ls.len / 8, out.buf, out.len, values.buf, NULL,
                     values.len / 8, NULL, 0, k) < 0)
        goto done;
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&ls);
    PyBuffer_Release(&lo);
    PyBuffer_Release(&values);
    PyBuffer_Release(&out);
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

/* ------------------------------------------------------------------ verify */

/* The first index of ascending ``a`` holding ``x`` or more (numpy's ``searchsorted``). */
static Py_ssize_t lower_bound(const int64_t *a, Py_ssize_t n, int64_t x) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The hits of ascending ``positions`` inside each tile, tile by tile (``_aligned_rows``):
 * left positions, right partners and (unless ``row`` is NULL) tile rows.  Returns how many,
 * or -1 (memory). */
static Py_ssize_t aligned_rows(const int64_t *positions, Py_ssize_t n, const int64_t *tl,
                               const int64_t *tr, const int64_t *tn, Py_ssize_t tiles,
                               int64_t **left, int64_t **right, int64_t **row) {
    Py_ssize_t total = 0;
    for (Py_ssize_t t = 0; t < tiles; t++) {
        Py_ssize_t lo = lower_bound(positions, n, tl[t]), hi = lower_bound(positions, n, tl[t] + tn[t]);
        total += hi > lo ? hi - lo : 0;
    }
    *left = PyMem_Malloc((size_t)(total ? total : 1) * 8);
    *right = PyMem_Malloc((size_t)(total ? total : 1) * 8);
    if (row) *row = PyMem_Malloc((size_t)(total ? total : 1) * 8);
    if (!*left || !*right || (row && !*row)) return -1;
    Py_ssize_t at = 0;
    for (Py_ssize_t t = 0; t < tiles; t++) {
        Py_ssize_t lo = lower_bound(positions, n, tl[t]), hi = lower_bound(positions, n, tl[t] + tn[t]);
        for (Py_ssize_t i = lo; i < hi; i++, at++) {
            (*left)[at] = positions[i];
            (*right)[at] = positions[i] + tr[t] - tl[t];
            if (row) (*row)[at] = t;
        }
    }
    return total;
}

/* Whether every value lies in [lo, hi). */
static int within(const int64_t *a, Py_ssize_t n, int64_t lo, int64_t hi) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (a[i] < lo || a[i] >= hi) return 0;
    return 1;
}

/* Whether the values ascend (ties allowed) and lie in [lo, hi). */
static int ascending(const int64_t *a, Py_ssize_t n, int64_t lo, int64_t hi) {
    for (Py_ssize_t i = 1; i < n; i++)
        if (a[i] < a[i - 1]) return 0;
    return within(a, n, lo, hi);
}

typedef struct { int64_t key, value, count; } Vote;

/* ``_majority``'s order: key ascending, count descending, value ascending. */
static int by_vote(const void *a, const void *b) {
    const Vote *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->value > y->value) - (x->value < y->value);
}

typedef struct { int64_t one, two; } NamePair;

static int by_names(const void *a, const void *b) {
    const NamePair *x = a, *y = b;
    if (x->one != y->one) return x->one < y->one ? -1 : 1;
    return (x->two > y->two) - (x->two < y->two);
}

/* For each key, the value voted most often with it (ties: the smallest), -1 for none;
 * ``votes`` are reordered. */
static void majority(Vote *votes, Py_ssize_t n, int64_t *best, Py_ssize_t size) {
    for (Py_ssize_t i = 0; i < size; i++) best[i] = -1;
    qsort(votes, (size_t)n, sizeof(Vote), by_vote);
    for (Py_ssize_t i = 0; i < n; i++)
        if (i == 0 || votes[i].key != votes[i - 1].key) best[votes[i].key] = votes[i].value;
}

static int cmp_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static PyObject *verify(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer tlb, trb, tnb, litb, plb, defb, lnb, rnb;
    PyObject *ltexts, *rtexts;
    Py_ssize_t nleft, nright;
    long long min_length, evidence;
    double agreement;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*O!O!y*y*nnLLd", &tlb, &trb, &tnb, &litb, &plb, &defb,
                          &PyList_Type, &ltexts, &PyList_Type, &rtexts, &lnb, &rnb, &nleft, &nright,
                          &min_length, &evidence, &agreement))
        return NULL;
    PyObject *result = NULL, *outs[3] = {NULL, NULL, NULL};
    int64_t *lp = NULL, *rp = NULL, *rows = NULL, *placed = NULL, *partners = NULL;
    int64_t *conflicts = NULL, *forward = NULL, *backward = NULL, *aligned = NULL, *differing = NULL;
    int64_t *kept = NULL;
    Vote *votes = NULL;
    NamePair *pairs = NULL;
    Py_ssize_t tiles = tlb.len / 8, nlit = litb.len / 8, nph = plb.len / 8, ndef = defb.len / 8;
    Py_ssize_t lnames = lnb.len / 8, rnames = rnb.len / 8;
    const int64_t *tl = tlb.buf, *tr = trb.buf, *tn = tnb.buf, *lit = litb.buf, *ph = plb.buf;
    const int64_t *heads = defb.buf, *ln = lnb.buf, *rn = rnb.buf;
    if (tlb.len % 8 || trb.len != tlb.len || tnb.len != tlb.len || litb.len % 8 || plb.len % 8 ||
        defb.len % 8 || lnb.len % 8 || rnb.len % 8 || lnames != nleft || rnames != nright ||
        PyList_GET_SIZE(ltexts) != nleft || PyList_GET_SIZE(rtexts) != nright || min_length < 0) {
        PyErr_SetString(PyExc_ValueError, "verify: buffer sizes disagree");
        goto done;
    }
    for (Py_ssize_t t = 0; t < tiles; t++)
        if (tn[t] < 0 || tl[t] < 0 || tr[t] < 0 || tl[t] > nleft - tn[t] || tr[t] > nright - tn[t]) {
            PyErr_SetString(PyExc_ValueError, "verify: a tile lies outside the streams");
            goto done;
        }
    if (!ascending(lit, nlit, 0, nleft) || !ascending(ph, nph, 0, nleft) ||
        !ascending(heads, ndef, INT64_MIN, INT64_MAX)) {
        PyErr_SetString(PyExc_ValueError, "verify: positions are not ascending within the stream");
        goto done;
    }
    if (!within(rn, rnames, -1, rnames) || !within(ln, lnames, -1, lnames)) {
        PyErr_SetString(PyExc_ValueError, "verify: a name rank is out of range");
        goto done;
    }

    /* Literal conflicts: the differing literals of tiles whose literals mostly differ. */
    Py_ssize_t lits = aligned_rows(lit, nlit, tl, tr, tn, tiles, &lp, &rp, &rows);
    if (lits < 0) { PyErr_NoMemory(); goto done; }
    aligned = PyMem_Calloc((size_t)(tiles ? tiles : 1), 8);
    differing = PyMem_Calloc((size_t)(tiles ? tiles : 1), 8);
    unsigned char *differ = PyMem_Malloc((size_t)(lits ? lits : 1));
    if (!aligned || !differing || !differ) { PyMem_Free(differ); PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < lits; i++) {
        int ne = PyObject_RichCompareBool(PyList_GET_ITEM(ltexts, lp[i]), PyList_GET_ITEM(rtexts, rp[i]), Py_NE);
        if (ne < 0) { PyMem_Free(differ); goto done; }
        differ[i] = (unsigned char)ne;
        aligned[rows[i]]++;
        differing[rows[i]] += ne;
    }
    Py_ssize_t nconf = 0;
    Py_ssize_t names = aligned_rows(ph, nph, tl, tr, tn, tiles, &placed, &partners, NULL);
    if (names < 0) { PyMem_Free(differ); PyErr_NoMemory(); goto done; }
    conflicts = PyMem_Malloc((size_t)(lits + names ? lits + names : 1) * 8);
    if (!conflicts) { PyMem_Free(differ); PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < lits; i++)
        if (differ[i] && aligned[rows[i]] >= evidence &&
            (double)differing[rows[i]] > (1.0 - agreement) * (double)aligned[rows[i]])
            conflicts[nconf++] = lp[i];
    PyMem_Free(differ);

    /* Name conflicts: aligned placeholders against the pair's majority renaming. */
    pairs = PyMem_Malloc((size_t)(names ? names : 1) * sizeof(NamePair));
    votes = PyMem_Malloc((size_t)(names ? names : 1) * sizeof(Vote));
    forward = PyMem_Malloc((size_t)(lnames ? lnames : 1) * 8);
    backward = PyMem_Malloc((size_t)(rnames ? rnames : 1) * 8);
    if (!pairs || !votes || !forward || !backward) { PyErr_NoMemory(); goto done; }
    Py_ssize_t npairs = 0;
    for (Py_ssize_t i = 0; i < names; i++) {
        int64_t one = ln[placed[i]], two = rn[partners[i]];
        if (one < 0) { /* the Python code's negative indexing is not followed here */
            result = Py_NewRef(Py_None);
            goto done;
        }
        if (two >= 0) pairs[npairs++] = (NamePair){one, two};
    }
    qsort(pairs, (size_t)npairs, sizeof(NamePair), by_names);
    Py_ssize_t nvotes = 0;
    for (Py_ssize_t i = 0; i < npairs; i++) {
        if (nvotes && votes[nvotes - 1].key == pairs[i].one && votes[nvotes - 1].value == pairs[i].two)
            votes[nvotes - 1].count++;
        else
            votes[nvotes++] = (Vote){pairs[i].one, pairs[i].two, 1};
    }
    majority(votes, nvotes, forward, lnames);
    for (Py_ssize_t i = 0; i < nvotes; i++) {
        int64_t swap = votes[i].key;
        votes[i].key = votes[i].value;
        votes[i].value = swap;
    }
    majority(votes, nvotes, backward, rnames);
    for (Py_ssize_t i = 0; i < names; i++) {
        int64_t one = ln[placed[i]], two = rn[partners[i]];
        if (two < 0 || forward[one] != two || backward[two] != one) conflicts[nconf++] = placed[i];
    }
    qsort(conflicts, (size_t)nconf, 8, cmp_int64);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < nconf; i++)
        if (!distinct || conflicts[distinct - 1] != conflicts[i]) conflicts[distinct++] = conflicts[i];

    /* Tiles cut at the conflicts, pieces trimmed at a definition they barely enter. */
    /* A tile gives at most one piece more than the conflicts inside it (tiles may overlap:
     * one conflict can cut several). */
    Py_ssize_t room = 0;
    for (Py_ssize_t t = 0; t < tiles; t++)
        room += lower_bound(conflicts, distinct, tl[t] + tn[t]) - lower_bound(conflicts, distinct, tl[t]) + 1;
    kept = PyMem_Malloc((size_t)(room ? room : 1) * 3 * 8);
    if (!kept) { PyErr_NoMemory(); goto done; }
    Py_ssize_t nkept = 0;
    for (Py_ssize_t t = 0; t < tiles; t++) {
        int64_t start = tl[t], end = tl[t] + tn[t];
        Py_ssize_t c = lower_bound(conflicts, distinct, start), stop = lower_bound(conflicts, distinct, end);
        for (;; c++) {
            int64_t cut = c < stop ? conflicts[c] : end;
            if (cut - start >= min_length) {
                int64_t pl = start, pr = tr[t] + start - tl[t], pn = cut - start;
                int64_t pend = pl + pn;
                int keep = 1;
                if (pend != nleft && pr + pn != nright) {
                    Py_ssize_t index = lower_bound(heads, ndef, pend) - 1;
                    if (index >= 0 && heads[index] > pl && pend - heads[index] < min_length) {
                        pn = heads[index] - pl;
                        keep = pn >= min_length;
                    }
                }
                if (keep) {
                    kept[3 * nkept] = pl;
                    kept[3 * nkept + 1] = pr;
                    kept[3 * nkept + 2] = pn;
                    nkept++;
                }
            }
            start = cut + 1;
            if (c >= stop) break;
        }
    }
    for (int f = 0; f < 3; f++) {
        outs[f] = PyByteArray_FromStringAndSize(NULL, nkept * 8);
        if (!outs[f]) goto done;
        int64_t *o = (int64_t *)PyByteArray_AS_STRING(outs[f]);
        for (Py_ssize_t i = 0; i < nkept; i++) o[i] = kept[3 * i + f];
    }
    result = PyTuple_Pack(3, outs[0], outs[1], outs[2]);
done:
    for (int f = 0; f < 3; f++) Py_XDECREF(outs[f]);
    PyMem_Free(lp); PyMem_Free(rp); PyMem_Free(rows);
    PyMem_Free(placed); PyMem_Free(partners);
    PyMem_Free(conflicts); PyMem_Free(forward); PyMem_Free(backward);
    PyMem_Free(aligned); PyMem_Free(differing); PyMem_Free(kept);
    PyMem_Free(votes); PyMem_Free(pairs);
    PyBuffer_Release(&tlb); PyBuffer_Release(&trb); PyBuffer_Release(&tnb);
    PyBuffer_Release(&litb); PyBuffer_Release(&plb); PyBuffer_Release(&defb);
    PyBuffer_Release(&lnb); PyBuffer_Release(&rnb);
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

/* ``Stream.names``: the rank of each placeholder's ``(scope, text)`` among the stream's
 * distinct ones in sorted order.  Python orders the tuples by scope, then by code point;
 * UTF-8 bytes compared with memcmp order the same way. */
typedef struct {
    int64_t scope;
    const char *text;
    Py_ssize_t size;
    Py_ssize_t position;
} Name;

static int by_name(const void *a, const void *b) {
    const Name *x = a, *y = b;
    if (x->scope != y->scope) return x->scope < y->scope ? -1 : 1;
    int c = memcmp(x->text, y->text, (size_t)(x->size < y->size ? x->size : y->size));
    if (c) return c;
    return (x->size > y->size) - (x->size < y->size);
}

static PyObject *names(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *roles, *scopes, *texts;
    Py_buffer out;
    if (!PyArg_ParseTuple(args, "O!O!O!w*", &PyList_Type, &roles, &PyList_Type, &scopes,
                          &PyList_Type, &texts, &out))
        return NULL;
    PyObject *result = NULL;
    Name *items = NULL;
    Py_ssize_t n = PyList_GET_SIZE(roles), count = 0;
    if (PyList_GET_SIZE(scopes) != n || PyList_GET_SIZE(texts) != n ||
        out.len != n * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "names: sizes disagree");
        goto done;
    }
    if (n && !(items = PyMem_Malloc(n * sizeof(Name)))) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t *ranks = out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        ranks[i] = -1;
        int named = PyObject_IsTrue(PyList_GET_ITEM(roles, i));
        if (named < 0) goto done;
        if (!named) continue;
        PyObject *scope = PyList_GET_ITEM(scopes, i), *text = PyList_GET_ITEM(texts, i);
        int overflow = 0;
        long long value = PyLong_Check(scope) ? PyLong_AsLongLongAndOverflow(scope, &overflow) : -1;
        if (!PyLong_Check(scope) || overflow || !PyUnicode_Check(text)) {
            result = Py_NewRef(Py_False); /* not what a stream holds: the Python code decides */
            goto done;
        }
        Py_ssize_t size;
        const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
        if (utf8 == NULL) { /* a lone surrogate: no UTF-8 to compare, the Python code decides */
            PyErr_Clear();
            result = Py_NewRef(Py_False);
            goto done;
        }
        items[count++] = (Name){(int64_t)value, utf8, size, i};
    }
    if (count) qsort(items, (size_t)count, sizeof(Name), by_name); /* qsort wants an array even to sort nothing */
    for (Py_ssize_t k = 0, rank = -1; k < count; k++) {
        if (!k || by_name(&items[k - 1], &items[k])) rank++;
        ranks[items[k].position] = rank;
    }
    result = Py_NewRef(Py_True);
done:
    PyMem_Free(items);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"verify", verify, METH_VARARGS,
     "verify(lefts, rights, lengths, literals, placeholders, definitions, left_texts, "
     "right_texts, left_names, right_names, left_size, right_size, min_length, "
     "literal_evidence, literal_agreement)\n--\n\n"
     "``align.verify`` of tiles given as three int64 arrays, on a pair of streams' arrays "
     "(int64) and texts (lists): the kept tiles as three bytearrays of int64, or None where "
     "the Python code must decide (a placeholder without a name)."},
    {"names", names, METH_VARARGS,
     "names(roles, scopes, texts, out)\n--\n\n"
     "``Stream.names`` of a stream's lists into ``out`` (int64): True, or False where the "
     "Python code must decide (a text with a lone surrogate, a scope that is not a machine "
     "integer)."},
    {"kgram_table", kgram_table, METH_VARARGS,
     "kgram_table(kgrams, order, sorted, counts, rank, sorted_counts)\n--\n\n"
     "Fill the five arrays of ``seeds.kgram_table`` (int64, the sorted values uint64) for "
     "``kgrams`` (uint64)."},
    {"shared_kgrams", shared_kgrams, METH_VARARGS,
     "shared_kgrams(left_sorted, left_order, left_sorted_counts, right_sorted, right_order, "
     "right_counts, right_rank, max_occurrences)\n--\n\n"
     "``seeds.shared_kgrams`` of two ``KgramTable``s' arrays (uint64 k-grams, int64 the "
     "rest): the left and right positions as two bytearrays of int64."},
    {"kgram_covers", kgram_covers, METH_VARARGS,
     "kgram_covers(left_sorted, left_order, right_sorted, right_order, k, left_out, "
     "right_out)\n--\n\n"
     "``seeds.kgram_covers`` of two ``KgramTable``s' arrays (uint64 k-grams, int64 the "
     "order): sets ``left_out[p]`` and ``right_out[p]`` (a byte a token of each stream) for "
     "every token inside a k-gram both streams have; the rest is left as it is."},
    {"kgram_cover", kgram_cover, METH_VARARGS,
     "kgram_cover(sorted, order, values, k, out)\n--\n\n"
     "``seeds.kgram_cover`` of a ``KgramTable``'s arrays (uint64 k-grams, int64 the order) "
     "and sorted uint64 ``values``: sets ``out[p]`` (a byte a token) for every token inside "
     "a k-gram whose hash is one of ``values``; the rest is left as it is."},
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
