"""Reading a final block from the other validators' nodes, for catch-up once etcd no longer holds a block's
transactions.

Nothing a peer sends is trusted: the header must carry a quorum of the validator set in force for that height
(``ledger_lite.verify_commit``) and the transactions must hash to the header's transaction root. The block's
transactions are a validator-signed read (``GET /v1/blocks/{h}/txs`` with ``ledger_lite.request_auth`` headers):
they expose participants' data, which only registered validators may read in bulk.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import httpx

from ledger.consortium.order import OrderingError
from ledger_lite import BlockHeader, CommitError, EncodingError, PublicKey, SigningKey, merkle_root, verify_commit
from ledger_lite.block import Commit
from ledger_lite.request_auth import sign_request

TIMEOUT_S = 5.0


class PeerBlocks:
    def __init__(self, urls: Sequence[str], key: SigningKey, chain_id: str) -> None:
        self.urls = [u.rstrip("/") for u in urls]
        self.key = key
        self.chain_id = chain_id
        self._http: httpx.Client | None = None

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _get(self, url: str, path: str, *, signed: bool = False) -> Any:
        if self._http is None:
            self._http = httpx.Client(timeout=TIMEOUT_S)
        headers = sign_request(self.key, method="GET", path=path, query=[], chain_id=self.chain_id,
                               now=int(time.time())) if signed else {}
        answer = self._http.get(url + path, headers=headers)
        if answer.status_code != 200:
            raise OrderingError(f"GET {url}{path}: expected 200, found HTTP {answer.status_code} {answer.text[:200]}")
        return answer.json()

    def block(self, height: int, validators: Sequence[PublicKey]) -> tuple[BlockHeader, Commit, list[bytes]]:
        """Block ``height`` (header, commit, transactions) from the first peer that serves it correctly."""
        if not self.urls:
            raise OrderingError(f"block {height}: its transactions are no longer in etcd and this node knows no "
                                f"peers to read it from (configure the other validators' URLs)")
        failures: list[str] = []
        for url in self.urls:
            try:
                found = self._get(url, f"/v1/blocks/{height}")
                header = BlockHeader.from_json(found["header"])
                commit = Commit.from_json(found["commit"])
                if header.height != height or header.chain != self.chain_id:
                    raise OrderingError(f"expected chain {self.chain_id!r} block {height}, found chain "
                                        f"{header.chain!r} block {header.height}")
                verify_commit(header, commit, validators)
                listed = self._get(url, f"/v1/blocks/{height}/txs", signed=True)
                raws = [bytes.fromhex(t) for t in listed["txs"]]
                if merkle_root(raws) != header.tx_root:
                    raise OrderingError(f"its {len(raws)} transactions do not hash to the header's transaction "
                                        f"root {header.tx_root.hex()}")
                return header, commit, raws
            except (OrderingError, CommitError, EncodingError) as e:
                failures.append(f"{url}: {e}")
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
                failures.append(f"{url}: {type(e).__name__} {e}")
        raise OrderingError(f"block {height}: no peer served it with a valid quorum ({'; '.join(failures)})")


__all__ = ["PeerBlocks"]
