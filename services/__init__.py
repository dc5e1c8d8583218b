"""BizPortal's services and the code they share."""

import warnings

# eventlet prints a bugfix-mode notice on import; nameko 2.14 needs it all the same
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
