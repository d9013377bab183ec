/* The compiled walk: codesim.normalize.walk.walk, written against tree-sitter's C API.
 *
 * It produces exactly the Program the Python walk produces (walk.py is the reference: every
 * branch below mirrors one there, in the same order).  It parses with its own copy of the
 * tree-sitter runtime (the version py-tree-sitter is built from: its symbols are hidden) and
 * the grammar's TSLanguage pointer from the grammar package's capsule.  Iterative, with heap
 * stacks: nesting can be 100k deep.  Where the Python walk would raise (an assumption about
 * the tree that does not hold), this raises Fallback, and the caller runs the Python walk.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "tree_sitter/api.h"
/* The runtime's internal headers (of the copy compiled into this extension): a node's
 * children are read straight off its subtrees (``children``). */
#include "language.h"
#include "tree.h"
#include "_common.h"

/* Kind ids span 16 bits: the grammar's are below its symbol count, error nodes carry 0xFFFF. */
#define NKINDS 65536
#define ERROR_KIND 0xFFFF
#ifndef CODESIM_TREE_SITTER_VERSION
#define CODESIM_TREE_SITTER_VERSION "unknown"
#endif

enum {
    ACT_SKIP = 0, ACT_TRANSPARENT = 1, ACT_STRUCT = 2, ACT_IDENT = 3,
    ACT_LITERAL = 4, ACT_STRING = 5, ACT_CONST = 6, ACT_OP = 7,
};

#define F_STATEMENT (1u << 0)
#define F_BLOCK (1u << 1)
#define F_UNIT (1u << 2)
#define F_SCOPE (1u << 3)
#define F_TARGET (1u << 4)
#define F_BINDING_CONTAINER (1u << 5)
#define F_PATTERN (1u << 6)
#define F_PARAMS (1u << 7)
#define F_PARAM_WRAPPER (1u << 8)
#define F_GLOBAL (1u << 9)
#define F_NONLOCAL (1u << 10)
#define F_ATTRIBUTE (1u << 11)
#define F_KWARG (1u << 12)
#define F_IMPORT (1u << 13)
#define F_ASSIGNMENT (1u << 14)
#define F_TUPLE_TARGET (1u << 15)
#define F_TUPLE_VALUE (1u << 16)
#define F_EXPR_STATEMENT (1u << 17)
#define F_INTERPOLATION (1u << 18)
#define F_STRING (1u << 19)
#define F_SPLAT (1u << 20)
#define F_AUGMENTED (1u << 21)
#define F_NEGATION (1u << 22)
#define F_COMPARISON (1u << 23)
#define F_ALIASED_IMPORT (1u << 24)
#define F_CALL (1u << 25)
#define F_BINARY (1u << 26)
#define F_MODULE_PATH (1u << 27)
#define F_DECLARATOR (1u << 28)
#define F_INCREMENT (1u << 29)
#define F_MEMBER_DEFINITION (1u << 30)
#define PARAM_CHILD (F_PARAM_WRAPPER | F_PATTERN)

/* Per-kind facts the Python walk reads by comparing strings. */
#define X_EQ (1u << 0)          /* symbol == "=" */
#define X_FMT_OP (1u << 1)      /* symbol == format_operator */
#define X_TUPLE (1u << 2)       /* symbol == "tuple" */
#define X_PURE (1u << 3)        /* symbol in pure_expressions */
#define X_PARAM_PROP (1u << 4)  /* type in parameter_properties */
#define X_MEMBER_FIELD (1u << 5)
#define X_MEMBER_OBJECT (1u << 6)
#define X_LONE (1u << 7)
#define X_NAMER (1u << 8)
#define X_TARGET_ROLE (1u << 9)
#define X_BRACELESS (1u << 10)  /* braceless_body is not None */

enum { M_NONE = 0, M_USE, M_BIND, M_PARAM, M_EXTERNAL, M_ATTR_USE, M_ATTR_BIND, M_KWARG, M_DEF };

enum {
    C_NODE = 0, C_EXIT_STATEMENT, C_EXIT_BLOCK, C_EXIT_SCOPE, C_EXIT_UNIT, C_MARK, C_TUPLE_DONE,
    C_HEAD, C_ONE,
};

#define MAX_LITERAL_TEXT 200

static PyObject *Fallback;

/* ------------------------------------------------------------------ small vectors */

#define VEC(T, name) typedef struct { T *v; Py_ssize_t n, cap; } name;
VEC(TSNode, NodeVec)
VEC(Py_ssize_t, IdxVec)

static int grow(void **v, Py_ssize_t *cap, Py_ssize_t need, size_t size) {
    if (need <= *cap) return 0;
    Py_ssize_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *p = PyMem_Realloc(*v, (size_t)c * size);
    if (!p) { PyErr_NoMemory(); return -1; }
    *v = p;
    *cap = c;
    return 0;
}
#define PUSHV(vec, x) \
    ((vec).n < (vec).cap || grow((void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)) == 0 \
         ? ((vec).v[(vec).n++] = (x), 0) : -1)

/* ------------------------------------------------------------------ Walker (tables) */

typedef struct {
    PyObject_HEAD
    const TSLanguage *lang;
    TSParser *parser;
    TSTreeCursor cursor;
    int cursor_ready;
    /* The grammar's symbol count: the tables' per-kind tuples hold a slot per kind id below it
       and a last one, at this index, for error nodes.  The C arrays below span all ids. */
    Py_ssize_t kinds;
    PyObject *capsule, *tables;
    PyObject *symbol, *unit_kind, *definition_role, *increment_literal, *target_role;
    PyObject *negated, *assignment_symbol, *binary_symbol, *format_method;
    PyObject *literal_value, *first_party_depth, *alias_path;
    PyObject *Block, *Statement, *Scope, *TupleParts, *RawTokens, *Program;
    SlotMaker make_block, make_statement, make_scope;
    PyObject *loose, *str_sym, *module_kind, *class_kind, *one_text, *anonymous, *module_unit;
    PyObject *local_role, *param_role, *attr_role, *empty;
    uint16_t name_fields[16];
    int n_name_fields;
    int has_unit_body, has_param_name_field, has_param_props;
    TSFieldId unit_body, param_name_field, f_right, f_type;
    uint8_t action[NKINDS];
    uint32_t flags[NKINDS];
    uint16_t xflags[NKINDS];
    TSFieldId target_field[NKINDS], member_field[NKINDS], member_object[NKINDS];
    TSFieldId lone_parameter[NKINDS], unit_namer[NKINDS];
    uint32_t braceless_off[NKINDS];
    uint8_t braceless_n[NKINDS];
    TSFieldId *braceless_pool;
    Py_ssize_t braceless_pool_n;
} Walker;

typedef struct {
    PyObject_HEAD
    TSTree *tree;
    PyObject *data;
} Tree;

static PyTypeObject WalkerType, TreeType;

static TSFieldId field_id(const TSLanguage *lang, PyObject *name, int *present) {
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(name, &len);
    if (!s) return (TSFieldId)-1;
    if (present) *present = len > 0;
    return ts_language_field_id_for_name(lang, s, (uint32_t)len);
}

static PyObject *get_tuple(Walker *w, PyObject *tables, const char *name) {
    PyObject *t = PyObject_GetAttrString(tables, name);
    if (t && (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != w->kinds + 1)) {
        PyErr_Format(PyExc_TypeError, "tables.%s is not a tuple of %zd", name, w->kinds + 1);
        Py_CLEAR(t);
    }
    return t;
}

/* The kind id of a per-kind tuple's slot, and the slot of a node's kind id (any id outside the
   grammar's is an error node's: no other reaches the walk). */
static inline uint32_t kind_of_slot(const Walker *w, Py_ssize_t slot) {
    return slot == w->kinds ? ERROR_KIND : (uint32_t)slot;
}
static inline Py_ssize_t slot_of_kind(const Walker *w, TSSymbol kid) {
    return kid < w->kinds ? (Py_ssize_t)kid : w->kinds;
}

static int fill_field_array(Walker *w, PyObject *tables, const char *name, TSFieldId *out,
                            uint16_t xbit) {
    PyObject *t = get_tuple(w, tables, name);
    if (!t) return -1;
    for (Py_ssize_t i = 0; i <= w->kinds; i++) {
        PyObject *s = PyTuple_GET_ITEM(t, i);
        uint32_t k = kind_of_slot(w, i);
        if (!PyUnicode_Check(s)) { Py_DECREF(t); PyErr_SetString(PyExc_TypeError, name); return -1; }
        if (PyUnicode_GET_LENGTH(s) == 0) { out[k] = 0; continue; }
        int present = 0;
        out[k] = field_id(w->lang, s, &present);
        if (present) w->xflags[k] |= xbit;
    }
    Py_DECREF(t);
    return 0;
}

static int str_eq(PyObject *a, PyObject *b) {
    int r = PyObject_RichCompareBool(a, b, Py_EQ);
    return r;
}

