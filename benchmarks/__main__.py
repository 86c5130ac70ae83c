"""``python -m benchmarks`` (make bench) runs the bench; ``python -m benchmarks build``
only fills the cache of built databases; ``python -m benchmarks report`` writes
docs/performance.md again from the last results, without measuring."""

import sys

from benchmarks.runner import main

sys.exit(main(sys.argv[1:]))
