"""One module per dashboard; see `beaconport.reports.registry`."""
