"""CI: does a fresh exercise JSON hold the committed one's numbers, within the README tests' reach?

python .ci/same_numbers.py COMMITTED.json FRESH.json
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_readme import close, numbers  # noqa: E402  (the tolerances the README tests use)

committed, fresh = (numbers(json.loads(Path(name).read_text())) for name in sys.argv[1:3])
moved = [key for key, number in committed.items() if not close(key, number, fresh.get(key, 1e9))]
if moved or committed.keys() != fresh.keys():
    sys.exit(f"CI: {sys.argv[1]} no longer matches the code: {moved or 'other keys'}")
