"""Stable digests of what a page was rendered from, so an unchanged page is not rendered again.

A page's output is a function of its template (and the templates it includes), the
top-level context names those templates mention, and the values behind them. The
digest walks values structurally (strings, numbers, dates, containers, objects'
``__dict__``), so any plugin's objects are covered without declaring anything. What it
cannot digest stably (an object without ``__dict__`` whose ``repr`` shows a memory
address) makes the page "always render": slower, never wrong.

An object whose attributes hold more than what it shows (a cache of the last build's
output, a template) says what its output depends on with a ``fingerprint_state()``
method; its value is digested instead of the object's attributes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import os
import pathlib
import types
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from operator import is_
from typing import Any

from jinja2 import Environment, meta

SKIPPED_ATTRIBUTES = frozenset({"_context"})  # Pelican's back-reference to the whole context
MISSING = b"\x00missing"
_OPAQUE = b"opaque"  # what a value digested elsewhere is digested as (``Digester.opaque``)
STATE_METHOD = "fingerprint_state"  # an object's own account of what its output depends on


_REPR_TYPES = (dt.date, dt.time, dt.timedelta, decimal.Decimal, pathlib.PurePath, enum.Enum, complex)
_CODE_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type, types.ModuleType)


class Digester:
    """Digests values; memoized by identity for one build's output phase (values are final by then).

    Cycles between objects are digested as back-references by distance on the path
    from the value being digested, so a digest covers everything reachable from it;
    only digests that do not depend on where the walk started are memoized: never an
    object on a cycle, the one the walk entered it by included. (A comment's node and its
    parent's point at each other: with the parent memoized as the thread was digested
    whole, the reply, digested later through a member's list, digested differently from
    the next build's, where the member's list came first; its page rendered once more.)
    How a type is walked is decided once per type (:func:`_kind_of`): a build digests
    millions of values.
    """

    def __init__(
        self,
        opaque: Iterable[Any] = (),
        kept: dict[int, Kept] | None = None,
    ) -> None:
        self.kept = kept or {}  # id -> what a kept object is digested from (``Kept``)
        self.memo: dict[int, bytes] = {}
        self.keep: list[Any] = []  # memoized objects stay alive, so their ids are not reused
        self.opaque = {id(value) for value in opaque}  # the settings and context dicts: hashed elsewhere
        for value in opaque:  # as ``_add`` finds them: each kept diary names the settings and the context
            kind = type(value)
            if (_KINDS.get(kind) or _kind_of(kind))[0] >= _DICT and (kind not in _EMPTY or value):
                self.memo[id(value)] = _OPAQUE
                self.keep.append(value)
        self.path: dict[int, int] = {}  # id -> depth of the objects being digested
        self.tops: dict[int, bytes] = {}  # id -> digest of a value digested whole (see ``top``)
        self.orders: dict[frozenset[str], list[tuple[str, bytes]]] = {}  # a page's names, sorted
        self.bases: dict[tuple[int, frozenset[str], frozenset[str]], bytes] = {}  # see ``shared``
        self.plans: dict[tuple[Any, ...], Plan] = {}  # see ``plan``
        self.reads: dict[int, dict[str, tuple[Any, bytes]]] = {}  # id of a dict -> key -> its value, part

    def __call__(self, value: Any) -> bytes:
        return self._walk(value, 0)[0]

    def top(self, value: Any) -> bytes:
        """``self(value)``, remembered by identity for the build: each of 10,000 pages reads
        about 40 context values, most of them the same objects on every page (strings too,
        which the walk does not memoize)."""
        key = id(value)
        found = self.tops.get(key)
        if found is None:
            found = self.tops[key] = self._walk(value, 0)[0]
            self.keep.append(value)
        return found

    def shared(self, base: Mapping[str, Any], names: frozenset[str], own: frozenset[str]) -> bytes:
        """The digest of ``names`` but ``own``, as ``base`` holds them, made once a build for
        each ``base`` and set of names (``page_fingerprint``)."""
        key = (id(base), names, own)
        found = self.bases.get(key)
        if found is None:
            parts = []
            for name, encoded in self.ordered(names - own):
                value = base.get(name, MISSING)
                parts += (encoded, MISSING if value is MISSING else self.top(value))
            found = self.bases[key] = hashlib.blake2b(b"\x1e".join(parts), digest_size=16).digest()
            self.keep.append(base)  # alive while its id is a key
        return found

    def plan(
        self,
        template: str,
        names: frozenset[str],
        localcontext: Mapping[str, Any],
        keys: Mapping[str, list[str]],
        base: Mapping[str, Any],
    ) -> Plan:
        """How ``page_fingerprint`` digests a page, made once a build for the pages of a
        template that add the same names to ``base`` and read the same dicts by key (all
        diaries' pages, each tag's list pages): 59,000 pages at 50,000 diaries worked out
        their own names, sorted them and looked up what they share, page by page. A name
        the pages take from ``base`` and read by key is the same object on all of them: what
        it is (a dict, an object asked by key) and its own digest are found here, once."""
        key = (id(base), template, names, tuple(localcontext), tuple(keys))
        found = self.plans.get(key)
        if found is None:
            keyed = {name for name in keys if name in names}
            own = frozenset(names & localcontext.keys() | keyed)
            head = b"\x1e".join([template.encode(), self.shared(base, names, own)])
            found = self.plans[key] = (
                head,
                tuple(self._step(name, encoded, localcontext, keyed, base) for name, encoded in self.ordered(own)),
            )
        return found

    def _step(
        self, name: str, encoded: bytes, localcontext: Mapping[str, Any], keyed: set[str], base: Mapping[str, Any]
    ) -> Step:
        """How a page's own name is digested (``Plan``)."""
        if name in localcontext:
            return (_OWN_KEYED if name in keyed else _OWN), name, encoded, None
        value = base.get(name, MISSING)
        if type(value) in _PLAIN_DICTS:
            return _READ, name, encoded, (value, self.reads.setdefault(id(value), {}))
        if value is not MISSING and type(value) is not str and is_keyed(value):
            return _ASKED, name, b"\x1e".join([encoded, self.top(value)]), value.fingerprint_key
        return _OWN_KEYED, name, encoded, None

    def ordered(self, names: frozenset[str]) -> list[tuple[str, bytes]]:
        """``names`` sorted, each with its bytes (made once per template's set of names)."""
        found = self.orders.get(names)
        if found is None:
            found = self.orders[names] = [(name, name.encode()) for name in sorted(names)]
        return found

    def _walk(self, value: Any, depth: int) -> tuple[bytes, int]:
        kind = type(value)
        how, extra = _KINDS.get(kind) or _kind_of(kind)
        if how is _STR:
            return b"s" + value.encode("utf-8", "surrogatepass"), _CLOSED
        if how is _SCALAR:
            return repr(value).encode(), _CLOSED
        if how is _BYTES:
            return b"b" + value, _CLOSED
        if how is _REPR:
            return f"{kind.__qualname__}:{value!r}".encode(), _CLOSED
        if how is _CODE:
            function = getattr(value, "__func__", value)
            name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', kind.__name__)}"
            return b"code:" + name.encode(), _CLOSED
        key = id(value)
        if key in self.opaque:
            return _OPAQUE, _CLOSED
        cached = self.memo.get(key)
        if cached is not None:
            return cached, _CLOSED
        path = self.path
        if key in path:  # a cycle: refer back by distance
            return b"^%d" % (depth - path[key]), path[key]
        path[key] = depth
        try:
            parts, low = self._parts(value, how, extra, depth + 1)
        finally:
            del path[key]
        digest = hashlib.blake2b(parts, digest_size=16).digest()
        if low > depth:  # nothing in it points back to it or above it: the same wherever the walk starts
            self.memo[key] = digest
            self.keep.append(value)
            low = _CLOSED
        return digest, low

    def _parts(self, value: Any, how: int, extra: Any, depth: int) -> tuple[bytes, int]:
        out = [type(value).__qualname__.encode()]
        if how is _DICT:
            low = self._add(out, chain.from_iterable(value.items()), depth)
        elif how is _SEQUENCE:
            low = self._add(out, value, depth)
        elif how is _SET:
            found: list[bytes] = []
            low = self._add(found, value, depth)
            out += sorted(found)
        elif how is _STATE:
            low = self._add(out, (extra(value),), depth)
        elif how is _METHOD:
            low = self._add(out, (getattr(value, STATE_METHOD)(),), depth)
        elif self.kept and id(value) in self.kept:
            kept = self.kept[id(value)]
            if kept.holds(value):  # as kept: its pickle's part, then what the pickle names
                out += kept.head
                named = list(map(self.memo.get, map(id, kept.shared)))  # digested for an earlier diary
                if None in named:
                    low = self._add(out, kept.shared, depth)
                else:
                    out += named
                    low = _CLOSED
            else:
                low = self._add(out, kept.parts(value), depth)
            if kept.check is not None:
                kept.verify(value)
        else:
            parts = _attributes(value, extra)
            if parts is None:
                return repr(value).encode("utf-8", "surrogatepass"), _CLOSED  # an address in it: never matches
            low = self._add(out, parts, depth)
        try:  # each part with its length in 4 bytes, little-endian; the lengths' bytes are made once
            prefix = _PREFIXES
            return b"\x1f".join([prefix[len(part)] + part for part in out]), low
        except IndexError:  # a part of 64 KiB or more
            return b"\x1f".join([len(part).to_bytes(4, "little") + part for part in out]), low

    def _add(self, out: list[bytes], items: Iterable[Any], depth: int) -> int:
        """Append the digests of ``items`` to ``out``; the lowest depth they point back to.
        Strings and numbers, most of what is digested, are written here without a call."""
        low = _CLOSED
        walk, memo = self._walk, self.memo
        for item in items:
            kind = type(item)
            if kind is str:
                out.append(b"s" + item.encode("utf-8", "surrogatepass"))
            elif kind is _Name:
                out.append(item)
            elif kind in _SCALARS:
                out.append(repr(item).encode())
            elif kind in _EMPTY and not item:  # a diary holds several: no updates, no groups...
                out.append(_EMPTY[kind])
            else:
                digest = memo.get(id(item))  # digested before (a diary in a tag's, a member's, the site's list...)
                if digest is None:
                    digest, reached = walk(item, depth)
                    if reached < low:
                        low = reached
                out.append(digest)
        return low


