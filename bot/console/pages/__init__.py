"""The console's pages: each module has `routes` and, if it is in the navigation, `nav`."""
