"""HandlerConfig validation and layered settings: precedence, provenance, clear errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.cli.main import main
from interpreter.errors import ConfigError, ConfigWarning
from interpreter.limits.settings import SETTINGS, HandlerConfig, load_settings
from interpreter.providers import ScriptedModel
from tests.tasks_support import interpreter


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(home, project): an empty home and a project directory nested two levels deep."""
    home = tmp_path / "home"
    project = tmp_path / "work" / "project"
    home.mkdir()
    project.mkdir(parents=True)
    return home, project


def load(project: Path, home: Path, env: dict[str, str] | None = None, cli: dict | None = None):
    return load_settings(cli, cwd=project, environ=env or {}, home=home)


def user_file(home: Path, text: str) -> Path:
    path = home / ".config" / "taskscheme" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- HandlerConfig -------------------------------------------------------------------------


def test_handler_config_defaults() -> None:
    config = HandlerConfig(max_turns=3, max_context_window_fraction=0.5)
    assert (config.warning_threshold, config.default_model, config.system_prompt) == (
        0.8,
        "openai:gpt-4o-mini",
        "",
    )
    assert hash(config) == hash(HandlerConfig(3, 0.5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_turns": 0}, r"HandlerConfig.max_turns = 0 must be at least 1"),
        ({"max_turns": -2}, r"max_turns = -2 must be at least 1"),
        ({"max_turns": 2.5}, r"max_turns = 2.5 must be an integer"),
        ({"max_turns": True}, r"max_turns = True must be an integer"),
        ({"max_context_window_fraction": 0}, r"max_context_window_fraction = 0 must be greater"),
        ({"max_context_window_fraction": 1.5}, r"max_context_window_fraction = 1.5 must be"),
        ({"max_context_window_fraction": "half"}, r"= 'half' must be a number"),
        ({"warning_threshold": 0.0}, r"warning_threshold = 0.0 must be greater than 0"),
        ({"warning_threshold": 1.01}, r"warning_threshold = 1.01"),
        ({"default_model": "ollama:llama3.1"}, r"default_model = 'ollama:llama3.1' is not usable"),
        ({"default_model": "nonsense"}, r"default_model = 'nonsense' is not usable"),
        ({"system_prompt": None}, r"system_prompt = None must be a string"),
    ],
)
def test_handler_config_rejects_bad_values(kwargs: dict, message: str) -> None:
    fields = {"max_turns": 3, "max_context_window_fraction": 0.5, **kwargs}
    with pytest.raises(ConfigError, match=message):
        HandlerConfig(**fields)


def test_handler_config_accepts_configured_and_replayed_models() -> None:
    models = {"ollama:llama3.1": {"input_window": 8192}}
    config = HandlerConfig(3, 1, default_model="ollama:llama3.1", models=models)
    assert config.model_info().input_window == 8192
    replayed = HandlerConfig(3, 1.0, warning_threshold=1, default_model="replay:run.jsonl")
    with pytest.raises(ConfigError, match="replay provider"):
        replayed.model_info()
    needs_a_path = "default_model = 'replay:' is not usable: model spec 'replay:' needs a cassette"
    with pytest.raises(ConfigError, match=needs_a_path):
        HandlerConfig(3, 1.0, default_model="replay:")


# -- layers ----------------------------------------------------------------------------------


