"""The word catalogue's former place: it is :mod:`tierkit.words` now, below every stage.

``tierkit.tiers.vocabulary.HEADERS`` and every other name of the catalogue still resolve here,
read from :mod:`tierkit.words` on use.
"""

from tierkit import words as _words


def __getattr__(name):
    return getattr(_words, name)


def __dir__():
    return dir(_words)
