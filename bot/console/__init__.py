"""The staff and analysts' web console: a Starlette adapter over the application's services."""
