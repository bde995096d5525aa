"""Composing an offline answer from retrieved passages: their sentences (evidence), the
extractive composer, and the rules for abstaining when the documents do not answer.
"""
