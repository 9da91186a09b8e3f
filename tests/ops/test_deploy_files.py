"""The deployment files (Dockerfile, docker-compose.yml, .env.example) agree with the code.

These mistakes break a deployment silently: a misspelt ASSISTANT_* variable is ignored by
pydantic-settings (extra="ignore"), a renamed CLI command makes a container exit at once, a
healthcheck on a missing route keeps a service "starting" for ever, a committed secret leaks.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli import app as cli_app
from assistant.settings import Settings
from bots.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

SECRET_NAME = re.compile(r"(TOKEN|SECRET|KEY|KEYS|PASSWORD)$")
VAR_REFERENCE = re.compile(r"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f".env.example: not NAME=value: {line!r}"
            values[name.strip()] = value.strip()
    return values


def compose_environment() -> dict[str, str]:
    merged: dict[str, str] = {}
    for service in services().values():
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.partition("=")[::2] for item in env)
        merged.update({str(k): str(v) for k, v in env.items()})
    return merged


def assistant_variables() -> set[str]:
    text = COMPOSE.read_text(encoding="utf-8") + ENV_EXAMPLE.read_text(encoding="utf-8")
    text += DOCKERFILE.read_text(encoding="utf-8")
    return set(re.findall(r"\bASSISTANT_[A-Z0-9_]+", text)) - {"ASSISTANT_IMAGE"}


def dockerfile_instruction(name: str) -> list[str]:
    """The JSON-form arguments of the last `name` instruction (CMD, HEALTHCHECK … CMD)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    assert lines, f"Dockerfile has no {name}"
    return lines[-1].split(None, 1)[1].split()


def assistant_commands() -> set[str]:
    """Every `assistant <command> [<subcommand>]` the deployment runs."""
    argvs: list[list[str]] = []
    for service in services().values():
        command = service.get("command")
        if isinstance(command, str):
            command = shlex.split(command)
        if command:
            argvs.append([str(part) for part in command])
    cmd_line = DOCKERFILE.read_text(encoding="utf-8").split("\nCMD ", 1)[1].splitlines()[0]
    argvs.append(yaml.safe_load(cmd_line))
    found: set[str] = set()
    for argv in argvs:
        if argv and argv[0] == "assistant":
            words = [w for w in argv[1:3] if not w.startswith("-")]
            groups = {"db", "staff", "procedures", "corpus", "eval"}
            found.add(" ".join(words[:2]) if words and words[0] in groups else words[0])
    return found


def healthcheck_paths() -> dict[str, str]:
    """Service (or "Dockerfile") → the URL path its healthcheck fetches from the app."""
    paths: dict[str, str] = {}
    for name in ("app", "migrate", "worker"):
        check = services()[name].get("healthcheck") or {}
        if not check.get("disable"):
            paths[name] = " ".join(check.get("test") or [])
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    paths["Dockerfile"] = next(line for line in text.splitlines() if line.startswith("HEALTHCHECK"))
    result = {}
    for name, test in paths.items():
        match = re.search(r"http://127\.0\.0\.1:8000(/[a-z]+)", test)
        assert match, f"{name}: healthcheck does not fetch the app over HTTP: {test}"
        result[name] = match.group(1)
    return result


def test_every_assistant_variable_is_a_setting() -> None:
    fields = {f"ASSISTANT_{name.upper()}" for name in Settings.model_fields}
    unknown = assistant_variables() - fields
    assert not unknown, f"not fields of assistant.settings.Settings (ignored silently): {unknown}"


def test_runbook_names_real_settings() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    named = {v for v in re.findall(r"\bASSISTANT_[A-Z0-9_]+", text) if not v.endswith("_")}
    fields = {f"ASSISTANT_{name.upper()}" for name in Settings.model_fields}
    assert named and not named - fields, f"docs/operations.md: not settings: {named - fields}"


def test_env_example_as_copied_gives_valid_settings(tmp_path: Path) -> None:
    # `cp .env.example .env` must not make every container fail on start (an empty list
    # setting, for one, is not valid JSON).
    env_file = tmp_path / ".env"
    env_file.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.answer_mode == "grounded"
    assert settings.api_keys == [] and settings.cors_origins == []


def test_assistant_commands_in_compose_and_dockerfile() -> None:
    commands = assistant_commands()
    assert {"serve", "db upgrade", "worker"} <= commands


