"""The product catalogue a business customer can subscribe to.

Prices are monthly, in cents. ``voice_lines`` counts the phone lines a product brings (for
per-line fees such as 911); ``taxable`` marks lines subject to state sales tax;
``self_service`` marks what an account's admins may change themselves on /services (extra
voice lines, static IPs, the internet speed tiers): anything else needs staff (fibre is
engineered, TV and equipment are installed).
"""
from dataclasses import dataclass

from services import contracts
from services.contracts import billing as contract

SECTIONS = ("internet", "voice", "tv", "add-ons")


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    section: str
    monthly_cents: int
    taxable: bool = True
    voice_lines: int = 0
    self_service: bool = False

    def public(self):
        return contracts.dump(contract.Product, self)


PRODUCTS = (
    Product("INT-100", "Business Internet 100 Mbps", "internet", 6999, self_service=True),
    Product("INT-500", "Business Internet 500 Mbps", "internet", 12999, self_service=True),
    Product("INT-1G", "Business Internet Gigabit", "internet", 19999, self_service=True),
    Product("FIBER-2G", "Dedicated Fiber 2 Gbps", "internet", 49999),
    Product("VOICE-LINE", "Business Voice line", "voice", 2999, voice_lines=1, self_service=True),
    Product("VOICE-UNLTD", "Business Voice Unlimited line", "voice", 4499, voice_lines=1,
            self_service=True),
    Product("TOLL-FREE", "Toll-free number", "voice", 1500),
    Product("TV-ESSENTIAL", "Business TV Essentials", "tv", 3999),
    Product("TV-PREMIER", "Business TV Premier", "tv", 8999),
    Product("STATIC-IP-1", "Static IP address (1)", "add-ons", 1499, self_service=True),
    Product("STATIC-IP-5", "Static IP block (5)", "add-ons", 3999, self_service=True),
    Product("WIFI-PRO", "Managed Wi-Fi Pro", "add-ons", 2499),
    Product("SEC-SUITE", "Security Suite", "add-ons", 999),
    Product("BACKUP-LTE", "Connection Backup (LTE)", "add-ons", 2999),
    Product("EQUIP-ROUTER", "Business router rental", "add-ons", 1200, taxable=False),
)

BY_CODE = {p.code: p for p in PRODUCTS}


def product(code):
    """The product for ``code``, or None."""
    return BY_CODE.get(code)
