"""The polarity model's weights split by feature template, for the hot path (`polarity_rows`).

A model file's keys are feature strings (:func:`~pipelines.extract.polarity.mention_features`):
``"p21=the navy"``, ``"gbc=buy|color"``, ``"cond|size"``. :class:`ModelTables` splits each key
once per model by its template, into tables indexed by the parts a mention already holds:
``pairs["p21"]["the"]["navy"]``, ``attributes["color"].groups[2]["buy"]`` (the rows of
``"gbc=buy"`` and ``"gbc=buy|color"``), ``attributes["size"].flags["cond"]``. A key of a
template it does not know raises ``ValueError``: the hot path would otherwise ignore it.
"""

from __future__ import annotations

from pipelines.extract.polarity import BAGS, PolarityModel

Row = tuple[float, ...]
#: Templates "t=value": one row per value.
_SIMPLE = ("a", "r", "w0", "p1", "p2", "n1", "n2", "prev", "next", "sz", "cbc", "cbs", "cac",
           "cas", "cpbc", "cpbs", "cpac", "cpas")  # fmt: skip
#: Templates "t=x|y" and "t=x y", looked up as table[x][y].
_PAIRS = {"ar": "|", "raw": "|", "v": "|", "vr": "|", "nth": "|", "p21": " ", "n12": " "}
#: Templates "t=word|attribute", looked up per attribute (see `AttributeRows`).
_BY_ATTRIBUTE = ("ap1", "an1")
#: Word-group templates: "t=group" and "t=group|attribute".
_GROUP_TEMPLATES = ("nb", "na", "gbc", "gbs", "gac", "gas")
#: Features without "=": "flag|attribute" or a bare flag.
_FLAGS = ("cond", "neg3", "one", "in", "ibuy")
_SINGLE = ("first", "quoted", "after_quoted", "question", "clause_first")
_EMPTY: dict = {}


class AttributeRows:
    """The rows of the features that end in "|<attribute>", for one attribute."""

    __slots__ = ("ap1", "an1", "flags", "cmp_than", "cmp_more", "groups", "nth")

    def __init__(self) -> None:
        self.ap1: dict[str, Row] = {}
        self.an1: dict[str, Row] = {}
        self.flags: dict[str, Row] = {}  # cond, neg3, one, in, ibuy
        self.cmp_than: Row | None = None
        self.cmp_more: Row | None = None
        #: per template of `_GROUP_TEMPLATES` (nb, na, gbc, gbs, gac, gas):
        #: group -> [row of "nb=g", row of "nb=g|attr"] (those the model has)
        self.groups: tuple[dict[str, list[Row]], ...] = ({}, {}, {}, {}, {}, {})
        self.nth: dict[str, Row] = {}

    def fill_groups(self, plain: dict, own: dict) -> None:
        """The group rows from the plain ("gbc=g") and this attribute's ("gbc=g|attr") keys."""
        for table, template in zip(self.groups, _GROUP_TEMPLATES, strict=True):
            mine = own.get(template, _EMPTY)
            for group in plain[template].keys() | mine.keys():
                table[group] = [r for r in (plain[template].get(group), mine.get(group)) if r]


class ModelTables:
    """A `PolarityModel`'s weights split by template (built once per model)."""

    __slots__ = ("simple", "pairs", "attributes", "single", "bags", "words")

    def __init__(self, model: PolarityModel) -> None:
        self.simple: dict[str, dict[str, Row]] = {t: {} for t in _SIMPLE}
        self.pairs: dict[str, dict[str, dict[str, Row]]] = {t: {} for t in _PAIRS}
        #: per attribute; an attribute the model has no such key for gets an empty one
        self.attributes: dict[str, AttributeRows] = {}
        self.single: dict[str, Row] = {}
        self.bags = model.bags
        plain: dict[str, dict[str, Row]] = {t: {} for t in _GROUP_TEMPLATES}
        suffixed: dict[str, dict[str, dict[str, Row]]] = {t: {} for t in _GROUP_TEMPLATES}
        for key, row in model.weights.items():
            template, eq, rest = key.partition("=")
            if not eq:
                template, bar, attr = key.partition("|")
                if bar and template in _FLAGS:
                    self._attr(attr).flags[template] = row
                elif not bar and template in _SINGLE:
                    self.single[template] = row
                else:
                    raise ValueError(f"polarity model: unknown feature {key!r}")
            elif template in BAGS:
                continue  # model.bags has them
            elif template in self.simple:
                self.simple[template][rest] = row
            elif template in _PAIRS:
                first, _, second = rest.partition(_PAIRS[template])
                self.pairs[template].setdefault(first, {})[second] = row
            elif template in _BY_ATTRIBUTE:
                word, _, attr = rest.rpartition("|")
                getattr(self._attr(attr), template)[word] = row
            elif template == "cmp":
                kind, _, attr = rest.partition("|")
                if kind not in ("than", "more"):
                    raise ValueError(f"polarity model: unknown feature {key!r}")
                setattr(self._attr(attr), "cmp_" + kind, row)
            elif template in _GROUP_TEMPLATES:
                group, bar, attr = rest.partition("|")
                if bar:
                    suffixed[template].setdefault(attr, {})[group] = row
                else:
                    plain[template][group] = row
            else:
                raise ValueError(f"polarity model: unknown feature {key!r}")
        for attr, rows in self.pairs["nth"].items():
            self._attr(attr).nth = rows
        for attr in {a for by in suffixed.values() for a in by}:
            self._attr(attr)
        for attr, by_attr in self.attributes.items():
            own = {t: suffixed[t][attr] for t in _GROUP_TEMPLATES if attr in suffixed[t]}
            by_attr.fill_groups(plain, own)
        self.words = plain  # the group rows of an attribute the model never saw with a suffix

    def _attr(self, attr: str) -> AttributeRows:
        rows = self.attributes.get(attr)
        if rows is None:
            rows = self.attributes[attr] = AttributeRows()
        return rows

    def for_attribute(self, attr: str) -> AttributeRows:
        """The rows for `attr`; an attribute with no suffixed key still gets the plain rows."""
        rows = self.attributes.get(attr)
        if rows is None:
            rows = self._attr(attr)
            rows.fill_groups(self.words, _EMPTY)
        return rows


def tables_of(model: PolarityModel) -> ModelTables:
    """`model`'s tables, built on first use and kept on the model."""
    tables = model.tables
    if tables is None:
        tables = model.tables = ModelTables(model)
    return tables
