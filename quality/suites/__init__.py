"""One module per suite; each turns checks.yaml settings into batches of expectations."""
