"""Write use cases of the students domain, one module per concern."""
