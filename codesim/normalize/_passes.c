/* The canonicalization passes that run before ordering (passes.split_tuple_assignments,
 * drop_local_keywords, flatten_else_if, drop_dead_code, merge_conditionals and
 * rewrite_loops) compiled, in one call per file.  The Python code stays the specification;
 * the tests compare both on every file they read.
 *
 * Each pass runs over the whole block list before the next starts, visiting the blocks and
 * statements in the Python order and rewriting the same Python objects (Block.statements,
 * Statement.segments, the symbol and binder lists, the dropped bytes): a pass may leave a
 * listed block unreachable, and the later passes still visit it, as the Python code does.
 * Every index is checked before use, so a malformed IR raises an error instead of crashing.
 * Loops are iterative however deep the IR nests.
 */
#include "_common.h"

#include <string.h>

static PyObject *s_statements, *s_segments, *s_parts, *s_kind, *s_head, *s_targets, *s_values,
    *s_strip;
/* Symbols and texts the passes test for or write (their literals in passes.py). */
static PyObject *k_if_statement, *k_else_clause, *k_elif_clause, *k_param, *k_assignment,
    *k_conditional_expression, *k_return_statement, *k_while_statement, *k_for_statement,
    *k_comparison_operator, *k_less, *k_binary_operator, *k_plus, *k_int, *k_continue_statement,
    *k_in, *k_call, *k_range, *k_list, *k_set, *k_dictionary, *k_dict, *k_list_comprehension,
    *k_set_comprehension, *k_dictionary_comprehension, *k_append, *k_add, *k_attribute,
    *k_subscript, *k_pair, *k_for_in_clause, *k_if_clause, *k_zero, *k_one;

typedef struct {
    PyObject *block_type, *statement_type;
    PyObject *symbols, *texts, *binder_list; /* the caller's lists, rewritten in place */
    long *modes;                             /* the modes, read once */
    Py_ssize_t *binders;                     /* the binders, read once and written through */
    unsigned char *dropped;
    Py_ssize_t tokens;
    PyObject *hoisted, *declarations, *functions, *pure, *conditionals, *terminators, *falsy;
    unsigned char writes[256];
    long mode_none, mode_use, mode_bind, mode_kwarg;
    int trust_structure;
    Ints order; /* scratch: a flattened statement's token indices */
    /* passes._unused_locals: (binding scope, text id) -> 1 bound | 2 read, open-addressed */
    PyObject *text_ids;
    Py_ssize_t *slot_scope, *slot_text;
    unsigned char *slot_flags;
    Py_ssize_t slot_capacity, slot_size;
} Canon;

typedef struct {
    Py_ssize_t start, stop;
} Span;

/* ---- reading the IR ---- */

static PyObject *attr_list(PyObject *owner, PyObject *name) {
    PyObject *items = slot_getattr(owner, name);
    if (items != NULL && !PyList_Check(items)) {
        Py_DECREF(items);
        PyErr_Format(PyExc_TypeError, "%U must be a list", name);
        return NULL;
    }
    return items;
}

/* list[index] as a new reference; IndexError outside the list (whatever its size now). */
static PyObject *item(PyObject *list, Py_ssize_t index) {
    if (index < 0 || index >= PyList_GET_SIZE(list)) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return NULL;
    }
    return Py_NewRef(PyList_GET_ITEM(list, index));
}

static int span_of(Canon *c, PyObject *segment, Span *out) {
    if (!PyRange_Check(segment)) {
        PyErr_SetString(PyExc_TypeError, "a token range must be a range");
        return -1;
    }
    return segment_bounds(segment, c->tokens, &out->start, &out->stop);
}

static int index_of(PyObject *number, Py_ssize_t *out) {
    *out = PyLong_AsSsize_t(number);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

static int check_token(Canon *c, Py_ssize_t i) {
    if (i < 0 || i >= c->tokens) {
        PyErr_SetString(PyExc_IndexError, "a token index is out of range");
        return -1;
    }
    return 0;
}

/* ``a == constant`` for an interned str constant: 1, 0, never an error for str items. */
static inline int same(PyObject *a, PyObject *constant) {
    if (a == constant) return 1;
    return PyUnicode_Check(a) && PyUnicode_GET_LENGTH(a) == PyUnicode_GET_LENGTH(constant) &&
           PyUnicode_Compare(a, constant) == 0;
}

static int symbol_is(Canon *c, Py_ssize_t i, PyObject *constant) {
    if (i < 0 || i >= PyList_GET_SIZE(c->symbols)) {
        PyErr_SetString(PyExc_IndexError, "a symbol index is out of range");
        return -1;
    }
    return same(PyList_GET_ITEM(c->symbols, i), constant);
}

static int text_is(Canon *c, Py_ssize_t i, PyObject *constant) {
    if (i < 0 || i >= PyList_GET_SIZE(c->texts)) {
        PyErr_SetString(PyExc_IndexError, "a text index is out of range");
        return -1;
    }
    return same(PyList_GET_ITEM(c->texts, i), constant);
}

/* texts[i] == texts[j] */
static int texts_equal(Canon *c, Py_ssize_t i, Py_ssize_t j) {
    PyObject *a = item(c->texts, i);
    PyObject *b = a ? item(c->texts, j) : NULL;
    int equal = b ? PyObject_RichCompareBool(a, b, Py_EQ) : -1;
    Py_XDECREF(a);
    Py_XDECREF(b);
    return equal;
}

/* symbols[i] in the set ``kinds`` */
static int symbol_in(Canon *c, Py_ssize_t i, PyObject *kinds) {
    PyObject *symbol = item(c->symbols, i);
    if (symbol == NULL) return -1;
    int found = PySet_Contains(kinds, symbol);
    Py_DECREF(symbol);
    return found;
}

static int set_symbol(Canon *c, Py_ssize_t i, PyObject *constant) {
    if (i < 0 || i >= PyList_GET_SIZE(c->symbols)) {
        PyErr_SetString(PyExc_IndexError, "a symbol index is out of range");
        return -1;
    }
    return PyList_SetItem(c->symbols, i, Py_NewRef(constant));
}

static int drop_token(Canon *c, Py_ssize_t i) {
    if (check_token(c, i) < 0) return -1;
    c->dropped[i] = 1;
    return 0;
}

/* passes._drop_range: the tokens of a range segment; anything else holds none. */
static int drop_range(Canon *c, PyObject *segment) {
    if (!PyRange_Check(segment)) return 0;
    Span s;
    if (span_of(c, segment, &s) < 0) return -1;
    memset(c->dropped + s.start, 1, (size_t)(s.stop - s.start));
    return 0;
}

static int append_range(PyObject *list, Py_ssize_t start, Py_ssize_t stop) {
    PyObject *made = new_range(start, stop);
    if (made == NULL) return -1;
    int ok = PyList_Append(list, made);
    Py_DECREF(made);
    return ok;
}

/* The passes' split-off statements, made without calling their class (``slot_make``: kind
 * and segments given, the other fields their defaults), for the class each run is given. */
static SlotMaker statement_maker;
static const char *const statement_fields[] = {"kind", "segments", "parts", "open_start",
                                               "implicit"};

/* Statement(kind, segments=segments), stealing ``segments``. */
static PyObject *new_statement(PyObject *kind, PyObject *segments) {
    if (segments == NULL) return NULL;
    PyObject *values[2] = {kind, segments};
    PyObject *made = slot_make(&statement_maker, values);
    Py_DECREF(segments);
    return made;
}

/* passes._first: the index of a statement's first token, 0 when it has none. */
static int first_token(PyObject *statement, Canon *c, Py_ssize_t *out) {
    PyObject *current = Py_NewRef(statement);
    *out = 0;
    for (;;) {
        PyObject *segments = attr_list(current, s_segments);
        if (segments == NULL) goto fail;
        PyObject *next = NULL;
        int found = 0;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(segments) && !found && next == NULL; k++) {
            PyObject *segment = Py_NewRef(PyList_GET_ITEM(segments, k));
            if (PyRange_Check(segment)) {
                Span s;
                int ok = span_of(c, segment, &s);
                if (ok == 0 && s.stop > s.start) {
                    *out = s.start;
                    found = 1;
                }
                Py_DECREF(segment);
                if (ok < 0) {
                    Py_DECREF(segments);
                    goto fail;
                }
                continue;
            }
            PyObject *inner = attr_list(segment, s_statements);
            Py_DECREF(segment);
            if (inner == NULL) {
                Py_DECREF(segments);
                goto fail;
            }
            if (PyList_GET_SIZE(inner)) next = Py_NewRef(PyList_GET_ITEM(inner, 0));
            Py_DECREF(inner);
        }
        Py_DECREF(segments);
        if (next == NULL) break;
        Py_SETREF(current, next);
    }
    Py_DECREF(current);
    return 0;
fail:
    Py_DECREF(current);
    return -1;
}

