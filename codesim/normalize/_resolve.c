/* The resolve step (normalize/resolve.py) compiled: the same symbol, binding scope and kept
 * role for every token.  The Python code stays the specification; the tests compare both.
 * Scopes are read once into arrays; every name lookup walks the scope chain in C.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *s_binds, *s_globals, *s_parent, *s_is_class, *s_isupper;

/* ir.MODE_* as resolve reads them; passed in by the caller so that they cannot drift. */
typedef struct {
    long none, attr_use, attr_bind, kwarg, external;
} Modes;

typedef struct {
    PyObject *binds;   /* borrowed from the Scope objects, which the program keeps */
    PyObject *globals;
    Py_ssize_t parent;
    int is_class;
} ScopeInfo;

typedef struct {
    PyObject *attr, *param, *class_, *func, *local; /* role values */
} Roles;

static int read_scopes(PyObject *scopes, ScopeInfo *out, Py_ssize_t count) {
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *scope = PyList_GET_ITEM(scopes, i);
        PyObject *binds = PyObject_GetAttr(scope, s_binds);
        PyObject *globals = binds ? PyObject_GetAttr(scope, s_globals) : NULL;
        PyObject *parent = globals ? PyObject_GetAttr(scope, s_parent) : NULL;
        PyObject *is_class = parent ? PyObject_GetAttr(scope, s_is_class) : NULL;
        int ok = is_class != NULL && PyDict_Check(binds) && PyAnySet_Check(globals);
        if (ok) {
            out[i].binds = binds;
            out[i].globals = globals;
            out[i].parent = PyLong_AsSsize_t(parent);
            out[i].is_class = PyObject_IsTrue(is_class);
            ok = !PyErr_Occurred() && out[i].is_class >= 0 && out[i].parent < count;
        }
        /* The Scope objects hold these for the whole call. */
        Py_XDECREF(binds);
        Py_XDECREF(globals);
        Py_XDECREF(parent);
        Py_XDECREF(is_class);
        if (!ok) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a scope is malformed");
            return -1;
        }
    }
    return 0;
}

/* resolve._binding_scope / _binding_scope_with_types: -1 if no scope binds ``name``, -2 on
 * error. */
static Py_ssize_t binding_scope(const ScopeInfo *scopes, Py_ssize_t count, Py_ssize_t start,
                                PyObject *name, int types_visible, PyObject *class_role) {
    Py_ssize_t scope_id = start;
    int first = 1;
    Py_ssize_t steps = 0;
    while (scope_id >= 0) {
        if (scope_id >= count || ++steps > count) {
            PyErr_SetString(PyExc_ValueError, "the scope chain is broken");
            return -2;
        }
        const ScopeInfo *scope = &scopes[scope_id];
        if (types_visible) {
            PyObject *role = PyDict_GetItemWithError(scope->binds, name);
            if (role == NULL && PyErr_Occurred()) return -2;
            if (role != NULL) {
                int is_class_role = PyUnicode_Compare(role, class_role) == 0;
                if (PyErr_Occurred()) return -2;
                if (first || !scope->is_class || is_class_role) return scope_id;
            }
        } else {
            int global = PySet_Contains(scope->globals, name);
            if (global < 0) return -2;
            if (global) {
                int bound = PyDict_Contains(scopes[0].binds, name);
                if (bound < 0) return -2;
                return bound ? 0 : -1;
            }
            if (first || !scope->is_class) {
                int bound = PyDict_Contains(scope->binds, name);
                if (bound < 0) return -2;
                if (bound) return scope_id;
            }
        }
        first = 0;
        scope_id = scope->parent;
    }
    return -1;
}

/* resolve._dangling_role: a new reference to one of the role values. */
static PyObject *dangling_role(PyObject *name, int called, const Roles *roles) {
    int capitalized = PyUnicode_GET_LENGTH(name) > 0 &&
                      Py_UNICODE_ISUPPER(PyUnicode_READ_CHAR(name, 0));
    if (called) return Py_NewRef(capitalized ? roles->class_ : roles->func);
    if (capitalized) {
        PyObject *upper = PyObject_CallMethodNoArgs(name, s_isupper);
        if (upper == NULL) return NULL;
        int all_upper = PyObject_IsTrue(upper);
        Py_DECREF(upper);
        if (all_upper < 0) return NULL;
        if (!all_upper) return Py_NewRef(roles->class_);
    }
    return Py_NewRef(roles->local);
}

