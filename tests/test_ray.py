"""parallel-map on a real local Ray cluster, against the local model server.

One cluster (127.0.0.1, 2 CPUs) serves every test of this module, and most tests share
one run, so the workers start once: starting a Ray worker process takes seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fake_llm_server import FakeLLMServer, Reply
from tasks_support import interpreter as plain_interpreter

from interpreter.engine.capabilities import Capabilities
from interpreter.errors import (
    BudgetExhaustedError,
    ExecutorError,
    ProgramExitError,
    ProviderConfigError,
    ProviderError,
    SchemeError,
    SchemeTypeError,
)
from interpreter.providers import FunctionModel

ray = pytest.importorskip("ray")

PATIENCE = 60  # seconds: the longest any step here may take on a loaded machine

PROGRAM = r"""
(define-task (echo x) "{{x}}")
(define greeting (echo "once, on the run itself"))
(define (shape n)
  (list n (echo n) (* n 1/2) (string->symbol (number->string n)) (vector #\a "b" 'c)
        (cons 1 2) (metrics-ref (task-metrics) 'turns 'used)))
"""


@pytest.fixture(autouse=True)
def _bounded_in_time():
    """A test here that hangs (a worker that never answers) fails instead of stopping CI."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def too_long(signum, frame):
        raise TimeoutError(f"a Ray test ran longer than {4 * PATIENCE} seconds")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(4 * PATIENCE)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def cluster():
    """The local Ray cluster of this module, started at most once and bounded in time."""
    started = time.monotonic()
    ray.init(num_cpus=2, _node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
    assert time.monotonic() - started < PATIENCE
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def server():
    with FakeLLMServer() as fake:
        fake.fallback = _echo
        yield fake


def _echo(path, body):
    prompt = body["messages"][-1]["content"]
    if prompt == "die":
        _kill_running_workers()
        return Reply(status=500, error="the worker was killed")
    return Reply(text=f"echo {prompt}")


def _kill_running_workers() -> None:
    """SIGKILL every Ray worker process of this machine that is running an item."""
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if command.startswith(b"ray::ItemWorker.run"):
            os.kill(int(entry.name), signal.SIGKILL)


def interpreter(model=None, **options):
    """An Interpreter whose program may choose the Ray executor."""
    options.setdefault("capabilities", Capabilities(executors={"ray"}))
    return plain_interpreter(model, **options)


def _config(server, **values):
    return {
        "model": "openai:gpt-4o-mini",
        "openai_base_url": server.openai_url,
        "openai_api_key": "sk-test",
        **values,
    }


@pytest.fixture(scope="module")
def run(cluster, server):
    """One run on Ray for the tests that need no budget of their own."""
    events = []
    interp = interpreter(config=_config(server), observers=[events.append])
    interp.eval(PROGRAM)
    interp.events_seen = events
    yield interp
    interp.close()


def _counted(server, action):
    before = len(server.received)
    value = action()
    return value, len(server.received) - before


def test_items_on_ray_give_the_same_results_as_on_threads(run, server):
    threads, on_threads = _counted(
        server, lambda: run.eval("(parallel-map shape (iota 6) #:workers 2)")
    )
    ray_results, on_ray = _counted(
        server, lambda: run.eval("(parallel-map shape (iota 6) #:workers 2 #:executor 'ray)")
    )
    assert ray_results == threads
    assert ray_results[1][:5] == [1, "echo 1", 0.5, "1", ["a", "b", "c"]]
    # one model call per item: the worker did not re-run the program's top-level call
    assert on_ray == on_threads == 6


def test_every_event_of_every_worker_reaches_the_run(run):
    run.events_seen.clear()
    run.eval("(parallel-map shape (iota 4) #:workers 2 #:executor 'ray)")
    released = [event for event in run.events_seen if event.kind == "released"]
    turns = [event for event in run.events_seen if event.kind == "turn"]
    assert len(released) == len(turns) == 4
    assert len({event.handler_id for event in released}) == 4
    assert {event.detail["outcome"] for event in released} == {"ok"}
    # the map's progress, as on threads: each item started and finished once
    items = [(e.kind, e.detail["item"]) for e in run.events_seen if e.kind.startswith("item-")]
    assert sorted(items) == sorted(
        (kind, index) for index in range(4) for kind in ("item-started", "item-finished")
    )
    last = [e for e in run.events_seen if e.kind == "item-finished"][-1]
    assert last.metrics.to_dict() == {"items": 4, "started": 4, "finished": 4, "failed": 0}


def test_a_budget_of_10_turns_over_50_racing_items_makes_exactly_10_model_calls(cluster, server):
    interp = interpreter(config=_config(server, budget_turns=10))
    try:
        before = len(server.received)
        results = interp.eval(
            '(define-task (echo x) "{{x}}")'
            "(map (lambda (r) (if (string? r) 'answered (error-object-kind r)))"
            "     (parallel-map echo (iota 50) #:workers 2 #:errors 'collect #:executor 'ray))"
        )
        assert len(server.received) - before == 10
        assert results.count("answered") == 10
        assert set(results) == {"answered", "resource-exhausted"}
        assert interp.eval("(metrics-ref (run-budget) 'turns 'used)") == 10
    finally:
        interp.close()


def test_a_map_on_ray_inside_a_running_task_leaves_the_budget_exact(cluster, server):
    def outer_calls_its_tool_first(path, body):
        if body["messages"][-1]["content"] == "go":
            return Reply(tool_calls=[("fan", {})])
        return _echo(path, body)

    program = """
    (define-task (echo x) "{{x}}")
    (define-tool (fan) "Fan out." (parallel-map echo '(1 2) #:workers 2 #:executor 'ray) "done")
    (define-task (outer) #:tools (list fan) "go")
    (outer)"""
    server.fallback = outer_calls_its_tool_first
    before = len(server.received)
    try:
        with (
            interpreter(config=_config(server, budget_turns=3)) as interp,
            pytest.raises(BudgetExhaustedError, match="3 of 3 turns used across the run"),
        ):
            interp.eval(program)
    finally:
        server.fallback = _echo
    assert len(server.received) - before == 3  # the outer task's first turn and two items


def test_a_killed_worker_gives_its_item_a_clear_error_and_the_map_goes_on(run, server):
    results, calls = _counted(
        server,
        lambda: run.eval(
            "(map (lambda (r) (if (string? r) r (error-object-message r)))"
            """  (parallel-map echo '("a" "die" "b") #:workers 1 #:errors 'collect #:executor 'ray))"""
        ),
    )
    assert results[0] == "echo a" and results[2] == "echo b"
    assert 'item 2 of 3 ("die") was lost: the Ray worker running it died' in results[1]
    assert "it was not run again" in results[1]
    assert calls == 3  # nothing was retried


def test_a_result_that_is_not_data_is_an_error_naming_the_item(run):
    with pytest.raises(SchemeError, match=r"the result of item 1 of 1 \(7\) is #<procedure"):
        run.eval(
            "(define (adder n) (lambda (x) (+ x n))) (parallel-map adder '(7) #:executor 'ray)"
        )


def test_the_procedure_must_be_the_value_of_a_global_definition(run):
    with pytest.raises(SchemeError, match="must be the value of a global definition"):
        run.eval("(parallel-map (lambda (x) x) '(1) #:executor 'ray)")
    # made by a procedure, it is found by the name it is defined as
    program = """(define twice (let ((factor 2)) (lambda (x) (* factor x))))
                 (parallel-map twice '(1 2 3) #:executor 'ray)"""
    assert run.eval(program) == [2, 4, 6]


def test_an_item_that_is_not_data_is_refused_before_anything_runs(run, server):
    with pytest.raises(SchemeError, match=r"item 2 cannot travel to a worker: #<procedure car>"):
        _counted(server, lambda: run.eval("(parallel-map echo (list 1 car) #:executor 'ray)"))


ERRORS = """
(define (risky x) (if (string? x) (echo x) (car x)))
(map (lambda (r) (if (error-object? r) (list (error-object-kind r) (error-object-message r)) r))
     (parallel-map risky '(1 "fail" "fine") #:workers 2 #:errors 'collect #:executor '{}))
"""


def test_errors_come_back_as_the_same_error_objects_as_on_threads(run, server):
    server.fallback = lambda path, body: (
        Reply(status=400, error="no such thing")
        if body["messages"][-1]["content"] == "fail"
        else _echo(path, body)
    )
    try:
        on_threads = run.eval(ERRORS.format("threads"))
        on_ray = run.eval(ERRORS.format("ray"))
    finally:
        server.fallback = _echo
    assert on_ray == on_threads
    assert [outcome[0] for outcome in on_ray[:2]] == ["type-error", "provider-error"]
    assert on_ray[2] == "echo fine"


def test_the_first_error_keeps_where_it_happened_and_exit_ends_the_run(run):
    run.eval("(define (first-of x)\n  (car x))", "errors.scm")
    with pytest.raises(SchemeTypeError) as raised:
        run.eval("(parallel-map first-of '(7) #:executor 'ray)")
    assert raised.value.message.startswith("car:")
    assert (raised.value.span.file, raised.value.span.line) == ("errors.scm", 2)
    with pytest.raises(ProgramExitError) as exited:
        run.eval("(define (leave x) (exit 4)) (parallel-map leave '(1) #:executor 'ray)")
    assert exited.value.code == 4


def test_an_interrupt_stops_the_running_items_and_releases_their_handlers(run, server):
    run.events_seen.clear()
    before = len(server.received)
    server.fallback = lambda path, body: Reply(text="much too late", delay=60)
    outcome = {}

    def evaluate():
        try:
            run.eval('(parallel-map echo \'("p" "q" "r") #:workers 2 #:executor \'ray)')
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=evaluate)
    try:
        thread.start()
        deadline = time.monotonic() + PATIENCE
        while len(server.received) - before < 2:
            assert time.monotonic() < deadline, "the workers never asked the model"
            time.sleep(0.05)
        run.interrupt()
        thread.join(PATIENCE)
    finally:
        server.fallback = _echo
    assert isinstance(outcome.get("error"), KeyboardInterrupt)
    released = [e.detail["outcome"] for e in run.events_seen if e.kind == "released"]
    assert released == ["interrupted", "interrupted"]
    assert len(server.received) - before == 2  # the third item never started


def test_a_model_given_as_a_python_object_cannot_travel_to_workers(cluster):
    interp = interpreter(FunctionModel(lambda request: "local"), config={"executor": "ray"})
    with pytest.raises(ExecutorError, match="name the model by its spec"):
        interp.eval("(define (f x) x) (parallel-map f '(1))")


def test_without_ray_installed_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    interp = interpreter(config={"executor": "ray"})
    with pytest.raises(ExecutorError, match=r"pip install 'taskscheme\[ray\]'"):
        interp.eval("(define (f x) x) (parallel-map f '(1))")


def test_a_run_on_ray_records_one_cassette_that_replays_the_same_on_threads_and_ray(
    cluster, server, tmp_path
):
    cassette = tmp_path / "map.jsonl"
    program = "(parallel-map shape (iota 4) #:workers 2 #:executor '{executor})"
    with interpreter(
        config=_config(server),
        record_path=str(cassette),
        capabilities=Capabilities(models=True, executors={"ray"}),
    ) as recording:
        recording.eval(PROGRAM)
        recorded = recording.eval(program.format(executor="ray"))
        # a recorded run uses one model, on workers as on the run itself
        other = '(define-task (other x) #:model "openai:gpt-4o" "{{x}}")'
        with pytest.raises(ProviderConfigError, match="#:model openai:gpt-4o cannot be used"):
            recording.eval(other + "(parallel-map other '(1) #:executor 'ray)")
    lines = cassette.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 5  # the header, the greeting and one exchange per item

    def replayed(executor):
        released = []
        replay = interpreter(config={"model": f"replay:{cassette}"}, observers=[released.append])
        with replay:
            replay.eval(PROGRAM)
            released.clear()
            results = replay.eval(program.format(executor=executor))
        metrics = [event.metrics for event in released if event.kind == "released"]
        return results, sorted(
            (m.turns.used, m.context.peak_usage, m.tokens.input) for m in metrics
        )

    on_threads, on_ray = replayed("threads"), replayed("ray")
    assert on_threads == on_ray
    assert on_ray[0] == recorded


def test_the_command_line_runs_a_map_on_a_given_cluster_and_traces_every_worker(
    cluster, server, tmp_path
):
    (tmp_path / "map.scm").write_text(
        '(define-task (echo x) "{{x}}")\n(display (parallel-map echo (iota 6) #:workers 2))\n'
    )
    before = len(server.received)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "interpreter",
            "run",
            "map.scm",
            "--executor",
            "ray",
            "--ray-address",
            ray.get_runtime_context().gcs_address,
            "--budget-turns",
            "3",
            "--trace",
            "trace.jsonl",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        env={
            **os.environ,
            "TASKSCHEME_MODEL": "openai:gpt-4o-mini",
            "TASKSCHEME_OPENAI_BASE_URL": server.openai_url,
            "TASKSCHEME_OPENAI_API_KEY": "sk-test",
            "XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
        },
    )
    assert result.returncode == 3, result.stderr
    assert "stopped by the run budget: 3 of 3 turns used across the run" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(server.received) - before == 3
    trace = [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]
    turns = [event for event in trace if event["event"] == "turn"]
    released = [event for event in trace if event["event"] == "released"]
    assert len(turns) == 3
    assert len({event["handler"] for event in released}) == len(released) >= 4