/* symbols[_first(statement)] == constant */
static int first_is(Canon *c, PyObject *statement, PyObject *constant) {
    Py_ssize_t first;
    if (first_token(statement, c, &first) < 0) return -1;
    return symbol_is(c, first, constant);
}

typedef struct {
    PyObject **items; /* borrowed: the IR holds every object for the whole call */
    Py_ssize_t size, capacity;
} Stack;

static int stack_push(Stack *s, PyObject *pushed) {
    if (s->size == s->capacity) {
        Py_ssize_t capacity = s->capacity ? 2 * s->capacity : 64;
        PyObject **grown = PyMem_Realloc(s->items, (size_t)capacity * sizeof(PyObject *));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        s->items = grown;
        s->capacity = capacity;
    }
    s->items[s->size++] = pushed;
    return 0;
}

/* ir.flatten(top) into c->order. */
static int flatten(Canon *c, PyObject *top) {
    Stack stack = {0};
    int ok = -1;
    c->order.size = 0;
    if (stack_push(&stack, top) < 0) goto done;
    while (stack.size) {
        PyObject *popped = stack.items[--stack.size];
        if (PyRange_Check(popped)) {
            Span s;
            if (span_of(c, popped, &s) < 0) goto done;
            for (Py_ssize_t i = s.start; i < s.stop; i++) {
                if (ints_push(&c->order, i) < 0) goto done;
            }
            continue;
        }
        int is_block = PyObject_TypeCheck(popped, (PyTypeObject *)c->block_type);
        PyObject *items = attr_list(popped, is_block ? s_statements : s_segments);
        if (items == NULL) goto done;
        for (Py_ssize_t k = PyList_GET_SIZE(items) - 1; k >= 0; k--) {
            if (stack_push(&stack, PyList_GET_ITEM(items, k)) < 0) {
                Py_DECREF(items);
                goto done;
            }
        }
        Py_DECREF(items);
    }
    ok = 0;
done:
    PyMem_Free(stack.items);
    return ok;
}

/* passes._drop: every token of the statement. */
static int drop_statement(Canon *c, PyObject *statement) {
    if (flatten(c, statement) < 0) return -1;
    for (Py_ssize_t k = 0; k < c->order.size; k++) c->dropped[c->order.items[k]] = 1;
    return 0;
}

/* passes._simple_range: the tokens of a statement without nested blocks, or an empty span;
 * ``object`` (if asked for) gets the range itself, a new reference, or NULL. */
static int simple_range(Canon *c, PyObject *statement, Span *out, PyObject **object) {
    out->start = out->stop = 0;
    if (object) *object = NULL;
    PyObject *segments = attr_list(statement, s_segments);
    if (segments == NULL) return -1;
    int ok = 0;
    if (PyList_GET_SIZE(segments) == 1 && PyRange_Check(PyList_GET_ITEM(segments, 0))) {
        PyObject *segment = PyList_GET_ITEM(segments, 0);
        ok = span_of(c, segment, out);
        if (ok == 0 && object) *object = Py_NewRef(segment);
    }
    Py_DECREF(segments);
    return ok;
}

/* passes._only_statement: a new reference, NULL without an error when there is none. */
static PyObject *only_statement(Canon *c, PyObject *segment) {
    if (!PyObject_TypeCheck(segment, (PyTypeObject *)c->block_type)) return NULL;
    PyObject *statements = attr_list(segment, s_statements);
    if (statements == NULL) return NULL;
    PyObject *only = PyList_GET_SIZE(statements) == 1 ? item(statements, 0) : NULL;
    Py_DECREF(statements);
    return only;
}

/* passes._is_return */
static int is_return(Canon *c, PyObject *statement) {
    Span s;
    if (simple_range(c, statement, &s, NULL) < 0) return -1;
    return s.stop > s.start ? symbol_is(c, s.start, k_return_statement) : 0;
}

/* passes._name_assignment: an empty span unless ``NAME = value``. */
static int name_assignment(Canon *c, PyObject *statement, Span *out, PyObject **object) {
    if (simple_range(c, statement, out, object) < 0) return -1;
    int fits = out->stop - out->start >= 3;
    if (fits) fits = symbol_is(c, out->start, k_assignment);
    if (fits > 0) fits = c->modes[out->start + 1] == c->mode_bind;
    if (fits <= 0) {
        out->start = out->stop = 0;
        if (object) Py_CLEAR(*object);
    }
    return fits < 0 ? -1 : 0;
}

/* A TupleParts' targets and values lists and head index (new references). */
static int read_parts(PyObject *parts, PyObject **targets, PyObject **values, Py_ssize_t *head) {
    *targets = attr_list(parts, s_targets);
    *values = *targets ? attr_list(parts, s_values) : NULL;
    PyObject *number = *values ? slot_getattr(parts, s_head) : NULL;
    int ok = number ? index_of(number, head) : -1;
    Py_XDECREF(number);
    if (ok < 0) {
        Py_CLEAR(*targets);
        Py_CLEAR(*values);
    }
    return ok;
}

/* ---- 1. split_tuple_assignments ---- */

/* The text of the last name token of a target (NULL without an error if it has none). */
static PyObject *written_name(Canon *c, PyObject *target) {
    Span s;
    if (span_of(c, target, &s) < 0) return NULL;
    for (Py_ssize_t i = s.stop - 1; i >= s.start; i--) {
        if (c->modes[i] > c->mode_none) return item(c->texts, i);
    }
    return NULL;
}

/* passes._split_is_sound */
static int split_is_sound(Canon *c, PyObject *targets, PyObject *values) {
    int sound = -1;
    PyObject *positions = PyDict_New(); /* target name -> its position */
    if (positions == NULL) return -1;
    Py_ssize_t count = PyList_GET_SIZE(targets);
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *target = item(targets, k);
        if (target == NULL) goto done;
        PyObject *name = written_name(c, target);
        Py_DECREF(target);
        if (name == NULL) {
            sound = PyErr_Occurred() ? -1 : 0;
            goto done;
        }
        PyObject *position = PyLong_FromSsize_t(k);
        int added = position ? PyDict_SetDefault(positions, name, position) != NULL : 0;
        Py_XDECREF(position);
        Py_DECREF(name);
        if (!added) goto done;
    }
    if (PyDict_GET_SIZE(positions) != count) {
        sound = 0;
        goto done;
    }
    /* A value reads a target written before it: its name's position is below the value's. */
    for (Py_ssize_t later = 0; later < PyList_GET_SIZE(values); later++) {
        PyObject *value = item(values, later);
        if (value == NULL) goto done;
        Span s;
        int ok = span_of(c, value, &s);
        Py_DECREF(value);
        if (ok < 0) goto done;
        for (Py_ssize_t i = s.start; i < s.stop; i++) {
            if (c->modes[i] <= c->mode_none) continue;
            PyObject *text = item(c->texts, i);
            if (text == NULL) goto done;
            PyObject *position = PyDict_GetItemWithError(positions, text);
            Py_DECREF(text);
            if (position == NULL) {
                if (PyErr_Occurred()) goto done;
                continue;
            }
            Py_ssize_t where;
            if (index_of(position, &where) < 0) goto done;
            if (where < later) {
                sound = 0;
                goto done;
            }
        }
    }
    sound = 1;
done:
    Py_DECREF(positions);
    return sound;
}

