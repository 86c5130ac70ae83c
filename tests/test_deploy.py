"""The deployment files: the Dockerfile, compose.yaml, the lock files, publiccode.yml.

No Docker engine runs where the suite runs, so these read the files: what a build would
need (every COPY source exists, the image runs as a non-root user with gunicorn), what
compose needs (the services, the settings the app reads, volumes), and that the lock files
pin every dependency of pyproject.toml with hashes.
"""

from __future__ import annotations

import json
import re
import runpy
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from trajectory.config import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


STEPS = instructions(DOCKERFILE)


def test_the_image_runs_as_a_non_root_user():
    users = [args for keyword, args in STEPS if keyword == "USER"]
    assert users, "no USER instruction"
    user = users[-1].split(":")[0]
    # Numeric: Kubernetes' runAsNonRoot refuses a user name it cannot check.
    assert user.isdigit() and user != "0", users[-1]
    # The user is created in the image, and nothing runs as root after the switch.
    assert re.search(rf"useradd .*--uid {user}\b", DOCKERFILE)
    after = STEPS[[k for k, _ in STEPS].index("USER") + 1:]
    assert not any(keyword == "RUN" for keyword, _ in after)


def test_the_entry_point_is_gunicorn_with_the_repository_config():
    assert not any(keyword == "ENTRYPOINT" for keyword, _ in STEPS), (
        "an ENTRYPOINT would swallow `docker compose run web flask ...`")
    command = json.loads([args for keyword, args in STEPS if keyword == "CMD"][-1])
    assert command[0] == "gunicorn"
    config = command[command.index("--config") + 1]
    assert (ROOT / config).is_file()
    module, _, name = command[-1].partition(":")
    assert (ROOT / f"{module}.py").is_file() and f"{name} = create_app()" in (
        ROOT / f"{module}.py").read_text()
    env = " ".join(args for keyword, args in STEPS if keyword == "ENV")
    assert "GUNICORN_BIND=0.0.0.0:8000" in env
    assert "PROMETHEUS_MULTIPROC_DIR=" in env


def test_every_copied_file_exists_and_is_not_docker_ignored():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    copies = [shlex.split(args) for keyword, args in STEPS if keyword == "COPY"]
    assert copies
    for parts in copies:
        sources = [p for p in parts[:-1] if not p.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            assert source.rstrip("/") not in ignored, f"COPY {source}, but .dockerignore drops it"


def test_the_image_has_what_weasyprint_and_the_pdfs_need():
    installs = " ".join(args for keyword, args in STEPS
                        if keyword == "RUN" and "apt-get install" in args)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0",
                    "fonts-dejavu-core", "postgresql-client"):
        assert package in installs, package
    # The PDF templates name DejaVu Sans (installed) or the vendored Noto Sans.
    for template in (ROOT / "templates").rglob("*pdf*.html"):
        for family in re.findall(r'font-family:\s*"([^"]+)"', template.read_text()):
            assert family in ("DejaVu Sans", "Noto Sans"), (template, family)


def test_the_image_installs_from_the_lock_with_hashes_and_builds_the_static_files():
    runs = [args for keyword, args in STEPS if keyword == "RUN"]
    assert any("--require-hashes -r requirements.lock" in run for run in runs)
    assert any("flask --app trajectory assets build" in run for run in runs)
    assert any(keyword == "HEALTHCHECK" and "/healthz" in args for keyword, args in STEPS)


COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_the_app_postgresql_15_and_redis():
    services = COMPOSE["services"]
    assert set(services) == {"web", "db", "redis"}
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"].startswith("redis:")
    assert services["web"]["build"] == "."
    for dependency in ("db", "redis"):
        assert services["web"]["depends_on"][dependency]["condition"] == "service_healthy"
        assert services[dependency]["healthcheck"]["test"]


