"""The cockpit stage of an insights run (placeholder until the aggregation lands)."""