/* The split-off assignments of one statement appended to ``rewritten``; 0 if it stays. */
static int split_statement(Canon *c, PyObject *statement, PyObject *rewritten) {
    PyObject *parts = slot_getattr(statement, s_parts);
    if (parts == NULL) return -1;
    if (parts == Py_None) {
        Py_DECREF(parts);
        return 0;
    }
    PyObject *targets, *values;
    Py_ssize_t head;
    int ok = read_parts(parts, &targets, &values, &head);
    Py_DECREF(parts);
    if (ok < 0) return -1;
    int result = -1;
    PyObject *kind = NULL, *head_range = NULL;
    if (PyList_GET_SIZE(targets) < 2) {
        result = 0;
        goto done;
    }
    int sound = split_is_sound(c, targets, values);
    if (sound <= 0) {
        result = sound;
        goto done;
    }
    if (PyList_GET_SIZE(targets) != PyList_GET_SIZE(values)) {
        PyErr_SetString(PyExc_ValueError, "a tuple assignment has more targets than values");
        goto done;
    }
    kind = slot_getattr(statement, s_kind);
    head_range = kind ? new_range(head, head + 1) : NULL;
    if (head_range == NULL) goto done;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(targets); k++) {
        PyObject *target = item(targets, k);
        PyObject *value = target ? item(values, k) : NULL;
        PyObject *segments = value ? PyList_New(3) : NULL;
        if (segments == NULL) {
            Py_XDECREF(target);
            Py_XDECREF(value);
            goto done;
        }
        PyList_SET_ITEM(segments, 0, Py_NewRef(head_range));
        PyList_SET_ITEM(segments, 1, target);
        PyList_SET_ITEM(segments, 2, value);
        PyObject *split = new_statement(kind, segments);
        if (split == NULL) goto done;
        ok = PyList_Append(rewritten, split);
        Py_DECREF(split);
        if (ok < 0) goto done;
    }
    result = 1;
done:
    Py_DECREF(targets);
    Py_DECREF(values);
    Py_XDECREF(kind);
    Py_XDECREF(head_range);
    return result;
}

static int split_tuple_assignments(Canon *c, PyObject *blocks) {
    for (Py_ssize_t b = 0; b < PyList_GET_SIZE(blocks); b++) {
        PyObject *block = item(blocks, b);
        PyObject *statements = block ? attr_list(block, s_statements) : NULL;
        PyObject *rewritten = statements ? PyList_New(0) : NULL;
        int changed = 0, ok = rewritten ? 0 : -1;
        for (Py_ssize_t k = 0; ok == 0 && k < PyList_GET_SIZE(statements); k++) {
            PyObject *statement = item(statements, k);
            if (statement == NULL) {
                ok = -1;
                break;
            }
            int split = split_statement(c, statement, rewritten);
            if (split == 0) ok = PyList_Append(rewritten, statement);
            else if (split < 0) ok = -1;
            else changed = 1;
            Py_DECREF(statement);
        }
        if (ok == 0 && changed) ok = PyObject_SetAttr(block, s_statements, rewritten);
        Py_XDECREF(rewritten);
        Py_XDECREF(statements);
        Py_XDECREF(block);
        if (ok < 0) return -1;
    }
    return 0;
}

/* ---- 2. drop_local_keywords ---- */

static int drop_local_keywords(Canon *c) {
    for (Py_ssize_t i = 0; i < c->tokens; i++) {
        if (c->modes[i] != c->mode_kwarg) continue;
        int param = symbol_is(c, i, k_param);
        if (param < 0) return -1;
        if (!param) continue;
        c->dropped[i] = 1;
        /* dropped[index - 1], which Python reads from the end at index 0 */
        c->dropped[i ? i - 1 : c->tokens - 1] = 1;
    }
    return 0;
}

/* ---- 3. flatten_else_if ---- */

/* passes._splice_else_ifs */
static int splice_else_ifs(Canon *c, PyObject *statement) {
    PyObject *segments = attr_list(statement, s_segments);
    if (segments == NULL) return -1;
    int ok = -1;
    Py_ssize_t index = 0;
    while (index + 1 < PyList_GET_SIZE(segments)) {
        PyObject *head = PyList_GET_ITEM(segments, index);
        PyObject *body = PyList_GET_ITEM(segments, index + 1);
        Span s;
        if (!PyRange_Check(head)) {
            index++;
            continue;
        }
        if (span_of(c, head, &s) < 0) goto done;
        int fits = s.stop > s.start;
        if (fits) fits = symbol_is(c, s.stop - 1, k_else_clause);
        if (fits > 0) fits = PyObject_TypeCheck(body, (PyTypeObject *)c->block_type);
        PyObject *nested = NULL;
        if (fits > 0) {
            nested = only_statement(c, body);
            if (nested == NULL) fits = PyErr_Occurred() ? -1 : 0;
        }
        if (fits > 0) fits = first_is(c, nested, k_if_statement);
        if (fits <= 0) {
            Py_XDECREF(nested);
            if (fits < 0) goto done;
            index++;
            continue;
        }
        c->dropped[s.stop - 1] = 1;
        Py_ssize_t first;
        PyObject *spliced = NULL;
        int done_here = first_token(nested, c, &first);
        if (done_here == 0) done_here = set_symbol(c, first, k_elif_clause);
        if (done_here == 0) spliced = attr_list(nested, s_segments);
        Py_DECREF(nested);
        if (spliced == NULL) goto done;
        done_here = PyList_SetSlice(segments, index + 1, index + 2, spliced);
        Py_DECREF(spliced);
        if (done_here < 0) goto done;
    }
    ok = 0;
done:
    Py_DECREF(segments);
    return ok;
}

static int flatten_else_if(Canon *c, PyObject *blocks) {
    for (Py_ssize_t b = 0; b < PyList_GET_SIZE(blocks); b++) {
        PyObject *block = item(blocks, b);
        PyObject *statements = block ? attr_list(block, s_statements) : NULL;
        Py_XDECREF(block);
        if (statements == NULL) return -1;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(statements); k++) {
            PyObject *statement = item(statements, k);
            PyObject *segments = statement ? attr_list(statement, s_segments) : NULL;
            int ok = segments ? 0 : -1;
            if (ok == 0 && PyList_GET_SIZE(segments)) {
                ok = first_is(c, statement, k_if_statement);
                if (ok > 0) ok = splice_else_ifs(c, statement);
            }
            Py_XDECREF(segments);
            Py_XDECREF(statement);
            if (ok < 0) {
                Py_DECREF(statements);
                return -1;
            }
        }
        Py_DECREF(statements);
    }
    return 0;
}

/* ---- 4. drop_dead_code ---- */

static Py_ssize_t slot_of(Canon *c, Py_ssize_t scope, Py_ssize_t text) {
    size_t mask = (size_t)c->slot_capacity - 1;
    size_t slot = ((size_t)scope * 0x9E3779B97F4A7C15ull ^ (size_t)text * 0xC2B2AE3D27D4EB4Full) &
                  mask;
    while (c->slot_flags[slot] &&
           (c->slot_scope[slot] != scope || c->slot_text[slot] != text))
        slot = (slot + 1) & mask;
    return (Py_ssize_t)slot;
}

static int note_name(Canon *c, Py_ssize_t scope, Py_ssize_t text, unsigned char flag) {
    if (2 * (c->slot_size + 1) > c->slot_capacity) {
        Py_ssize_t old_capacity = c->slot_capacity;
        Py_ssize_t *old_scope = c->slot_scope, *old_text = c->slot_text;
        unsigned char *old_flags = c->slot_flags;
        Py_ssize_t capacity = old_capacity ? 2 * old_capacity : 256;
        c->slot_scope = PyMem_Malloc((size_t)capacity * sizeof(Py_ssize_t));
        c->slot_text = PyMem_Malloc((size_t)capacity * sizeof(Py_ssize_t));
        c->slot_flags = PyMem_Calloc((size_t)capacity, 1);
        if (!c->slot_scope || !c->slot_text || !c->slot_flags) {
            PyMem_Free(c->slot_scope);
            PyMem_Free(c->slot_text);
            PyMem_Free(c->slot_flags);
            c->slot_scope = old_scope;
            c->slot_text = old_text;
            c->slot_flags = old_flags;
            PyErr_NoMemory();
            return -1;
        }
        c->slot_capacity = capacity;
        for (Py_ssize_t i = 0; i < old_capacity; i++) {
            if (!old_flags[i]) continue;
            Py_ssize_t slot = slot_of(c, old_scope[i], old_text[i]);
            c->slot_scope[slot] = old_scope[i];
            c->slot_text[slot] = old_text[i];
            c->slot_flags[slot] = old_flags[i];
        }
        PyMem_Free(old_scope);
        PyMem_Free(old_text);
        PyMem_Free(old_flags);
    }
    Py_ssize_t slot = slot_of(c, scope, text);
    if (!c->slot_flags[slot]) {
        c->slot_size++;
        c->slot_scope[slot] = scope;
        c->slot_text[slot] = text;
    }
    c->slot_flags[slot] |= flag;
    return 0;
}

