"""HeadroomFilter hands the request's candidates to the weigher.

Both HeadroomFilter and BalancedUtilizationWeigher need every candidate's
utilisation after placing the request and its aggregate overrides, and
reading the HostStates is most of what the plugin costs nova-scheduler.
nova-scheduler runs the weighers right after the filters, on the hosts that
passed, with the same RequestSpec object
(``SchedulerManager._get_sorted_hosts``), so the filter leaves the
``CandidateHosts`` it built here and the weigher takes them instead of reading
the hosts again.

Why the weigher never sees figures other than the filter's, nor another
request's:

* Entries are keyed by the RequestSpec object itself, weakly, so they die
  with the request; nothing is kept on the filter or weigher objects, which
  nova-scheduler shares between the threads serving requests.
* The filter replaces or drops its request's entry every time it runs, and
  the weigher takes an entry at most once. A request for several servers
  is filtered again before each server is weighed (after nova-scheduler
  consumed the previous server's host), so it never weighs an old entry.
* The weigher uses an entry only if every host it weighs is in it
  (``CandidateHosts.rows``); otherwise it reads the hosts itself.

Between the filter and the weigher, another request may consume one of the
hosts; the weigher then judges that host as the filter did, a moment
earlier, which is how every Nova filter already judges it.
"""

import threading
import weakref

_ENTRIES = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def drop(spec_obj):
    """Forget what an earlier run of the filter left for this request."""
    with _LOCK:
        _ENTRIES.pop(spec_obj, None)


def leave(spec_obj, candidates):
    """Leave ``candidates`` (never holding ``spec_obj``) for the weigher."""
    with _LOCK:
        _ENTRIES[spec_obj] = candidates


def take(spec_obj):
    """What the filter left for this request, at most once; else None."""
    with _LOCK:
        return _ENTRIES.pop(spec_obj, None)
