"""TLS between the companies' nodes and the consortium's etcd cluster (issue #12: each node talks to etcd over TLS
with its own client certificate; etcd refuses unknown clients).

One consortium CA signs two kinds of certificates, all ECDSA P-256 (which Go's TLS, hence etcd 3.4, and OpenSSL
both accept):

* an etcd member's (:func:`issue_server_cert`): serverAuth *and* clientAuth, because a member presents it both to
  clients and to its peers, and etcd 3.4's JSON gateway dials the member's own gRPC server with it; its SAN lists
  the hosts clients connect to (``127.0.0.1`` and ``localhost`` by default);
* a company's node's (:func:`issue_client_cert`): clientAuth only, CN = the company's node id.

etcd started with ``--client-cert-auth --trusted-ca-file`` then completes a TLS handshake only with a client that
presents a certificate of that CA.

Files. ``make_ca(dir)`` writes ``dir/ca.crt`` and ``dir/ca.key``; ``issue_*(ca, dir, name)`` writes
``dir/<name>.crt`` and ``dir/<name>.key`` (PEM; keys PKCS#8, unencrypted). Every directory created is 0700 and
every file 0600 from its creation (``os.open(..., 0o600)``: no moment when another user could read a key), written
under a temporary name and linked into place, so a crash never leaves half a file and an existing file is never
replaced. Issuing again *reuses* complete files after checking them (key matches certificate, signed by this CA,
same name and role, not expired, owner-only), so ``greencert consortium up`` can restart; a key left without its
certificate (a crash between the two) is reused and certified; a certificate without its key is an error.

    Error
    └── TlsError    a certificate, key or directory is not what was expected (the message says what was found)
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import ssl
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ledger.errors import Error, shown
from ledger.private_file import write_private

CA_VALID_DAYS = 5 * 365
CERT_VALID_DAYS = 2 * 365
CLOCK_SKEW = datetime.timedelta(minutes=5)  # certificates are valid from a little before now
DEFAULT_HOSTS = ("127.0.0.1", "localhost")
CA_CERT_NAME = "ca.crt"
CA_KEY_NAME = "ca.key"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # a node id or member name: also a file name


class TlsError(Error):
    code = "tls_error"
    status = 500


@dataclass(frozen=True)
class CaFiles:
    """The consortium CA: its certificate and private key."""

    cert: Path
    key: Path

    def load(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """The CA's certificate and key, checked: owner-only files, a CA certificate, the key matching it."""
        cert = _load_cert(self.cert)
        key = _load_key(self.key)
        _check_pair(cert, key, self.cert, self.key)
        constraints = _extension(cert, x509.BasicConstraints)
        if constraints is None or not constraints.ca:
            raise TlsError(f"{self.cert}: expected a CA certificate (basicConstraints CA:TRUE), found "
                           f"{'CA:FALSE' if constraints is not None else 'no basicConstraints'}")
        return cert, key


@dataclass(frozen=True)
class TlsFiles:
    """What one TLS party needs: the CA certificate it trusts, its own certificate and its private key."""

    ca: Path
    cert: Path
    key: Path

    def ssl_context(self) -> ssl.SSLContext:
        """A client context for httpx (``verify=``): trusts only :attr:`ca` (hostname checked against the
        server certificate's SAN) and presents :attr:`cert` with :attr:`key`."""
        context = _trusting(self.ca)
        try:
            context.load_cert_chain(certfile=self.cert, keyfile=self.key)
        except (OSError, ssl.SSLError) as e:
            raise TlsError(f"expected a PEM certificate {self.cert} and its private key {self.key}, could not load "
                           f"them: {e}") from None
        return context


def etcd_member_flags(member: TlsFiles) -> list[str]:
    """The command-line flags of an etcd 3.4 member serving TLS with ``member`` (from :func:`issue_server_cert`)
    on its client and peer URLs, and accepting only clients and peers with a certificate of ``member.ca``. Its
    URLs (``--listen-client-urls`` etc.) must then be ``https://``."""
    ca, cert, key = str(member.ca), str(member.cert), str(member.key)
    return [
        "--client-cert-auth", "--trusted-ca-file", ca, "--cert-file", cert, "--key-file", key,
        "--peer-client-cert-auth", "--peer-trusted-ca-file", ca, "--peer-cert-file", cert, "--peer-key-file", key,
    ]


def _trusting(ca: Path) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=ca)
    except (OSError, ssl.SSLError) as e:
        raise TlsError(f"expected a PEM CA certificate in {ca}, could not load it: {e}") from None


