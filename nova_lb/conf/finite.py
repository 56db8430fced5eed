"""Float options that refuse ``nan`` and ``inf``.

oslo.config reads ``nan`` and ``inf`` as floats, and its ``min``/``max``
checks let ``nan`` through (every comparison with it is false): a
``vcpu_ceiling = nan`` would silently plan nothing and a ``time_limit =
inf`` never end. Every float option of nova-lb is declared with
:class:`FloatOpt`, so such a value is refused with the option's name, as
any other out-of-range value is.
"""

import math

from oslo_config import cfg
from oslo_config import types


class Float(types.Float):
    """``types.Float`` for finite values only."""

    def __call__(self, value):
        value = super().__call__(value)
        if not math.isfinite(value):
            raise ValueError('%s is not a finite number' % value)
        return value


class FloatOpt(cfg.Opt):
    """``cfg.FloatOpt`` with a finite :class:`Float` type."""

    def __init__(self, name, min=None, max=None, **kwargs):
        super().__init__(name, type=Float(min=min, max=max), **kwargs)