class _Name(bytes):
    """An attribute's name among an object's digested values (written as its bare bytes)."""


def _attributes(value: Any, slots: tuple[str, ...]) -> list[Any] | None:
    """An object's attributes to digest: each name, then its value; None without any (no
    ``__dict__``, no slots: its ``repr`` is digested instead)."""
    fields = getattr(value, "__dict__", None)
    if fields is None and not slots:
        return None
    names = _NAMES
    parts = [
        part
        for name, item in (fields or {}).items()
        if name not in SKIPPED_ATTRIBUTES
        for part in (names.get(name) or _name(name), item)
    ]
    parts += [part for name in slots if hasattr(value, name) for part in (_name(name), getattr(value, name))]
    return parts


CHECK_KEPT = "NETROOTS_CHECK_KEPT"  # set (the test suite does): kept objects are also walked, a change fails
_GONE = _Name(b"\x00gone")  # an attribute deleted since the object was kept
_KEPT = _Name(b"kept")
_FIELD_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per set of attribute names


def pickle_state(pickled: bytes) -> bytes:
    """What a kept object's pickle is digested as (``Kept.state``)."""
    return hashlib.blake2b(pickled, digest_size=16).digest()


class KeptChanged(RuntimeError):
    """Something changed a kept object in place after it was made (``CHECK_KEPT`` found it)."""


