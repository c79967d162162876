"""GreenCert's command line and the embedded demo's wiring (imports the other packages; nothing imports it)."""
