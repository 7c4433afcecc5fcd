"""The flags of `start` (see README.md): parsing, checks, and where the admin token comes from."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path
from typing import NoReturn

from traffic import parse_pair

TOKEN_ENV = "STARLING_TARGET_TOKEN"
ROOT = Path(__file__).resolve().parent.parent.parent


class ArgumentParser(argparse.ArgumentParser):
    """Bad flags: one line on stderr and exit status 1 (the start contract), not argparse's usage block and 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: {message}\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = ArgumentParser(prog="start", description="Tinybird-compatible local target on chdb")
    p.add_argument("--port", type=int, required=True, help="port to listen on; 0 picks a free port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--project", default=str(ROOT / "scenarios" / "tinybird"))
    p.add_argument("--data", default=None, help="database folder (kept); default a temp dir removed on exit")
    p.add_argument("--token", default=None,
                   help=f"admin token (visible in ps: prefer ${TOKEN_ENV} or --token-file); default ${TOKEN_ENV}, "
                        "else a generated one (see GET /tokens)")
    p.add_argument("--token-file", default=None, metavar="PATH", help="read the admin token from the first line of PATH")
    p.add_argument("--flush-interval", type=float, default=0.0,
                   help="seconds rows of wait=false requests wait in a buffer; 0 inserts before answering")
    p.add_argument("--flush-rows", type=int, default=1_000_000, metavar="N",
                   help="a datasource's buffer is inserted at once when it holds N rows (bounds its memory)")
    p.add_argument("--dedupe-window", type=float, default=18000.0, metavar="SECONDS",
                   help="an /v0/events body (per datasource) already ingested this recently is answered again, not "
                        "inserted again (Tinybird Cloud: 5 h); 0 = off")
    p.add_argument("--max-body-bytes", type=int, default=10 * 1024 * 1024)
    p.add_argument("--rate-limit", type=int, default=0, help="requests/s per datasource on /v0/events; 0 = off")
    p.add_argument("--fault-status", default=None, metavar="CODE:PROB")
    p.add_argument("--fault-stall", default=None, metavar="SECONDS:EVERY_N")
    p.add_argument("--fault-drop", type=float, default=0.0, metavar="PROB")
    p.add_argument("--fault-drop-after", type=float, default=0.0, metavar="PROB",
                   help="process the request completely, then close the connection without answering")
    p.add_argument("--fault-lose-rows", type=float, default=0.0, metavar="PROB")
    p.add_argument("--fault-seed", type=int, default=1)
    p.add_argument("--query-timeout", type=float, default=30.0, help="seconds before a pipe query answers 408")
    p.add_argument("--connections", type=int, default=2, help="chdb connections (parallel queries)")
    p.add_argument("--ready-file", default=None)
    p.add_argument("--parent-pid", type=int, default=None, metavar="PID",
                   help="stop (as on SIGTERM: buffered rows flushed) when process PID is gone, so a launcher "
                        "killed with SIGKILL or crashing leaves no server behind")
    p.add_argument("--remove-data", action="store_true", help="remove the --data folder on exit (the launcher's temporary one)")
    args = p.parse_args(argv)
    try:
        if args.fault_status:
            parse_pair(args.fault_status, int, float)
        if args.fault_stall:
            parse_pair(args.fault_stall, float, int)
    except (ValueError, argparse.ArgumentTypeError) as error:
        p.error(f"bad fault flag: {error}")
    if args.dedupe_window < 0:
        p.error("--dedupe-window is a number of seconds >= 0 (0 turns de-duplication off)")
    for flag in ("fault_drop", "fault_drop_after", "fault_lose_rows"):
        if not 0.0 <= getattr(args, flag) <= 1.0:
            p.error(f"--{flag.replace('_', '-')} is a probability between 0 and 1, not {getattr(args, flag)}")
    try:
        args.token = resolve_token(args.token, args.token_file, os.environ)
    except ValueError as error:
        p.error(str(error))
    return args


def resolve_token(flag: str | None, token_file: str | None, environ: dict[str, str] | os._Environ) -> str:
    """The admin token: --token, else --token-file's first line, else $STARLING_TARGET_TOKEN, else a new one."""
    if flag is not None and token_file is not None:
        raise ValueError("give --token or --token-file, not both")
    if flag is not None:
        token = flag.strip()
        if not token:
            raise ValueError("--token is empty")
        return token
    if token_file is not None:
        try:
            with open(token_file, encoding="utf-8") as f:
                token = f.readline().strip()
        except OSError as error:
            raise ValueError(f"cannot read --token-file {token_file}: {error.strerror}") from error
        if not token:
            raise ValueError(f"--token-file {token_file}: the first line is empty")
        return token
    token = environ.get(TOKEN_ENV, "").strip()
    return token or "p." + secrets.token_urlsafe(32)
