"""Reading the JSON files nova-lb is handed: snapshots, plans, state.

These files come from admins, other tools and earlier runs, so a file may
be anything: ``/dev/zero`` or a FIFO given by mistake (reading it would
grow without limit or block forever), a huge or deeply nested document
(Python's parser recurses), or numbers JSON itself does not allow
(``NaN``, ``Infinity``, ``1e400`` which Python reads as infinity) that
would turn every utilisation into ``nan`` and every plan into nonsense.
Each is refused here with one line naming the file, before anything
plans with it.
"""

import json
import math
import os
import stat

#: Deeper nesting than any nova-lb document has (a snapshot nests about 8
#: levels); far below where Python's recursion would fail.
MAX_DEPTH = 64


class Unreadable(ValueError):
    """The file cannot be used; the message says why, without the path."""


def read(path, limit):
    """The JSON document in the regular file ``path``.

    :param limit: the largest size in bytes accepted.
    :raises OSError: the file cannot be opened or read.
    :raises Unreadable: not a regular file, larger than ``limit``, not
        JSON, nested more than :data:`MAX_DEPTH` levels, or holding a
        number that is not finite.
    """
    # O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, 'rb') as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable('not a regular file')
        if info.st_size > limit:
            raise Unreadable('%d bytes, more than the %d accepted'
                             % (info.st_size, limit))
        data = f.read(limit + 1)
    if len(data) > limit:
        raise Unreadable('grew past the %d bytes accepted while being read'
                         % limit)
    return loads(data)


def loads(data):
    """Parse ``data`` as strict JSON; see :func:`read`."""
    try:
        document = json.loads(data, parse_constant=_not_a_number,
                              parse_float=_finite, parse_int=_integer)
    except RecursionError:
        raise Unreadable('not JSON: nested too deeply')
    except Unreadable:
        raise
    except ValueError as e:
        raise Unreadable('not JSON: %s' % e)
    _check_depth(document)
    return document


def _not_a_number(name):
    raise Unreadable('not JSON: %s is not a number JSON allows' % name)


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise Unreadable('number %s is out of range' % text[:40])
    return value


def _integer(text):
    # Beyond 64 bits no API sends it, and numpy cannot hold it.
    if len(text) > 18 and (len(text) > 20 or abs(int(text)) >= 2 ** 63):
        raise Unreadable('number %s is out of range' % text[:40])
    return int(text)


def _check_depth(document):
    """Refuse nesting deeper than :data:`MAX_DEPTH`, without recursing."""
    level = [document]
    for _depth in range(MAX_DEPTH + 1):
        level = [child for value in level
                 for child in (value.values() if isinstance(value, dict)
                               else value if isinstance(value, list) else ())
                 if isinstance(child, (dict, list))]
        if not level:
            return
    raise Unreadable('nested more than %d levels deep' % MAX_DEPTH)
