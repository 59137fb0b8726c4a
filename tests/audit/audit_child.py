"""A writer process for the crash and concurrency tests.

Usage: python audit_child.py URL MODE TAG COUNT
MODE is "sync" or "batch"; COUNT 0 means "until killed".  After each record()
returns it prints "<seq or index> <correlation id>" and flushes stdout.
"""

from __future__ import annotations

import sys
import time

from audit_helpers import exchange

from boomisoap.audit import AuditLog


def main() -> None:
    url, mode, tag, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    log = AuditLog.open(url, batch=mode == "batch", batch_size=40, flush_interval=0.005)
    i = 0
    while count == 0 or i < count:
        cid = f"{tag}-{i}"
        record = log.record(exchange(i, correlation_id=cid))
        print(record.seq if record is not None else i, cid, flush=True)
        i += 1
        if mode == "batch" and i % 20 == 0:
            # Let the flusher thread run, so the kill lands among committed batches.
            time.sleep(0.002)
    log.close()


if __name__ == "__main__":
    main()
