"""The lock with a lease holds the feeds' sync lock and each background job's lease alike, and says
which one it is when it loses or cannot release it."""

from __future__ import annotations

import logging

import pytest

from paperlens.store.leases import Lease
from paperlens.lock import SyncLock, holder_name

from tests.waiting import until

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


@pytest.mark.parametrize("name", ["sync", "summaries"])
def test_a_lost_lock_is_named_in_the_log(feeds, caplog, name):
    lease = feeds.lock if name == "sync" else Lease(feeds.r, feeds.keys.lease(name), name)
    lock = SyncLock(lease, holder_name("me"), lease=0.3)
    caplog.set_level(logging.WARNING, logger="paperlens.lock")
    assert lock.acquire()
    feeds.r.set(lease.key, "someone else")
    until(lambda: not lock.held, 30, "the holder noticing it lost the lock")
    lock.release()
    assert f"the {name} lock was lost (someone else now holds it)" in caplog.text
    assert lease.lock_holder() == "someone else"
