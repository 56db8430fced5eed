"""Paste filter standing in for keystonemiddleware's authtoken.

Nova 34 dropped its noauth2 pipeline and Glance's own unauthenticated mode
is refused by its default policies, so both APIs keep their keystone
pipeline with this filter in place of ``authtoken``. It turns an
``X-Auth-Token: user:project`` (Placement's noauth2 token form) into the
headers authtoken would have set. The user ``admin`` gets the admin role
(and, as Keystone's implied roles would, member and reader). Test clouds
only: any token is accepted.
"""

import webob.dec
import webob.exc


class NoAuthFilter(object):

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token')
        if not token:
            return webob.exc.HTTPUnauthorized()
        user_id, _sep, project_id = token.partition(':')
        project_id = project_id or user_id
        roles = 'admin,member,reader' if user_id == 'admin' else \
            'member,reader'
        for header, value in (
                ('X-Identity-Status', 'Confirmed'),
                ('X-Service-Identity-Status', 'Invalid'),
                ('X-User-Id', user_id), ('X-User-Name', user_id),
                ('X-User', user_id),
                ('X-Project-Id', project_id), ('X-Project-Name', project_id),
                ('X-Tenant-Id', project_id), ('X-Tenant', project_id),
                ('X-User-Domain-Id', 'default'),
                ('X-Project-Domain-Id', 'default'),
                ('X-Roles', roles)):
            req.headers[header] = value
        return self.application


def filter_factory(global_conf, **local_conf):
    return NoAuthFilter
