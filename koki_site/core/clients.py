"""Who a client is, for rate limits and lockouts: one key per connection a person controls.

An IPv4 address is one client. An IPv6 /64 is one too: a home or an office gets a whole /64 and
its devices pick addresses in it at will, so counting each full address would give anyone an
unlimited supply. An IPv4-mapped IPv6 address (::ffff:192.0.2.1, from a dual-stack socket) is its
IPv4 address.
"""

from ipaddress import IPv6Address, IPv6Network, ip_address

from flask import request

IPV6_CLIENT_PREFIX = 64


def client_key(address=None):
    """The key of the client at address (by default the request's): an IPv4 address or an IPv6 /64."""
    address = request.remote_addr if address is None else address
    try:
        parsed = ip_address(address or "")
    except ValueError:
        return address or ""  # a Unix socket or a test client: kept as given
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(IPv6Network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(parsed)