/* ``target.rpartition(".")[2]`` */
static PyObject *last_part(PyObject *target) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(target);
    Py_ssize_t dot = PyUnicode_FindChar(target, '.', 0, length, -1);
    if (dot == -2) return NULL;
    return PyUnicode_Substring(target, dot + 1, length);
}

static int set_item(PyObject *list, Py_ssize_t index, PyObject *item) {
    /* steals ``item`` */
    if (item == NULL) return -1;
    return PyList_SetItem(list, index, item);
}

static PyObject *resolve(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *raw, *texts, *modes, *token_scopes, *scopes, *aliases, *builtins, *call_symbol;
    PyObject *role_tuple, *mode_tuple;
    int types_visible;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!OOpO!O!", &PyList_Type, &raw, &PyList_Type, &texts,
                          &PyList_Type, &modes, &PyList_Type, &token_scopes, &PyList_Type,
                          &scopes, &PyDict_Type, &aliases, &builtins, &call_symbol,
                          &types_visible, &PyTuple_Type, &role_tuple, &PyTuple_Type, &mode_tuple))
        return NULL;
    Roles roles;
    Modes m;
    if (!PyArg_ParseTuple(role_tuple, "UUUUU", &roles.attr, &roles.param, &roles.class_,
                          &roles.func, &roles.local) ||
        !PyArg_ParseTuple(mode_tuple, "lllll", &m.none, &m.attr_use, &m.attr_bind, &m.kwarg,
                          &m.external))
        return NULL;
    if (!PyAnySet_Check(builtins)) {
        PyErr_SetString(PyExc_TypeError, "builtins must be a set");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(raw);
    if (PyList_GET_SIZE(texts) != n || PyList_GET_SIZE(modes) != n ||
        PyList_GET_SIZE(token_scopes) != n) {
        PyErr_SetString(PyExc_ValueError, "the token lists differ in length");
        return NULL;
    }
    Py_ssize_t scope_count = PyList_GET_SIZE(scopes);
    PyObject *symbols = NULL, *binders = NULL, *kept_roles = NULL, *result = NULL;
    PyObject *attr_names = NULL, *param_names = NULL, *kept = NULL;
    PyObject *unbound = NULL, *attribute = NULL, *module_scope = NULL;
    long *mode_of = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(long));
    ScopeInfo *info = PyMem_Malloc((size_t)(scope_count ? scope_count : 1) * sizeof(ScopeInfo));
    if (mode_of == NULL || info == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (read_scopes(scopes, info, scope_count) < 0) goto done;
    symbols = PyList_GetSlice(raw, 0, n);
    binders = PyList_New(n);
    kept_roles = PyDict_New();
    attr_names = PySet_New(NULL);
    param_names = PySet_New(NULL);
    kept = PySet_New(builtins);
    unbound = PyLong_FromLong(-2);
    attribute = PyLong_FromLong(-1);
    module_scope = PyLong_FromLong(0);
    if (!symbols || !binders || !kept_roles || !attr_names || !param_names || !kept || !unbound ||
        !attribute || !module_scope)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyList_SET_ITEM(binders, i, Py_NewRef(unbound));
        mode_of[i] = PyLong_AsLong(PyList_GET_ITEM(modes, i));
        if (mode_of[i] == -1 && PyErr_Occurred()) goto done;
    }
    /* Names that are members: anything a class body binds, anything bound with the role
     * ATTR, anything assigned as a member; and names bound as parameters anywhere. */
    for (Py_ssize_t s = 0; s < scope_count; s++) {
        PyObject *name, *role;
        Py_ssize_t position = 0;
        while (PyDict_Next(info[s].binds, &position, &name, &role)) {
            int is_attr = PyUnicode_Compare(role, roles.attr) == 0;
            int is_param = !is_attr && PyUnicode_Compare(role, roles.param) == 0;
            if (PyErr_Occurred()) goto done;
            if ((info[s].is_class || is_attr) && PySet_Add(attr_names, name) < 0) goto done;
            if (is_param && PySet_Add(param_names, name) < 0) goto done;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        if (mode_of[i] == m.attr_bind && PySet_Add(attr_names, text) < 0) goto done;
        if (mode_of[i] == m.external && PySet_Add(kept, text) < 0) goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long mode = mode_of[i];
        if (mode <= m.none) continue;
        PyObject *name = PyList_GET_ITEM(texts, i);
        if (mode == m.attr_use || mode == m.attr_bind) {
            int member = PySet_Contains(attr_names, name);
            if (member < 0) goto done;
            if (set_item(symbols, i, Py_NewRef(member ? roles.attr : name)) < 0) goto done;
            if (member && set_item(binders, i, Py_NewRef(attribute)) < 0) goto done;
            continue;
        }
        if (mode == m.kwarg) {
            int param = PySet_Contains(param_names, name);
            if (param < 0) goto done;
            if (set_item(symbols, i, Py_NewRef(param ? roles.param : name)) < 0) goto done;
            continue;
        }
        if (mode == m.external) {
            if (set_item(symbols, i, Py_NewRef(name)) < 0) goto done;
            continue;
        }
        Py_ssize_t start = PyLong_AsSsize_t(PyList_GET_ITEM(token_scopes, i));
        if (start == -1 && PyErr_Occurred()) goto done;
        Py_ssize_t scope_id =
            binding_scope(info, scope_count, start, name, types_visible, roles.class_);
        if (scope_id == -2) goto done;
        if (scope_id >= 0) {
            PyObject *role = PyDict_GetItemWithError(info[scope_id].binds, name);
            if (role == NULL) {
                if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, name);
                goto done;
            }
            PyObject *binder = PyLong_FromSsize_t(scope_id);
            if (set_item(symbols, i, Py_NewRef(role)) < 0 || set_item(binders, i, binder) < 0)
                goto done;
            continue;
        }
        int called = 0;
        if (i > 0) {
            called = PyObject_RichCompareBool(PyList_GET_ITEM(raw, i - 1), call_symbol, Py_EQ);
            if (called < 0) goto done;
        }
        int is_kept = PySet_Contains(kept, name);
        if (is_kept < 0) goto done;
        PyObject *alias = PyDict_GetItemWithError(aliases, name);
        if (alias == NULL && PyErr_Occurred()) goto done;
        if (is_kept || alias != NULL) {
            /* The role of what an alias stands for: ``Base as _b`` is read as ``Base``. */
            PyObject *target = alias != NULL ? alias : name;
            if (!PyUnicode_Check(target)) {
                PyErr_SetString(PyExc_TypeError, "an alias must be a string");
                goto done;
            }
            PyObject *tail = last_part(target);
            PyObject *role = tail ? dangling_role(tail, called, &roles) : NULL;
            Py_XDECREF(tail);
            if (role == NULL) goto done;
            PyObject *key = PyLong_FromSsize_t(i);
            int stored = key ? PyDict_SetItem(kept_roles, key, role) : -1;
            Py_XDECREF(key);
            Py_DECREF(role);
            if (stored < 0 || set_item(symbols, i, Py_NewRef(target)) < 0) goto done;
        } else {
            if (set_item(symbols, i, dangling_role(name, called, &roles)) < 0) goto done;
            if (set_item(binders, i, Py_NewRef(module_scope)) < 0) goto done;
        }
    }
    result = PyTuple_Pack(3, symbols, binders, kept_roles);