/* passes._unused_locals, kept as the bound (1) and read (2) flags of each local name. */
static int unused_locals(Canon *c, PyObject *scopes) {
    Py_ssize_t count = PyList_GET_SIZE(scopes);
    unsigned char *function = PyMem_Calloc((size_t)(count ? count : 1), 1);
    if (function == NULL) return (PyErr_NoMemory(), -1);
    int ok = -1;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *scope = item(scopes, i);
        PyObject *kind = scope ? slot_getattr(scope, s_kind) : NULL;
        Py_XDECREF(scope);
        int found = kind ? PySet_Contains(c->functions, kind) : -1;
        Py_XDECREF(kind);
        if (found < 0) goto done;
        function[i] = (unsigned char)found;
    }
    for (Py_ssize_t i = 0; i < c->tokens; i++) {
        long mode = c->modes[i];
        Py_ssize_t scope = c->binders[i];
        if ((mode != c->mode_bind && mode != c->mode_use) || scope < 0 || scope >= count ||
            !function[scope])
            continue;
        PyObject *text = item(c->texts, i);
        if (text == NULL) goto done;
        PyObject *known = PyDict_GetItemWithError(c->text_ids, text);
        if (known == NULL && !PyErr_Occurred()) {
            PyObject *id = PyLong_FromSsize_t(PyDict_GET_SIZE(c->text_ids));
            known = id ? PyDict_SetDefault(c->text_ids, text, id) : NULL;
            Py_XDECREF(id);
        }
        Py_DECREF(text);
        Py_ssize_t text_id;
        if (known == NULL || index_of(known, &text_id) < 0) goto done;
        if (note_name(c, scope, text_id, mode == c->mode_bind ? 1 : 2) < 0) goto done;
    }
    ok = 0;
done:
    PyMem_Free(function);
    return ok;
}

/* (binders[i], texts[i]) in unused */
static int is_unused_local(Canon *c, Py_ssize_t i) {
    if (c->slot_capacity == 0) return 0;
    PyObject *text = item(c->texts, i);
    if (text == NULL) return -1;
    PyObject *id = PyDict_GetItemWithError(c->text_ids, text);
    Py_DECREF(text);
    if (id == NULL) return PyErr_Occurred() ? -1 : 0;
    Py_ssize_t text_id;
    if (index_of(id, &text_id) < 0) return -1;
    Py_ssize_t slot = slot_of(c, c->binders[i], text_id);
    return c->slot_flags[slot] == 1;
}

/* passes._never_runs */
static int never_runs(Canon *c, PyObject *statement) {
    PyObject *segments = attr_list(statement, s_segments);
    if (segments == NULL) return -1;
    int result = 0;
    if (PyList_GET_SIZE(segments) != 2 || !PyRange_Check(PyList_GET_ITEM(segments, 0))) goto done;
    Span s;
    if (span_of(c, PyList_GET_ITEM(segments, 0), &s) < 0) {
        result = -1;
        goto done;
    }
    /* The kept tokens after the first: exactly one. */
    Py_ssize_t kept = 0, condition = -1;
    for (Py_ssize_t i = s.start; i < s.stop; i++) {
        if (c->dropped[i]) continue;
        if (kept++ == 1) condition = i;
    }
    if (kept != 2) goto done;
    result = symbol_in(c, condition, c->falsy);
    if (result != 0) goto done;
    result = symbol_is(c, condition, k_int);
    if (result <= 0) goto done;
    PyObject *text = item(c->texts, condition);
    PyObject *stripped = text ? PyObject_CallMethodNoArgs(text, s_strip) : NULL;
    Py_XDECREF(text);
    result = stripped ? PyObject_RichCompareBool(stripped, k_zero, Py_EQ) : -1;
    Py_XDECREF(stripped);
done:
    Py_DECREF(segments);
    return result;
}

/* passes._is_operator: the symbol does not start with a letter, digit or underscore. */
static int is_operator(PyObject *symbol) {
    if (!PyUnicode_Check(symbol)) {
        PyErr_SetString(PyExc_TypeError, "a symbol must be a str");
        return -1;
    }
    if (PyUnicode_GET_LENGTH(symbol) == 0) return 1;
    Py_UCS4 first = PyUnicode_READ_CHAR(symbol, 0);
    return !Py_UNICODE_ISALNUM(first) && first != '_';
}

/* passes._is_unused_assignment */
static int is_unused_assignment(Canon *c, PyObject *statement) {
    PyObject *segments = attr_list(statement, s_segments);
    if (segments == NULL) return -1;
    Ints *tokens = &c->order;
    tokens->size = 0;
    int result = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(segments); k++) {
        if (!PyRange_Check(PyList_GET_ITEM(segments, k))) goto done;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(segments); k++) {
        Span s;
        if (span_of(c, PyList_GET_ITEM(segments, k), &s) < 0) goto fail;
        for (Py_ssize_t i = s.start; i < s.stop; i++) {
            if (ints_push(tokens, i) < 0) goto fail;
        }
    }
    if (tokens->size == 0) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        goto fail;
    }
    Py_ssize_t *t = tokens->items;
    int declared = symbol_in(c, t[0], c->declarations);
    if (declared < 0) goto fail;
    if (declared) {
        /* The declared type and declarator have no effect: read the declaration from its
         * first name on, as the assignment it is ([first token, first name, ...]). */
        Py_ssize_t from = 0;
        for (Py_ssize_t k = 0; k < tokens->size; k++) {
            if (c->modes[t[k]] == c->mode_bind) {
                from = k;
                break;
            }
        }
        if (ints_push(tokens, 0) < 0) goto fail;
        t = tokens->items;
        memmove(t + 1, t + from, (size_t)(tokens->size - 1 - from) * sizeof(Py_ssize_t));
        tokens->size = tokens->size - from;
    }
    if (tokens->size < 3 || c->modes[t[1]] != c->mode_bind) goto done;
    result = is_unused_local(c, t[1]);
    if (result <= 0) goto done;
    for (Py_ssize_t k = 2; k < tokens->size; k++) {
        if (c->modes[t[k]] != c->mode_none) continue;
        PyObject *symbol = item(c->symbols, t[k]);
        if (symbol == NULL) goto fail;
        int pure = PySet_Contains(c->pure, symbol);
        if (pure == 0) pure = is_operator(symbol);
        Py_DECREF(symbol);
        if (pure <= 0) {
            result = pure;
            goto done;
        }
    }
    goto done;
fail:
    result = -1;
done:
    Py_DECREF(segments);
    return result;
}

/* One block of drop_dead_code: the kept statements, a new list. */
static PyObject *live_statements(Canon *c, PyObject *statements) {
    PyObject *kept = PyList_New(0);
    if (kept == NULL) return NULL;
    int hoisting = PyObject_IsTrue(c->hoisted);
    if (hoisting < 0) goto fail;
    for (Py_ssize_t position = 0; position < PyList_GET_SIZE(statements); position++) {
        PyObject *statement = item(statements, position);
        if (statement == NULL) goto fail;
        PyObject *segments = attr_list(statement, s_segments);
        Py_ssize_t first;
        PyObject *symbol = NULL;
        int ok = segments ? 0 : -1;
        int empty = ok == 0 && PyList_GET_SIZE(segments) == 0;
        Py_XDECREF(segments);
        if (ok == 0 && !empty) ok = first_token(statement, c, &first);
        if (ok == 0 && !empty) {
            symbol = item(c->symbols, first);
            if (symbol == NULL) ok = -1;
        }
        int dead = 0, terminator = 0;
        if (ok == 0 && !empty) {
            dead = PySet_Contains(c->conditionals, symbol);
            if (dead > 0) dead = never_runs(c, statement);
            if (dead == 0) {
                int candidate = same(symbol, k_assignment);
                if (!candidate) candidate = PySet_Contains(c->declarations, symbol);
                if (candidate > 0) candidate = is_unused_assignment(c, statement);
                dead = candidate;
            }
            if (dead > 0) dead = drop_statement(c, statement) < 0 ? -1 : 1;
            else if (dead == 0) {
                dead = PyList_Append(kept, statement);
                if (dead == 0 && c->trust_structure) {
                    terminator = PySet_Contains(c->terminators, symbol);
                    if (terminator < 0) dead = -1;
                }
            }
        }
        Py_XDECREF(symbol);
        Py_DECREF(statement);
        if (ok < 0 || dead < 0) goto fail;
        if (!terminator) continue;
        /* After a terminator only the hoisted declarations are reachable. */
        for (Py_ssize_t k = position + 1; k < PyList_GET_SIZE(statements); k++) {
            PyObject *rest = item(statements, k);
            if (rest == NULL) goto fail;
            int keep = 0;
            if (hoisting) {
                PyObject *rest_segments = attr_list(rest, s_segments);
                keep = rest_segments ? PyList_GET_SIZE(rest_segments) > 0 : -1;
                Py_XDECREF(rest_segments);
                if (keep > 0) {
                    Py_ssize_t rest_first;
                    keep = first_token(rest, c, &rest_first);
                    if (keep == 0) keep = symbol_in(c, rest_first, c->hoisted);
                }
            }
            if (keep > 0) keep = PyList_Append(kept, rest) < 0 ? -1 : 1;
            else if (keep == 0) keep = drop_statement(c, rest);
            Py_DECREF(rest);
            if (keep < 0) goto fail;
        }
        break;
    }
    return kept;
fail:
    Py_DECREF(kept);
    return NULL;
}

