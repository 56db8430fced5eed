"""One run of the real rebalancer daemon against the demo's cloud.

The daemon's own entry point (``nova-lb-rebalancer --once --config-file
F``) runs in this process, as an admin's systemd timer would run it: it
reads its nova-lb.conf, finds the cloud in a clouds.yaml, and talks to
Nova and Placement through openstacksdk only. Its log goes where Nova's
harness captures every log; the demo picks nova-lb's lines out of it.
"""

import json
import os
import re
import signal

from nova_lb.cmd import rebalancer

#: The demo's nova-lb.conf. Polls fast: fake-driver migrations take
#: seconds, not minutes.
CONFIG = """\
[rebalancer]
cloud = demo
automation = %(automation)s
state_dir = %(state_dir)s

[executor]
poll_interval = 0.5
migration_timeout = 120
"""

#: A line of the harness's log: ``date time LEVEL [logger] message``.
_NOVA_LB_LINE = re.compile(
    r'^\S+ \S+ (INFO|WARNING|ERROR|CRITICAL) \[(nova_lb\.[^\]]+)\] (.*)$')


class Result(object):
    """What a run left: its exit code, log lines, plan and summary."""

    def __init__(self, exit_code, log, state_dir):
        self.exit_code = exit_code
        self.log = log
        self.plan = _load(os.path.join(state_dir, 'plan.json'))
        self.summary = _load(os.path.join(state_dir, 'last-run.json')) or {}


def run_once(cloud, workdir, automatic, extra_config=''):
    """``nova-lb-rebalancer --once`` with a config made for ``cloud``,
    plus ``extra_config`` (e.g. ``[metrics]``)."""
    cloud.use_clouds_yaml('demo')
    state_dir = os.path.join(workdir, 'state')
    conf_path = os.path.join(workdir, 'nova-lb.conf')
    with open(conf_path, 'w') as f:
        f.write(CONFIG % {'state_dir': state_dir, 'automation':
                          'automatic' if automatic else 'manual'}
                + extra_config)
    log = cloud.stdlog.logger
    logged_before = len(log.output)
    # The daemon takes SIGINT and SIGTERM over, as a service does; give
    # them back for the rest of the demo.
    signals = {s: signal.getsignal(s) for s in (signal.SIGINT,
                                                signal.SIGTERM)}
    try:
        code = rebalancer.main(['--once', '--config-file', conf_path])
    finally:
        for signum, handler in signals.items():
            signal.signal(signum, handler)
    return Result(code, _nova_lb_lines(log.output[logged_before:]),
                  state_dir)


def _nova_lb_lines(text):
    """nova-lb's own log lines (not Nova's), as ``LEVEL message``."""
    return ['%s %s' % (m.group(1), m.group(3))
            for m in map(_NOVA_LB_LINE.match, text.splitlines()) if m]


def _load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)