LOCAL_RUN = """
import sys, threading
from interpreter import Interpreter
from interpreter.limits.settings import load_settings

settings = load_settings({"executor": "ray", "model": "openai:gpt-4o-mini",
                          "openai_base_url": sys.argv[1], "openai_api_key": "sk-test"})
interp = Interpreter(settings)

def evaluate(text):  # each on a thread that then ends, as each input of the REPL is
    thread = threading.Thread(target=lambda: print(interp.eval(text), flush=True))
    thread.start()
    thread.join()

evaluate('(define-task (echo x) "{{x}}") (parallel-map echo (list 1 2))')
evaluate("(parallel-map echo (list 3 4))")
interp.close()
"""


def test_a_local_ray_started_on_demand_outlives_the_evaluation_that_started_it(server, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", LOCAL_RUN, server.openai_url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=2 * PATIENCE,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "no-user-config")},
    )
    assert result.stdout.splitlines() == ["['echo 1', 'echo 2']", "['echo 3', 'echo 4']"], (
        result.stderr
    )
    assert result.stderr == ""


def test_the_run_and_its_workers_replay_from_one_cassette(cluster, server, tmp_path):
    cassette = tmp_path / "once.jsonl"
    with interpreter(
        config=_config(server),
        record_path=str(cassette),
        capabilities=Capabilities(models=True, executors={"ray"}),
    ) as recording:
        recording.eval(PROGRAM)  # records the greeting, once
    replay = interpreter(config={"model": f"replay:{cassette}"})
    with replay:
        replay.eval(PROGRAM)  # the run itself uses the greeting's recording
        with pytest.raises(ProviderError, match="each recording is already used"):
            replay.eval("""(parallel-map echo '("once, on the run itself") #:executor 'ray)""")


ROOT = Path(__file__).resolve().parent.parent


def test_the_ticket_classifier_replays_on_ray_with_its_recorded_output_and_metrics(
    cluster, capsys, monkeypatch
):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    from record_cassettes import metrics_record, sorted_metrics  # the examples' own helpers

    monkeypatch.chdir(ROOT)
    program = "examples/ticket-classifier.scm"
    runs = {}
    for executor in ("threads", "ray"):
        released = []
        config = {
            "model": "replay:examples/cassettes/ticket-classifier.jsonl",
            "executor": executor,
        }
        with interpreter(
            config=config,
            observers=[released.append],
            argv=[program],
            capabilities=Capabilities.for_program(ROOT / "examples"),
        ) as interp:
            interp.run_file(program)
        metrics = [metrics_record(event) for event in released if event.kind == "released"]
        runs[executor] = capsys.readouterr().out, sorted_metrics(metrics)
    assert runs["ray"] == runs["threads"]
    recorded = ROOT / "examples/cassettes/ticket-classifier.metrics.json"
    assert runs["ray"][1] == json.loads(recorded.read_text())
