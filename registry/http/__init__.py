"""The HTTP edge: the GraphQL gate and view, limits, caches, logs and metrics, and the routes
for programs (exports, keys, QR images); the app factory in ``registry.app`` assembles them."""
