"""Search keys kept up to date by the session, not by hand.

A searchable model has a `search_key` column: its words folded for search (Persian variants,
Vietnamese accents, case; portal.core.textnorm.search_key), which list filters match with
`matches_all_words`. Before every flush the key is made again for each new searchable row and
for each row one of whose `__searchable__` attributes changed, so no service has to remember
to do it (the way microblog's SearchableMixin keeps its index from session events).

A row whose text is part of another row's key (a product's name in one language) is a
`SearchablePart`: a change to it, or its removal, remakes its owner's key.
"""
import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.core.textnorm import search_key

_TAGS = re.compile(r"<[^>]+>")


def words_of(html):
    """The text of some markup, tags replaced by spaces, for a search key."""
    return _TAGS.sub(" ", html or "")


class SearchableMixin:
    # the attributes (columns or relationships) the key is made from: a change to one of them
    # remakes it
    __searchable__ = ()
    # the column's length, when it has one: a longer key is cut there
    search_key_length = None

    def search_parts(self):
        """The texts the key is made of; by default the __searchable__ attributes' values."""
        return [getattr(self, name) for name in self.__searchable__]

    def refresh_search_key(self):
        key = search_key(*self.search_parts())
        self.search_key = key[:self.search_key_length] if self.search_key_length else key


class SearchablePart:
    """A row whose text is part of its owner's search key."""

    def search_owner(self):
        """The searchable row whose key holds this row's text, or None."""
        raise NotImplementedError


def _changed(obj):
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in obj.__searchable__)


@sa.event.listens_for(Session, "before_flush")
def _refresh_search_keys(session, _flush_context, _instances):
    stale = [obj for obj in session.new if isinstance(obj, SearchableMixin)]
    stale += [obj for obj in session.dirty if isinstance(obj, SearchableMixin) and _changed(obj)]
    for part in (*session.new, *session.dirty, *session.deleted):
        if isinstance(part, SearchablePart):
            owner = part.search_owner()
            if owner is not None and owner not in session.deleted:
                stale.append(owner)
    for obj in {id(obj): obj for obj in stale}.values():
        obj.refresh_search_key()