static int walker_init(Walker *w, PyObject *args, PyObject *kwds) {
    PyObject *capsule, *tables, *literal_value, *first_party_depth, *alias_path, *classes;
    if (!PyArg_ParseTuple(args, "OOOOOO!", &capsule, &tables, &literal_value, &first_party_depth,
                          &alias_path, &PyTuple_Type, &classes))
        return -1;
    if (PyTuple_GET_SIZE(classes) != 6) {
        PyErr_SetString(PyExc_TypeError, "classes: Block, Statement, Scope, TupleParts, RawTokens, Program");
        return -1;
    }
    w->lang = PyCapsule_GetPointer(capsule, "tree_sitter.Language");
    if (!w->lang) return -1;
    w->kinds = (Py_ssize_t)ts_language_symbol_count(w->lang);
    if (w->kinds >= ERROR_KIND) {
        PyErr_SetString(PyExc_ValueError, "the grammar has too many kinds");
        return -1;
    }
    w->parser = ts_parser_new();
    if (!ts_parser_set_language(w->parser, w->lang)) {
        PyErr_SetString(PyExc_ValueError, "incompatible grammar version");
        return -1;
    }
    Py_INCREF(capsule); w->capsule = capsule;
    Py_INCREF(tables); w->tables = tables;
    Py_INCREF(literal_value); w->literal_value = literal_value;
    Py_INCREF(first_party_depth); w->first_party_depth = first_party_depth;
    Py_INCREF(alias_path); w->alias_path = alias_path;
    PyObject **cls[6] = {&w->Block, &w->Statement, &w->Scope, &w->TupleParts, &w->RawTokens, &w->Program};
    for (int i = 0; i < 6; i++) { *cls[i] = PyTuple_GET_ITEM(classes, i); Py_INCREF(*cls[i]); }
    static const char *const block_fields[] = {"statements"};
    static const char *const statement_fields[] = {"kind", "segments", "parts", "open_start", "implicit"};
    if (slot_maker_init(&w->make_block, w->Block, block_fields, 1, 1) < 0) return -1;
    if (slot_maker_init(&w->make_statement, w->Statement, statement_fields, 5, 5) < 0) return -1;
    static const char *const scope_fields[] = {"kind", "parent", "is_class", "binds", "globals", "nonlocals"};
    if (slot_maker_init(&w->make_scope, w->Scope, scope_fields, 6, 6) < 0) return -1;

#define CONST_STR(field, text) if (!(w->field = PyUnicode_InternFromString(text))) return -1;
    CONST_STR(loose, "loose") CONST_STR(str_sym, "STR") CONST_STR(module_kind, "module")
    CONST_STR(class_kind, "class") CONST_STR(one_text, "1") CONST_STR(anonymous, "<anonymous>")
    CONST_STR(module_unit, "<module>") CONST_STR(local_role, "LOCAL") CONST_STR(param_role, "PARAM")
    CONST_STR(attr_role, "ATTR") CONST_STR(empty, "")

    /* Ids the grammar does not have keep the zeros the walker was allocated with: skipped,
       no flags, no fields. */
    PyObject *action = get_tuple(w, tables, "action"), *flags = get_tuple(w, tables, "flags");
    if (!action || !flags) { Py_XDECREF(action); Py_XDECREF(flags); return -1; }
    for (Py_ssize_t i = 0; i <= w->kinds; i++) {
        uint32_t k = kind_of_slot(w, i);
        w->action[k] = (uint8_t)PyLong_AsLong(PyTuple_GET_ITEM(action, i));
        w->flags[k] = (uint32_t)PyLong_AsUnsignedLong(PyTuple_GET_ITEM(flags, i));
    }
    Py_DECREF(action); Py_DECREF(flags);
    if (PyErr_Occurred()) return -1;
    if (!(w->symbol = get_tuple(w, tables, "symbol"))) return -1;
    if (!(w->unit_kind = get_tuple(w, tables, "unit_kind"))) return -1;
    if (!(w->definition_role = get_tuple(w, tables, "definition_role"))) return -1;
    if (!(w->increment_literal = get_tuple(w, tables, "increment_literal"))) return -1;
    if (!(w->target_role = get_tuple(w, tables, "target_role"))) return -1;
    if (!(w->negated = PyObject_GetAttrString(tables, "negated_operators"))) return -1;
    if (!(w->assignment_symbol = PyObject_GetAttrString(tables, "assignment_symbol"))) return -1;
    if (!(w->binary_symbol = PyObject_GetAttrString(tables, "binary_symbol"))) return -1;
    if (!(w->format_method = PyObject_GetAttrString(tables, "format_method"))) return -1;
    if (!PyBytes_Check(w->format_method)) { PyErr_SetString(PyExc_TypeError, "format_method"); return -1; }

    PyObject *format_operator = PyObject_GetAttrString(tables, "format_operator");
    PyObject *pure = PyObject_GetAttrString(tables, "pure_expressions");
    PyObject *props = PyObject_GetAttrString(tables, "parameter_properties");
    PyObject *eq = PyUnicode_FromString("="), *tuple_s = PyUnicode_FromString("tuple");
    int ok = format_operator && pure && props && eq && tuple_s;
    for (Py_ssize_t i = 0; ok && i <= w->kinds; i++) {
        PyObject *s = PyTuple_GET_ITEM(w->symbol, i);
        uint16_t x = 0;
        int r;
        if ((r = str_eq(s, eq)) < 0) { ok = 0; break; } if (r) x |= X_EQ;
        if ((r = str_eq(s, format_operator)) < 0) { ok = 0; break; } if (r) x |= X_FMT_OP;
        if ((r = str_eq(s, tuple_s)) < 0) { ok = 0; break; } if (r) x |= X_TUPLE;
        if ((r = PySequence_Contains(pure, s)) < 0) { ok = 0; break; } if (r) x |= X_PURE;
        if (PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(w->target_role, i))) x |= X_TARGET_ROLE;
        w->xflags[kind_of_slot(w, i)] = x;
    }
    if (ok) {
        /* ``child.type``: the kind's name (ERROR for the error id). */
        w->has_param_props = PyObject_Length(props) > 0;
        for (Py_ssize_t i = 0; ok && i <= w->kinds; i++) {
            uint32_t k = kind_of_slot(w, i);
            const char *name = ts_language_symbol_name(w->lang, (TSSymbol)k);
            if (!name) continue;
            PyObject *s = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "replace");
            if (!s) { ok = 0; break; }
            int r = PySequence_Contains(props, s);
            Py_DECREF(s);
            if (r < 0) ok = 0;
            else if (r) w->xflags[k] |= X_PARAM_PROP;
        }
    }
    Py_XDECREF(format_operator); Py_XDECREF(pure); Py_XDECREF(props); Py_XDECREF(eq); Py_XDECREF(tuple_s);
    if (!ok) return -1;

    if (fill_field_array(w, tables, "target_field", w->target_field, 0) < 0) return -1;
    if (fill_field_array(w, tables, "member_field", w->member_field, X_MEMBER_FIELD) < 0) return -1;
    if (fill_field_array(w, tables, "member_object", w->member_object, X_MEMBER_OBJECT) < 0) return -1;
    if (fill_field_array(w, tables, "lone_parameter", w->lone_parameter, X_LONE) < 0) return -1;
    if (fill_field_array(w, tables, "unit_namer", w->unit_namer, X_NAMER) < 0) return -1;

    PyObject *braceless = get_tuple(w, tables, "braceless_body");
    if (!braceless) return -1;
    for (Py_ssize_t slot = 0; slot <= w->kinds; slot++) {
        PyObject *fields = PyTuple_GET_ITEM(braceless, slot);
        uint32_t i = kind_of_slot(w, slot);
        if (fields == Py_None) continue;
        if (!PyTuple_Check(fields) || PyTuple_GET_SIZE(fields) > 255) {
            Py_DECREF(braceless); PyErr_SetString(PyExc_TypeError, "braceless_body"); return -1;
        }
        w->xflags[i] |= X_BRACELESS;
        w->braceless_off[i] = (uint32_t)w->braceless_pool_n;
        w->braceless_n[i] = (uint8_t)PyTuple_GET_SIZE(fields);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(fields); j++) {
            Py_ssize_t cap = w->braceless_pool_n;
            TSFieldId id = field_id(w->lang, PyTuple_GET_ITEM(fields, j), NULL);
            if (PyErr_Occurred()) { Py_DECREF(braceless); return -1; }
            TSFieldId *p = PyMem_Realloc(w->braceless_pool, (size_t)(cap + 1) * sizeof(TSFieldId));
            if (!p) { Py_DECREF(braceless); PyErr_NoMemory(); return -1; }
            w->braceless_pool = p;
            p[w->braceless_pool_n++] = id;
        }
    }
    Py_DECREF(braceless);

    PyObject *names = PyObject_GetAttrString(tables, "name_fields");
    if (!names || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) > 16) {
        Py_XDECREF(names); if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "name_fields");
        return -1;
    }
    w->n_name_fields = (int)PyTuple_GET_SIZE(names);
    for (int i = 0; i < w->n_name_fields; i++)
        w->name_fields[i] = field_id(w->lang, PyTuple_GET_ITEM(names, i), NULL);
    Py_DECREF(names);
    PyObject *s;
    if (!(s = PyObject_GetAttrString(tables, "unit_body"))) return -1;
    w->unit_body = field_id(w->lang, s, &w->has_unit_body); Py_DECREF(s);
    if (!(s = PyObject_GetAttrString(tables, "parameter_name_field"))) return -1;
    w->param_name_field = field_id(w->lang, s, &w->has_param_name_field); Py_DECREF(s);
    w->f_right = ts_language_field_id_for_name(w->lang, "right", 5);
    w->f_type = ts_language_field_id_for_name(w->lang, "type", 4);
    if (PyErr_Occurred()) return -1;
    return 0;
}

static void walker_dealloc(Walker *w) {
    if (w->parser) ts_parser_delete(w->parser);
    if (w->cursor_ready) ts_tree_cursor_delete(&w->cursor);
    PyMem_Free(w->braceless_pool);
    slot_maker_clear(&w->make_block);
    slot_maker_clear(&w->make_statement);
    slot_maker_clear(&w->make_scope);
    Py_XDECREF(w->capsule); Py_XDECREF(w->tables); Py_XDECREF(w->symbol); Py_XDECREF(w->unit_kind);
    Py_XDECREF(w->definition_role); Py_XDECREF(w->increment_literal); Py_XDECREF(w->target_role);
    Py_XDECREF(w->negated); Py_XDECREF(w->assignment_symbol); Py_XDECREF(w->binary_symbol);
    Py_XDECREF(w->format_method); Py_XDECREF(w->literal_value); Py_XDECREF(w->first_party_depth);
    Py_XDECREF(w->alias_path);
    Py_XDECREF(w->Block); Py_XDECREF(w->Statement); Py_XDECREF(w->Scope); Py_XDECREF(w->TupleParts);
    Py_XDECREF(w->RawTokens); Py_XDECREF(w->Program);
    Py_XDECREF(w->loose); Py_XDECREF(w->str_sym); Py_XDECREF(w->module_kind); Py_XDECREF(w->class_kind);
    Py_XDECREF(w->one_text); Py_XDECREF(w->anonymous); Py_XDECREF(w->module_unit);
    Py_XDECREF(w->local_role); Py_XDECREF(w->param_role); Py_XDECREF(w->attr_role); Py_XDECREF(w->empty);
    Py_TYPE(w)->tp_free((PyObject *)w);
}

static PyObject *walker_parse(Walker *w, PyObject *data) {
    if (!PyBytes_Check(data)) { PyErr_SetString(PyExc_TypeError, "data must be bytes"); return NULL; }
    if (PyBytes_GET_SIZE(data) > (Py_ssize_t)UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "data too large"); return NULL;
    }
    TSTree *tree = ts_parser_parse_string_encoding(
        w->parser, NULL, PyBytes_AS_STRING(data), (uint32_t)PyBytes_GET_SIZE(data), TSInputEncodingUTF8);
    if (!tree) { PyErr_SetString(PyExc_RuntimeError, "parse failed"); return NULL; }
    Tree *t = PyObject_New(Tree, &TreeType);
    if (!t) { ts_tree_delete(tree); return NULL; }
    t->tree = tree;
    Py_INCREF(data);
    t->data = data;
    return (PyObject *)t;
}

static void tree_dealloc(Tree *t) {
    ts_tree_delete(t->tree);
    Py_XDECREF(t->data);
    PyObject_Free(t);
}

static PyObject *tree_has_error(Tree *t, void *closure) {
    return PyBool_FromLong(ts_node_has_error(ts_tree_root_node(t->tree)));
}

static PyObject *tree_data(Tree *t, void *closure) { Py_INCREF(t->data); return t->data; }

/* ------------------------------------------------------------------ walk state */

typedef struct {
    TSNode node;
    uint8_t code;
    uint8_t mode;
    uint8_t negate;
    PyObject *sym;      /* borrowed: C_HEAD, C_ONE */
    Py_ssize_t payload; /* C_MARK, C_TUPLE_DONE: tuple record */
} Entry;

typedef struct { Py_ssize_t a, b; } Seg; /* range [a, b), or b == -1: item a */

typedef struct {
    int is_stmt;
    PyObject *kind; /* borrowed */
    Seg *segs;
    Py_ssize_t nsegs, capsegs;
    PyObject *parts; /* owned, NULL: None */
    Py_ssize_t open_start;
    int implicit;
} Item;

typedef struct { Py_ssize_t stmt, head; IdxVec marks; } TupleRec;

typedef struct {
    PyObject *obj, *binds, *globals, *nonlocals;
    Py_ssize_t parent;
} ScopeRec;

typedef struct {
    PyObject *sym; /* borrowed */
    PyObject *text; /* owned */
    uint8_t mode;
    int32_t scope, owner;
    uint32_t start, end;
} Tok;

VEC(Entry, EntryVec)
VEC(Item, ItemVec)
VEC(TupleRec, TupleVec)
VEC(ScopeRec, ScopeVec)
VEC(Tok, TokVec)

/* A hidden subtree whose children ``append_visible`` is listing, and where it is. */
typedef struct {
    const Subtree *kids;
    uint32_t count, next, structural;
    const TSSymbol *aliases;
    Length position; /* of child ``next``, before its padding (the first's is the node's) */
} HiddenFrame;
VEC(HiddenFrame, HiddenVec)

typedef struct {
    Walker *w;
    const char *data;
    Py_ssize_t len;
    PyObject *package;
    EntryVec stack;
    ItemVec items;
    IdxVec containers;
    TupleVec tuples;
    ScopeVec scopes;
    IdxVec scope_stack, unit_stack;
    TokVec toks;
    PyObject *unit_names, *unit_kinds, *unit_parents, *unit_spans, *aliases;
    int at_block;
    NodeVec tmp;  /* scratch for children */
    HiddenVec hidden; /* scratch for ``append_visible`` */
} State;

#define FAIL(msg) do { PyErr_SetString(Fallback, msg); goto error; } while (0)
#define CHECK(x) do { if ((x) < 0) goto error; } while (0)