class Kept:
    """What an object kept as a pickle (a diary: netroots/articlecache.py) is digested from,
    instead of walking it: the pickle's bytes (all it held when it was stored or restored),
    the shared objects the pickle names rather than holds (a Tag, the settings, as they are
    now), and the attributes set on it, replaced or deleted since (compared by identity).

    Valid under one rule for plugins: nothing changes an object reachable from a diary in
    place after the diary is made (``content_object_init``); a value is set as a new
    attribute, or handed to templates in the context. ``CHECK_KEPT`` checks the rule.
    """

    __slots__ = ("check", "head", "names", "shared", "state", "value", "values")

    def __init__(self, value: Any, state: bytes, shared: Iterable[Any], check: bool | None = None) -> None:
        """``state``: ``pickle_state`` of the pickle it was stored as or restored from (kept
        with it: not hashed again each build); ``check``: ``CHECK_KEPT`` is set (read once a
        build by the caller, else here)."""
        fields = vars(value)
        names = tuple(fields)
        self.value = value  # alive while registered: its id is not reused
        self.state = state
        self.shared = tuple(shared)
        self.names = _FIELD_NAMES.setdefault(names, names)
        self.values = tuple(fields.values())
        # What the digester makes of ``parts``' first three (``Digester._add``), made once.
        self.head = (_KEPT, b"b" + state, str(len(self.shared)).encode())
        if check is None:
            check = bool(os.environ.get(CHECK_KEPT))
        self.check = self._digests(fields) if check else None

    def _digests(self, fields: dict[str, Any]) -> dict[str, bytes]:
        """The full digest of each attribute it was kept with and still holds, the shared
        objects aside (what ``CHECK_KEPT`` compares)."""
        digest = Digester(opaque=self.shared)
        return {
            name: digest(fields[name])
            for name, value in zip(self.names, self.values, strict=True)
            if name not in SKIPPED_ATTRIBUTES and fields.get(name, _GONE) is value
        }

    def holds(self, value: Any) -> bool:
        """Does the object hold the attributes it was kept with, and only those (by identity)?
        In a build where nothing changed, every kept diary does: its digest is ``head`` and
        the digests of ``shared`` (``Digester._parts``), without making ``parts``."""
        fields = value.__dict__
        values = self.values
        return len(fields) == len(values) and all(map(is_, fields.values(), values)) and tuple(fields) == self.names

    def parts(self, value: Any) -> list[Any]:
        """What the digester digests for an object that no longer ``holds``: ``head``'s,
        ``shared`` and each attribute set, replaced or deleted since it was kept."""
        fields = value.__dict__
        parts: list[Any] = [_KEPT, self.state, len(self.shared), *self.shared]
        before = dict(zip(self.names, self.values, strict=True))
        for name in sorted(fields.keys() | before.keys()):
            if name in SKIPPED_ATTRIBUTES:
                continue
            if name not in fields:
                parts += (_name(name), _GONE)
            elif name not in before or before[name] is not fields[name]:
                parts += (_name(name), fields[name])
        return parts

    def verify(self, value: Any) -> None:
        """``CHECK_KEPT``: fail if an attribute the object was kept with changed in place."""
        assert self.check is not None
        for name, digest in self._digests(value.__dict__).items():
            if digest != self.check[name]:
                where = getattr(self.value, "source_path", None) or type(self.value).__name__
                raise KeptChanged(
                    f"{where}: its '{name}' was changed in place after it was made; a plugin may set a new "
                    "attribute on a diary, or hand templates values in the context, but not change what a "
                    "diary holds (docs/architecture.md, kept diaries)"
                )


