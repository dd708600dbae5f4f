"""Tests of addons."""
