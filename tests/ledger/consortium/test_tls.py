"""ledger.consortium.tls (the consortium CA, etcd members' and companies' certificates, owner-only files) and
ledger.etcd over TLS against a real 3-member etcd cluster that requires client certificates (issue #12: each
company's node talks to etcd over TLS with its own client certificate; etcd refuses unknown clients)."""

from __future__ import annotations

import datetime
import os
import ssl
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ledger.consortium import tls
from ledger.consortium.tls import CaFiles, TlsError, TlsFiles, issue_client_cert, issue_server_cert, make_ca
from ledger.etcd import EtcdClient, EtcdError, EtcdTlsError, EtcdUnavailable, WatchEvent
from tests.helpers.etcd_cluster import EtcdCluster, etcd_binary, requires_etcd

SKIP = requires_etcd()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def usages(cert: x509.Certificate) -> set[x509.ObjectIdentifier]:
    return set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def common_name(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


@pytest.fixture
def ca(tmp_path: Path) -> CaFiles:
    return make_ca(tmp_path / "tls" / "ca", "GreenCert test CA")


# -- certificates and files (no etcd) -----------------------------------------------------------------------------


def test_the_ca_signs_member_and_company_certificates_with_the_roles_etcd_needs(ca: CaFiles, tmp_path: Path) -> None:
    member = issue_server_cert(ca, tmp_path / "tls" / "members", "m0")
    company = issue_client_cert(ca, tmp_path / "tls" / "clients", "company-a")
    ca_cert = load(ca.cert)
    assert ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert member.ca == company.ca == ca.cert
    server_cert, client_cert = load(member.cert), load(company.cert)
    for cert in (server_cert, client_cert):
        cert.verify_directly_issued_by(ca_cert)
        assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        assert isinstance(cert.public_key().curve, ec.SECP256R1)  # type: ignore[union-attr]
        lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
        assert datetime.timedelta(days=729) < lifetime < datetime.timedelta(days=731)
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # a member presents its certificate to clients and to its peers: both roles; SAN for loopback
    assert common_name(server_cert) == "m0"
    assert usages(server_cert) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    san = server_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    # a company's node: CN = its node id, client only
    assert common_name(client_cert) == "company-a"
    assert usages(client_cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    context = company.ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_every_file_is_owner_only_from_its_creation_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)  # a umask that would leave new files world-readable
    try:
        ca = make_ca(tmp_path / "a" / "b" / "ca", "CA")
        issue_client_cert(ca, tmp_path / "a" / "clients", "company-a")
        issue_server_cert(ca, tmp_path / "a" / "members", "m0")
    finally:
        os.umask(old)
    found = {p.relative_to(tmp_path).as_posix(): mode(p) for p in sorted(tmp_path.rglob("*"))}
    assert found == {
        "a": 0o700, "a/b": 0o700, "a/b/ca": 0o700, "a/b/ca/ca.crt": 0o600, "a/b/ca/ca.key": 0o600,
        "a/clients": 0o700, "a/clients/company-a.crt": 0o600, "a/clients/company-a.key": 0o600,
        "a/members": 0o700, "a/members/m0.crt": 0o600, "a/members/m0.key": 0o600,
    }  # and no temporary file left behind


def test_issuing_again_reuses_the_files_unchanged(ca: CaFiles, tmp_path: Path) -> None:
    first = issue_client_cert(ca, tmp_path / "clients", "company-a")
    before = {p: (p.read_bytes(), os.stat(p).st_ino) for p in (ca.cert, ca.key, first.cert, first.key)}
    assert make_ca(ca.cert.parent, "GreenCert test CA") == ca
    assert issue_client_cert(ca, tmp_path / "clients", "company-a") == first
    assert {p: (p.read_bytes(), os.stat(p).st_ino) for p in before} == before


def test_a_key_left_without_its_certificate_is_certified_not_replaced(ca: CaFiles, tmp_path: Path) -> None:
    files = issue_client_cert(ca, tmp_path / "clients", "company-a")
    key = files.key.read_bytes()
    files.cert.unlink()  # as if a crash came between writing the key and the certificate
    again = issue_client_cert(ca, tmp_path / "clients", "company-a")
    assert again.key.read_bytes() == key and again.cert.exists() and mode(again.cert) == 0o600


def test_a_certificate_without_its_key_is_an_error(ca: CaFiles, tmp_path: Path) -> None:
    files = issue_client_cert(ca, tmp_path / "clients", "company-a")
    files.key.unlink()
    with pytest.raises(TlsError, match=r"company-a\.crt exists but its key .*company-a\.key does not"):
        issue_client_cert(ca, tmp_path / "clients", "company-a")


def test_files_readable_by_others_are_refused(ca: CaFiles, tmp_path: Path) -> None:
    files = issue_client_cert(ca, tmp_path / "clients", "company-a")
    files.key.chmod(0o640)
    with pytest.raises(TlsError, match=r"company-a\.key: expected owner-only permissions \(0600\), found 0640"):
        issue_client_cert(ca, tmp_path / "clients", "company-a")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    with pytest.raises(TlsError, match=r"shared: expected owner-only permissions \(0700\), found 0755"):
        issue_client_cert(ca, shared, "company-b")
    assert list(shared.iterdir()) == []


def test_files_that_are_not_what_would_be_issued_are_refused(ca: CaFiles, tmp_path: Path) -> None:
    other_ca = make_ca(tmp_path / "other-ca", "Another CA")
    foreign = issue_client_cert(other_ca, tmp_path / "clients", "company-a")
    with pytest.raises(TlsError, match="expected a certificate signed by the CA CN=GreenCert test CA, found one "
                                       "issued by CN=Another CA"):
        issue_client_cert(ca, tmp_path / "clients", "company-a")
    assert foreign.cert.exists()  # left as it was
    with pytest.raises(TlsError, match="expected common name 'Renamed CA', found"):
        make_ca(ca.cert.parent, "Renamed CA")
    issue_server_cert(ca, tmp_path / "members", "m0")
    with pytest.raises(TlsError, match=r"expected extended key usage \['clientAuth'\], found \['clientAuth', "
                                       r"'serverAuth'\]"):
        issue_client_cert(ca, tmp_path / "members", "m0")
    with pytest.raises(TlsError, match=r"expected subject alternative names \['10.0.0.7'\]"):
        issue_server_cert(ca, tmp_path / "members", "m0", hosts=["10.0.0.7"])
    for bad in ("../escape", "", ".hidden", "a b"):
        with pytest.raises(TlsError, match="expected a certificate name of letters"):
            issue_client_cert(ca, tmp_path / "clients", bad)


def test_an_expired_certificate_is_not_reused(ca: CaFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue_client_cert(ca, tmp_path / "clients", "company-a")
    later = tls._now() + datetime.timedelta(days=3 * 365)
    monkeypatch.setattr(tls, "_now", lambda: later)
    with pytest.raises(TlsError, match=r"company-a\.crt: expected a certificate valid now .* found one valid from"):
        issue_client_cert(ca, tmp_path / "clients", "company-a")


def test_unusable_files_are_a_tls_error_when_a_client_loads_them(ca: CaFiles, tmp_path: Path) -> None:
    files = issue_client_cert(ca, tmp_path / "clients", "company-a")
    with pytest.raises(TlsError, match=r"expected a PEM CA certificate in .*missing\.crt"):
        TlsFiles(tmp_path / "missing.crt", files.cert, files.key).ssl_context()
    with pytest.raises(TlsError, match=r"expected a PEM certificate .*ca\.key and its private key"):
        TlsFiles(files.ca, ca.key, files.key).ssl_context()
    with pytest.raises(TlsError), EtcdClient(["https://127.0.0.1:9"], tls=TlsFiles(files.ca, files.key, files.key)):
        pass


def test_an_etcd_client_refuses_endpoints_of_the_wrong_scheme(ca: CaFiles, tmp_path: Path) -> None:
    files = issue_client_cert(ca, tmp_path / "clients", "company-a")
    with pytest.raises(ValueError, match=r"expected https:// endpoints with tls, found \['http://127.0.0.1:9'\]"):
        EtcdClient(["https://127.0.0.1:8", "http://127.0.0.1:9"], tls=files)
    with pytest.raises(ValueError, match="expected http:// endpoints without tls"):
        EtcdClient(["https://127.0.0.1:9"])


# -- against etcd -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_cluster() -> Iterator[EtcdCluster]:
    if etcd_binary() is None:
        pytest.skip("etcd is not installed")
    with EtcdCluster(3, tls=True, token="greencert-tls-test") as cluster:
        yield cluster


@pytest.fixture
def company(tls_cluster: EtcdCluster) -> Iterator[EtcdClient]:
    with EtcdClient(tls_cluster.client_urls, tls=tls_cluster.client_tls("company-a")) as client:
        yield client


class NoClientCert(TlsFiles):
    """Trusts the cluster's CA but presents no certificate."""

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca)


def _collect(watch: Iterator[WatchEvent], into: list[WatchEvent], done: threading.Event) -> None:
    try:
        into.extend(watch)
    finally:
        done.set()


@pytest.mark.etcd
@SKIP
def test_members_serve_and_peer_over_tls(tls_cluster: EtcdCluster, company: EtcdClient) -> None:
    assert all(url.startswith("https://127.0.0.1:") for url in tls_cluster.client_urls)
    assert tls_cluster.leader() is not None
    with httpx.Client(verify=tls_cluster.client_tls("company-a").ssl_context()) as http:
        members = http.post(f"{tls_cluster.client_urls[0]}/v3/cluster/member/list", json={}).json()["members"]
    assert len(members) == 3
    assert all(url.startswith("https://") for m in members for url in m["peerURLs"] + m["clientURLs"])


@pytest.mark.etcd
@SKIP
def test_a_company_with_its_certificate_puts_gets_creates_and_watches(company: EtcdClient) -> None:
    start = company.put(b"/tls/ok/a", b"1")
    kv = company.get(b"/tls/ok/a")
    assert kv is not None and kv.value == b"1" and kv.create_revision == start
    assert company.create(b"/tls/ok/once", b"first").succeeded
    lost = company.create(b"/tls/ok/once", b"second")
    assert not lost.succeeded and lost.current is not None and lost.current.value == b"first"
    events: list[WatchEvent] = []
    done = threading.Event()
    with company.watch(b"/tls/ok/w/", prefix=True) as watch:
        threading.Thread(target=_collect, args=(watch, events, done), daemon=True).start()
        assert watch.created.wait(5)
        for i in range(3):
            company.put(f"/tls/ok/w/{i}".encode(), str(i).encode())
        deadline = time.monotonic() + 5
        while len(events) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        watch.stop()  # shuts the TLS stream's socket down from this thread
        assert done.wait(2), "stop() did not end the iteration"
    assert [(e.kv.key, e.kv.value) for e in events] == [(f"/tls/ok/w/{i}".encode(), str(i).encode())
                                                         for i in range(3)]


@pytest.mark.etcd
@SKIP
def test_a_client_without_a_certificate_is_refused_and_writes_nothing(tls_cluster: EtcdCluster,
                                                                      company: EtcdClient) -> None:
    assert tls_cluster.ca is not None
    anonymous = NoClientCert(tls_cluster.ca.cert, tls_cluster.ca.cert, tls_cluster.ca.key)
    began = time.monotonic()
    with EtcdClient(tls_cluster.client_urls, tls=anonymous, retry_for=60) as client, \
            pytest.raises(EtcdTlsError) as refused:
        client.put(b"/tls/anonymous", b"x")
    # Not retried for retry_for (no member will accept it): it gave up long before cycling that long.
    assert time.monotonic() - began < client.retry_for / 2
    assert refused.value.code == "etcd_tls"
    assert "POST /v3/kv/put: every etcd endpoint refused the TLS handshake" in refused.value.message
    assert refused.value.message.count("etcd refused this client's certificate") == 3
    with EtcdClient(tls_cluster.client_urls, tls=anonymous) as client, pytest.raises(EtcdTlsError):
        client.get(b"/tls/ok/a")  # reads are refused too
    with EtcdClient(tls_cluster.client_urls, tls=anonymous) as client, client.watch(b"/tls/") as watch, \
            pytest.raises(EtcdTlsError, match=r"^watch on .*/tls/.*: every etcd endpoint refused the TLS handshake"):
        next(iter(watch))
    assert company.get(b"/tls/anonymous") is None


@pytest.mark.etcd
@SKIP
def test_a_certificate_of_another_ca_is_refused(tls_cluster: EtcdCluster, company: EtcdClient,
                                                tmp_path: Path) -> None:
    assert tls_cluster.ca is not None
    other_ca = make_ca(tmp_path / "other-ca", "Not the consortium")
    foreign = issue_client_cert(other_ca, tmp_path / "clients", "company-a")  # even with a member's name
    posing = TlsFiles(ca=tls_cluster.ca.cert, cert=foreign.cert, key=foreign.key)
    with EtcdClient(tls_cluster.client_urls, tls=posing) as client, \
            pytest.raises(EtcdTlsError, match="etcd refused this client's certificate"):
        client.put(b"/tls/foreign", b"x")
    assert company.get(b"/tls/foreign") is None
    # and a client that trusts another CA does not talk to the consortium's members either
    with EtcdClient(tls_cluster.client_urls, tls=foreign) as client, \
            pytest.raises(EtcdTlsError, match="the server's certificate is not one of the trusted CA"):
        client.put(b"/tls/foreign", b"x")
    assert company.get(b"/tls/foreign") is None


@pytest.mark.etcd
@SKIP
def test_plain_http_to_a_tls_member_fails(tls_cluster: EtcdCluster, company: EtcdClient) -> None:
    plain = [url.replace("https://", "http://") for url in tls_cluster.client_urls]
    with EtcdClient(plain, retry_for=0.3) as client, pytest.raises(EtcdUnavailable) as failed:
        client.put(b"/tls/plain", b"x")
    assert isinstance(failed.value, EtcdError) and all(url in failed.value.message for url in plain)
    assert company.get(b"/tls/plain") is None


@pytest.mark.etcd
@SKIP
def test_the_clusters_files_are_owner_only_and_issued_once(tls_cluster: EtcdCluster) -> None:
    first = tls_cluster.client_tls("company-b")
    contents = {p: p.read_bytes() for p in (first.cert, first.key)}
    assert tls_cluster.client_tls("company-b") == first
    assert {p: p.read_bytes() for p in contents} == contents
    paths = [tls_cluster.tls_dir, *tls_cluster.tls_dir.rglob("*")]
    assert {p.name for p in paths if p.is_file()} >= {"ca.crt", "ca.key", "m0.crt", "m0.key", "company-b.key"}
    for path in paths:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_only_a_refused_certificate_ends_the_retries_at_once() -> None:
    """A member going away mid-handshake (an EOF) is an ordinary failure the client retries elsewhere; a refused
    certificate is not."""
    from ledger.etcd import _all_tls_refused, _failure

    def wrapped(cause: BaseException) -> httpx.ConnectError:
        error = httpx.ConnectError("wrapped")
        error.__cause__ = cause
        return error

    eof = _failure("https://a", wrapped(ssl.SSLEOFError(8, "EOF occurred in violation of protocol")))
    assert eof.startswith("https://a: ConnectError") and not _all_tls_refused([eof])
    untrusted = _failure("https://b", wrapped(ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED]")))
    assert "the server's certificate is not one of the trusted CA" in untrusted
    assert _all_tls_refused([untrusted]) and not _all_tls_refused([untrusted, eof]) and not _all_tls_refused([])
