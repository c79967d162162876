"""The intermediary's pages for people (not the JSON API): the public certificate check ``/verify``."""
