"""pytest plugin (``-p tests.support.green``) for the service tests: eventlet's monkey patch, applied
before anything imports socket or threading, as a nameko service process does at start."""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()
