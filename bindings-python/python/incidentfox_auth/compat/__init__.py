"""Drop-in replacements for the auth functions of the IncidentFox Python services.

Each module keeps the names, parameters, return shapes and exception types of one service's
functions, and each function is a thin call into this package: the decisions are the core's, and
these modules only convert types and map the core's errors onto the exceptions the services
raise. Where a service's behaviour was a defect the package fixes, the function follows the
package; ``docs/migrating.md`` lists every such difference, with the error code that replaces it.

- :mod:`incidentfox_auth.compat.config_service`: ``core/security.py``, ``core/impersonation.py``,
  ``core/admin_rbac.py``, ``core/oidc.py``, ``db/repository.py`` (SQLAlchemy; install
  ``incidentfox-auth[compat]``) and ``api/auth.py`` (FastAPI).
- :mod:`incidentfox_auth.compat.orchestrator`: the admin checks of its routes.
- :mod:`incidentfox_auth.compat.agent_runtime`: verifying the team token the orchestrator forwards.
"""

from __future__ import annotations
