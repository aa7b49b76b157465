"""Docstrings assembled from shared fragments.

A docstring names a fragment with a ``%(name)s`` marker, a syntax that
reStructuredText and LaTeX do not use: only the markers of the fragments
given are replaced, and every other character, braces included
(``\\mathrm{dtw}``, ``{"a", "b"}``), is written once, as it reads.
"""


def fill_doc(doc, **fragments):
    r"""Replace each ``%(name)s`` marker of a docstring by ``fragments[name]``.

    The fragments are inserted in their order, so a fragment may hold
    markers of the fragments after it. Under ``python -OO`` docstrings are
    None and stay None.

    Parameters
    ----------
    doc : str or None
        The docstring, typically ``obj.__doc__``.
    **fragments : str
        The text of each marker.

    Returns
    -------
    doc : str or None

    See Also
    --------
    doc_filler : The same, for the docstrings of functions and classes.

    Examples
    --------
    >>> from sksoftdtw.utils._docstrings import fill_doc
    >>> print(fill_doc(r"%(band)s, :math:`\mathrm{dtw}` of {x, y}", band="radius : int"))
    radius : int, :math:`\mathrm{dtw}` of {x, y}
    >>> fill_doc(None, band="radius : int") is None
    True
    """
    if doc is None:
        return None
    for name, text in fragments.items():
        doc = doc.replace(f"%({name})s", text)
    return doc


def doc_filler(**fragments):
    """A function that fills the docstrings of functions and classes with `fragments`.

    Parameters
    ----------
    **fragments : str
        The text of each ``%(name)s`` marker (see :func:`fill_doc`).

    Returns
    -------
    fill : callable
        ``fill(*objs)`` replaces the markers of each ``obj.__doc__`` and
        returns the last object, so that it also serves as a decorator.

    Examples
    --------
    >>> from sksoftdtw.utils._docstrings import doc_filler
    >>> fill = doc_filler(gamma="gamma : float, default=1.0")
    >>> @fill
    ... def f(gamma=1.0):
    ...     '''Parameters
    ...     ----------
    ...     %(gamma)s
    ...     '''
    >>> print(f.__doc__.splitlines()[2].strip())
    gamma : float, default=1.0
    """

    def fill(*objs):
        for obj in objs:
            obj.__doc__ = fill_doc(obj.__doc__, **fragments)
        return objs[-1] if objs else None

    return fill
