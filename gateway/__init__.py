"""The gateway: the only public entry (JSON API, web portal, staff API, health, metrics)."""
import warnings

# eventlet prints a bugfix-mode notice on import; nameko 2.14 needs it all the same
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
