"""Independent oracles the tests judge the library with: a trust-policy evaluator, IAM validity,
chart value keys, CRD schemas, upstream documents."""