@pytest.mark.parametrize("command", sorted(assistant_commands()))
def test_every_assistant_command_exists(command: str) -> None:
    result = CliRunner().invoke(cli_app, [*command.split(), "--help"])
    assert result.exit_code == 0, f"`assistant {command} --help`: {result.output}"


def test_serve_options_in_cmd_exist() -> None:
    cmd = yaml.safe_load(DOCKERFILE.read_text().split("\nCMD ", 1)[1].splitlines()[0])
    compose_cmd = services()["app"]["command"]
    help_text = CliRunner().invoke(cli_app, ["serve", "--help"]).output
    for argv in (cmd, compose_cmd):
        for option in (part for part in argv if part.startswith("--")):
            assert option in help_text, f"`assistant serve` has no {option}"


def test_healthcheck_paths_are_routes(tmp_path: Path) -> None:
    routes = {getattr(r, "path", None) for r in create_app(Settings(data_dir=tmp_path)).routes}
    paths = healthcheck_paths()
    assert paths["app"] == "/readyz" and paths["Dockerfile"] == "/healthz"
    for name, path in paths.items():
        assert path in routes, f"{name}: healthcheck path {path} is not a route of create_app()"


def test_app_waits_for_its_dependencies() -> None:
    for name in ("app", "worker"):
        depends = services()[name]["depends_on"]
        for needed in ("postgres", "redis", "chroma"):
            assert depends[needed]["condition"] == "service_healthy", (name, needed)
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    for needed in ("postgres", "redis", "chroma"):
        assert services()[needed].get("healthcheck", {}).get("test"), f"{needed}: no healthcheck"
    assert services()["migrate"]["restart"] == "no"  # a one-shot, not restarted for ever


def test_state_lives_on_named_volumes() -> None:
    volumes = set(compose()["volumes"])
    for name, mount in [
        ("app", "/data"),
        ("worker", "/data"),
        ("postgres", "/var/lib/postgresql/data"),
        ("chroma", "/data"),
    ]:
        sources = {v.split(":")[0] for v in services()[name]["volumes"] if v.endswith(mount)}
        assert sources & volumes, f"{name}: {mount} is not on a named volume"
    # Every app/worker replica reads the same lexical index: one shared data volume.
    assert set(services()["app"]["volumes"]) == set(services()["worker"]["volumes"])


def test_chroma_image_matches_installed_client() -> None:
    image = services()["chroma"]["image"]
    name, _, tag = image.partition(":")
    assert name == "chromadb/chroma"
    installed = version("chromadb").split(".")[:2]
    assert tag.split(".")[:2] == installed, f"{image} vs chromadb {version('chromadb')}"


def test_llm_service_is_optional_and_wired() -> None:
    vllm = services()["vllm"]
    assert vllm["profiles"] == ["llm"]
    assert vllm["image"].startswith("vllm/vllm-openai")
    assert "http://vllm:8000/v1" in COMPOSE.read_text(encoding="utf-8")
    for name, service in services().items():
        if name != "vllm":
            assert "profiles" not in service, f"{name} must start without a profile"


def test_no_secret_values_committed() -> None:
    values = {**env_example(), **compose_environment()}
    for name in ("POSTGRES_PASSWORD",):
        assert name in values
    for name, value in values.items():
        if SECRET_NAME.search(name):
            assert value in ("", "[]") or VAR_REFERENCE.match(value), (
                f"{name} has a committed value; leave it empty or use ${{{name}}}"
            )
    # A password inside a URL must come from interpolation too.
    for name, value in values.items():
        for userinfo in re.findall(r"://[^/@\s]*:([^@/\s]*)@", value):
            assert userinfo.startswith("${"), f"{name}: a literal password in a URL"
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def test_image_runs_unprivileged_with_data_volume() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.count("\nFROM python:3.11-slim") == 2  # build and runtime stages
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in text and "ASSISTANT_DATA_DIR=/data" in text
    assert 'pip install ".[postgres]"' in text
    assert dockerfile_instruction("HEALTHCHECK")


def test_docker_compose_config_validates(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        compose_cli = [docker, "compose"]
    elif legacy := shutil.which("docker-compose"):  # Debian's docker-compose 1.29
        compose_cli = [legacy]
    else:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    # An operator's checkout: .env copied from .env.example with the required values set.
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    (tmp_path / ".env").write_text(example + "POSTGRES_PASSWORD=x\nVLLM_MODEL=m\n")
    result = subprocess.run(
        [*compose_cli, "--profile", "llm", "config", "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