static int drop_dead_code(Canon *c, PyObject *blocks, PyObject *scopes) {
    if (unused_locals(c, scopes) < 0) return -1;
    for (Py_ssize_t b = 0; b < PyList_GET_SIZE(blocks); b++) {
        PyObject *block = item(blocks, b);
        PyObject *statements = block ? attr_list(block, s_statements) : NULL;
        PyObject *kept = statements ? live_statements(c, statements) : NULL;
        int ok = kept ? PyObject_SetAttr(block, s_statements, kept) : -1;
        Py_XDECREF(kept);
        Py_XDECREF(statements);
        Py_XDECREF(block);
        if (ok < 0) return -1;
    }
    return 0;
}

/* ---- 5. merge_conditionals ---- */

/* passes._is_token */
static int is_token(Canon *c, PyObject *segment, PyObject *symbol) {
    if (!PyRange_Check(segment)) return 0;
    Span s;
    if (span_of(c, segment, &s) < 0) return -1;
    return s.stop - s.start == 1 ? symbol_is(c, s.start, symbol) : 0;
}

/* _spelling(a) == _spelling(b): the same symbols and texts, token for token. */
static int same_spelling(Canon *c, PyObject *a, PyObject *b) {
    Span x, y;
    if (span_of(c, a, &x) < 0 || span_of(c, b, &y) < 0) return -1;
    if (x.stop - x.start != y.stop - y.start) return 0;
    for (Py_ssize_t k = 0; k < x.stop - x.start; k++) {
        PyObject *p = item(c->symbols, x.start + k);
        PyObject *q = p ? item(c->symbols, y.start + k) : NULL;
        int equal = q ? PyObject_RichCompareBool(p, q, Py_EQ) : -1;
        Py_XDECREF(p);
        Py_XDECREF(q);
        if (equal > 0) equal = texts_equal(c, x.start + k, y.start + k);
        if (equal <= 0) return equal;
    }
    return 1;
}

/* The conditional expression of two returns (both branches' return statements). */
static PyObject *returned_conditional(Canon *c, PyObject *segments, Span head, PyObject *first,
                                      PyObject *second) {
    Span a, b;
    if (simple_range(c, first, &a, NULL) < 0 || simple_range(c, second, &b, NULL) < 0)
        return NULL;
    if (a.stop - a.start < 2 || b.stop - b.start < 2) return NULL;
    c->dropped[b.start] = 1;
    if (PyList_GET_SIZE(segments) == 4 && drop_range(c, PyList_GET_ITEM(segments, 2)) < 0)
        return NULL;
    if (set_symbol(c, head.start, k_conditional_expression) < 0) return NULL;
    PyObject *merged = PyList_New(0);
    if (merged == NULL || append_range(merged, a.start, a.start + 1) < 0 ||
        append_range(merged, head.start, head.start + 1) < 0 ||
        append_range(merged, a.start + 1, a.stop) < 0 ||
        append_range(merged, head.start + 1, head.stop) < 0 ||
        append_range(merged, b.start + 1, b.stop) < 0) {
        Py_XDECREF(merged);
        return NULL;
    }
    PyObject *kind = slot_getattr(first, s_kind);
    if (kind == NULL) {
        Py_DECREF(merged);
        return NULL;
    }
    PyObject *made = new_statement(kind, merged);
    Py_DECREF(kind);
    return made;
}

/* The conditional expression of two assignments to one target. */
static PyObject *assigned_conditional(Canon *c, PyObject *segments, Span head, PyObject *first,
                                      PyObject *second) {
    PyObject *one = slot_getattr(first, s_parts);
    PyObject *two = one ? slot_getattr(second, s_parts) : NULL;
    PyObject *one_targets = NULL, *one_values = NULL, *two_targets = NULL, *two_values = NULL;
    PyObject *made = NULL, *merged = NULL, *kind = NULL;
    Py_ssize_t one_head, two_head;
    if (two == NULL || one == Py_None || two == Py_None) goto done;
    if (read_parts(one, &one_targets, &one_values, &one_head) < 0 ||
        read_parts(two, &two_targets, &two_values, &two_head) < 0)
        goto done;
    if (PyList_GET_SIZE(one_targets) != 1 || PyList_GET_SIZE(two_targets) != 1) goto done;
    int fits = same_spelling(c, PyList_GET_ITEM(one_targets, 0), PyList_GET_ITEM(two_targets, 0));
    if (fits <= 0) goto done;
    if (PyList_GET_SIZE(segments) < 3) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        goto done;
    }
    if (drop_range(c, PyList_GET_ITEM(segments, 2)) < 0 || drop_token(c, two_head) < 0 ||
        drop_range(c, PyList_GET_ITEM(two_targets, 0)) < 0 ||
        set_symbol(c, head.start, k_conditional_expression) < 0)
        goto done;
    PyObject *value = PyList_GET_SIZE(one_values) ? PyList_GET_ITEM(one_values, 0) : NULL;
    PyObject *other = PyList_GET_SIZE(two_values) ? PyList_GET_ITEM(two_values, 0) : NULL;
    if (value == NULL || other == NULL) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        goto done;
    }
    merged = PyList_New(0);
    if (merged == NULL || append_range(merged, one_head, one_head + 1) < 0 ||
        PyList_Append(merged, PyList_GET_ITEM(one_targets, 0)) < 0 ||
        append_range(merged, head.start, head.start + 1) < 0 ||
        PyList_Append(merged, value) < 0 ||
        append_range(merged, head.start + 1, head.stop) < 0 || PyList_Append(merged, other) < 0)
        goto done;
    kind = slot_getattr(first, s_kind);
    if (kind == NULL) goto done;
    made = new_statement(kind, merged);
    merged = NULL;
done:
    Py_XDECREF(one);
    Py_XDECREF(two);
    Py_XDECREF(one_targets);
    Py_XDECREF(one_values);
    Py_XDECREF(two_targets);
    Py_XDECREF(two_values);
    Py_XDECREF(merged);
    Py_XDECREF(kind);
    return made;
}

/* passes._conditional: 0 with *merged NULL when the statement stays, -1 on error. */
static int conditional(Canon *c, PyObject *statement, PyObject *following, PyObject **merged,
                       Py_ssize_t *consumed) {
    *merged = NULL;
    *consumed = 0;
    PyObject *segments = attr_list(statement, s_segments);
    if (segments == NULL) return -1;
    PyObject *first = NULL, *second = NULL;
    int ok = -1;
    Py_ssize_t count = PyList_GET_SIZE(segments);
    Span head;
    if (count == 0 || !PyRange_Check(PyList_GET_ITEM(segments, 0))) goto keep;
    if (span_of(c, PyList_GET_ITEM(segments, 0), &head) < 0) goto done;
    if (head.stop - head.start < 2) goto keep;
    int fits = symbol_is(c, head.start, k_if_statement);
    if (fits <= 0) goto keep_or_fail;
    if (count > 1) {
        first = only_statement(c, PyList_GET_ITEM(segments, 1));
        if (first == NULL && PyErr_Occurred()) goto done;
    }
    Py_ssize_t took = 0;
    fits = count == 4 ? is_token(c, PyList_GET_ITEM(segments, 2), k_else_clause) : 0;
    if (fits < 0) goto done;
    if (fits) {
        second = only_statement(c, PyList_GET_ITEM(segments, 3));
        if (second == NULL && PyErr_Occurred()) goto done;
    } else if (count == 2 && following != NULL) {
        fits = is_return(c, following);
        if (fits < 0) goto done;
        if (fits) {
            second = Py_NewRef(following);
            took = 1;
        }
    }
    if (first == NULL || second == NULL) goto keep;
    fits = is_return(c, first);
    if (fits > 0) fits = is_return(c, second);
    if (fits < 0) goto done;
    if (fits) {
        *merged = returned_conditional(c, segments, head, first, second);
        if (*merged == NULL) goto keep_or_fail;
        *consumed = took;
        goto keep;
    }
    if (took) goto keep;
    *merged = assigned_conditional(c, segments, head, first, second);
keep_or_fail:
    if (PyErr_Occurred()) goto done;
keep:
    ok = 0;
done:
    Py_XDECREF(first);
    Py_XDECREF(second);
    Py_DECREF(segments);
    return ok;
}

