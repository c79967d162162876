"""The one compiled module (the rest of the project is in pyproject.toml): the state tree's batch update,
linked against OpenSSL's libcrypto for SHA-256 (``ledger_lite/_smt_native.c``)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("ledger_lite._smt_native", ["ledger_lite/_smt_native.c"], libraries=["crypto"],
                             extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"])])