# -- issuing ------------------------------------------------------------------------------------------------------


def make_ca(dir: Path, name: str, *, valid_days: int = CA_VALID_DAYS) -> CaFiles:
    """The consortium CA in ``dir`` (``ca.crt``, ``ca.key``), created unless complete files are already there (they
    are then checked and reused; one whose CN is not ``name`` is an error)."""
    if not name.strip():
        raise TlsError("a CA needs a name, found an empty one")
    _owner_only_dir(dir)
    files = CaFiles(cert=dir / CA_CERT_NAME, key=dir / CA_KEY_NAME)
    if _exists(files.cert):
        cert, _ = files.load()
        _check_cn(cert, name, files.cert)
        _check_current(cert, files.cert)
        return files
    key = _existing_or_new_key(files.key)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = _now()
    public = key.public_key()
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + datetime.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
    _write_new(files.cert, cert.public_bytes(serialization.Encoding.PEM))
    return files


def issue_server_cert(ca: CaFiles, dir: Path, name: str, hosts: Sequence[str] = DEFAULT_HOSTS, *,
                      valid_days: int = CERT_VALID_DAYS) -> TlsFiles:
    """An etcd member's certificate (CN ``name``; SAN: ``hosts``, IP addresses or DNS names; serverAuth and
    clientAuth) in ``dir/<name>.crt`` and ``dir/<name>.key``, or the complete files already there."""
    if not hosts:
        raise TlsError(f"server certificate {name!r}: expected at least one host for its SAN, found none")
    sans = [_san(host) for host in hosts]
    return _issue(ca, dir, name, [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH], sans,
                  valid_days)


def issue_client_cert(ca: CaFiles, dir: Path, company: str, *, valid_days: int = CERT_VALID_DAYS) -> TlsFiles:
    """A company's node's client certificate (CN ``company``, clientAuth) in ``dir/<company>.crt`` and
    ``dir/<company>.key``, or the complete files already there."""
    return _issue(ca, dir, company, [ExtendedKeyUsageOID.CLIENT_AUTH], [], valid_days)


