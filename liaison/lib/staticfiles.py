"""Static files storage for production: hashed names from the manifest, and no 500 for a missing asset.

Django's manifest storage raises for a file `collectstatic` never collected (htmx when npm was not
run): every page then answers 500. Pages work without htmx, so a missing asset costs a warning in
the log and an unhashed URL that answers 404, not the page.
"""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)
MISSING_ASSET = "Static file %r is not in the manifest: run collectstatic (docs/operations.md). Page served without it."


class ForgivingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            logger.warning(MISSING_ASSET, name)
            return name