static int merge_conditionals(Canon *c, PyObject *blocks) {
    for (Py_ssize_t b = 0; b < PyList_GET_SIZE(blocks); b++) {
        PyObject *block = item(blocks, b);
        PyObject *statements = block ? attr_list(block, s_statements) : NULL;
        PyObject *rewritten = statements ? PyList_New(0) : NULL;
        int ok = rewritten ? 0 : -1;
        Py_ssize_t index = 0;
        while (ok == 0 && index < PyList_GET_SIZE(statements)) {
            PyObject *statement = item(statements, index);
            PyObject *following = NULL;
            if (statement == NULL) {
                ok = -1;
                break;
            }
            if (index + 1 < PyList_GET_SIZE(statements)) following = item(statements, index + 1);
            PyObject *merged;
            Py_ssize_t consumed;
            ok = conditional(c, statement, following, &merged, &consumed);
            if (ok == 0) ok = PyList_Append(rewritten, merged ? merged : statement);
            Py_XDECREF(merged);
            Py_XDECREF(following);
            Py_DECREF(statement);
            index += 1 + consumed;
        }
        if (ok == 0) ok = PyObject_SetAttr(block, s_statements, rewritten);
        Py_XDECREF(rewritten);
        Py_XDECREF(statements);
        Py_XDECREF(block);
        if (ok < 0) return -1;
    }
    return 0;
}

/* ---- 6. rewrite_loops ---- */

/* (texts[i], binders[i]) == (texts[counter], binders[counter]) */
static int is_counter(Canon *c, Py_ssize_t i, Py_ssize_t counter) {
    if (check_token(c, i) < 0) return -1;
    int equal = texts_equal(c, i, counter);
    return equal > 0 ? c->binders[i] == c->binders[counter] : equal;
}

static int set_binder(Canon *c, Py_ssize_t i, Py_ssize_t value) {
    if (i >= PyList_GET_SIZE(c->binder_list)) {
        PyErr_SetString(PyExc_IndexError, "a binder index is out of range");
        return -1;
    }
    PyObject *number = PyLong_FromSsize_t(value);
    if (number == NULL || PyList_SetItem(c->binder_list, i, number) < 0) return -1;
    c->binders[i] = value;
    return 0;
}

/* passes._counting_loop: the ``for`` statement, NULL without an error when it is none. */
static PyObject *counting_loop(Canon *c, PyObject *start, PyObject *loop) {
    Span init, header, step;
    PyObject *segments = NULL, *body = NULL, *statements = NULL, *last = NULL, *merged = NULL;
    PyObject *made = NULL;
    if (name_assignment(c, start, &init, NULL) < 0) return NULL;
    if (init.stop == init.start) return NULL;
    segments = attr_list(loop, s_segments);
    if (segments == NULL || PyList_GET_SIZE(segments) != 2) goto done;
    PyObject *header_object = PyList_GET_ITEM(segments, 0);
    body = Py_NewRef(PyList_GET_ITEM(segments, 1));
    if (!PyRange_Check(header_object) ||
        !PyObject_TypeCheck(body, (PyTypeObject *)c->block_type))
        goto done;
    statements = attr_list(body, s_statements);
    if (statements == NULL || PyList_GET_SIZE(statements) == 0) goto done;
    if (span_of(c, header_object, &header) < 0) goto done;
    Py_ssize_t counter = init.start + 1, h = header.start;
    /* while_statement comparison_operator COUNTER < END... */
    int fits = header.stop - header.start >= 5;
    if (fits > 0) fits = symbol_is(c, h, k_while_statement);
    if (fits > 0) fits = symbol_is(c, h + 1, k_comparison_operator);
    if (fits > 0) fits = is_counter(c, h + 2, counter);
    if (fits > 0) fits = symbol_is(c, h + 3, k_less);
    if (fits <= 0) goto done;
    /* assignment COUNTER binary_operator COUNTER + INT */
    Py_ssize_t steps = PyList_GET_SIZE(statements) - 1;
    last = item(statements, steps);
    if (last == NULL || simple_range(c, last, &step, NULL) < 0) goto done;
    Py_ssize_t s = step.start;
    fits = step.stop - step.start == 6;
    if (fits > 0) fits = symbol_is(c, s, k_assignment);
    if (fits > 0) fits = symbol_is(c, s + 2, k_binary_operator);
    if (fits > 0) fits = symbol_is(c, s + 4, k_plus);
    if (fits > 0) fits = symbol_is(c, s + 5, k_int);
    if (fits > 0) fits = is_counter(c, s + 1, counter);
    if (fits > 0) fits = is_counter(c, s + 3, counter);
    if (fits <= 0) goto done;
    /* Nothing else may assign the counter, and no ``continue`` may skip the step. */
    for (Py_ssize_t k = 0; k < steps; k++) {
        PyObject *statement = item(statements, k);
        if (statement == NULL) goto done;
        int flat = flatten(c, statement);
        Py_DECREF(statement);
        if (flat < 0) goto done;
        for (Py_ssize_t j = 0; j < c->order.size; j++) {
            Py_ssize_t i = c->order.items[j];
            int stops = symbol_is(c, i, k_continue_statement);
            if (stops == 0) {
                long mode = c->modes[i];
                stops = is_counter(c, i, counter);
                if (stops > 0) stops = mode >= 0 && mode < 256 && c->writes[mode];
            }
            if (stops != 0) goto done;
        }
    }
    PyObject *kept = PyList_GetSlice(statements, 0, steps);
    int ok = kept ? PyObject_SetAttr(body, s_statements, kept) : -1;
    Py_XDECREF(kept);
    if (ok < 0 || set_symbol(c, init.start, k_for_statement) < 0 ||
        set_symbol(c, h, k_in) < 0 || set_symbol(c, h + 1, k_call) < 0 ||
        set_symbol(c, h + 2, k_range) < 0 || set_binder(c, h + 2, -2) < 0)
        goto done;
    merged = PyList_New(0);
    if (merged == NULL || append_range(merged, init.start, init.start + 2) < 0 ||
        append_range(merged, h, h + 3) < 0)
        goto done;
    int unit_step = text_is(c, s + 5, k_one);
    if (unit_step < 0) goto done;
    /* range(b) when the start is 0 and the step 1 */
    int from_zero = unit_step && init.stop - init.start == 3;
    if (from_zero) from_zero = symbol_is(c, init.start + 2, k_int);
    if (from_zero > 0) from_zero = text_is(c, init.start + 2, k_zero);
    if (from_zero < 0) goto done;
    if (!from_zero && append_range(merged, init.start + 2, init.stop) < 0) goto done;
    if (append_range(merged, h + 4, header.stop) < 0) goto done;
    if (!unit_step && append_range(merged, s + 5, step.stop) < 0) goto done;
    if (PyList_Append(merged, body) < 0) goto done;
    made = new_statement(k_for_statement, merged);
    merged = NULL;
done:
    Py_XDECREF(segments);
    Py_XDECREF(body);
    Py_XDECREF(statements);
    Py_XDECREF(last);
    Py_XDECREF(merged);
    return made;
}

/* passes._element: appends to ``merged`` the ranges of what one step adds to the collection
 * named at ``target`` and drops the tokens that add it; 0 (nothing appended) if ``fill``
 * does not just add to it. */
