"""e-MES: the monitoring of the 245 ESAs — indicator catalogue, frameworks and rounds, pre-filled ESA
reports, data quality and the review workflow. Report once: every value the platform holds is
pre-filled with its provenance; the ESA adds only what the platform cannot know."""