_NAMES: dict[str, _Name] = {}  # one per attribute name: objects' names are made once


def _name(name: str) -> _Name:
    found = _NAMES.get(name)
    if found is None:
        found = _NAMES[name] = _Name(name.encode())
    return found


_PREFIXES = [length.to_bytes(4, "little") for length in range(1 << 16)]


_SCALARS = frozenset({int, bool, float, type(None)})
# What _parts makes of an empty list, tuple or dict: its type's name alone.
_EMPTY = {
    kind: hashlib.blake2b(
        len(kind.__qualname__).to_bytes(4, "little") + kind.__qualname__.encode(), digest_size=16
    ).digest()
    for kind in (list, tuple, dict)
}

_STR, _SCALAR, _BYTES, _REPR, _CODE, _DICT, _SEQUENCE, _SET, _STATE, _METHOD, _OBJECT = range(11)
_KINDS: dict[type, tuple[int, Any]] = {}


def _kind_of(kind: type) -> tuple[int, Any]:
    """How values of ``kind`` are digested (and what with: a state function, slot names)."""
    if issubclass(kind, str):
        found: tuple[int, Any] = (_STR, None)
    elif kind in (bool, int, float, type(None)):
        found = (_SCALAR, None)
    elif issubclass(kind, bytes):
        found = (_BYTES, None)
    elif issubclass(kind, _REPR_TYPES):
        found = (_REPR, None)
    elif issubclass(kind, _CODE_TYPES):
        found = (_CODE, None)
    elif issubclass(kind, dict):
        found = (_DICT, None)
    elif issubclass(kind, (list, tuple)):
        found = (_SEQUENCE, None)
    elif issubclass(kind, (set, frozenset)):
        found = (_SET, None)
    elif kind in STATES:
        found = (_STATE, STATES[kind])
    elif callable(getattr(kind, STATE_METHOD, None)):
        found = (_METHOD, None)
    else:
        slots = tuple(name for cls in kind.__mro__ for name in getattr(cls, "__slots__", ()) if name != "__dict__")
        found = (_OBJECT, slots)
    _KINDS[kind] = found
    return found


