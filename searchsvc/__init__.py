"""searchsvc: full-text search for news archives."""
from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Flask application: settings, the search service, views and error handlers."""
    from . import api, errors, service, web
    from .config import load_settings
    from .jsonprovider import OrjsonProvider

    app = Flask(__name__, instance_relative_config=True)
    app.json = OrjsonProvider(app)
    app.config.update(load_settings(app.instance_path, overrides=test_config))
    app.config.setdefault("MAX_CONTENT_LENGTH", 64 * 1024)
    service.init_app(app)
    app.register_blueprint(web.bp)
    app.register_blueprint(api.bp)
    errors.register_error_handlers(app)
    return app