def _issue(ca: CaFiles, dir: Path, name: str, usages: list[x509.ObjectIdentifier], sans: list[x509.GeneralName],
           valid_days: int) -> TlsFiles:
    if not _NAME.fullmatch(name):
        raise TlsError(f"expected a certificate name of letters, digits, '.', '_' or '-' (at most 64, not starting "
                       f"with a punctuation mark), found {shown(name)}")
    ca_cert, ca_key = ca.load()
    _owner_only_dir(dir)
    files = TlsFiles(ca=ca.cert, cert=dir / f"{name}.crt", key=dir / f"{name}.key")
    if _exists(files.cert):
        _check_issued(files, ca_cert, name, usages, sans)
        return files
    key = _existing_or_new_key(files.key)
    now = _now()
    not_after = min(now + datetime.timedelta(days=valid_days), ca_cert.not_valid_after_utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(ca_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - CLOCK_SKEW).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(_key_usage(cert_sign=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    _write_new(files.cert, cert.public_bytes(serialization.Encoding.PEM))
    return files


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not cert_sign, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         encipher_only=False, decipher_only=False)


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", host):
        raise TlsError(f"expected a host (an IP address or a DNS name) for a SAN, found {shown(host)}")
    return x509.DNSName(host)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


# -- checking what is there ---------------------------------------------------------------------------------------


def _check_issued(files: TlsFiles, ca_cert: x509.Certificate, name: str, usages: list[x509.ObjectIdentifier],
                  sans: list[x509.GeneralName]) -> None:
    """Complete files found where a certificate is to be issued: reuse them only if they are what would be
    issued (same CA, name, role and hosts; key matching; not expired)."""
    cert = _load_cert(files.cert)
    if not _exists(files.key):
        raise TlsError(f"{files.cert} exists but its key {files.key} does not: expected both (remove the "
                       f"certificate to issue a new pair)")
    key = _load_key(files.key)
    _check_pair(cert, key, files.cert, files.key)
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        raise TlsError(f"{files.cert}: expected a certificate signed by the CA {ca_cert.subject.rfc4514_string()}, "
                       f"found one issued by {cert.issuer.rfc4514_string()} that this CA did not sign") from None
    _check_cn(cert, name, files.cert)
    _check_current(cert, files.cert)
    eku = _extension(cert, x509.ExtendedKeyUsage)
    found_usages = sorted(_usage_name(u) for u in eku) if eku is not None else []
    expected_usages = sorted(_usage_name(u) for u in usages)
    if found_usages != expected_usages:
        raise TlsError(f"{files.cert}: expected extended key usage {expected_usages}, found {found_usages}")
    san = _extension(cert, x509.SubjectAlternativeName)
    found_sans = sorted(str(g.value) for g in san) if san is not None else []
    if found_sans != sorted(str(g.value) for g in sans):
        raise TlsError(f"{files.cert}: expected subject alternative names {sorted(str(g.value) for g in sans)}, "
                       f"found {found_sans}")


def _usage_name(usage: x509.ObjectIdentifier) -> str:
    return {ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth", ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth"}.get(
        usage, usage.dotted_string)


def _check_pair(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey, cert_path: Path, key_path: Path) -> None:
    if cert.public_key() != key.public_key():
        raise TlsError(f"expected the key {key_path} to be the one certified by {cert_path}, found another key")


def _check_cn(cert: x509.Certificate, name: str, path: Path) -> None:
    found = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if found != [name]:
        raise TlsError(f"{path}: expected common name {name!r}, found {found or 'none'}")


def _check_current(cert: x509.Certificate, path: Path) -> None:
    now = _now()
    if not cert.not_valid_before_utc - CLOCK_SKEW <= now <= cert.not_valid_after_utc:
        raise TlsError(f"{path}: expected a certificate valid now ({now.isoformat()}), found one valid from "
                       f"{cert.not_valid_before_utc.isoformat()} to {cert.not_valid_after_utc.isoformat()} (remove "
                       f"it and its key to issue a new pair)")


_Extension = TypeVar("_Extension", bound=x509.ExtensionType)


def _extension(cert: x509.Certificate, kind: type[_Extension]) -> _Extension | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _load_cert(path: Path) -> x509.Certificate:
    data = _read_owner_only(path)
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as e:
        raise TlsError(f"{path}: expected a PEM certificate, found something else ({e})") from None


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    data = _read_owner_only(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise TlsError(f"{path}: expected an unencrypted PEM private key, found something else ({e})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise TlsError(f"{path}: expected an ECDSA P-256 key, found {type(key).__name__}"
                       f"{f' on {key.curve.name}' if isinstance(key, ec.EllipticCurvePrivateKey) else ''}")
    return key


def _existing_or_new_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The key at ``path`` when one is there (a crash left it without its certificate), else a new one written
    owner-only. An existing key is never replaced."""
    if _exists(path):
        return _load_key(path)
    key = ec.generate_private_key(ec.SECP256R1())
    _write_new(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return key


# -- owner-only files ---------------------------------------------------------------------------------------------


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _owner_only_dir(path: Path) -> None:
    """``path`` as a directory only its owner can enter: created 0700 (with any missing parents), or an existing
    one checked (owned by us, no access for group or others)."""
    missing: list[Path] = []
    at = path
    while not _exists(at):
        missing.append(at)
        at = at.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another process: checked below
            continue
        os.chmod(directory, 0o700)  # exactly 0700 whatever the umask
    try:
        info = os.lstat(path)
    except OSError as e:
        raise TlsError(f"expected a directory at {path}, found none ({e})") from None
    if not stat.S_ISDIR(info.st_mode):
        raise TlsError(f"expected a directory at {path}, found {_kind(info.st_mode)}")
    _check_owner_only(path, info, 0o700)


def _read_owner_only(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise TlsError(f"expected a readable file at {path}, found {'a symbolic link' if os.path.islink(path) else e}"
                       ) from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise TlsError(f"expected a regular file at {path}, found {_kind(info.st_mode)}")
        _check_owner_only(path, info, 0o600)
        return f.read()


def _check_owner_only(path: Path, info: os.stat_result, expected: int) -> None:
    if info.st_uid != os.geteuid():
        raise TlsError(f"{path}: expected to be owned by uid {os.geteuid()}, found uid {info.st_uid}")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise TlsError(f"{path}: expected owner-only permissions ({expected:04o}), found {mode:04o} (group or others "
                       f"may read it)")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "a special file"


def _write_new(path: Path, data: bytes) -> None:
    """Write ``path`` (``ledger.private_file``); a file already at ``path`` is never replaced."""
    try:
        write_private(path, data)
    except FileExistsError:
        raise TlsError(f"{path}: expected to create it, found that another process just did (not replaced)"
                       ) from None
