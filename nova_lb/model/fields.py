"""Typed access to JSON bodies that says *where* a body is wrong.

Used by the snapshot loader: every getter takes the JSON path of the object
it reads from, so that a missing key or a wrong type deep inside 100,000
servers is reported as ``compute.servers.servers[3]: missing key 'flavor'``
rather than as a ``KeyError`` without context.
"""

import dataclasses


class Problem(Exception):
    """What is wrong and where, as one line (without the file name)."""


_KINDS = {
    dict: 'an object',
    list: 'a list',
    str: 'a string',
    'number': 'a number',
    bool: 'true or false',
}

_TYPE_NAMES = {dict: 'object', list: 'list', str: 'string', int: 'number',
               float: 'number', bool: 'boolean', type(None): 'null'}


def _is(value, kind):
    if kind == 'number':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)


def check(value, kind, path, nullable=False):
    """``value`` if it is of ``kind`` (or None when ``nullable``)."""
    if (value is None and nullable) or _is(value, kind):
        return value
    raise Problem('%s: expected %s%s, got %s' % (
        path, _KINDS[kind], ' or null' if nullable else '',
        _TYPE_NAMES.get(type(value), type(value).__name__)))


def get(obj, key, kind, path, nullable=False):
    """``obj[key]`` checked to be of ``kind``; ``path`` locates ``obj``."""
    try:
        value = obj[key]
    except KeyError:
        raise Problem('%s: missing key %r' % (path, key))
    if (value is None and nullable) or _is(value, kind):
        return value
    return check(value, kind, '%s.%s' % (path, key), nullable)


def optional(obj, key, kind, path, default=None):
    """``obj[key]`` checked to be of ``kind`` or None, when present."""
    value = obj.get(key, default)
    if value is None or _is(value, kind):
        return value
    return check(value, kind, '%s.%s' % (path, key), True)


def items(obj, key, path):
    """``obj[key]``, a list, with the path of each item."""
    values = get(obj, key, list, path)
    base = '%s.%s' % (path, key)
    return [(value, '%s[%d]' % (base, i)) for i, value in enumerate(values)]


def body(parent, key, path):
    """``parent[key]``, an API body (an object), and its path."""
    return get(parent, key, dict, path), '%s.%s' % (path, key)


def record(cls):
    """A frozen, slotted dataclass: cheap for 100,000 servers."""
    return dataclasses.dataclass(frozen=True, slots=True)(cls)
