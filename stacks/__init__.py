"""Per-environment composition of the components; `__main__.py` picks one by stack name.

* :mod:`.config`: the table of every ``eks-platform:*`` key (:data:`~.config.SECTIONS`), read
  and checked up front by :func:`~.config.load`; :mod:`.section`: what an entry is;
* :mod:`.platform`: what every environment runs (network, cluster, the add-ons of the table);
* :mod:`.dev`, :mod:`.staging`, :mod:`.prod`: the compositions;
* :mod:`.demo`: the dev demo (its settings and workloads); :mod:`.sample_app`: ``SampleApp``,
  the 2048 game behind an ALB that dev deploys.
"""

ENVIRONMENTS = ("dev", "staging", "prod")
"""The environment modules in this package; a stack runs one of them."""