_CLOSED = 1 << 30

# How ``page_fingerprint`` digests one of a page's own names (``Digester.plan``): what it is, the
# name, its bytes (an object asked by key: with its digest), and with it a dict read by key and its
# parts made so far, or an object's ``fingerprint_key``.
_OWN, _OWN_KEYED, _READ, _ASKED = range(4)
Step = tuple[int, str, bytes, Any]
# The template's name and the digest of the names the pages share, joined; each own name's step.
Plan = tuple[bytes, tuple[Step, ...]]


def _paginator_state(paginator: Any) -> dict[str, Any]:
    """A list page shows its own slice and the count of pages, never the whole list: an
    edit of a diary on page 7 of a tag leaves its pages 1-6 and 8-250 as they were."""
    kept = {k: v for k, v in vars(paginator).items() if k not in ("object_list", "_count", "_num_pages")}
    return {**kept, "count": len(paginator.object_list)}


# A list page's ``Page`` is walked as any object: its paginator, shared by the list's pages, is
# digested once for all of them (by its state above). Its state made anew for each page
# (``_page_state``) walked the paginator's for each of 9,000 list pages at 50,000 diaries.


def _wrapper_state(wrapper: Any) -> tuple[str, str]:
    """A tag, member or category shows its name and slug (its addresses come from the
    settings, digested with the world). Its attributes do not say it steadily: Pelican's
    ``as_dict`` copies ``name`` and ``slug`` into them the first time an address is made,
    so a diary's tag made this build and the same tag restored from the kept diaries
    digested differently, and the pages of an edited diary rendered once more next build."""
    return wrapper.name, wrapper.slug


def _library_states() -> dict[type, Callable[[Any], Any]]:
    from pelican.paginator import Paginator
    from pelican.urlwrappers import Author, Category, Tag

    return {
        Paginator: _paginator_state,
        Tag: _wrapper_state,
        Author: _wrapper_state,
        Category: _wrapper_state,
    }


# Library classes whose attributes hold more than what a page shows: what is digested instead.
STATES: dict[type, Callable[[Any], Any]] = _library_states()

INPUTS_ATTRIBUTE = "fingerprint_inputs"


def reads(inputs: Callable[[dict[str, Any]], Any]) -> Callable[[Any], Any]:
    """Mark a receiver with what it reads besides what it is handed.

    ``feed_generated``: ``inputs(context)`` returns those values (members, the site
    address...); they become part of the feed's fingerprint, so an unchanged feed is not
    written again. A receiver without this mark makes every feed be written every build.
    ``article_generator_context``/``content_object_init`` (what Pelican makes of a diary):
    ``inputs(context)`` becomes part of every kept diary's key (netroots/articlecache.py);
    a receiver without this mark makes every diary be made again every build.
    """

    def mark(receiver: Any) -> Any:
        setattr(receiver, INPUTS_ATTRIBUTE, inputs)
        return receiver

    return mark


