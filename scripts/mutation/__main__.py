"""`python -m mutation` (run by scripts/mutation/score with the local target's venv)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli import main  # noqa: E402

sys.exit(main())
