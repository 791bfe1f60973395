"""The rule-based tier estimators and the vocabulary they share.

RFM scores, classes and segments, ABC tiers, lifecycle stages, the CLV-CS grid and the
value-potential matrix, with their vocabulary: keys, labels and strategies in English and
Chinese.
"""