static int element(Canon *c, Span fill, Py_ssize_t target, PyObject *kind, PyObject *merged) {
    PyObject *method = NULL;
    if (kind == k_list_comprehension) method = k_append;
    else if (kind == k_set_comprehension) method = k_add;
    PyObject *shape[4] = {method ? k_call : k_assignment, method ? k_attribute : k_subscript,
                          NULL, method};
    Py_ssize_t head = method ? 4 : 3, f = fill.start;
    if (fill.stop - fill.start <= head) return 0;
    for (Py_ssize_t k = 0; k < head; k++) {
        if (shape[k] == NULL) continue;
        int fits = symbol_is(c, f + k, shape[k]);
        if (fits <= 0) return fits;
    }
    Py_ssize_t owner = f + 2;
    int fits = texts_equal(c, owner, target);
    if (fits <= 0) return fits;
    if (c->binders[owner] != c->binders[target]) return 0;
    /* An element that reads the collection being built is not a comprehension. */
    for (Py_ssize_t i = method ? f + 4 : f + 1; i < fill.stop; i++) {
        if (i == owner) continue;
        int reads = texts_equal(c, i, target);
        if (reads < 0) return -1;
        if (reads && c->binders[i] == c->binders[target]) return 0;
    }
    if (method) {
        memset(c->dropped + f, 1, 4);
        return append_range(merged, f + 4, fill.stop) < 0 ? -1 : 1;
    }
    /* The subscript stands for the item's pair. */
    if (set_symbol(c, f + 1, k_pair) < 0) return -1;
    c->dropped[f] = 1;
    c->dropped[owner] = 1;
    if (append_range(merged, f + 1, owner) < 0 || append_range(merged, owner + 1, fill.stop) < 0)
        return -1;
    return 1;
}

/* passes._comprehension: the filled collection's statement, NULL without an error when the
 * loop is none. */
static PyObject *comprehension(Canon *c, PyObject *start, PyObject *loop) {
    Span init, header, fill;
    PyObject *init_object = NULL, *segments = NULL, *body = NULL, *guard = NULL, *merged = NULL;
    PyObject *made = NULL, *kind = NULL, *inner = NULL;
    if (name_assignment(c, start, &init, &init_object) < 0) return NULL;
    Py_ssize_t size = init.stop - init.start, i = init.start;
    if (size == 0 || size > 4) goto done;
    /* passes._EMPTY_COLLECTIONS: how the empty collection is spelled after NAME */
    int fits;
    if (size == 3) {
        fits = symbol_is(c, i + 2, k_list);
        if (fits > 0) kind = k_list_comprehension;
        else if (fits == 0 && (fits = symbol_is(c, i + 2, k_dictionary)) > 0)
            kind = k_dictionary_comprehension;
    } else if ((fits = symbol_is(c, i + 2, k_call)) > 0) {
        fits = symbol_is(c, i + 3, k_set);
        if (fits > 0) kind = k_set_comprehension;
        else if (fits == 0 && (fits = symbol_is(c, i + 3, k_dict)) > 0)
            kind = k_dictionary_comprehension;
    }
    if (fits < 0 || kind == NULL) goto done;
    segments = attr_list(loop, s_segments);
    if (segments == NULL || PyList_GET_SIZE(segments) != 2 ||
        !PyRange_Check(PyList_GET_ITEM(segments, 0)))
        goto done;
    PyObject *header_object = PyList_GET_ITEM(segments, 0);
    if (span_of(c, header_object, &header) < 0 || header.stop == header.start) goto done;
    if (symbol_is(c, header.start, k_for_statement) <= 0) goto done;
    body = only_statement(c, PyList_GET_ITEM(segments, 1));
    if (body == NULL) goto done;
    /* an ``if c:`` filter around the filling statement */
    inner = attr_list(body, s_segments);
    if (inner == NULL) goto done;
    if (PyList_GET_SIZE(inner) && PyRange_Check(PyList_GET_ITEM(inner, 0))) {
        Span first;
        if (span_of(c, PyList_GET_ITEM(inner, 0), &first) < 0) goto done;
        fits = first.stop > first.start;
        if (fits) fits = symbol_is(c, first.start, k_if_statement);
        if (fits < 0) goto done;
        if (fits && PyList_GET_SIZE(inner) == 2) {
            guard = Py_NewRef(PyList_GET_ITEM(inner, 0));
            Py_SETREF(body, only_statement(c, PyList_GET_ITEM(inner, 1)));
            if (body == NULL) goto done;
        }
    }
    if (simple_range(c, body, &fill, NULL) < 0) goto done;
    merged = PyList_New(0);
    if (merged == NULL || PyList_Append(merged, init_object) < 0) goto done;
    fits = element(c, fill, i + 1, kind, merged);
    if (fits <= 0) goto done;
    memset(c->dropped + i + 3, 1, (size_t)(size - 3));
    if (set_symbol(c, i + 2, kind) < 0 || set_symbol(c, header.start, k_for_in_clause) < 0 ||
        PyList_Append(merged, header_object) < 0)
        goto done;
    if (guard != NULL) {
        Span g;
        if (span_of(c, guard, &g) < 0 || set_symbol(c, g.start, k_if_clause) < 0 ||
            PyList_Append(merged, guard) < 0)
            goto done;
    }
    PyObject *start_kind = slot_getattr(start, s_kind);
    if (start_kind == NULL) goto done;
    made = new_statement(start_kind, merged);
    merged = NULL;
    Py_DECREF(start_kind);
done:
    Py_XDECREF(init_object);
    Py_XDECREF(segments);
    Py_XDECREF(body);
    Py_XDECREF(inner);
    Py_XDECREF(guard);
    Py_XDECREF(merged);
    return made;
}

static int rewrite_block_loops(Canon *c, PyObject *block) {
    PyObject *statements = attr_list(block, s_statements);
    PyObject *rewritten = statements ? PyList_New(0) : NULL;
    int ok = rewritten ? 0 : -1;
    Py_ssize_t index = 0;
    while (ok == 0 && index < PyList_GET_SIZE(statements)) {
        PyObject *statement = item(statements, index);
        PyObject *merged = NULL;
        if (statement == NULL) {
            ok = -1;
            break;
        }
        if (index + 1 < PyList_GET_SIZE(statements)) {
            PyObject *loop = item(statements, index + 1);
            PyObject *segments = loop ? attr_list(loop, s_segments) : NULL;
            PyObject *head = segments && PyList_GET_SIZE(segments) ? PyList_GET_ITEM(segments, 0)
                                                                   : NULL;
            Span s = {0, 0};
            if (segments == NULL) ok = -1;
            else if (head != NULL && PyRange_Check(head)) ok = span_of(c, head, &s);
            if (ok == 0 && s.stop > s.start) {
                int keyword = symbol_is(c, s.start, k_while_statement);
                if (keyword > 0) merged = counting_loop(c, statement, loop);
                else if (keyword == 0 && (keyword = symbol_is(c, s.start, k_for_statement)) > 0)
                    merged = comprehension(c, statement, loop);
                if (keyword < 0 || PyErr_Occurred()) ok = -1;
            }
            Py_XDECREF(segments);
            Py_XDECREF(loop);
        }
        if (ok == 0) ok = PyList_Append(rewritten, merged ? merged : statement);
        index += merged ? 2 : 1;
        Py_XDECREF(merged);
        Py_DECREF(statement);
    }
    if (ok == 0) ok = PyObject_SetAttr(block, s_statements, rewritten);
    Py_XDECREF(rewritten);
    Py_XDECREF(statements);
    return ok;
}

static int rewrite_loops(Canon *c, PyObject *blocks) {
    for (Py_ssize_t b = 0; b < PyList_GET_SIZE(blocks); b++) {
        PyObject *block = item(blocks, b);
        int ok = block ? rewrite_block_loops(c, block) : -1;
        Py_XDECREF(block);
        if (ok < 0) return -1;
    }
    return 0;
}

/* ---- the entry point ---- */

/* passes._blocks: every block of the program, outermost first. */
static PyObject *all_blocks(Canon *c, PyObject *root) {
    PyObject *found = PyList_New(0);
    Stack stack = {0};
    if (found == NULL || PyList_Append(found, root) < 0 || stack_push(&stack, root) < 0)
        goto fail;
    while (stack.size) {
        PyObject *statements = attr_list(stack.items[--stack.size], s_statements);
        if (statements == NULL) goto fail;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(statements); k++) {
            PyObject *segments = attr_list(PyList_GET_ITEM(statements, k), s_segments);
            if (segments == NULL) {
                Py_DECREF(statements);
                goto fail;
            }
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(segments); j++) {
                PyObject *segment = PyList_GET_ITEM(segments, j);
                if (!PyObject_TypeCheck(segment, (PyTypeObject *)c->block_type)) continue;
                /* ``found`` holds every block on the stack */
                if (PyList_Append(found, segment) < 0 || stack_push(&stack, segment) < 0) {
                    Py_DECREF(segments);
                    Py_DECREF(statements);
                    goto fail;
                }
            }
            Py_DECREF(segments);
        }
        Py_DECREF(statements);
    }
    PyMem_Free(stack.items);
    return found;