static inline int push_node(State *s, TSNode node, int mode, int negate) {
    Entry e = {node, C_NODE, (uint8_t)mode, (uint8_t)negate, NULL, 0};
    return PUSHV(s->stack, e);
}
static inline int push_ctl(State *s, int code, TSNode node, PyObject *sym, Py_ssize_t payload) {
    Entry e = {node, (uint8_t)code, 0, 0, sym, payload};
    return PUSHV(s->stack, e);
}

/* The visible children of a node appended to ``out``, as a tree cursor finds them
 * (``ts_tree_cursor_goto_first_child`` and ``_next_sibling``), read straight off the
 * subtrees: a child is visible by itself or by its alias in its parent's production; a
 * hidden child with visible descendants is replaced by its own visible children, depth
 * first.  Without the cursor's stack of entries and descendant counting (the N = 400 walk,
 * file by file after each parse: 0.17-0.19 -> 0.143-0.148 s).  Hidden children nest deeper
 * than one would think (a list of 660,000 items: between 64 and 256 levels), so the descent
 * keeps its own stack of frames, each a hidden subtree being listed and where it is. */
static int append_visible(State *s, const TSTree *tree, Subtree node, Length position,
                          NodeVec *out) {
    HiddenVec *stack = &s->hidden;
    stack->n = 0;
    HiddenFrame top = {ts_subtree_children(node), node.ptr->child_count, 0, 0,
                       ts_language_alias_sequence(tree->language, node.ptr->production_id),
                       position};
    if (PUSHV(*stack, top) < 0) return -1;
    while (stack->n) {
        HiddenFrame *frame = &stack->v[stack->n - 1];
        if (frame->next == frame->count) {
            stack->n--;
            continue;
        }
        uint32_t i = frame->next++;
        const Subtree *child = &frame->kids[i];
        if (i > 0) frame->position = length_add(frame->position, ts_subtree_padding(*child));
        Length at = frame->position;
        frame->position = length_add(at, ts_subtree_size(*child));
        TSSymbol alias = 0;
        if (!ts_subtree_extra(*child)) {
            if (frame->aliases) alias = frame->aliases[frame->structural];
            frame->structural++;
        }
        if (ts_subtree_visible(*child) || alias) {
            if (PUSHV(*out, ts_node_new(tree, child, at, alias)) < 0) return -1;
        } else if (ts_subtree_visible_child_count(*child) > 0) {
            HiddenFrame inner = {ts_subtree_children(*child), child->ptr->child_count, 0, 0,
                                 ts_language_alias_sequence(tree->language, child->ptr->production_id),
                                 at};
            if (PUSHV(*stack, inner) < 0) return -1; /* ``frame`` may move: not used after */
        }
    }
    return 0;
}

/* The visible children of ``node`` (py-tree-sitter's ``node.children``) into ``out``. */
static int children(State *s, TSNode node, NodeVec *out) {
    out->n = 0;
    uint32_t count = ts_node_child_count(node);
    if (!count) return 0;
    if (grow((void **)&out->v, &out->cap, count, sizeof(TSNode)) < 0) return -1;
    Length position = {node.context[0], {node.context[1], node.context[2]}};
    return append_visible(s, node.tree, *(const Subtree *)node.id, position, out);
}

/* ``children_by_field_name`` */
static int children_by_field(State *s, TSNode node, TSFieldId field, NodeVec *out) {
    out->n = 0;
    if (field == 0) return 0;
    Walker *w = s->w;
    if (!w->cursor_ready) { w->cursor = ts_tree_cursor_new(node); w->cursor_ready = 1; }
    else ts_tree_cursor_reset(&w->cursor, node);
    int ok = ts_tree_cursor_goto_first_child(&w->cursor);
    while (ok) {
        if (ts_tree_cursor_current_field_id(&w->cursor) == field)
            if (PUSHV(*out, ts_tree_cursor_current_node(&w->cursor)) < 0) return -1;
        ok = ts_tree_cursor_goto_next_sibling(&w->cursor);
    }
    return 0;
}

/* ``node.children`` into ``out`` and ``node.children_by_field_name`` of ``field`` into
 * ``in_field``, in one pass. */
static int children_and_field(State *s, TSNode node, TSFieldId field, NodeVec *out, NodeVec *in_field) {
    out->n = 0;
    in_field->n = 0;
    Walker *w = s->w;
    if (!w->cursor_ready) { w->cursor = ts_tree_cursor_new(node); w->cursor_ready = 1; }
    else ts_tree_cursor_reset(&w->cursor, node);
    if (!ts_tree_cursor_goto_first_child(&w->cursor)) return 0;
    do {
        TSNode child = ts_tree_cursor_current_node(&w->cursor);
        if (PUSHV(*out, child) < 0) return -1;
        if (field && ts_tree_cursor_current_field_id(&w->cursor) == field && PUSHV(*in_field, child) < 0)
            return -1;
    } while (ts_tree_cursor_goto_next_sibling(&w->cursor));
    return 0;
}

static inline int in_nodes(TSNode n, const NodeVec *v) {
    for (Py_ssize_t i = 0; i < v->n; i++)
        if (ts_node_eq(n, v->v[i])) return 1;
    return 0;
}

static inline PyObject *text_of(State *s, TSNode node) {
    Py_ssize_t a = ts_node_start_byte(node), b = ts_node_end_byte(node);
    if (a > s->len) a = s->len;
    if (b > s->len) b = s->len;
    if (b < a) b = a;
    return PyUnicode_DecodeUTF8(s->data + a, b - a, "replace");
}

static inline PyObject *sym_of(State *s, TSSymbol kid) {
    return PyTuple_GET_ITEM(s->w->symbol, slot_of_kind(s->w, kid));
}

static Py_ssize_t new_item(State *s, int is_stmt, PyObject *kind, Py_ssize_t open_start, int implicit) {
    Item it = {is_stmt, kind, NULL, 0, 0, NULL, open_start, implicit};
    if (PUSHV(s->items, it) < 0) return -1;
    return s->items.n - 1;
}

static int add_seg(State *s, Py_ssize_t item, Py_ssize_t a, Py_ssize_t b) {
    Item *it = &s->items.v[item];
    if (grow((void **)&it->segs, &it->capsegs, it->nsegs + 1, sizeof(Seg)) < 0) return -1;
    it->segs[it->nsegs].a = a;
    it->segs[it->nsegs].b = b;
    it->nsegs++;
    return 0;
}

static void close_own_range(State *s, Py_ssize_t stmt, Py_ssize_t end, int *err) {
    Item *it = &s->items.v[stmt];
    if (end > it->open_start && add_seg(s, stmt, it->open_start, end) < 0) *err = 1;
    s->items.v[stmt].open_start = end;
}

static inline Py_ssize_t top_container(State *s) { return s->containers.v[s->containers.n - 1]; }

static int open_implicit(State *s) {
    Py_ssize_t block = top_container(s);
    Py_ssize_t st = new_item(s, 1, s->w->loose, s->toks.n, 1);
    if (st < 0) return -1;
    if (add_seg(s, block, st, -1) < 0) return -1;
    if (PUSHV(s->containers, st) < 0) return -1;
    s->at_block = 0;
    return 0;
}

static int close_implicit(State *s) {
    Py_ssize_t top = top_container(s);
    Item *it = &s->items.v[top];
    if (it->is_stmt && it->implicit) {
        int err = 0;
        close_own_range(s, top, s->toks.n, &err);
        if (err) return -1;
        s->containers.n--;
        s->at_block = 1;
    }
    return 0;
}

/* ``emit``: steals ``text``. */
static int emit(State *s, uint32_t start, uint32_t end, PyObject *sym, PyObject *text, int mode) {
    if (s->at_block && open_implicit(s) < 0) { Py_DECREF(text); return -1; }
    Tok t = {sym, text, (uint8_t)mode, (int32_t)s->scope_stack.v[s->scope_stack.n - 1],
             (int32_t)s->unit_stack.v[s->unit_stack.n - 1], start, end};
    if (PUSHV(s->toks, t) < 0) { Py_DECREF(text); return -1; }
    return 0;
}

static int emit_head(State *s, TSNode node, PyObject *sym) {
    uint32_t start = ts_node_start_byte(node);
    Py_INCREF(s->w->empty);
    return emit(s, start, start, sym, s->w->empty, M_NONE);
}

static int bind(State *s, PyObject *name, PyObject *role) {
    ScopeRec *sc = &s->scopes.v[s->scope_stack.v[s->scope_stack.n - 1]];
    int r = PySet_Contains(sc->globals, name);
    if (r < 0) return -1;
    if (r) {
        PyObject *v = PyDict_SetDefault(s->scopes.v[0].binds, name, role);
        return v ? 0 : -1;
    }
    r = PySet_Contains(sc->nonlocals, name);
    if (r < 0) return -1;
    if (!r) {
        PyObject *v = PyDict_SetDefault(sc->binds, name, role);
        return v ? 0 : -1;
    }
    return 0;
}

static int new_scope(State *s, PyObject *kind, Py_ssize_t parent, int is_class) {
    /* Its three containers are made here and given to the class, rather than made by its
     * field factories and read back. */
    ScopeRec r = {NULL, PyDict_New(), PySet_New(NULL), PySet_New(NULL), parent};
    PyObject *parent_number = PyLong_FromSsize_t(parent);
    if (r.binds && r.globals && r.nonlocals && parent_number) {
        PyObject *values[6] = {kind, parent_number, is_class ? Py_True : Py_False,
                               r.binds, r.globals, r.nonlocals};
        r.obj = slot_make(&s->w->make_scope, values);
    }
    Py_XDECREF(parent_number);
    if (!r.obj || PUSHV(s->scopes, r) < 0) {
        Py_XDECREF(r.obj); Py_XDECREF(r.binds); Py_XDECREF(r.globals); Py_XDECREF(r.nonlocals);
        return -1;
    }
    return 0;
}

/* ``_unwrap`` */
static TSNode unwrap(State *s, TSNode node) {
    while (s->w->action[ts_node_symbol(node)] == ACT_TRANSPARENT && ts_node_named_child_count(node) == 1) {
        TSNode inner = ts_node_named_child(node, 0);
        if (ts_node_is_null(inner)) break;
        node = inner;
    }
    return node;
}

/* ``_template``: a new str or NULL. */
static PyObject *template_text(State *s, TSNode node, NodeVec *kids) {
    Walker *w = s->w;
    if (children(s, node, kids) < 0) return NULL;
    /* pieces joined into one buffer */
    Py_ssize_t cap = 64, n = 0;
    char *buf = PyMem_Malloc((size_t)cap);
    if (!buf) return PyErr_NoMemory();
#define APPEND(p, k) do { \
        Py_ssize_t _k = (k); \
        if (_k > 0) { \
            if (n + _k > cap) { \
                while (n + _k > cap) cap *= 2; \
                char *_nb = PyMem_Realloc(buf, (size_t)cap); \
                if (!_nb) { PyMem_Free(buf); return PyErr_NoMemory(); } \
                buf = _nb; \
            } \
            memcpy(buf + n, (p), (size_t)_k); n += _k; \
        } } while (0)
#define SLICE(a0, b0) do { \
        Py_ssize_t _a = (a0), _b = (b0); \
        if (_a > s->len) _a = s->len; \
        if (_b > s->len) _b = s->len; \
        if (_b > _a) APPEND(s->data + _a, _b - _a); } while (0)
    Py_ssize_t start = ts_node_start_byte(node);
    for (Py_ssize_t i = 0; i < kids->n; i++) {
        TSNode c = kids->v[i];
        if (w->flags[ts_node_symbol(c)] & F_INTERPOLATION) {
            SLICE(start, (Py_ssize_t)ts_node_start_byte(c));
            APPEND("{}", 2);
            start = ts_node_end_byte(c);
        }
    }
    SLICE(start, (Py_ssize_t)ts_node_end_byte(node));
#undef SLICE
#undef APPEND
    PyObject *r = PyUnicode_DecodeUTF8(buf, n, "replace");
    PyMem_Free(buf);
    return r;
}

