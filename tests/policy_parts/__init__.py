"""Parts of the access policy kept beside the feature they cover (one module per feature).

Each module may define, with the helpers of `tests.access_policy` (only, page, api, ...):

    POLICY = {route: {method: answers}}      # merged into access_policy.POLICY
    ADMIN_MODELS = {"app.model": rights}      # merged into access_policy.ADMIN_MODELS
    PK_OF = {route: world_key}                # which object of the world a <pk> names
    ROUTE_AUDIT = {route: how}                # merged into tests/audit/test_route_completeness

    def world(world, *, investigator, liaison_officer):
        # add this feature's objects to the test's data set (one of each; synthetic)

`tests.access_policy` imports every module here; `tests/test_access_policy.py` calls each
`world` after building its own.
"""
