"""nova-lb's one-command demo: a real in-process Nova cloud, rebalanced.

``tools/demo`` (or ``python -m demo`` in the test venv) starts Nova's real
API, conductor, scheduler (nova-lb's filter and weigher enabled through
nova.conf settings) and fake-driver computes of different sizes, with the
real Placement, all in one process; boots a skewed load; runs the
rebalancer daemon once through openstacksdk; and shows every host's
utilisation before and after, as a table and as a PNG chart.

The demo lives outside the ``nova_lb`` package because it imports Nova's
functional test harness (tests/functional/base.py), which nova-lb itself
never may.
"""
