"""Docstrings assembled from shared fragments."""


def fill_doc(doc, **fragments):
    r"""Replace each ``{name}`` placeholder of a docstring by ``fragments[name]``.

    A plain replacement of the named placeholders, not :meth:`str.format`:
    every other brace (``\mathrm{dtw}``, ``{"a", "b"}``) is written once, as
    it reads. Under ``python -OO`` docstrings are None and stay None.

    Parameters
    ----------
    doc : str or None
        The docstring, typically ``obj.__doc__``.
    **fragments : str
        The text of each placeholder.

    Returns
    -------
    doc : str or None

    Examples
    --------
    >>> from sksoftdtw.utils._docstrings import fill_doc
    >>> fill_doc(r"{band} :math:`\mathrm{dtw}`", band="radius : int")
    'radius : int :math:`\\mathrm{dtw}`'
    >>> fill_doc(None, band="radius : int") is None
    True
    """
    if doc is None:
        return None
    for name, text in fragments.items():
        doc = doc.replace("{" + name + "}", text)
    return doc
