"""CI: do fresh exercise JSON hold the committed ones' numbers, within the README tests' reach?

python .ci/same_numbers.py COMMITTED.json FRESH.json [COMMITTED.json FRESH.json ...]
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_readme import close, numbers  # noqa: E402  (the tolerances the README tests use)

for committed_name, fresh_name in zip(sys.argv[1::2], sys.argv[2::2], strict=True):
    committed, fresh = (
        numbers(json.loads(Path(n).read_text())) for n in (committed_name, fresh_name)
    )
    moved = [
        key for key, number in committed.items() if not close(key, number, fresh.get(key, 1e9))
    ]
    if moved or committed.keys() != fresh.keys():
        sys.exit(f"CI: {committed_name} no longer matches the code: {moved or 'other keys'}")
