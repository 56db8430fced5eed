"""``[metrics]`` read once per run: how to reach Prometheus and what to ask.

The options are declared in :mod:`nova_lb.conf.metrics`; this turns them
into a checked :class:`Settings` holding the built
:class:`~nova_lb.metrics.queries.Queries` and a way to make the client.
"""

import dataclasses

from oslo_config import cfg

from nova_lb import exception
from nova_lb.metrics import prometheus
from nova_lb.metrics import queries


@dataclasses.dataclass(frozen=True)
class Settings:
    """``[metrics]`` read once per run."""

    url: str
    timeout: float
    verify: object
    auth: tuple
    token: str
    queries: queries.Queries
    #: balance allocations when measured load is unavailable
    fallback: bool

    def client(self):
        return prometheus.Client(self.url, self.timeout, verify=self.verify,
                                 auth=self.auth, token=self.token)


def load(conf):
    """``[metrics]`` as :class:`Settings`, or None without a URL.

    :raises nova_lb.exception.InvalidConfig: naming the option.
    """
    group = conf.metrics
    try:
        url = group.prometheus_url
        if not url:
            return None
        if group.username and group.bearer_token:
            raise exception.InvalidConfig(
                '[metrics] set username/password or bearer_token, not both')
        built = queries.build(
            group.source, server_label=group.server_label,
            cpu=group.cpu_query, cpu_unit=group.cpu_unit,
            memory=group.memory_query, memory_unit=group.memory_unit,
            window=group.window, rate_interval=group.rate_interval,
            step=group.step, statistic=group.statistic)
    except (cfg.ConfigFileValueError, ValueError) as e:
        raise exception.InvalidConfig('[metrics] %s' % e)
    return Settings(
        url=url, timeout=group.timeout,
        verify=False if group.insecure else (group.ca_file or True),
        auth=((group.username, group.password or '')
              if group.username else None),
        token=group.bearer_token, queries=built,
        fallback=group.on_failure == 'allocations')


def for_run(conf):
    """What a run or ``nova-lb snapshot``/``plan`` reads Prometheus with.

    :returns: :class:`Settings`, or None when ``[metrics]`` is not
        configured and ``[solver] balance`` does not need it.
    :raises nova_lb.exception.InvalidConfig: ``balance = measured``
        without ``prometheus_url``.
    """
    settings = load(conf)
    if settings is None and conf.solver.balance == 'measured':
        raise exception.InvalidConfig(
            '[solver] balance = measured needs [metrics] prometheus_url')
    return settings
