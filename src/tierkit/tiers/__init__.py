"""The rule-based tier estimators: RFM scores, classes and segments, ABC tiers, lifecycle
stages, the CLV-CS grid and the value-potential matrix, with the vocabulary (keys, labels and
strategies in English and Chinese) they share.
"""
