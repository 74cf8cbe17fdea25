"""Every write to the cases domain. Import from the submodule (cases.services.workflow ...).

Services are keyword-only, atomic, validated and the only way case data changes; each
recomputes eligibility and priority when it changes one of their inputs.
"""
