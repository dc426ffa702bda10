"""Serving the app over HTTP: gunicorn processes, each reading requests on an asyncio loop and
running the Flask app in a thread pool, so slow or stalled clients hold no thread."""
