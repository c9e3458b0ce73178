"""``provenance._record.record`` against ``@dataclass(frozen=True)``: the same class written
both ways must behave the same in everything this package uses."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from provenance._record import record


def _log() -> list[str]:
    return ["made"]


@record
class Rec:
    """A record."""

    name: str
    size: int = 3
    tags: tuple[str, ...] = ()
    log: list[str] = field(default_factory=_log)
    note: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Dat:
    """The same, as a frozen dataclass."""

    name: str
    size: int = 3
    tags: tuple[str, ...] = ()
    log: list[str] = field(default_factory=_log)
    note: str = field(default="", compare=False, repr=False)


@record
class Derived:
    """A record whose __post_init__ sets a field, as frozen dataclasses do."""

    text: str
    length: int = -1

    def __post_init__(self) -> None:
        object.__setattr__(self, "length", len(self.text))


@record
class Hidden:
    """A record with an init=False field, set from its default and then by __post_init__."""

    words: tuple[str, ...]
    count: int = field(init=False, repr=False, compare=False, default=0)
    seen: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", self.count + len(self.words))


@dataclass(frozen=True)
class HiddenDat:
    """The same, as a frozen dataclass."""

    words: tuple[str, ...]
    count: int = field(init=False, repr=False, compare=False, default=0)
    seen: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", self.count + len(self.words))


@record(repr=False)
class OwnRepr:
    """A record with its own __repr__."""

    value: int

    def __repr__(self) -> str:
        return f"<{self.value}>"


BOTH: tuple[Any, ...] = (Rec, Dat)


def _shape(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))


@pytest.mark.parametrize("args, kwargs", [
    (("a",), {}),
    (("a", 5), {}),
    (("a", 5, ("x",), ["l"], "n"), {}),
    ((), {"name": "a", "note": "n"}),
    (("a",), {"tags": ("y",), "size": 9}),
])
def test_construction_matches(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    r, d = Rec(*args, **kwargs), Dat(*args, **kwargs)
    assert _shape(r) == _shape(d)
    assert repr(r) == repr(d).replace("Dat(", "Rec(")


def test_default_factory_runs_per_instance() -> None:
    a, b = Rec("a"), Rec("a")
    assert a.log == ["made"] and a.log is not b.log


@pytest.mark.parametrize("args, kwargs", [
    ((), {}),  # missing name
    (("a", 1, (), [], "n", "extra"), {}),  # too many
    (("a",), {"name": "b"}),  # twice
    (("a",), {"colour": "red"}),  # unknown
])
def test_bad_arguments_raise_type_error(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for cls in BOTH:
        with pytest.raises(TypeError):
            cls(*args, **kwargs)


def test_equality_and_hash_follow_the_compared_fields() -> None:
    for cls in BOTH:
        a, b = cls("a", log=(), note="one"), cls("a", log=(), note="two")  # compare=False
        assert a == b and hash(a) == hash(b)
        with pytest.raises(TypeError, match="unhashable"):
            hash(cls("a"))  # a list field, as a dataclass's
        assert a != cls("b") and a != cls("a", size=4)
        assert len({cls("a", log=()), cls("a", log=())}) == 1  # type: ignore[arg-type]
    assert Rec("a") != Dat("a") and Dat("a") != Rec("a")  # another class is never equal
    assert (Rec("a") == object()) is False


def test_frozen() -> None:
    for cls in BOTH:
        obj = cls("a")
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.name = "b"
        with pytest.raises(dataclasses.FrozenInstanceError):
            del obj.name
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.other = 1  # a new attribute too
        assert obj.name == "a"


def test_dataclass_functions_and_copies() -> None:
    r = Rec("a", 2, ("t",))
    assert dataclasses.is_dataclass(r)
    assert [f.name for f in dataclasses.fields(r)] == [f.name for f in dataclasses.fields(Dat)]
    assert dataclasses.asdict(r) == dataclasses.asdict(Dat("a", 2, ("t",)))
    changed = dataclasses.replace(r, size=7)
    assert changed.size == 7 and changed.name == "a" and r.size == 2
    for clone in (pickle.loads(pickle.dumps(r)),  # noqa: S301 - bytes made just above
                  copy.copy(r), copy.deepcopy(r)):
        assert clone == r and clone is not r
    assert Rec.__match_args__ == Dat.__match_args__
    match r:
        case Rec(name, size):
            assert (name, size) == ("a", 2)
        case _:
            pytest.fail("no match")


def test_signature_reads_as_a_dataclasses() -> None:
    import inspect

    assert str(inspect.signature(Rec)) == str(inspect.signature(Dat))
    assert str(inspect.signature(Hidden)) == str(inspect.signature(HiddenDat))


def test_init_false_fields() -> None:
    h, d = Hidden(("a", "b")), HiddenDat(("a", "b"))
    assert (h.words, h.count, h.seen) == (d.words, d.count, d.seen) == (("a", "b"), 2, [])
    assert repr(h) == repr(d).replace("HiddenDat(", "Hidden(")
    assert Hidden(("a",)).seen is not Hidden(("a",)).seen
    assert dataclasses.replace(h, words=("c",)).count == 1
    for cls in (Hidden, HiddenDat):
        with pytest.raises(TypeError):
            cls(("a",), 5)  # not an argument


def test_post_init_and_own_repr() -> None:
    d = Derived("four")
    assert d.length == 4 and dataclasses.replace(d, text="xy").length == 2
    assert repr(OwnRepr(3)) == "<3>" and OwnRepr(3) == OwnRepr(3)


def test_a_frozen_dataclass_may_inherit_from_a_record() -> None:
    @dataclass(frozen=True)
    class More(Rec):
        email: str | None = None

    m = More("a", email="x@example.test")
    assert (m.name, m.size, m.email) == ("a", 3, "x@example.test")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.email = "y"


def test_a_record_may_inherit_from_a_record() -> None:
    @record
    class Child(Rec):
        """Below a record."""

        extra: int = 0

    c = Child("a", extra=2)
    assert (c.name, c.size, c.extra) == ("a", 3, 2) and c == Child("a", extra=2)
    assert c != Child("a", extra=3) and c != Rec("a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.extra = 1


def test_methods_of_the_class_body_are_kept() -> None:
    @record
    class Own:
        """Its own equality (by name only) and therefore dataclasses' hash over fields."""

        name: str
        size: int = 0

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Own) and other.name == self.name

    @dataclass(frozen=True)
    class OwnDat:
        """The same, as a frozen dataclass."""

        name: str
        size: int = 0

        def __eq__(self, other: object) -> bool:
            return isinstance(other, OwnDat) and other.name == self.name

    for cls in (Own, OwnDat):
        assert cls("a", 1) == cls("a", 2) and hash(cls("a", 1)) == hash(cls("a", 1))
    assert hash(Own("a", 1)) == hash(OwnDat("a", 1))
    with pytest.raises(TypeError, match="__setattr__"):
        @record
        class Settable:
            """A frozen record cannot define its own __setattr__."""

            a: int

            def __setattr__(self, name: str, value: object) -> None:
                object.__setattr__(self, name, value)


def test_kw_only_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="kw_only"):
        @record
        class KwOnly:
            """Not supported."""

            a: int = field(kw_only=True)
