"""Reviewing: check a site and its output, diff a build against what readers have."""
