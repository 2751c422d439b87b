"""Campaign report: plots and a static HTML page that reads the store only."""