static int hex_digit(Py_UCS4 c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* ``count`` hex digits at ``at`` as a code point, or -1 when they are not all there. */
static long hex_run(int kind, const void *data, Py_ssize_t at, Py_ssize_t end, int count) {
    if (end - at < count) return -1;
    long value = 0;
    for (int i = 0; i < count; i++) {
        int d = hex_digit(PyUnicode_READ(kind, data, at + i));
        if (d < 0) return -1;
        value = value * 16 + d;
    }
    return value;
}

/* A string body's escapes decoded as ``literals._unescaped`` decodes them (the
 * ``unicode_escape`` codec), for the escapes that codec decodes without a warning or an
 * error and that mean the same whatever the text around them: the one-letter escapes, a
 * backslash-newline, ``\xHH``, ``\uHHHH``, ``\UHHHHHHHH`` up to U+10FFFF and octal escapes up
 * to 0o377.  Anything else (``\N{...}``, an unknown or truncated escape, a backslash before
 * a character outside ASCII, which the Python code's latin-1 step reads differently) gives
 * NULL without an error, for the Python code to decide. */
static PyObject *unescaped(PyObject *text, Py_ssize_t from, Py_ssize_t to) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 *out = PyMem_Malloc((size_t)(to - from + 1) * sizeof(Py_UCS4));
    if (!out) return PyErr_NoMemory();
    Py_ssize_t n = 0;
    for (Py_ssize_t i = from; i < to;) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c != '\\') {
            out[n++] = c;
            i++;
            continue;
        }
        if (i + 1 >= to) goto fallback;
        Py_UCS4 e = PyUnicode_READ(kind, data, i + 1);
        long value;
        i += 2;
        switch (e) {
        case '\\': case '\'': case '"': out[n++] = e; continue;
        case 'a': out[n++] = 7; continue;
        case 'b': out[n++] = 8; continue;
        case 'f': out[n++] = 12; continue;
        case 'n': out[n++] = 10; continue;
        case 'r': out[n++] = 13; continue;
        case 't': out[n++] = 9; continue;
        case 'v': out[n++] = 11; continue;
        case '\n': continue;
        case 'x': value = hex_run(kind, data, i, to, 2); i += 2; break;
        case 'u': value = hex_run(kind, data, i, to, 4); i += 4; break;
        case 'U': value = hex_run(kind, data, i, to, 8); i += 8; break;
        default:
            if (e < '0' || e > '7') goto fallback;
            value = (long)(e - '0');
            for (int k = 0; k < 2 && i < to; k++, i++) {
                Py_UCS4 d = PyUnicode_READ(kind, data, i);
                if (d < '0' || d > '7') break;
                value = value * 8 + (long)(d - '0');
            }
            if (value > 0377) goto fallback;
        }
        if (value < 0 || value > 0x10FFFF) goto fallback;
        out[n++] = (Py_UCS4)value;
    }
    PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, n);
    PyMem_Free(out);
    return result;
fallback:
    PyMem_Free(out);
    return NULL;
}

/* ``literals.literal_value`` of a number spelled with only digits, ``x``/``o``/``b``
 * prefixes, ``.``, ``e`` and signs, after the Python code's own steps (underscores dropped,
 * lower case): ``int(text, 0)`` for a decimal integer or a prefixed one of at most 15
 * digits, else ``repr(float(text))`` through the very C function ``float`` uses.  NULL without an
 * error for anything else. */
static PyObject *number_value(PyObject *text) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    char buf[64];
    Py_ssize_t len = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '_') continue;
        if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x' || c == 'o' ||
              c == '.' || c == '+' || c == '-'))
            return NULL;
        if (len == (Py_ssize_t)sizeof(buf) - 1) return NULL;
        buf[len++] = (char)c;
    }
    buf[len] = '\0';
    if (len == 0 || buf[0] < '0' || buf[0] > '9') return NULL;
    int base = 10, fractional = 0;
    Py_ssize_t digits = 0;
    if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'o' || buf[1] == 'b')) {
        base = buf[1] == 'x' ? 16 : buf[1] == 'o' ? 8 : 2;
        digits = 2;
    } else {
        for (Py_ssize_t i = 0; i < len; i++) fractional |= buf[i] == '.' || buf[i] == 'e';
    }
    if (!fractional) {
        /* A decimal with a leading zero is an error for int() unless all zeros, and then
         * float() decides: both left to Python. */
        if (base == 10 && len > 1 && buf[0] == '0') return NULL;
        unsigned long long value = 0;
        for (Py_ssize_t i = digits; i < len; i++) {
            int d = hex_digit((Py_UCS4)buf[i]);
            if (d < 0 || d >= base) return NULL;
            if (base == 10) continue; /* read as its digits below */
            /* Past 15 digits a prefixed value could overflow: Python's int decides. */
            if (i - digits >= 15) return NULL;
            value = value * (unsigned)base + (unsigned)d;
        }
        /* A decimal's value reads as its own digits, whatever its length (up to the buffer's,
         * far below int()'s limit on digits). */
        if (base == 10) return PyUnicode_FromStringAndSize(buf, len);
        return PyUnicode_FromFormat("%llu", value);
    }
    for (Py_ssize_t i = 0; i < len; i++)
        if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.' || buf[i] == 'e' ||
              buf[i] == '+' || buf[i] == '-'))
            return NULL;
    PyObject *spelled = PyUnicode_FromStringAndSize(buf, len);
    if (!spelled) return NULL;
    PyObject *number = PyFloat_FromString(spelled);
    Py_DECREF(spelled);
    if (!number) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError)) return NULL;
        PyErr_Clear();
        return NULL;
    }
    PyObject *shown = PyObject_Repr(number);
    Py_DECREF(number);
    return shown;
}

/* ``literals.literal_value`` for the common spellings, exactly as the Python function reads
 * them: a quoted string (after an optional prefix of ``rRbBuUfF``), its escapes decoded
 * unless raw (``unescaped``), and numbers (``number_value``).  Anything else goes to Python:
 * NULL without an error.  The Python function stays the definition. */
static PyObject *fast_literal(PyObject *text) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t p = 0;
    int raw = 0;
    while (p < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p);
        if (c == 'r' || c == 'R') raw = 1;
        else if (!(c == 'b' || c == 'B' || c == 'u' || c == 'U' || c == 'f' || c == 'F')) break;
        p++;
    }
    Py_ssize_t body = n - p;
    static const char *quotes[4] = {"\"\"\"", "'''", "\"", "'"};
    for (int q = 0; q < 4; q++) {
        Py_ssize_t ql = (Py_ssize_t)strlen(quotes[q]);
        if (body < 2 * ql) continue;
        int ok = 1;
        for (Py_ssize_t i = 0; i < ql && ok; i++)
            ok = PyUnicode_READ(kind, data, p + i) == (Py_UCS4)quotes[q][i] &&
                 PyUnicode_READ(kind, data, n - ql + i) == (Py_UCS4)quotes[q][i];
        if (!ok) continue;
        if (!raw)
            for (Py_ssize_t i = p + ql; i < n - ql; i++)
                if (PyUnicode_READ(kind, data, i) == '\\') return unescaped(text, p + ql, n - ql);
        return PyUnicode_Substring(text, p + ql, n - ql);
    }
    if (p != 0) return NULL;
    return number_value(text);
}

static PyObject *fast_literal_function(PyObject *Py_UNUSED(module), PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "fast_literal: a str is needed");
        return NULL;
    }
    PyObject *v = fast_literal(text);
    if (!v && !PyErr_Occurred()) Py_RETURN_NONE;
    return v;
}

static PyObject *literal(State *s, PyObject *text /* stolen */) {
    if (!text) return NULL;
    PyObject *v = fast_literal(text);
    if (!v && !PyErr_Occurred()) v = PyObject_CallOneArg(s->w->literal_value, text);
    Py_DECREF(text);
    if (!v) return NULL;
    if (!PyUnicode_Check(v)) { Py_DECREF(v); PyErr_SetString(PyExc_TypeError, "literal_value"); return NULL; }
    if (PyUnicode_GET_LENGTH(v) > MAX_LITERAL_TEXT) {
        PyObject *cut = PyUnicode_Substring(v, 0, MAX_LITERAL_TEXT);
        Py_DECREF(v);
        return cut;
    }
    return v;
}

/* ``emit_string`` */
static int emit_string(State *s, TSNode node) {
    Walker *w = s->w;
    NodeVec parts = {0}, kids = {0}, found = {0}, sub = {0};
    PyObject *joined = NULL;
    int rc = -1;
    if (children(s, node, &kids) < 0) goto done;
    for (Py_ssize_t i = 0; i < kids.n; i++)
        if (w->flags[ts_node_symbol(kids.v[i])] & F_STRING && PUSHV(parts, kids.v[i]) < 0) goto done;
    if (!parts.n && PUSHV(parts, node) < 0) goto done;
    for (Py_ssize_t i = 0; i < parts.n; i++) {
        PyObject *v = literal(s, template_text(s, parts.v[i], &sub));
        if (!v) goto done;
        if (!joined) {
            joined = v; /* most strings are one part */
            continue;
        }
        PyObject *j = PyUnicode_Concat(joined, v);
        Py_DECREF(v);
        if (!j) goto done;
        Py_SETREF(joined, j);
    }
    if (PyUnicode_GET_LENGTH(joined) > MAX_LITERAL_TEXT) {
        PyObject *cut = PyUnicode_Substring(joined, 0, MAX_LITERAL_TEXT);
        if (!cut) goto done;
        Py_SETREF(joined, cut);
    }
    rc = emit(s, ts_node_start_byte(node), ts_node_end_byte(node), w->str_sym, joined, 0);
    joined = NULL;
    if (rc < 0) goto done;
    rc = -1;
    /* ``_interpolations``: of node, then of each child when node is a string with children
     * (``kids`` still holds node's children: only ``sub`` was reused since) */
    for (Py_ssize_t i = 0; i < kids.n; i++)
        if (w->flags[ts_node_symbol(kids.v[i])] & F_INTERPOLATION && PUSHV(found, kids.v[i]) < 0) goto done;
    if (w->flags[ts_node_symbol(node)] & F_STRING) {
        for (Py_ssize_t i = 0; i < kids.n; i++) {
            if (children(s, kids.v[i], &sub) < 0) goto done;
            for (Py_ssize_t j = 0; j < sub.n; j++)
                if (w->flags[ts_node_symbol(sub.v[j])] & F_INTERPOLATION && PUSHV(found, sub.v[j]) < 0)
                    goto done;
        }
    }
    for (Py_ssize_t i = found.n - 1; i >= 0; i--)
        if (push_node(s, found.v[i], M_USE, 0) < 0) goto done;
    rc = 0;
done:
    Py_XDECREF(joined);
    PyMem_Free(parts.v); PyMem_Free(kids.v); PyMem_Free(found.v); PyMem_Free(sub.v);
    return rc;
}

static inline TSNode by_field(TSNode node, TSFieldId f) { return ts_node_child_by_field_id(node, f); }

/* ``_definition_name``: returns name (maybe null), fills path. */
static int definition_name(State *s, TSNode node, TSNode *name_out, NodeVec *path) {
    Walker *w = s->w;
    path->n = 0;
    TSNode current = node;
    for (;;) {
        TSNode name = {0};
        int found = 0;
        for (int i = 0; i < w->n_name_fields; i++) {
            name = by_field(current, w->name_fields[i]);
            if (!ts_node_is_null(name)) { found = 1; break; }
        }
        if (!found && path->n && ts_node_named_child_count(current)) {
            name = ts_node_named_child(current, ts_node_named_child_count(current) - 1);
            found = !ts_node_is_null(name);
        }
        if (!found || !(w->flags[ts_node_symbol(name)] & F_DECLARATOR)) {
            if (found) *name_out = name;
            else memset(name_out, 0, sizeof(TSNode));
            return 0;
        }
        if (PUSHV(*path, name) < 0) return -1;
        current = name;
    }
}

