"""Widgets that are not screens: the on-screen keyboard, the touch date picker, the idle warning."""
