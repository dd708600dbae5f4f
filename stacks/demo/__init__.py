"""The dev demo: what shows the platform at work, composed by ``stacks/dev.py`` only.

* :mod:`.args`: :class:`~.args.DemoArgs` (``eks-platform:demo``), its rules, and the names of
  its AWS values, all derived from the cluster's name;
* :mod:`.workloads`: the demo's IRSA and Pod Identity ServiceAccounts, its SSM parameter and
  Secrets Manager secret synced into a Kubernetes Secret, and the 2048 sample app
  (:mod:`stacks.sample_app`, ``eks-platform:sampleApp``) behind the load-balancer controller.

Nothing is imported here: :mod:`stacks.config` reads :mod:`.args` without loading the
workloads (which build on :mod:`stacks.platform`).
"""
