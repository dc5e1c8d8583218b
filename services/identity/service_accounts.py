"""identity's entrypoint for many accounts under one online ID (a mixin of IdentityService):
linking another account to the signed-in user."""
from sqlalchemy.exc import IntegrityError

from services.contracts import actor as contract_actor
from services.contracts.errors import InvalidInput, NotFound, Refused, Throttled
from services.identity import alerts, audit, linking, onlineids, throttle
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue


class AccountLinks:
    """Needs ``db`` and ``billing_rpc`` on the service class."""

    @rpc(expected_exceptions=(InvalidInput, NotFound, Refused, Throttled))
    def link_account(self, user_id, request, actor=None):
        """Adds another account to the signed-in user, as its admin, when that account has
        no online ID yet.

        Takes the user's id, contracts.identity.LinkAccountRequest ``{account_number,
        security_key}`` and the actor ``{user_id, ip, user_agent}``. Returns
        ``{account_number, role}``. Raises InvalidInput (fields), NotFound (no such user),
        Throttled (the sign-up allowances: failed attempts from the client's address,
        attempts on that account number; shared with sign-up, so switching between the two
        buys no guesses), Refused (wrong number or key, or the account already has an online
        ID: sign-up's one message for all of them). Emits ``identity.account_linked`` and a
        security alert to the user (``identity.security_alert_raised``).
        """
        where = contract_actor.where(actor)
        data, at = linking.load_request(request), clock.now()
        number = data["account_number"]
        with self.db.transaction() as tx:
            onlineids.get_user(tx.session, user_id)
            throttle.reserve(tx.session, [("signup_ip", where["ip"]),
                                          ("signup_account", number)], at)
        matches = self.billing_rpc.verify_account_key(number, data["security_key"])
        try:
            with self.db.transaction() as tx:
                user = onlineids.get_user(tx.session, user_id)
                linking.link(tx.session, user, number, matches, at)
                freed = [throttle.quota_key("signup_ip", where["ip"])]
                throttle.give_back(tx.session, freed, at)
                audit.record(tx.session, at, "account linked", actor_user_id=user.id,
                             account_number=number, subject_user_id=user.id,
                             detail=f"{user.username} as {linking.ROLE}", where=where)
                tx.emit("account_linked", linking.linked_event(user, number))
                alerts.security_alert(tx, user.email, user.id, user.first_name,
                                      "account_linked", at, where,
                                      f"Account {number} was added to {user.username} as "
                                      f"{linking.ROLE}.")
        except IntegrityError:  # a concurrent claim of the account won: the one refusal
            raise Refused(onlineids.WRONG_KEY) from None
        return {"account_number": number, "role": linking.ROLE}