fail:
    PyMem_Free(stack.items);
    Py_XDECREF(found);
    return NULL;
}

static int read_modes(Canon *c, PyObject *modes, PyObject *write_modes, PyObject *modes_used) {
    if (!PyTuple_Check(modes_used) || PyTuple_GET_SIZE(modes_used) != 4) {
        PyErr_SetString(PyExc_TypeError, "modes_used must be (none, use, bind, kwarg)");
        return -1;
    }
    long *used[4] = {&c->mode_none, &c->mode_use, &c->mode_bind, &c->mode_kwarg};
    for (int k = 0; k < 4; k++) {
        *used[k] = PyLong_AsLong(PyTuple_GET_ITEM(modes_used, k));
        if (*used[k] == -1 && PyErr_Occurred()) return -1;
    }
    PyObject *items = PySequence_Fast(write_modes, "write_modes must be a sequence");
    if (items == NULL) return -1;
    memset(c->writes, 0, sizeof c->writes);
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(items); i++) {
        long mode = PyLong_AsLong(PySequence_Fast_GET_ITEM(items, i));
        if (mode < 0 || mode > 255) {
            Py_DECREF(items);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a mode is out of range");
            return -1;
        }
        c->writes[mode] = 1;
    }
    Py_DECREF(items);
    for (Py_ssize_t i = 0; i < c->tokens; i++) {
        c->modes[i] = PyLong_AsLong(PyList_GET_ITEM(modes, i));
        if (c->modes[i] == -1 && PyErr_Occurred()) return -1;
    }
    return 0;
}

static PyObject *run_passes(PyObject *Py_UNUSED(module), PyObject *args) {
    Canon c = {0};
    PyObject *root, *blocks = NULL, *symbols, *binders, *texts, *modes, *scopes, *dropped_obj, *trust;
    PyObject *write_modes, *modes_used;
    Py_buffer dropped = {0};
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOO!O!O!O!O!OOOOOOOOOOO", &root,
                          &c.block_type, &c.statement_type, &PyList_Type, &symbols, &PyList_Type,
                          &binders, &PyList_Type, &texts, &PyList_Type, &modes, &PyList_Type,
                          &scopes, &dropped_obj, &trust, &c.hoisted, &c.declarations,
                          &c.functions, &c.pure, &c.conditionals, &c.terminators, &c.falsy,
                          &write_modes, &modes_used))
        return NULL;
    if (!PyType_Check(c.block_type) || !PyType_Check(c.statement_type)) {
        PyErr_SetString(PyExc_TypeError, "the Block and Statement types must be types");
        return NULL;
    }
    if (slot_maker_init(&statement_maker, c.statement_type, statement_fields, 5, 2) < 0)
        return NULL;
    PyObject *sets[] = {c.hoisted, c.declarations, c.functions, c.pure,
                        c.conditionals, c.terminators, c.falsy};
    for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
        if (!PyAnySet_Check(sets[k])) {
            PyErr_SetString(PyExc_TypeError, "the symbol kinds must be sets");
            return NULL;
        }
    }
    Py_ssize_t tokens = PyList_GET_SIZE(symbols);
    if (PyList_GET_SIZE(texts) != tokens || PyList_GET_SIZE(binders) != tokens ||
        PyList_GET_SIZE(modes) != tokens) {
        PyErr_SetString(PyExc_ValueError, "the token lists differ in length");
        return NULL;
    }
    int trusted = PyObject_IsTrue(trust);
    if (trusted < 0) return NULL;
    if (PyObject_GetBuffer(dropped_obj, &dropped, PyBUF_WRITABLE) < 0) return NULL;
    if (dropped.len != tokens) {
        PyErr_Format(PyExc_ValueError, "dropped holds %zd bytes for %zd tokens", dropped.len,
                     tokens);
        goto release;
    }
    c.symbols = symbols;
    c.texts = texts;
    c.binder_list = binders;
    c.dropped = dropped.buf;
    c.tokens = tokens;
    c.trust_structure = trusted;
    c.modes = PyMem_Malloc((size_t)(tokens ? tokens : 1) * sizeof(long));
    c.binders = PyMem_Malloc((size_t)(tokens ? tokens : 1) * sizeof(Py_ssize_t));
    c.text_ids = PyDict_New();
    if (c.modes == NULL || c.binders == NULL) {
        PyErr_NoMemory();
        goto release;
    }
    if (c.text_ids == NULL || read_modes(&c, modes, write_modes, modes_used) < 0) goto release;
    for (Py_ssize_t i = 0; i < tokens; i++) {
        if (index_of(PyList_GET_ITEM(binders, i), &c.binders[i]) < 0) goto release;
    }
    blocks = all_blocks(&c, root);
    if (blocks == NULL || split_tuple_assignments(&c, blocks) < 0 || drop_local_keywords(&c) < 0 ||
        flatten_else_if(&c, blocks) < 0 || drop_dead_code(&c, blocks, scopes) < 0 ||
        merge_conditionals(&c, blocks) < 0 || rewrite_loops(&c, blocks) < 0)
        goto release;
    result = Py_NewRef(blocks);
release:
    Py_XDECREF(blocks);
    PyMem_Free(c.modes);
    PyMem_Free(c.binders);
    PyMem_Free(c.order.items);
    PyMem_Free(c.slot_scope);
    PyMem_Free(c.slot_text);
    PyMem_Free(c.slot_flags);
    Py_XDECREF(c.text_ids);
    PyBuffer_Release(&dropped);
    return result;
}

static PyMethodDef methods[] = {
    {"run_passes", run_passes, METH_VARARGS,
     "run_passes(root, block_type, statement_type, symbols, binders, texts, modes, scopes, "
     "dropped, trust_structure, hoisted, declarations, functions, pure, conditionals, "
     "terminators, false_values, write_modes, modes_used)\n--\n\n"
     "Run the passes before ordering on every block, as passes.run_passes does, and return\n"
     "the blocks, listed before the passes ran (passes._blocks)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_passes", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__passes(void) {
#define INTERN(var, text) \
    if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL
    INTERN(s_statements, "statements");
    INTERN(s_segments, "segments");
    INTERN(s_parts, "parts");
    INTERN(s_kind, "kind");
    INTERN(s_head, "head");
    INTERN(s_targets, "targets");
    INTERN(s_values, "values");
    INTERN(s_strip, "strip");
    INTERN(k_if_statement, "if_statement");
    INTERN(k_else_clause, "else_clause");
    INTERN(k_elif_clause, "elif_clause");
    INTERN(k_param, "PARAM");
    INTERN(k_assignment, "assignment");
    INTERN(k_conditional_expression, "conditional_expression");
    INTERN(k_return_statement, "return_statement");
    INTERN(k_while_statement, "while_statement");
    INTERN(k_for_statement, "for_statement");
    INTERN(k_comparison_operator, "comparison_operator");
    INTERN(k_less, "<");
    INTERN(k_binary_operator, "binary_operator");
    INTERN(k_plus, "+");
    INTERN(k_int, "INT");
    INTERN(k_continue_statement, "continue_statement");
    INTERN(k_in, "in");
    INTERN(k_call, "call");
    INTERN(k_range, "range");
    INTERN(k_list, "list");
    INTERN(k_set, "set");
    INTERN(k_dictionary, "dictionary");
    INTERN(k_dict, "dict");
    INTERN(k_list_comprehension, "list_comprehension");
    INTERN(k_set_comprehension, "set_comprehension");
    INTERN(k_dictionary_comprehension, "dictionary_comprehension");
    INTERN(k_append, "append");
    INTERN(k_add, "add");
    INTERN(k_attribute, "attribute");
    INTERN(k_subscript, "subscript");
    INTERN(k_pair, "pair");
    INTERN(k_for_in_clause, "for_in_clause");
    INTERN(k_if_clause, "if_clause");
    INTERN(k_zero, "0");
    INTERN(k_one, "1");
#undef INTERN
    return PyModule_Create(&module);
}