/* ``_held_name``: new ref, or NULL without error for None. */
static PyObject *held_name(State *s, TSNode node) {
    Walker *w = s->w;
    TSNode parent = ts_node_parent(node);
    if (ts_node_is_null(parent)) return NULL;
    TSSymbol pk = ts_node_symbol(parent);
    if (!(w->xflags[pk] & X_NAMER)) return NULL;
    TSNode holder = by_field(parent, w->unit_namer[pk]);
    if (ts_node_is_null(holder) || ts_node_eq(holder, node)) return NULL;
    if (w->flags[ts_node_symbol(holder)] & F_ATTRIBUTE && ts_node_child_count(holder)) {
        NodeVec kids = {0};
        if (children(s, holder, &kids) < 0) { PyMem_Free(kids.v); return NULL; }
        holder = kids.v[kids.n - 1];
        PyMem_Free(kids.v);
    }
    return w->action[ts_node_symbol(holder)] == ACT_IDENT ? text_of(s, holder) : NULL;
}

static int is_noop(State *s, TSNode node) {
    Walker *w = s->w;
    uint32_t named = ts_node_named_child_count(node);
    if (!named) return 0;
    TSNode first = ts_node_named_child(node, 0);
    if (ts_node_is_null(first)) return 0;
    if (named > 1) {
        NodeVec kids = {0};
        if (children(s, node, &kids) < 0) { PyMem_Free(kids.v); return -1; }
        int seen = 0, other = 0;
        for (Py_ssize_t i = 0; i < kids.n; i++) {
            if (!ts_node_is_named(kids.v[i])) continue;
            if (seen++ == 0) continue;
            if (w->action[ts_node_symbol(kids.v[i])] != ACT_SKIP) { other = 1; break; }
        }
        PyMem_Free(kids.v);
        if (other) return 0;
    }
#define NOOP_ACT(a) ((a) == ACT_STRING || (a) == ACT_LITERAL || (a) == ACT_CONST || (a) == ACT_IDENT)
    TSSymbol fk = ts_node_symbol(first);
    if (NOOP_ACT(w->action[fk])) return 1;
    if (!(w->xflags[fk] & X_PURE)) return 0;
    NodeVec stack = {0}, kids = {0};
    int result = 1;
    if (PUSHV(stack, first) < 0) { result = -1; goto out; }
    while (stack.n) {
        TSNode cur = stack.v[--stack.n];
        TSSymbol k = ts_node_symbol(cur);
        uint8_t a = w->action[k];
        if (a == ACT_STRUCT && !(w->xflags[k] & X_PURE)) { result = 0; break; }
        if (a != ACT_SKIP && !NOOP_ACT(a)) {
            if (children(s, cur, &kids) < 0) { result = -1; break; }
            for (Py_ssize_t i = 0; i < kids.n; i++)
                if (PUSHV(stack, kids.v[i]) < 0) { result = -1; goto out; }
        }
    }
out:
    PyMem_Free(stack.v); PyMem_Free(kids.v);
    return result;
}

static int is_braceless_body(State *s, TSNode node) {
    Walker *w = s->w;
    TSNode parent = ts_node_parent(node);
    if (ts_node_is_null(parent)) return 0;
    TSSymbol pk = ts_node_symbol(parent);
    if (!(w->xflags[pk] & X_BRACELESS)) return 0;
    int n = w->braceless_n[pk];
    if (!n) return 1;
    for (int i = 0; i < n; i++) {
        TSNode c = by_field(parent, w->braceless_pool[w->braceless_off[pk] + i]);
        if (!ts_node_is_null(c) && ts_node_eq(c, node)) return 1;
    }
    return 0;
}

/* ``_opens_unit``: 1, 0, or -1 on error */
static int opens_unit(State *s, TSNode node, uint32_t flags) {
    Walker *w = s->w;
    if (w->has_unit_body && ts_node_is_null(by_field(node, w->unit_body))) return 0;
    if (!(flags & F_SCOPE)) return 1;
    NodeVec path = {0};
    TSNode name;
    int r = definition_name(s, node, &name, &path);
    PyMem_Free(path.v);
    if (r < 0) return -1;
    if (!ts_node_is_null(name)) return 1;
    PyObject *held = held_name(s, node);
    if (held) { Py_DECREF(held); return 1; }
    return PyErr_Occurred() ? -1 : 0;
}

/* ``_push_tuple_parts``: 1 if scheduled, 0 if not, -1 on error */
static int push_tuple_parts(State *s, TSNode node, TSNode left, Py_ssize_t stmt, Py_ssize_t head) {
    Walker *w = s->w;
    TSNode right = by_field(node, w->f_right);
    if (ts_node_is_null(right) || !ts_node_is_null(by_field(node, w->f_type))) return 0;
    uint32_t lf = w->flags[ts_node_symbol(left)], rf = w->flags[ts_node_symbol(right)];
    int left_tuple = (lf & F_TUPLE_TARGET) != 0, right_tuple = (rf & F_TUPLE_VALUE) != 0;
    NodeVec targets = {0}, values = {0}, kids = {0};
    int rc = -1;
    if (left_tuple && right_tuple) {
        if (children(s, left, &kids) < 0) goto done;
        for (Py_ssize_t i = 0; i < kids.n; i++)
            if (ts_node_is_named(kids.v[i]) && w->action[ts_node_symbol(kids.v[i])] != ACT_SKIP)
                if (PUSHV(targets, kids.v[i]) < 0) goto done;
        if (children(s, right, &kids) < 0) goto done;
        for (Py_ssize_t i = 0; i < kids.n; i++)
            if (ts_node_is_named(kids.v[i]) && w->action[ts_node_symbol(kids.v[i])] != ACT_SKIP)
                if (PUSHV(values, kids.v[i]) < 0) goto done;
        if (targets.n != values.n || targets.n < 2) { rc = 0; goto done; }
    } else if (left_tuple || (rf & F_ASSIGNMENT)) {
        rc = 0;
        goto done;
    } else {
        if (PUSHV(targets, left) < 0 || PUSHV(values, right) < 0) goto done;
    }
    for (Py_ssize_t i = 0; i < targets.n; i++)
        if (w->flags[ts_node_symbol(targets.v[i])] & F_SPLAT) { rc = 0; goto done; }
    for (Py_ssize_t i = 0; i < values.n; i++)
        if (w->flags[ts_node_symbol(values.v[i])] & F_SPLAT) { rc = 0; goto done; }
    TupleRec rec = {stmt, head, {0}};
    if (PUSHV(s->tuples, rec) < 0) goto done;
    Py_ssize_t ri = s->tuples.n - 1;
    TSNode none = {0};
    if (push_ctl(s, C_TUPLE_DONE, none, NULL, ri) < 0) goto done;
    if (push_ctl(s, C_MARK, none, NULL, ri) < 0) goto done;
    for (Py_ssize_t i = values.n - 1; i >= 0; i--) {
        if (push_node(s, values.v[i], M_USE, 0) < 0) goto done;
        if (push_ctl(s, C_MARK, none, NULL, ri) < 0) goto done;
    }
    for (Py_ssize_t i = targets.n - 1; i >= 0; i--) {
        if (push_node(s, targets.v[i], M_BIND, 0) < 0) goto done;
        if (push_ctl(s, C_MARK, none, NULL, ri) < 0) goto done;
    }
    rc = 1;
done:
    PyMem_Free(targets.v); PyMem_Free(values.v); PyMem_Free(kids.v);
    return rc;
}

/* ``_format_receiver``: 1 (``*receiver`` set), 0 (None), -1 (error) */
static int format_receiver(State *s, TSNode node, TSNode *receiver) {
    Walker *w = s->w;
    NodeVec kids = {0};
    int rc = -1;
    /* First children by ``ts_node_child`` (the same children as the cursor's): most calls
     * are not ``"...".format`` and need no list of children to tell. */
    if (!ts_node_child_count(node)) { PyErr_SetString(Fallback, "call without children"); goto done; }
    TSNode function = ts_node_child(node, 0);
    rc = 0;
    if (!(w->flags[ts_node_symbol(function)] & F_ATTRIBUTE)) goto done;
    if (!ts_node_child_count(function)) {
        PyErr_SetString(Fallback, "attribute without children");
        rc = -1;
        goto done;
    }
    if (w->action[ts_node_symbol(ts_node_child(function, 0))] != ACT_STRING) goto done;
    rc = -1;
    if (children(s, function, &kids) < 0) goto done;
    rc = 0;
    TSNode last = kids.v[kids.n - 1];
    Py_ssize_t a = ts_node_start_byte(last), b = ts_node_end_byte(last);
    Py_ssize_t fl = PyBytes_GET_SIZE(w->format_method);
    if (a > s->len) a = s->len;
    if (b > s->len) b = s->len;
    if (b < a) b = a;
    if (b - a == fl && memcmp(s->data + a, PyBytes_AS_STRING(w->format_method), (size_t)fl) == 0) {
        *receiver = kids.v[0];
        rc = 1;
    }
done:
    PyMem_Free(kids.v);
    return rc;
}

/* ``_holds_rewrite``: whether ``node`` or a node inside it is an increment or an augmented
 * assignment (whose operand the walk would emit twice). */
static int holds_rewrite(State *s, TSNode node) {
    TSTreeCursor cursor = ts_tree_cursor_new(node);
    int found = 0;
    for (;;) {
        if (s->w->flags[ts_node_symbol(ts_tree_cursor_current_node(&cursor))] &
            (F_INCREMENT | F_AUGMENTED)) {
            found = 1;
            break;
        }
        if (ts_tree_cursor_goto_first_child(&cursor)) continue;
        while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
            if (!ts_tree_cursor_goto_parent(&cursor)) goto done;
        }
    }
done:
    ts_tree_cursor_delete(&cursor);
    return found;
}

/* ``flags & F_AUGMENTED and symbol[node.children[1].kind_id] != "="`` and not
 * ``_holds_rewrite(node.children[0])``, children into ``kids`` */
static int augmented(State *s, TSNode node, NodeVec *kids) {
    if (children(s, node, kids) < 0) return -1;
    if (kids->n < 2) {
        PyErr_SetString(Fallback, "augmented assignment with fewer than two children");
        return -1;
    }
    if (s->w->xflags[ts_node_symbol(kids->v[1])] & X_EQ) return 0;
    return holds_rewrite(s, kids->v[0]) ? 0 : 1;
}

static PyObject *syntax_errors(TSTree *tree) {
    TSNode root = ts_tree_root_node(tree);
    long long count = 0, size = 0;
    if (ts_node_has_error(root)) {
        NodeVec stack = {0};
        if (PUSHV(stack, root) < 0) return NULL;
        TSTreeCursor cursor = ts_tree_cursor_new(root);
        while (stack.n) {
            TSNode node = stack.v[--stack.n];
            if (ts_node_is_error(node)) {
                count++;
                size += (long long)ts_node_end_byte(node) - (long long)ts_node_start_byte(node);
            } else if (ts_node_is_missing(node)) {
                count++;
            } else if (ts_node_has_error(node)) {
                ts_tree_cursor_reset(&cursor, node);
                if (ts_tree_cursor_goto_first_child(&cursor)) {
                    do {
                        if (PUSHV(stack, ts_tree_cursor_current_node(&cursor)) < 0) {
                            ts_tree_cursor_delete(&cursor); PyMem_Free(stack.v); return NULL;
                        }
                    } while (ts_tree_cursor_goto_next_sibling(&cursor));
                }
            }
        }
        ts_tree_cursor_delete(&cursor);
        PyMem_Free(stack.v);
    }
    return Py_BuildValue("(LL)", count, size);
}

/* ------------------------------------------------------------------ the walk */

static PyObject *build_program(State *s, TSTree *tree);

