"""The rule-based tier estimators.

RFM scores, classes and segments, ABC tiers, lifecycle stages, the CLV-CS grid and the
value-potential matrix. Their keys, labels and strategies in English and Chinese are words of
:mod:`tierkit.words`, the catalogue below every stage.
"""
