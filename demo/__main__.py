"""``python -m demo``: see :mod:`demo.run`."""

import logging
import sys
import warnings

# Importing Nova's harness says on stderr that eventlet is deprecated; it
# is what Nova's own functional tests run on, and nothing the admin can act
# on here.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
logging.getLogger('nova.monkey_patch').setLevel(logging.ERROR)

from demo import run  # noqa: E402

# Importing nova.test points the root logger at stdout. While the cloud
# runs, Nova's fixtures capture its logs in memory; before and after
# (e.g. the harness's shutdown messages), they are not for the admin.
logging.getLogger().handlers[:] = [logging.NullHandler()]

sys.exit(run.main())