static PyObject *walker_walk(Walker *w, PyObject *args) {
    Tree *tree;
    PyObject *package;
    if (!PyArg_ParseTuple(args, "O!O!", &TreeType, &tree, &PyTuple_Type, &package)) return NULL;
    if (ts_tree_language(tree->tree) != w->lang) {
        PyErr_SetString(PyExc_ValueError, "tree of another language");
        return NULL;
    }
    State st;
    memset(&st, 0, sizeof st);
    State *s = &st;
    s->w = w;
    s->data = PyBytes_AS_STRING(tree->data);
    s->len = PyBytes_GET_SIZE(tree->data);
    s->package = package;
    int has_package = PyTuple_GET_SIZE(package) > 0;
    PyObject *result = NULL;
    NodeVec kids = {0}, targets = {0}, path = {0}, named = {0}, around = {0};
    TSNode none;
    memset(&none, 0, sizeof none);
    int err = 0;

    s->unit_names = PyList_New(0); s->unit_kinds = PyList_New(0); s->unit_parents = PyList_New(0);
    s->unit_spans = PyList_New(0); s->aliases = PyDict_New();
    if (!s->unit_names || !s->unit_kinds || !s->unit_parents || !s->unit_spans || !s->aliases) goto error;
    if (new_scope(s, w->module_kind, -1, 0) < 0) goto error;
    CHECK(PUSHV(s->scope_stack, 0));
    CHECK(PyList_Append(s->unit_names, w->module_unit));
    CHECK(PyList_Append(s->unit_kinds, w->module_kind));
    {
        PyObject *m1 = PyLong_FromLong(-1);
        if (!m1) goto error;
        int r = PyList_Append(s->unit_parents, m1);
        Py_DECREF(m1);
        CHECK(r);
        PyObject *span = Py_BuildValue("(nn)", (Py_ssize_t)0, s->len);
        if (!span) goto error;
        r = PyList_Append(s->unit_spans, span);
        Py_DECREF(span);
        CHECK(r);
    }
    CHECK(PUSHV(s->unit_stack, 0));
    CHECK(new_item(s, 0, NULL, -1, 0)); /* root block: item 0 */
    CHECK(PUSHV(s->containers, 0));
    s->at_block = 1;

    TSNode root = ts_tree_root_node(tree->tree);
    CHECK(push_node(s, root, M_USE, 0));

    while (s->stack.n) {
        Entry e = s->stack.v[--s->stack.n];
        if (e.code) {
            switch (e.code) {
            case C_EXIT_STATEMENT: {
                Py_ssize_t stmt = s->containers.v[--s->containers.n];
                close_own_range(s, stmt, s->toks.n, &err);
                if (err) goto error;
                s->at_block = 1;
                break;
            }
            case C_EXIT_BLOCK: {
                CHECK(close_implicit(s));
                s->containers.n--;
                Py_ssize_t parent = top_container(s);
                if (!s->items.v[parent].is_stmt) FAIL("block outside a statement");
                s->items.v[parent].open_start = s->toks.n;
                s->at_block = 0;
                break;
            }
            case C_EXIT_SCOPE: s->scope_stack.n--; break;
            case C_EXIT_UNIT: s->unit_stack.n--; break;
            case C_MARK: CHECK(PUSHV(s->tuples.v[e.payload].marks, s->toks.n)); break;
            case C_HEAD: CHECK(emit_head(s, e.node, e.sym)); break;
            case C_ONE:
                Py_INCREF(w->one_text);
                CHECK(emit(s, ts_node_start_byte(e.node), ts_node_end_byte(e.node), e.sym, w->one_text, 0));
                break;
            case C_TUPLE_DONE: {
                TupleRec *rec = &s->tuples.v[e.payload];
                Py_ssize_t half = rec->marks.n / 2;
                PyObject *tl = PyList_New(half), *vl = PyList_New(half);
                if (!tl || !vl) { Py_XDECREF(tl); Py_XDECREF(vl); goto error; }
                for (Py_ssize_t i = 0; i < half; i++) {
                    PyObject *r1 = new_range(rec->marks.v[i], rec->marks.v[i + 1]);
                    PyObject *r2 = new_range(rec->marks.v[half + i], rec->marks.v[half + i + 1]);
                    if (!r1 || !r2) { Py_XDECREF(r1); Py_XDECREF(r2); Py_DECREF(tl); Py_DECREF(vl); goto error; }
                    PyList_SET_ITEM(tl, i, r1);
                    PyList_SET_ITEM(vl, i, r2);
                }
                PyObject *parts = PyObject_CallFunction(w->TupleParts, "nNN", rec->head, tl, vl);
                if (!parts) goto error;
                Py_XSETREF(s->items.v[rec->stmt].parts, parts);
                break;
            }
            }
            continue;
        }

        TSNode node = e.node;
        int mode = e.mode;
        TSSymbol kid = ts_node_symbol(node);
        uint8_t act = w->action[kid];
        if (act == ACT_SKIP) continue;
        if (act == ACT_IDENT) {
            PyObject *name = text_of(s, node);
            if (!name) goto error;
            int r = 0;
            if (mode == M_BIND) r = bind(s, name, w->local_role);
            else if (mode == M_PARAM) r = bind(s, name, w->param_role);
            if (r < 0) { Py_DECREF(name); goto error; }
            CHECK(emit(s, ts_node_start_byte(node), ts_node_end_byte(node), w->empty, name,
                       mode ? mode : M_USE));
            continue;
        }
        if (act == ACT_OP) {
            PyObject *sym = sym_of(s, kid);
            if (e.negate) {
                PyObject *neg = PyDict_GetItemWithError(w->negated, sym);
                if (neg) sym = neg;
                else if (PyErr_Occurred()) goto error;
            }
            Py_INCREF(w->empty);
            CHECK(emit(s, ts_node_start_byte(node), ts_node_end_byte(node), sym, w->empty, 0));
            continue;
        }
        if (act == ACT_LITERAL) {
            PyObject *v = literal(s, text_of(s, node));
            if (!v) goto error;
            CHECK(emit(s, ts_node_start_byte(node), ts_node_end_byte(node), sym_of(s, kid), v, 0));
            continue;
        }
        if (act == ACT_CONST) {
            Py_INCREF(w->empty);
            CHECK(emit(s, ts_node_start_byte(node), ts_node_end_byte(node), sym_of(s, kid), w->empty, M_NONE));
            continue;
        }

        uint32_t flags = w->flags[kid];
        int fr;
        TSNode receiver;
        int child_mode = mode == M_EXTERNAL ? M_EXTERNAL : M_USE;
        if (flags) {
            if (flags & F_STATEMENT) {
                int skip = 0;
                if (flags & F_EXPR_STATEMENT) {
                    int r = is_noop(s, node);
                    if (r < 0) goto error;
                    skip = r;
                }
                if (skip) continue;
                Py_ssize_t top = top_container(s);
                if (s->items.v[top].is_stmt && s->items.v[top].implicit) {
                    CHECK(close_implicit(s));
                    top = top_container(s);
                } else if (s->items.v[top].is_stmt && is_braceless_body(s, node)) {
                    close_own_range(s, top, s->toks.n, &err);
                    if (err) goto error;
                    Py_ssize_t block = new_item(s, 0, NULL, -1, 0);
                    CHECK(block);
                    CHECK(add_seg(s, top, block, -1));
                    CHECK(PUSHV(s->containers, block));
                    CHECK(push_ctl(s, C_EXIT_BLOCK, none, NULL, 0));
                    top = block;
                }
                if (!s->items.v[top].is_stmt) {
                    Py_ssize_t stmt = new_item(s, 1, sym_of(s, kid), s->toks.n, 0);
                    CHECK(stmt);
                    CHECK(add_seg(s, top, stmt, -1));
                    CHECK(PUSHV(s->containers, stmt));
                    s->at_block = 0;
                    CHECK(push_ctl(s, C_EXIT_STATEMENT, none, NULL, 0));
                }
            }
            if (flags & F_BLOCK && !ts_node_eq(node, root)) {
                Py_ssize_t top = top_container(s);
                if (!s->items.v[top].is_stmt) {
                    CHECK(open_implicit(s));
                    top = top_container(s);
                }
                close_own_range(s, top, s->toks.n, &err);
                if (err) goto error;
                Py_ssize_t block = new_item(s, 0, NULL, -1, 0);
                CHECK(block);
                CHECK(add_seg(s, top, block, -1));
                CHECK(PUSHV(s->containers, block));
                s->at_block = 1;
                CHECK(push_ctl(s, C_EXIT_BLOCK, none, NULL, 0));
            }
            int opens = 0;
            if (flags & F_UNIT) {
                opens = opens_unit(s, node, flags);
                CHECK(opens);
            }
            if (opens) {
                TSNode name_node;
                CHECK(definition_name(s, node, &name_node, &path));
                int has_name = !ts_node_is_null(name_node);
                PyObject *name;
                if (has_name) name = text_of(s, name_node);
                else {
                    name = held_name(s, node);
                    if (!name && PyErr_Occurred()) goto error;
                    if (name && PyUnicode_GET_LENGTH(name) == 0) Py_CLEAR(name);
                    if (!name) { name = w->anonymous; Py_INCREF(name); }
                }
                if (!name) goto error;
                Py_ssize_t outer = s->unit_stack.v[s->unit_stack.n - 1];
                PyObject *full;
                if (outer == 0) { full = name; Py_INCREF(full); }
                else full = PyUnicode_FromFormat("%U.%U", PyList_GET_ITEM(s->unit_names, outer), name);
                int r = full ? PyList_Append(s->unit_names, full) : -1;
                Py_XDECREF(full);
                if (r < 0) { Py_DECREF(name); goto error; }
                PyObject *ukind = PyTuple_GET_ITEM(w->unit_kind, slot_of_kind(w, kid));
                PyObject *o = PyLong_FromSsize_t(outer);
                PyObject *span = Py_BuildValue("(II)", ts_node_start_byte(node), ts_node_end_byte(node));
                r = (o && span && PyList_Append(s->unit_kinds, ukind) == 0 &&
                     PyList_Append(s->unit_parents, o) == 0 && PyList_Append(s->unit_spans, span) == 0)
                        ? 0 : -1;
                Py_XDECREF(o); Py_XDECREF(span);
                if (r < 0 || PUSHV(s->unit_stack, PyList_GET_SIZE(s->unit_names) - 1) < 0) {
                    Py_DECREF(name); goto error;
                }
                if (emit_head(s, node, sym_of(s, kid)) < 0) { Py_DECREF(name); goto error; }
                if (has_name) {
                    if (bind(s, name, PyTuple_GET_ITEM(w->definition_role, slot_of_kind(w, kid))) < 0) { Py_DECREF(name); goto error; }
                    Py_INCREF(name);
                    if (emit(s, ts_node_start_byte(name_node), ts_node_end_byte(name_node), w->empty, name, M_DEF) < 0) {
                        Py_DECREF(name); goto error;
                    }
                }
                Py_DECREF(name);
                int is_class = str_eq(ukind, w->class_kind);
                CHECK(is_class);
                CHECK(new_scope(s, sym_of(s, kid), s->scope_stack.v[s->scope_stack.n - 1], is_class));
                CHECK(PUSHV(s->scope_stack, s->scopes.n - 1));
                CHECK(push_ctl(s, C_EXIT_UNIT, none, NULL, 0));
                CHECK(push_ctl(s, C_EXIT_SCOPE, none, NULL, 0));
                TSNode lone = none;
                if (w->xflags[kid] & X_LONE) lone = by_field(node, w->lone_parameter[kid]);
                NodeVec *list = &kids;
                if (path.n) {
                    /* ``_around`` */
                    NodeVec pending = {0};
                    around.n = 0;
                    if (children(s, node, &kids) < 0) goto error;
                    for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                        if (PUSHV(pending, kids.v[i]) < 0) { PyMem_Free(pending.v); goto error; }
                    Py_ssize_t depth = 0;
                    while (pending.n) {
                        TSNode child = pending.v[--pending.n];
                        if (depth < path.n && ts_node_eq(child, path.v[depth])) {
                            depth++;
                            if (children(s, child, &kids) < 0) { PyMem_Free(pending.v); goto error; }
                            for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                                if (PUSHV(pending, kids.v[i]) < 0) { PyMem_Free(pending.v); goto error; }
                        } else if (!(has_name && ts_node_eq(child, name_node))) {
                            if (PUSHV(around, child) < 0) { PyMem_Free(pending.v); goto error; }
                        }
                    }
                    PyMem_Free(pending.v);
                    list = &around;
                } else {
                    CHECK(children(s, node, &kids));
                }
                for (Py_ssize_t i = list->n - 1; i >= 0; i--) {
                    TSNode child = list->v[i];
                    if (has_name && ts_node_eq(child, name_node)) continue;
                    if (w->action[ts_node_symbol(child)] == ACT_SKIP) continue;
                    int is_lone = !ts_node_is_null(lone) && ts_node_eq(child, lone);
                    CHECK(push_node(s, child, is_lone ? M_PARAM : M_USE, 0));
                }
                continue;
            } else if (flags & F_SCOPE) {
                CHECK(new_scope(s, sym_of(s, kid), s->scope_stack.v[s->scope_stack.n - 1], 0));
                CHECK(PUSHV(s->scope_stack, s->scopes.n - 1));
                CHECK(push_ctl(s, C_EXIT_SCOPE, none, NULL, 0));
                if (w->xflags[kid] & X_LONE) {
                    TSNode lone = by_field(node, w->lone_parameter[kid]);
                    if (!ts_node_is_null(lone)) {
                        CHECK(emit_head(s, node, sym_of(s, kid)));
                        CHECK(children(s, node, &kids));
                        for (Py_ssize_t i = kids.n - 1; i >= 0; i--) {
                            TSNode child = kids.v[i];
                            if (w->action[ts_node_symbol(child)] == ACT_SKIP) continue;
                            CHECK(push_node(s, child, ts_node_eq(child, lone) ? M_PARAM : child_mode, 0));
                        }
                        continue;
                    }
                }
            } else if (flags & F_IMPORT) {
                child_mode = M_EXTERNAL;
            } else if (flags & F_STRING && act == ACT_STRING) {
                CHECK(emit_string(s, node));
                continue;
            } else if (flags & F_CALL && (fr = format_receiver(s, node, &receiver)) != 0) {
                CHECK(fr);
                CHECK(emit_string(s, receiver));
                CHECK(children(s, node, &kids));
                CHECK(push_node(s, kids.v[kids.n - 1], M_USE, 0));
                continue;
            } else if (flags & F_BINARY) {
                CHECK(children(s, node, &kids));
                if (kids.n == 3 && w->action[ts_node_symbol(kids.v[0])] == ACT_STRING &&
                    w->xflags[ts_node_symbol(kids.v[1])] & X_FMT_OP) {
                    TSNode c0 = kids.v[0], c2 = kids.v[2];
                    CHECK(emit_string(s, c0));
                    /* ``_tuple_items`` */
                    TSNode item = unwrap(s, c2);
                    TSSymbol ik = ts_node_symbol(item);
                    if (w->flags[ik] & F_TUPLE_VALUE && w->xflags[ik] & X_TUPLE) {
                        CHECK(children(s, item, &kids));
                        for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                            if (ts_node_is_named(kids.v[i]) && w->action[ts_node_symbol(kids.v[i])] != ACT_SKIP)
                                CHECK(push_node(s, kids.v[i], M_USE, 0));
                    } else {
                        CHECK(push_node(s, item, M_USE, 0));
                    }
                    continue;
                }
            } else if (flags & F_INCREMENT && ts_node_named_child_count(node) == 1 &&
                       !holds_rewrite(s, ts_node_named_child(node, 0))) {
                CHECK(children(s, node, &kids));
                TSNode operand = none, step = none;
                int has_operand = 0, has_step = 0;
                for (Py_ssize_t i = 0; i < kids.n; i++) {
                    if (ts_node_is_named(kids.v[i])) { if (!has_operand) { operand = kids.v[i]; has_operand = 1; } }
                    else if (!has_step) { step = kids.v[i]; has_step = 1; }
                }
                if (!has_operand || !has_step) FAIL("increment without operand or operator");
                CHECK(emit_head(s, node, w->assignment_symbol));
                CHECK(push_ctl(s, C_ONE, step, PyTuple_GET_ITEM(w->increment_literal, slot_of_kind(w, kid)), 0));
                CHECK(push_node(s, step, M_USE, 0));
                CHECK(push_node(s, operand, M_USE, 0));
                CHECK(push_ctl(s, C_HEAD, node, w->binary_symbol, 0));
                CHECK(push_node(s, operand, M_BIND, 0));
                continue;
            } else if (flags & F_AUGMENTED && (fr = augmented(s, node, &kids)) != 0) {
                CHECK(fr);
                TSNode left = kids.v[0], op = kids.v[1], right = kids.v[kids.n - 1];
                CHECK(emit_head(s, node, w->assignment_symbol));
                CHECK(push_node(s, right, M_USE, 0));
                CHECK(push_node(s, op, M_USE, 0));
                CHECK(push_node(s, left, M_USE, 0));
                CHECK(push_ctl(s, C_HEAD, node, w->binary_symbol, 0));
                CHECK(push_node(s, left, M_BIND, 0));
                continue;
            } else if (flags & F_NEGATION) {
                CHECK(children(s, node, &kids));
                if (!kids.n) FAIL("negation without children");
                TSNode argument = unwrap(s, kids.v[kids.n - 1]);
                if (w->flags[ts_node_symbol(argument)] & F_COMPARISON && ts_node_child_count(argument) == 3) {
                    CHECK(push_node(s, argument, mode, 1));
                    continue;
                }
            } else if (flags & F_COMPARISON && e.negate) {
                CHECK(emit_head(s, node, sym_of(s, kid)));
                CHECK(children(s, node, &kids));
                for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                    CHECK(push_node(s, kids.v[i], M_USE, w->action[ts_node_symbol(kids.v[i])] == ACT_OP));
                continue;
            } else if (flags & F_ALIASED_IMPORT) {
                CHECK(children(s, node, &kids));
                if (!kids.n) FAIL("aliased import without children");
                TSNode original = kids.v[0], alias = kids.v[kids.n - 1];
                PyObject *otext = text_of(s, original);
                if (!otext) goto error;
                PyObject *target = PyObject_CallFunctionObjArgs(w->alias_path, otext, s->package, NULL);
                Py_DECREF(otext);
                if (!target) goto error;
                PyObject *atext = text_of(s, alias);
                if (!atext) { Py_DECREF(target); goto error; }
                int r = PyDict_SetItem(s->aliases, atext, target);
                Py_DECREF(atext); Py_DECREF(target);
                CHECK(r);
                CHECK(push_node(s, original, M_EXTERNAL, 0));
                continue;
            } else if (flags & F_MODULE_PATH && mode == M_EXTERNAL && has_package) {
                CHECK(children(s, node, &kids));
                PyObject *texts = PyList_New(0);
                if (!texts) goto error;
                Py_ssize_t nparts = 0;
                for (Py_ssize_t i = 0; i < kids.n; i++) {
                    if (w->action[ts_node_symbol(kids.v[i])] != ACT_IDENT) continue;
                    kids.v[nparts++] = kids.v[i];
                    PyObject *t = text_of(s, kids.v[i]);
                    if (!t || PyList_Append(texts, t) < 0) { Py_XDECREF(t); Py_DECREF(texts); goto error; }
                    Py_DECREF(t);
                }
                PyObject *d = PyObject_CallFunctionObjArgs(w->first_party_depth, texts, s->package, NULL);
                Py_DECREF(texts);
                if (!d) goto error;
                Py_ssize_t depth = PyLong_AsSsize_t(d);
                Py_DECREF(d);
                if (depth == -1 && PyErr_Occurred()) goto error;
                if (depth < 0) FAIL("negative depth");
                for (Py_ssize_t i = nparts - 1; i >= depth; i--) CHECK(push_node(s, kids.v[i], mode, 0));
                continue;
            } else if (flags & F_PARAMS) {
                CHECK(children(s, node, &kids));
                for (Py_ssize_t i = kids.n - 1; i >= 0; i--) {
                    TSSymbol ck = ts_node_symbol(kids.v[i]);
                    int p = w->action[ck] == ACT_IDENT || (w->flags[ck] & PARAM_CHILD);
                    CHECK(push_node(s, kids.v[i], p ? M_PARAM : M_USE, 0));
                }
                continue;
            } else if (flags & F_PARAM_WRAPPER && mode == M_PARAM) {
                if (act != ACT_TRANSPARENT) CHECK(emit_head(s, node, sym_of(s, kid)));
                if (w->has_param_name_field) {
                    /* ``_parameter_names`` */
                    CHECK(children_by_field(s, node, w->param_name_field, &named));
                    CHECK(children(s, node, &kids));
                    if (!named.n) {
                        for (Py_ssize_t i = 0; i < kids.n; i++) {
                            if (w->action[ts_node_symbol(kids.v[i])] != ACT_IDENT) continue;
                            if (ts_node_field_name_for_child(node, (uint32_t)i) != NULL) continue;
                            CHECK(PUSHV(named, kids.v[i]));
                        }
                    }
                    Py_ssize_t owner = s->scopes.v[s->scope_stack.v[s->scope_stack.n - 1]].parent;
                    if (w->has_param_props && owner >= 0) {
                        int any = 0;
                        for (Py_ssize_t i = 0; i < kids.n; i++)
                            if (w->xflags[ts_node_symbol(kids.v[i])] & X_PARAM_PROP) { any = 1; break; }
                        if (any) {
                            for (Py_ssize_t i = 0; i < named.n; i++) {
                                if (w->action[ts_node_symbol(named.v[i])] != ACT_IDENT) continue;
                                PyObject *t = text_of(s, named.v[i]);
                                if (!t) goto error;
                                PyObject *v = PyDict_SetDefault(s->scopes.v[owner].binds, t, w->attr_role);
                                Py_DECREF(t);
                                if (!v) goto error;
                            }
                        }
                    }
                    for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                        CHECK(push_node(s, kids.v[i], in_nodes(kids.v[i], &named) ? M_PARAM : M_USE, 0));
                    continue;
                }
                CHECK(children(s, node, &kids));
                Py_ssize_t first = -1;
                for (Py_ssize_t i = 0; i < kids.n; i++)
                    if (ts_node_is_named(kids.v[i])) { first = i; break; }
                for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                    CHECK(push_node(s, kids.v[i], i == first ? M_PARAM : M_USE, 0));
                continue;
            } else if (flags & F_ATTRIBUTE &&
                       (!(w->xflags[kid] & X_MEMBER_FIELD) ||
                        /* ``_has_qualified_member`` */
                        (!((w->xflags[kid] & X_MEMBER_OBJECT) && ts_node_is_null(by_field(node, w->member_object[kid]))) &&
                         !ts_node_is_null(by_field(node, w->member_field[kid]))))) {
                CHECK(emit_head(s, node, sym_of(s, kid)));
                CHECK(children(s, node, &kids));
                int member_mode = mode == M_BIND ? M_ATTR_BIND : M_ATTR_USE;
                if (mode == M_EXTERNAL) member_mode = M_EXTERNAL;
                if (w->xflags[kid] & X_MEMBER_FIELD) {
                    TSNode member = by_field(node, w->member_field[kid]);
                    if (flags & F_MEMBER_DEFINITION && member_mode == M_ATTR_USE) member_mode = M_ATTR_BIND;
                    int has_member = !ts_node_is_null(member);
                    for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                        CHECK(push_node(s, kids.v[i],
                                        has_member && ts_node_eq(kids.v[i], member) ? member_mode : child_mode, 0));
                    continue;
                }
                if (!kids.n) FAIL("attribute without children");
                CHECK(push_node(s, kids.v[kids.n - 1], member_mode, 0));
                for (Py_ssize_t i = kids.n - 2; i >= 0; i--) CHECK(push_node(s, kids.v[i], child_mode, 0));
                continue;
            } else if (flags & F_KWARG && mode != M_EXTERNAL) {
                CHECK(emit_head(s, node, sym_of(s, kid)));
                CHECK(children(s, node, &kids));
                if (!kids.n) FAIL("keyword argument without children");
                for (Py_ssize_t i = kids.n - 1; i >= 1; i--) CHECK(push_node(s, kids.v[i], M_USE, 0));
                CHECK(push_node(s, kids.v[0], M_KWARG, 0));
                continue;
            } else if (flags & F_TARGET) {
                CHECK(emit_head(s, node, sym_of(s, kid)));
                CHECK(children_and_field(s, node, w->target_field[kid], &kids, &targets));
                if (flags & F_ASSIGNMENT && targets.n) {
                    Py_ssize_t top = top_container(s);
                    Py_ssize_t head = s->toks.n - 1;
                    Item *it = &s->items.v[top];
                    if (it->is_stmt && it->parts == NULL && it->open_start == head) {
                        int r = push_tuple_parts(s, node, targets.v[0], top, head);
                        CHECK(r);
                        if (r) continue;
                    }
                }
                if (w->xflags[kid] & X_TARGET_ROLE) {
                    PyObject *role = PyTuple_GET_ITEM(w->target_role, slot_of_kind(w, kid));
                    for (Py_ssize_t i = 0; i < targets.n; i++) {
                        if (w->action[ts_node_symbol(targets.v[i])] != ACT_IDENT) continue;
                        PyObject *t = text_of(s, targets.v[i]);
                        if (!t) goto error;
                        int r = bind(s, t, role);
                        Py_DECREF(t);
                        CHECK(r);
                    }
                }
                for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
                    CHECK(push_node(s, kids.v[i], in_nodes(kids.v[i], &targets) ? M_BIND : M_USE, 0));
                continue;
            } else if (flags & (F_GLOBAL | F_NONLOCAL)) {
                CHECK(emit_head(s, node, sym_of(s, kid)));
                ScopeRec *declared = &s->scopes.v[s->scope_stack.v[s->scope_stack.n - 1]];
                PyObject *names = flags & F_GLOBAL ? declared->globals : declared->nonlocals;
                CHECK(children(s, node, &kids));
                for (Py_ssize_t i = 0; i < kids.n; i++) {
                    if (w->action[ts_node_symbol(kids.v[i])] != ACT_IDENT) continue;
                    PyObject *t = text_of(s, kids.v[i]);
                    if (!t) goto error;
                    if (PySet_Add(names, t) < 0) { Py_DECREF(t); goto error; }
                    CHECK(emit(s, ts_node_start_byte(kids.v[i]), ts_node_end_byte(kids.v[i]), w->empty, t, M_USE));
                }
                continue;
            } else if (flags & F_BINDING_CONTAINER || (flags & F_PATTERN && (mode == M_BIND || mode == M_PARAM))) {
                child_mode = mode == M_PARAM ? M_PARAM : M_BIND;
            }
        }

        if (act == ACT_STRUCT) {
            uint32_t start = ts_node_start_byte(node);
            Py_INCREF(w->empty);
            CHECK(emit(s, start, start, sym_of(s, kid), w->empty, 0));
        }
        CHECK(children(s, node, &kids));
        for (Py_ssize_t i = kids.n - 1; i >= 0; i--)
            if (w->action[ts_node_symbol(kids.v[i])]) CHECK(push_node(s, kids.v[i], child_mode, 0));
    }

    CHECK(close_implicit(s));
    result = build_program(s, tree->tree);

error:
    PyMem_Free(kids.v); PyMem_Free(targets.v); PyMem_Free(path.v); PyMem_Free(named.v); PyMem_Free(around.v);
    PyMem_Free(s->stack.v);
    for (Py_ssize_t i = 0; i < s->items.n; i++) {
        PyMem_Free(s->items.v[i].segs);
        Py_XDECREF(s->items.v[i].parts);
    }
    PyMem_Free(s->items.v);
    PyMem_Free(s->containers.v);
    for (Py_ssize_t i = 0; i < s->tuples.n; i++) PyMem_Free(s->tuples.v[i].marks.v);
    PyMem_Free(s->tuples.v);
    for (Py_ssize_t i = 0; i < s->scopes.n; i++) {
        Py_XDECREF(s->scopes.v[i].obj); Py_XDECREF(s->scopes.v[i].binds);
        Py_XDECREF(s->scopes.v[i].globals); Py_XDECREF(s->scopes.v[i].nonlocals);
    }
    PyMem_Free(s->scopes.v);
    PyMem_Free(s->scope_stack.v); PyMem_Free(s->unit_stack.v);
    for (Py_ssize_t i = 0; i < s->toks.n; i++) Py_XDECREF(s->toks.v[i].text);
    PyMem_Free(s->toks.v);
    PyMem_Free(s->tmp.v);
    PyMem_Free(s->hidden.v);
    Py_XDECREF(s->unit_names); Py_XDECREF(s->unit_kinds); Py_XDECREF(s->unit_parents);
    Py_XDECREF(s->unit_spans); Py_XDECREF(s->aliases);
    return result;
}

