"""A projection worker PROCESS for the crash tests (run as a script, not collected).

    python projection_worker.py STORE_URL PAGE_SIZE

What ``journey projections run`` does (build the ledger and the views engine from the one
store URL, set up, follow until stopped), but with a page size of the test's choosing: the
command line has no option for it, and the tests need small pages to kill the process
between (and inside) them. Errors are logged to stderr, which the test shows if it fails.
"""

from __future__ import annotations

import logging
import sys

from journey.application import JourneyLedger
from journey.persistence import store_env
from projections.database import views_engine
from projections.runner import ProjectionRunner


def main() -> None:
    url, page_size = sys.argv[1], int(sys.argv[2])
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    ledger = JourneyLedger(store_env(url, prefix=JourneyLedger.name.upper()))
    engine = views_engine(url)
    runner = ProjectionRunner(ledger, engine, page_size=page_size)
    runner.setup()
    print("following", flush=True)
    runner.run_forever(interval=0.01)


if __name__ == "__main__":
    main()
