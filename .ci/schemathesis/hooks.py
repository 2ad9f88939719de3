"""Schemathesis hooks for every run (`hooks` in each .ci/schemathesis/*.toml): serialise
`ast.parse`.

Not about the stub. CPython 3.11 keeps the AST constructor's recursion counter in
interpreter-wide state, so two threads building ASTs at once can corrupt it
("SystemError: AST constructor recursion depth mismatch", python/cpython#106905). Hypothesis
parses source files to describe filter lambdas, and `.ci/schemathesis.sh` runs `--workers 2`;
two workers can describe the same filter at once (seen on party.yaml and roster.yaml), so
most runs on Python 3.11 ended with a Runtime Error although every check passed. One lock around `ast.parse` removes the race; newer Pythons do not need it.
"""

import ast
import threading

_LOCK = threading.Lock()
_PARSE = ast.parse


def _serialised_parse(*args, **kwargs):
    with _LOCK:
        return _PARSE(*args, **kwargs)


ast.parse = _serialised_parse
