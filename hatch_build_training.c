/* Used only while building (hatch_build.py), never installed: tree-sitter's runtime,
 * compiled with -fprofile-generate, parses and walks Python sources here, so that GCC can
 * then optimize the runtime codesim installs by the profile of that run.
 *
 * parse(language, sources): ``language`` is a grammar's capsule (tree_sitter_python.language()),
 * ``sources`` a list of bytes; each is parsed and every node of its tree visited with a
 * cursor, as the compiled walk does. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <tree_sitter/api.h>

static void visit(TSTree *tree) {
    TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
    for (;;) {
        (void)ts_node_symbol(ts_tree_cursor_current_node(&cursor));
        if (ts_tree_cursor_goto_first_child(&cursor)) continue;
        while (!ts_tree_cursor_goto_next_sibling(&cursor))
            if (!ts_tree_cursor_goto_parent(&cursor)) {
                ts_tree_cursor_delete(&cursor);
                return;
            }
    }
}

static PyObject *parse(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *capsule, *sources;
    if (!PyArg_ParseTuple(args, "OO!", &capsule, &PyList_Type, &sources)) return NULL;
    const TSLanguage *language = PyCapsule_GetPointer(capsule, "tree_sitter.Language");
    if (language == NULL) return NULL;
    TSParser *parser = ts_parser_new();
    if (!ts_parser_set_language(parser, language)) {
        ts_parser_delete(parser);
        PyErr_SetString(PyExc_RuntimeError, "the grammar's ABI does not match the runtime's");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(sources); i++) {
        PyObject *data = PyList_GET_ITEM(sources, i);
        if (!PyBytes_Check(data) || PyBytes_GET_SIZE(data) > (Py_ssize_t)UINT32_MAX) continue;
        TSTree *tree = ts_parser_parse_string_encoding(parser, NULL, PyBytes_AS_STRING(data),
                                                       (uint32_t)PyBytes_GET_SIZE(data),
                                                       TSInputEncodingUTF8);
        if (tree != NULL) {
            visit(tree);
            ts_tree_delete(tree);
        }
    }
    ts_parser_delete(parser);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS, "parse(language, sources): parse and walk each source."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_training", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__training(void) { return PyModule_Create(&module); }