def test_defaults_when_nothing_is_configured(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    settings = load(project, home)
    for name, setting in SETTINGS.items():
        assert settings.get(name) == setting.default
        assert settings.source(name) == "default"
    assert settings.get("max_recursion_depth") == 200_000
    assert settings.files == ()


def test_each_layer_overrides_the_one_below(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    user = user_file(home, "max_turns = 4\nworkers = 2\ntimeout = 30\nsystem_prompt = 'user'\n")
    (project.parent / "taskscheme.toml").write_text("max_turns = 5\nworkers = 3\ntimeout = 20\n")
    env = {"TASKSCHEME_MAX_TURNS": "6", "TASKSCHEME_WORKERS": "7"}
    settings = load(project, home, env, cli={"max_turns": 9, "workers": None})

    project_file = str(project.parent / "taskscheme.toml")
    assert (settings.get("system_prompt"), settings.source("system_prompt")) == ("user", str(user))
    assert (settings.get("timeout"), settings.source("timeout")) == (20.0, project_file)
    assert (settings.get("workers"), settings.source("workers")) == (7, "env TASKSCHEME_WORKERS")
    assert (settings.get("max_turns"), settings.source("max_turns")) == (9, "command line")
    assert settings.files == (user, project.parent / "taskscheme.toml")


def test_xdg_config_home_is_preferred(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    home, project = dirs
    user_file(home, "max_turns = 4\n")
    xdg = tmp_path / "xdg"
    (xdg / "taskscheme").mkdir(parents=True)
    (xdg / "taskscheme" / "config.toml").write_text("max_turns = 12\n")
    settings = load(project, home, {"XDG_CONFIG_HOME": str(xdg)})
    assert settings.get("max_turns") == 12


def test_the_nearest_project_file_wins(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    (project.parent / "taskscheme.toml").write_text("max_turns = 5\n")
    (project / "taskscheme.toml").write_text("max_turns = 6\n")
    assert load(project, home).get("max_turns") == 6


def test_pyproject_tool_table(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no table: keep looking
    pyproject = project.parent / "pyproject.toml"
    pyproject.write_text(
        "[tool.taskscheme]\ncontext_fraction = 0.25\n"
        '[tool.taskscheme.models."ollama:llama3.1"]\ninput_window = 8192\n'
    )
    settings = load(project, home)
    assert settings.get("context_fraction") == 0.25
    assert settings.source("context_fraction") == f"{pyproject} [tool.taskscheme]"
    assert settings.model_overrides == {"ollama:llama3.1": {"input_window": 8192}}
    assert settings.files == (pyproject,)


def test_taskscheme_toml_beats_pyproject_in_the_same_directory(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    (project / "pyproject.toml").write_text("[tool.taskscheme]\nmax_turns = 2\n")
    (project / "taskscheme.toml").write_text("max_turns = 3\n")
    assert load(project, home).get("max_turns") == 3


def test_models_table_makes_a_model_usable(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    user_file(home, '[models."ollama:qwen"]\ninput_window = 4096\n')
    (project / "taskscheme.toml").write_text(
        'model = "ollama:llama3.1"\n'
        '[models."ollama:llama3.1"]\ninput_window = 8192\nencoding = "o200k_base"\n'
    )
    settings = load(project, home)
    assert set(settings.model_overrides) == {"ollama:qwen", "ollama:llama3.1"}
    assert settings.model_sources["ollama:llama3.1"] == str(project / "taskscheme.toml")
    config = settings.handler_config()
    assert config.default_model == "ollama:llama3.1"
    assert config.models["ollama:llama3.1"]["encoding"] == "o200k_base"


def test_env_values_are_parsed(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    env = {
        "TASKSCHEME_CONTEXT_FRACTION": " 0.3 ",
        "TASKSCHEME_BUDGET_TOKENS": "50000",
        "TASKSCHEME_OPENAI_BASE_URL": "http://localhost:8000/v1",
        "TASKSCHEME_MODEL": "test:echo",
        "TASKSCHEME_TIMEOUT": "",  # empty means not set
    }
    settings = load(project, home, env)
    assert settings.get("context_fraction") == 0.3
    assert settings.get("budget_tokens") == 50_000
    assert settings.get("openai_base_url") == "http://localhost:8000/v1"
    assert settings.get("model") == "test:echo"
    assert settings.source("timeout") == "default"


def test_command_line_strings_are_parsed(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    settings = load(project, home, cli={"max_turns": "4", "context_fraction": 1})
    assert settings.get("max_turns") == 4
    assert settings.get("context_fraction") == 1.0
    assert isinstance(settings.get("context_fraction"), float)


# -- errors ------------------------------------------------------------------------------------


def test_a_bad_file_value_names_key_value_and_file(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    path = project / "taskscheme.toml"
    path.write_text("max_turns = 0\n")
    with pytest.raises(
        ConfigError, match=rf"max_turns = 0 from {re.escape(str(path))}: must be at least 1"
    ):
        load(project, home)
    path.write_text('max_turns = "5"\n')  # files are typed: no string parsing
    with pytest.raises(ConfigError, match=r'max_turns = "5" from .*: must be an integer'):
        load(project, home)
    path.write_text("max_turns = true\n")  # shown as TOML spells it, not as Python does
    with pytest.raises(ConfigError, match=r"max_turns = true from .*must be an integer"):
        load(project, home)
    path.write_text("context_fraction = 2\n")
    with pytest.raises(ConfigError, match=r"context_fraction = 2 from .*at most 1"):
        load(project, home)
    path.write_text("timeout = inf\n")
    with pytest.raises(ConfigError, match=r"timeout = inf from .*finite"):
        load(project, home)


def test_a_bad_env_value_names_the_variable(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    with pytest.raises(
        ConfigError,
        match=r'max_turns = "ten" from env TASKSCHEME_MAX_TURNS: must be an integer',
    ):
        load(project, home, {"TASKSCHEME_MAX_TURNS": "ten"})
    with pytest.raises(ConfigError, match=r'warning_threshold = "1.5" from env'):
        load(project, home, {"TASKSCHEME_WARNING_THRESHOLD": "1.5"})


def test_a_bad_command_line_value(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    with pytest.raises(ConfigError, match=r"workers = -1 from command line: must be at least 1"):
        load(project, home, cli={"workers": -1})
    with pytest.raises(ConfigError, match=r"unknown setting 'max_turn' \(did you mean 'max_turns'"):
        load(project, home, cli={"max_turn": 3})


_MAXIMA = {
    "max_turns": 10_000,
    "budget_turns": 1_000_000,
    "budget_tokens": 1_000_000_000,
    "timeout": 86_400,
    "max_task_depth": 100,
    "max_recursion_depth": 1_000_000,
    "workers": 256,
}


@pytest.mark.parametrize(("name", "maximum"), _MAXIMA.items())
def test_every_number_has_a_documented_maximum(dirs: tuple[Path, Path], name, maximum) -> None:
    home, project = dirs
    assert load(project, home, cli={name: str(maximum)}).get(name) == maximum
    for too_big in (maximum + 1, 10**30):
        message = rf"{name} = \"{too_big}\" from command line: must be at most {maximum}"
        with pytest.raises(ConfigError, match=message):
            load(project, home, cli={name: str(too_big)})
    path = project / "taskscheme.toml"
    path.write_text(f"{name} = {maximum + 1}\n")
    with pytest.raises(ConfigError, match=rf"{name} = {maximum + 1} from .*at most {maximum}"):
        load(project, home)
    path.unlink()
    variable = f"TASKSCHEME_{name.upper()}"
    with pytest.raises(ConfigError, match=rf"from env {variable}: must be at most {maximum}"):
        load(project, home, {variable: str(maximum * 10)})
    documented = Path(__file__).parent.parent / "docs" / "resources.md"
    assert re.search(rf"\| `{name}` \|.*at most {maximum:,}", documented.read_text()), name


@pytest.mark.parametrize("variable", ["TASKSCHEME_MAXTURNS", "TASKSCHEME_MAX_TURN"])
def test_a_misspelt_environment_variable_is_a_warning(dirs: tuple[Path, Path], variable) -> None:
    home, project = dirs
    with pytest.warns(
        ConfigWarning,
        match=rf"unknown environment variable {variable} is ignored "
        r"\(did you mean TASKSCHEME_MAX_TURNS\?\)",
    ):
        settings = load(project, home, {variable: "3"})
    assert settings.get("max_turns") == 10
    with pytest.warns(
        ConfigWarning, match=r"^unknown environment variable TASKSCHEME_COLOUR is ignored$"
    ):
        load(project, home, {"TASKSCHEME_COLOUR": "blue"})


def test_an_unknown_variable_is_one_warning_line_and_the_command_runs(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", "(+ 1 2)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "TASKSCHEME_MAXTURNS": "3", "XDG_CONFIG_HOME": str(tmp_path)},
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, "3\n")
    assert result.stderr == (
        "taskscheme: warning: unknown environment variable TASKSCHEME_MAXTURNS is ignored "
        "(did you mean TASKSCHEME_MAX_TURNS?)\n"
    )


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_the_vendors_own_variables_fill_the_provider_settings(dirs, vendor) -> None:
    home, project = dirs
    key, url = f"{vendor.upper()}_API_KEY", f"{vendor.upper()}_BASE_URL"
    secret = "sk-abcdefghijklmnop1234"
    settings = load(project, home, {key: secret, url: "http://127.0.0.1:9/v1"})
    assert settings.get(f"{vendor}_api_key") == secret
    assert settings.source(f"{vendor}_api_key") == f"env {key}"
    assert settings.get(f"{vendor}_base_url") == "http://127.0.0.1:9/v1"
    report = settings.report()
    assert secret not in report
    assert re.search(rf'^  {vendor}_api_key +"\*\*\*\*1234" +env {key}$', report, re.M)
    # any layer of taskscheme's own wins over the vendor's variable
    ours = load(project, home, {key: secret, f"TASKSCHEME_{vendor.upper()}_API_KEY": "sk-mine"})
    assert ours.source(f"{vendor}_api_key") == f"env TASKSCHEME_{vendor.upper()}_API_KEY"
    assert load(project, home, {}).get(f"{vendor}_api_key") is None


def test_a_config_file_that_is_not_utf8_names_the_file(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    path = project / "taskscheme.toml"
    path.write_bytes(b"max_turns = 3 # caf\xe9\n")
    with pytest.raises(ConfigError, match=rf"{re.escape(str(path))}: not valid TOML: not UTF-8"):
        load(project, home)


def test_an_unknown_file_key_suggests_a_close_one(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    path = user_file(home, "max-turns = 3\n")
    with pytest.raises(
        ConfigError,
        match=rf"{re.escape(str(path))}: unknown key 'max-turns' \(did you mean 'max_turns'",
    ):
        load(project, home)
    path.write_text("colour = 'blue'\n")
    with pytest.raises(ConfigError, match=r"unknown key 'colour'; the keys are: model, max_turns"):
        load(project, home)


def test_invalid_toml_names_the_file(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    path = project / "taskscheme.toml"
    path.write_text("max_turns = \n")
    with pytest.raises(ConfigError, match=rf"{re.escape(str(path))}: not valid TOML"):
        load(project, home)


def test_a_bad_models_entry_names_the_file(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    path = project / "taskscheme.toml"
    path.write_text('[models."ollama:x"]\ninput_window = "big"\n')
    with pytest.raises(
        ConfigError, match=rf'{re.escape(str(path))}: \[models."ollama:x"\] input_window'
    ):
        load(project, home)


def test_an_unknown_model_names_its_layer_and_shows_the_toml(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    with pytest.raises(ConfigError) as caught:
        load(project, home, {"TASKSCHEME_MODEL": "ollama:llama3.1"})
    message = caught.value.message
    assert message.startswith('model = "ollama:llama3.1" from env TASKSCHEME_MODEL')
    assert '[models."ollama:llama3.1"]\ninput_window = 8192' in message


# -- per-task overrides and the report --------------------------------------------------------


def test_handler_config_applies_task_overrides(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    (project / "taskscheme.toml").write_text('max_turns = 4\nsystem_prompt = "Be brief."\n')
    settings = load(project, home)
    base = settings.handler_config()
    assert base == HandlerConfig(4, 0.5, 0.8, "openai:gpt-4o-mini", "Be brief.")
    task = settings.handler_config(max_turns=2, context_fraction=0.1, model=None)
    assert (task.max_turns, task.max_context_window_fraction, task.default_model) == (
        2,
        0.1,
        "openai:gpt-4o-mini",
    )
    with pytest.raises(ConfigError, match=r"HandlerConfig.max_turns = 0"):
        settings.handler_config(max_turns=0)
    with pytest.raises(ConfigError, match=r"cannot override 'workers'"):
        settings.handler_config(workers=2)


def test_report_shows_values_sources_and_masks_keys(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    path = project / "taskscheme.toml"
    path.write_text('max_turns = 4\n[models."ollama:llama3.1"]\ninput_window = 8192\n')
    secret = "sk-abcdefghijklmnop1234"
    settings = load(project, home, {"TASKSCHEME_OPENAI_API_KEY": secret})
    report = settings.report()
    assert secret not in report
    assert '"****1234"' in report
    lines = {line.split()[0]: line for line in report.splitlines() if line.startswith("  ")}
    assert lines["max_turns"].split()[1:] == ["4", str(path)]
    assert lines["openai_api_key"].endswith("env TASKSCHEME_OPENAI_API_KEY")
    assert lines["budget_turns"].split()[1:] == ["(not", "set)", "default"]
    assert '[models."ollama:llama3.1"] input_window = 8192' in report


def test_unknown_key_lookup(dirs: tuple[Path, Path]) -> None:
    home, project = dirs
    with pytest.raises(ConfigError, match="did you mean 'timeout'"):
        load(project, home).get("timeuot")


# -- what is derived from the table of settings -------------------------------------------------

_SAMPLES = {int: "3", float: "0.25", str: "sample"}
# settings whose check accepts only some strings
_SPECIAL_SAMPLES = {"model": "openai:gpt-4o", "executor": "ray"}


def test_every_setting_with_a_flag_is_a_command_line_option(
    dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    home, project = dirs
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    flagged = [setting for setting in SETTINGS.values() if setting.flag]
    argv = ["config"]
    for setting in flagged:
        sample = _SPECIAL_SAMPLES.get(setting.name, _SAMPLES[setting.kind])
        argv += [setting.flag, sample]
    assert main(argv) == 0
    report = capsys.readouterr().out
    sources = {line.split()[0]: line for line in report.splitlines() if line.startswith("  ")}
    for setting in flagged:
        assert sources[setting.name].endswith("command line"), setting.name
    assert {setting.name for setting in flagged} >= {"max_turns", "budget_turns", "trace"}


def test_handler_config_checks_each_field_with_its_settings_check() -> None:
    handler_settings = [setting for setting in SETTINGS.values() if setting.handler_field]
    assert {setting.handler_field for setting in handler_settings} == {
        "max_turns",
        "max_context_window_fraction",
        "warning_threshold",
        "default_model",
        "system_prompt",
        "max_output_tokens",
        "max_cost",
        "max_seconds",
    }
    for setting in handler_settings:
        fields = {"max_turns": 3, "max_context_window_fraction": 0.5, setting.handler_field: []}
        with pytest.raises(ConfigError) as caught:
            HandlerConfig(**fields)
        problem = setting.problem([], {})
        assert caught.value.message == f"HandlerConfig.{setting.handler_field} = [] {problem}"


# -- the command line: every bad setting is a clear message and exit 2 ---------------------------


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["eval", "1", "--model", "test:scripted"], {}, "names an offline test model"),
        (["run", "p.scm", "--model", "replay:none.jsonl"], {}, "cassette not found"),
        (["eval", "1", "--max-recursion-depth", "1000000000000"], {}, "at most 1000000"),
        (["eval", "1", "--max-recursion-depth", "600000000"], {}, "at most 1000000"),
        (["eval", "1", "--max-turns", "1" + "0" * 30], {}, "at most 10000"),
        (["eval", "1", "--max-turns", "ten"], {}, 'max_turns = "ten" from command line'),
        (["eval", "1"], {"TASKSCHEME_MAX_RECURSION_DEPTH": "600000000"}, "at most 1000000"),
    ],
)
def test_a_bad_setting_on_the_command_line_is_exit_2_before_anything_runs(
    dirs, monkeypatch, capsys, argv, env, message
) -> None:
    home, project = dirs
    monkeypatch.chdir(project)
    (project / "p.scm").write_text('(display "ran")')
    for name in [name for name in os.environ if name.startswith("TASKSCHEME_")]:
        monkeypatch.delenv(name)
    for name, value in {"XDG_CONFIG_HOME": str(home), **env}.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("config-error: ") and message in err
    assert "Traceback" not in err and "int too large" not in err


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("#t", "must be an integer"),
        ("100000", "must be at most 10000"),
        ('"3"', "must be an integer"),
    ],
)
def test_a_task_option_is_checked_and_shown_as_written(written, problem) -> None:
    program = f'(define-task (f x) #:max-turns {written} "{{{{x}}}}") (f 1)'
    with pytest.raises(ConfigError) as caught:
        interpreter(ScriptedModel(["unused"])).eval(program)
    allowed = "(an integer from 1 to 10,000)"
    assert caught.value.message == f"f: #:max-turns {written} {problem} {allowed}"


def test_a_config_file_that_is_not_utf8_is_exit_2(dirs, monkeypatch, capsys) -> None:
    home, project = dirs
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    (project / "taskscheme.toml").write_bytes(b"max_turns = 3 # caf\xe9\n")
    assert main(["eval", "1"]) == 2
    assert "taskscheme.toml: not valid TOML: not UTF-8 text" in capsys.readouterr().err