def receiver_inputs(receivers: Iterable[Any], context: dict[str, Any]) -> list[Any] | None:
    """What the receivers read (their ``reads`` marks); None when one of them is unmarked."""
    found = []
    for receiver in receivers:
        inputs = getattr(receiver, INPUTS_ATTRIBUTE, None)
        if inputs is None:
            return None
        found.append((getattr(receiver, "__qualname__", ""), inputs(context)))
    return found


def _template_names(
    environment: Environment, name: str, known: dict[str, list[list[str]]] | None = None
) -> tuple[frozenset[str], frozenset[str]]:
    """(context names the template mentions, templates it pulls in); None in the second = dynamic.

    ``known`` (source digest -> the two lists) keeps answers across builds: parsing every
    template is a noticeable part of a build that renders little.
    """
    source, _, _ = environment.loader.get_source(environment, name)
    key = hashlib.blake2b(f"{name}\0{source}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    if known is not None and key in known:
        used_list, pulled_list = known[key]
        return frozenset(used_list), frozenset(pulled_list)
    tree = environment.parse(source)
    used = set(meta.find_undeclared_variables(tree))
    pulled = set(meta.find_referenced_templates(tree))  # included/imported with context: same names
    found = frozenset(used), frozenset(str(p) if p is not None else "\x00dynamic" for p in pulled)
    if known is not None:
        known[key] = [sorted(found[0]), sorted(found[1])]
    return found


class TemplateNames:
    """The context names a template and everything it includes/extends/imports can read."""

    def __init__(self, environment: Environment, known: dict[str, list[list[str]]] | None = None) -> None:
        self.environment = environment
        self.known = known
        self.direct: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self.closed: dict[str, frozenset[str]] = {}

    def _direct(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        if name not in self.direct:
            self.direct[name] = _template_names(self.environment, name, self.known)
        return self.direct[name]

    def __call__(self, name: str) -> frozenset[str]:
        if name in self.closed:
            return self.closed[name]
        seen: set[str] = set()
        todo = [name]
        names: set[str] = set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current == "\x00dynamic":  # a computed template name: any template may be read
                todo.extend(self.environment.loader.list_templates())
                continue
            try:
                used, pulled = self._direct(current)
            except Exception:
                continue
            names |= used
            todo.extend(pulled)
        self.closed[name] = frozenset(names)
        return self.closed[name]


class TrackedDict(dict):
    """A copy of a large context dict that records which keys a page reads (all, if it iterates)."""

    log: set[Any] | None = None  # the current page's keys; None = the page read everything

    def _all(self) -> None:
        self.log = None
        self.everything = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.everything = False
        self.log = set()

    def _key(self, key: Any) -> None:
        if self.log is not None:
            if isinstance(key, str):
                self.log.add(key)
            else:
                self._all()

    def __getitem__(self, key: Any) -> Any:
        self._key(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._key(key)
        return dict.get(self, key, default)

    def __contains__(self, key: Any) -> bool:
        self._key(key)
        return dict.__contains__(self, key)

    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._all()
        return dict.__len__(self)

    def keys(self):
        self._all()
        return dict.keys(self)

    def values(self):
        self._all()
        return dict.values(self)

    def items(self):
        self._all()
        return dict.items(self)

    def copy(self) -> dict:
        self._all()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._all()
        return dict.__repr__(self)

    def __reduce__(self):
        self._all()
        return (dict, (dict(dict.items(self)),))

    def start(self) -> None:
        self.everything = False
        self.log = set()

    def read(self) -> list[str] | None:
        """The keys read since ``start``, sorted; None when the page used the whole dict."""
        return None if self.everything or self.log is None else sorted(self.log)


TRACK_MIN = 16  # smaller dicts are digested whole


class KeyedDict(dict):
    """A context dict pages read by key, tracked as a large dict is whatever its size: a page
    depends on the keys it read even while the dict holds few. (``comment_counts``: while fewer
    than 16 diaries had comments, each new one rendered every page showing a diary's card.)"""


KEYED_METHOD = "fingerprint_key"  # an object a page asks by key (``comment_thread(diary_id)``)


def is_keyed(value: Any) -> bool:
    """Is ``value`` read by key, like a tracked dict? Such an object has three more methods:

    - ``start()`` and ``read()``, as ``TrackedDict``: the keys (strings) a page asked since
      ``start``; ``read`` returns a list, never None (a page cannot ask for "everything");
    - ``fingerprint_key(key)``: what its answer for ``key`` depends on,

    and its ``fingerprint_state()`` is what every answer shares (a template, settings). A page
    digests the shared state and the keys it asked only: the comment thread of its own diary,
    not the 10,000 others'.
    """
    return callable(getattr(type(value), KEYED_METHOD, None))


def page_fingerprint(
    digest: Digester,
    template: str,
    names: frozenset[str],
    localcontext: Mapping[str, Any],
    keys: dict[str, list[str] | None],
    base: Mapping[str, Any] | None = None,
) -> str:
    """The page's fingerprint; ``keys`` says which keys of each large dict it read (None = all).
    ``localcontext`` is the page's context, or what the page adds to ``base`` (the context
    it shares with other pages, so not copied a page). The names it takes from ``base`` and
    reads whole are digested together, once for all the pages that share ``base`` and read
    them (``Digester.shared``): of the 40 names a diary's page reads, 14 are its own. A key
    read of a dict from ``base`` is written as the part made for the first page that read it
    while the dict holds the same value there (``_read``): a member's entry is read by each
    of their diaries' pages."""
    tops = digest.tops  # a value digested for an earlier page: looked up here
    if base is None:
        base, localcontext = localcontext, {}
    if None in keys.values():  # a dict read whole: as if not read by key
        keys = {name: read for name, read in keys.items() if read is not None}
    head, steps = digest.plan(template, names, localcontext, keys, base)
    parts = [head]
    for name in ("localsiteurl", "SITEURL"):
        value = localcontext.get(name, MISSING)
        if value is MISSING:
            value = base.get(name)
        parts.append(
            b"s" + value.encode("utf-8", "surrogatepass")
            if type(value) is str
            else tops.get(id(value)) or digest.top(value)
        )
    for how, name, encoded, extra in steps:
        if how is _OWN:
            value = localcontext[name]
            parts.append(encoded)
            if type(value) is str:  # the page's own (its address): digested as the walk does, not kept
                parts.append(b"s" + value.encode("utf-8", "surrogatepass"))
            else:
                parts.append(tops.get(id(value)) or digest.top(value))
        elif how is _READ:
            parts.append(encoded)
            _read(digest, extra, keys[name], parts)
        elif how is _ASKED:  # its digest (its shared state) with its name, then each key asked
            parts.append(encoded)
            for key in keys[name]:
                parts += (b"k", key.encode(), _answer(digest, extra(key)))
        else:
            _own_keyed(
                digest,
                localcontext[name] if name in localcontext else base.get(name, MISSING),
                encoded,
                keys.get(name),
                parts,
            )
    return hashlib.blake2b(b"\x1e".join(parts), digest_size=16).hexdigest()


def page_frame(
    digest: Digester, plan: Plan, localcontext: Mapping[str, Any], base: Mapping[str, Any], derived: frozenset[str]
) -> bytes | None:
    """What ``page_fingerprint`` writes for a page of ``plan`` besides the values of its own
    names in ``derived`` (a diary's page: its diary, category, file, relative address) and the
    parts of what it read by key: the same for every page of the plan. Pages whose frame, own
    values and key parts are as they were have the fingerprint they had
    (``netroots.incremental.Diaries``). None when a name is read by key otherwise than of a
    plain dict or a keyed object of ``base`` (its parts are not ``keyed_parts``')."""
    head, steps = plan
    parts = [head]
    for name in ("localsiteurl", "SITEURL"):
        if name in localcontext:
            parts.append(b"\x00derived" if name in derived else _written(digest, localcontext[name]))
        else:
            parts.append(_written(digest, base.get(name)))
    for how, name, encoded, _ in steps:
        if how is _OWN:
            parts.append(encoded)
            if name not in derived:
                parts.append(_written(digest, localcontext[name]))
        elif how is _READ or how is _ASKED:
            parts += (b"r" if how is _READ else b"a", encoded)
        else:
            return None
    return hashlib.blake2b(b"\x1e".join(parts), digest_size=16).digest()


def keyed_parts(digest: Digester, value: Any) -> Callable[[str], bytes] | None:
    """What ``page_fingerprint`` writes for a key read of ``value``, a plain dict read by key
    or an object asked by key (``is_keyed``) of a page's shared context, as a function of the
    key (made once a name: 100,000 keys at 50,000 diaries); None for a value of another kind."""
    if type(value) in _PLAIN_DICTS:
        get, tops, top = value.get, digest.tops, digest.top

        def part(key: str) -> bytes:
            found = get(key, MISSING)
            return MISSING if found is MISSING else tops.get(id(found)) or top(found)

        return part
    if value is not MISSING and type(value) is not str and is_keyed(value):
        answer = value.fingerprint_key
        return lambda key: _answer(digest, answer(key))
    return None


def _written(digest: Digester, value: Any) -> bytes:
    """A value of a page's context as ``page_fingerprint`` writes it."""
    return (
        b"s" + value.encode("utf-8", "surrogatepass")
        if type(value) is str
        else digest.tops.get(id(value)) or digest.top(value)
    )


def _read(
    digest: Digester,
    dict_parts: tuple[dict[str, Any], dict[str, tuple[Any, bytes]]],
    read: list[str],
    parts: list[bytes],
) -> None:
    """What a page read of a plain dict by key: each key and its value's digest (or missing),
    as one part, made once a build for each key and value (``Digester.reads``)."""
    value, made = dict_parts
    get, found_made = value.get, made.get
    for key in read:
        found = get(key, MISSING)
        part = found_made(key)
        if part is None or part[0] is not found:
            digested = MISSING if found is MISSING else digest.tops.get(id(found)) or digest.top(found)
            part = made[key] = (found, b"\x1e".join((b"k", key.encode(), digested)))
        parts.append(part[1])


def _own_keyed(digest: Digester, value: Any, encoded: bytes, read: list[str] | None, parts: list[bytes]) -> None:
    """A name read by key that is not one of ``base``'s plain dicts or objects asked by key: a
    page's own, or a mapping of another kind."""
    parts.append(encoded)
    if read is not None and isinstance(value, dict):
        parts += _read_keys(digest, value, read)
    elif value is MISSING:
        parts.append(MISSING)
    elif type(value) is str:
        parts.append(b"s" + value.encode("utf-8", "surrogatepass"))
    else:
        parts.append(digest.tops.get(id(value)) or digest.top(value))
        if read is not None and is_keyed(value):
            answer = value.fingerprint_key
            for key in read:
                parts += (b"k", key.encode(), _answer(digest, answer(key)))


def _read_keys(digest: Digester, value: dict[str, Any], read: list[str]) -> list[bytes]:
    """What a page read of a dict by key: each key and its value's digest (or missing)."""
    if type(value) not in _PLAIN_DICTS:  # a subclass may answer ``in`` and ``[]`` its own way
        value = {key: value[key] for key in read if key in value}
    top, tops, get = digest.top, digest.tops, value.get
    parts = []
    for key in read:
        found = get(key, MISSING)
        parts += (b"k", key.encode(), MISSING if found is MISSING else tops.get(id(found)) or top(found))
    return parts


_PLAIN_DICTS = frozenset({dict, KeyedDict})


def _answer(digest: Digester, found: Any) -> bytes:
    """``digest(found)`` for a keyed object's answer (``fingerprint_key``): most are bytes, a
    string, None or a tuple of strings and numbers, made anew for each page, so not worth a
    walk (a tuple is written as its ``repr``)."""
    kind = type(found)
    if kind is bytes:
        return b"b" + found
    if kind is str:
        return b"s" + found.encode("utf-8", "surrogatepass")
    if found is None:
        return b"None"
    if kind is tuple and all(type(item) in _LEAVES for item in found):  # a blank thread's state
        return b"r" + repr(found).encode("utf-8", "surrogatepass")
    return digest(found)


_LEAVES = frozenset({str, int, bool, float, type(None)})  # what a tuple's ``repr`` writes unambiguously
