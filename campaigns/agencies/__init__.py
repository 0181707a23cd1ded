"""The agencies part of campaigns: the tree of agencies and the people in it over time
(`services`), the scoping chokepoint every manager read goes through (`selectors`) and the
learner imports (`imports`). Its models are in `campaigns.models.agencies`."""
