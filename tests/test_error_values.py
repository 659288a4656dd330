"""Values shown in error messages are abbreviated: a huge or deep value is a short line."""

from __future__ import annotations

import pytest

from interpreter import Interpreter
from interpreter.errors import TaskschemeError

HUGE = [
    ("type-error", "(car (make-vector 3000000 0))", "got #(0 0 0 0 0 0 0 0 0 0 "),
    ("error-irritant", '(error "bad" (iota 100000))', "bad (0 1 2 3 4 5 6 7 8 9 10 "),
    ("raise", "(raise (make-list 100000 'x))", "(x x x x x x x x x x x x "),
    ("long-string", "(vector-ref (make-string 100000 #\\a) 0)", '"aaaaaaaa'),
    (
        "deep",
        "(car (let loop ((i 0) (acc '())) (if (= i 5000) (vector acc) (loop (+ i 1) (list acc)))))",
        "#((((((...",
    ),
    ("circular-car", "(let ((p (list 1))) (set-car! p p) (vector-ref p 0))", "((((("),
    ("json-not-an-object", "(json-ref (make-vector 100000 1) 'key)", "#(1 1 1 1 "),
    ("json-cannot-represent", "(scheme->json (list (make-string 100000 #\\b) #\\c))", "#\\c"),
]


@pytest.mark.parametrize(("program", "shown"), [pytest.param(p, s, id=i) for i, p, s in HUGE])
def test_values_in_messages_are_abbreviated(program: str, shown: str) -> None:
    with pytest.raises(TaskschemeError) as caught:
        Interpreter().eval_scheme(program)
    message = caught.value.headline()
    assert shown in message
    assert len(message) < 500
