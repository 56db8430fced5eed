"""nova-compute with the minicloud fake virt driver.

Nova imports virt drivers only as ``nova.virt.<compute_driver>``. Rather
than writing into Nova's installed package, this launcher registers the
driver module under that name before Nova's own nova-compute main runs,
so ``compute_driver = minicloud_fake.MinicloudFakeDriver`` resolves.
"""

from nova import monkey_patch; monkey_patch.patch(backend='threading')  # noqa

import sys  # noqa: E402

from minicloud_lib import fake_driver  # noqa: E402

sys.modules['nova.virt.minicloud_fake'] = fake_driver

from nova.cmd import compute  # noqa: E402

if __name__ == '__main__':
    sys.exit(compute.main())
