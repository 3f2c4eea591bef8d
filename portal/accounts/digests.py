"""Each person's daily and weekly digest, at their own local morning: the people with notices
waiting are found here (accounts owns them); portal.core.digests builds each one's digest."""
import sqlalchemy as sa

from portal.accounts.models import User
from portal.core import digests
from portal.core.models import utcnow
from portal.core.notify import Notification
from portal.extensions import db


def send_digests(now=None):
    """Build every digest that is due: one e-mail per person with their pending notices, in
    their language, through the outbox, with the marks on the notices they carry: the caller
    commits both at once, so a digest is never built twice nor a notice dropped. Returns how
    many were built."""
    now = now or utcnow()
    waiting = db.session.scalars(sa.select(User).where(User.id.in_(
        sa.select(Notification.user_id).where(Notification.digest_pending.is_(True)))))
    return sum(digests.send_digests_of(user, now) for user in list(waiting))
