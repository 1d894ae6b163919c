"""splitalloc: a reproducible companion to Lyu et al., "Objective-Driven Differentiable
Optimization of Traffic Prediction and Resource Allocation for Split AI Inference Edge
Networks" (IEEE TMLCN 2024, DOI 10.1109/TMLCN.2024.3449831).

Modules, in the direction data flows:
config -> data / synthetic -> profiles -> network -> problem -> layer -> models
-> frameworks -> evaluate -> experiments -> plots -> cli.
"""

__version__ = "0.1.0"