static PyObject *build_program(State *s, TSTree *tree) {
    Walker *w = s->w;
    Py_ssize_t n = s->toks.n;
    PyObject *lists[7] = {0};
    PyObject *objs = NULL, *tokens = NULL, *scopes = NULL, *errors = NULL, *program = NULL;
    PyObject *kwargs = NULL, *empty_args = NULL;
    /* The byte offsets (lists 4 and 5) as array("q"), the rest as lists (see _common.h). */
    static const int listed[5] = {0, 1, 2, 3, 6};
    for (int i = 0; i < 5; i++) if (!(lists[listed[i]] = PyList_New(n))) goto done;
    long long *offsets = PyMem_Malloc((size_t)(n ? 2 * n : 1) * sizeof(long long));
    if (!offsets) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < n; i++) {
        Tok *t = &s->toks.v[i];
        PyObject *vals[5];
        Py_INCREF(t->sym);
        vals[0] = t->sym;
        vals[1] = t->text; t->text = NULL; /* moved */
        vals[2] = PyLong_FromLong(t->mode);
        vals[3] = PyLong_FromLong(t->scope);
        vals[4] = PyLong_FromLong(t->owner);
        offsets[i] = (long long)t->start;
        offsets[n + i] = (long long)t->end;
        for (int j = 0; j < 5; j++) {
            if (!vals[j]) {
                for (int k = j; k < 5; k++) Py_XDECREF(vals[k]);
                PyMem_Free(offsets);
                goto done;
            }
            PyList_SET_ITEM(lists[listed[j]], i, vals[j]);
        }
    }
    lists[4] = int64_array(offsets, n);
    lists[5] = lists[4] ? int64_array(offsets + n, n) : NULL;
    PyMem_Free(offsets);
    if (!lists[5]) goto done;
    tokens = PyObject_CallFunction(w->RawTokens, "OOOOOOO", lists[0], lists[1], lists[2], lists[3],
                                   lists[4], lists[5], lists[6]);
    if (!tokens) goto done;

    /* Items bottom-up: children were created after their parents. */
    Py_ssize_t ni = s->items.n;
    if (!(objs = PyList_New(ni))) goto done;
    for (Py_ssize_t i = 0; i < ni; i++) { Py_INCREF(Py_None); PyList_SET_ITEM(objs, i, Py_None); }
    for (Py_ssize_t i = ni - 1; i >= 0; i--) {
        Item *it = &s->items.v[i];
        PyObject *segs = PyList_New(it->nsegs);
        if (!segs) goto done;
        for (Py_ssize_t j = 0; j < it->nsegs; j++) {
            PyObject *x;
            if (it->segs[j].b == -1) {
                x = PyList_GET_ITEM(objs, it->segs[j].a);
                Py_INCREF(x);
            } else if (!(x = new_range(it->segs[j].a, it->segs[j].b))) {
                Py_DECREF(segs); goto done;
            }
            PyList_SET_ITEM(segs, j, x);
        }
        PyObject *obj;
        if (it->is_stmt) {
            PyObject *open_start = PyLong_FromSsize_t(it->open_start);
            if (!open_start) { Py_DECREF(segs); goto done; }
            PyObject *values[5] = {it->kind, segs, it->parts ? it->parts : Py_None, open_start,
                                   it->implicit ? Py_True : Py_False};
            obj = slot_make(&w->make_statement, values);
            Py_DECREF(open_start);
        } else {
            obj = slot_make(&w->make_block, &segs);
        }
        Py_DECREF(segs);
        if (!obj) goto done;
        PyList_SetItem(objs, i, obj);
        /* the children are held by their parent now */
        for (Py_ssize_t j = 0; j < it->nsegs; j++)
            if (it->segs[j].b == -1) PyList_SetItem(objs, it->segs[j].a, Py_NewRef(Py_None));
    }
    if (!(scopes = PyList_New(s->scopes.n))) goto done;
    for (Py_ssize_t i = 0; i < s->scopes.n; i++) PyList_SET_ITEM(scopes, i, Py_NewRef(s->scopes.v[i].obj));
    if (!(errors = syntax_errors(tree))) goto done;
    if (!(kwargs = Py_BuildValue("{sOsOsOsOsOsOsOsOsO}", "tokens", tokens, "root", PyList_GET_ITEM(objs, 0),
                                 "scopes", scopes, "unit_names", s->unit_names, "unit_kinds", s->unit_kinds,
                                 "unit_parents", s->unit_parents, "unit_spans", s->unit_spans,
                                 "aliases", s->aliases, "syntax_errors", errors)))
        goto done;
    if (!(empty_args = PyTuple_New(0))) goto done;
    program = PyObject_Call(w->Program, empty_args, kwargs);
