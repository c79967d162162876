"""Seed 003's devices: the storage battery 300 and its management server 350, the houses 100 with their
controllers 101, PV 102 and power meters 103, the grid between them, and a neighbourhood that runs them all
against a ledger node (the transactions are the contract ``ledger_lite.trading``)."""

from field.trading.battery import Battery, BatterySpec
from field.trading.controller import Draft, HomeController, Purchase, Sale
from field.trading.errors import BadInput, BatteryError, LedgerRefused, TradingError, UnknownRecord
from field.trading.grid import Export, Grid
from field.trading.homes import HomeSite, demo_homes, load_series, pv_series
from field.trading.neighbourhood import (
    BATTERY_ID,
    DEFAULT_SPEC,
    Neighbourhood,
    NeighbourhoodReport,
    SlotReport,
    genesis_entries,
    home_keys_for,
    run_neighbourhood,
)
from field.trading.storage_client import StorageClient
from field.trading.storage_server import Delivery, Reception, StorageServer

__all__ = [
    "BATTERY_ID", "DEFAULT_SPEC", "BadInput", "Battery", "BatteryError", "BatterySpec", "Delivery", "Draft",
    "Export", "Grid", "HomeController", "HomeSite", "LedgerRefused", "Neighbourhood", "NeighbourhoodReport",
    "Purchase", "Reception", "Sale", "SlotReport", "StorageClient", "StorageServer", "TradingError",
    "UnknownRecord", "demo_homes", "genesis_entries", "home_keys_for", "load_series", "pv_series",
    "run_neighbourhood",
]
