"""Entry point of an indexing worker process: ``python -m searchlib.indexing.worker JOB``."""

import sys
from pathlib import Path

from searchlib.indexing.workers import run_job

if __name__ == "__main__":
    run_job(Path(sys.argv[1]))
