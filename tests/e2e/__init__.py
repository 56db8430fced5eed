"""End-to-end and fault tests on a running multi-process minicloud.

They need a cloud started by ``tools/minicloud start`` (``tools/run-e2e``
starts one, runs them and stops it), so the default ``stestr run`` of
``tools/run-tests`` does not collect them: this package adds its tests only
when ``NOVA_LB_E2E=1``. With it set and no cloud running, every test fails
with one line saying so (they never skip).
"""

import os

E2E_ENV = 'NOVA_LB_E2E'


def load_tests(loader, standard_tests, pattern):
    if os.environ.get(E2E_ENV) != '1':
        return standard_tests
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    standard_tests.addTests(loader.discover(
        start_dir=here, pattern=pattern or 'test*.py', top_level_dir=top))
    return standard_tests
