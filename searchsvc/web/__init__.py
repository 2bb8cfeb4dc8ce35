"""The Flask application: the search page, the JSON API, their templates and static files."""
from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Flask application: settings, the search service, views and error handlers."""
    from ..config import load_settings
    from . import api, errors, extension, research, views
    from .jsonprovider import OrjsonProvider

    app = Flask(__name__, instance_relative_config=True)
    app.json = OrjsonProvider(app)
    app.config.update(load_settings(app.instance_path, overrides=test_config))
    if app.config.get("MAX_CONTENT_LENGTH") is None:   # Flask's default is None, no limit
        app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024        # a larger body gets a 413
    extension.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(research.bp)
    errors.register_error_handlers(app)
    return app