def test_compose_configures_the_app_with_settings_it_reads():
    environment = COMPOSE["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert "redis://redis:6379" in environment["TRAJECTORY_LOGIN_THROTTLE_STORAGE_URI"]
    assert ":?" in environment["TRAJECTORY_SECRET_KEY"], "the key must be required, not defaulted"
    for name in environment:
        if name.startswith("TRAJECTORY_"):
            assert name.removeprefix("TRAJECTORY_") in DEFAULTS or name in (
                "TRAJECTORY_EVIDENCE_DIR", "TRAJECTORY_PORT"), f"{name}: the app has no such setting"
    gunicorn = (ROOT / "gunicorn.conf.py").read_text()
    for name in ("WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"):
        assert name in environment and name in gunicorn


def _seconds(duration: str) -> float:
    """A Compose duration ("40s", "1m30s") in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[u] for n, u in parts)


def test_compose_waits_for_gunicorn_to_finish_running_requests():
    """docker compose stop sends SIGTERM, then SIGKILL after stop_grace_period (10 s when
    unset): it must outlast gunicorn's graceful_timeout, or a slow request dies halfway."""
    graceful = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["graceful_timeout"]
    period = COMPOSE["services"]["web"].get("stop_grace_period", "10s")
    assert _seconds(period) > graceful


def test_compose_keeps_the_database_and_the_evidence_in_volumes():
    volumes = COMPOSE["volumes"]
    web = COMPOSE["services"]["web"]["volumes"]
    assert "evidence:/data/evidence" in web
    assert COMPOSE["services"]["web"]["environment"]["TRAJECTORY_EVIDENCE_DIR"] == "/data/evidence"
    assert "database:/var/lib/postgresql/data" in COMPOSE["services"]["db"]["volumes"]
    assert {"database", "evidence"} <= set(volumes)
    assert "/data/evidence" in DOCKERFILE  # made in the image, owned by the app's user


def test_compose_config_when_docker_compose_is_installed():
    """Where the compose CLI exists, it must accept the file too (no engine needed)."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "TRAJECTORY_SECRET_KEY": "k" * 40,
           "POSTGRES_PASSWORD": "p"}
    try:
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True,
                                text=True, timeout=60, check=False, env=env)
    except FileNotFoundError:
        pytest.skip("no docker CLI here (the YAML checks above still ran)")
    if plugin.returncode != 0:
        pytest.skip("the docker CLI has no compose plugin here (the YAML checks still ran)")
    result = subprocess.run(["docker", "compose", "config", "--quiet"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False, env=env)
    assert result.returncode == 0, result.stderr


def _locked(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\$", text, re.MULTILINE))
    blocks = re.split(r"\n(?=\S)", text)
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, f"{path.name}: no hash for {block.split()[0]}"
    return {canonicalize_name(name): version for name, version in pins.items()}


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ()),
                                               ("requirements-dev.lock", ("dev",))])
def test_the_lock_files_pin_every_dependency_with_hashes(lock, extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    pins = _locked(ROOT / lock)
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, pyproject.toml asks {requirement}: make lock")


def test_the_dev_lock_agrees_with_the_runtime_lock():
    runtime, dev = _locked(ROOT / "requirements.lock"), _locked(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_make_install_uses_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--no-deps -e ." in makefile
    assert re.search(r"^lock:", makefile, re.MULTILINE)


PUBLICCODE_REQUIRED = ("publiccodeYmlVersion", "name", "url", "softwareVersion",
                       "releaseDate", "platforms", "categories", "developmentStatus",
                       "softwareType", "description", "legal", "maintenance", "localisation")


def test_publiccode_yml_parses_and_has_the_required_keys():
    code = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    for key in PUBLICCODE_REQUIRED:
        assert key in code, key
    assert str(code["publiccodeYmlVersion"]).startswith("0.4")
    assert code["legal"]["license"] == "EUPL-1.2"
    assert code["platforms"] == ["web"]
    assert code["softwareType"] == "standalone/web"
    assert code["developmentStatus"] in ("concept", "development", "beta", "stable", "obsolete")
    assert code["maintenance"]["type"] in ("internal", "contract", "community", "none")
    assert set(code["localisation"]["availableLanguages"]) == {"nl", "en"}
    for language in ("nl", "en"):
        description = code["description"][language]
        assert description["shortDescription"] and len(description["shortDescription"]) <= 150
        assert len(description["longDescription"]) >= 150
        assert description["features"]
    assert any("PostgreSQL" in d["name"] for d in code["dependsOn"]["open"])
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert str(code["softwareVersion"]) == version


def test_the_licence_is_the_full_eupl_1_2():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in text
    assert "Appendix" in text and "Compatible Licences" in text
    assert len(text) > 12000  # the whole text, not a notice
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "EUPL-1.2"


def test_security_policy_says_how_to_report():
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "docs/security.md" in text
    assert re.search(r"(?i)supported versions", text)
    assert re.search(r"(?i)report", text)
