"""Where the admin token comes from: --token, --token-file, $STARLING_TARGET_TOKEN, or a generated one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import TARGET, start_target
from options import TOKEN_ENV, resolve_token


def test_flag_wins_then_file_then_environment(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("from-file\nsecond line is ignored\n")
    env = {TOKEN_ENV: "from-env"}
    assert resolve_token("from-flag", None, env) == "from-flag"
    assert resolve_token(None, str(token_file), env) == "from-file"
    assert resolve_token(None, None, env) == "from-env"
    generated = {resolve_token(None, None, {}) for _ in range(2)}
    assert len(generated) == 2 and all(t.startswith("p.") and len(t) > 20 for t in generated)
    assert resolve_token(None, None, {TOKEN_ENV: "  "}).startswith("p.")  # blank counts as unset


@pytest.mark.parametrize("flag,file_text,reason", [
    ("x", "y", "not both"),
    (None, "\nsecond\n", "first line is empty"),
    ("  ", None, "empty"),
])
def test_bad_token_sources_are_refused(tmp_path, flag, file_text, reason):
    path = None
    if file_text is not None:
        path = tmp_path / "token"
        path.write_text(file_text)
    with pytest.raises(ValueError, match=reason):
        resolve_token(flag, str(path) if path else None, {})


def test_unreadable_token_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        resolve_token(None, str(tmp_path / "missing"), {})


def test_target_takes_the_token_from_the_environment(tmp_path):
    t = start_target(tmp_path / "data", token=None, env={TOKEN_ENV: "env-secret-123"})
    try:
        assert t.token == "env-secret-123"
        assert "env-secret-123" not in (TARGET / "start").read_text()
        cmdline = Path(f"/proc/{t.process.pid}/cmdline").read_bytes()
        assert b"env-secret-123" not in cmdline and b"--token" not in cmdline
        assert t.pipe("events_by_country").status == 200
        assert t.request("GET", "/v0/pipes/events_by_country.json", auth=False,
                         headers={"Authorization": "Bearer other"}).status == 403
    finally:
        t.stop()


def test_target_reads_the_token_file(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("file-secret-456\n")
    t = start_target(tmp_path / "data", "--token-file", str(token_file), token=None, env={TOKEN_ENV: "loses"})
    try:
        assert t.token == "file-secret-456"
        assert t.pipe("events_by_country").status == 200
    finally:
        t.stop()


def test_bad_token_flags_exit_1_with_one_line(tmp_path):
    result = subprocess.run([str(TARGET / "start"), "--port", "0", "--token", "a", "--token-file", "b"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "not both" in result.stderr