done:
    Py_XDECREF(symbols);
    Py_XDECREF(binders);
    Py_XDECREF(kept_roles);
    Py_XDECREF(attr_names);
    Py_XDECREF(param_names);
    Py_XDECREF(kept);
    Py_XDECREF(unbound);
    Py_XDECREF(attribute);
    Py_XDECREF(module_scope);
    PyMem_Free(mode_of);
    PyMem_Free(info);
    return result;
}

static PyMethodDef methods[] = {
    {"resolve", resolve, METH_VARARGS,
     "resolve(raw_symbols, texts, modes, token_scopes, scopes, aliases, builtins, call_symbol, "
     "nested_types_visible, roles, modes_used)\n--\n\n"
     "(symbols, binders, kept_roles) as resolve.resolve decides them; roles is (ATTR, PARAM, "
     "CLASS, FUNC, LOCAL), modes_used (NONE, ATTR_USE, ATTR_BIND, KWARG, EXTERNAL)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_resolve", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__resolve(void) {
#define INTERN(var, text) \
    if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL
    INTERN(s_binds, "binds");
    INTERN(s_globals, "globals");
    INTERN(s_parent, "parent");
    INTERN(s_is_class, "is_class");
    INTERN(s_isupper, "isupper");
#undef INTERN
    return PyModule_Create(&module);
}
