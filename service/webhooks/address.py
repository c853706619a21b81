"""The guard against server-side request forgery: a hook may only reach public addresses.

A URL is checked when a hook is created or changed (a 422 that says why) and again before
every attempt, after resolving its name: a name that pointed outside when the hook was made
may point at 127.0.0.1 or 169.254.169.254 later (DNS rebinding). The attempt then connects to
the very address that was checked, not to a second lookup of the name.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """The URL may not be called; `str(exc)` says why, in words for the admin."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name, for the Host header and TLS
    port: int
    address: str  # the checked address to connect to


def _is_private(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def parse(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL; Refused for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"{url!r} is not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise Refused("the URL must start with http:// or https://")
    if not parts.hostname:
        raise Refused("the URL has no host name")
    if parts.username or parts.password:
        raise Refused("put no user name or password in the URL; the signature authenticates")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address it has; Refused when it cannot be
    resolved or any address is private, loopback or link-local (unless allowed)."""
    scheme, host, port = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:  # gaierror, and idna errors of odd names
        raise Refused(f"the host {host!r} cannot be resolved: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"the host {host!r} has no address")
    if not allow_private:
        for ip in addresses:
            if _is_private(ip):
                raise Refused(
                    f"{host} resolves to {ip}, a private, loopback or link-local address; "
                    "webhooks only reach public addresses (HINDSIGHT_WEBHOOKS_ALLOW_PRIVATE"
                    "=true lifts this, for a receiver on your own network)"
                )
    return Target(scheme=scheme, host=host, port=port, address=str(addresses[0]))
