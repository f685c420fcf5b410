"""Tests of the synthetic nation generator."""
