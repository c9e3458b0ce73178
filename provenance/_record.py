"""``@record``: a frozen dataclass whose methods are shared, not generated per class.

``@dataclass(frozen=True)`` writes the source of six methods for each class (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``) and compiles each:
1.2-1.4 ms a class here. ``provenance verify x.jpg`` creates 24 such classes (the report, the
policy, the trust store, the batch results), 30 ms of a call whose goal is 1.5x
``import c2pa``. ``record`` lets ``dataclasses`` collect the fields (so ``fields``,
``replace``, ``asdict`` and subclassing by a frozen dataclass work as before) and gives the
class methods that read the field names once per class: 0.15 ms a class. Every frozen
record of the package is made this way.

What a record does is what ``@dataclass(frozen=True)`` does, for what this package uses:
positional and keyword arguments in field order, ``default`` and ``default_factory``,
``__post_init__``, ``init=False``, ``compare=False`` and ``repr=False`` fields, equality and
hash over the compared fields of the same class, assignment and deletion refused with
``FrozenInstanceError`` (also for a non-field attribute of a plain subclass, which a
dataclass would allow). Not supported: ``kw_only`` fields (refused when the class is made)
and ``InitVar`` (its argument is refused). The tests hold records and dataclasses side by
side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["record"]

_T = TypeVar("_T", bound=type)
_MISSING: Any = dataclasses.MISSING


@overload
def record(cls: _T, /) -> _T: ...
@overload
def record(*, repr: bool = True) -> Callable[[_T], _T]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: _T | None = None, /, *, repr: bool = True) -> _T | Callable[[_T], _T]:
    """Make ``cls`` a frozen dataclass with shared methods (see the module); ``repr=False``
    leaves ``__repr__`` to the class, as the dataclass option does."""

    def wrap(c: _T) -> _T:
        return _build(c, show=repr)

    return wrap if cls is None else wrap(cls)


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"  # as dataclasses show a default_factory in a signature


_FACTORY = _Factory()


def _signature(fields: tuple[dataclasses.Field[Any], ...]) -> Any:
    """``__init__``'s signature as a dataclass's reads, for help() and documentation tools
    (``inspect`` is already imported: ``dataclasses`` imports it)."""
    import inspect

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("self", kind)]
    for f in fields:
        if not f.init:
            continue
        default = f.default if f.default is not _MISSING else (
            _FACTORY if f.default_factory is not _MISSING else inspect.Parameter.empty)
        params.append(inspect.Parameter(f.name, kind, default=default, annotation=f.type))
    return inspect.Signature(params, return_annotation=None)


def _build(cls: _T, *, show: bool) -> _T:
    own = dict(cls.__dict__)  # what the class body defines, before dataclasses add to it
    for attr in ("__setattr__", "__delattr__"):
        if attr in own:
            raise TypeError(f"cannot overwrite attribute {attr} in class {cls.__qualname__}")
    # Below a frozen dataclass (or record), dataclasses insist on frozen=True: then they also
    # write __setattr__ and __delattr__, replaced below like the rest.
    below_frozen = any(getattr(getattr(base, "__dataclass_params__", None), "frozen", False)
                       for base in cls.__mro__[1:])
    dataclasses.dataclass(init=False, repr=False, eq=False, frozen=below_frozen)(cls)
    fields = dataclasses.fields(cls)
    for f in fields:
        if f.kw_only is True:
            raise TypeError(f"{cls.__qualname__}.{f.name}: @record has no kw_only fields; "
                            "use @dataclass")
    names = tuple(f.name for f in fields if f.init)
    defaults = {f.name: f.default for f in fields if f.default is not _MISSING}
    factories: dict[str, Callable[[], Any]] = {
        f.name: f.default_factory for f in fields  # type: ignore[misc]
        if f.default_factory is not _MISSING}
    # init=False fields with a default are set to it, before __post_init__, as by dataclasses.
    fixed = tuple(f.name for f in fields
                  if not f.init and (f.name in defaults or f.name in factories))
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    shown = tuple(f.name for f in fields if f.repr)
    post_init = hasattr(cls, "__post_init__")
    qualname = cls.__qualname__
    setter = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(f"{qualname}.__init__() takes {len(names) + 1} positional "
                            f"arguments but {len(args) + 1} were given")
        for name, value in zip(names, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{qualname}.__init__() got multiple values for argument "
                                f"{name!r}")
            setter(self, name, value)
        for name in names[len(args):]:
            if name in kwargs:
                value = kwargs.pop(name)
            elif name in defaults:
                value = defaults[name]
            elif name in factories:
                value = factories[name]()
            else:
                raise TypeError(f"{qualname}.__init__() missing 1 required argument: "
                                f"{name!r}")
            setter(self, name, value)
        if kwargs:
            raise TypeError(f"{qualname}.__init__() got an unexpected keyword argument "
                            f"{next(iter(kwargs))!r}")
        for name in fixed:
            setter(self, name, defaults[name] if name in defaults else factories[name]())
        if post_init:
            self.__post_init__()

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple([getattr(self, n) for n in compared]) == \
            tuple([getattr(other, n) for n in compared])

    def __hash__(self: Any) -> int:
        return hash(tuple([getattr(self, n) for n in hashed]))

    def __setattr__(self: Any, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self: Any, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self: Any) -> str:
        body = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
        return f"{self.__class__.__qualname__}({body})"

    __init__.__signature__ = _signature(fields)  # type: ignore[attr-defined]
    methods: dict[str, Callable[..., Any]] = {
        "__init__": __init__, "__eq__": __eq__, "__hash__": __hash__,
        "__setattr__": __setattr__, "__delattr__": __delattr__}
    if show:
        methods["__repr__"] = __repr__
    # As dataclasses do: a method the class body defines is kept (a __hash__ is its own
    # unless it is the None that defining __eq__ alone leaves).
    for attr in ("__init__", "__eq__", "__repr__"):
        if attr in own:
            methods.pop(attr, None)
    if "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own):
        methods.pop("__hash__")
    for attr, fn in methods.items():
        fn.__qualname__ = f"{qualname}.{attr}"
        setattr(cls, attr, fn)
    # What the class now is, for dataclasses' own checks: a frozen dataclass may inherit
    # from a record, as from a frozen dataclass.
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.eq = params.frozen = True
    params.repr = show
    return cls
