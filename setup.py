"""The compiled modules (the rest of the project is in pyproject.toml): the state tree's batch update, linked
against OpenSSL's libcrypto for SHA-256 (``ledger_lite/_smt_native.c``), and the node's CBOR: a block's state
values encoded, the envelopes it admits decoded, its tree's rows keyed (``ledger/_state_codec.c``)."""

from setuptools import Extension, setup

FLAGS = ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]

SHARED = ["ledger_lite/_group_key.h"]  # included by both: a stored group row's key read back

setup(ext_modules=[Extension("ledger_lite._smt_native", ["ledger_lite/_smt_native.c"], libraries=["crypto"],
                             extra_compile_args=FLAGS, depends=SHARED),
                   Extension("ledger._state_codec", ["ledger/_state_codec.c"], extra_compile_args=FLAGS,
                             depends=SHARED)])
