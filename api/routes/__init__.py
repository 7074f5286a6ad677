"""HTTP routes, one module per audience."""
