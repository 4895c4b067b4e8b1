"""Entry point of the child process of :mod:`revopt.solve.highs_process` (``python -m revopt.solve.highs_child
DOWN_FD UP_FD``). Kept apart so that the package never imports it: run with ``-m``, it is executed once, as
``__main__``."""

import sys

from revopt.solve.highs_process import run_child

if __name__ == "__main__":  # pragma: no cover - the child process
    run_child(int(sys.argv[1]), int(sys.argv[2]))
