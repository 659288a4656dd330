"""The Environment contract: bindings, context, parent and extend, from Python and from
the language, and every scope a program makes is one whose chain leads to the global."""

from __future__ import annotations

import pytest

from interpreter import Interpreter
from interpreter.errors import SchemeError, UnboundVariableError, UsageError
from interpreter.lang.datums import Environment, Symbol


@pytest.fixture
def interp() -> Interpreter:
    return Interpreter()


def test_extend_returns_a_child_and_leaves_the_parent_as_it_was(interp):
    root = interp.global_environment
    names_before = dict(root.bindings)
    child = root.extend(["x", "y"], [1, 2])
    assert isinstance(child, Environment)
    assert child.parent is root
    assert child.bindings == {Symbol("x"): 1, Symbol("y"): 2}
    assert dict(child.context) == {}
    assert root.bindings == names_before


def test_lookup_walks_the_chain_and_the_innermost_binding_shadows(interp):
    outer = interp.global_environment.extend(["x", "y"], [1, 2])
    inner = outer.extend(["x"], [10])
    assert inner.lookup("x") == 10
    assert inner.lookup("y") == 2
    assert outer.lookup("x") == 1
    assert inner.lookup("car") is outer.lookup("car")
    with pytest.raises(UnboundVariableError, match="unbound variable nope"):
        inner.lookup("nope")


def test_context_entries_are_found_innermost_first(interp):
    outer = interp.global_environment.extend([], [], context={"user": "ann", "plan": "pro"})
    inner = outer.extend(["x"], [1]).extend([], [], context={"user": "bob"})
    assert inner.lookup_context("user") == (True, "bob")
    assert inner.lookup_context("plan") == (True, "pro")
    assert inner.lookup_context("region") == (False, None)
    assert inner.context_keys() == [Symbol("user"), Symbol("plan")]


def test_extend_needs_as_many_values_as_names(interp):
    with pytest.raises(ValueError):
        interp.global_environment.extend(["x", "y"], [1])


def test_code_evaluated_in_a_child_sees_its_variables_and_defines_there(interp):
    child = interp.global_environment.extend(["x"], [41])
    assert interp.eval("(+ x 1)", env=child) == 42
    assert interp.eval("(define y 1) (+ x y)", env=child) == 42
    assert child.bindings[Symbol("y")] == 1
    assert Symbol("y") not in interp.global_environment.bindings
    with pytest.raises(UnboundVariableError):
        interp.eval("x")


def test_a_child_s_working_memory_is_what_its_tasks_are_given(interp):
    child = interp.global_environment.extend([], [], context={"user": "ann"})
    assert interp.eval("(context-ref 'user)", env=child) == "ann"


def test_an_environment_of_another_interpreter_is_refused(interp):
    other = Interpreter().global_environment.extend(["x"], [1])
    with pytest.raises(UsageError, match="global_environment"):
        interp.eval("x", env=other)


def test_with_context_nests_and_context_ref_sees_the_innermost(interp):
    program = """
    (with-context ((user "ann") (plan 'pro))
      (with-context ((user "bob"))
        (list (context-ref 'user) (context-ref "plan") (context-ref 'region 'eu))))
    """
    assert interp.eval(program) == ["bob", "pro", "eu"]


def test_working_memory_is_gone_when_its_with_context_completes(interp):
    interp.eval('(with-context ((user "ann")) (context-ref \'user))')
    with pytest.raises(SchemeError, match="no working-memory entry user"):
        interp.eval("(context-ref 'user)")
    assert interp.task_state.working_memory.get().context_keys() == []


def _chain(env: Environment) -> list[Environment]:
    chain = [env]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return chain


@pytest.mark.parametrize(
    ("program", "variables"),
    [
        ("((lambda (a b) (the-environment)) 1 2)", {"a": 1, "b": 2}),
        ("(define (f n) (the-environment)) (f 1) (f 7)", {"n": 7}),
        ("(let ((x 1)) (let* ((y 2)) (the-environment)))", {"y": 2}),
        ('(with-context ((user "ann")) (the-environment))', {}),
    ],
)
def test_every_scope_a_program_makes_is_an_environment_leading_to_the_global(
    interp, program, variables
):
    env = interp.eval_scheme(program)
    chain = _chain(env)
    assert all(type(scope) is Environment for scope in chain)
    assert chain[-1] is interp.global_environment
    assert interp.eval_scheme("(interaction-environment)") is interp.global_environment
    assert {symbol.name: value for symbol, value in env.bindings.items()} == variables


def test_eval_in_the_environment_a_form_runs_in(interp):
    assert interp.eval("(let ((y 2)) (eval '(* y 21) (the-environment)))") == 42
    assert interp.eval("(with-context ((k 1)) (eval '(context-ref 'k) (the-environment)))") == 1
