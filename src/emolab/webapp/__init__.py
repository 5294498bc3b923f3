"""The annotation web app: annotators rate and compare two responses per item in a browser.

``create_app(project_dir)`` builds the FastAPI application; ``emolab annotate serve`` runs it.
FastAPI is imported here, so import this package only where the app is needed.
"""

from emolab.webapp.app import create_app

__all__ = ["create_app"]
