"""The API's resources, one module each; importing a module registers its operations.

A new resource is a module here and a name in ``RESOURCES`` (docs/extending.md,
"Adding an API resource").
"""

import importlib

RESOURCES = ("rulebooks", "valuations", "contracts", "claims", "contacts", "stages", "candidates")

for _name in RESOURCES:
    importlib.import_module(f"{__name__}.{_name}")
