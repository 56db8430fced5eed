"""What the rebalancer remembers between runs, in ``[rebalancer] state_dir``.

* ``moved.json``: server uuid -> when the rebalancer last moved it (epoch
  seconds). A server moved less than ``cooldown`` seconds ago is left
  alone by the next plans, so no server bounces between hosts. It is
  written after every finished move, so a rebalancer killed mid-run still
  knows what it did.
* ``plan.json``: the last plan (``nova-lb-plan/1``), for an admin to review
  and ``nova-lb apply``, and for ``nova-lb status``.
* ``last-run.json``: the last run's summary, for ``nova-lb status``.

Every file is replaced atomically (:func:`nova_lb.atomicfile.write`), so
a reader, or a rebalancer restarted after a crash, never sees half a
file.
"""

import json
import os

from nova_lb import atomicfile
from nova_lb import exception
from nova_lb import jsonfile

MOVED = 'moved.json'
PLAN = 'plan.json'
LAST_RUN = 'last-run.json'
#: The largest state file read; a plan for 100,000 servers takes ~10 MB.
MAX_BYTES = 64 << 20


class State(object):
    """The files in ``state_dir``.

    :param create: create the directory if missing; ``nova-lb status``,
        which only reads, passes False.
    """

    def __init__(self, state_dir, create=True):
        self.dir = state_dir
        if not create:
            return
        try:
            os.makedirs(state_dir, exist_ok=True)
        except OSError as e:
            raise exception.InvalidConfig(
                '[rebalancer] state_dir %s: %s' % (state_dir,
                                                    e.strerror or e))

    def path(self, name):
        return os.path.join(self.dir, name)

    def read(self, name):
        """The JSON document ``name``, or None if there is none yet."""
        try:
            return jsonfile.read(self.path(name), MAX_BYTES)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise exception.NovaLBError('%s: unreadable: %s'
                                        % (self.path(name), e.strerror or e))
        except jsonfile.Unreadable as e:
            raise exception.NovaLBError('%s: unreadable: %s'
                                        % (self.path(name), e))

    def write(self, name, document):
        atomicfile.write(self.path(name),
                         json.dumps(document, indent=1, sort_keys=True))

    def recently_moved(self, now, cooldown):
        """``{server uuid: moved at}`` for moves less than ``cooldown`` ago.

        :raises nova_lb.exception.NovaLBError: ``moved.json`` is not an
            object of server uuids to times (edited by hand?).
        """
        moved = self.read(MOVED) or {}
        if not isinstance(moved, dict) or not all(
                isinstance(at, (int, float)) and not isinstance(at, bool)
                for at in moved.values()):
            raise exception.NovaLBError(
                '%s: not a {"server uuid": epoch seconds} object; remove it '
                'to forget the cooldowns' % self.path(MOVED))
        return {server: at for server, at in moved.items()
                if type(at) in (int, float) and now - at < cooldown}

    def record_move(self, server, now, cooldown):
        """Remember that ``server`` moved ``now``; forget expired moves."""
        moved = self.recently_moved(now, cooldown)
        moved[server] = now
        self.write(MOVED, moved)