done:
    for (int i = 0; i < 7; i++) Py_XDECREF(lists[i]);
    Py_XDECREF(objs); Py_XDECREF(tokens); Py_XDECREF(scopes); Py_XDECREF(errors);
    Py_XDECREF(kwargs); Py_XDECREF(empty_args);
    return program;
}

/* ------------------------------------------------------------------ module */

static PyMethodDef walker_methods[] = {
    {"parse", (PyCFunction)walker_parse, METH_O, "parse(data) -> Tree: the bytes parsed with this grammar."},
    {"walk", (PyCFunction)walker_walk, METH_VARARGS, "walk(tree, package) -> Program."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WalkerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "codesim.normalize._cwalk.Walker",
    .tp_basicsize = sizeof(Walker),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)walker_init,
    .tp_dealloc = (destructor)walker_dealloc,
    .tp_methods = walker_methods,
    .tp_doc = "Walker(capsule, tables, literal_value, first_party_depth, alias_path, classes)",
};

static PyGetSetDef tree_getset[] = {
    {"has_error", (getter)tree_has_error, NULL, "Whether the tree has syntax errors.", NULL},
    {"data", (getter)tree_data, NULL, "The bytes parsed.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject TreeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "codesim.normalize._cwalk.Tree",
    .tp_basicsize = sizeof(Tree),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)tree_dealloc,
    .tp_getset = tree_getset,
    .tp_doc = "A tree parsed by Walker.parse.",
};

static PyMethodDef module_methods[] = {
    {"fast_literal", fast_literal_function, METH_O,
     "fast_literal(text) -> str | None: literals.literal_value(text) where the walk computes "
     "it in C, else None (the walk then calls the Python function)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "codesim.normalize._cwalk",
    "The compiled walk (see codesim.normalize.walk for the reference).", -1, module_methods,
};

PyMODINIT_FUNC PyInit__cwalk(void) {
    if (PyType_Ready(&WalkerType) < 0 || PyType_Ready(&TreeType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Fallback = PyErr_NewException("codesim.normalize._cwalk.Fallback", PyExc_Exception, NULL);
    if (!Fallback || PyModule_AddObjectRef(m, "Fallback", Fallback) < 0 ||
        PyModule_AddObjectRef(m, "Walker", (PyObject *)&WalkerType) < 0 ||
        PyModule_AddObjectRef(m, "Tree", (PyObject *)&TreeType) < 0 ||
        PyModule_AddStringConstant(m, "TREE_SITTER", CODESIM_TREE_SITTER_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
